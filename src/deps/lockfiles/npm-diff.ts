/**
 * A package-lock.json change read by what it changes. npm writes one entry of
 * "packages" per install path, each starting on its own line at a fixed
 * indent, so the entries whose text differs from the old lockfile's are found
 * by comparing text, and only they become packages; the old lockfile is read
 * only at the entries that share a name with them (the identities a change
 * keeps, moves or re-hashes). A one-package change in a 2,000-package lockfile
 * so parses one JSON text (the new lockfile must be valid as a whole) instead
 * of building 4,000 packages and comparing them.
 *
 * Anything not as npm writes it (lockfile version 1, another indent, a key
 * seen twice, an entry of an odd shape, conflict markers) returns null, and
 * the caller reads both lockfiles in full.
 */
import type { LockedPackage, Lockfile } from '../types.js';
import { conflictMarker, lineSpan, parseJson, type Position } from './common.js';
import { skipValue } from './json-locate.js';
import { packageEntry, parseNpmLock, type NpmEntry, type NpmLock } from './npm.js';

export interface NpmChanges {
  /** The new lockfile; `packages` is built in full only if someone asks for it. */
  lock: Lockfile;
  /** The packages of the entries whose text this change adds or alters, in lockfile order. */
  touched: LockedPackage[];
  /** Every package of the old lockfile that has the name of a touched one. */
  before: LockedPackage[];
}

const DEP_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
const PACKAGES_OPEN = '\n  "packages": {\n';
const ENTRY = '\n    "'; // an entry's key line: 4 spaces in (its fields are 6 in)
const END = '\n  }'; // the end of "packages": 2 spaces in

interface Entries {
  keys: string[];
  /** Offset of each key's opening quote, and of the end of the last entry. */
  starts: number[];
  /** Offset of each entry's `{`. */
  values: number[];
}

/** The entries of "packages" by text alone, or null when the text is not laid out as npm writes it. */
function scanEntries(text: string): Entries | null {
  const open = text.indexOf(PACKAGES_OPEN);
  if (open < 0) return null;
  const end = text.indexOf(END, open + PACKAGES_OPEN.length - 1);
  if (end < 0) return null;
  const keys: string[] = [];
  const starts: number[] = [];
  const values: number[] = [];
  // indexOf rather than a multiline regex: V8 scans a 1 MB text for a literal many times faster.
  for (let at = text.indexOf(ENTRY, open + PACKAGES_OPEN.length - 2); at >= 0 && at < end; ) {
    const quote = at + ENTRY.length - 1;
    let close = quote + 1;
    while (close < text.length && text.charCodeAt(close) !== 34) close += text.charCodeAt(close) === 92 ? 2 : 1;
    if (!text.startsWith('": {', close)) return null;
    const raw = text.slice(quote + 1, close);
    keys.push(raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw);
    starts.push(quote);
    values.push(close + 3);
    at = text.indexOf(ENTRY, close);
  }
  starts.push(end + 1);
  return { keys, starts, values };
}

/** True when an entry has the types the reader expects, so building its package cannot throw. */
function wellShaped(key: string, entry: unknown): boolean {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return true; // the reader skips these
  const { name, version, resolved, integrity, license } = entry as Record<string, unknown>;
  const text = (v: unknown) => v === undefined || typeof v === 'string';
  if (!text(name) || !text(version) || !text(resolved) || !text(integrity) || !text(license)) return false;
  return name !== '' && (name !== undefined || !key.endsWith('node_modules/'));
}

export function npmChanges(text: string, oldText: string, position: Position): NpmChanges | null {
  if (!text.trim() || conflictMarker(text) !== null || conflictMarker(oldText) !== null) return null;
  const now = scanEntries(text);
  const was = scanEntries(oldText);
  if (!now || !was) return null;
  // The whole new text must be valid JSON, as a full read would find; this is the one full parse.
  const data = parseJson(text, 'the lockfile', position) as NpmLock;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  if (data.lockfileVersion !== 2 && data.lockfileVersion !== 3) return null;
  const entries = data.packages;
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) return null;
  if (Object.keys(entries).length !== now.keys.length) return null; // a key seen twice, or text the scan misread

  const oldAt = new Map<string, number>();
  for (const [i, key] of was.keys.entries()) {
    if (oldAt.has(key)) return null;
    oldAt.set(key, i);
  }
  const entryText = (e: Entries, source: string, i: number) => source.slice(e.starts[i], e.starts[i + 1]);

  const touched: LockedPackage[] = [];
  const keyAt = new Map<string, number>(); // key → entry index
  const direct = new Map<string, string>();
  for (const [i, key] of now.keys.entries()) {
    const entry = entries[key];
    if (!Object.hasOwn(entries, key) || keyAt.has(key) || !wellShaped(key, entry)) return null;
    keyAt.set(key, i);
    if (!entry || typeof entry !== 'object') continue;
    if (!key.includes('node_modules/')) {
      // The root ("") and workspace packages: their dependencies are the project's direct ones.
      for (const field of DEP_FIELDS)
        for (const [n, r] of Object.entries(entry[field] ?? {}))
          if (typeof r === 'string' && !direct.has(n)) direct.set(n, r);
      continue;
    }
    const o = oldAt.get(key);
    if (o !== undefined && entryText(was, oldText, o) === entryText(now, text, i)) continue;
    const pkg = packageEntry(key, entry);
    if (pkg) touched.push(pkg);
  }

  const before = oldPackagesNamed(new Set(touched.map((p) => p.name)), was, oldText);
  if (!before) return null;

  let whole: Lockfile | null = null;
  const full = () => (whole ??= parseNpmLock(text, position));
  const lock: Lockfile = {
    format: 'npm',
    version: String(data.lockfileVersion),
    get packages() {
      return full().packages;
    },
    direct,
    locate(pkg) {
      const i = keyAt.get(pkg.key);
      if (i === undefined) return { line: 1, endLine: 1 };
      const at = now.starts[i]!;
      return { ...lineSpan(position, at, skipValue(text, now.values[i]!)), column: position(at).column };
    },
    wanted(pkg) {
      try {
        return full().wanted(pkg);
      } catch {
        return [];
      }
    },
    byKey(key) {
      const entry = Object.hasOwn(entries, key) ? entries[key] : undefined;
      return entry && typeof entry === 'object' ? packageEntry(key, entry) : null;
    },
  };
  return { lock, touched, before };
}

/** The old lockfile's packages with one of these names: entries keyed by the name, and aliases (`"name"` inside). */
function oldPackagesNamed(names: Set<string>, was: Entries, oldText: string): LockedPackage[] | null {
  if (!names.size) return [];
  const wanted = new Set<number>();
  for (const [i, key] of was.keys.entries()) {
    const nm = key.lastIndexOf('node_modules/');
    if (nm >= 0 && names.has(key.slice(nm + 'node_modules/'.length))) wanted.add(i);
  }
  // An aliased install records its real name inside the entry (6 spaces in).
  const end = was.starts[was.starts.length - 1]!;
  const NAME = '\n      "name": "';
  for (let at = oldText.indexOf(NAME, was.starts[0] ?? end); at >= 0 && at < end; at = oldText.indexOf(NAME, at + 1)) {
    let lo = 0;
    let hi = was.keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (was.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    wanted.add(lo);
  }
  const out: LockedPackage[] = [];
  for (const i of [...wanted].sort((a, b) => a - b)) {
    const key = was.keys[i]!;
    const valueStart = was.values[i]!;
    const valueEnd = skipValue(oldText, valueStart);
    if (valueEnd > was.starts[i + 1]!) return null;
    let entry: unknown;
    try {
      entry = JSON.parse(oldText.slice(valueStart, valueEnd));
    } catch {
      return null; // a broken old lockfile: the full read judges every package
    }
    if (!wellShaped(key, entry)) return null;
    if (!entry || typeof entry !== 'object') continue;
    const pkg = packageEntry(key, entry as NpmEntry);
    if (pkg && names.has(pkg.name)) out.push(pkg);
  }
  return out;
}
