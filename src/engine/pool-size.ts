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
 * The crossover, measured on an idle 2-core machine (node 20) with files of ~12 kB from bench/generate.mjs, wall
 * time with 2 workers over 1: 32 files 1.35, 64 files 1.10, 128 files 1.11, 256 files (3 MB) 1.05, 512 files
 * (6 MB) 0.91, 1,024 files 0.83. Below it, starting workers (each loads the engine, the atoms and the parser,
 * and lists the change set) costs more than the cores save. More cores would pay sooner: not measured here.
 */
export const POOL_MIN_FILES = 384;
export const POOL_MIN_BYTES = 4_500_000;

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
