/**
 * The Filter step: what atoms hit becomes findings. One function, `filterHits`,
 * used by the engine and by command checks alike: it keeps what the change is
 * responsible for (hits that touch added lines; all of them under --all),
 * masks secrets in the excerpt, fingerprints when asked, and moves aside those
 * suppressed inline with `ralph-guard-ignore <atom>[/<rule>][, …] -- <reason>`
 * in a comment on the line or the line above (src/suppressions.ts), or accepted
 * by the baseline.
 */
import type { Baseline, LocatedFinding } from './baseline.js';
import type { ChangedFile } from './changeset/changeset.js';
import { excerpt, maskSpans } from './changeset/text.js';
import type { Finding, Suppressed } from './findings.js';
import { messageOf, type Hit, type SourceFile } from './kit/atom.js';
import { ruleLevel, type ActiveAtom } from './router.js';
import { suppressionFor } from './suppressions.js';

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
export async function filterHits(
  source: SourceFile,
  file: Pick<ChangedFile, 'path' | 'commit'>,
  hits: ReadonlyArray<{ active: ActiveAtom; hit: Hit }>,
  how: Filtering,
  out: Filtered,
): Promise<void> {
  if (!hits.length) return;
  // The secrets atom masks every excerpt; loaded only when there is one to mask (a cached re-check has none).
  const { secretSpans } = await import('./atoms/secrets.js');
  const found: LocatedFinding[] = [];
  for (const { active, hit } of hits) {
    // A rule the policy turns off reports nothing.
    if (ruleLevel(active, hit.rule) === 'off') continue;
    if (
      !hit.removedControl &&
      !touchesAddedLine(source, hit.line, hit.endLine ?? hit.line) &&
      !hit.flow?.some((n) => source.isAdded(n))
    )
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
        suppression: { kind: 'inline', reason: suppression.reason },
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
    severity: ruleLevel(active, hit.rule) === 'block' && hit.severity !== 'warning' ? 'error' : 'warning',
    file: file.path,
    line: hit.line,
    column: hit.column,
    ...(hit.endLine && hit.endLine !== hit.line ? { endLine: hit.endLine } : {}),
    message: hit.removedControl
      ? `${messageOf(atom, hit)} The change removed what met the criterion here before (lines were deleted or changed).`
      : messageOf(atom, hit),
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
