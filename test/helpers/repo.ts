/**
 * Real git repositories in a temporary directory, with small functions to
 * write, stage, commit and push, and to run the built CLI in them. Refuses to
 * work inside the project's own checkout.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const PROJECT = resolve(new URL('../..', import.meta.url).pathname);
export const CLI = join(PROJECT, 'dist', 'cli.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Repo {
  dir: string;
  write(path: string, content: string | Buffer, mode?: number): void;
  read(path: string): string;
  git(...args: string[]): string;
  /** Runs git (hooks included) and returns its exit code and output without throwing. */
  tryGit(args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv }): RunResult;
  stage(...paths: string[]): void;
  commit(message?: string): string;
  /** Runs the built CLI with `args` in the repository. */
  cli(args: string[], opts?: { input?: string; env?: Record<string, string>; cwd?: string }): RunResult;
  /** What ralph-guard must never change: status, index bytes, stashes, refs. */
  snapshot(): string;
}

export function tempDir(prefix = 'repo-'): string {
  const base = process.env.RALPH_GUARD_TEST_TMP ?? tmpdir();
  const dir = mkdtempSync(join(base, prefix));
  if (resolve(dir).startsWith(PROJECT + '/'))
    throw new Error(`refusing to make a test repository inside the project: ${dir}`);
  return dir;
}

/** A new repository, or with `existing` the functions below for one already in `dir` (a copy, say). */
export function makeRepo(opts: { bare?: boolean; dir?: string; existing?: boolean } = {}): Repo {
  const dir = opts.dir ?? tempDir();
  if (resolve(dir).startsWith(PROJECT + '/') || resolve(dir) === PROJECT)
    throw new Error('refusing to run inside the project checkout');
  if (!opts.existing) execFileSync('git', ['init', '-q', '-b', 'main', ...(opts.bare ? ['--bare'] : []), dir]);

  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const repo: Repo = {
    dir,
    write(path, content, mode) {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      if (mode !== undefined) chmodSync(full, mode);
    },
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    git,
    tryGit(args, o = {}) {
      const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', input: o.input ?? '', env: o.env ?? process.env });
      return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
    },
    stage: (...paths) => void git('add', '--', ...(paths.length ? paths : ['.'])),
    commit(message = 'change') {
      git('commit', '-q', '--no-verify', '-m', message);
      return git('rev-parse', 'HEAD').trim();
    },
    cli(args, o = {}) {
      const r = spawnSync(process.execPath, [CLI, ...args], {
        cwd: o.cwd ?? dir,
        encoding: 'utf8',
        input: o.input ?? '',
        env: { ...process.env, ...o.env },
      });
      return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
    },
    snapshot() {
      const gitDir = git('rev-parse', '--absolute-git-dir').trim();
      const index = join(gitDir, 'index');
      const indexHash = existsSync(index) ? createHash('sha1').update(readFileSync(index)).digest('hex') : 'no index';
      return [
        git('--no-optional-locks', 'status', '--porcelain=v2', '-z', '--untracked-files=all'),
        indexHash,
        git('stash', 'list'),
        git('for-each-ref', '--format=%(refname) %(objectname)'),
      ].join('\n--\n');
    },
  };
  return repo;
}

/** A bare repository to push to, and a clone of it to work in. */
export function repoWithRemote(): { remote: Repo; repo: Repo } {
  const remote = makeRepo({ bare: true });
  const repo = makeRepo();
  repo.git('remote', 'add', 'origin', remote.dir);
  return { remote, repo };
}

/**
 * A first commit ("base", a README) pushed to `origin` (through the hooks the repository has), so
 * that what a later push sends is only what follows. Returns the base commit.
 */
export function pushBase(repo: Repo): string {
  repo.write('README.md', '# demo\n');
  repo.stage();
  const base = repo.commit('base');
  const pushed = repo.tryGit(['push', '-q', 'origin', 'main']);
  if (pushed.code !== 0) throw new Error(`pushing the base failed:\n${pushed.stdout}${pushed.stderr}`);
  return base;
}

/** A directory with a `ralph-guard` command that runs the built CLI, put first on PATH for hooks to find. */
export function installShimOnPath(): string {
  const bin = shimDir();
  process.env.PATH = `${bin}:${process.env.PATH}`;
  return bin;
}

/** A directory holding a `ralph-guard` that runs the built CLI (a global install, as far as hooks can tell). */
export function shimDir(): string {
  const bin = tempDir('bin-');
  writeFileSync(join(bin, 'ralph-guard'), SHIM, { mode: 0o755 });
  return bin;
}

export const SHIM = `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`;

/**
 * Writes policy files (or any files) and commits only them, leaving whatever
 * else is staged as it is: the hooks judge a change with the policy committed
 * where it starts, so a test's policy must be committed before its change.
 */
export function commitPolicy(repo: Repo, files: Record<string, string>, message = 'policy'): void {
  for (const [path, content] of Object.entries(files)) repo.write(path, content);
  const paths = Object.keys(files);
  repo.git('add', '--', ...paths);
  repo.git('commit', '-q', '--no-verify', '-m', message, '--', ...paths);
}
