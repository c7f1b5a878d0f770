/**
 * Husky, every major from 4 to 9: one ralph-guard command in the pre-commit,
 * pre-push and commit-msg hooks, written the way that major runs hooks
 * (commit-msg checks the review trailer: the message file is git's first
 * argument, husky 4's HUSKY_GIT_PARAMS).
 *
 * - husky 9 runs `.husky/<hook>` with node_modules/.bin on PATH: a bare
 *   `ralph-guard check --staged` resolves, and no shebang is needed.
 * - husky 5–8 make `.husky` git's hooks directory: each file is run by git
 *   itself, so it needs a shebang, the `husky.sh` line and the executable bit;
 *   PATH is the user's, so the command names `./node_modules/.bin/ralph-guard`
 *   (git runs hooks from the top of the working tree; no `npx` network lookup).
 * - husky 4 keeps hook commands in package.json (`"husky": {"hooks": {…}}`),
 *   run through its own runner; pre-push input arrives as HUSKY_GIT_STDIN.
 *
 * Husky itself is set up when the project has none (husky 9, `prepare: husky`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, type RepoInfo } from '../git/git.js';
import { findOurCommand, ourCommand } from './hook-lines.js';
import { hasDependency, readPackageJson, writePackageJson, type PackageJson } from '../package-json.js';
import type { InitResult } from './detect.js';

declare const RALPH_GUARD_VERSION: string;

export type HuskyMajor = 4 | 5 | 6 | 7 | 8 | 9;
export const HUSKY_HOOKS = ['pre-commit', 'pre-push', 'commit-msg'] as const;
type Hook = (typeof HUSKY_HOOKS)[number];

/** The husky major the project uses: the installed one, else the one package.json asks for, else 9 (what init installs). */
export function huskyMajor(root: string, pkg: PackageJson | null): HuskyMajor {
  let major: number | null = null;
  try {
    major = Number.parseInt(
      (JSON.parse(readFileSync(join(root, 'node_modules', 'husky', 'package.json'), 'utf8')) as { version: string })
        .version,
      10,
    );
  } catch {
    const range = pkg?.devDependencies?.husky ?? pkg?.dependencies?.husky;
    const first = range?.match(/\d+/)?.[0];
    if (first) major = Number.parseInt(first, 10);
    else if (husky4Hooks(pkg)) major = 4;
  }
  if (major === null || Number.isNaN(major) || major >= 9) return 9;
  return Math.max(4, major) as HuskyMajor;
}

function husky4Hooks(pkg: PackageJson | null): Record<string, string> | null {
  const husky = pkg?.husky as { hooks?: Record<string, string> } | undefined;
  return husky && typeof husky === 'object' && husky.hooks && typeof husky.hooks === 'object' ? husky.hooks : null;
}

/** The command a hook of this major runs. */
export function huskyCommand(major: HuskyMajor, hook: Hook): string {
  const bin = major >= 9 ? 'ralph-guard' : './node_modules/.bin/ralph-guard';
  if (hook === 'commit-msg') return `${bin} check --commit-msg ${major === 4 ? '"$HUSKY_GIT_PARAMS"' : '"$1"'}`;
  // git's first argument to pre-push is the remote pushed to: only what that remote lacks is checked.
  if (hook === 'pre-push') return `${bin} check --push --remote ${major === 4 ? '"${HUSKY_GIT_PARAMS%% *}"' : '"$1"'}`;
  return `${bin} check --staged`;
}

/** What a new `.husky/<hook>` file starts with under husky 5–8 (husky 9 needs nothing). */
function huskyHeader(major: HuskyMajor): string {
  if (major >= 9 || major === 4) return '';
  return major === 8
    ? '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\n'
    : '#!/bin/sh\n. "$(dirname "$0")/_/husky.sh"\n\n';
}

export async function installHusky(repo: RepoInfo, pkg: PackageJson, result: InitResult): Promise<void> {
  const root = repo.root;
  const major = huskyMajor(root, pkg);
  result.label = `husky ${major}`;
  editPackageJson(root, pkg, major, result);
  if (major === 4) {
    installHusky4(root, pkg, result);
    return;
  }
  await setUpHooksPath(repo, major, result);

  mkdirSync(join(root, '.husky'), { recursive: true });
  for (const hook of HUSKY_HOOKS) addHookCommand(join(root, '.husky', hook), hook, major, result);
}

/** husky 5–9 need git's core.hooksPath to point at husky's folder; set it as that major's installer does. */
async function setUpHooksPath(repo: RepoInfo, major: HuskyMajor, result: InitResult) {
  const root = repo.root;
  const hooksPath = (await git(['config', '--get', 'core.hooksPath'], { cwd: root, okCodes: [1] })).trim();
  const wanted = major >= 9 ? '.husky/_' : '.husky';
  if (hooksPath && !/^\.husky(?:\/_)?\/?$/.test(hooksPath)) {
    result.todo.push(
      `core.hooksPath is "${hooksPath}", not husky's: git will not run .husky/ hooks until it is unset or set to ${wanted}`,
    );
    return;
  }
  if (major >= 9) {
    if (hooksPath && existsSync(join(root, '.husky', '_', 'h'))) return;
    // husky's own installer: sets core.hooksPath to .husky/_ and writes its runner there (git-ignored).
    const { default: husky } = await import('husky');
    const previous = process.cwd();
    process.chdir(root);
    try {
      const message = husky();
      if (message) result.todo.push(`husky: ${message}`);
      else {
        result.actions.push('set core.hooksPath to .husky/_ (husky)');
        result.changes.huskyInstalled = true;
      }
    } finally {
      process.chdir(previous);
    }
    return;
  }
  if (hooksPath && existsSync(join(root, '.husky', '_', 'husky.sh'))) return;
  // husky 5–8: the project's own husky writes .husky/_/husky.sh and sets core.hooksPath.
  const bin = join(root, 'node_modules', '.bin', 'husky');
  const ran = existsSync(bin) ? spawnSync(bin, ['install'], { cwd: root, encoding: 'utf8' }) : null;
  if (ran?.status === 0) result.actions.push(`ran \`husky install\` (husky ${major}: core.hooksPath = .husky)`);
  else result.todo.push('run `npx husky install` so git runs the .husky/ hooks (it sets core.hooksPath)');
}

/** Adds our command to `.husky/<hook>` unless a form of it is there; a bare one husky < 9 cannot run is rewritten. */
function addHookCommand(file: string, hook: Hook, major: HuskyMajor, result: InitResult) {
  const shown = `.husky/${hook}`;
  const wanted = huskyCommand(major, hook);
  const header = huskyHeader(major);
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = text === '' ? [] : text.replace(/\s+$/, '').split('\n');
  let changed = false;

  const ours = lines.findIndex((l) => findOurCommand(l));
  if (ours >= 0) {
    const found = findOurCommand(lines[ours]!)!;
    if (found.bare && major < 9) {
      lines[ours] = lines[ours]!.replace(
        found.text,
        found.text.replace(/^((?:\w+=\S*\s+)*)ralph-guard/, `$1./node_modules/.bin/ralph-guard`),
      );
      result.actions.push(
        `rewrote \`${found.text}\` in ${shown} to run ./node_modules/.bin/ralph-guard (husky ${major} does not put node_modules/.bin on PATH)`,
      );
      changed = true;
    }
    const pushLine = findOurCommand(lines[ours]!)!;
    if (pushLine.mode === 'push' && !/--remote\b/.test(pushLine.text)) {
      // An older init's line: without the remote's name, a push to one of several remotes checks more than it must.
      lines[ours] = lines[ours]!.replace(
        pushLine.text,
        pushLine.text.replace(/check\s+--push\b/, 'check --push --remote "$1"'),
      );
      result.actions.push(
        `added --remote "$1" to \`${pushLine.text}\` in ${shown} (only what the remote pushed to lacks is checked)`,
      );
      changed = true;
    }
  } else {
    const lastCode = lines.findLastIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    // Before a final `exit`, which would skip it.
    if (lastCode >= 0 && /^exit\b/.test(lines[lastCode]!.trim())) lines.splice(lastCode, 0, wanted);
    else lines.push(wanted);
    result.actions.push(`added \`${wanted}\` to ${shown}`);
    changed = true;
  }
  // husky 5–8 run the file through git: it needs its shebang and husky.sh line (older inits wrote neither).
  if (header && !lines.some((l) => l.includes('husky.sh'))) {
    const [shebang, sourceLine] = header.split('\n');
    const at = lines[0]?.startsWith('#!') ? 1 : 0;
    lines.splice(0, at, shebang!, sourceLine!, ...(lines.length > at ? [''] : []));
    if (text) result.actions.push(`added the shebang and husky.sh line husky ${major} needs to ${shown}`);
    changed = true;
  }
  if (changed) {
    text = lines.join('\n') + '\n';
    writeFileSync(file, text, { mode: 0o755 });
  }
  if (major < 9) chmodSync(file, 0o755); // git runs it directly
}

/** husky 4: the commands live in package.json's "husky.hooks"; ours is appended with `&&`. */
function installHusky4(root: string, pkg: PackageJson, result: InitResult) {
  const rc = ['.huskyrc', '.huskyrc.json', '.huskyrc.js', '.huskyrc.yaml', '.huskyrc.yml', 'husky.config.js'].find(
    (f) => existsSync(join(root, f)),
  );
  if (rc) {
    result.todo.push(
      `husky 4 reads its hooks from ${rc}, which init does not edit: add "${huskyCommand(4, 'pre-commit')}" to its pre-commit, "${huskyCommand(4, 'pre-push')}" to its pre-push and '${huskyCommand(4, 'commit-msg')}' to its commit-msg`,
    );
    return;
  }
  const husky = (pkg.husky && typeof pkg.husky === 'object' ? pkg.husky : (pkg.husky = {})) as {
    hooks?: Record<string, string>;
  };
  const hooks = (husky.hooks ??= {});
  let changed = false;
  for (const hook of HUSKY_HOOKS) {
    const current = hooks[hook];
    if (current && findOurCommand(current)) continue;
    const wanted = huskyCommand(4, hook);
    hooks[hook] = current ? `${current} && ${wanted}` : wanted;
    result.actions.push(`added \`${wanted}\` to "husky.hooks.${hook}" in package.json`);
    changed = true;
  }
  if (changed) writePackageJson(root, pkg);
  if (!readGitHook(root, 'pre-commit').includes('husky'))
    result.todo.push("run `npm rebuild husky` (husky 4 writes git's hooks when it is installed)");
}

function readGitHook(root: string, hook: string): string {
  try {
    return readFileSync(join(root, '.git', 'hooks', hook), 'utf8');
  } catch {
    return '';
  }
}

/** Adds the `prepare` script that sets husky up on install, and the two devDependencies the hooks need. */
function editPackageJson(root: string, pkg: PackageJson, major: HuskyMajor, result: InitResult) {
  const added: string[] = [];
  const scripts = (pkg.scripts ??= {});
  const install = major >= 9 ? 'husky' : 'husky install';
  if (major === 4) {
    // husky 4 sets git's hooks up when it is installed: no prepare script.
  } else if (!scripts.prepare) {
    scripts.prepare = install;
    result.actions.push(`added "prepare": "${install}" to package.json`);
    result.changes.prepare = { before: null, after: scripts.prepare };
  } else if (!/\bhusky\b/.test(scripts.prepare)) {
    result.changes.prepare = { before: scripts.prepare, after: `${scripts.prepare} && ${install}` };
    scripts.prepare = `${scripts.prepare} && ${install}`;
    result.actions.push(`appended \`&& ${install}\` to the "prepare" script in package.json`);
  }
  if (!Object.keys(scripts).length) delete pkg.scripts;
  const version = typeof RALPH_GUARD_VERSION === 'string' ? RALPH_GUARD_VERSION.replace(/\+.*/, '') : null;
  const wanted: Array<[string, string | null]> = [
    ['husky', '^9.1.7'],
    ['ralph-guard', version ? `^${version}` : null],
  ];
  for (const [name, range] of wanted) {
    if (hasDependency(pkg, name) || !range) continue;
    (pkg.devDependencies ??= {})[name] = range;
    added.push(name);
  }
  if (added.length) {
    result.changes.devDependencies = added;
    result.actions.push(`added ${added.join(' and ')} to devDependencies`);
    result.todo.push(
      `run \`npm install\` (or your package manager's install) so ${added.join(' and ')} ${added.length > 1 ? 'land' : 'lands'} in node_modules and the lockfile`,
    );
  }
  writePackageJson(root, pkg);
}

/**
 * Removes our commands from `.husky/<hook>` and from husky 4's package.json
 * hooks, in whatever form they were written; a file left with nothing but a
 * shebang, husky.sh line or blank lines is deleted. A line that also runs
 * something else keeps that part.
 */
export function uninstallHusky(root: string, removed: string[]): void {
  for (const hook of HUSKY_HOOKS) {
    const file = join(root, '.husky', hook);
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    const kept: string[] = [];
    let dropped = 0;
    for (const line of lines) {
      const rest = findOurCommand(line) ? withoutOurCommand(line) : line;
      if (rest === line) kept.push(line);
      else {
        dropped++;
        if (rest) kept.push(rest);
      }
    }
    if (!dropped) continue;
    if (kept.every((l) => l.trim() === '' || l.startsWith('#!') || l.includes('husky.sh'))) {
      rmSync(file);
      removed.push(`removed .husky/${hook} (it held only ralph-guard)`);
    } else {
      writeFileSync(file, kept.join('\n'));
      removed.push(`removed the ralph-guard command from .husky/${hook}`);
    }
  }
  uninstallHusky4(root, removed);
}

/** A hook line without our command where it is joined by `&&` (`lint-staged && ralph-guard check` → `lint-staged`); '' when only ours was there. */
function withoutOurCommand(line: string): string {
  const parts = line.split('&&');
  const kept = parts.filter((part) => !ourCommand(part));
  if (kept.length === parts.length) return line; // joined some other way: not ours to take apart
  const indent = line.match(/^\s*/)?.[0] ?? '';
  return kept.length ? indent + kept.map((p) => p.trim()).join(' && ') : '';
}

function uninstallHusky4(root: string, removed: string[]) {
  let pkg: PackageJson | null;
  try {
    pkg = readPackageJson(root);
  } catch {
    return; // not JSON: nothing of ours can be taken out of it
  }
  if (!pkg) return;
  const hooks = husky4Hooks(pkg);
  if (!hooks) return;
  let changed = false;
  for (const hook of HUSKY_HOOKS) {
    const command = hooks[hook];
    if (typeof command !== 'string' || !findOurCommand(command)) continue;
    const rest = withoutOurCommand(command);
    if (rest === command) continue;
    if (rest) hooks[hook] = rest;
    else delete hooks[hook];
    removed.push(`removed the ralph-guard command from "husky.hooks.${hook}" in package.json`);
    changed = true;
  }
  if (changed) writePackageJson(root, pkg);
}
