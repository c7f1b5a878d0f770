/**
 * The user cache directory (validated policies, results, the advisory
 * database), atomic writes into it, and signed entries.
 *
 * Anything in the cache that can change a verdict is written with
 * `writeCacheFile` and read back with `readCacheFile`: the text carries an
 * HMAC-SHA256 made with a random key kept in the cache directory (created on
 * first use, 0600), and is used only when that MAC is valid and the file
 * belongs to the current user. A file edited by hand, copied from another
 * machine or planted by another user reads as absent and is rewritten. The
 * directories are 0700 and the files 0600.
 *
 * What this does not stop: a program running as the same user can read the
 * key and sign what it likes, as it could edit ralph-guard's own code in
 * node_modules. The MAC makes "edit a JSON file" insufficient.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export function cacheDir(): string {
  const env = process.env;
  if (env.RALPH_GUARD_CACHE_DIR) return env.RALPH_GUARD_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'ralph-guard');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'ralph-guard');
  if (process.platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'ralph-guard', 'Cache');
  return join(homedir(), '.cache', 'ralph-guard');
}

/** Makes a cache directory (and any missing parent) readable by its owner only. */
export function makeCacheDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Writes a file so that readers see the old content or the new one, never half of it; owner-only. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeCacheDir(dirname(path));
  // Worker threads share the pid: a random part keeps two of them writing the same entry apart.
  const temp = `${path}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  writeFileSync(temp, data, { mode: 0o600 });
  renameSync(temp, path);
}

const KEY_FILE = 'mac-key';
let key: Buffer | null = null;

/** The per-user MAC key: 32 random bytes in the cache directory, made on first use. */
function macKey(): Buffer {
  if (key) return key;
  const file = join(cacheDir(), KEY_FILE);
  const existing = readOwned(file);
  if (existing && existing.length === 32) return (key = existing);
  // Absent, or not ours, or damaged: a new key (every entry signed with the old one becomes a miss).
  makeCacheDir(cacheDir());
  chmodSync(cacheDir(), 0o700); // a directory made by an older version was 0755
  const fresh = randomBytes(32);
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, fresh);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  return (key = fresh);
}

/** A file's bytes when it is a regular file owned by the current user; null otherwise. */
function readOwned(file: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return null;
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return null;
    return readFileSync(fd);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

const mac = (text: string) => createHmac('sha256', macKey()).update(text, 'utf8').digest('hex');
const MAC_LENGTH = 64;

/** Writes `text` signed with the user's key (atomic, 0600). Throws when the cache cannot be written. */
export function writeCacheFile(path: string, text: string): void {
  writeFileAtomic(path, `${mac(text)}\n${text}`);
}

/** The text `writeCacheFile` stored, or null when the file is absent, not the current user's, or its MAC is not valid. */
export function readCacheFile(path: string): string | null {
  const bytes = readOwned(path);
  if (!bytes || bytes.length <= MAC_LENGTH || bytes[MAC_LENGTH] !== 10) return null;
  const text = bytes.subarray(MAC_LENGTH + 1).toString('utf8');
  try {
    const stored = Buffer.from(bytes.subarray(0, MAC_LENGTH).toString('latin1'), 'hex');
    const expected = Buffer.from(mac(text), 'hex');
    return stored.length === expected.length && timingSafeEqual(stored, expected) ? text : null;
  } catch {
    return null;
  }
}
