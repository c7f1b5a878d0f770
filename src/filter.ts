/**
 * Keeps what the change is responsible for: findings that touch added lines
 * (all of them under --all), minus those suppressed inline with
 * `ralph-guard-ignore <atom>[/<rule>][, …] [-- reason]` on the line or the line above.
 */
import type { SourceFile } from './atoms/atom.js';

export function touchesAddedLine(file: SourceFile, line: number, endLine = line): boolean {
  if (file.allAdded) return true;
  for (let n = line; n <= endLine; n++) if (file.isAdded(n)) return true;
  return false;
}

const MARK = 'ralph-guard-ignore';
/** `atom[/rule]` targets separated by commas; sticky, and each repetition starts with a comma, so it cannot backtrack far. */
const TARGETS = /[\w\-/]+(?:\s*,\s*[\w\-/]+)*/y;

export interface Suppression {
  targets: string[];
  reason?: string;
}

/**
 * The suppression comment on a line, if any: `ralph-guard-ignore <targets> [-- <reason>]`
 * ending the line, optionally closed by `*\/` or `-->`. Parsed by hand, in time linear in
 * the line (the regex this replaces took hours on a line of spaces after "--").
 */
export function parseSuppression(line: string): Suppression | null {
  let end = trimEnd(line, line.length);
  if (line.endsWith('*/', end)) end = trimEnd(line, end - 2);
  else if (line.endsWith('-->', end)) end = trimEnd(line, end - 3);
  const head = line.slice(0, end); // targets must not run into the closing marker
  for (let at = line.indexOf(MARK); at >= 0 && at < end; at = line.indexOf(MARK, at + 1)) {
    let i = at + MARK.length;
    if (!isSpace(line, i)) continue;
    while (isSpace(line, i)) i++;
    TARGETS.lastIndex = i;
    const targets = TARGETS.exec(head);
    if (!targets) continue;
    i = TARGETS.lastIndex;
    if (i === end) return { targets: splitTargets(targets[0]) };
    if (!isSpace(line, i)) continue;
    while (isSpace(line, i)) i++;
    if (!line.startsWith('--', i) || i + 2 > end) continue;
    const reason = line.slice(i + 2, end).trim();
    return { targets: splitTargets(targets[0]), ...(reason ? { reason } : {}) };
  }
  return null;
}

const isSpace = (text: string, i: number) => i < text.length && /\s/.test(text[i]!);

function trimEnd(text: string, end: number): number {
  while (end > 0 && isSpace(text, end - 1)) end--;
  return end;
}

function splitTargets(list: string): string[] {
  return list.split(',').map((t) => t.trim());
}

/** The suppression that covers a finding of `rule` (`atom/name`) on `line`, if any. */
export function suppressionFor(file: SourceFile, rule: string, line: number): Suppression | null {
  const lines = file.lines();
  const atom = rule.slice(0, rule.indexOf('/'));
  for (const n of [line, line - 1]) {
    const text = lines[n - 1];
    if (text === undefined || !text.includes('ralph-guard-ignore')) continue;
    const s = parseSuppression(text);
    if (s && s.targets.some((t) => t === atom || t === rule)) return s;
  }
  return null;
}
