/**
 * Version arithmetic without the `semver` package: parsing and ordering
 * (SemVer 2.0 precedence), which is all that matching OSV events needs on the
 * commit path. Ranges (`^8.5.1`, `>=9 || ^6.3.1`) need semver proper, loaded
 * lazily by `ranges()` only when a range must be evaluated.
 */

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers: numbers compare numerically, strings lexically. */
  pre: Array<string | number>;
}

// Loose on purpose: OSV data holds "1.0" and "v2.3.4"; npm versions may carry build metadata.
const VERSION = /^\s*(?:[v=]\s*)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\s*$/;

export function parseVersion(text: string): Version | null {
  const m = VERSION.exec(text);
  if (!m) return null;
  const pre = m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), pre };
}

export function compare(a: Version, b: Version): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  // A pre-release sorts before its release.
  if (!a.pre.length || !b.pre.length) return b.pre.length - a.pre.length;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Compares version strings; unparsable ones sort first (they are never "fixed"). */
export function compareText(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  return compare(x, y);
}

/** `>=1.2.3` / `>= 1.2.3` / `1.2.3`: the one range shape the fast path understands. */
export function simpleMinimum(range: string): Version | null {
  const m = /^\s*(?:>=\s*)?(v?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?)\s*$/.exec(range);
  return m ? parseVersion(m[1]!) : null;
}

type Semver = typeof import('semver');
let semver: Promise<Semver> | null = null;

/** The semver package, loaded once and only when a real range must be evaluated. */
export function ranges(): Promise<Semver> {
  return (semver ??= import('semver').then((m) => ((m as { default?: Semver }).default ?? m) as Semver));
}

/** Does `version` meet the policy minimum `range`? Simple `>=x` ranges skip loading semver. */
export async function meetsMinimum(version: string, range: string): Promise<boolean> {
  const v = parseVersion(version);
  if (!v) return true; // not a registry version (git, file): nothing to compare
  const simple = simpleMinimum(range);
  if (simple) return compare(v, simple) >= 0;
  const s = await ranges();
  return s.satisfies(version, range, { includePrerelease: true, loose: true });
}
