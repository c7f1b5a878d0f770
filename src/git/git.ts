/**
 * Running git (with spawn.ts, the only modules that do). Every call gets the same fixed flags so that a
 * user's configuration (external diff drivers, colour, quoted paths, optional
 * index refreshes) cannot change what we parse or touch what we must not.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { GitError, NotARepository } from '../errors.js';
import { timing } from '../timing.js';
import { rootByWalk } from './early.js';
import { GLOBAL_FLAGS, gitEnv, runGit, spawnGit, takeEarly, takeEarlyBatch } from './spawn.js';

/** The empty tree: what a first commit is compared with. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export const ZERO_SHA = /^0+$/;

export interface GitOptions {
  cwd: string;
  /** Written to git's stdin, then closed. */
  input?: string | Buffer;
  /** Exit codes that are not errors (git diff --quiet style). */
  okCodes?: number[];
}

export interface GitResult {
  stdout: Buffer;
  code: number;
}

/** Runs git and collects its stdout as bytes; rejects with a GitError that keeps git's message. */
export async function gitRaw(args: readonly string[], opts: GitOptions): Promise<GitResult> {
  // A command the CLI entry started early (early.ts) is taken when it is exactly this one.
  const early = opts.input === undefined ? takeEarly(args, opts.cwd) : undefined;
  if (early) timing.phase(`git ${args[0]} (started before the engine loaded)`);
  const ran = await (early ?? runGit(args, opts.cwd, opts.input));
  if (ran.failed !== undefined)
    throw new GitError(args, null, ran.failed.includes('ENOENT') ? 'git is not installed or not on PATH' : ran.failed);
  if (ran.code === 0 || opts.okCodes?.includes(ran.code)) return { stdout: ran.stdout, code: ran.code };
  throw new GitError(args, ran.code, ran.stderr);
}

/** Runs git and returns stdout as UTF-8 text. */
export async function git(args: readonly string[], opts: GitOptions): Promise<string> {
  return (await gitRaw(args, opts)).stdout.toString('utf8');
}

/** Splits NUL-terminated output (`-z`) into fields. */
export function splitNul(text: string): string[] {
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

export interface RepoInfo {
  /** Absolute path of the working tree's top level. */
  root: string;
  /** Absolute path of this worktree's git dir (where hooks look for things like MERGE_HEAD). */
  gitDir: string;
  /** Absolute path of the common git dir (shared hooks, config). */
  commonDir: string;
  /** The commit HEAD points at, or null before the first commit. */
  head: string | null;
}

/** One git process for everything the pipeline needs to know about the repository. */
export async function repoInfo(cwd: string): Promise<RepoInfo> {
  const { stdout, code } = await gitRaw(
    ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--verify', '-q', 'HEAD^{commit}'],
    {
      cwd,
      okCodes: [1, 128],
    },
  ).catch((e: unknown) => {
    throw e instanceof GitError ? e : new GitError(['rev-parse'], null, String(e));
  });
  const lines = stdout.toString('utf8').split('\n');
  if (lines.length < 3 || !lines[0]) {
    throw new NotARepository(cwd);
  }
  const root = lines[0];
  const gitDir = lines[1] ?? '';
  const common = lines[2] ?? gitDir;
  return { root, gitDir, commonDir: resolve(cwd, common), head: code === 0 && lines[3] ? lines[3] : null };
}

/**
 * The top of the working tree. Without GIT_DIR or GIT_WORK_TREE in the
 * environment it is the nearest directory holding `.git` (a directory, or a
 * file for worktrees and submodules), found without starting git: a commit
 * pays for every process. Otherwise git decides.
 */
export async function findRoot(cwd: string): Promise<string> {
  return rootByWalk(cwd) ?? (await repoInfo(cwd)).root;
}

/** The commit HEAD points at, or null before the first commit. */
export async function headCommit(cwd: string): Promise<string | null> {
  const { stdout, code } = await gitRaw(['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { cwd, okCodes: [1] });
  return code === 0 ? stdout.toString('utf8').trim() : null;
}

const MAX_LENGTH = bufferConstants.MAX_LENGTH;
/** Bytes of a too-large object that BlobReader would rather not receive at all (it restarts git instead). */
const RESTART_BYTES = 1_000_000;

/** What a read answers instead of the content when the object is larger than the reader asked for. */
export class TooLarge {
  constructor(readonly size: number) {}
}

/** Compressed bytes above which a blob is surely more than zlib's default 16 kB output piece. */
const LARGE_COMPRESSED = 16_384;

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * The object directory whose loose objects may be read without git: only for
 * an ordinary layout (a `.git` directory, or a worktree's `.git` file and its
 * `commondir`) and when no GIT_* variable redirects git. Anything else, and
 * any object that is not loose (packed, alternates), goes through cat-file.
 */
export function looseObjectsDir(root: string): string | null {
  const env = process.env;
  if (env.GIT_DIR || env.GIT_OBJECT_DIRECTORY || env.GIT_COMMON_DIR || env.GIT_ALTERNATE_OBJECT_DIRECTORIES)
    return null;
  try {
    const dotGit = join(root, '.git');
    let gitDir = dotGit;
    if (!statSync(dotGit).isDirectory()) {
      const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (!pointer) return null;
      gitDir = resolve(root, pointer[1]!.trim());
    }
    const commonFile = join(gitDir, 'commondir');
    const common = existsSync(commonFile) ? resolve(gitDir, readFileSync(commonFile, 'utf8').trim()) : gitDir;
    return join(common, 'objects');
  } catch {
    return null;
  }
}

/**
 * A loose blob's content, or null when the object is not a loose blob here, or
 * may be larger than `limit` (git then answers, and tells the size without
 * handing over the content). Inflating stops at the limit: a few kB of zeros
 * compressed must not become gigabytes in memory.
 */
function readLooseBlob(objects: string, id: string, limit: number): Buffer | null {
  let raw: Buffer;
  try {
    const file = join(objects, id.slice(0, 2), id.slice(2));
    if (statSync(file).size > limit) return null;
    const compressed = readFileSync(file);
    // A large blob is inflated into one buffer of the size its header declares: zlib's default 16 kB pieces cost a
    // JS round each and a copy to join them (an 800 kB lockfile: ~4.3 -> ~3.2 ms cold); for a small one, a few
    // pieces cost less than reading the header first. A header that lies only costs speed: the size is checked
    // below as before.
    const declared = compressed.length > LARGE_COMPRESSED ? headerSize(compressed.subarray(0, 256)) : null;
    raw = inflateSync(compressed, {
      maxOutputLength: Math.min(limit + 64, MAX_LENGTH),
      ...(declared !== null && declared <= limit ? { chunkSize: Math.max(64, declared + 32) } : {}),
    });
  } catch {
    return null;
  }
  const nul = raw.indexOf(0);
  const header = raw.subarray(0, nul).toString('latin1');
  if (nul < 0 || !header.startsWith('blob ') || Number(header.slice(5)) !== raw.length - nul - 1) return null;
  return raw.subarray(nul + 1);
}

/**
 * The loose blobs read last, by object directory and id, up to RECENT_BYTES: the review step of a staged check
 * reads again the blobs the check has just read (a changed 800 kB lockfile was inflated a second time). An id
 * names its content, so the bytes are the same; no reader writes into a blob's bytes.
 */
const recent = new Map<string, Buffer>();
let recentBytes = 0;
const RECENT_BYTES = 2_000_000;

function recentLooseBlob(objects: string, id: string, limit: number): Buffer | null {
  const key = `${objects}\0${id}`;
  const known = recent.get(key);
  if (known) return known;
  const read = readLooseBlob(objects, id, limit);
  if (read && read.length <= RECENT_BYTES) {
    recent.set(key, read);
    recentBytes += read.length;
    for (const [oldest, bytes] of recent) {
      if (recentBytes <= RECENT_BYTES) break;
      recent.delete(oldest);
      recentBytes -= bytes.length;
    }
  }
  return read;
}

/**
 * One long-lived `git cat-file --batch` for all blob reads of a run. Requests
 * are answered in order, so a FIFO of waiting readers is all the bookkeeping.
 */
export class BlobReader {
  private child: ReturnType<typeof spawn> | null = null;
  private waiting: Array<{
    object: string;
    limit: number;
    resolve: (b: Buffer | TooLarge | null) => void;
    reject: (e: Error) => void;
  }> = [];
  private buffer: Buffer = Buffer.alloc(0);
  /** Chunks not yet joined to `buffer`, and how many bytes `buffer` must hold before the blob being read is complete. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  private need = 0;
  /** Bytes of an object too large for its reader still to come from git, dropped as they arrive. */
  private discard = 0;
  private failed: Error | null = null;
  private closed = false;

  /** `objects` is the repository's object directory when blobs may be read from loose objects (see looseObjectsDir). */
  constructor(
    private readonly cwd: string,
    private readonly objects: string | null = null,
  ) {}

  private start() {
    const early = takeEarlyBatch(this.cwd);
    if (early) timing.phase('git cat-file (started before the engine loaded)');
    const child = early ?? spawnGit(['cat-file', '--batch'], this.cwd);
    child.stdout!.on('data', (data: Buffer) => {
      let chunk = data;
      if (this.discard) {
        const dropped = Math.min(this.discard, chunk.length);
        this.discard -= dropped;
        if (dropped === chunk.length) return;
        chunk = chunk.subarray(dropped);
      }
      // Join chunks once per blob, not once per chunk: a large blob arrives in many 64 kB chunks.
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      if (this.buffer.length + this.partsLength < this.need) return;
      this.buffer = this.buffer.length || this.parts.length > 1 ? Buffer.concat([this.buffer, ...this.parts]) : chunk;
      this.parts = [];
      this.partsLength = 0;
      this.drain();
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const fail = (message: string) => {
      this.failed = new GitError(['cat-file', '--batch'], null, message);
      for (const w of this.waiting.splice(0)) w.reject(this.failed);
    };
    child.on('error', (e) => fail(e.message));
    child.on('close', () => {
      if (this.waiting.length) fail(stderr || 'git cat-file exited early');
    });
    child.stdin!.on('error', () => {});
    this.child = child;
  }

  private drain() {
    while (this.waiting.length) {
      const headerEnd = this.buffer.indexOf(10);
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('latin1');
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buffer = this.buffer.subarray(headerEnd + 1);
        this.waiting.shift()!.resolve(null);
        continue;
      }
      const size = Number(header.slice(header.lastIndexOf(' ') + 1));
      if (size > this.waiting[0]!.limit) {
        // Too large for the reader: its bytes (and git's newline after them) are dropped, never held.
        const available = this.buffer.length - headerEnd - 1;
        if (available >= size + 1) this.buffer = this.buffer.subarray(headerEnd + 1 + size + 1);
        else {
          this.discard = size + 1 - available;
          this.buffer = Buffer.alloc(0);
        }
        this.need = 0;
        this.waiting.shift()!.resolve(new TooLarge(size));
        // Hundreds of MB still to come, only to be dropped: a new git is cheaper, and passes no garbage through memory.
        if (this.discard > RESTART_BYTES) return this.restart();
        continue;
      }
      if (this.buffer.length < headerEnd + 1 + size + 1) {
        this.need = headerEnd + 1 + size + 1;
        return;
      }
      this.need = 0;
      const body = Buffer.from(this.buffer.subarray(headerEnd + 1, headerEnd + 1 + size));
      this.buffer = this.buffer.subarray(headerEnd + 1 + size + 1);
      this.waiting.shift()!.resolve(body);
    }
  }

  /**
   * The content of an object by id (or `<rev>:<path>` without newlines); null when git has no such object;
   * TooLarge, without reading the content into memory, when it has more than `limit` bytes.
   */
  read(object: string, limit = MAX_LENGTH): Promise<Buffer | TooLarge | null> {
    // A blob just staged is a loose object: reading it directly spares starting git (a commit pays for every process).
    const loose = this.objects && OBJECT_ID.test(object) ? recentLooseBlob(this.objects, object, limit) : null;
    if (loose) return Promise.resolve(loose.length > limit ? new TooLarge(loose.length) : loose);
    if (this.failed) return Promise.reject(this.failed);
    // A check stopped by its time budget may still ask after the run ended: starting git then would keep the process alive.
    if (this.closed) return Promise.resolve(null);
    if (!this.child) this.start();
    return new Promise((resolve, reject) => {
      this.waiting.push({ object, limit, resolve, reject });
      this.child!.stdin!.write(object + '\n');
    });
  }

  /** Stops the running git, forgetting what it was sending, and asks a new one for every request still waiting. */
  private restart() {
    const old = this.child!;
    old.stdout!.removeAllListeners('data');
    old.removeAllListeners('close');
    old.stdin!.end();
    old.kill();
    this.child = null;
    this.buffer = Buffer.alloc(0);
    this.parts = [];
    this.partsLength = 0;
    this.need = 0;
    this.discard = 0;
    if (!this.waiting.length) return;
    this.start();
    for (const w of this.waiting) this.child!.stdin!.write(w.object + '\n');
  }

  close() {
    this.closed = true;
    this.child?.stdin?.end();
    this.child = null;
  }
}

/**
 * A loose blob's size from its header ("blob <size>\0", the first bytes inflated), or null when the object is
 * not a loose blob here.
 */
function looseBlobSize(objects: string, id: string): number | null {
  try {
    const fd = openSync(join(objects, id.slice(0, 2), id.slice(2)), 'r');
    try {
      const compressed = Buffer.alloc(256);
      const n = readSync(fd, compressed, 0, compressed.length, 0);
      return headerSize(compressed.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** The size a loose blob's header declares, from the first compressed bytes of the object; null when not a blob. */
function headerSize(start: Buffer): number | null {
  let head: Buffer;
  try {
    // A stream cut short: what it decodes so far, which holds the header.
    head = inflateSync(start, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
  const match = /^blob (\d+)\0/.exec(head.subarray(0, 32).toString('latin1'));
  return match ? Number(match[1]) : null;
}

/**
 * The sizes of objects by id: loose blobs from their headers (`objects`, see looseObjectsDir), the others from one
 * `git cat-file --batch-check`; ids git does not have are left out.
 */
export async function objectSizes(
  cwd: string,
  ids: readonly string[],
  objects: string | null = null,
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const wanted = [...new Set(ids)].filter((id) => {
    if (!OBJECT_ID.test(id)) return false;
    const size = objects ? looseBlobSize(objects, id) : null;
    if (size !== null) sizes.set(id, size);
    return size === null;
  });
  if (!wanted.length) return sizes;
  const out = await git(['cat-file', '--batch-check=%(objectname) %(objectsize)'], {
    cwd,
    input: wanted.join('\n') + '\n',
  });
  for (const line of out.split('\n')) {
    const [id, size] = line.split(' ');
    if (id && size && /^\d+$/.test(size)) sizes.set(id, Number(size));
  }
  return sizes;
}

/** A blob's content as a stream of chunks from its own `git cat-file blob`, for objects too large to hold at once. */
export async function* streamBlob(cwd: string, id: string): AsyncGenerator<Buffer> {
  const child = spawn('git', [...GLOBAL_FLAGS, 'cat-file', 'blob', id], {
    cwd,
    env: gitEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(-1));
  });
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await exited;
    if (code !== 0) throw new GitError(['cat-file', 'blob', id], code, stderr || 'git cat-file failed');
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
