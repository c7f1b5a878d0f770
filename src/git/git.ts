/**
 * The only place that runs git. Every call gets the same fixed flags so that a
 * user's configuration (external diff drivers, colour, quoted paths, optional
 * index refreshes) cannot change what we parse or touch what we must not.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { GitError } from '../errors.js';

/** Flags in front of every git command. */
const GLOBAL_FLAGS = ['-c', 'core.quotepath=off', '-c', 'color.ui=false', '--no-pager', '--no-optional-locks'];

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

/** The environment for git: never let a pager, prompt or editor wait on a terminal. */
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
}

export interface GitResult {
  stdout: Buffer;
  code: number;
}

/** Runs git and collects its stdout as bytes; rejects with a GitError that keeps git's message. */
export function gitRaw(args: readonly string[], opts: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...GLOBAL_FLAGS, ...args], { cwd: opts.cwd, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => reject(new GitError(args, null, e.message.includes('ENOENT') ? 'git is not installed or not on PATH' : e.message)));
    child.on('close', (code) => {
      const exit = code ?? 1;
      if (exit === 0 || opts.okCodes?.includes(exit)) resolve({ stdout: Buffer.concat(out), code: exit });
      else reject(new GitError(args, exit, Buffer.concat(err).toString('utf8')));
    });
    child.stdin.on('error', () => {}); // git may exit before reading all input; its exit code tells the story
    child.stdin.end(opts.input ?? '');
  });
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
  const { stdout, code } = await gitRaw(['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--verify', '-q', 'HEAD^{commit}'], {
    cwd,
    okCodes: [1, 128],
  }).catch((e: unknown) => {
    throw e instanceof GitError ? e : new GitError(['rev-parse'], null, String(e));
  });
  const lines = stdout.toString('utf8').split('\n');
  if (lines.length < 3 || !lines[0]) {
    throw new GitError(['rev-parse', '--show-toplevel'], code, 'not inside a git working tree');
  }
  const root = lines[0];
  const gitDir = lines[1] ?? '';
  const common = lines[2] ?? gitDir;
  return { root, gitDir, commonDir: resolve(cwd, common), head: code === 0 && lines[3] ? lines[3] : null };
}

/**
 * One long-lived `git cat-file --batch` for all blob reads of a run. Requests
 * are answered in order, so a FIFO of waiting readers is all the bookkeeping.
 */
export class BlobReader {
  private child: ReturnType<typeof spawn> | null = null;
  private waiting: Array<{ resolve: (b: Buffer | null) => void; reject: (e: Error) => void }> = [];
  private buffer: Buffer = Buffer.alloc(0);
  /** Chunks not yet joined into `buffer`: joining on every chunk is quadratic for a large blob (a 1 MB lockfile). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the object at the head of the queue needs before it can be taken; 0 when unknown. */
  private needed = 0;
  private failed: Error | null = null;

  constructor(private readonly cwd: string) {}

  private start() {
    const child = spawn('git', [...GLOBAL_FLAGS, 'cat-file', '--batch'], { cwd: this.cwd, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.buffer.length + this.pendingBytes >= this.needed) this.drain();
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
    if (this.pending.length) {
      this.buffer = Buffer.concat(this.buffer.length ? [this.buffer, ...this.pending] : this.pending);
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.needed = 0;
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
      if (this.buffer.length < headerEnd + 1 + size + 1) {
        this.needed = headerEnd + 1 + size + 1;
        return;
      }
      const body = Buffer.from(this.buffer.subarray(headerEnd + 1, headerEnd + 1 + size));
      this.buffer = this.buffer.subarray(headerEnd + 1 + size + 1);
      this.waiting.shift()!.resolve(body);
    }
  }

  /** The content of an object by id (or `<rev>:<path>` without newlines); null when git has no such object. */
  read(object: string): Promise<Buffer | null> {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.child) this.start();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child!.stdin!.write(object + '\n');
    });
  }

  close() {
    this.child?.stdin?.end();
    this.child = null;
  }
}
