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
 * The crossover, measured on a 2-core machine (node 20, load 1.5–3 from the runs themselves) with files of ~12 kB
 * from bench/generate.mjs, wall time with 2 threads (the main thread and a worker) over 1, two runs of 7 and 9
 * interleaved rounds: 32 files 1.14, 64 files 1.08, 128 files 1.02, 192 files 0.84–1.05, 256 files (3 MB)
 * 0.87–0.94, 320 files 0.92, 384 files 0.90 (RALPH_GUARD_WORKERS=1 against 2). It was 384 files and 4.5 MB while every thread
 * listed the change set itself and the main thread only waited. Below it, starting a worker (it loads the engine,
 * the atoms and the parser) costs more than the second core saves; it costs ~25 % more CPU in all above it too.
 * More cores would pay sooner: not measured here.
 */
export const POOL_MIN_FILES = 256;
export const POOL_MIN_BYTES = 3_000_000;

/** The number of threads `workers` asks for on this change set (the main thread and workers); below 2, the main thread checks it alone. */
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
