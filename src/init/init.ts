/**
 * `ralph-guard init` (DESIGN §7): detect how the repository runs hooks and add
 * ralph-guard to it without clobbering anything; write a policy if there is
 * none. Every step checks first, so a second run changes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoInfo } from '../git/git.js';
import { findPolicyFile } from '../policy/load.js';
import { UsageError } from '../errors.js';
import { installGitHooks } from './git-hooks.js';
import { installHusky } from './husky.js';
import { writeFileAtomic } from '../cache.js';

export type HookManager = 'husky' | 'git' | 'lefthook';

export interface InitOptions {
  cwd: string;
  hooks: 'auto' | HookManager;
}

export interface InitResult {
  manager: HookManager;
  /** What was done, one line each; empty when everything was already in place. */
  actions: string[];
  /** Things the user must do by hand. */
  todo: string[];
}

export interface PackageJson {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export function readPackageJson(root: string): PackageJson | null {
  const file = join(root, 'package.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch (e) {
    throw new UsageError(`package.json: not valid JSON (${(e as Error).message}); fix it before running init`);
  }
}

export function hasDependency(pkg: PackageJson | null, name: string): boolean {
  return Boolean(pkg?.dependencies?.[name] ?? pkg?.devDependencies?.[name]);
}

/** The hook manager already in use, or the one init should set up. */
export function detectManager(root: string, pkg: PackageJson | null): HookManager {
  if (existsSync(join(root, '.husky')) || hasDependency(pkg, 'husky')) return 'husky';
  if (['lefthook.yml', 'lefthook.yaml', '.lefthook.yml', '.lefthook.yaml'].some((f) => existsSync(join(root, f))) || hasDependency(pkg, 'lefthook')) return 'lefthook';
  return pkg ? 'husky' : 'git';
}

export async function init(options: InitOptions): Promise<InitResult> {
  const repo = await repoInfo(options.cwd);
  const pkg = readPackageJson(repo.root);
  const manager = options.hooks === 'auto' ? detectManager(repo.root, pkg) : options.hooks;
  const result: InitResult = { manager, actions: [], todo: [] };

  switch (manager) {
    case 'husky':
      if (!pkg) throw new UsageError('--hooks husky needs a package.json at the repository root; use --hooks git instead');
      await installHusky(repo, pkg, result);
      break;
    case 'git':
      await installGitHooks(repo, result);
      break;
    case 'lefthook':
      throw new UsageError('lefthook is not supported yet: add `ralph-guard check --staged` (pre-commit) and `ralph-guard check --push` (pre-push) to lefthook.yml by hand, or use --hooks git');
  }

  if (!findPolicyFile(repo.root, repo.root)) {
    const policy = {
      ...(pkg ? { $schema: './node_modules/ralph-guard/schema.json' } : {}),
      extends: ['ralph-guard:recommended'],
      ignore: [],
      atoms: {},
    };
    writeFileAtomic(join(repo.root, '.ralphrc.json'), JSON.stringify(policy, null, 2) + '\n');
    result.actions.push('wrote .ralphrc.json (the recommended policy; see .ralphrc.example in the package for every option)');
  }
  return result;
}
