/**
 * Git LFS keeps a file's content outside git: the committed blob is a short
 * pointer (`version https://git-lfs.github.com/spec/v1`, `oid sha256:…`,
 * `size …`) and the content sits in the local LFS store, from where it is
 * pushed to the LFS server. Judged by its pointer, a key in an LFS-tracked
 * `.env` would reach the server unseen; so the content the pointer names is
 * read from the store and judged whole (the diff git shows is of pointers).
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TooLarge } from '../git/git.js';

export interface LfsPointer {
  oid: string;
  size: number;
}

const POINTER = /^version https:\/\/git-lfs\.github\.com\/spec\/v1\r?\noid sha256:([0-9a-f]{64})\r?\nsize (\d+)\r?\n/;

/** The pointer `bytes` are, or null: pointers are small text files in a fixed form. */
export function lfsPointer(bytes: Buffer): LfsPointer | null {
  if (bytes.length > 1024) return null;
  const m = POINTER.exec(bytes.toString('latin1'));
  return m ? { oid: m[1]!, size: Number(m[2]) } : null;
}

/** The content a pointer names from the store in `gitCommonDir`; null when it is not there (not fetched, or elsewhere). */
export async function readLfsObject(
  gitCommonDir: string,
  { oid }: LfsPointer,
  limit = Infinity,
): Promise<Buffer | TooLarge | null> {
  const path = join(gitCommonDir, 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
  const stat = await lstat(path).catch(() => null);
  if (!stat?.isFile()) return null;
  if (stat.size > limit) return new TooLarge(stat.size);
  return readFile(path);
}
