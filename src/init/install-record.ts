/**
 * What `init` changed that cannot be recognised later by its content alone
 * (a `prepare` script, devDependencies, husky's core.hooksPath, the policy it
 * wrote), so that `uninstall` removes exactly that and nothing a user set up
 * themselves. Kept in the common git dir (`.git/ralph-guard/init.json`): never
 * in the working tree, the index or refs, and shared by linked worktrees.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../cache.js';
import type { RepoInfo } from '../git/git.js';

export interface Manifest {
  version: 1;
  /** The `prepare` script init wrote, and what it was before (null: there was none). */
  prepare?: { before: string | null; after: string };
  /** devDependencies init added to package.json. */
  devDependencies?: string[];
  /** init ran husky's installer (core.hooksPath = .husky/_). */
  huskyInstalled?: boolean;
  /** Files init created that hold nothing else of the user's (lefthook.yml, .claude/settings.json). */
  createdFiles?: string[];
  /** The policy init wrote, with the hash of its content then. */
  policy?: { file: string; sha1: string };
}

export function manifestPath(repo: RepoInfo): string {
  return join(repo.commonDir, 'ralph-guard', 'init.json');
}

export function readManifest(repo: RepoInfo): Manifest {
  try {
    const data = JSON.parse(readFileSync(manifestPath(repo), 'utf8')) as Manifest;
    return data?.version === 1 ? data : { version: 1 };
  } catch {
    return { version: 1 };
  }
}

/** Merges `changes` into the manifest; writes only when something is new, so a second init changes nothing. */
export function recordInit(repo: RepoInfo, changes: Omit<Manifest, 'version'>): void {
  const current = readManifest(repo);
  const next: Manifest = { ...current };
  if (changes.prepare && !current.prepare) next.prepare = changes.prepare;
  if (changes.devDependencies?.length)
    next.devDependencies = [...new Set([...(current.devDependencies ?? []), ...changes.devDependencies])];
  if (changes.huskyInstalled) next.huskyInstalled = true;
  if (changes.createdFiles?.length)
    next.createdFiles = [...new Set([...(current.createdFiles ?? []), ...changes.createdFiles])];
  if (changes.policy && !current.policy) next.policy = changes.policy;
  if (JSON.stringify(next) === JSON.stringify(current) && existsSync(manifestPath(repo))) return;
  if (Object.keys(next).length === 1 && !existsSync(manifestPath(repo))) return; // nothing worth remembering
  writeFileAtomic(manifestPath(repo), JSON.stringify(next, null, 2) + '\n');
}

export function clearManifest(repo: RepoInfo): void {
  rmSync(manifestPath(repo), { force: true });
  const dir = join(repo.commonDir, 'ralph-guard');
  if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
}
