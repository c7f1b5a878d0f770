/** Husky setup: one line in `.husky/pre-commit` and `.husky/pre-push`, and husky itself when the project has none. */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { git, type RepoInfo } from '../git/git.js';
import { hasDependency, type InitResult, type PackageJson } from './detect.js';

declare const RALPH_GUARD_VERSION: string;

export const HUSKY_LINES = {
  'pre-commit': 'ralph-guard check --staged',
  'pre-push': 'ralph-guard check --push',
} as const;

export async function installHusky(repo: RepoInfo, pkg: PackageJson, result: InitResult): Promise<void> {
  const root = repo.root;
  editPackageJson(root, pkg, result);

  const hooksPath = (await git(['config', '--get', 'core.hooksPath'], { cwd: root, okCodes: [1] })).trim();
  if (!hooksPath) {
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
  } else if (!/^\.husky(?:\/_)?\/?$/.test(hooksPath)) {
    result.todo.push(
      `core.hooksPath is "${hooksPath}", not husky's: git will not run .husky/ hooks until it is unset or set to .husky/_`,
    );
  }

  mkdirSync(join(root, '.husky'), { recursive: true });
  for (const [hook, line] of Object.entries(HUSKY_LINES)) {
    if (addLine(join(root, '.husky', hook), line)) result.actions.push(`added \`${line}\` to .husky/${hook}`);
  }
}

/** Adds `prepare: husky` and the two devDependencies the hooks need, keeping the file's indentation. */
function editPackageJson(root: string, pkg: PackageJson, result: InitResult) {
  const file = join(root, 'package.json');
  const text = readFileSync(file, 'utf8');
  const indent = text.match(/^[ \t]+(?=")/m)?.[0] ?? '  ';
  const added: string[] = [];
  const scripts = (pkg.scripts ??= {});
  if (!scripts.prepare) {
    scripts.prepare = 'husky';
    result.actions.push('added "prepare": "husky" to package.json');
    result.changes.prepare = { before: null, after: scripts.prepare };
  } else if (!/\bhusky\b/.test(scripts.prepare)) {
    result.changes.prepare = { before: scripts.prepare, after: `${scripts.prepare} && husky` };
    scripts.prepare = `${scripts.prepare} && husky`;
    result.actions.push('appended `&& husky` to the "prepare" script in package.json');
  }
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
      `run \`npm install\` (or your package manager's install) so ${added.join(' and ')} land in node_modules and the lockfile`,
    );
  }
  const next = JSON.stringify(pkg, null, indent) + (text.endsWith('\n') ? '\n' : '');
  if (next !== text) writeFileSync(file, next);
}

/** Removes our lines from `.husky/<hook>`; a file left with nothing but a shebang or blank lines is deleted. */
export function uninstallHusky(root: string, removed: string[]): void {
  for (const [hook, line] of Object.entries(HUSKY_LINES)) {
    const file = join(root, '.husky', hook);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const kept = lines.filter((l) => l.trim() !== line);
    if (kept.length === lines.length) continue;
    if (kept.every((l) => l.trim() === '' || l.startsWith('#!'))) {
      rmSync(file);
      removed.push(`removed .husky/${hook} (it held only ralph-guard)`);
    } else {
      writeFileSync(file, kept.join('\n'));
      removed.push(`removed \`${line}\` from .husky/${hook}`);
    }
  }
}

/** Appends a command to a hook file unless it is there; before a final `exit`, which would skip it. Returns whether it changed the file. */
export function addLine(file: string, line: string): boolean {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (text.split('\n').some((l) => l.trim() === line)) return false;
  const lines = text.trim() === '' ? [] : text.replace(/\s+$/, '').split('\n');
  const lastCode = lines.findLastIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (lastCode >= 0 && /^exit\b/.test(lines[lastCode]!.trim())) lines.splice(lastCode, 0, line);
  else lines.push(line);
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o755 });
  return true;
}
