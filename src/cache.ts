/** The user cache directory (validated policies, the advisory database), and atomic writes into it. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
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

/** Writes a file so that readers see the old content or the new one, never half of it. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}
