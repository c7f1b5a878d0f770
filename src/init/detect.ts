/**
 * What init finds in a repository before it touches anything: the hook manager
 * in use (from the package.json, src/package-json.ts, and the files around it),
 * and the shape of what init reports back. Shared by
 * init, the manager installers and doctor.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasDependency, type PackageJson } from '../package-json.js';
import type { Manifest } from './install-record.js';

export type HookManager = 'husky' | 'git' | 'lefthook';
/** Managers whose configuration init prints instead of editing. */
export type PrintedManager = 'pre-commit' | 'simple-git-hooks' | 'yorkie' | 'lint-staged';

export interface InitResult {
  manager: HookManager | PrintedManager;
  /** The manager with its version where it matters ("husky 7"). */
  label?: string;
  /** What was done, one line each; empty when everything was already in place. */
  actions: string[];
  /** Things the user must do by hand. */
  todo: string[];
  /** What uninstall needs to know (see manifest.ts). */
  changes: Omit<Manifest, 'version'>;
}

const anyFile = (root: string, names: string[]) => names.some((f) => existsSync(join(root, f)));
/** lefthook's YAML configurations (the ones init edits). */
export const LEFTHOOK_FILES = [
  'lefthook.yml',
  'lefthook.yaml',
  '.lefthook.yml',
  '.lefthook.yaml',
  '.config/lefthook.yml',
  '.config/lefthook.yaml',
];
const LEFTHOOK = [...LEFTHOOK_FILES, 'lefthook.json', 'lefthook.toml', '.lefthook.json', '.lefthook.toml'];
const SIMPLE_GIT_HOOKS = [
  '.simple-git-hooks.json',
  '.simple-git-hooks.js',
  '.simple-git-hooks.cjs',
  '.simple-git-hooks.mjs',
  'simple-git-hooks.json',
  'simple-git-hooks.js',
  'simple-git-hooks.cjs',
  'simple-git-hooks.mjs',
];
const LINT_STAGED = [
  '.lintstagedrc',
  '.lintstagedrc.json',
  '.lintstagedrc.yaml',
  '.lintstagedrc.yml',
  '.lintstagedrc.js',
  '.lintstagedrc.mjs',
  '.lintstagedrc.cjs',
  'lint-staged.config.js',
  'lint-staged.config.mjs',
  'lint-staged.config.cjs',
];

/** The hook manager already in use, or the one init should set up. */
export function detectManager(root: string, pkg: PackageJson | null): HookManager | PrintedManager {
  if (existsSync(join(root, '.husky')) || hasDependency(pkg, 'husky')) return 'husky';
  if (anyFile(root, LEFTHOOK) || hasDependency(pkg, 'lefthook') || hasDependency(pkg, '@evilmartians/lefthook'))
    return 'lefthook';
  if (existsSync(join(root, '.pre-commit-config.yaml'))) return 'pre-commit';
  if (
    pkg?.['simple-git-hooks'] !== undefined ||
    hasDependency(pkg, 'simple-git-hooks') ||
    anyFile(root, SIMPLE_GIT_HOOKS)
  )
    return 'simple-git-hooks';
  if (pkg?.gitHooks !== undefined || hasDependency(pkg, 'yorkie')) return 'yorkie';
  if (pkg?.['lint-staged'] !== undefined || hasDependency(pkg, 'lint-staged') || anyFile(root, LINT_STAGED))
    return 'lint-staged';
  return pkg ? 'husky' : 'git';
}
