/**
 * `check --online`: the OSV API for the packages a change adds, with a
 * timeout per request and a day-long cache, merged with the local database.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { cacheDir, readCacheFile, writeCacheFile } from '../cache.js';
import { compactOsv, type OsvRecord } from './advisories.js';
import { pool, requestJson } from './http.js';
import type { Advisory } from './types.js';

export const DEFAULT_OSV_API = 'https://api.osv.dev';
const TTL_MS = 24 * 3600 * 1000;

export function osvApiUrl(): string {
  return (process.env.RALPH_GUARD_OSV_API || DEFAULT_OSV_API).replace(/\/+$/, '');
}

interface CacheEntry {
  at: number;
  advisories: Advisory[];
}

function cacheFile(name: string, version: string): string {
  return join(
    cacheDir(),
    'osv-api',
    createHash('sha1').update(`${osvApiUrl()}\0${name}@${version}`).digest('hex') + '.json',
  );
}

/** Advisories for each `name@version` (key), from the cache or the API; failures are listed, not thrown. */
export async function queryOsv(
  packages: Array<{ name: string; version: string }>,
  opts: { timeoutMs?: number } = {},
): Promise<{ found: Map<string, Advisory[]>; failed: string[] }> {
  const found = new Map<string, Advisory[]>();
  const failed: string[] = [];
  const base = osvApiUrl();
  await pool(packages, 8, async ({ name, version }) => {
    const key = `${name}@${version}`;
    const file = cacheFile(name, version);
    try {
      const cached = JSON.parse(readCacheFile(file) ?? 'null') as CacheEntry;
      if (Date.now() - cached.at < TTL_MS) {
        found.set(key, cached.advisories);
        return;
      }
    } catch {
      // not cached
    }
    try {
      const vulns: OsvRecord[] = [];
      let pageToken: string | undefined;
      do {
        const res = await requestJson<{ vulns?: OsvRecord[]; next_page_token?: string }>(`${base}/v1/query`, {
          method: 'POST',
          body: { package: { name, ecosystem: 'npm' }, version, ...(pageToken ? { page_token: pageToken } : {}) },
          timeoutMs: opts.timeoutMs ?? 5_000,
          retries: 0,
        });
        vulns.push(...(res.vulns ?? []));
        pageToken = res.next_page_token;
      } while (pageToken);
      const advisories = vulns.flatMap((v) => {
        const a = compactOsv(v).get(name);
        return a ? [a] : [];
      });
      found.set(key, advisories);
      try {
        writeCacheFile(file, JSON.stringify({ at: Date.now(), advisories } satisfies CacheEntry));
      } catch {
        // read-only cache
      }
    } catch (e) {
      failed.push(`${key}: ${(e as Error).message}`);
    }
  });
  return { found, failed };
}
