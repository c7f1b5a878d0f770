/**
 * The change under test, from git alone (DESIGN §3): which files, which of
 * their lines are new, and how to read their content — from the index in
 * staged mode, from commits in push and range mode, from disk for `--all`
 * (from the index with `--all --index`) and `--worktree`. Nothing here writes anything.
 */
import { createReadStream, lstatSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import {
  BlobReader,
  EMPTY_TREE,
  git,
  headCommit,
  looseObjectsDir,
  objectSizes,
  splitNul,
  streamBlob,
  TooLarge,
  ZERO_SHA,
} from '../git/git.js';
import { addedKey, parseAddedLines, parseRaw, type RawEntry } from '../git/diff.js';
import { DIFF_FLAGS, stagedListingArgs } from '../git/early.js';
import { UsageError } from '../errors.js';
import { readLfsObject, type LfsPointer } from './lfs.js';

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
  /**
   * Too large for git to diff within bounded memory (DIFF_MAX_BYTES): which lines are new is not known, so
   * `allAdded` is set, and a reader that can compare (the streamed secrets scan) reports only what the old version lacks.
   */
  linesUnknown?: boolean;
}

/** A file of the repository as the change sees it: a blob id, or null for the working tree. */
export interface TreeEntry {
  path: string;
  blob: string | null;
}

/**
 * A staged change as git listed it, every entry (deleted files and symlinks too) with the added
 * lines of modified files: the review step (review/acknowledgement.ts) needs the same listing.
 */
export interface StagedListing {
  entries: RawEntry[];
  added: Map<string, number[]>;
}

export interface ChangeSet {
  mode: Mode;
  files: ChangedFile[];
  /**
   * Staged mode without paths, when no file was renamed, copied or changed type, no submodule changed and every
   * modified file was diffed: then this is what the review step would list itself with `--no-renames`.
   */
  stagedListing?: StagedListing;
  /** Things to say about the change set that are not findings. */
  notes: string[];
  /** Files left out, with why (submodules and symlinks are not content here). */
  skipped: Array<{ file: string; reason: string }>;
  /** A file's content; with a `limit`, TooLarge (the content left unread) when it has more bytes. */
  read(file: TreeEntry): Promise<Buffer | null>;
  read(file: TreeEntry, limit: number): Promise<Buffer | TooLarge | null>;
  readBlob(id: string): Promise<Buffer | null>;
  readBlob(id: string, limit: number): Promise<Buffer | TooLarge | null>;
  /** Any file on the new side of the change: the index (staged, all --index), a commit (push, range), or the disk (worktree, all). */
  readPath(path: string, commit?: string): Promise<Buffer | null>;
  readPath(path: string, commit: string | undefined, limit: number): Promise<Buffer | TooLarge | null>;
  /** The content a Git LFS pointer names, from the repository's local LFS store (lfs.ts); null when it is not there. */
  readLfs(pointer: LfsPointer, limit: number): Promise<Buffer | TooLarge | null>;
  /** A file's content in chunks, never all of it at once: for files too large to read whole. */
  stream(file: TreeEntry): AsyncIterable<Buffer>;
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
  /** The pre-push hook's first argument: the name of the remote pushed to, or its URL when it has no name. */
  pushRemote?: string;
  /** `--all` reads the index instead of the files on disk. */
  index?: boolean;
}

/**
 * `--text`, `--no-textconv`, `--no-ext-diff`: no attribute (`-diff`, `binary`,
 * `diff=driver` with a textconv, `core.bigFileThreshold`) and no configured
 * driver may turn a file's lines into "Binary files differ" or into something
 * other than what is committed. Whether a file is text is decided on its content (text.ts).
 */
/**
 * Modified files larger than this are left out of the patch: git holds both
 * versions in memory to diff them, and the patch could be as large. Their
 * lines are not known (ChangedFile.linesUnknown).
 */
export const DIFF_MAX_BYTES = 64_000_000;

const PATCH_FLAGS = ['-p', '-U0', '--src-prefix=a/', '--dst-prefix=b/', '--no-color'];
/** New files are wholly added: their patch would only repeat the blob, so separate patch runs skip them. */
const MODIFIED_ONLY = '--diff-filter=MRT';
const GITLINK = '160000';
const SYMLINK_SKIP = 'symlink, not followed';
const SUBMODULE_SKIP = 'submodule, checked in its own repository';
type Skipped = ChangeSet['skipped'];
const SYMLINK = '120000';

/** The change set; its blobs are read through `reader` (shared with the policy's reads by the engine), which `close` closes. */
export async function collectChangeSet(
  root: string,
  request: ChangeSetRequest,
  reader = new BlobReader(root, looseObjectsDir(root)),
): Promise<ChangeSet> {
  const cwd = root;
  const pathspec = request.paths.length ? ['--', ...request.paths] : [];
  const notes: string[] = [];
  const skipped: Skipped = [];
  let files: ChangedFile[];
  let stagedListing: StagedListing | undefined;

  switch (request.mode) {
    case 'staged': {
      // The list first; the patch only for modified files (a new file's lines are all new, and its patch would repeat
      // the blob, which may be hundreds of MB), and only for those small enough to diff.
      const entries = parseRaw(await git(stagedListingArgs(pathspec), { cwd }));
      const { patchSpec, tooLarge } = await patchPaths(cwd, entries, pathspec, looseObjectsDir(root));
      const patch = patchSpec
        ? await git(['diff', '--cached', '-M', ...PATCH_FLAGS, MODIFIED_ONLY, ...DIFF_FLAGS, ...patchSpec], { cwd })
        : '';
      const added = parseAddedLines(patch);
      files = fromDiff(entries, added, skipped, false, tooLarge);
      // Submodules aside too: the review's own listing heeds the repository's submodule settings.
      const plain = entries.every(
        (e) =>
          (e.status === 'added' || e.status === 'modified' || e.status === 'deleted') &&
          e.mode !== GITLINK &&
          e.oldMode !== GITLINK,
      );
      if (!pathspec.length && !tooLarge.size && plain) stagedListing = { entries, added };
      break;
    }
    case 'push':
    case 'range': {
      const commits =
        request.mode === 'push'
          ? await pushedCommits(cwd, request.pushInput ?? '', request.pushRemote)
          : await rangeCommits(cwd, request.range ?? '');
      files = commits.length ? await fromCommits(cwd, commits, pathspec, skipped) : [];
      break;
    }
    case 'all': {
      const listing = await git(['ls-files', '-z', '-s', '--full-name', ...pathspec], { cwd });
      files = fromIndexListing(listing, skipped);
      if (!request.index) files = onDisk(root, files);
      break;
    }
    case 'worktree':
      files = await fromWorktree(root, pathspec, skipped);
      break;
  }

  return changeSetOf(root, request, { files, notes, skipped, ...(stagedListing ? { stagedListing } : {}) }, reader);
}

/** What git listed of a change: the data of a ChangeSet, which a worker thread is handed instead of listing again (pool.ts). */
export type Listing = Pick<ChangeSet, 'files' | 'notes' | 'skipped' | 'stagedListing'>;

/**
 * The change set of a listing already made; `tree`, when given, answers for the repository around the change
 * (a worker thread asks the main thread, which lists it once for all of them).
 */
export function changeSetOf(
  root: string,
  request: ChangeSetRequest,
  listing: Listing,
  reader = new BlobReader(root, looseObjectsDir(root)),
  treeElsewhere?: ChangeSet['tree'],
): ChangeSet {
  const cwd = root;
  const trees = new Map<string, Promise<TreeEntry[]>>();
  let gitCommonDir: Promise<string> | undefined;
  const fromDisk = request.mode === 'worktree' || (request.mode === 'all' && !request.index);
  return {
    mode: request.mode,
    ...listing,
    read: ((file: TreeEntry, limit?: number) =>
      file.blob === null
        ? readWorktreeFile(root, file.path, limit)
        : reader.read(file.blob, limit)) as ChangeSet['read'],
    readBlob: ((id: string, limit?: number) => reader.read(id, limit)) as ChangeSet['readBlob'],
    readPath: ((path: string, commit?: string, limit?: number) =>
      fromDisk
        ? readWorktreeFile(root, path, limit)
        : /[\n\r]/.test(path)
          ? Promise.resolve(null)
          : reader.read(`${commit ?? ''}:${path}`, limit)) as ChangeSet['readPath'],
    readLfs: async (pointer, limit) => {
      gitCommonDir ??= git(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd }).then((d) => d.trim());
      return readLfsObject(await gitCommonDir, pointer, limit);
    },
    stream: (file) =>
      file.blob === null
        ? reallyInside(root, file.path)
          ? createReadStream(join(root, file.path))
          : (async function* () {})()
        : streamBlob(cwd, file.blob),
    tree(commit) {
      if (treeElsewhere) return treeElsewhere(commit);
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
function fromDiff(
  entries: RawEntry[],
  added: Map<string, number[]>,
  skipped: Skipped,
  fromDisk = false,
  tooLarge: ReadonlySet<string> = new Set(),
): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (const e of entries) {
    if (e.status === 'deleted' || e.status === 'unmerged' || e.status === 'unknown') continue;
    if (e.mode === GITLINK) {
      skipped.push({ file: e.path, reason: SUBMODULE_SKIP }); // its content lives in another repository
      continue;
    }
    if (e.mode === SYMLINK) {
      skipped.push({ file: e.path, reason: SYMLINK_SKIP });
      continue;
    }
    // A file that arrives at a new path (renamed, copied, or a symlink or submodule turned into a file) is new
    // there: judged as if added, or `git mv test/key.js src/` would launder what was committed where nothing looked.
    const arrives = e.status === 'copied' || e.status === 'renamed' || e.status === 'typechange';
    const linesUnknown = !e.allAdded && !arrives && tooLarge.has(e.path);
    const allAdded = e.allAdded || arrives || linesUnknown;
    const lines = allAdded ? [] : (added.get(addedKey(e.commit, e.path)) ?? []);
    // A pure rename or mode change adds no text; a change that only deletes lines is still judged: deleting a
    // control is a finding (src/engine/removed-controls.ts).
    if (!allAdded && lines.length === 0 && e.blob === e.oldBlob) continue;
    files.push({
      ...(linesUnknown ? { linesUnknown } : {}),
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
function onDisk(root: string, files: ChangedFile[]): ChangedFile[] {
  return files.filter((f) => lstatOrNull(join(root, f.path))?.isFile()).map((f) => ({ ...f, blob: null }));
}

/** `git ls-files -s -z`: "<mode> <sha> <stage>\t<path>". */
function fromIndexListing(listing: string, skipped: Skipped): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (const record of splitNul(listing)) {
    const tab = record.indexOf('\t');
    const [mode, blob, stage] = record.slice(0, tab).split(' ');
    const path = record.slice(tab + 1);
    if (stage !== '0' || !blob) continue;
    if (mode === GITLINK) {
      skipped.push({ file: path, reason: SUBMODULE_SKIP });
      continue;
    }
    if (mode === SYMLINK) {
      skipped.push({ file: path, reason: SYMLINK_SKIP });
      continue;
    }
    files.push({ path, allAdded: true, added: [], blob, oldBlob: null });
  }
  return files;
}

/**
 * Pre-push stdin: "<local ref> <local sha> <remote ref> <remote sha>" per ref.
 * Every commit being pushed is checked: those reachable from what is pushed
 * and not from what the destination has: the remote sha of each line and the
 * destination remote's tracking refs. Never another remote's: a fork fetched
 * and merged, or history that one remote has and the destination lacks, is
 * what this push sends.
 */
export async function pushedCommits(cwd: string, input: string, remote: string | undefined): Promise<string[]> {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const line of input.split('\n')) {
    const [, localSha, , remoteSha] = line.trim().split(/\s+/);
    if (!localSha || !remoteSha || ZERO_SHA.test(localSha)) continue; // blank line or a deleted ref: nothing to check
    include.push(localSha);
    if (!ZERO_SHA.test(remoteSha) && (await objectExists(cwd, remoteSha))) exclude.push(remoteSha);
  }
  if (!include.length) return [];
  exclude.push(...(await destinationRefs(cwd, remote)));
  const out = await git(['rev-list', '--reverse', '--topo-order', '--stdin'], {
    cwd,
    input: [...include, ...exclude.map((sha) => `^${sha}`)].join('\n') + '\n',
  });
  return out.split('\n').filter(Boolean);
}

/**
 * The commits the destination remote is known to have: its remote-tracking refs. The remote is the hook's
 * first argument (a name, or a URL matched to the configured remote with that URL); without it (`check --push`
 * run by a hook manager that does not pass git's arguments), the only configured remote when there is one.
 * Otherwise nothing: the remote shas alone, so more is checked, never less.
 */
async function destinationRefs(cwd: string, remote: string | undefined): Promise<string[]> {
  const config = splitNul(
    await git(['config', '-z', '--get-regexp', '^remote\\..*\\.url$'], { cwd, okCodes: [1] }),
  ).map((entry) => {
    const newline = entry.indexOf('\n');
    return { name: entry.slice('remote.'.length, newline - '.url'.length), url: entry.slice(newline + 1) };
  });
  const names = [...new Set(config.map((c) => c.name))];
  const name = remote
    ? names.includes(remote)
      ? remote
      : config.find((c) => c.url === remote)?.name
    : names.length === 1
      ? names[0]
      : undefined;
  if (!name) return [];
  const refs = await git(['for-each-ref', '--format=%(objectname)', `refs/remotes/${name}/`], { cwd });
  return refs.split('\n').filter(Boolean);
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
    throw new UsageError(await unresolvedRange(cwd, range, e, await shallow()));
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

/** Why git cannot list the commits of `range`: one sentence naming the end it lacks and the command to run. */
async function unresolvedRange(cwd: string, range: string, error: unknown, shallow: boolean): Promise<string> {
  if (shallow) return `--range ${range}: git cannot resolve it. ${fetchHint(range, true)}`;
  if (!(await objectExists(cwd, 'HEAD')))
    return `--range ${range}: there are no commits yet; commit first (\`git commit\`)`;
  const ends = range.includes('..') ? range.split(/\.\.\.?/) : [range];
  const unknown: string[] = [];
  for (const end of ends) if (end && !(await objectExists(cwd, end))) unknown.push(end);
  if (!unknown.length) {
    // Both ends exist, yet git refused: say what git said, on the same line.
    const said = (error instanceof Error ? error.message : String(error)).match(/(?:fatal|error): (.*)/)?.[1];
    return `--range ${range}: git cannot list its commits${said ? ` (${said.trim()})` : ''}; try \`git rev-list ${range}\``;
  }
  const names = unknown.map((end) => `"${end}"`).join(' nor ');
  const remotes = (await git(['remote'], { cwd }).catch(() => '')).split('\n').filter(Boolean);
  const remote = remotes.find((name) => unknown[0]!.startsWith(`${name}/`));
  if (remote) {
    const branch = unknown[0]!.slice(remote.length + 1);
    return `--range ${range}: git has no commit ${names} here; fetch it: \`git fetch --no-tags ${remote} +refs/heads/${branch}:refs/remotes/${remote}/${branch}\``;
  }
  return `--range ${range}: git has no commit ${names} here; \`git branch -a\` lists the branches and \`git log --oneline\` the commits`;
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
  skipped: Skipped,
): Promise<ChangedFile[]> {
  const input = commits.join('\n') + '\n';
  const entries = parseRaw(
    await git(['diff-tree', '--stdin', '-r', '--root', '-c', '--raw', '-z', '-M', ...DIFF_FLAGS, ...pathspec], {
      cwd,
      input,
    }),
  );
  const { patchSpec, tooLarge } = await patchPaths(cwd, entries, pathspec, looseObjectsDir(cwd));
  const patch = patchSpec
    ? await git(
        [
          'diff-tree',
          '--stdin',
          '-r',
          '--root',
          '--cc',
          '-M',
          ...PATCH_FLAGS,
          MODIFIED_ONLY,
          ...DIFF_FLAGS,
          ...patchSpec,
        ],
        { cwd, input },
      )
    : '';
  return fromDiff(entries, parseAddedLines(patch), skipped, false, tooLarge);
}

/**
 * The pathspec for the patch of `entries`' modified files, or null when no file needs one; paths whose old
 * or new blob is larger than DIFF_MAX_BYTES are excluded from it (their sizes asked of git in one process).
 */
async function patchPaths(
  cwd: string,
  entries: RawEntry[],
  pathspec: string[],
  objects: string | null,
): Promise<{ patchSpec: string[] | null; tooLarge: Set<string> }> {
  const tooLarge = new Set<string>();
  const modified = entries.filter((e) => e.status === 'modified' && !e.allAdded && e.mode !== GITLINK);
  if (!modified.length) return { patchSpec: null, tooLarge };
  const sizes = await objectSizes(
    cwd,
    modified.flatMap((e) => [e.blob, e.oldBlob]).filter((id) => !ZERO_SHA.test(id)),
    objects,
  );
  for (const e of modified)
    if ((sizes.get(e.blob) ?? 0) > DIFF_MAX_BYTES || (sizes.get(e.oldBlob) ?? 0) > DIFF_MAX_BYTES) tooLarge.add(e.path);
  if (!tooLarge.size) return { patchSpec: pathspec, tooLarge };
  if (tooLarge.size === new Set(modified.map((e) => e.path)).size) return { patchSpec: null, tooLarge };
  const excluded = [...tooLarge].map((path) => `:(exclude,literal)${path}`);
  return { patchSpec: pathspec.length ? [...pathspec, ...excluded] : ['--', '.', ...excluded], tooLarge };
}

/** Tracked changes against HEAD plus untracked files that are not ignored, read from disk. */
async function fromWorktree(root: string, pathspec: string[], skipped: Skipped): Promise<ChangedFile[]> {
  const cwd = root;
  const base = (await headCommit(cwd)) ?? EMPTY_TREE;
  const [raw, patch, untracked] = await Promise.all([
    git(['diff', base, '--raw', '-z', '-M', ...DIFF_FLAGS, ...pathspec], { cwd }),
    git(['diff', base, '-M', ...PATCH_FLAGS, MODIFIED_ONLY, ...DIFF_FLAGS, ...pathspec], { cwd }),
    git(['ls-files', '-z', '--others', '--exclude-standard', '--full-name', ...pathspec], { cwd }),
  ]);
  const files = fromDiff(parseRaw(raw), parseAddedLines(patch), skipped, true);
  for (const path of splitNul(untracked)) {
    const stat = lstatOrNull(join(cwd, path));
    if (!stat) continue;
    if (stat.isSymbolicLink()) {
      skipped.push({ file: path, reason: SYMLINK_SKIP });
      continue;
    }
    if (stat.isFile()) files.push({ path, allAdded: true, added: [], blob: null, oldBlob: null });
  }
  return files;
}

/**
 * A working-tree file's lstat, or null when it cannot be had. Working-tree files are read synchronously: they are
 * most likely in the page cache, and fs/promises' round trips through the thread pool cost 3–4 × the reads
 * themselves (lstat, realpath and read of the 669 files of `check --all`: 105–155 ms against 33 ms), on the thread
 * that checks them.
 */
function lstatOrNull(full: string): Stats | null {
  try {
    return lstatSync(full, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** Reads a working-tree file, refusing symlinks so a check never reads outside the repository. */
async function readWorktreeFile(root: string, path: string, limit = Infinity): Promise<Buffer | TooLarge | null> {
  const full = join(root, path);
  const stat = lstatOrNull(full);
  if (!stat || !stat.isFile() || !reallyInside(root, path)) return null;
  if (stat.size > limit) return new TooLarge(stat.size);
  return readFileSync(full);
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
