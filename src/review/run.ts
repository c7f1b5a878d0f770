/** The review step of a check: the policy's areas, the change's reviews, and what they mean for the exit code. */
import { anyGlob } from '../globs.js';
import type { Policy } from '../policy/policy.js';
import { resolveAreas } from './areas.js';
import { pending, type Review, type ReviewMode, reviewChange } from './acknowledgement.js';

export async function reviewsFor(root: string, policy: Policy, mode: ReviewMode): Promise<Review[]> {
  return reviewChange(
    root,
    resolveAreas(policy.highRisk, (globs) => anyGlob(globs)),
    mode,
  );
}

/** What stops the change now. At pre-commit a `review` area waits for the commit-msg hook (the message is not known yet). */
export function stopping(reviews: readonly Review[], when: 'pre-commit' | 'final'): Review[] {
  return pending(reviews).filter((r) => r.level === 'block' || when === 'final');
}

export function pendingLines(reviews: readonly Review[]): string {
  return reviews
    .map(
      (r) =>
        `  ${r.area}${r.commit ? ` in commit ${r.commit.slice(0, 10)}` : ''}: ${r.places.map((p) => `${p.file}:${p.line}`).join(', ')}`,
    )
    .join('\n');
}
