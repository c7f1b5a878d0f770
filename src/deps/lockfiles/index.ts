/** Which lockfile a path is, and its reader (each loaded only when that kind of lockfile changes). */
import { LockfileError, type Lockfile } from '../types.js';
import { conflictMarker, type Position } from './common.js';

export type LockfileKind = 'npm' | 'yarn' | 'pnpm' | 'bun';

const KINDS: Record<string, LockfileKind> = {
  'package-lock.json': 'npm',
  'npm-shrinkwrap.json': 'npm',
  'yarn.lock': 'yarn',
  'pnpm-lock.yaml': 'pnpm',
  'bun.lock': 'bun',
};

/** Lockfile names in the order a package manager prefers them in one directory. */
export const LOCKFILE_NAMES = Object.keys(KINDS);

export function lockfileKind(path: string): LockfileKind | null {
  return KINDS[path.slice(path.lastIndexOf('/') + 1)] ?? null;
}

export async function parseLockfile(path: string, text: string, position: Position): Promise<Lockfile> {
  const kind = lockfileKind(path);
  if (!kind) throw new LockfileError(`${path} is not a lockfile ralph-guard knows`, null, 'unsupported');
  const conflict = conflictMarker(text);
  if (conflict !== null) throw new LockfileError(`merge conflict markers at line ${conflict}: resolve the conflict by regenerating the lockfile with your package manager`, conflict, 'corrupt');
  if (!text.trim()) throw new LockfileError('the lockfile is empty', 1, 'corrupt');
  switch (kind) {
    case 'npm':
      return (await import('./npm.js')).parseNpmLock(text, position);
    case 'yarn':
      return (await import('./yarn.js')).parseYarnLock(text);
    case 'pnpm':
      return (await import('./pnpm.js')).parsePnpmLock(text);
    case 'bun':
      return (await import('./bun.js')).parseBunLock(text, position);
  }
}
