/**
 * `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x. The YAML parser is
 * loaded only here (and so only when a pnpm lockfile changes); a line scan
 * finds where each package's entry starts and ends.
 */
import { LockfileError, type LockedPackage, type Lockfile, type Source } from '../types.js';
import { sourceOf } from './common.js';

interface PnpmEntry {
  name?: string;
  version?: string;
  resolution?: {
    integrity?: string;
    tarball?: string;
    type?: string;
    repo?: string;
    commit?: string;
    directory?: string;
  };
  requiresBuild?: boolean;
  deprecated?: string;
  dev?: boolean;
}

interface Importer {
  specifiers?: Record<string, string>;
  dependencies?: Record<string, string | { specifier?: string; version?: string }>;
  devDependencies?: Record<string, string | { specifier?: string; version?: string }>;
  optionalDependencies?: Record<string, string | { specifier?: string; version?: string }>;
}

interface PnpmLock extends Importer {
  lockfileVersion?: string | number;
  importers?: Record<string, Importer>;
  packages?: Record<string, PnpmEntry>;
}

export async function parsePnpmLock(text: string): Promise<Lockfile> {
  const mod = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  const parse = mod.parse ?? mod.default!.parse; // bundled as CommonJS, the named export sits on default
  let data: PnpmLock;
  try {
    // logLevel: a malformed lockfile is a finding, not a YAMLWarning on the user's terminal.
    data = parse(text, { uniqueKeys: false, maxAliasCount: 1000, logLevel: 'error' }) as PnpmLock;
  } catch (e) {
    const err = e as { message?: string; linePos?: Array<{ line: number }> };
    const line = err.linePos?.[0]?.line ?? null;
    throw new LockfileError(
      `the lockfile is not valid YAML${line ? ` (line ${line})` : ''}: ${(err.message ?? String(e)).split('\n')[0]}`,
      line,
      'corrupt',
    );
  }
  if (!data || typeof data !== 'object')
    throw new LockfileError('the lockfile is empty or not a YAML mapping', 1, 'corrupt');
  const version = String(data.lockfileVersion ?? '');
  const major = Number.parseInt(version, 10);
  if (!(major >= 5 && major <= 9)) {
    const line = text.split('\n').findIndex((l) => l.startsWith('lockfileVersion')) + 1;
    throw new LockfileError(
      `lockfileVersion ${JSON.stringify(data.lockfileVersion ?? null)} is not one ralph-guard reads (5 to 9)`,
      line || 1,
      'unsupported',
    );
  }

  const spans = entrySpans(text, 'packages');
  const packages: LockedPackage[] = [];
  for (const [key, entry] of Object.entries(data.packages ?? {})) {
    const e = (entry ?? {}) as PnpmEntry;
    const [keyName, keyVersion] = splitKey(key, major);
    const res = e.resolution ?? {};
    let source: Source = 'registry';
    let resolved: string | undefined;
    if (res.type === 'git' || res.repo) (source = 'git'), (resolved = `${res.repo}#${res.commit ?? ''}`);
    else if (res.directory !== undefined) (source = 'file'), (resolved = res.directory);
    else if (res.tarball) (source = sourceOf(res.tarball)), (resolved = res.tarball);
    else if (/(?:^|@)(?:file|link):/.test(key)) source = 'file';
    const name = e.name ?? keyName;
    const pkg: LockedPackage = {
      name,
      version: e.version ?? keyVersion,
      key,
      source: source === 'tarball' && res.tarball && /\.tgz$/.test(res.tarball) && res.integrity ? 'registry' : source,
      ...(resolved ? { resolved } : {}),
      ...(res.integrity ? { integrity: res.integrity } : {}),
      ...(e.requiresBuild ? { hasInstallScript: true } : {}),
      ...(e.deprecated ? { deprecated: String(e.deprecated) } : {}),
      ...(e.dev === true ? { dev: true } : {}),
    };
    packages.push(pkg);
  }

  const direct = new Map<string, string>();
  const addImporter = (imp: Importer | undefined) => {
    if (!imp) return;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'] as const) {
      for (const [n, v] of Object.entries(imp[field] ?? {})) {
        const spec = typeof v === 'object' && v ? v.specifier : imp.specifiers?.[n];
        if (!direct.has(n)) direct.set(n, spec ?? (typeof v === 'string' ? v : ''));
      }
    }
  };
  addImporter(data);
  for (const imp of Object.values(data.importers ?? {})) addImporter(imp);

  return {
    format: 'pnpm',
    version,
    packages,
    direct,
    locate: (pkg) => spans.get(pkg.key) ?? { line: 1, endLine: 1 },
    wanted: (pkg) => (direct.has(pkg.name) ? [direct.get(pkg.name)!] : []),
  };
}

/** Name and version from a package key: `/name/1.0.0_peer` (v5), `/name@1.0.0(peer)` (v6), `name@1.0.0` (v9). */
function splitKey(key: string, major: number): [string, string] {
  let k = key.startsWith('/') ? key.slice(1) : key;
  const paren = k.indexOf('(');
  if (paren > 0) k = k.slice(0, paren);
  if (major < 6) {
    const parts = k.split('/');
    const scoped = parts[0]!.startsWith('@');
    const name = scoped ? `${parts[0]}/${parts[1]}` : parts[0]!;
    const version = (scoped ? parts[2] : parts[1]) ?? '';
    return [name, version.replace(/_.*$/, '')];
  }
  const at = k.indexOf('@', 1);
  return at < 0 ? [k, ''] : [k.slice(0, at), k.slice(at + 1)];
}

/** 1-based line spans of the entries under a top-level section, by key. */
function entrySpans(text: string, section: string): Map<string, { line: number; endLine: number }> {
  const spans = new Map<string, { line: number; endLine: number }>();
  const lines = text.split('\n');
  let inSection = false;
  let current: { line: number; endLine: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      inSection = line.startsWith(`${section}:`);
      current = null;
      continue;
    }
    if (!inSection) continue;
    const m = /^ {2}(?! )(.+?):(?:\s*\{\})?\s*$/.exec(line);
    if (m) {
      let key = m[1]!;
      if (/^(['"]).*\1$/.test(key)) key = key.slice(1, -1);
      current = { line: i + 1, endLine: i + 1 };
      spans.set(key, current);
    } else if (current) current.endLine = i + 1;
  }
  return spans;
}
