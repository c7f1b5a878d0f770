/**
 * `ralph-guard init` (DESIGN §7): detect how the repository runs hooks and add
 * ralph-guard to it without clobbering anything; write a policy if there is
 * none; with `--agent claude`, wire the assistant loop. Every step checks
 * first, so a second run changes nothing. Managers that keep their hook
 * commands somewhere init does not edit (simple-git-hooks, yorkie,
 * lint-staged, the pre-commit framework) get the exact lines to add instead
 * of a guess. `uninstall` removes exactly what init added.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { git, repoInfo, type RepoInfo } from '../git/git.js';
import { findPolicyFile } from '../policy/load.js';
import { UsageError } from '../errors.js';
import { installGitHooks, uninstallGitHooks } from './git-hooks.js';
import { installHusky, uninstallHusky } from './husky.js';
import { writeFileAtomic } from '../cache.js';
import { clearManifest, readManifest, recordInit, type Manifest } from './install-record.js';
import { readPackageJson, writePackageJson } from '../package-json.js';
import { detectManager, type HookManager, type InitResult, type PrintedManager } from './detect.js';

export interface InitOptions {
  cwd: string;
  hooks: 'auto' | HookManager;
  agent?: 'claude';
}

/** The lines to add for the managers init does not edit. */
export function printedSetup(manager: PrintedManager): string[] {
  switch (manager) {
    case 'pre-commit':
      return [
        'add to .pre-commit-config.yaml under `repos:`:  - { repo: https://github.com/ralph-guard/ralph-guard, rev: <a commit SHA or release tag of ralph-guard to pin>, hooks: [{ id: ralph-guard }, { id: ralph-guard-push }, { id: ralph-guard-commit-msg }] }',
        'then run `pre-commit install --hook-type pre-commit --hook-type pre-push --hook-type commit-msg`',
      ];
    case 'simple-git-hooks':
      return [
        'add to the "simple-git-hooks" settings in package.json:  "pre-commit": "npx ralph-guard check --staged", "pre-push": "npx ralph-guard check --push"',
        'then run `npx simple-git-hooks` to apply them',
      ];
    case 'yorkie':
      return [
        'add to "gitHooks" in package.json:  "pre-commit": "npx ralph-guard check --staged", "pre-push": "npx ralph-guard check --push"',
      ];
    case 'lint-staged':
      return [
        'add to your lint-staged configuration:  "*": "ralph-guard check --staged"  (lint-staged passes the staged files, which narrows the check to them)',
        'lint-staged does not run at push: add `npx ralph-guard check --push` to the pre-push hook of whatever runs lint-staged',
      ];
  }
}

export async function init(options: InitOptions): Promise<InitResult> {
  const repo = await repoInfo(options.cwd);
  const pkg = readPackageJson(repo.root);
  const manager = options.hooks === 'auto' ? detectManager(repo.root, pkg) : options.hooks;
  const result: InitResult = { manager, actions: [], todo: [], changes: {} };

  switch (manager) {
    case 'husky':
      if (!pkg)
        throw new UsageError('--hooks husky needs a package.json at the repository root; use --hooks git instead');
      await installHusky(repo, pkg, result);
      break;
    case 'git':
      await installGitHooks(repo, result);
      break;
    case 'lefthook': {
      const { installLefthook } = await import('./lefthook.js');
      await installLefthook(repo.root, pkg, result);
      break;
    }
    default:
      result.todo.push(...printedSetup(manager));
  }

  if (options.agent === 'claude') {
    const { installClaude } = await import('./claude-settings.js');
    installClaude(repo.root, pkg, result);
  }

  if (!findPolicyFile(repo.root, repo.root)) {
    const policy = {
      ...(pkg ? { $schema: './node_modules/ralph-guard/schema.json' } : {}),
      extends: ['ralph-guard:recommended'],
      ignore: [],
      atoms: {},
    };
    const text = JSON.stringify(policy, null, 2) + '\n';
    writeFileAtomic(join(repo.root, '.ralphrc.json'), text);
    result.actions.push(
      'wrote .ralphrc.json (the recommended policy; see .ralphrc.example in the package for every option)',
    );
    result.changes.policy = { file: '.ralphrc.json', sha1: sha1(text) };
  }
  recordInit(repo, result.changes);
  return result;
}

const sha1 = (text: string | Buffer) => createHash('sha1').update(text).digest('hex');

export interface UninstallResult {
  removed: string[];
  kept: string[];
}

/**
 * Removes what init added: our git hook scripts (restoring chained hooks), our
 * husky lines, lefthook commands and Claude Code hooks (recognised by their
 * text), and what the manifest says init changed in package.json, git config
 * and the policy (the policy only while unchanged).
 */
export async function uninstall(cwd: string): Promise<UninstallResult> {
  const repo = await repoInfo(cwd);
  const root = repo.root;
  const manifest = readManifest(repo);
  const result: UninstallResult = { removed: [], kept: [] };

  await uninstallGitHooks(repo, result.removed);
  uninstallHusky(root, result.removed);
  const { uninstallLefthook } = await import('./lefthook.js');
  await uninstallLefthook(root, result.removed, manifest.createdFiles ?? []);
  const { uninstallClaude, CLAUDE_SETTINGS } = await import('./claude-settings.js');
  uninstallClaude(root, result.removed, (manifest.createdFiles ?? []).includes(CLAUDE_SETTINGS));

  revertPackageJson(root, manifest, result);
  if (manifest.huskyInstalled) await removeHuskySetup(repo, result);

  if (manifest.policy) {
    const file = join(root, manifest.policy.file);
    if (existsSync(file) && sha1(readFileSync(file)) === manifest.policy.sha1) {
      rmSync(file);
      result.removed.push(`removed ${manifest.policy.file} (unchanged since init wrote it)`);
    } else if (existsSync(file)) {
      result.kept.push(
        `${manifest.policy.file}: you changed it since init, so it stays; delete it yourself if you no longer want it`,
      );
    }
  }
  clearManifest(repo);
  return result;
}

function revertPackageJson(root: string, manifest: Manifest, result: UninstallResult) {
  if (!manifest.prepare && !manifest.devDependencies?.length) return;
  const pkg = readPackageJson(root);
  if (!pkg) return;
  if (manifest.prepare && pkg.scripts?.prepare === manifest.prepare.after) {
    if (manifest.prepare.before === null) delete pkg.scripts.prepare;
    else pkg.scripts.prepare = manifest.prepare.before;
    if (!Object.keys(pkg.scripts).length) delete pkg.scripts;
    result.removed.push(
      manifest.prepare.before === null
        ? 'removed "prepare": "husky" from package.json'
        : 'took `&& husky` off the "prepare" script in package.json',
    );
  }
  const dropped = (manifest.devDependencies ?? []).filter((name) => pkg.devDependencies?.[name] !== undefined);
  for (const name of dropped) delete pkg.devDependencies![name];
  if (pkg.devDependencies && !Object.keys(pkg.devDependencies).length) delete pkg.devDependencies;
  if (dropped.length) {
    result.removed.push(`removed ${dropped.join(' and ')} from devDependencies`);
    result.kept.push(`run \`npm install\` (or your package manager's install) to update node_modules and the lockfile`);
  }
  writePackageJson(root, pkg);
}

/** Husky set up by init: unset its core.hooksPath and remove its generated folder, unless other husky hooks remain. */
async function removeHuskySetup(repo: RepoInfo, result: UninstallResult) {
  const husky = join(repo.root, '.husky');
  const others = existsSync(husky)
    ? (await import('node:fs')).readdirSync(husky).filter((f) => f !== '_' && !f.startsWith('.'))
    : [];
  if (others.length) {
    result.kept.push(`husky stays set up: .husky/ still holds ${others.join(', ')}`);
    return;
  }
  const hooksPath = (await git(['config', '--get', 'core.hooksPath'], { cwd: repo.root, okCodes: [1] })).trim();
  if (/^\.husky(?:\/_)?\/?$/.test(hooksPath)) {
    await git(['config', '--unset', 'core.hooksPath'], { cwd: repo.root });
    result.removed.push('unset core.hooksPath (husky)');
  }
  if (existsSync(husky)) {
    rmSync(husky, { recursive: true, force: true });
    result.removed.push("removed .husky/ (husky's generated files)");
  }
}
