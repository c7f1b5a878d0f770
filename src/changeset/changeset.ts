/**
 * The change under test, from git alone (DESIGN §3): which files, which of
 * their lines are new, and how to read their content — from the index in
 * staged mode, from commits in push and range mode, from disk for `--all`
 * (from the index with `--all --index`) and `--worktree`. Nothing here writes anything.
 */
import { realpathSync } from 'node:fs';
import { readFile, lstat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { BlobReader, EMPTY_TREE, git, headCommit, looseObjectsDir, splitNul, ZERO_SHA } from '../git/git.js';
import { addedKey, parseAddedLines, parseRaw, type RawEntry } from '../git/diff.js';
import { UsageError } from '../errors.js';

export type Mode = 'staged' | 'push' | 'range' | 'all' | 'worktree';

export interface ChangedFile {
  path: string;
  oldPath?: string;
  /** The commit the change belongs to (push and range mode). */
  commit?: string;
  /** Every line is new: a new file, or `--all`. */
  allAdded: boolean;
  added: number[];
  /** Where the new content is: a blob id, or the working tree. */
  blob: string | null;
  /** Blob of the previous version, if any. */
  oldBlob: string | null;
}

/** A file of the repository as the change sees it: a blob id, or null for the working tree. */
export interface TreeEntry {
  path: string;
  blob: string | null;
}

export interface ChangeSet {
  mode: Mode;
  files: ChangedFile[];
  /** Files left out, with why (submodules and symlinks are not content). */
  notes: string[];
  read(file: TreeEntry): Promise<Buffer | null>;
  readBlob(id: string): Promise<Buffer | null>;
  /** Any file on the new side of the change: the index (staged, all --index), a commit (push, range), or the disk (worktree, all). */
  readPath(path: string, commit?: string): Promise<Buffer | null>;
  /**
   * Every file of the repository around the change, for atoms judged over
   * more than one file: the index (staged, all --index), the tree of `commit`
   * (push, range), tracked files on disk (all), tracked and untracked files on
   * disk (worktree). Listed by git on the first call only, once per commit;
   * symlinks and submodules left out.
   */
  tree(commit?: string): Promise<TreeEntry[]>;
  close(): void;
}

export interface ChangeSetRequest {
  mode: Mode;
  /** Pathspecs that narrow any mode. */
  paths: string[];
  /** `A..B` for range mode. */
  range?: string;
  /** The pre-push hook's stdin for push mode. */
  pushInput?: string;
  /** `--all` reads the index instead of the files on disk. */
  index?: boolean;
}

const DIFF_FLAGS = ['--no-abbrev', '--no-ext-diff', '--no-textconv', '--no-relative', '--ignore-submodules=none'];
const PATCH_FLAGS = ['-p', '-U0', '--src-prefix=a/', '--dst-prefix=b/', '--no-color'];
/** New files are wholly added: their patch would only repeat the blob, so separate patch runs skip them. */
const MODIFIED_ONLY = '--diff-filter=MRT';
const GITLINK = '160000';
const SYMLINK = '120000';

export async function collectChangeSet(root: string, request: ChangeSetRequest): Promise<ChangeSet> {
  const cwd = root;
  const reader = new BlobReader(cwd, looseObjectsDir(root));
  const pathspec = request.paths.length ? ['--', ...request.paths] : [];
  const notes: string[] = [];
  let files: ChangedFile[];

  switch (request.mode) {
    case 'staged': {
      // One process for both: the raw list (NUL-separated) ends with an empty field, then the patch follows.
      const out = await git(['diff', '--cached', '--raw', '-z', ...PATCH_FLAGS, '-M', ...DIFF_FLAGS, ...pathspec], {
        cwd,
      });
      const split = out.indexOf('\0\0');
      const [raw, patch] = split < 0 ? [out, ''] : [out.slice(0, split + 1), out.slice(split + 2)];
      files = fromDiff(parseRaw(raw), parseAddedLines(patch), notes);
      break;
    }
    case 'push':
    case 'range': {
      const commits =
        request.mode === 'push'
          ? await pushedCommits(cwd, request.pushInput ?? '')
          : await rangeCommits(cwd, request.range ?? '');
      files = commits.length ? await fromCommits(cwd, commits, pathspec, notes) : [];
      break;
    }
    case 'all': {
      const listing = await git(['ls-files', '-z', '-s', '--full-name', ...pathspec], { cwd });
      files = fromIndexListing(listing, notes);
      if (!request.index) files = await onDisk(root, files);
      break;
    }
    case 'worktree':
      files = await fromWorktree(root, pathspec, notes);
      break;
  }

  const trees = new Map<string, Promise<TreeEntry[]>>();
  const fromDisk = request.mode === 'worktree' || (request.mode === 'all' && !request.index);
  return {
    mode: request.mode,
    files,
    notes,
    read: (file) => (file.blob === null ? readWorktreeFile(root, file.path) : reader.read(file.blob)),
    readBlob: (id) => reader.read(id),
    readPath: (path, commit) =>
      fromDisk
        ? readWorktreeFile(root, path)
        : /[\n\r]/.test(path)
          ? Promise.resolve(null)
          : reader.read(`${commit ?? ''}:${path}`),
    tree(commit) {
      const key = request.mode === 'push' || request.mode === 'range' ? (commit ?? 'HEAD') : request.mode;
      let tree = trees.get(key);
      if (!tree)
        trees.set(
          key,
          (tree = listTree(root, request.mode, key).then((t) =>
            fromDisk ? t.map(({ path }) => ({ path, blob: null })) : t,
          )),
        );
      return tree;
    },
    close: () => reader.close(),
  };
}

/** The files of the repository as a mode sees them, without their content. */
async function listTree(cwd: string, mode: Mode, commit: string): Promise<TreeEntry[]> {
  switch (mode) {
    case 'staged':
    case 'all':
      return fromIndexListing(await git(['ls-files', '-z', '-s', '--full-name'], { cwd }), []).map(
        ({ path, blob }) => ({ path, blob }),
      );
    case 'push':
    case 'range': {
      // "<mode> <type> <object>\t<path>"
      const entries: TreeEntry[] = [];
      for (const record of splitNul(await git(['ls-tree', '-r', '-z', '--full-tree', commit], { cwd }))) {
        const tab = record.indexOf('\t');
        const [fileMode, type, blob] = record.slice(0, tab).split(' ');
        if (type === 'blob' && fileMode !== SYMLINK && blob) entries.push({ path: record.slice(tab + 1), blob });
      }
      return entries;
    }
    case 'worktree': {
      const paths = splitNul(
        await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--full-name'], { cwd }),
      );
      return [...new Set(paths)].map((path) => ({ path, blob: null }));
    }
  }
}

/** Files of a diff, keeping only what has new content worth reading. */
function fromDiff(entries: RawEntry[], added: Map<string, number[]>, notes: string[], fromDisk = false): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (const e of entries) {
    if (e.status === 'deleted' || e.status === 'unmerged' || e.status === 'unknown') continue;
    if (e.mode === GITLINK) continue; // a submodule pointer: its content lives in another repository
    if (e.mode === SYMLINK) {
      notes.push(`${e.path}: symlink, not followed`);
      continue;
    }
    const allAdded = e.allAdded || e.status === 'copied';
    const lines = allAdded ? [] : (added.get(addedKey(e.commit, e.path)) ?? []);
    if (!allAdded && lines.length === 0) continue; // a pure rename or mode change adds no text
    files.push({
      path: e.path,
      ...(e.oldPath === undefined ? {} : { oldPath: e.oldPath }),
      ...(e.commit ? { commit: e.commit } : {}),
      allAdded,
      added: lines,
      blob: fromDisk || ZERO_SHA.test(e.blob) ? null : e.blob,
      oldBlob: ZERO_SHA.test(e.oldBlob) ? null : e.oldBlob,
    });
  }
  return files;
}

/** Tracked files as they are on disk: a file deleted or turned into a symlink since it was staged is left out. */
async function onDisk(root: string, files: ChangedFile[]): Promise<ChangedFile[]> {
  const kept = await Promise.all(
    files.map(async (f) => ((await lstat(join(root, f.path)).catch(() => null))?.isFile() ? f : null)),
  );
  return kept.filter((f): f is ChangedFile => f !== null).map((f) => ({ ...f, blob: null }));
}

/** `git ls-files -s -z`: "<mode> <sha> <stage>\t<path>". */
function fromIndexListing(listing: string, notes: string[]): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (const record of splitNul(listing)) {
    const tab = record.indexOf('\t');
    const [mode, blob, stage] = record.slice(0, tab).split(' ');
    const path = record.slice(tab + 1);
    if (stage !== '0' || mode === GITLINK || !blob) continue;
    if (mode === SYMLINK) {
      notes.push(`${path}: symlink, not followed`);
      continue;
    }
    files.push({ path, allAdded: true, added: [], blob, oldBlob: null });
  }
  return files;
}

/**
 * Pre-push stdin: "<local ref> <local sha> <remote ref> <remote sha>" per ref.
 * Every commit being pushed is checked: those reachable from what is pushed
 * and not from what the remote has (or, for a new branch, from any remote).
 */
async function pushedCommits(cwd: string, input: string): Promise<string[]> {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const line of input.split('\n')) {
    const [, localSha, , remoteSha] = line.trim().split(/\s+/);
    if (!localSha || !remoteSha || ZERO_SHA.test(localSha)) continue; // blank line or a deleted ref: nothing to check
    include.push(localSha);
    if (!ZERO_SHA.test(remoteSha) && (await objectExists(cwd, remoteSha))) exclude.push(remoteSha);
  }
  if (!include.length) return [];
  const out = await git(['rev-list', '--reverse', '--topo-order', ...include, '--not', ...exclude, '--remotes'], {
    cwd,
  });
  return out.split('\n').filter(Boolean);
}

async function objectExists(cwd: string, sha: string): Promise<boolean> {
  try {
    await git(['cat-file', '-e', `${sha}^{commit}`], { cwd });
    return true;
  } catch {
    return false;
  }
}

async function rangeCommits(cwd: string, range: string): Promise<string[]> {
  if (!range) throw new UsageError('--range needs A..B (for example origin/main..HEAD)');
  const spec = range.includes('..') ? [range] : [`${range}^!`];
  const shallow = async () =>
    (await git(['rev-parse', '--is-shallow-repository'], { cwd }).catch(() => '')).trim() === 'true';
  let commits: string[];
  try {
    const out = await git(['rev-list', '--reverse', '--topo-order', ...spec, '--'], { cwd });
    commits = out.split('\n').filter(Boolean);
  } catch (e) {
    throw new UsageError(
      `--range ${range}: git cannot resolve it. ${fetchHint(range, await shallow())}\n${e instanceof Error ? e.message : e}`,
    );
  }
  // In a shallow clone, a range that reaches the cut-off point would judge the
  // cut-off commit as if it added every file it has: refuse, and say what to fetch.
  if (commits.length && (await shallow())) {
    const boundary = new Set(
      (
        await git(['rev-parse', '--git-path', 'shallow'], { cwd })
          .then((p) => readFile(resolve(cwd, p.trim()), 'utf8'))
          .catch(() => '')
      )
        .split('\n')
        .filter(Boolean),
    );
    const cut = commits.find((c) => boundary.has(c));
    if (cut) {
      throw new UsageError(
        `--range ${range}: this shallow clone does not have the history between the two ends (commit ${cut.slice(0, 10)} is where the clone was cut), so git cannot tell which commits are new. ${fetchHint(range, true)}`,
      );
    }
  }
  return commits;
}

/** What to fetch so that `range` resolves, in words a CI log reader can paste. */
function fetchHint(range: string, shallow: boolean): string {
  const base = range.includes('..') ? range.slice(0, range.indexOf('..')) : range;
  const remote = /^([\w.-]+)\/(.+)$/.exec(base);
  const fetchBase = remote
    ? `git fetch --no-tags ${remote[1]} +refs/heads/${remote[2]}:refs/remotes/${remote[1]}/${remote[2]}`
    : 'git fetch the branch it names';
  return shallow
    ? `This is a shallow clone: fetch the base and the history down to where it meets HEAD, for example \`${remote ? fetchBase.replace('git fetch --no-tags', 'git fetch --no-tags --unshallow') : 'git fetch --unshallow'}\`, or check out with \`fetch-depth: 0\` (actions/checkout).`
    : `Check that both ends exist: ${remote ? `\`${fetchBase}\`` : 'fetch the base branch first'}.`;
}

/** Per-commit diffs for many commits with two git processes, whatever their number. */
async function fromCommits(
  cwd: string,
  commits: string[],
  pathspec: string[],
  notes: string[],
): Promise<ChangedFile[]> {
  const input = commits.join('\n') + '\n';
  const [raw, patch] = await Promise.all([
    git(['diff-tree', '--stdin', '-r', '--root', '-c', '--raw', '-z', '-M', ...DIFF_FLAGS, ...pathspec], {
      cwd,
      input,
    }),
    git(
      ['diff-tree', '--stdin', '-r', '--root', '--cc', '-M', ...PATCH_FLAGS, MODIFIED_ONLY, ...DIFF_FLAGS, ...pathspec],
      { cwd, input },
    ),
  ]);
  return fromDiff(parseRaw(raw), parseAddedLines(patch), notes);
}

/** Tracked changes against HEAD plus untracked files that are not ignored, read from disk. */
async function fromWorktree(root: string, pathspec: string[], notes: string[]): Promise<ChangedFile[]> {
  const cwd = root;
  const base = (await headCommit(cwd)) ?? EMPTY_TREE;
  const [raw, patch, untracked] = await Promise.all([
    git(['diff', base, '--raw', '-z', '-M', ...DIFF_FLAGS, ...pathspec], { cwd }),
    git(['diff', base, '-M', ...PATCH_FLAGS, MODIFIED_ONLY, ...DIFF_FLAGS, ...pathspec], { cwd }),
    git(['ls-files', '-z', '--others', '--exclude-standard', '--full-name', ...pathspec], { cwd }),
  ]);
  const files = fromDiff(parseRaw(raw), parseAddedLines(patch), notes, true);
  for (const path of splitNul(untracked)) {
    const stat = await lstat(join(cwd, path)).catch(() => null);
    if (!stat) continue;
    if (stat.isSymbolicLink()) {
      notes.push(`${path}: symlink, not followed`);
      continue;
    }
    if (stat.isFile()) files.push({ path, allAdded: true, added: [], blob: null, oldBlob: null });
  }
  return files;
}

/** Reads a working-tree file, refusing symlinks so a check never reads outside the repository. */
async function readWorktreeFile(root: string, path: string): Promise<Buffer | null> {
  const full = join(root, path);
  const stat = await lstat(full).catch(() => null);
  if (!stat || !stat.isFile() || !reallyInside(root, path)) return null;
  return readFile(full);
}

const realRoots = new Map<string, string>();

/**
 * True when `path` (relative to `root`) is a file inside the repository, reached
 * without a symlink: no `..`, no symlinked directory on the way (lstat of the
 * file alone does not see those), and no symlink at the end.
 */
export function reallyInside(root: string, path: string): boolean {
  if (!path || isAbsolute(path) || path.split(/[\\/]/).includes('..')) return false;
  try {
    let realRoot = realRoots.get(root);
    if (realRoot === undefined) realRoots.set(root, (realRoot = realpathSync(root)));
    return realpathSync(join(root, path)) === join(realRoot, path);
  } catch {
    return false;
  }
}
