/**
 * `ralph-guard db update`: fetch an OSV export (the bulk zip by default; a
 * mirror URL, a local zip, a directory of OSV JSON files or a JSON array
 * work too), verify it completely, and only then replace the local database
 * in one atomic rename. A corrupt archive or a dropped connection leaves the
 * old database as it was.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../cache.js';
import {
  AdvisoryDb,
  advisoryDbPath,
  compactOsv,
  encodeDb,
  verifyDb,
  type DbMeta,
  type OsvRecord,
} from './advisories.js';
import type { Advisory } from './types.js';
import { listEntries, readEntry } from './zip.js';

export interface UpdateResult {
  meta: DbMeta;
  path: string;
  size: number;
  /** The server said the data has not changed (HTTP 304): only the timestamp was renewed. */
  notModified: boolean;
}

export class UpdateError extends Error {
  override name = 'UpdateError';
}

export async function updateAdvisoryDb(
  source: string,
  opts: { timeoutMs?: number; path?: string } = {},
): Promise<UpdateResult> {
  const path = opts.path ?? advisoryDbPath();
  let existing: AdvisoryDb | null = null;
  try {
    existing = AdvisoryDb.open(path);
  } catch {
    existing = null; // an unreadable old database is replaced
  }

  let records: Iterable<OsvRecord>;
  let etag: string | undefined;
  let lastModified: string | undefined;
  if (/^https?:\/\//i.test(source)) {
    const { request } = await import('./http.js');
    const sameSource = existing?.meta.source === source;
    const headers: Record<string, string> = {};
    if (sameSource && existing?.meta.etag) headers['if-none-match'] = existing.meta.etag;
    if (sameSource && existing?.meta.lastModified) headers['if-modified-since'] = existing.meta.lastModified;
    let res;
    try {
      res = await request(source, { headers, timeoutMs: opts.timeoutMs ?? 120_000, retries: 2 });
    } catch (e) {
      throw new UpdateError(`download failed: ${(e as Error).message}`);
    }
    if (res.status === 304 && existing) {
      const bytes = readFileSync(path);
      const meta = { ...existing.meta, builtAt: new Date().toISOString() };
      const renewed = rewriteHeader(bytes, meta);
      writeFileAtomic(path, renewed);
      return { meta, path, size: renewed.length, notModified: true };
    }
    if (res.status !== 200) throw new UpdateError(`download failed: ${source} answered HTTP ${res.status}`);
    etag = res.header('etag') ?? undefined;
    lastModified = res.header('last-modified') ?? undefined;
    records = recordsFromBytes(res.body, source);
  } else {
    const local = /^file:/i.test(source) ? fileURLToPath(source) : source;
    let stat;
    try {
      stat = statSync(local);
    } catch {
      throw new UpdateError(`${source}: no such file or directory`);
    }
    records = stat.isDirectory() ? recordsFromDirectory(local) : recordsFromBytes(readFileSync(local), source);
  }

  const byPackage = new Map<string, Advisory[]>();
  let count = 0;
  for (const record of records) {
    count++;
    for (const [name, adv] of compactOsv(record)) {
      const list = byPackage.get(name);
      if (list) list.push(adv);
      else byPackage.set(name, [adv]);
    }
  }
  if (!byPackage.size)
    throw new UpdateError(
      `${source}: ${count} record(s), none about npm packages; refusing to replace the database with an empty one`,
    );

  const bytes = encodeDb(byPackage, {
    source,
    builtAt: new Date().toISOString(),
    ...(etag ? { etag } : {}),
    ...(lastModified ? { lastModified } : {}),
  });
  const meta = verifyDb(bytes);
  writeFileAtomic(path, bytes);
  return { meta, path, size: bytes.length, notModified: false };
}

/** A zip of OSV JSON files (the bulk export), a JSON array of records, or one record. */
function* recordsFromBytes(bytes: Buffer, source: string): Generator<OsvRecord> {
  const zip = bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50;
  if (!zip) {
    let data: unknown;
    try {
      data = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new UpdateError(`${source}: neither a zip archive nor JSON (${bytes.length} bytes)`);
    }
    for (const r of Array.isArray(data) ? data : [data]) yield checkRecord(r, source);
    return;
  }
  let entries;
  try {
    entries = listEntries(bytes);
  } catch (e) {
    throw new UpdateError(`${source}: ${(e as Error).message}`);
  }
  for (const entry of entries) {
    if (!entry.name.endsWith('.json')) continue;
    let text: string;
    try {
      text = readEntry(bytes, entry).toString('utf8');
    } catch (e) {
      throw new UpdateError(`${source}: ${(e as Error).message}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new UpdateError(`${source}: ${entry.name} is not valid JSON`);
    }
    yield checkRecord(data, `${source}: ${entry.name}`);
  }
}

function* recordsFromDirectory(dir: string): Generator<OsvRecord> {
  for (const name of readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new UpdateError(`${file} is not valid JSON`);
    }
    for (const r of Array.isArray(data) ? data : [data]) yield checkRecord(r, file);
  }
}

function checkRecord(data: unknown, where: string): OsvRecord {
  if (!data || typeof data !== 'object' || typeof (data as OsvRecord).id !== 'string')
    throw new UpdateError(`${where}: not an OSV record (no "id")`);
  return data as OsvRecord;
}

function rewriteHeader(bytes: Buffer, meta: DbMeta): Buffer {
  const length = bytes.readUInt32LE(8);
  const header = Buffer.from(JSON.stringify(meta));
  const size = Buffer.alloc(4);
  size.writeUInt32LE(header.length);
  return Buffer.concat([bytes.subarray(0, 8), size, header, bytes.subarray(12 + length)]);
}
