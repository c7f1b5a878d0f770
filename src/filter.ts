/**
 * The Filter step: what atoms hit becomes findings. One function, `filterHits`,
 * used by the engine and by command checks alike: it keeps what the change is
 * responsible for (hits that touch added lines; all of them under --all),
 * masks secrets in the excerpt, fingerprints when asked, and moves aside those
 * suppressed inline with `ralph-guard-ignore <atom>[/<rule>][, …] [-- reason]`
 * on the line or the line above, or accepted by the baseline.
 */
import { secretSpans } from './atoms/secrets.js';
import type { Baseline, LocatedFinding } from './baseline.js';
import type { ChangedFile } from './changeset/changeset.js';
import { excerpt, maskSpans } from './changeset/text.js';
import type { Finding, Suppressed } from './findings.js';
import { messageOf, type Hit, type SourceFile } from './kit/atom.js';
import type { ActiveAtom } from './router.js';

export interface Filtering {
  /** The baseline module, loaded when a baseline or a format needs fingerprints. */
  fingerprinting: typeof import('./baseline.js') | null;
  baseline: Baseline | null;
}

/** Where `filterHits` puts what it keeps and what it sets aside. */
export interface Filtered {
  findings: Finding[];
  suppressed: Suppressed[];
}

/** The hits of atoms on one file (`source`), as findings in `out`. */
export function filterHits(
  source: SourceFile,
  file: Pick<ChangedFile, 'path' | 'commit'>,
  hits: ReadonlyArray<{ active: ActiveAtom; hit: Hit }>,
  how: Filtering,
  out: Filtered,
): void {
  const found: LocatedFinding[] = [];
  for (const { active, hit } of hits) {
    if (!touchesAddedLine(source, hit.line, hit.endLine ?? hit.line) && !hit.flow?.some((n) => source.isAdded(n)))
      continue;
    const raw = source.lines()[hit.line - 1] ?? '';
    const masked = maskSpans(raw, [...(hit.mask ?? []), ...secretSpans(file.path, raw)]);
    found.push({ finding: toFinding(active, hit, masked, file), raw, masked });
  }
  if (!found.length) return;
  if (how.fingerprinting) how.fingerprinting.fingerprintFile(found, source.lines());
  const open: LocatedFinding[] = [];
  for (const item of found) {
    const suppression = suppressionFor(source, item.finding.rule, item.finding.line);
    if (suppression)
      out.suppressed.push({
        ...item.finding,
        suppression: { kind: 'inline', ...(suppression.reason ? { reason: suppression.reason } : {}) },
      });
    else open.push(item);
  }
  const inBaseline =
    how.baseline && how.fingerprinting
      ? how.fingerprinting.baselined(how.baseline, open, source.lines(), source.isAdded)
      : null;
  for (const { finding } of open) {
    if (inBaseline?.has(finding))
      out.suppressed.push({
        ...finding,
        suppression: { kind: 'baseline', reason: `accepted in ${how.baseline!.file}` },
      });
    else out.findings.push(finding);
  }
}

/** A hit as a finding; `masked` is the hit's line with every secret masked. */
export function toFinding(
  active: ActiveAtom,
  hit: Hit,
  masked: string,
  file: Pick<ChangedFile, 'path' | 'commit'>,
): Finding {
  const atom = active.atom!;
  const rule = atom.rules[hit.rule];
  return {
    atom: atom.id,
    rule: `${atom.id}/${hit.rule}`,
    severity: active.level === 'block' && hit.severity !== 'warning' ? 'error' : 'warning',
    file: file.path,
    line: hit.line,
    column: hit.column,
    ...(hit.endLine && hit.endLine !== hit.line ? { endLine: hit.endLine } : {}),
    message: messageOf(atom, hit),
    criterion: atom.criteria.fail,
    ...(rule?.fix ? { fix: rule.fix } : {}),
    excerpt: excerpt(masked, hit.column),
    ...(file.commit ? { commit: file.commit } : {}),
  };
}

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
