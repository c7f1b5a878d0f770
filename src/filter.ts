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

/** `ralph-guard-ignore` and the atoms or rules it names; the rest of the line (reason, comment closer) is read apart. */
const DIRECTIVE = /ralph-guard-ignore\s+([\w\-/]+(?:\s*,\s*[\w\-/]+)*)/;

export interface Suppression {
  targets: string[];
  reason?: string;
}

/** The suppression comment on a line, if any. */
export function parseSuppression(line: string): Suppression | null {
  const m = DIRECTIVE.exec(line);
  if (!m) return null;
  let rest = line.slice(m.index + m[0].length).trim();
  for (const closer of ['*/', '-->']) if (rest.endsWith(closer)) rest = rest.slice(0, -closer.length).trim();
  // After the targets comes a reason (`-- why`) or nothing; other words mean this is prose about the syntax, not a suppression.
  if (rest && !rest.startsWith('--')) return null;
  const reason = rest.slice(2).trim();
  return { targets: m[1]!.split(',').map((t) => t.trim()), ...(reason ? { reason } : {}) };
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
