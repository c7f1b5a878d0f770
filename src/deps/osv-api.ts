/**
 * `check --online` (or `"online": true` in the dependencies options): the
 * OSV API for exactly the packages a change adds or moves, merged with the
 * local database. One `POST /v1/querybatch` for all of them (it answers
 * advisory ids), then `GET /v1/vulns/{id}` for each advisory not seen yet.
 * Each request has a timeout and is retried once; answers are cached a day
 * per package and version (and per advisory id and modification time), in
 * the cache directory. Failures are listed, never thrown: the caller notes
 * them and the packages count as unchecked.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { cacheDir, readCacheFile, writeCacheFile } from '../cache.js';
import { compactOsv, type OsvRecord } from './advisories.js';
import { pool, requestJson } from './http.js';
import type { Advisory } from './types.js';

export const DEFAULT_OSV_API = 'https://api.osv.dev';
const TTL_MS = 24 * 3600 * 1000;
/** OSV accepts at most 1,000 queries per batch. */
const BATCH = 1000;

export function osvApiUrl(): string {
  return (process.env.RALPH_GUARD_OSV_API || DEFAULT_OSV_API).replace(/\/+$/, '');
}

interface CacheEntry {
  at: number;
  advisories: Advisory[];
}

interface BatchAnswer {
  results?: Array<{ vulns?: Array<{ id: string; modified?: string }>; next_page_token?: string }>;
}

function cacheFile(kind: string, key: string): string {
  return join(
    cacheDir(),
    'osv-api',
    createHash('sha1').update(`${osvApiUrl()}\0${kind}\0${key}`).digest('hex') + '.json',
  );
}

/** Cache entries are signed (src/cache.ts): a forged answer is a miss, never a verdict. */
function readCache<T>(file: string, fresh: (at: number) => boolean): T | null {
  try {
    const cached = JSON.parse(readCacheFile(file) ?? 'null') as { at: number; value: T };
    return fresh(cached.at) ? cached.value : null;
  } catch {
    return null;
  }
}

function writeCache(file: string, value: unknown) {
  try {
    writeCacheFile(file, JSON.stringify({ at: Date.now(), value }));
  } catch {
    // a read-only cache only costs speed
  }
}

/** Advisories for each `name@version` (key), from the cache or the API; failures are listed, not thrown. */
export async function queryOsv(
  packages: Array<{ name: string; version: string }>,
  opts: { timeoutMs?: number } = {},
): Promise<{ found: Map<string, Advisory[]>; failed: string[] }> {
  const found = new Map<string, Advisory[]>();
  const failed: string[] = [];
  const base = osvApiUrl();
  // Retried here rather than by the HTTP client, which does not retry a POST.
  const ask = async <T>(url: string, body?: unknown): Promise<T> => {
    const options = {
      timeoutMs: opts.timeoutMs ?? 5_000,
      retries: 0,
      ...(body ? { method: 'POST' as const, body } : {}),
    };
    try {
      return await requestJson<T>(url, options);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
      return requestJson<T>(url, options);
    }
  };
  const fresh = (at: number) => Date.now() - at < TTL_MS;

  const unique = [...new Map(packages.map((p) => [`${p.name}@${p.version}`, p])).values()];
  const asking: Array<{ name: string; version: string }> = [];
  for (const p of unique) {
    const cached = readCache<CacheEntry['advisories']>(cacheFile('package', `${p.name}@${p.version}`), fresh);
    if (cached) found.set(`${p.name}@${p.version}`, cached);
    else asking.push(p);
  }

  // Which advisories each package has: ids only, as the batch endpoint answers.
  const ids = new Map<string, Array<{ id: string; modified?: string }>>();
  for (let start = 0; start < asking.length; start += BATCH) {
    let queries = asking.slice(start, start + BATCH).map((p) => ({ pkg: p, page: undefined as string | undefined }));
    for (let round = 0; queries.length && round < 20; round++) {
      try {
        const answer = await ask<BatchAnswer>(`${base}/v1/querybatch`, {
          queries: queries.map(({ pkg, page }) => ({
            package: { name: pkg.name, ecosystem: 'npm' },
            version: pkg.version,
            ...(page ? { page_token: page } : {}),
          })),
        });
        const next: typeof queries = [];
        queries.forEach(({ pkg }, i) => {
          const result = answer.results?.[i] ?? {};
          const key = `${pkg.name}@${pkg.version}`;
          ids.set(key, [...(ids.get(key) ?? []), ...(result.vulns ?? [])]);
          if (result.next_page_token) next.push({ pkg, page: result.next_page_token });
        });
        queries = next;
      } catch (e) {
        for (const { pkg } of queries) {
          failed.push(`${pkg.name}@${pkg.version}: ${(e as Error).message}`);
          ids.delete(`${pkg.name}@${pkg.version}`);
        }
        queries = [];
      }
    }
  }

  // The records themselves, once per advisory (cached by id and modification time).
  const records = new Map<string, OsvRecord | null>();
  const wanted = new Map<string, string | undefined>();
  for (const list of ids.values()) for (const v of list) wanted.set(v.id, v.modified);
  await pool([...wanted], 8, async ([id, modified]) => {
    const file = cacheFile('vuln', `${id}\0${modified ?? ''}`);
    const cached = readCache<OsvRecord>(file, (at) => modified !== undefined || fresh(at));
    if (cached) return void records.set(id, cached);
    try {
      const record = await ask<OsvRecord>(`${base}/v1/vulns/${encodeURIComponent(id)}`);
      records.set(id, record);
      writeCache(file, record);
    } catch (e) {
      records.set(id, null);
      failed.push(`${id}: ${(e as Error).message}`);
    }
  });

  for (const [key, list] of ids) {
    const name = key.slice(0, key.lastIndexOf('@'));
    if (list.some((v) => records.get(v.id) === null)) continue; // an advisory we could not read: not judged
    const advisories = list.flatMap((v) => {
      const a = compactOsv(records.get(v.id)!).get(name);
      return a ? [a] : [];
    });
    found.set(key, advisories);
    writeCache(cacheFile('package', key), advisories);
  }
  return { found, failed };
}
