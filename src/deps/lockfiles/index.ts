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
  if (conflict !== null)
    throw new LockfileError(
      `merge conflict markers at line ${conflict}: resolve the conflict by regenerating the lockfile with your package manager`,
      conflict,
      'corrupt',
    );
  if (!text.trim()) throw new LockfileError('the lockfile is empty', 1, 'corrupt');
  let lock: Lockfile;
  try {
    switch (kind) {
      case 'npm':
        lock = (await import('./npm.js')).parseNpmLock(text, position);
        break;
      case 'yarn':
        lock = (await import('./yarn.js')).parseYarnLock(text);
        break;
      case 'pnpm':
        lock = await (await import('./pnpm.js')).parsePnpmLock(text);
        break;
      case 'bun':
        lock = (await import('./bun.js')).parseBunLock(text, position);
        break;
    }
  } catch (e) {
    throw e instanceof LockfileError ? e : unexpectedShape(kind, e);
  }
  return checked(lock, kind);
}

/**
 * A reader that trips over a lockfile of the right syntax but the wrong shape
 * (a version that is an array, an entry that is a number) says so as a
 * LockfileError, which the dependencies atom reports as a corrupt lockfile,
 * instead of failing the whole atom with a TypeError.
 */
function unexpectedShape(kind: LockfileKind, e: unknown): LockfileError {
  const detail = e instanceof Error ? e.message : String(e);
  return new LockfileError(
    `the lockfile is not shaped as ${kind} writes it (${detail}); regenerate it with ${kind}`,
    null,
    'corrupt',
  );
}

/** Every package has a string name and version, and looking one up never throws (a place or a range less is better than no check). */
function checked(lock: Lockfile, kind: LockfileKind): Lockfile {
  const odd = lock.packages.find((p) => typeof p.name !== 'string' || typeof p.version !== 'string' || !p.name);
  if (odd)
    throw new LockfileError(
      `the entry "${String(odd.key)}" has no package name or version string; regenerate the lockfile with ${kind}`,
      null,
      'corrupt',
    );
  return {
    ...lock,
    locate: (pkg) => {
      try {
        return lock.locate(pkg);
      } catch {
        return { line: 1, endLine: 1 };
      }
    },
    wanted: (pkg) => {
      try {
        return lock.wanted(pkg);
      } catch {
        return [];
      }
    },
  };
}
