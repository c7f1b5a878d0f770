/**
 * The dependencies atom's checks, loaded only when a manifest or lockfile is
 * in the change. A lockfile is judged by its diff: the packages this change
 * adds or changes (every package under --all) against advisories, the
 * policy's minimums and bans, supply-chain hygiene and, with registry data,
 * staleness. A package.json is judged by the dependency lines it changes.
 */
import { dirname, posix } from 'node:path';
import { plural } from '../words.js';
import type { CheckContext, Hit, SourceFile } from '../kit/atom.js';
import type { DependencyOptions as Options } from './types.js';
import { lineStarts, positionAt } from '../changeset/text.js';
import { AdvisoryDb, advisoryUrl, affects, atLeast, fixesAbove } from './advisories.js';
import { LOCKFILE_NAMES, lockfileKind, parseLockfile } from './lockfiles/index.js';
import { splitSpec, type Position } from './lockfiles/common.js';
import type { NpmChanges } from './lockfiles/npm-diff.js';
import { readManifest, type ManifestDependency } from './manifest.js';
import { LockfileError, SEVERITY_RANK, type Advisory, type LockedPackage, type Lockfile } from './types.js';
import { compareText, meetsMinimum, parseVersion, ranges } from './version.js';

type Ctx = CheckContext<Options>;

/** `check --online`, or `"online": true` in the dependencies options: the network may be asked. */
const isOnline = (ctx: Ctx) => ctx.online || ctx.options.online;

/** What is wrong with one package, before it is placed on a line. */
interface Problem {
  rule: string;
  /** One of the rule's messages (src/atoms/dependencies.ts) and its data. */
  messageId: string;
  data: Record<string, string | number>;
  warning?: boolean;
}

export async function checkDependencies(file: SourceFile, ctx: Ctx): Promise<Hit[]> {
  if (lockfileKind(file.path)) return checkLockfile(file, ctx);
  if (/(?:^|\/)package\.json$/.test(file.path)) return checkManifest(file, ctx);
  return [];
}

// ── Lockfiles ───────────────────────────────────────────────────────────────

async function checkLockfile(file: SourceFile, ctx: Ctx): Promise<Hit[]> {
  // git streams the old blob while the new one is parsed.
  const oldRead = ctx.readOld();
  oldRead.catch(() => {});
  const keep = ctx.mode !== 'push' && ctx.mode !== 'range';
  if (lockfileKind(file.path) === 'npm') {
    // A package-lock.json is compared as text first, and only the entries that differ are read (npm-diff.ts).
    const oldText = await oldRead;
    if (oldText !== null) {
      let quick: NpmChanges | null = null;
      try {
        quick = (await import('./lockfiles/npm-diff.js')).npmChanges(file.text, oldText, file.position);
      } catch (e) {
        if (e instanceof LockfileError) return [problemHit(file, e)];
        quick = null; // anything unexpected: the full read below decides
      }
      if (quick) {
        if (keep) current.set(file.path, Promise.resolve(quick.lock));
        return judgeLockfile(file, ctx, quick.lock, quick.touched, quick.before);
      }
    }
  }
  let lock: Lockfile;
  try {
    const parsing = cachedParse(file.path, file.text, file.position);
    if (keep) current.set(file.path, parsing);
    lock = await parsing;
  } catch (e) {
    if (e instanceof LockfileError) return [problemHit(file, e)];
    throw e;
  }
  const oldText = await oldRead;
  let old: Lockfile | null = null;
  if (oldText !== null) {
    try {
      old = await cachedParse(file.path, oldText, positionIn(oldText));
    } catch {
      old = null; // a broken old lockfile: judge every package of the new one
    }
  }
  return judgeLockfile(file, ctx, lock, lock.packages, old?.packages ?? []);
}

/**
 * Judges what a lockfile change brings: of `packages` (every package of the new lockfile, or those of the entries
 * the change touched), the ones whose identity `before` (the old lockfile's packages, or those sharing a name with
 * the touched ones) lacks, and the ones whose integrity hash changed.
 */
async function judgeLockfile(
  file: SourceFile,
  ctx: Ctx,
  lock: Lockfile,
  packages: readonly LockedPackage[],
  previous: readonly LockedPackage[],
): Promise<Hit[]> {
  const { changed, integrity } = lockfileChanges(packages, previous);
  const problems = new Map<LockedPackage, Problem[]>();
  const add = (pkg: LockedPackage, problem: Problem) => problems.set(pkg, [...(problems.get(pkg) ?? []), problem]);
  for (const { pkg, prev } of integrity)
    add(pkg, {
      rule: 'integrity-changed',
      messageId: 'changed',
      data: { package: `${pkg.name}@${pkg.version}`, was: short(prev.integrity), now: short(pkg.integrity) },
    });
  if (!changed.length && !problems.size) return [];

  const direct = lock.direct.size ? lock.direct : await manifestDirect(file.path, ctx);
  const judge = await judgeContext(ctx, file.path);
  await queryOnline(judge, changed);
  const unchecked = judge.db
    ? []
    : changed.filter((p) => p.source === 'registry' && !judge.online.has(`${p.name}@${p.version}`));
  for (const pkg of changed) {
    for (const problem of await judgePackage(pkg, {
      ...judge,
      lock,
      direct: direct.has(pkg.name) ? direct.get(pkg.name)! : null,
      lockPath: file.path,
    }))
      add(pkg, problem);
  }
  await staleness(changed, direct, ctx, add, lock);

  const hits: Hit[] = [];
  for (const [pkg, list] of problems) {
    const { line, endLine, column = indentOf(file, line) } = lock.locate(pkg);
    for (const p of list)
      hits.push({
        rule: p.rule,
        line,
        column,
        ...(endLine > line ? { endLine } : {}),
        messageId: p.messageId,
        data: p.data,
        ...(p.warning ? { severity: 'warning' as const } : {}),
      });
  }
  // A change (commit, push, range, working change) says it as a warning; an audit of the whole tree (--all) as a note.
  if (unchecked.length && ctx.mode !== 'all') hits.push(uncheckedHit(unchecked, lock, ctx));
  else if (unchecked.length)
    ctx.note(
      `dependencies: no advisory database, so known advisories were not checked for ${unchecked.length} package(s); run \`ralph-guard db update\` (the other dependency checks ran).`,
    );
  return groupLockfileWide(hits);
}

/** Problems of a whole lockfile with one fix (regenerate it): one finding with the count and each place, not one per package. */
const LOCKFILE_WIDE = new Set(['weak-integrity', 'missing-integrity']);

function groupLockfileWide(hits: Hit[]): Hit[] {
  const out: Hit[] = [];
  for (const rule of LOCKFILE_WIDE) {
    const same = hits.filter((h) => h.rule === rule);
    if (same.length < 2) continue;
    const shown = same.slice(0, 10).map((h) => `${h.data?.package} (line ${h.line})`);
    out.push({
      ...same[0]!,
      messageId: 'many',
      data: {
        count: same.length,
        places: `${shown.join(', ')}${same.length > 10 ? `, and ${same.length - 10} more` : ''}`,
      },
      flow: same.slice(1).map((h) => h.line),
    });
  }
  const grouped = new Set(out.map((h) => h.rule));
  return [...hits.filter((h) => !grouped.has(h.rule)), ...out];
}

/**
 * Packages no advisory source could judge (no local database, no answer from
 * OSV): a visible warning on the first of them, never a silent pass. In CI
 * (`CI` set, or `--range`) the rule is `advisories-required` and `check`
 * exits 3, unless the policy says `"requireAdvisories": false`.
 */
function uncheckedHit(unchecked: LockedPackage[], lock: Lockfile, ctx: Ctx): Hit {
  const ci = (!!process.env.CI && process.env.CI !== 'false') || ctx.mode === 'range';
  const required = ci && ctx.options.requireAdvisories;
  const n = unchecked.length;
  const what = `${n} package${n === 1 ? '' : 's'} this change adds or moves (${unchecked
    .slice(0, 3)
    .map((p) => `${p.name}@${p.version}`)
    .join(', ')}${n > 3 ? ', …' : ''}) ${n === 1 ? 'was' : 'were'} not checked for known advisories`;
  const why = isOnline(ctx)
    ? 'no local advisory database and no answer from the OSV API'
    : 'no local advisory database and no network (--online)';
  const { line, endLine, column = 1 } = lock.locate(unchecked[0]!);
  return {
    rule: required ? 'advisories-required' : 'advisories-unchecked',
    line,
    column,
    ...(endLine > line ? { endLine } : {}),
    severity: 'warning',
    messageId: 'unchecked',
    data: { what, why },
  };
}

/**
 * Of `packages`, those whose identity `previous` lacks (once per identity), and those whose integrity hash differs
 * from the old entry of the same identity (the same install path when there is one, else the last copy).
 */
export function lockfileChanges(
  packages: readonly LockedPackage[],
  previous: readonly LockedPackage[],
): { changed: LockedPackage[]; integrity: Array<{ pkg: LockedPackage; prev: LockedPackage }> } {
  const before = new Map<string, LockedPackage[]>();
  for (const p of previous) {
    const id = identity(p);
    const list = before.get(id);
    if (list) list.push(p);
    else before.set(id, [p]);
  }
  const changed: LockedPackage[] = [];
  const integrity: Array<{ pkg: LockedPackage; prev: LockedPackage }> = [];
  const seen = new Set<string>();
  for (const pkg of packages) {
    if (pkg.source === 'workspace') continue;
    const id = identity(pkg);
    const earlier = before.get(id);
    if (!earlier) {
      if (!seen.has(id)) changed.push(pkg);
      seen.add(id);
      continue;
    }
    const prev = earlier.find((p) => p.key === pkg.key) ?? earlier[earlier.length - 1]!;
    if (integrityDiffers(prev.integrity, pkg.integrity)) integrity.push({ pkg, prev });
  }
  return { changed, integrity };
}

/** A package's identity across versions of a lockfile: name, version, and where it comes from unless that is the registry. */
function identity(p: LockedPackage): string {
  return `${p.name}@${p.version}|${p.source === 'registry' ? '' : `${p.source}:${p.resolved ?? ''}`}`;
}

function short(integrity: string | undefined): string {
  return integrity ? (integrity.length > 24 ? integrity.slice(0, 20) + '…' : integrity) : 'none';
}

/** True when both record a digest of the same algorithm and the digests differ (an upgrade sha1 → sha512 is not a change). */
function integrityDiffers(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a === b) return false;
  const digests = (s: string) => {
    const map = new Map<string, string>();
    for (const token of s.trim().split(/\s+/)) {
      const m = /^(checksum-[^/]+|sha\d+)[-/](.+)$/.exec(token);
      if (m) map.set(m[1]!, m[2]!.replace(/\?.*$/, ''));
    }
    return map;
  };
  const x = digests(a);
  const y = digests(b);
  for (const [alg, digest] of x) if (y.has(alg) && y.get(alg) !== digest) return true;
  return false;
}

/** A corrupt or unsupported lockfile (or manifest) as one finding that covers the whole file, so the filter keeps it. */
function problemHit(file: SourceFile, e: LockfileError): Hit {
  const last = Math.max(1, file.lines().length);
  const manifest = /package\.json$/.test(file.path);
  const rule = e.kind === 'unsupported' ? 'unsupported-lockfile' : manifest ? 'corrupt-manifest' : 'corrupt-lockfile';
  const at = e.line && e.line >= 1 && e.line <= last ? e.line : 1;
  // The error line when this change added it; otherwise the whole file, so a break anywhere is reported.
  return file.isAdded(at)
    ? { rule, line: at, column: 1, messageId: 'unreadable', data: { file: file.path, error: e.message } }
    : { rule, line: 1, column: 1, endLine: last, messageId: 'unreadable', data: { file: file.path, error: e.message } };
}

/** Column of the first non-blank character of a line, without splitting a 1 MB file into lines. */
function indentOf(file: SourceFile, line: number): number {
  let start = 0;
  for (let n = 1; n < line && start >= 0; n++) start = file.text.indexOf('\n', start) + 1 || -1;
  if (start < 0) return 1;
  let i = start;
  while (file.text[i] === ' ' || file.text[i] === '\t') i++;
  return i - start + 1;
}

function positionIn(text: string): Position {
  let starts: number[] | undefined;
  return (offset) => positionAt((starts ??= lineStarts(text)), offset);
}

const parsed = new Map<string, Map<string, Promise<Lockfile>>>();
/**
 * The new side of each lockfile already checked in this run, for its package.json to reuse without reading
 * 1 MB again. Only where a run sees one revision of each file (not push or range: several commits).
 */
const current = new Map<string, Promise<Lockfile>>();
/** One parse per lockfile text per run: the lockfile and its package.json both need it. */
function cachedParse(path: string, text: string, position: Position): Promise<Lockfile> {
  let byText = parsed.get(path);
  if (!byText) parsed.set(path, (byText = new Map()));
  let p = byText.get(text);
  if (!p) {
    p = parseLockfile(path, text, position);
    byText.set(text, p);
    p.catch(() => byText!.delete(text));
  }
  return p;
}

async function manifestDirect(lockPath: string, ctx: Ctx): Promise<Map<string, string>> {
  const dir = dirname(lockPath);
  const text = await ctx.project.read(dir === '.' ? 'package.json' : `${dir}/package.json`);
  const direct = new Map<string, string>();
  if (!text) return direct;
  try {
    for (const d of readManifest(text, positionIn(text)).dependencies)
      if (!direct.has(d.name)) direct.set(d.name, d.spec);
  } catch {
    // a broken manifest is reported when it is itself checked
  }
  return direct;
}

// ── Judging one package ─────────────────────────────────────────────────────

interface Judge {
  ctx: Ctx;
  db: AdvisoryDb | null;
  online: Map<string, Advisory[]>;
  trustedHosts: () => Promise<string[]>;
}

let openedDb: { db: AdvisoryDb | null; error?: string } | null = null;

async function judgeContext(ctx: Ctx, lockPath: string): Promise<Judge> {
  if (!openedDb) {
    try {
      openedDb = { db: AdvisoryDb.open() };
    } catch (e) {
      openedDb = { db: null, error: (e as Error).message };
    }
  }
  const { db, error } = openedDb;
  if (error)
    ctx.note(
      `dependencies: the advisory database is unreadable (${error}); run \`ralph-guard db update\`. Known-advisory checks were skipped.`,
    );
  else if (!db && isOnline(ctx))
    ctx.note(
      'dependencies: no local advisory database; known advisories come from the OSV API only (run `ralph-guard db update` for offline checks).',
    );
  // With neither a database nor the network, the lockfile check says so as a warning finding (advisories-unchecked).
  else if (db && db.ageDays() > ctx.options.maxDbAgeDays) {
    ctx.note(
      `dependencies: warning: the advisory database is ${Math.floor(db.ageDays())} days old (policy: ${ctx.options.maxDbAgeDays}); run \`ralph-guard db update\`.`,
    );
  }
  let hosts: Promise<string[]> | null = null;
  return {
    ctx,
    db,
    online: new Map(),
    trustedHosts: () => (hosts ??= trustedRegistryHosts(ctx, lockPath)),
  };
}

async function trustedRegistryHosts(ctx: Ctx, lockPath: string): Promise<string[]> {
  const { readNpmConfig } = await import('./npm-config.js');
  const dir = dirname(lockPath);
  const npmrc = (dir !== '.' ? await ctx.project.read(`${dir}/.npmrc`) : null) ?? (await ctx.project.read('.npmrc'));
  const config = readNpmConfig(npmrc);
  const hosts = [
    'registry.npmjs.org',
    'registry.yarnpkg.com',
    ...[config.registry, ...Object.values(config.scopes)].map(hostOf),
  ];
  return [...new Set(hosts.filter(Boolean) as string[])];
}

function hostOf(url: string): string | null {
  try {
    return new URL(url.replace(/^git\+/, '').replace(/^git@([^:]+):/, 'ssh://$1/')).hostname;
  } catch {
    return null;
  }
}

function allowedByHostList(url: string, allowed: readonly string[]): boolean {
  const host = hostOf(url);
  return allowed.some((a) => (a.includes('/') ? url.replace(/^git\+/, '').startsWith(a) : host === a));
}

async function judgePackage(
  pkg: LockedPackage,
  j: Judge & { lock: Lockfile | null; direct: string | null; lockPath: string },
): Promise<Problem[]> {
  const o = j.ctx.options;
  const out: Problem[] = [];
  const label = pkg.version ? `${pkg.name}@${pkg.version}` : pkg.name;

  const ban = o.banned[pkg.name];
  if (
    ban &&
    (!ban.versions ||
      (pkg.version && (await ranges()).satisfies(pkg.version, ban.versions, { loose: true, includePrerelease: true })))
  ) {
    out.push({
      rule: 'banned-package',
      messageId: `${ban.alternative ? 'bannedUse' : 'banned'}${j.direct === null ? 'Transitive' : ''}`,
      data: { package: label, reason: ban.reason, ...(ban.alternative ? { alternative: ban.alternative } : {}) },
      ...(j.direct === null ? { warning: true } : {}),
    });
  }
  const minimum = o.minimum[pkg.name];
  if (
    minimum &&
    pkg.version &&
    validMinimum(minimum.range, pkg.name, j.ctx) &&
    !(await meetsMinimum(pkg.version, minimum.range))
  ) {
    out.push({
      rule: 'below-minimum',
      messageId: 'locked',
      data: { package: label, range: minimum.range, reason: minimum.reason },
    });
  }

  {
    for (const a of advisoriesFor(pkg, j)) {
      const aliases = (a.aliases ?? []).filter((x) => x !== a.id);
      const fix = await fixAdvice(a, pkg, j);
      out.push({
        rule: 'known-advisory',
        messageId: 'advisory',
        data: {
          package: label,
          id: `${a.id}${aliases.length ? ` (${aliases.join(', ')})` : ''}`,
          severity: `${a.severity}${a.score !== undefined ? ` ${a.score}` : ''}`,
          summary: a.summary,
          fix,
          url: advisoryUrl(a.id),
        },
        ...(atLeast(a.severity, o.failOn) ? {} : { warning: true }),
      });
    }
  }

  const allowed = o.allowedHosts;
  if (pkg.source === 'git' && !(pkg.resolved && allowedByHostList(pkg.resolved, allowed))) {
    out.push({
      rule: 'git-source',
      messageId: 'installed',
      data: { package: pkg.name, source: pkg.resolved ?? 'a git URL' },
    });
  } else if (pkg.source === 'tarball' && !(pkg.resolved && allowedByHostList(pkg.resolved, allowed))) {
    out.push({
      rule: 'tarball-source',
      messageId: 'installed',
      data: { package: pkg.name, source: pkg.resolved ?? '' },
    });
  } else if ((pkg.source === 'file' || pkg.source === 'link') && pkg.resolved) {
    const target = posix.normalize(posix.join(posix.dirname(j.lockPath), pkg.resolved.replace(/^(?:file|link):/, '')));
    if (target === '..' || target.startsWith('../') || posix.isAbsolute(pkg.resolved.replace(/^(?:file|link):/, ''))) {
      out.push({
        rule: 'local-outside-workspace',
        messageId: 'linked',
        data: { package: pkg.name, path: pkg.resolved },
      });
    }
  } else if (pkg.source === 'registry') {
    if (pkg.resolved && /^https?:\/\//.test(pkg.resolved) && !allowedByHostList(pkg.resolved, allowed)) {
      const host = hostOf(pkg.resolved);
      if (host && !(await j.trustedHosts()).includes(host)) {
        out.push({
          rule: 'untrusted-registry',
          messageId: 'resolves',
          data: { package: label, host },
        });
      }
    }
    if (!pkg.integrity)
      out.push({
        rule: 'missing-integrity',
        messageId: 'none',
        data: { package: label },
      });
    else if (!/(?:^|\s)(?:sha(?:256|384|512)-|checksum-)/.test(pkg.integrity) && /(?:^|\s)sha1-/.test(pkg.integrity)) {
      out.push({ rule: 'weak-integrity', messageId: 'sha1', data: { package: label }, warning: true });
    }
  }

  if (pkg.hasInstallScript && o.installScripts !== 'off' && !o.allowInstallScripts.includes(pkg.name)) {
    out.push({
      rule: 'install-script',
      messageId: 'runs',
      data: { package: label },
      ...(o.installScripts === 'warn' ? { warning: true } : {}),
    });
  }
  if (o.allowedLicenses && pkg.license && !licenseAllowed(pkg.license, o.allowedLicenses)) {
    out.push({
      rule: 'license-not-allowed',
      messageId: 'licensed',
      data: { package: label, license: pkg.license, allowed: o.allowedLicenses.join(', ') },
    });
  }
  return out;
}

function validMinimum(range: string, name: string, ctx: Ctx): boolean {
  if (/^[\s\d.<>=^~|xX*v-]+$/.test(range) && /\d/.test(range)) return true;
  ctx.note(`dependencies: minimum.${name} "${range}" is not a semver range; it was not applied.`);
  return false;
}

async function bannedRangeOverlaps(spec: string, versions: string): Promise<boolean> {
  const semver = await ranges();
  const range = semver.validRange(spec, { loose: true });
  return range !== null && semver.intersects(range, versions, { loose: true, includePrerelease: true });
}

/** The advisories affecting this exact version (local database and, with --online, the OSV API), minus ignored ones. */
function advisoriesFor(pkg: LockedPackage, j: Judge): Advisory[] {
  if (!pkg.version || !parseVersion(pkg.version)) return [];
  const list = new Map<string, Advisory>();
  for (const a of j.db?.lookup(pkg.name) ?? []) if (affects(a, pkg.version)) list.set(a.id, a);
  for (const a of j.online.get(`${pkg.name}@${pkg.version}`) ?? [])
    if (!list.has(a.id) && affects(a, pkg.version)) list.set(a.id, a);
  return [...list.values()].filter((a) => !ignored(a, j.ctx.options.ignoreAdvisories));
}

/**
 * The lowest fixed version above the current one that none of `found` affects,
 * preferring one that no other known advisory of the package affects either.
 */
export function fixesAll(found: Advisory[], all: Advisory[], version: string): string | null {
  const candidates = [...new Set([...found, ...all].flatMap((a) => fixesAbove(a, version)))].sort(compareText);
  const clean = (v: string, list: Advisory[]) => !list.some((a) => affects(a, v));
  return candidates.find((v) => clean(v, all)) ?? candidates.find((v) => clean(v, found)) ?? null;
}

/** With --online, asks the OSV API about these packages (cached a day; failures become a note). */
async function queryOnline(j: Judge, pkgs: LockedPackage[]): Promise<void> {
  if (!isOnline(j.ctx)) return;
  const wanted = pkgs.filter((p) => p.source === 'registry' && parseVersion(p.version)).slice(0, 5000);
  if (!wanted.length) return;
  const { queryOsv } = await import('./osv-api.js');
  const { found, failed } = await queryOsv(wanted.map((p) => ({ name: p.name, version: p.version })));
  for (const [key, list] of found) j.online.set(key, list);
  if (failed.length)
    j.ctx.note(
      `dependencies: the OSV API did not answer for ${failed.length} package(s) (${failed[0]}${failed.length > 1 ? '; …' : ''}); the local database was used.`,
    );
}

function ignored(a: Advisory, ignore: Record<string, string>): boolean {
  return Object.hasOwn(ignore, a.id) || (a.aliases ?? []).some((x) => Object.hasOwn(ignore, x));
}

/** SPDX expressions: an OR needs one allowed side, an AND needs both. */
export function licenseAllowed(expression: string, allowed: readonly string[]): boolean {
  const clean = expression.replace(/[()]/g, ' ').trim();
  return clean
    .split(/\s+OR\s+/i)
    .some((alt) => alt.split(/\s+AND\s+/i).every((l) => allowed.includes(l.trim().replace(/\+$/, ''))));
}

/** "Fixed in X, which your range allows: …" or "… outside your range …", or that no fix exists. */
async function fixAdvice(
  a: Advisory,
  pkg: LockedPackage,
  j: { lock: Lockfile | null; direct: string | null },
): Promise<string> {
  const fixes = fixesAbove(a, pkg.version);
  if (!fixes.length) return 'No fixed version is published: remove the package or replace it.';
  const wanted = [...new Set([...(j.direct ? [j.direct] : []), ...(j.lock?.wanted(pkg) ?? [])])];
  const semver = await ranges();
  const ownRanges = wanted.filter(
    (r) =>
      semver.validRange(r, { loose: true }) &&
      semver.satisfies(pkg.version, r, { loose: true, includePrerelease: true }),
  );
  const update = updateCommand(j.lock?.format, pkg.name);
  for (const fix of fixes) {
    const within = ownRanges.find((r) => semver.satisfies(fix, r, { loose: true, includePrerelease: true }));
    if (within) return `Fixed in ${fix}, which your range ${within} allows: \`${update}\` to lock it.`;
  }
  const lowest = fixes[0]!;
  const range = ownRanges[0] ?? (j.direct ? j.direct : null);
  return range
    ? `Fixed in ${lowest}, outside your range ${range}: require >= ${lowest} (for example "^${lowest}")${j.direct === null ? ' in the dependency that pulls it in, or with an override' : ''}.`
    : `Fixed in ${lowest}: upgrade to >= ${lowest}.`;
}

function updateCommand(format: Lockfile['format'] | undefined, name: string): string {
  switch (format) {
    case 'yarn-berry':
      return `yarn up -R ${name}`;
    case 'yarn-classic':
      return `yarn upgrade ${name}`;
    case 'pnpm':
      return `pnpm update ${name}`;
    case 'bun':
      return `bun update ${name}`;
    default:
      return `npm update ${name}`;
  }
}

// ── Staleness, from registry metadata ───────────────────────────────────────

async function staleness(
  changed: LockedPackage[],
  direct: Map<string, string>,
  ctx: Ctx,
  add: (pkg: LockedPackage, p: Problem) => void,
  lock: Lockfile,
): Promise<void> {
  const o = ctx.options;
  const registryPkgs = changed.filter((p) => p.source === 'registry' && parseVersion(p.version));
  for (const p of registryPkgs) {
    if (p.deprecated)
      add(p, {
        rule: 'deprecated',
        messageId: 'deprecated',
        data: { package: `${p.name}@${p.version}`, reason: p.deprecated },
        ...(direct.has(p.name) ? {} : { warning: true }),
      });
  }
  if (!registryPkgs.length) return;
  const { cachedMeta, refreshMeta } = await import('./npm-registry.js');
  const names = [...new Set(registryPkgs.map((p) => p.name))];
  const meta = cachedMeta(names);
  if (isOnline(ctx)) {
    const stale = names
      .filter((n) => !meta.has(n) || Date.now() - meta.get(n)!.fetchedAt > 24 * 3600 * 1000)
      .slice(0, 300);
    if (stale.length) {
      const { meta: fresh, failed } = await refreshMeta(stale, { timeoutMs: 8_000 });
      for (const [n, m] of fresh) meta.set(n, m);
      if (failed.length)
        ctx.note(
          `dependencies: registry metadata unavailable for ${failed.length} package(s) (${failed[0]!.error}${failed.length > 1 ? ', …' : ''}); staleness not checked for them.`,
        );
    }
  } else if (!meta.size) {
    ctx.note(
      'dependencies: no registry metadata cached, so deprecation and staleness were not checked; run `check --online` or `ralph-guard db update`.',
    );
    return;
  }
  const now = Date.now();
  for (const p of registryPkgs) {
    const m = meta.get(p.name);
    if (!m) continue;
    const isDirect = direct.has(p.name);
    const message = m.deprecated[p.version];
    if (message && !p.deprecated)
      add(p, {
        rule: 'deprecated',
        messageId: 'deprecated',
        data: { package: `${p.name}@${p.version}`, reason: message },
        ...(isDirect ? {} : { warning: true }),
      });
    const published = m.time[p.version];
    if (published !== undefined && o.minReleaseAgeDays > 0 && now - published < o.minReleaseAgeDays * 86_400_000) {
      const hours = Math.max(1, Math.round((now - published) / 3_600_000));
      add(p, {
        rule: 'too-new',
        messageId: 'published',
        data: { package: `${p.name}@${p.version}`, hours, days: o.minReleaseAgeDays },
        warning: true,
      });
    }
    if (!isDirect) continue;
    const latest = m.latest ? parseVersion(m.latest) : null;
    const current = parseVersion(p.version);
    if (latest && current && latest.major - current.major >= o.maxMajorsBehind) {
      add(p, {
        rule: 'majors-behind',
        messageId: 'behind',
        data: {
          package: `${p.name}@${p.version}`,
          majors: latest.major - current.major,
          latest: m.latest!,
          policy: o.maxMajorsBehind,
        },
      });
    }
    const last = Math.max(0, ...Object.values(m.time));
    if (last && now - last > o.maxAgeMonths * 30.44 * 86_400_000) {
      add(p, {
        rule: 'unmaintained',
        messageId: 'noRelease',
        data: { package: p.name, months: Math.floor((now - last) / (30.44 * 86_400_000)), policy: o.maxAgeMonths },
        warning: true,
      });
    }
  }
  void lock;
}

// ── package.json ────────────────────────────────────────────────────────────

async function checkManifest(file: SourceFile, ctx: Ctx): Promise<Hit[]> {
  let deps: ManifestDependency[];
  try {
    deps = readManifest(file.text, file.position).dependencies;
  } catch (e) {
    if (e instanceof LockfileError) return [problemHit(file, e)];
    throw e;
  }
  const oldText = await ctx.readOld();
  const before = new Map<string, string>();
  if (oldText) {
    try {
      for (const d of readManifest(oldText, positionIn(oldText)).dependencies)
        before.set(`${d.field}\0${d.name}`, d.spec);
    } catch {
      // an unreadable old manifest: every dependency counts as changed
    }
  }
  const changed = deps.filter((d) => before.get(`${d.field}\0${d.name}`) !== d.spec);
  if (!changed.length) return [];

  const o = ctx.options;
  const hits: Hit[] = [];
  const hit = (d: ManifestDependency, rule: string, messageId: string, data: Hit['data'], warning = false) =>
    hits.push({
      rule,
      line: d.line,
      column: d.column,
      messageId,
      data: data ?? {},
      ...(warning ? { severity: 'warning' as const } : {}),
    });
  const dir = posix.dirname(file.path);

  for (const d of changed) {
    const [name, spec] = d.spec.startsWith('npm:') ? splitSpec(d.spec.slice(4)) : [d.name, d.spec];
    const ban = o.banned[name];
    if (ban && (!ban.versions || (await bannedRangeOverlaps(spec, ban.versions))))
      hit(d, 'banned-package', ban.alternative ? 'bannedUse' : 'banned', {
        package: name,
        reason: ban.reason,
        alternative: ban.alternative ?? '',
      });
    if (/^(?:git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(spec) || /^[\w.-]+\/[\w.-]+(?:#.*)?$/.test(spec)) {
      if (!allowedByHostList(spec, o.allowedHosts)) hit(d, 'git-source', 'declared', { package: d.name, source: spec });
    } else if (/^https?:\/\//.test(spec)) {
      if (!allowedByHostList(spec, o.allowedHosts))
        hit(d, 'tarball-source', 'declared', { package: d.name, source: spec });
    } else if (/^(?:file|link):/.test(spec)) {
      const path = spec.replace(/^(?:file|link):/, '');
      const target = posix.normalize(posix.join(dir, path));
      if (posix.isAbsolute(path) || target === '..' || target.startsWith('../'))
        hit(d, 'local-outside-workspace', 'declared', { package: d.name, path });
    } else if (o.minimum[name] && d.field !== 'peerDependencies') {
      const semver = await ranges();
      const range = semver.validRange(spec, { loose: true });
      const min = o.minimum[name]!;
      if (range && !semver.intersects(range, min.range, { loose: true, includePrerelease: true })) {
        hit(d, 'below-minimum', 'declared', { package: name, spec, range: min.range, reason: min.reason });
      }
    }
  }

  // What the lockfile resolved these to: advisories point at this line too, for direct dependencies.
  const lockPath = await findLockfile(dir, ctx);
  const installable = changed.filter((d) => d.field !== 'peerDependencies');
  if (lockPath && installable.length) {
    if (!ctx.changes(lockPath)) {
      for (const d of installable)
        hit(d, 'lockfile-not-updated', 'notUpdated', { package: d.name, lockfile: lockPath }, true);
    } else {
      let lock: Lockfile | null = null;
      try {
        const known = current.get(lockPath);
        const text = known ? null : await ctx.project.read(lockPath);
        lock = known ? await known : text ? await cachedParse(lockPath, text, positionIn(text)) : null;
      } catch {
        lock = null; // reported on the lockfile itself
      }
      if (lock) {
        const judge = await judgeContext(ctx, lockPath);
        await queryOnline(
          judge,
          installable.map((d) => resolvedDirect(lock!, d)).filter((p): p is LockedPackage => p !== null),
        );
        for (const d of installable) {
          const pkg = resolvedDirect(lock, d);
          if (!pkg || pkg.source !== 'registry') continue;
          const found = advisoriesFor(pkg, judge);
          if (!found.length) continue;
          // One line per dependency: the lockfile has the details, advisory by advisory.
          const worst = found.reduce(
            (w, a) => (SEVERITY_RANK[a.severity] > SEVERITY_RANK[w] ? a.severity : w),
            found[0]!.severity,
          );
          const target = fixesAll(
            found,
            [...(judge.db?.lookup(pkg.name) ?? []), ...(judge.online.get(`${pkg.name}@${pkg.version}`) ?? [])].filter(
              (a) => !ignored(a, o.ignoreAdvisories),
            ),
            pkg.version,
          );
          const semver = await ranges();
          const advice = !target
            ? 'No version fixes them all: replace the package.'
            : semver.validRange(d.spec, { loose: true }) &&
                semver.satisfies(target, d.spec, { loose: true, includePrerelease: true })
              ? `${target} fixes them all and your range ${d.spec} allows it: \`${updateCommand(lock.format, d.name)}\`.`
              : `${target} fixes them all, outside your range ${d.spec}: require "^${target}" (or >= ${target}).`;
          hit(
            d,
            'known-advisory',
            'locked',
            {
              package: `${pkg.name}@${pkg.version}`,
              lockfile: lockPath,
              count: plural(found.length, 'known advisory', 'known advisories'),
              worst,
              ids: found.map((a) => a.id).join(', '),
              advice,
            },
            !found.some((a) => atLeast(a.severity, o.failOn)),
          );
        }
      }
    }
  }
  return hits;
}

/** The nearest lockfile at or above the manifest's directory. */
async function findLockfile(dir: string, ctx: Ctx): Promise<string | null> {
  let d = dir;
  for (;;) {
    for (const name of LOCKFILE_NAMES) {
      const path = d === '.' ? name : `${d}/${name}`;
      if (ctx.changes(path) || (await ctx.project.read(path)) !== null) return path;
    }
    if (d === '.' || d === '') return null;
    d = posix.dirname(d);
  }
}

/** The lockfile entry a direct dependency installs: the top-level copy, else the one its range resolved to. */
function resolvedDirect(lock: Lockfile, d: ManifestDependency): LockedPackage | null {
  const name = d.spec.startsWith('npm:') ? splitSpec(d.spec.slice(4))[0] : d.name;
  const top = lock.byKey?.(`node_modules/${d.name}`);
  if (top && top.name === name && top.version) return top;
  const candidates = lock.packages.filter((p) => p.name === name && p.version);
  if (!candidates.length) return null;
  const atTop = candidates.find((p) => p.key === `node_modules/${d.name}` || p.key === d.name);
  if (atTop) return atTop;
  const byRange = candidates.find((p) => lock.wanted(p).includes(d.spec.replace(/^npm:[^@]+@/, '')));
  return byRange ?? candidates.sort((a, b) => compareText(b.version, a.version))[0]!;
}
