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
  /** Some key is written with an escape (`\/`, `\u0041`): its text is not the key itself. */
  escaped: boolean;
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
  let escaped = false;
  // indexOf rather than a multiline regex: V8 scans a 1 MB text for a literal many times faster.
  for (let at = text.indexOf(ENTRY, open + PACKAGES_OPEN.length - 2); at >= 0 && at < end; ) {
    const quote = at + ENTRY.length - 1;
    let close = text.indexOf('"', quote + 1);
    let raw = close < 0 ? '' : text.slice(quote + 1, close);
    if (raw.includes('\\')) {
      // An escaped character in the key: the quote found may be escaped itself, so walk it.
      close = quote + 1;
      while (close < text.length && text.charCodeAt(close) !== 34) close += text.charCodeAt(close) === 92 ? 2 : 1;
      raw = text.slice(quote + 1, close);
    }
    if (close < 0 || !text.startsWith('": {', close)) return null;
    if (raw.includes('\\')) escaped = true;
    keys.push(raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw);
    starts.push(quote);
    values.push(close + 3);
    at = text.indexOf(ENTRY, close);
  }
  starts.push(end + 1);
  return { keys, starts, values, escaped };
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
  // The parsed keys are the scanned ones, in order: no key twice (JSON.parse keeps the last), none misread.
  // (Integer-like keys come first in an object: such a lockfile takes the full read.)
  const parsedKeys = Object.keys(entries);
  if (parsedKeys.length !== now.keys.length) return null;
  for (let i = 0; i < parsedKeys.length; i++) if (parsedKeys[i] !== now.keys[i]) return null;
  // The old side's keys once each too: its entries are found by key below.
  if (new Set(was.keys).size !== was.keys.length) return null;

  const values = Object.values(entries);
  const direct = new Map<string, string>();
  for (let i = 0; i < values.length; i++) {
    const key = now.keys[i]!;
    const entry = values[i];
    if (!wellShaped(key, entry)) return null;
    if (!entry || typeof entry !== 'object' || key.includes('node_modules/')) continue;
    // The root ("") and workspace packages: their dependencies are the project's direct ones.
    for (const field of DEP_FIELDS)
      for (const [n, r] of Object.entries(entry[field] ?? {}))
        if (typeof r === 'string' && !direct.has(n)) direct.set(n, r);
  }
  const touched: LockedPackage[] = [];
  for (const i of changedEntries(now, text, was, oldText)) {
    const key = now.keys[i]!;
    const entry = entries[key];
    if (!entry || typeof entry !== 'object' || !key.includes('node_modules/')) continue;
    const pkg = packageEntry(key, entry);
    if (pkg) touched.push(pkg);
  }

  const before = oldPackagesNamed(new Set(touched.map((p) => p.name)), was, oldText);
  if (!before) return null;

  let keyAt: Map<string, number> | undefined;
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
      const i = (keyAt ??= new Map(now.keys.map((key, index) => [key, index]))).get(pkg.key);
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

/**
 * The entries of the new text whose text is not that of the old entry at the same key (or that have none), by
 * index. npm writes entries sorted, so both lists mostly run side by side: a run of entries is compared as one
 * slice of each text (native string comparison, doubling the run while it holds), and an entry is looked at alone
 * only where the texts differ. Identical text from the same kind of start splits into the same entries, so a run
 * that compares equal pairs entry for entry, keys included. Keys are unique on both sides (checked before).
 */
function changedEntries(now: Entries, text: string, was: Entries, oldText: string): number[] {
  const changed: number[] = [];
  const n = now.keys.length;
  const m = was.keys.length;
  const sameRun = (i: number, j: number, count: number) =>
    i + count <= n &&
    j + count <= m &&
    text.slice(now.starts[i], now.starts[i + count]) === oldText.slice(was.starts[j], was.starts[j + count]);
  let oldAt: Map<string, number> | undefined;
  let j = 0;
  for (let i = 0; i < n; ) {
    if (j >= m || was.keys[j] !== now.keys[i]) {
      const o = (oldAt ??= new Map(was.keys.map((key, index) => [key, index]))).get(now.keys[i]!);
      if (o === undefined) {
        changed.push(i++);
        continue;
      }
      j = o;
    }
    // The longest run of equal entries from here: double while it holds, then halve back.
    let run = 0;
    let step = 1;
    while (sameRun(i + run, j + run, step)) {
      run += step;
      step *= 2;
    }
    for (step >>= 1; step >= 1; step >>= 1) if (sameRun(i + run, j + run, step)) run += step;
    if (run === 0) {
      changed.push(i++);
      j++;
    } else {
      i += run;
      j += run;
    }
  }
  return changed;
}

/** The old lockfile's packages with one of these names: entries keyed by the name, and aliases (`"name"` inside). */
function oldPackagesNamed(names: Set<string>, was: Entries, oldText: string): LockedPackage[] | null {
  if (!names.size) return [];
  const wanted = new Set<number>();
  const first = was.starts[0] ?? 0;
  const end = was.starts[was.starts.length - 1]!;
  /** The entry an offset of the old text falls in. */
  const entryAt = (at: number) => {
    let lo = 0;
    let hi = was.keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (was.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  if (!was.escaped) {
    // Keys ending in node_modules/<name>, found in the text (no key is escaped, so a key's text is the key): the
    // match must end where the scan saw that key's `": {`.
    for (const name of names) {
      const needle = `node_modules/${name}": {`;
      for (let at = oldText.indexOf(needle, first); at >= 0 && at < end; at = oldText.indexOf(needle, at + 1)) {
        const i = entryAt(at);
        if (was.values[i] === at + needle.length - 1) wanted.add(i);
      }
    }
  } else
    for (const [i, key] of was.keys.entries()) {
      const nm = key.lastIndexOf('node_modules/');
      if (nm >= 0 && names.has(key.slice(nm + 'node_modules/'.length))) wanted.add(i);
    }
  // An aliased install records its real name inside the entry (6 spaces in), or, as lockfile v1 did, in its version.
  for (const field of ['\n      "name": "', '\n      "version": "npm:'])
    for (let at = oldText.indexOf(field, first); at >= 0 && at < end; at = oldText.indexOf(field, at + 1))
      wanted.add(entryAt(at));
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
