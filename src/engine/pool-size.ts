/** When a change set is checked by a pool of worker threads (pool.ts), and by how many. */
import { availableParallelism } from 'node:os';
import type { ChangeSetRequest } from '../changeset/changeset.js';
import type { Selection } from './select.js';

/** Where the engine found the change set and its atoms: what a worker needs to find them again. */
export interface PoolRequest {
  root: string;
  request: ChangeSetRequest;
  selection: Selection;
  /** The policy's or RALPH_GUARD_WORKERS' `workers`: a count, or `auto`. */
  workers: number | 'auto';
}

/**
 * The crossover, measured with `npm run bench` on 2 cores: below it, starting workers (each loads the
 * engine, the atoms and the parser, and lists the change set) costs more than the cores save.
 */
export const POOL_MIN_FILES = 64;
export const POOL_MIN_BYTES = 2_000_000;

/** The number of workers `workers` asks for on this change set; below 2, the main thread checks it alone. */
export function poolSize(workers: number | 'auto', files: number, bytes: number): number {
  if (workers !== 'auto') return workers;
  if (files < POOL_MIN_FILES || bytes < POOL_MIN_BYTES) return 1;
  return availableParallelism();
}

/** `workers` as RALPH_GUARD_WORKERS says (a count, or auto), else as the policy says. */
export function workersSetting(policy: number | 'auto', env = process.env.RALPH_GUARD_WORKERS): number | 'auto' {
  if (env === 'auto') return 'auto';
  const n = Number(env);
  return env && Number.isInteger(n) && n >= 1 ? n : policy;
}
