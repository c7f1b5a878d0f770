/**
 * Where the policy is read from (DESIGN §9.1: the judge comes from the
 * base, not from the change). A policy tree is one state of the repository:
 * a commit, the index, or the working tree. The policy that judges a change
 * is read from the state the change starts from — HEAD for a commit, the
 * destination's tip for a push, A for `--range A..B` — and the state the
 * change ends in is read only to report what the change does to the policy.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobReader, git, ZERO_SHA } from '../git/git.js';
import type { ChangeSetRequest } from '../changeset/changeset.js';
import { SEARCH_PLACES } from './policy.js';

/** One state of the repository, read file by file (paths relative to the root, `/`-separated). */
export interface PolicyTree {
  /** What the state is, for messages: "HEAD", "the index", "commit 1a2b3c4d5e", "the working tree". */
  label: string;
  read(path: string): Promise<string | null>;
}

/** No state at all (before the first commit): no policy file, so the recommended policy. */
export const EMPTY: PolicyTree = { label: 'the empty repository', read: async () => null };

/** A commit (`rev`), or the index (`rev` = ''), read through one `git cat-file --batch`. */
export function gitTree(reader: BlobReader, rev: string, label: string): PolicyTree {
  return {
    label,
    read: async (path) => {
      if (/[\n\r]/.test(path)) return null;
      const bytes = await reader.read(`${rev}:${path}`);
      return bytes === null ? null : bytes.toString('utf8');
    },
  };
}

/** The working tree: only ever read to report what an uncommitted change does to the policy. */
export function diskTree(root: string): PolicyTree {
  return {
    label: 'the working tree',
    read: (path) => readFile(join(root, path), 'utf8').catch(() => null),
  };
}

/** A policy file found in a tree: its path from the root and the text that counts (for package.json, its "ralph" value). */
export interface FoundFile {
  path: string;
  text: string;
}

/**
 * The policy file cosmiconfig would find in `dir` (relative to the root) or
 * the directories above it, up to the root, looked up in `tree`; null when
 * there is none. All candidates are asked of git at once (one round trip).
 */
export async function findPolicyIn(tree: PolicyTree, dir: string): Promise<FoundFile | null> {
  const dirs: string[] = [];
  for (let d = dir; ; d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') {
    dirs.push(d);
    if (!d) break;
  }
  const candidates = dirs.flatMap((d) => SEARCH_PLACES.map((place) => (d ? `${d}/${place}` : place)));
  const texts = await Promise.all(candidates.map((path) => tree.read(path)));
  for (let i = 0; i < candidates.length; i++) {
    const text = texts[i];
    if (text === null || text === undefined) continue;
    const path = candidates[i]!;
    if (path === 'package.json' || path.endsWith('/package.json')) {
      const ralph = ralphKey(text);
      if (ralph === undefined) continue;
      return { path, text: ralph };
    }
    return { path, text };
  }
  return null;
}

/** A policy layer's text in a tree: a package.json counts by its "ralph" value only (a version bump is no policy change). */
export async function readLayer(tree: PolicyTree, path: string): Promise<string | null> {
  const text = await tree.read(path);
  if (text === null || !(path === 'package.json' || path.endsWith('/package.json'))) return text;
  return ralphKey(text) ?? null;
}

/** The "ralph" value of a package.json as stable text, or undefined when it has none (or is not JSON: not our policy). */
export function ralphKey(packageJson: string): string | undefined {
  try {
    const value = (JSON.parse(packageJson) as { ralph?: unknown } | null)?.ralph;
    return value === undefined ? undefined : JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** The state a change starts from (whose policy judges it) and the states it ends in. */
export interface Revisions {
  /** The commit whose policy judges, or null: the recommended policy (a first commit, a push of a new root). */
  base: string | null;
  /** Where the change leaves the policy: commits, '' for the index, or 'worktree'. */
  after: string[];
}

/** Which commit's policy judges a change of this mode, and where the change leaves it. */
export async function judgeRevisions(root: string, request: ChangeSetRequest): Promise<Revisions> {
  switch (request.mode) {
    // `HEAD:<path>` is asked of cat-file as it is: before the first commit every path is missing (the
    // recommended policy), and no process is spent resolving HEAD first.
    case 'staged':
    case 'all':
      return { base: 'HEAD', after: [''] };
    case 'worktree':
      return { base: 'HEAD', after: ['worktree'] };
    case 'range':
      return rangeRevisions(root, request.range ?? '');
    case 'push':
      return pushRevisions(root, request.pushInput ?? '');
  }
}

async function revParse(root: string, rev: string): Promise<string | null> {
  const out = await git(['rev-parse', '--verify', '-q', `${rev}^{commit}`], { cwd: root, okCodes: [1] }).catch(
    () => '',
  );
  return out.trim() || null;
}

/** `A..B`: A; `A...B`: their merge base; one commit X: its parent. The end is B (or X). */
async function rangeRevisions(root: string, range: string): Promise<Revisions> {
  const three = range.indexOf('...');
  const two = range.indexOf('..');
  if (three >= 0 || two >= 0) {
    const [from, to] =
      three >= 0 ? [range.slice(0, three), range.slice(three + 3)] : [range.slice(0, two), range.slice(two + 2)];
    const end = (await revParse(root, to || 'HEAD')) ?? to;
    let base = await revParse(root, from || 'HEAD');
    if (three >= 0 && base) {
      base = (await git(['merge-base', base, end], { cwd: root, okCodes: [1] }).catch(() => '')).trim() || null;
    }
    return { base, after: [end] };
  }
  const end = (await revParse(root, range)) ?? range;
  return { base: await revParse(root, `${range}^`), after: [end] };
}

/**
 * A push: the policy at the tip the destination already has (the remote sha
 * of the first ref pushed); for a new branch, the parent of the oldest commit
 * no remote has (null, the recommended policy, when that commit is a root).
 */
async function pushRevisions(root: string, input: string): Promise<Revisions> {
  let base: string | null | undefined;
  const after: string[] = [];
  for (const line of input.split('\n')) {
    const [, localSha, , remoteSha] = line.trim().split(/\s+/);
    if (!localSha || !remoteSha || ZERO_SHA.test(localSha)) continue;
    after.push(localSha);
    if (base !== undefined) continue;
    if (!ZERO_SHA.test(remoteSha) && (await revParse(root, remoteSha))) {
      base = remoteSha;
      continue;
    }
    const fresh = (
      await git(['rev-list', '--reverse', '--topo-order', localSha, '--not', '--remotes'], { cwd: root }).catch(
        () => '',
      )
    )
      .split('\n')
      .filter(Boolean);
    base = fresh.length ? await revParse(root, `${fresh[0]}^`) : localSha;
  }
  return { base: base ?? null, after };
}
