/**
 * fast-check with a fixed seed, so a failure on CI reproduces on any machine:
 * RALPH_GUARD_FC_SEED picks another seed (fast-check prints the seed and the
 * path of a failing case), RALPH_GUARD_FC_RUNS scales every numRuns (0.2 for
 * a quick look, 10 for a long hunt).
 */
import fc from 'fast-check';

export const SEED = Number(process.env.RALPH_GUARD_FC_SEED ?? 20_251_125);
const SCALE = Number(process.env.RALPH_GUARD_FC_RUNS ?? 1);

export function runs(n: number): number {
  return Math.max(1, Math.round(n * SCALE));
}

/** fc.assert with the project's seed and `numRuns` scaled. */
export function check<T>(property: fc.IProperty<T>, numRuns: number): void {
  fc.assert(property, { seed: SEED, numRuns: runs(numRuns), endOnFailure: true, includeErrorInReport: true });
}

export function checkAsync<T>(property: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  return fc.assert(property, { seed: SEED, numRuns: runs(numRuns), endOnFailure: true, includeErrorInReport: true });
}

/** Milliseconds `fn` takes. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

export { fc };
