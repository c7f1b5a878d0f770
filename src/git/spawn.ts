/**
 * Starting git: the flags every command gets, its environment, and the few commands a staged check needs first,
 * which the CLI entry starts before the engine's code is loaded (early.ts). Apart from git.ts so that the entry
 * loads only this: node:child_process itself is loaded on the first command (`--version` starts none).
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Flags in front of every git command. `git diff` against the working tree
 * rewrites the index to refresh stat data of touched but unchanged files,
 * --no-optional-locks or not; diff.autoRefreshIndex=false stops that.
 */
export const GLOBAL_FLAGS = [
  '-c',
  'core.quotepath=off',
  '-c',
  'color.ui=false',
  '-c',
  'diff.autoRefreshIndex=false',
  '--no-pager',
  '--no-optional-locks',
];

/** The environment for git: never let a pager, prompt or editor wait on a terminal. */
export function gitEnv(): NodeJS.ProcessEnv {
  // GIT_NO_REPLACE_OBJECTS: a local `git replace` must not swap what the guard reads (the committed policy, a blob).
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    LC_ALL: 'C',
  };
}

let childProcess: typeof import('node:child_process') | undefined;

/** A git process with its three pipes. */
export function spawnGit(args: readonly string[], cwd: string): ChildProcess {
  childProcess ??= createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  return childProcess.spawn('git', [...GLOBAL_FLAGS, ...args], { cwd, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** How a git command ended: its exit code and output, or the reason it could not start. */
export interface Ran {
  code: number;
  stdout: Buffer;
  stderr: string;
  /** The process could not be started (no git on PATH). */
  failed?: string;
}

/** Runs git to its end, `input` on its stdin. */
export function runGit(args: readonly string[], cwd: string, input: string | Buffer = ''): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawnGit(args, cwd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const settle = (ran: Ran) => {
      if (settled) return;
      settled = true;
      resolve(ran);
    };
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => settle({ code: 1, stdout: Buffer.alloc(0), stderr: '', failed: e.message }));
    child.on('close', (code) =>
      settle({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin!.on('error', () => {}); // git may exit before reading all input; its exit code tells the story
    child.stdin!.end(input);
  });
}

/** Commands started early, by directory and arguments; each is taken once. */
const early = new Map<string, Promise<Ran>>();
const earlyKey = (args: readonly string[], cwd: string) => JSON.stringify([cwd, ...args]);

/** Starts a command now whose result `takeEarly` hands to the first caller asking for the very same command. */
export function startEarly(args: readonly string[], cwd: string): void {
  early.set(earlyKey(args, cwd), runGit(args, cwd));
}

export function takeEarly(args: readonly string[], cwd: string): Promise<Ran> | undefined {
  const key = earlyKey(args, cwd);
  const ran = early.get(key);
  early.delete(key);
  return ran;
}

/** `git cat-file --batch` processes started early, by directory: BlobReader adopts one instead of starting its own. */
const earlyBatches = new Map<string, ChildProcess>();

/** Starts the long-lived `git cat-file --batch` a BlobReader in `cwd` will want (its first request waits for none). */
export function startEarlyBatch(cwd: string): void {
  const child = spawnGit(['cat-file', '--batch'], cwd);
  child.on('error', () => {}); // one that could not start is not adopted (takeEarlyBatch)
  earlyBatches.set(cwd, child);
}

/** The `cat-file --batch` started early in `cwd`, once, if it is still running. */
export function takeEarlyBatch(cwd: string): ChildProcess | undefined {
  const child = earlyBatches.get(cwd);
  earlyBatches.delete(cwd);
  if (!child) return undefined;
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    child.stdin?.end();
    return undefined;
  }
  return child;
}

/** Ends the early processes nobody took: a `cat-file --batch` waiting on its stdin would keep the process alive. */
export function closeEarly(): void {
  for (const child of earlyBatches.values()) child.stdin?.end();
  earlyBatches.clear();
}
