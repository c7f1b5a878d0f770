/** Plain git hooks: the package's `hooks/` script installed as pre-commit, pre-push and commit-msg, chaining any hook already there. */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { git, type RepoInfo } from '../git/git.js';
import type { InitResult } from './detect.js';

export const HOOKS = ['pre-commit', 'pre-push', 'commit-msg'] as const;
/** The hooks that run the checks (doctor traces these); commit-msg checks the review trailer. */
export const CHECK_HOOKS = ['pre-commit', 'pre-push'] as const;
/** The suffix an existing hook is kept under; our script runs it first. */
export const CHAINED = '.pre-ralph-guard';

/** The hook script shipped in the package: in `hooks/` at the package root, wherever the bundler put this module. */
export function hookScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'hooks', 'ralph-guard-hook');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('the hooks/ folder of the ralph-guard package is missing; reinstall ralph-guard');
    dir = parent;
  }
}

/** The directory git runs hooks from: core.hooksPath if set, else .git/hooks (shared by worktrees). */
export async function hooksDir(repo: RepoInfo): Promise<string> {
  const dir = (await git(['rev-parse', '--git-path', 'hooks'], { cwd: repo.root })).trim();
  return isAbsolute(dir) ? dir : join(repo.root, dir);
}

export async function installGitHooks(repo: RepoInfo, result: InitResult): Promise<void> {
  const dir = await hooksDir(repo);
  const source = hookScript();
  const ours = readFileSync(source, 'utf8');
  mkdirSync(dir, { recursive: true });
  for (const hook of HOOKS) {
    const target = join(dir, hook);
    const shown = relative(repo.root, target) || target;
    if (existsSync(target)) {
      const current = readFileSync(target, 'utf8');
      if (current === ours) continue;
      if (current.includes('ralph-guard git hook')) {
        copyFileSync(source, target); // an older copy of ours: refresh it
        chmodSync(target, 0o755);
        result.actions.push(`updated ${shown}`);
        continue;
      }
      if (existsSync(target + CHAINED)) {
        result.todo.push(`${shown} exists and so does ${shown}${CHAINED}: merge them by hand, then run init again`);
        continue;
      }
      renameSync(target, target + CHAINED);
      result.actions.push(`kept the existing ${shown} as ${shown}${CHAINED} (it still runs first)`);
    }
    copyFileSync(source, target);
    chmodSync(target, 0o755);
    result.actions.push(`installed ${shown}`);
  }
}

/** True for a hook file that is our script (any version of it). */
export function isOurHook(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes('ralph-guard git hook');
  } catch {
    return false;
  }
}

/** Removes our scripts from the hooks directory and puts a chained hook back where it was. */
export async function uninstallGitHooks(repo: RepoInfo, removed: string[]): Promise<void> {
  const dir = await hooksDir(repo);
  for (const hook of HOOKS) {
    const target = join(dir, hook);
    const shown = relative(repo.root, target) || target;
    if (!isOurHook(target)) continue;
    rmSync(target);
    if (existsSync(target + CHAINED)) {
      renameSync(target + CHAINED, target);
      removed.push(`removed ${shown} and put the previous hook back from ${shown}${CHAINED}`);
    } else {
      removed.push(`removed ${shown}`);
    }
  }
}
