// "Never lose work": ralph-guard only reads. Every mode, the hooks inside real
// git operations (commit, push, rebase, merge, cherry-pick, amend, a linked
// worktree, a submodule) and an interrupted run are compared byte for byte:
// every file and directory under the test's directory, .git included, with
// its mode and modification time: the index file, refs, stashes and reflogs
// are files under .git, so this is stricter than status + index hash + refs.
// Hostile file names are in names.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, makeRepo, tempDir, type Repo, type RunResult } from './helpers/repo.js';
import { awsLine, cleanLine, md5Line, sqlLine } from './helpers/samples.js';
import { treeState } from './helpers/tree-state.mjs';

const ZERO = '0'.repeat(40);
/** The same tree-state code runs in the tests and, through a recording `ralph-guard` on PATH, inside the hooks. */
const TREE_STATE_JS = fileURLToPath(new URL('./helpers/tree-state.mjs', import.meta.url));
const TOOLS = tempDir('never-lose-tools-');

/** Every byte under `dir`, with modes and mtimes; `skip` leaves out one top-level entry (".git" for the working tree alone). */
const bytes = (dir: string, skip = '') => treeState(dir, skip);

function gitIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env, input = ''): RunResult {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', input, env });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function gitOut(cwd: string, ...args: string[]): string {
  const r = gitIn(cwd, args);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * What a git operation that fails must leave alone: the working tree's bytes
 * (untracked and ignored files included), the index entries, stashes, refs.
 * Not the index file's bytes: a refused `git commit` rewrites the index
 * itself (refreshed stat data, a cache tree) before the hook runs.
 */
function work(cwd: string): string {
  return [
    gitOut(cwd, '--no-optional-locks', 'status', '--porcelain=v2', '-z', '--untracked-files=all', '--ignored'),
    gitOut(cwd, 'ls-files', '-s', '-z'),
    gitOut(cwd, 'stash', 'list'),
    gitOut(cwd, 'for-each-ref', '--format=%(refname) %(objectname)'),
    gitOut(cwd, 'rev-parse', 'HEAD'),
    bytes(cwd, '.git'),
  ].join('\n--\n');
}

interface Sandbox {
  /** Everything of one test lives here: the repository, its remote, a linked worktree, a submodule's origin. */
  root: string;
  repo: Repo;
  /** Environment for git operations: the recording ralph-guard first on PATH. */
  env: NodeJS.ProcessEnv;
  /** The ralph-guard runs the hooks made since the last call; each must have left every byte under root as it found it. */
  hookRuns(): string[];
}

const APP = Array.from({ length: 20 }, (_, i) => `export const n${i} = ${i};\n`).join('');

let templateDir = '';

/** Hooks installed by `ralph-guard init --hooks git` and two commits, made once and copied for each test. */
function template(): string {
  if (templateDir) return templateDir;
  const repo = makeRepo();
  const init = repo.cli(['init', '--hooks', 'git']);
  assert.is(init.code, 0, init.stderr);
  assert.ok(
    readFileSync(join(repo.dir, '.git/hooks/pre-commit'), 'utf8').includes('check --staged'),
    'the pre-commit hook runs ralph-guard',
  );
  repo.write('.gitignore', '*.log\n');
  repo.write('README.md', '# demo\n');
  repo.stage();
  repo.commit('base');
  repo.write('src/app.js', APP);
  repo.stage('src/app.js');
  repo.commit('app');
  return (templateDir = repo.dir);
}

/**
 * A repository with ralph-guard's plain git hooks (`init --hooks git`). The
 * hooks find a `ralph-guard` on PATH that records the whole sandbox before
 * and after running the real CLI: git is paused while its hook runs, so any
 * difference is ralph-guard's doing.
 */
function sandbox(): Sandbox {
  const root = tempDir('never-lose-');
  const bin = tempDir('never-lose-bin-');
  const log = join(TOOLS, `${root.split('/').pop()}.jsonl`);
  const record = (phase: string) =>
    `'${process.execPath}' '${TREE_STATE_JS}' record '${log}' '${root}' ${phase} "$@" </dev/null`;
  writeFileSync(
    join(bin, 'ralph-guard'),
    `#!/bin/sh\n${record('before')}\n'${process.execPath}' '${CLI}' "$@"\ncode=$?\n${record('after')}\nexit $code\n`,
    { mode: 0o755 },
  );

  cpSync(template(), join(root, 'repo'), { recursive: true });
  const repo = makeRepo({ dir: join(root, 'repo'), existing: true });
  // Work that is not part of any commit and must survive every operation.
  repo.write('debug.log', awsLine(3));
  repo.write('notes/todo.js', awsLine(2));

  return {
    root,
    repo,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GIT_EDITOR: 'true' },
    hookRuns() {
      const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      writeFileSync(log, '');
      const entries = lines.map((l) => JSON.parse(l) as { phase: string; argv: string; state: string });
      assert.is(entries.length % 2, 0, 'every run recorded before and after');
      const runs: string[] = [];
      for (let i = 0; i < entries.length; i += 2) {
        const [before, after] = [entries[i]!, entries[i + 1]!];
        assert.equal([before.phase, after.phase], ['before', 'after']);
        assert.fixture(after.state, before.state, `\`ralph-guard ${before.argv}\` in a hook changed the repository`);
        runs.push(before.argv);
      }
      return runs;
    },
  };
}

/** The work no commit holds (an untracked file, an ignored one), with mtimes: proof they were not rewritten. */
const uncommitted = (repo: Repo) =>
  bytes(repo.dir)
    .split('\n')
    .filter((l) => l.startsWith('"debug.log"') || l.startsWith('"notes/'))
    .join('\n');

/** `git add -p` with scripted answers: the first hunk staged, the second left in the working tree. */
function addFirstHunk(cwd: string, path: string) {
  const r = gitIn(cwd, ['add', '-p', '--', path], process.env, 'y\nn\n');
  assert.is(r.code, 0, r.stderr);
  assert.ok(gitOut(cwd, 'diff', '--cached', '--', path).trim(), 'something staged');
  assert.ok(gitOut(cwd, 'diff', '--', path).trim(), 'something left unstaged');
}

const MODES = [['--staged'], ['--worktree'], ['--all'], ['--range', 'HEAD~1..HEAD'], ['--push']] as const;

/**
 * Runs `check` in every mode in `cwd` and asserts that each run left every
 * byte under `root` unchanged. Returns "file atom" per finding, by mode.
 */
function checkEveryMode(
  root: string,
  cwd: string,
  modes: ReadonlyArray<readonly string[]> = MODES,
): Record<string, string[]> {
  const head = gitOut(cwd, 'rev-parse', 'HEAD').trim();
  const found: Record<string, string[]> = {};
  for (const mode of modes) {
    const before = bytes(root);
    const r = spawnSync(process.execPath, [CLI, 'check', ...mode, '--format', 'json'], {
      cwd,
      encoding: 'utf8',
      input: `refs/heads/main ${head} refs/heads/main ${ZERO}\n`,
    });
    assert.ok(r.status === 0 || r.status === 1, `check ${mode.join(' ')} exited ${r.status}: ${r.stderr}`);
    assert.fixture(bytes(root), before, `check ${mode.join(' ')} changed nothing`);
    const report = JSON.parse(r.stdout) as { findings: Array<{ atom: string; file: string }> };
    found[mode.join(' ')] = [...new Set(report.findings.map((f) => `${f.file} ${f.atom}`))].sort();
  }
  return found;
}

test('every mode, with a partly staged file (git add -p, and staged then edited), untracked and ignored files and a stash, changes nothing', () => {
  const { root, repo } = sandbox();
  const base = repo.git('rev-parse', 'HEAD').trim();
  repo.write('src/pushed.js', sqlLine);
  repo.stage('src');
  repo.commit('a commit to push');
  repo.write('README.md', '# demo, edited and stashed\n');
  repo.write('stash-me.js', md5Line);
  repo.git('stash', 'push', '-q', '-u', '--', 'README.md', 'stash-me.js');
  // Two hunks, only the first staged: the index has the SQL, the disk also the MD5.
  repo.write('src/app.js', sqlLine + APP + md5Line);
  addFirstHunk(repo.dir, 'src/app.js');
  // Staged with a key, then fixed on disk only.
  repo.write('src/emulated.js', awsLine());
  repo.stage('src/emulated.js');
  repo.write('src/emulated.js', cleanLine);
  // Tracked and unchanged but with a new mtime: a `git status` or `git diff` allowed to refresh would rewrite the index.
  utimesSync(join(repo.dir, '.gitignore'), new Date(), new Date(Date.now() + 60_000));

  const found = checkEveryMode(root, repo.dir, [
    ['--staged'],
    ['--worktree'],
    ['--all'],
    ['--all', '--index'],
    ['--range', `${base}..HEAD`],
    ['--push'],
  ]);
  assert.equal(found['--staged'], ['src/app.js sql-injection', 'src/emulated.js secrets'], 'the index, not the disk');
  assert.equal(
    found['--worktree'],
    ['notes/todo.js secrets', 'src/app.js password-hashing', 'src/app.js sql-injection'],
    'the disk, untracked included, ignored not',
  );
  assert.equal(
    found['--all'],
    ['src/app.js password-hashing', 'src/app.js sql-injection', 'src/pushed.js sql-injection'],
    'every tracked file on disk',
  );
  assert.equal(
    found['--all --index'],
    ['src/app.js sql-injection', 'src/emulated.js secrets', 'src/pushed.js sql-injection'],
    'every tracked file as staged',
  );
  assert.equal(found[`--range ${base}..HEAD`], ['src/pushed.js sql-injection']);
  assert.equal(found['--push'], ['src/pushed.js sql-injection']);
  assert.is(repo.git('stash', 'list').split('\n').filter(Boolean).length, 1, 'the stash is still there');
});

test('a real git commit: refused with nothing lost, then made with the unstaged hunk still on disk', () => {
  const { repo, env, hookRuns } = sandbox();
  repo.write('src/app.js', sqlLine + APP + md5Line);
  addFirstHunk(repo.dir, 'src/app.js');
  const head = repo.git('rev-parse', 'HEAD');
  const before = work(repo.dir);
  const refused = repo.tryGit(['commit', '-m', 'staged sql'], { env });
  assert.is.not(refused.code, 0, 'refused');
  assert.match(refused.stdout + refused.stderr, 'src/app.js:1:');
  assert.is(repo.git('rev-parse', 'HEAD'), head, 'no commit');
  assert.fixture(work(repo.dir), before, 'index entries and every working tree byte as before the attempt');
  assert.equal(hookRuns(), ['check --staged']);

  // Fix the staged line, keep the MD5 hunk unstaged: the commit goes through and the hunk stays on disk.
  repo.write('src/app.js', cleanLine + APP + md5Line);
  addFirstHunk(repo.dir, 'src/app.js');
  const disk = bytes(repo.dir, '.git');
  const made = repo.tryGit(['commit', '-m', 'clean part'], { env });
  assert.is(made.code, 0, made.stdout + made.stderr);
  assert.is.not(repo.git('rev-parse', 'HEAD'), head, 'committed');
  assert.fixture(
    bytes(repo.dir, '.git'),
    disk,
    'the working tree is untouched: unstaged hunk, untracked and ignored files',
  );
  assert.match(repo.git('diff'), md5Line.trim(), 'the MD5 hunk is still an unstaged change');
  assert.equal(hookRuns(), ['check --staged']);
});

test('a real git push to a local bare remote: a clean push goes through, a bad one is refused and nothing moves', () => {
  const { root, repo, env, hookRuns } = sandbox();
  const remote = join(root, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', remote]);
  repo.git('remote', 'add', 'origin', remote);
  repo.write('src/ok.js', cleanLine);
  repo.stage('src/ok.js');
  repo.commit('clean');
  const ok = repo.tryGit(['push', '-q', 'origin', 'main'], { env });
  assert.is(ok.code, 0, ok.stderr);
  assert.is(gitOut(remote, 'rev-parse', 'main'), repo.git('rev-parse', 'main'));
  assert.equal(hookRuns(), ['check --push']);

  repo.write('src/bad.js', sqlLine);
  repo.stage('src/bad.js');
  repo.commit('bad');
  repo.write('src/app.js', md5Line); // unstaged, to be kept
  const before = work(repo.dir);
  const remoteBefore = bytes(remote);
  const refused = repo.tryGit(['push', 'origin', 'main'], { env });
  assert.is.not(refused.code, 0, 'refused');
  assert.match(refused.stdout + refused.stderr, 'src/bad.js:1:');
  assert.fixture(work(repo.dir), before);
  assert.fixture(bytes(remote), remoteBefore, 'the remote received nothing');
  assert.equal(hookRuns(), ['check --push']);
});

test('git rebase: completes, and a check at a conflict mid-rebase changes nothing', () => {
  const { root, repo, env, hookRuns } = sandbox();
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write('src/feature.js', cleanLine);
  repo.write('src/app.js', APP.replace('n0 = 0', 'n0 = "feature"'));
  repo.stage('src');
  repo.commit('feature');
  repo.git('checkout', '-q', 'main');
  repo.write('src/main.js', cleanLine);
  repo.stage('src');
  repo.commit('main side');

  // No conflict: the rebase completes, with untracked and ignored files as they were.
  repo.git('checkout', '-q', '-b', 'easy', 'feature');
  const kept = uncommitted(repo);
  const easy = repo.tryGit(['rebase', 'main'], { env });
  assert.is(easy.code, 0, easy.stderr);
  assert.ok(existsSync(join(repo.dir, 'src/main.js')), 'rebased onto main');
  assert.fixture(uncommitted(repo), kept, 'the untracked and the ignored file are untouched');

  // A conflict: the state a hook would see mid-rebase (unmerged index, markers on disk, .git/rebase-merge).
  repo.git('checkout', '-q', 'main');
  repo.write('src/app.js', APP.replace('n0 = 0', 'n0 = "main"'));
  repo.stage('src');
  repo.commit('main edits app.js');
  repo.git('checkout', '-q', 'feature');
  const conflict = repo.tryGit(['rebase', 'main'], { env });
  assert.is.not(conflict.code, 0, 'stops at the conflict');
  assert.ok(existsSync(join(repo.dir, '.git/rebase-merge')));
  checkEveryMode(root, repo.dir);
  repo.write('src/app.js', APP.replace('n0 = 0', 'n0 = "both"'));
  repo.stage('src/app.js');
  const done = repo.tryGit(['rebase', '--continue'], { env });
  assert.is(done.code, 0, done.stderr);
  assert.not.ok(existsSync(join(repo.dir, '.git/rebase-merge')), 'the rebase is finished');
  assert.match(repo.git('show', 'HEAD:src/app.js'), 'n0 = "both"');
  // git runs no pre-commit hook for the commits a rebase makes.
  assert.equal(hookRuns(), []);
});

test('git merge with a conflict resolved by hand: checks mid-merge change nothing, a bad resolution is refused and kept, a clean one commits', () => {
  const { root, repo, env, hookRuns } = sandbox();
  repo.git('checkout', '-q', '-b', 'topic');
  repo.write('src/app.js', APP.replace('n0 = 0', 'n0 = "topic"'));
  repo.stage('src');
  repo.commit('topic');
  repo.git('checkout', '-q', 'main');
  repo.write('src/app.js', APP.replace('n0 = 0', 'n0 = "main"'));
  repo.stage('src');
  repo.commit('main');

  const merge = repo.tryGit(['merge', 'topic'], { env });
  assert.is.not(merge.code, 0, 'conflict');
  assert.ok(existsSync(join(repo.dir, '.git/MERGE_HEAD')));
  checkEveryMode(root, repo.dir);

  repo.write('src/app.js', sqlLine + APP);
  repo.stage('src/app.js');
  const before = work(repo.dir);
  const refused = repo.tryGit(['commit', '--no-edit'], { env });
  assert.is.not(refused.code, 0, 'refused');
  assert.match(refused.stdout + refused.stderr, 'src/app.js:1:', 'the resolution is what the commit would add');
  assert.fixture(work(repo.dir), before, 'the resolution is still staged and on disk');
  assert.ok(existsSync(join(repo.dir, '.git/MERGE_HEAD')), 'still merging');
  assert.equal(hookRuns(), ['check --staged']);

  repo.write('src/app.js', APP.replace('n0 = 0', 'n0 = "both"'));
  repo.stage('src/app.js');
  const made = repo.tryGit(['commit', '--no-edit'], { env });
  assert.is(made.code, 0, made.stdout + made.stderr);
  assert.is(repo.git('rev-list', '--parents', '-n', '1', 'HEAD').trim().split(' ').length, 3, 'a merge commit');
  assert.equal(hookRuns(), ['check --staged']);
});

test('git cherry-pick: a clean pick completes; at a conflict checks change nothing, --continue is refused on bad content and goes through on clean', () => {
  const { root, repo, env, hookRuns } = sandbox();
  repo.git('checkout', '-q', '-b', 'other');
  repo.write('src/picked.js', cleanLine);
  repo.stage('src');
  repo.commit('clean pick');
  repo.write('src/app.js', APP.replace('n0 = 0', 'n0 = "other"'));
  repo.stage('src');
  repo.commit('conflicting pick');
  repo.git('checkout', '-q', 'main');
  repo.write('src/app.js', APP.replace('n0 = 0', 'n0 = "main"'));
  repo.stage('src');
  repo.commit('main');

  const clean = repo.tryGit(['cherry-pick', 'other~1'], { env });
  assert.is(clean.code, 0, clean.stderr);
  assert.ok(existsSync(join(repo.dir, 'src/picked.js')));
  assert.equal(hookRuns(), [], 'git runs no pre-commit for a pick without conflict');

  const conflict = repo.tryGit(['cherry-pick', 'other'], { env });
  assert.is.not(conflict.code, 0, 'conflict');
  assert.ok(existsSync(join(repo.dir, '.git/CHERRY_PICK_HEAD')));
  checkEveryMode(root, repo.dir);
  repo.write('src/app.js', md5Line + APP);
  repo.stage('src/app.js');
  const before = work(repo.dir);
  const refused = repo.tryGit(['cherry-pick', '--continue'], { env });
  assert.is.not(refused.code, 0, 'refused');
  assert.match(refused.stdout + refused.stderr, 'src/app.js:1:');
  assert.fixture(work(repo.dir), before);
  assert.ok(existsSync(join(repo.dir, '.git/CHERRY_PICK_HEAD')), 'still picking');
  assert.equal(hookRuns(), ['check --staged']);

  repo.write('src/app.js', APP.replace('n0 = 0', 'n0 = "both"'));
  repo.stage('src/app.js');
  const made = repo.tryGit(['cherry-pick', '--continue'], { env });
  assert.is(made.code, 0, made.stdout + made.stderr);
  assert.not.ok(existsSync(join(repo.dir, '.git/CHERRY_PICK_HEAD')), 'the pick is finished');
  assert.equal(hookRuns(), ['check --staged']);
});

test('git commit --amend: refused with nothing lost, then amended', () => {
  const { repo, env, hookRuns } = sandbox();
  const head = repo.git('rev-parse', 'HEAD');
  const parent = repo.git('rev-parse', 'HEAD^');
  repo.write('src/app.js', APP + md5Line);
  repo.stage('src/app.js');
  const before = work(repo.dir);
  const refused = repo.tryGit(['commit', '--amend', '--no-edit'], { env });
  assert.is.not(refused.code, 0, 'refused');
  assert.match(refused.stdout + refused.stderr, 'src/app.js:21:');
  assert.fixture(work(repo.dir), before);
  assert.is(repo.git('rev-parse', 'HEAD'), head);

  repo.write('src/app.js', APP + cleanLine);
  repo.stage('src/app.js');
  const made = repo.tryGit(['commit', '--amend', '--no-edit'], { env });
  assert.is(made.code, 0, made.stdout + made.stderr);
  assert.is.not(repo.git('rev-parse', 'HEAD'), head, 'amended');
  assert.is(repo.git('rev-parse', 'HEAD^'), parent, 'same parent');
  assert.equal(hookRuns(), ['check --staged', 'check --staged']);
});

test('a linked worktree: every mode changes nothing in either worktree; a real commit is refused, then made', () => {
  const { root, repo, env, hookRuns } = sandbox();
  const linked = join(root, 'linked');
  repo.git('worktree', 'add', '-q', '-b', 'side', linked);
  writeFileSync(join(linked, 'src/app.js'), sqlLine + APP + md5Line);
  addFirstHunk(linked, 'src/app.js');
  writeFileSync(join(linked, 'untracked.js'), awsLine(4));

  const found = checkEveryMode(root, linked);
  assert.equal(found['--staged'], ['src/app.js sql-injection'], 'the linked worktree’s own index');

  const before = work(linked);
  const mainBefore = work(repo.dir);
  const refused = gitIn(linked, ['commit', '-m', 'bad'], env);
  assert.is.not(refused.code, 0, 'refused');
  assert.match(refused.stdout + refused.stderr, 'src/app.js:1:');
  assert.fixture(work(linked), before);
  assert.fixture(work(repo.dir), mainBefore, 'the main worktree is not touched either');

  writeFileSync(join(linked, 'src/app.js'), cleanLine + APP + md5Line);
  addFirstHunk(linked, 'src/app.js');
  const made = gitIn(linked, ['commit', '-m', 'clean'], env);
  assert.is(made.code, 0, made.stdout + made.stderr);
  assert.match(gitOut(linked, 'diff'), md5Line.trim(), 'the unstaged hunk is kept');
  assert.equal(hookRuns(), ['check --staged', 'check --staged']);
});

test('a submodule pointer and a file in one change: every mode changes nothing; a real commit is refused, then made', () => {
  const { root, repo, env, hookRuns } = sandbox();
  const origin = makeRepo({ dir: join(root, 'lib-origin') });
  origin.write('lib.js', cleanLine);
  origin.stage();
  origin.commit('lib');
  repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', origin.dir, 'vendor/lib');
  repo.commit('add the submodule');
  // A new commit inside the submodule: the parent sees a moved pointer.
  const sub = join(repo.dir, 'vendor/lib');
  writeFileSync(join(sub, 'lib.js'), cleanLine + sqlLine);
  gitOut(sub, 'commit', '-q', '--no-verify', '-am', 'lib moves');
  repo.write('src/app.js', APP + md5Line);
  repo.stage('vendor/lib', 'src/app.js');

  const found = checkEveryMode(root, repo.dir);
  assert.equal(found['--staged'], ['src/app.js password-hashing'], 'the submodule’s content is its own repository’s');

  const before = work(repo.dir);
  const subBefore = work(sub);
  const refused = repo.tryGit(['commit', '-m', 'bump and bad'], { env });
  assert.is.not(refused.code, 0, 'refused');
  assert.match(refused.stdout + refused.stderr, 'src/app.js:21:');
  assert.fixture(work(repo.dir), before, 'the pointer and the file are still staged');
  assert.fixture(work(sub), subBefore, 'the submodule is untouched');

  repo.write('src/app.js', APP + cleanLine);
  repo.stage('src/app.js');
  const made = repo.tryGit(['commit', '-m', 'bump and clean'], { env });
  assert.is(made.code, 0, made.stdout + made.stderr);
  assert.is(repo.git('rev-parse', 'HEAD:vendor/lib'), gitOut(sub, 'rev-parse', 'HEAD'), 'the new pointer is committed');
  assert.equal(hookRuns(), ['check --staged', 'check --staged']);
});

/** Processes (other than this one) whose working directory is inside `dir`, as "pid command line"; Linux only. */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || pid === String(process.pid)) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(dir + '/'))
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
    } catch {
      // gone, or not ours to look at
    }
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGINT in the middle of check --all: no byte changed, no file left behind, no git process left running', async () => {
  const repo = makeRepo();
  const body = (i: number) =>
    `import db from './db.js';\nexport function find${i}(id) {\n  return db.query('SELECT * FROM t WHERE id = $1', [id]);\n}\n`.repeat(
      5,
    );
  for (let i = 0; i < 2000; i++) repo.write(`src/d${i % 40}/f${i}.js`, body(i));
  repo.stage();
  repo.commit('many files');
  // Packed objects go through `git cat-file --batch`: a long-lived child to interrupt.
  repo.git('gc', '-q');
  repo.write('src/app.js', 'export const edited = true;\n');
  repo.write('untracked.js', cleanLine);
  const before = bytes(repo.dir) + repo.snapshot();

  // --index: the blobs come through git cat-file, the child to interrupt.
  const child = spawn(process.execPath, [CLI, 'check', '--all', '--index'], {
    cwd: repo.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.resume();
  child.stderr.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let gitRunning: string[] = [];
  if (existsSync('/proc/self/cwd')) {
    // Interrupt while git is working for the check, not before it started.
    const deadline = Date.now() + 10_000;
    while (
      !(gitRunning = processesIn(repo.dir).filter((p) => p.includes('cat-file'))).length &&
      child.exitCode === null &&
      Date.now() < deadline
    )
      await sleep(5);
    assert.ok(gitRunning.length, 'git cat-file was running when the signal came');
  } else {
    await sleep(100);
  }
  child.kill('SIGINT');
  const { code, signal } = await exited;
  assert.ok(
    signal === 'SIGINT' || (code !== null && code !== 0),
    `stopped by the signal (code ${code}, signal ${signal})`,
  );

  if (existsSync('/proc/self/cwd')) {
    // Children notice their closed pipes at once; give a slow machine a moment.
    let left = processesIn(repo.dir);
    for (let i = 0; i < 50 && left.length; i++) left = (await sleep(20), processesIn(repo.dir));
    assert.equal(left, [], 'no git process outlives ralph-guard');
  }
  assert.fixture(
    bytes(repo.dir) + repo.snapshot(),
    before,
    'no byte changed and no file (index.lock, temp file) left behind',
  );
});

test.run();
