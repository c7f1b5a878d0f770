/**
 * The project's package.json on disk: the one reader and writer (init, uninstall,
 * doctor, the CLI's hints and `db` use it), and what ralph-guard asks of it.
 * The dependencies atom reads package.json text from the change set instead
 * (src/deps/manifest.ts, with the line of each dependency).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors.js';

export interface PackageJson {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** The package.json at `root`, or null when there is none; a file that is not JSON is a UsageError. */
export function readPackageJson(root: string): PackageJson | null {
  const file = join(root, 'package.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch (e) {
    throw new UsageError(`package.json: not valid JSON (${(e as Error).message}); fix it first`);
  }
}

/** Writes `pkg` back in the file's own indentation and final newline; an unchanged text is not rewritten. */
export function writePackageJson(root: string, pkg: PackageJson): void {
  const file = join(root, 'package.json');
  const text = readFileSync(file, 'utf8');
  const indent = text.match(/^[ \t]+(?=")/m)?.[0] ?? '  ';
  const next = JSON.stringify(pkg, null, indent) + (text.endsWith('\n') ? '\n' : '');
  if (next !== text) writeFileSync(file, next);
}

export function hasDependency(pkg: PackageJson | null, name: string): boolean {
  return Boolean(pkg?.dependencies?.[name] ?? pkg?.devDependencies?.[name]);
}

/** A warning when package.json holds a policy under a key ralph-guard does not read (it reads "ralph"). */
export function misplacedPolicyKey(pkg: PackageJson | null): string | null {
  if (!pkg || pkg['ralph-guard'] === undefined) return null;
  return pkg.ralph === undefined
    ? 'package.json has a "ralph-guard" key, which ralph-guard does not read: rename it to "ralph" (or move it to .ralphrc.json) for it to apply'
    : 'package.json has a "ralph-guard" key besides "ralph": only "ralph" is read; merge the two';
}
