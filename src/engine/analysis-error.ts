/**
 * An analysis that threw or ran out of time is never a pass (DESIGN §9): the
 * file it could not judge gets a finding `<atom>/analysis-error`, blocking at
 * the atom's level (an atom the policy sets to "warn" makes it a warning,
 * unless one of its rules is at "block"). It is not tied to added lines, and
 * neither a suppression nor the baseline sets it aside: the whole file went
 * unjudged.
 */
import type { AtomFailure, Finding } from '../findings.js';
import type { ActiveAtom } from '../router.js';
import { TOTAL_FACTOR, type Exhausted } from './budget.js';

export function analysisError(active: ActiveAtom, file: { path: string; commit?: string }, why: string): Finding {
  return {
    atom: active.id,
    rule: `${active.id}/analysis-error`,
    // A rule the policy puts at block went unjudged too: it blocks like its atom would.
    severity: active.level === 'block' || Object.values(active.rules ?? {}).includes('block') ? 'error' : 'warning',
    file: file.path,
    line: 1,
    column: 1,
    message: `The ${active.id} analysis could not judge this file: ${why}. It is not known to meet the criterion.`,
    criterion: active.atom?.criteria.fail ?? `The ${active.id} analysis could not run.`,
    fix: 'Simplify or split the file (or exclude generated code with "ignore"), or raise "atomTimeoutMs" if the file is only slow; set the atom\'s level to "warn" to let such files through.',
    excerpt: '',
    ...(file.commit ? { commit: file.commit } : {}),
  };
}

/** A file no atom could judge (its worker thread crashed on it, or it could not be read): it blocks, like an atom's analysis error. */
export function fileUnchecked(file: { path: string; commit?: string }, why: string): Finding {
  return {
    atom: 'ralph-guard',
    rule: 'ralph-guard/analysis-error',
    severity: 'error',
    file: file.path,
    line: 1,
    column: 1,
    message: `No check could judge this file: ${why}. It is not known to meet any criterion.`,
    criterion: 'Every file of the change is checked.',
    fix: 'Run the check again; if it fails the same way, split the file or exclude it with "ignore", and report the error.',
    excerpt: '',
    ...(file.commit ? { commit: file.commit } : {}),
  };
}

export function outOfTimeReason(out: Exhausted, limitMs: number): string {
  return out.why === 'file'
    ? `it ran out of its ${limitMs / 1000} s time budget for this file and was stopped`
    : `it had spent its ${(limitMs * TOTAL_FACTOR) / 1000} s time budget for the whole run on other files, so it did not check this one`;
}

export function outOfTime(out: Exhausted, limitMs: number): AtomFailure {
  return {
    atom: out.atom,
    file: out.file,
    message: `${outOfTimeReason(out, limitMs).replace(/^it /, '')}. Raise "atomTimeoutMs" in the policy, or exclude the file (ignore, or the atom's ignore)`,
  };
}
