/**
 * Registry metadata for the staleness checks (deprecated, majors behind,
 * unmaintained, too new): fetched only with `check --online` or by `db
 * update`, kept in a small cache that commits read offline.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, readCacheFile, writeCacheFile } from '../cache.js';
import { pool, requestJson } from './http.js';
import { readNpmConfig, registryFor, type NpmConfig } from './npm-config.js';

export interface PackageMeta {
  /** When this was fetched (ms since epoch). */
  fetchedAt: number;
  latest?: string;
  /** Publish time of each version (ms since epoch). */
  time: Record<string, number>;
  /** Deprecation message of each deprecated version. */
  deprecated: Record<string, string>;
}

const SHARDS = 64;

function shardFile(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return join(cacheDir(), 'registry', `${(h % SHARDS).toString(16).padStart(2, '0')}.json`);
}

function readShard(file: string): Record<string, PackageMeta> {
  try {
    return (JSON.parse(readCacheFile(file) ?? '{}') as Record<string, PackageMeta> | null) ?? {};
  } catch {
    return {};
  }
}

/** Cached metadata for these names (no network). */
export function cachedMeta(names: Iterable<string>): Map<string, PackageMeta> {
  const out = new Map<string, PackageMeta>();
  const shards = new Map<string, Record<string, PackageMeta>>();
  for (const name of names) {
    const file = shardFile(name);
    let shard = shards.get(file);
    if (!shard) shards.set(file, (shard = readShard(file)));
    if (Object.hasOwn(shard, name)) out.set(name, shard[name]!);
  }
  return out;
}

/** Every package name the cache holds, for `db update` to refresh. */
export function cachedNames(): string[] {
  const dir = join(cacheDir(), 'registry');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.flatMap((f) => Object.keys(readShard(join(dir, f))));
}

interface Packument {
  'dist-tags'?: { latest?: string };
  time?: Record<string, string>;
  versions?: Record<string, { deprecated?: string | boolean }>;
}

export function compactPackument(p: Packument, now = Date.now()): PackageMeta {
  const time: Record<string, number> = {};
  for (const [v, t] of Object.entries(p.time ?? {})) if (v !== 'created' && v !== 'modified') time[v] = Date.parse(t);
  const deprecated: Record<string, string> = {};
  for (const [v, meta] of Object.entries(p.versions ?? {})) {
    if (meta?.deprecated) deprecated[v] = typeof meta.deprecated === 'string' ? meta.deprecated : 'deprecated';
  }
  return { fetchedAt: now, ...(p['dist-tags']?.latest ? { latest: p['dist-tags'].latest } : {}), time, deprecated };
}

export interface RefreshResult {
  meta: Map<string, PackageMeta>;
  failed: Array<{ name: string; error: string }>;
}

/** Fetches packuments (in parallel, each with a timeout) and stores their compact form. */
export async function refreshMeta(
  names: readonly string[],
  opts: { config?: NpmConfig; timeoutMs?: number; concurrency?: number } = {},
): Promise<RefreshResult> {
  const config = opts.config ?? readNpmConfig();
  const meta = new Map<string, PackageMeta>();
  const failed: RefreshResult['failed'] = [];
  await pool(names, opts.concurrency ?? 8, async (name) => {
    const url = registryFor(config, name) + name.replace('/', '%2f');
    try {
      meta.set(
        name,
        compactPackument(await requestJson<Packument>(url, { config, timeoutMs: opts.timeoutMs ?? 10_000 })),
      );
    } catch (e) {
      failed.push({ name, error: (e as Error).message });
    }
  });
  const byShard = new Map<string, string[]>();
  for (const name of meta.keys()) {
    const file = shardFile(name);
    byShard.set(file, [...(byShard.get(file) ?? []), name]);
  }
  for (const [file, list] of byShard) {
    const shard = readShard(file);
    for (const name of list) shard[name] = meta.get(name)!;
    try {
      writeCacheFile(file, JSON.stringify(shard));
    } catch {
      // A read-only cache only costs a later fetch.
    }
  }
  return { meta, failed };
}
