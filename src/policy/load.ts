/**
 * The hot path of policy loading (DESIGN §9.1: the judge comes from the
 * base, not from the change). The policy that judges a change is the one
 * committed where the change starts (`source.ts`), read from git objects —
 * never from the working tree, so editing, staging or committing a policy
 * change cannot switch the guard off for that change. The validated policy is
 * kept in a signed cache entry with the exact text of every file it was built
 * from: a cache hit still compares the text git gives, so a cache file can
 * only save time, never add or remove a check. Only a new policy text pays
 * for cosmiconfig and zod (`validate.ts`).
 *
 * Where the change leaves the policy and the baseline is read too, and
 * compared (`review.ts`) only when their text differs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { cacheDir, readCacheFile, writeCacheFile } from '../cache.js';
import { UsageError } from '../errors.js';
import type { Finding } from '../findings.js';
import { BlobReader } from '../git/git.js';
import type { ChangeSetRequest } from '../changeset/changeset.js';
import { isProgram, SEARCH_PLACES, type Policy } from './policy.js';
import {
  diskTree,
  readLayer,
  EMPTY,
  findPolicyIn,
  gitTree,
  judgeRevisions,
  ralphKey,
  type FoundFile,
  type PolicyTree,
} from './source.js';
import type { Source } from './validate.js';

declare const RALPH_GUARD_VERSION: string;
declare const RALPH_GUARD_BUILD: string;
const VERSION = typeof RALPH_GUARD_VERSION === 'string' ? `${RALPH_GUARD_VERSION}+${RALPH_GUARD_BUILD}` : 'dev';

interface CacheEntry {
  version: string;
  /** Every file the policy was built from, with its exact text: a policy is a few hundred bytes, so comparing text is cheaper than hashing it. */
  sources: Source[];
  policy: Policy;
}

export interface LoadOptions {
  cwd: string;
  root: string;
  /** `--config FILE`: a policy file on disk, named explicitly (CI); it replaces the committed one. */
  configFile?: string | undefined;
  /** The change being judged (mode, range, push input); absent: the policy committed at HEAD. */
  request?: ChangeSetRequest | undefined;
  /** Whether a JavaScript or TypeScript policy may run (check and the hooks); the reading commands pass false. */
  runPrograms?: boolean;
  /** A blob reader to share (the engine's, which reads the change's files too); its owner closes it. */
  reader?: BlobReader;
}

/** The policy that judges, the baseline it accepts, and what the change does to either. */
export interface Judge {
  policy: Policy;
  /** The baseline file's text where the policy comes from, or null. */
  baseline: { file: string; text: string } | null;
  /** Findings (a weakened policy, a grown baseline) and notes about the change to the policy. */
  review: { findings: Finding[]; notes: string[] };
  /** The commit the change starts from, whose policy judges it (null: none, the recommended policy). */
  base: string | null;
}

/** The policy committed where the change starts (see `Judge`). */
export async function loadPolicy(opts: LoadOptions): Promise<Policy> {
  return (await loadJudge({ ...opts, review: false })).policy;
}

export async function loadJudge(opts: LoadOptions & { review?: boolean }): Promise<Judge> {
  const root = resolve(opts.root);
  const reader = opts.reader ?? new BlobReader(root);
  try {
    const revisions = opts.request ? await judgeRevisions(root, opts.request) : { base: 'HEAD', after: [] as string[] };
    const base = revisions.base ? gitTree(reader, revisions.base, describeRev(revisions.base, opts.request)) : EMPTY;
    const dir = relative(root, resolve(opts.cwd)).split(sep).join('/');
    const inside = dir !== '..' && !dir.startsWith('../');

    let policy: Policy;
    let sources: Source[];
    if (opts.configFile) {
      ({ policy, sources } = await fromConfigFile(opts));
    } else {
      const found = await findPolicyIn(base, inside ? dir : '');
      ({ policy, sources } = await validated(found, base, root, opts.runPrograms ?? true));
    }

    const baselineText = await readBaseline(base, root, policy.baseline);
    const baseline = baselineText === null ? null : { file: policy.baseline, text: baselineText };
    const review = { findings: [] as Finding[], notes: [] as string[] };
    if (opts.review !== false && !opts.configFile) {
      for (const after of revisions.after) {
        const tree =
          after === 'worktree'
            ? diskTree(root)
            : after === ''
              ? gitTree(reader, '', 'the index')
              : gitTree(reader, after, `commit ${after.slice(0, 10)}`);
        const found = await findPolicyIn(tree, inside ? dir : '');
        const afterSources = await Promise.all(sources.map((s) => (s.disk ? s.text : readLayer(tree, s.path))));
        const policyChanged =
          !sameFile(found, policy.file, sources[0]) || sources.some((s, i) => !s.disk && afterSources[i] !== s.text);
        const afterBaseline = await readBaseline(tree, root, policy.baseline);
        if (!policyChanged && afterBaseline === baselineText) continue;
        const { reviewChange } = await import('./review.js');
        const result = await reviewChange({
          root,
          tree,
          before: policy,
          after: policyChanged ? found : 'unchanged',
          baseline: { file: policy.baseline, before: baselineText, after: afterBaseline },
        });
        review.findings.push(...result.findings);
        for (const note of result.notes) if (!review.notes.includes(note)) review.notes.push(note);
      }
    }
    return { policy, baseline, review, base: revisions.base };
  } finally {
    if (!opts.reader) reader.close();
  }
}

/** True when the change leaves the same policy file in place (its own text is compared with the sources). */
function sameFile(found: FoundFile | null, file: string | null, first: Source | undefined): boolean {
  if (!found || !file) return found === null && file === null;
  return found.path === file && first?.path === file && found.text === first.text;
}

function describeRev(rev: string, request: ChangeSetRequest | undefined): string {
  const mode = request?.mode ?? 'staged';
  return mode === 'staged' || mode === 'all' || mode === 'worktree' ? 'HEAD' : `commit ${rev.slice(0, 10)}`;
}

/** The baseline file's text in a tree (an absolute path, outside any tree, is read from disk). */
async function readBaseline(tree: PolicyTree, root: string, configured: string): Promise<string | null> {
  if (/^(?:[/\\]|[A-Za-z]:)/.test(configured)) {
    try {
      return readFileSync(configured, 'utf8');
    } catch {
      return null;
    }
  }
  const path = configured.split('\\').join('/').replace(/^\.\//, '');
  if (path.startsWith('../')) {
    try {
      return readFileSync(join(root, path), 'utf8');
    } catch {
      return null;
    }
  }
  return tree.read(path);
}

/** The validated policy for a file found in `tree`: from the signed cache when every source still has its text there. */
async function validated(
  found: FoundFile | null,
  tree: PolicyTree,
  root: string,
  runPrograms: boolean,
): Promise<{ policy: Policy; sources: Source[] }> {
  const key = `${VERSION}\0${found?.path ?? '(recommended)'}`;
  const cacheFile = join(cacheDir(), 'policies', `${fnv1a(key)}-${fnv1a(key.split('').reverse().join(''))}.json`);
  const program = found !== null && isProgram(found.path);
  if (!program) {
    const cached = await readCache(cacheFile, found, tree, root);
    if (cached) return cached;
  }
  const { validatePolicy, runCommittedProgram } = await import('./validate.js');
  const result = await validatePolicy(found, {
    root,
    tree,
    ...(runPrograms ? { runProgram: runCommittedProgram } : {}),
  });
  // A program's result can change without its text changing (it reads the environment): never cached.
  if (!program && !result.sources.some((s) => isProgram(s.path))) {
    const entry: CacheEntry = { version: VERSION, sources: result.sources, policy: result.policy };
    try {
      writeCacheFile(cacheFile, JSON.stringify(entry));
    } catch {
      // A read-only cache only costs time.
    }
  }
  return result;
}

async function readCache(
  cacheFile: string,
  found: FoundFile | null,
  tree: PolicyTree,
  root: string,
): Promise<{ policy: Policy; sources: Source[] } | null> {
  const text = readCacheFile(cacheFile);
  if (text === null) return null;
  try {
    const entry = JSON.parse(text) as CacheEntry;
    if (entry.version !== VERSION) return null;
    if (found ? entry.sources[0]?.path !== found.path || entry.sources[0]?.text !== found.text : entry.sources.length)
      return null;
    const now = await Promise.all(
      entry.sources.slice(1).map((s) => (s.disk ? readDisk(root, s.path) : readLayer(tree, s.path))),
    );
    if (entry.sources.slice(1).some((s, i) => now[i] !== s.text)) return null;
    return { policy: entry.policy, sources: entry.sources };
  } catch {
    return null;
  }
}

/** A package file of node_modules as validate.ts recorded it (a package.json as its "ralph" value). */
function readDisk(root: string, path: string): string | null {
  try {
    const text = readFileSync(join(root, path), 'utf8');
    return path.endsWith('/package.json') ? (ralphKey(text) ?? null) : text;
  } catch {
    return null;
  }
}

/** `--config FILE`: read from disk as named (it is the caller's explicit choice), its extends from beside it. */
async function fromConfigFile(opts: LoadOptions): Promise<{ policy: Policy; sources: Source[] }> {
  const file = resolve(opts.cwd, opts.configFile!);
  const text = (() => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`--config ${opts.configFile}: file not found`);
    }
  })();
  const name = basename(file);
  const found = { path: name, text: name === 'package.json' ? (ralphKey(text) ?? '') : text };
  const { validatePolicy, runCommittedProgram } = await import('./validate.js');
  return validatePolicy(found, {
    root: resolve(opts.root),
    tree: { ...diskTree(dirname(file)), label: dirname(file) },
    display: (p) => (p === name ? opts.configFile! : p),
    ...(opts.runPrograms === false
      ? {}
      : {
          runProgram: (p: string, t: string, onDisk: string | null) =>
            runCommittedProgram(p, t, onDisk ?? join(dirname(file), p)),
        }),
  });
}

/** The policy file in the working tree that applies in `cwd`, searching up to `root` (init: is there one to keep?). Never used to judge. */
export function findPolicyFile(cwd: string, root: string): string | null {
  let dir = resolve(cwd);
  const top = resolve(root);
  for (;;) {
    for (const place of SEARCH_PLACES) {
      const candidate = join(dir, place);
      if (!existsSync(candidate)) continue;
      if (place === 'package.json' && ralphKey(readFileSync(candidate, 'utf8')) === undefined) continue;
      return candidate;
    }
    if (dir === top || !(dir + sep).startsWith(top + sep)) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** FNV-1a, enough to spread cache file names. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
