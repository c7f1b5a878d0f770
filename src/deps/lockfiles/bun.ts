/** `bun.lock`, bun's text lockfile (JSON with trailing commas), versions 0 to 2. */
import { LockfileError, type LockedPackage, type Lockfile, type Source } from '../types.js';
import { lineSpan, parseJson, splitSpec, type Position } from './common.js';
import { memberAt, members, stripTrailingCommas, type Member } from './json-locate.js';

interface BunLock {
  lockfileVersion?: number;
  workspaces?: Record<string, Record<string, unknown>>;
  packages?: Record<string, unknown[]>;
}

export function parseBunLock(text: string, position: Position): Lockfile {
  const data = parseJson(stripTrailingCommas(text), 'the lockfile', position) as BunLock;
  if (!data || typeof data !== 'object' || !data.packages)
    throw new LockfileError('no "packages": this is not a bun.lock', 1, 'corrupt');
  const version = data.lockfileVersion;
  if (typeof version !== 'number' || version < 0 || version > 2) {
    const m = memberAt(text, ['lockfileVersion']);
    throw new LockfileError(
      `lockfileVersion ${JSON.stringify(version ?? null)} is not one ralph-guard reads (0 to 2)`,
      m ? position(m.keyStart).line : 1,
      'unsupported',
    );
  }
  const packages: LockedPackage[] = [];
  for (const [key, value] of Object.entries(data.packages)) {
    if (!Array.isArray(value) || typeof value[0] !== 'string')
      throw new LockfileError(`the entry "${key}" is not [ident, …]`, null, 'corrupt');
    const [name, spec] = splitSpec(value[0]);
    let source: Source = 'registry';
    let resolved: string | undefined;
    let integrity: string | undefined;
    let pkgVersion = spec;
    if (/^workspace:/.test(spec)) continue;
    if (/^(?:file|link):/.test(spec))
      (source = spec.startsWith('link:') ? 'link' : 'file'),
        (resolved = spec.replace(/^(?:file|link):/, '')),
        (pkgVersion = '');
    else if (/^(?:github:|gitlab:|bitbucket:|git\+|git:)/.test(spec))
      (source = 'git'), (resolved = spec), (pkgVersion = '');
    else if (/^https?:/.test(spec)) (source = 'tarball'), (resolved = spec), (pkgVersion = '');
    else {
      if (typeof value[1] === 'string' && value[1]) resolved = value[1];
      const last = value[value.length - 1];
      if (typeof last === 'string' && /^sha\d+-/.test(last)) integrity = last;
    }
    packages.push({
      name,
      version: pkgVersion,
      key,
      source,
      ...(resolved ? { resolved } : {}),
      ...(integrity ? { integrity } : {}),
    });
  }
  const direct = new Map<string, string>();
  for (const ws of Object.values(data.workspaces ?? {})) {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const [n, r] of Object.entries((ws[field] ?? {}) as Record<string, string>))
        if (!direct.has(n)) direct.set(n, r);
    }
  }
  let index: Map<string, Member> | null = null;
  return {
    format: 'bun',
    version: String(version),
    packages,
    direct,
    locate(pkg) {
      if (!index) {
        const root = memberAt(text, ['packages']);
        index = root ? members(text, root.valueStart) : new Map();
      }
      const m = index.get(pkg.key);
      return m
        ? { ...lineSpan(position, m.keyStart, m.valueEnd), column: position(m.keyStart).column }
        : { line: 1, endLine: 1 };
    },
    wanted: (pkg) => (direct.has(pkg.name) ? [direct.get(pkg.name)!] : []),
  };
}
