/** `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3. */
import { LockfileError, type LockedPackage, type Lockfile } from '../types.js';
import { lineSpan, parseJson, sourceOf, splitSpec, type Position } from './common.js';
import { memberAt, members, skipValue, type Member } from './json-locate.js';

export interface NpmEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  inBundle?: boolean;
  bundled?: boolean;
  hasInstallScript?: boolean;
  license?: string;
  dependencies?: Record<string, string | NpmEntry>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  requires?: Record<string, string>;
}

export interface NpmLock {
  lockfileVersion?: number;
  packages?: Record<string, NpmEntry>;
  dependencies?: Record<string, NpmEntry>;
}

const DEP_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

export function parseNpmLock(text: string, position: Position): Lockfile {
  const data = parseJson(text, 'the lockfile', position) as NpmLock;
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new LockfileError('the lockfile is not a JSON object', 1, 'corrupt');
  const version = data.lockfileVersion;
  if (version === undefined && !data.dependencies && !data.packages)
    throw new LockfileError('no lockfileVersion, packages or dependencies: this is not an npm lockfile', 1, 'corrupt');
  if (version !== undefined && ![1, 2, 3].includes(version)) {
    const line = memberAt(text, ['lockfileVersion']);
    throw new LockfileError(
      `lockfileVersion ${JSON.stringify(version)} is not one ralph-guard reads (1, 2 or 3)`,
      line ? position(line.keyStart).line : 1,
      'unsupported',
    );
  }
  const packages: LockedPackage[] = [];
  const direct = new Map<string, string>();
  // Who asks for which range is needed only to advise on a finding: collected lazily.
  let requested: Map<string, string[]> | null = null;
  const want = (name: string, range: string) => {
    const list = requested!.get(name);
    if (list) list.push(range);
    else requested!.set(name, [range]);
  };
  const collectRequested = () => {
    requested = new Map();
    if (data.packages && (version ?? 2) >= 2) {
      for (const entry of Object.values(data.packages))
        if (entry && typeof entry === 'object')
          for (const field of DEP_FIELDS)
            for (const [n, r] of Object.entries(entry[field] ?? {})) if (typeof r === 'string') want(n, r);
    } else {
      const walk = (deps: Record<string, NpmEntry> | undefined) => {
        for (const entry of Object.values(deps ?? {})) {
          if (!entry || typeof entry !== 'object') continue;
          for (const [n, r] of Object.entries(entry.requires ?? {})) want(n, r);
          walk(entry.dependencies as Record<string, NpmEntry> | undefined);
        }
      };
      walk(data.dependencies);
    }
    return requested;
  };
  const paths = new Map<LockedPackage, string[]>();

  if (data.packages && (version ?? 2) >= 2) {
    for (const [key, entry] of Object.entries(data.packages)) {
      if (!entry || typeof entry !== 'object') continue;
      const nm = key.lastIndexOf('node_modules/');
      if (nm < 0) {
        // The root ("") and workspace packages: their dependencies are the project's direct ones.
        for (const field of DEP_FIELDS)
          for (const [n, r] of Object.entries(entry[field] ?? {}))
            if (typeof r === 'string' && !direct.has(n)) direct.set(n, r);
        continue;
      }
      const pkg = packageEntry(key, entry);
      if (pkg) {
        packages.push(pkg);
        paths.set(pkg, ['packages', key]);
      }
    }
  } else {
    const walk = (deps: Record<string, NpmEntry> | undefined, path: string[], prefix: string) => {
      for (const [key, entry] of Object.entries(deps ?? {})) {
        if (!entry || typeof entry !== 'object') continue;
        const here = [...path, 'dependencies', key];
        const install = `${prefix}node_modules/${key}`;
        const pkg = npmPackage(key, install, entry);
        if (pkg) {
          packages.push(pkg);
          paths.set(pkg, here);
        }
        if (entry.dependencies) walk(entry.dependencies as Record<string, NpmEntry>, here, `${install}/`);
      }
    };
    walk(data.dependencies, [], '');
  }

  let index: Map<string, Member> | null = null;
  let keyOffsets: Map<string, number> | null = null;
  return {
    format: 'npm',
    version: String(version ?? 1),
    packages,
    direct,
    locate(pkg) {
      const path = paths.get(pkg);
      let member: Member | null | undefined = null;
      if (path && path[0] === 'packages') {
        // Install paths are unique keys of "packages": one regex pass finds every `"…node_modules/…": {` instead of walking 1 MB of JSON.
        keyOffsets ??= scanKeys(text);
        const at = keyOffsets.get(path[1]!);
        if (at !== undefined && at >= 0) {
          const valueStart = text.indexOf('{', at + path[1]!.length + 2);
          return { ...lineSpan(position, at, skipValue(text, valueStart)), column: position(at).column };
        }
        if (!index) {
          const root = memberAt(text, ['packages']);
          index = root ? members(text, root.valueStart) : new Map();
        }
        member = index.get(path[1]!);
      } else if (path) member = memberAt(text, path);
      return member
        ? { ...lineSpan(position, member.keyStart, member.valueEnd), column: position(member.keyStart).column }
        : { line: 1, endLine: 1 };
    },
    wanted: (pkg) => (requested ?? collectRequested()).get(pkg.name) ?? [],
  };
}

/** Offsets of `"<install path>": {` keys; -1 marks a key seen twice (then the structural walk decides). */
function scanKeys(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^[ \t]*"((?:[^"\\\n]|\\.)*node_modules\/(?:[^"\\\n]|\\.)*)":[ \t]*\{/gm)) {
    const key = m[1]!.includes('\\') ? (JSON.parse(`"${m[1]}"`) as string) : m[1]!;
    const at = m.index + m[0].indexOf('"');
    out.set(key, out.has(key) ? -1 : at);
  }
  return out;
}

/** The package an entry of `packages` (lockfile v2/v3) installs; null for the root, workspaces and entries without a version. */
export function packageEntry(key: string, entry: NpmEntry): LockedPackage | null {
  const nm = key.lastIndexOf('node_modules/');
  if (nm < 0) return null;
  const name = entry.name ?? key.slice(nm + 'node_modules/'.length);
  if (entry.link)
    return {
      name,
      version: entry.version ?? '',
      key,
      source: 'link',
      ...(entry.resolved ? { resolved: entry.resolved } : {}),
    };
  return npmPackage(name, key, entry);
}

function npmPackage(name: string, key: string, entry: NpmEntry): LockedPackage | null {
  let version = entry.version ?? '';
  let realName = name;
  // v1 aliases and non-registry specs live in `version`.
  if (version.startsWith('npm:')) [realName, version] = splitSpec(version.slice(4));
  const versionIsSpec = /^(?:git\+|git:|github:|file:|https?:)/.test(version);
  const resolved = entry.resolved ?? (versionIsSpec ? version : undefined);
  if (!version && !resolved) return null;
  const bundled = entry.inBundle === true || entry.bundled === true;
  const pkg: LockedPackage = {
    name: realName,
    version: versionIsSpec ? '' : version,
    key,
    source: bundled ? 'registry' : sourceOf(resolved),
  };
  if (resolved) pkg.resolved = resolved;
  // A bundled dependency ships inside its parent's tarball: the parent's integrity covers it.
  if (entry.integrity) pkg.integrity = entry.integrity;
  else if (bundled) pkg.integrity = '(bundled)';
  if (entry.hasInstallScript) pkg.hasInstallScript = true;
  if (entry.license) pkg.license = entry.license;
  if (entry.dev || entry.devOptional) pkg.dev = true;
  return pkg;
}
