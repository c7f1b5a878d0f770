/**
 * The hot path of policy loading. Finds the policy file the way cosmiconfig
 * would (its search places, from the working directory up to the repository
 * root), and returns the validated policy from a cache keyed by the content
 * of every file it was built from. Only a new or changed policy pays for
 * cosmiconfig and zod (`validate.ts`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { cacheDir, writeFileAtomic } from '../cache.js';
import { UsageError } from '../errors.js';
import { SEARCH_PLACES, type Policy } from './policy.js';

declare const RALPH_GUARD_VERSION: string;
declare const RALPH_GUARD_BUILD: string;
const VERSION = typeof RALPH_GUARD_VERSION === 'string' ? `${RALPH_GUARD_VERSION}+${RALPH_GUARD_BUILD}` : 'dev';

interface CacheEntry {
  version: string;
  /** Every file the policy was built from, with its exact text: a policy is a few hundred bytes, so comparing text is cheaper than loading a hash function. */
  sources: Array<{ path: string; text: string | null }>;
  policy: Policy;
}

/** The policy file that applies in `cwd`, searching up to `root`; null when there is none. */
export function findPolicyFile(cwd: string, root: string): string | null {
  let dir = resolve(cwd);
  const top = resolve(root);
  for (;;) {
    for (const place of SEARCH_PLACES) {
      const candidate = join(dir, place);
      if (!existsSync(candidate)) continue;
      if (place === 'package.json' && !hasRalphKey(candidate)) continue;
      return candidate;
    }
    if (dir === top || !(dir + sep).startsWith(top + sep)) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function hasRalphKey(packageJson: string): boolean {
  try {
    return JSON.parse(readFileSync(packageJson, 'utf8'))?.ralph !== undefined;
  } catch {
    return false; // a broken package.json is not our policy; cosmiconfig would say so only if it were
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** FNV-1a, enough to spread cache file names (node:crypto costs ~10 ms to load on every commit). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** JS and TS policies are programs: their result can change without their text changing, so they are never cached. */
const isProgram = (file: string) => /\.(?:[cm]?js|ts)$/.test(file);

export async function loadPolicy(opts: {
  cwd: string;
  root: string;
  configFile?: string | undefined;
}): Promise<Policy> {
  let file: string | null;
  if (opts.configFile) {
    file = resolve(opts.cwd, opts.configFile);
    if (!existsSync(file)) throw new UsageError(`--config ${opts.configFile}: file not found`);
  } else {
    file = findPolicyFile(opts.cwd, opts.root);
  }

  const key = `${VERSION}\0${file ?? '(recommended)'}`;
  const cacheFile = join(cacheDir(), 'policies', `${fnv1a(key)}-${fnv1a(key.split('').reverse().join(''))}.json`);
  const cacheable = file === null || !isProgram(file);
  if (cacheable) {
    const cached = readCache(cacheFile);
    if (cached) return cached;
  }

  const { validatePolicy } = await import('./validate.js');
  const { policy, sources } = await validatePolicy(file, opts.root);
  if (cacheable && !sources.some(isProgram)) {
    const entry: CacheEntry = {
      version: VERSION,
      sources: sources.map((path) => ({ path, text: readText(path) })),
      policy,
    };
    try {
      writeFileAtomic(cacheFile, JSON.stringify(entry));
    } catch {
      // A read-only cache only costs time.
    }
  }
  return policy;
}

function readCache(cacheFile: string): Policy | null {
  try {
    const entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as CacheEntry;
    if (entry.version !== VERSION) return null;
    for (const source of entry.sources) if (readText(source.path) !== source.text) return null;
    return entry.policy;
  } catch {
    return null;
  }
}
