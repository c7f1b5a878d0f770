/** The review step of a check: the policy's areas, the change's reviews, and what they mean for the exit code. */
import type { Finding, Report } from '../findings.js';
import { anyGlob } from '../globs.js';
import { levelOf, type Policy, reviewAtoms, ruleLevelOf } from '../policy/policy.js';
import { resolveAreas } from './areas.js';
import { pending, type Review, type ReviewMode, reviewChange, reviewFindings } from './acknowledgement.js';

export async function reviewsFor(root: string, policy: Policy, mode: ReviewMode): Promise<Review[]> {
  return reviewChange(
    root,
    resolveAreas(policy.highRisk, (globs) => anyGlob(globs), policy.baseline),
    mode,
  );
}

/** Guard findings a person can acknowledge: what the change does to the policy and the baseline (src/policy/review.ts). */
const GUARD_RULES = new Set(['guard/policy-weakened', 'guard/baseline-grown', 'guard/policy-unreadable']);

/**
 * Every review of a checked change, put into its report: the high-risk areas,
 * the findings of atoms at level `review` (one review per atom and commit),
 * and the guard findings a person acknowledged through the `guard` area's
 * review of the same file (they stay listed, as warnings naming who). The
 * report's `blocked` is recomputed when an acknowledgement lifted a finding.
 */
export async function judgeReviews(root: string, policy: Policy, report: Report, mode: ReviewMode): Promise<Review[]> {
  const areas = await reviewsFor(root, policy, mode);
  const ids = new Set(reviewAtoms(policy));
  const atoms = ids.size
    ? await reviewFindings(
        root,
        // A finding waits for a person when its rule is at review: the rule's own level, else its atom's.
        report.findings.filter(
          (f) => ids.has(f.atom) && ruleLevelOf(policy, f.atom, f.rule.slice(f.atom.length + 1)) === 'review',
        ),
        new Map(
          report.atoms.map((a) => [a.id, { title: a.title, pass: a.criteria.pass, why: whyReview(policy, a.id) }]),
        ),
        mode,
      )
    : [];
  const reviews = [...areas, ...atoms];
  report.reviews = reviews;

  const lifted = new Set<Finding>();
  for (const f of report.findings) {
    if (!GUARD_RULES.has(f.rule) || f.severity !== 'error') continue;
    // Every guard review of that file (in a range: of each commit touching it) must be acknowledged.
    const touching = areas.filter(
      (r) =>
        r.area === 'guard' &&
        (f.commit === undefined || r.commit === f.commit) &&
        r.places.some((p) => p.file === f.file),
    );
    // A person's acknowledgement: the setup exception (no policy at the base) lifts no weakening.
    if (!touching.length || !touching.every((r) => r.acknowledged && !r.setup)) continue;
    f.severity = 'warning';
    f.message += ` Acknowledged by ${[...new Set(touching.map((r) => r.by))].join('; ')}.`;
    lifted.add(f);
  }
  if (lifted.size)
    report.summary.blocked = report.findings.some(
      (f) => f.severity === 'error' || (policy.failOn === 'warn' && !lifted.has(f)),
    );
  return reviews;
}

/** Why an atom's findings wait for a person, as its review's title says it. */
function whyReview(policy: Policy, id: string): string {
  const settings = policy.atoms[id];
  const rules = Object.entries(settings?.rules ?? {}).flatMap(([rule, level]) => (level === 'review' ? [rule] : []));
  if (!settings || levelOf(settings) === 'review' || !rules.length) return 'atom at level review';
  return `${rules.length === 1 ? 'rule' : 'rules'} ${rules.join(', ')} at level review`;
}

/** What stops the change now. At pre-commit a `review` area waits for the commit-msg hook (the message is not known yet). */
export function stopping(reviews: readonly Review[], when: 'pre-commit' | 'final'): Review[] {
  return pending(reviews).filter((r) => r.level === 'block' || when === 'final');
}

/**
 * The findings of the policy's review-level atoms on a change, for the commands
 * that judge reviews without a check of their own (the commit-msg hook,
 * `approve`): the engine runs just those atoms (their results are cached from
 * the pre-commit run). Null when no atom is at `review`.
 */
export async function reviewAtomReport(
  cwd: string,
  policy: Policy,
  mode: 'staged' | 'worktree',
  configFile?: string,
): Promise<Report | null> {
  const ids = reviewAtoms(policy);
  if (!ids.length) return null;
  const { run } = await import('../engine/engine.js');
  const result = await run({ cwd, mode, paths: [], atoms: ids, ...(configFile ? { configFile } : {}) });
  return result.report;
}

export function pendingLines(reviews: readonly Review[]): string {
  return reviews
    .map(
      (r) =>
        `  ${r.area}${r.commit ? ` in commit ${r.commit.slice(0, 10)}` : ''}: ${r.places.map((p) => `${p.file}:${p.line}`).join(', ')}`,
    )
    .join('\n');
}
