/**
 * The local advisory database: OSV records for the npm ecosystem, compacted
 * and stored so that a commit looks up only the packages it changes.
 *
 * On disk (one file, replaced atomically by `db update`):
 *
 *   "RGADVDB2"  uint32 header length  header JSON  N × (uint32 offset, uint32 length)  shard 0 … shard N-1
 *
 * (integers little-endian). The header holds the metadata; each of the 4,096
 * shards is deflated JSON `{ "<package>": Advisory[] }` for the names that
 * hash to it. A lookup reads the small header, 8 bytes of the offset table and
 * one shard of a few kB per package: no 100 MB parse on a commit.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { cacheDir } from '../cache.js';
import { SEVERITY_RANK, type Advisory, type AdvisoryEvent, type AdvisorySeverity } from './types.js';
import { compare, compareText, parseVersion, type Version } from './version.js';

export const DEFAULT_ADVISORY_URL = 'https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip';
const MAGIC = 'RGADVDB2';
const SHARDS = 4096;

export interface DbMeta {
  format: 2;
  /** Where the data came from (URL or path). */
  source: string;
  /** When `db update` built this file (ISO time). */
  builtAt: string;
  etag?: string;
  lastModified?: string;
  advisories: number;
  packages: number;
  shards: number;
}

export function advisoryDbPath(): string {
  return join(cacheDir(), 'advisories', 'osv-npm.db');
}

/** FNV-1a: a stable, cheap hash of a package name to its shard. */
function shardOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SHARDS;
}

// ── OSV records → compact advisories ────────────────────────────────────────

interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRecord {
  id: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  withdrawn?: string;
  severity?: Array<{ type: string; score: string }>;
  affected?: Array<{
    package?: { ecosystem?: string; name?: string };
    ranges?: Array<{ type: string; events: OsvEvent[] }>;
    versions?: string[];
    ecosystem_specific?: { severity?: string };
    database_specific?: { severity?: string };
  }>;
  database_specific?: { severity?: string };
}

/** The advisories one OSV record holds, by npm package name (empty when it is withdrawn or not about npm). */
export function compactOsv(record: OsvRecord): Map<string, Advisory> {
  const out = new Map<string, Advisory>();
  if (!record || typeof record.id !== 'string' || record.withdrawn) return out;
  const { severity, score } = severityOf(record);
  for (const affected of record.affected ?? []) {
    const pkg = affected.package;
    if (!pkg?.name || (pkg.ecosystem ?? '').toLowerCase() !== 'npm') continue;
    let adv = out.get(pkg.name);
    if (!adv) {
      adv = {
        id: record.id,
        ...(record.aliases?.length ? { aliases: record.aliases } : {}),
        summary: oneLine(record.summary || record.details || record.id),
        severity,
        ...(score !== undefined ? { score } : {}),
        ranges: [],
      };
      out.set(pkg.name, adv);
    }
    for (const range of affected.ranges ?? []) {
      if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
      const events: AdvisoryEvent[] = [];
      for (const e of range.events ?? []) {
        if (e.introduced !== undefined) events.push(['i', e.introduced]);
        else if (e.fixed !== undefined) events.push(['f', e.fixed]);
        else if (e.last_affected !== undefined) events.push(['l', e.last_affected]);
      }
      if (events.length) adv.ranges.push(sortEvents(events));
    }
    if (affected.versions?.length) adv.versions = [...new Set([...(adv.versions ?? []), ...affected.versions])];
  }
  return out;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? line.slice(0, 199) + '…' : line;
}

function sortEvents(events: AdvisoryEvent[]): AdvisoryEvent[] {
  return events.sort((a, b) => {
    if (a[0] === 'i' && a[1] === '0') return -1;
    if (b[0] === 'i' && b[1] === '0') return 1;
    return compareText(a[1], b[1]);
  });
}

const GHSA_SEVERITY: Record<string, AdvisorySeverity> = {
  LOW: 'low',
  MODERATE: 'moderate',
  MEDIUM: 'moderate',
  HIGH: 'high',
  CRITICAL: 'critical',
};

/** GitHub's reviewed severity when present, else the CVSS v3 base score's band; malicious packages are critical. */
export function severityOf(record: OsvRecord): { severity: AdvisorySeverity; score?: number } {
  const vector = record.severity?.find((s) => s.type === 'CVSS_V3')?.score;
  const score = vector ? (cvss3BaseScore(vector) ?? undefined) : undefined;
  const named =
    record.database_specific?.severity ??
    record.affected?.find((a) => a.database_specific?.severity || a.ecosystem_specific?.severity)?.database_specific
      ?.severity;
  const fromName = named ? GHSA_SEVERITY[named.toUpperCase()] : undefined;
  const withScore = (severity: AdvisorySeverity) => (score === undefined ? { severity } : { severity, score });
  if (fromName) return withScore(fromName);
  if (score !== undefined)
    return withScore(
      score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'moderate' : score > 0 ? 'low' : 'unknown',
    );
  if (record.id.startsWith('MAL-')) return { severity: 'critical' };
  return { severity: 'unknown' };
}

/** CVSS v3.0/v3.1 base score from a vector string, or null when it is not one. */
export function cvss3BaseScore(vector: string): number | null {
  const m: Record<string, string> = {};
  for (const part of vector.split('/').slice(1)) {
    const [k, v] = part.split(':');
    if (k && v) m[k] = v;
  }
  const AV = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 }[m.AV ?? ''];
  const AC = { L: 0.77, H: 0.44 }[m.AC ?? ''];
  const UI = { N: 0.85, R: 0.62 }[m.UI ?? ''];
  const changed = m.S === 'C';
  const PR = { N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 }[m.PR ?? ''];
  const cia = (x: string | undefined) => ({ H: 0.56, L: 0.22, N: 0 })[x ?? ''];
  const [C, I, A] = [cia(m.C), cia(m.I), cia(m.A)];
  if (
    !/^CVSS:3\.[01]$/.test(vector.split('/')[0] ?? '') ||
    AV === undefined ||
    AC === undefined ||
    UI === undefined ||
    PR === undefined ||
    C === undefined ||
    I === undefined ||
    A === undefined ||
    (m.S !== 'U' && m.S !== 'C')
  )
    return null;
  const iss = 1 - (1 - C) * (1 - I) * (1 - A);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  if (impact <= 0) return 0;
  const exploitability = 8.22 * AV * AC * PR * UI;
  const roundUp = (x: number) => {
    const n = Math.round(x * 100_000);
    return n % 10_000 === 0 ? n / 100_000 : (Math.floor(n / 10_000) + 1) / 10;
  };
  return roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
}

// ── Matching ────────────────────────────────────────────────────────────────

/** OSV semantics: listed in `versions`, or inside a range whose last event at or below the version is `introduced`. */
export function affects(adv: Advisory, version: string): boolean {
  if (adv.versions?.includes(version)) return true;
  const v = parseVersion(version);
  if (!v) return false;
  return adv.ranges.some((events) => inRange(v, events));
}

function inRange(v: Version, events: AdvisoryEvent[]): boolean {
  let affected = false;
  for (const [kind, at] of events) {
    if (kind === 'i') {
      if (at === '0') affected = true;
      else {
        const x = parseVersion(at);
        if (x && compare(v, x) >= 0) affected = true;
      }
    } else {
      const x = parseVersion(at);
      if (!x) continue;
      if (kind === 'f' && compare(v, x) >= 0) affected = false;
      if (kind === 'l' && compare(v, x) > 0) affected = false;
    }
  }
  return affected;
}

/** The fixed versions above `version`, lowest first. */
export function fixesAbove(adv: Advisory, version: string): string[] {
  const v = parseVersion(version);
  const fixes = new Set<string>();
  for (const events of adv.ranges) for (const [kind, at] of events) if (kind === 'f') fixes.add(at);
  return [...fixes].filter((f) => !v || compareText(f, version) > 0).sort(compareText);
}

export function atLeast(severity: AdvisorySeverity, threshold: AdvisorySeverity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

export function advisoryUrl(id: string): string {
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  return `https://osv.dev/vulnerability/${id}`;
}

// ── The database file ───────────────────────────────────────────────────────

/** Builds the database file from compact advisories by package. */
export function encodeDb(
  byPackage: Map<string, Advisory[]>,
  meta: Omit<DbMeta, 'format' | 'advisories' | 'packages' | 'shards'>,
): Buffer {
  const shards: Array<Record<string, Advisory[]>> = Array.from({ length: SHARDS }, () => ({}));
  const ids = new Set<string>();
  for (const [name, list] of byPackage) {
    shards[shardOf(name)]![name] = list;
    for (const a of list) ids.add(a.id);
  }
  const blobs = shards.map((s) => deflateRawSync(Buffer.from(JSON.stringify(s)), { level: 6 }));
  const table = Buffer.alloc(8 * SHARDS);
  let at = 0;
  blobs.forEach((b, i) => {
    table.writeUInt32LE(at, 8 * i);
    table.writeUInt32LE(b.length, 8 * i + 4);
    at += b.length;
  });
  const header: DbMeta = { format: 2, ...meta, advisories: ids.size, packages: byPackage.size, shards: SHARDS };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  return Buffer.concat([Buffer.from(MAGIC, 'latin1'), length, headerBytes, table, ...blobs]);
}

/** Checks a database file in memory (every shard inflates and parses) before it replaces the old one. */
export function verifyDb(bytes: Buffer): DbMeta {
  const { meta, tableStart, dataStart } = decodeHeader(bytes, bytes.length);
  let end = dataStart;
  for (let i = 0; i < SHARDS; i++) {
    const offset = bytes.readUInt32LE(tableStart + 8 * i);
    const length = bytes.readUInt32LE(tableStart + 8 * i + 4);
    JSON.parse(inflateRawSync(bytes.subarray(dataStart + offset, dataStart + offset + length)).toString('utf8'));
    end = Math.max(end, dataStart + offset + length);
  }
  if (end !== bytes.length) throw new Error('advisory database has trailing or missing bytes');
  return meta;
}

/** `head` holds at least the magic, length and header (and, for verifyDb, the whole file). */
function decodeHeader(head: Buffer, fileSize: number): { meta: DbMeta; tableStart: number; dataStart: number } {
  if (head.length < 12 || head.toString('latin1', 0, 8) !== MAGIC)
    throw new Error('not a ralph-guard advisory database (or one from another version: run `ralph-guard db update`)');
  const length = head.readUInt32LE(8);
  if (12 + length > head.length) throw new Error('advisory database header is truncated');
  const meta = JSON.parse(head.toString('utf8', 12, 12 + length)) as DbMeta;
  if (meta.format !== 2 || meta.shards !== SHARDS) throw new Error('unknown advisory database format');
  const tableStart = 12 + length;
  const dataStart = tableStart + 8 * SHARDS;
  if (dataStart > fileSize) throw new Error('advisory database is truncated');
  return { meta, tableStart, dataStart };
}

/** A read-only handle on the database file: the header now, shards on demand. */
export class AdvisoryDb {
  private shards = new Map<number, Record<string, Advisory[]>>();

  private constructor(
    private readonly path: string,
    readonly meta: DbMeta,
    private readonly tableStart: number,
    private readonly dataStart: number,
    readonly size: number,
  ) {}

  /** Opens the database; null when there is none, throws when it is unreadable. */
  static open(path = advisoryDbPath()): AdvisoryDb | null {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return null;
    }
    try {
      const stat = fstatSync(fd);
      // Another user's file in our cache (a shared or planted directory) is not our database. It is too large
      // to sign on every read (src/cache.ts signs the small entries); its owner is checked instead.
      if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return null;
      const size = stat.size;
      const head = Buffer.alloc(Math.min(size, 4096));
      readSync(fd, head, 0, head.length, 0);
      let decoded;
      try {
        decoded = decodeHeader(head, size);
      } catch (e) {
        // A header larger than the first read: read exactly what it says.
        if (!(e instanceof Error) || !/truncated/.test(e.message) || head.length < 12) throw e;
        const full = Buffer.alloc(12 + head.readUInt32LE(8));
        readSync(fd, full, 0, full.length, 0);
        decoded = decodeHeader(full, size);
      }
      return new AdvisoryDb(path, decoded.meta, decoded.tableStart, decoded.dataStart, size);
    } finally {
      closeSync(fd);
    }
  }

  /** Age of the data in days. */
  ageDays(now = Date.now()): number {
    return (now - Date.parse(this.meta.builtAt)) / 86_400_000;
  }

  /** Every advisory recorded for a package (affecting any version). */
  lookup(name: string): Advisory[] {
    const index = shardOf(name);
    let shard = this.shards.get(index);
    if (!shard) {
      const fd = openSync(this.path, 'r');
      let buf: Buffer;
      try {
        const entry = Buffer.alloc(8);
        readSync(fd, entry, 0, 8, this.tableStart + 8 * index);
        const [offset, length] = [entry.readUInt32LE(0), entry.readUInt32LE(4)];
        if (this.dataStart + offset + length > this.size) throw new Error('advisory database is truncated');
        buf = Buffer.alloc(length);
        readSync(fd, buf, 0, length, this.dataStart + offset);
      } finally {
        closeSync(fd);
      }
      shard = JSON.parse(inflateRawSync(buf).toString('utf8')) as Record<string, Advisory[]>;
      this.shards.set(index, shard);
    }
    return Object.hasOwn(shard, name) ? shard[name]! : [];
  }
}
