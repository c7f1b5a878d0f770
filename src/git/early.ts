/**
 * A staged check's first git processes, started by the CLI entry before the engine's code is loaded and compiled
 * (~60 ms on every commit): git lists the change and starts its cat-file on another core meanwhile, and spawning
 * costs less before the process has grown. The engine takes a result only for the very same command in the same
 * directory, with the same environment (nothing sets one in between), so whatever else a check asks runs as before.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startEarly, startEarlyBatch } from './spawn.js';

/** Flags of every diff the change set lists: no drivers, no conversions, paths from the top, submodules seen. */
export const DIFF_FLAGS = [
  '--no-abbrev',
  '--text',
  '--no-ext-diff',
  '--no-textconv',
  '--no-relative',
  '--ignore-submodules=none',
];

/** The staged change as git lists it (changeset.ts). */
export const stagedListingArgs = (pathspec: readonly string[]) => [
  'diff',
  '--cached',
  '--raw',
  '-z',
  '-M',
  ...DIFF_FLAGS,
  ...pathspec,
];

/** Tracked files with unstaged changes: the hint a staged check gives (cli/check.ts). */
export const unstagedHintArgs = (paths: readonly string[]) => [
  'diff-files',
  '--name-only',
  '-z',
  '--ignore-submodules=all',
  '--',
  ...paths,
];

/** The working tree's top level, found by walking up to a `.git` when no GIT_* variable places it (else null). */
export function rootByWalk(cwd: string): string | null {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return null;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/** Options of `check` that leave a staged check's first git commands as they are. */
const NEUTRAL = new Set(['--staged', '--no-color', '--no-cache', '--no-baseline', '--offline', '--online']);

/** For `check` with these arguments: starts its first git commands when it is a staged check of the whole change. */
export function startStagedCheck(args: readonly string[]): void {
  if (process.env.RALPH_GUARD === '0') return;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (NEUTRAL.has(arg) || arg.startsWith('--format=')) continue;
    if (arg === '--format' && i + 1 < args.length) {
      i++;
      continue;
    }
    return; // another mode, paths, or an option not known here: the check asks git itself
  }
  const cwd = process.cwd();
  const root = rootByWalk(cwd);
  if (!root) return;
  startEarly(stagedListingArgs([]), root);
  startEarly(unstagedHintArgs([]), cwd);
  startEarlyBatch(root); // the committed policy is read through it first
}
