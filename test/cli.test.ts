// The command line as a user meets it: usage errors exit 2 in one sentence with the command to run,
// --help everywhere, did-you-mean for flags, FORCE_COLOR, and which version of the files was judged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, repoWithRemote, tempDir, type Repo } from './helpers/repo.js';
import { awsLine, cleanLine, sqlLine } from './helpers/samples.js';

const COMMANDS = [
  'init',
  'uninstall',
  'check',
  'atoms',
  'explain',
  'skills',
  'baseline',
  'db update',
  'db status',
  'doctor',
  'hook',
];

/** One sentence (one line), naming a command to run. */
function assertUsage(r: { code: number; stdout: string; stderr: string }, what: string) {
  assert.is(r.code, 2, `${what}: exit 2\n${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.is(lines.length, 1, `${what}: one line, got\n${r.stderr}`);
  assert.match(r.stderr, /`(ralph-guard|git) [^`]+`/, `${what}: names a command to run`);
  assert.not.match(r.stderr, 'internal error');
  assert.not.match(r.stderr, 'letting this through');
}

test('outside a repository every command that needs one exits 2, and check lets nothing "through"', () => {
  const dir = tempDir('not-a-repo-');
  const cli = makeRepo({ dir, existing: true }).cli;
  for (const args of [
    ['init'],
    ['baseline'],
    ['uninstall'],
    ['check'],
    ['check', '--all'],
    ['check', '--worktree'],
    ['check', '--push'],
    ['check', '--range', 'a..b'],
    ['check', '--dry-run'],
    ['doctor'],
  ])
    assertUsage(cli(args), args.join(' '));
  assert.is(cli(['atoms']).code, 0, 'atoms needs no repository');
  assert.is(cli(['skills']).code, 0, 'nor does the list of skills');
});

test('bad flags, values, ranges and an empty history are usage errors', () => {
  const repo = makeRepo();
  const push = repo.cli(['check', '--push']);
  assertUsage(push, 'push with no commits');
  assert.match(push.stderr, 'no commits yet');
  const noCommits = repo.cli(['check', '--range', 'HEAD']);
  assertUsage(noCommits, 'range with no commits');
  assert.match(noCommits.stderr, 'no commits yet');
  repo.write('a.js', cleanLine);
  repo.stage();
  repo.commit('one');
  const unknown = repo.cli(['check', '--formt', 'json']);
  assertUsage(unknown, 'unknown flag');
  assert.match(unknown.stderr, 'unknown option --formt (did you mean "--format"?)');
  assert.is((unknown.stderr.match(/'/g) ?? []).length % 2, 0, 'no unbalanced quote');
  assertUsage(repo.cli(['check', '--format']), 'missing value');
  assertUsage(repo.cli(['check', '--format', 'xml']), 'bad value');
  assertUsage(repo.cli(['check', '--staged', '--all']), 'two modes');
  assertUsage(repo.cli(['check', '--index']), '--index without --all');
  const range = repo.cli(['check', '--range', 'nope..HEAD']);
  assertUsage(range, 'unknown ref');
  assert.match(range.stderr, 'git has no commit "nope" here');
  assert.not.match(range.stderr, /fatal|rev-list/, "git's own message is not repeated");
  assertUsage(repo.cli(['check', '--range', 'HEAD~3..HEAD']), 'beyond the first commit');
  repo.git('remote', 'add', 'origin', 'https://example.invalid/app.git');
  const remote = repo.cli(['check', '--range', 'origin/main..HEAD']);
  assertUsage(remote, 'remote branch not fetched');
  assert.match(remote.stderr, '`git fetch --no-tags origin +refs/heads/main:refs/remotes/origin/main`');
  assertUsage(repo.cli(['harden', '--since', 'nope']), 'harden --since an unknown ref');
  assertUsage(repo.cli(['init', '--hoks', 'git']), 'init typo');
  assertUsage(repo.cli(['doctor', 'extra']), 'doctor positional');
  assertUsage(repo.cli(['chek']), 'unknown command');
  assert.match(repo.cli(['chek']).stderr, 'did you mean "check"?');
});

test('--help on every subcommand prints its usage and options, exit 0', () => {
  const repo = makeRepo();
  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      const r = repo.cli([...command.split(' '), flag]);
      assert.is(r.code, 0, `${command} ${flag}: ${r.stderr}`);
      assert.match(r.stdout, `Usage: ralph-guard ${command}`);
      assert.match(r.stdout, '--help');
    }
  }
  assert.match(repo.cli(['check', '--help']).stdout, '--index');
});

test('colour: off when piped, on with FORCE_COLOR, off again with --no-color or FORCE_COLOR=0', () => {
  const repo = makeRepo();
  repo.write('a.js', sqlLine);
  repo.stage();
  const esc = /\x1b\[/;
  assert.not.match(repo.cli(['check'], { env: { FORCE_COLOR: '0' } }).stdout, esc);
  assert.match(repo.cli(['check'], { env: { FORCE_COLOR: '1' } }).stdout, esc);
  assert.match(repo.cli(['check'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, esc, 'FORCE_COLOR wins');
  assert.not.match(repo.cli(['check', '--no-color'], { env: { FORCE_COLOR: '1' } }).stdout, esc);
  assert.match(repo.cli(['atoms'], { env: { FORCE_COLOR: '1' } }).stdout, esc);
});

test('check --staged says in one line that unstaged changes were not checked', () => {
  const repo = makeRepo();
  repo.write('a.js', cleanLine);
  repo.write('b.js', cleanLine);
  repo.stage();
  repo.commit('base');
  repo.write('a.js', cleanLine + awsLine());
  const r = repo.cli(['check'], { env: { COLUMNS: '400' } });
  assert.is(r.code, 0, 'the staged change is clean');
  const hint = r.stdout.split('\n').filter((l) => l.includes('unstaged'));
  assert.is(hint.length, 1, r.stdout);
  assert.match(hint[0]!, '1 tracked file has unstaged changes that were not checked (a.js)');
  assert.match(hint[0]!, 'ralph-guard check --all');
  assert.match(r.stdout, 'as staged');
  const json = JSON.parse(repo.cli(['check', '--format', 'json']).stdout);
  assert.ok(
    json.notes.some((n: string) => n.includes('unstaged')),
    'in every format',
  );
  repo.stage();
  assert.not.match(repo.cli(['check']).stdout, 'unstaged', 'nothing left out, nothing said');
});

test('the unstaged hint counts files deleted, renamed then edited, and named from the root in a subdirectory', () => {
  const repo = makeRepo();
  for (const f of ['a.js', 'b.js', 'src/c.js', 'src/d.js']) repo.write(f, cleanLine);
  repo.stage();
  repo.commit('base');
  rmSync(join(repo.dir, 'b.js')); // deleted on disk, not staged
  repo.git('mv', 'src/d.js', 'src/e.js');
  repo.write('src/e.js', cleanLine + '// edited after the rename\n');
  repo.write('src/c.js', cleanLine + '// edited\n');
  repo.write('src/f.js', cleanLine);
  repo.stage('src/f.js');
  const r = repo.cli(['check', '--format', 'json'], { cwd: join(repo.dir, 'src') });
  const note = (JSON.parse(r.stdout).notes as string[]).find((n) => n.includes('unstaged')) ?? '';
  assert.match(
    note,
    '3 tracked files have unstaged changes that were not checked (b.js, src/c.js, src/e.js)',
    r.stdout,
  );
  const narrowed = repo.cli(['check', '--format', 'json', '--', 'e.js'], { cwd: join(repo.dir, 'src') });
  assert.match(
    JSON.stringify(JSON.parse(narrowed.stdout).notes),
    '1 tracked file has unstaged changes that were not checked (src/e.js)',
  );
});

test('reports say which version was judged, and --worktree never calls disk content committed', () => {
  const repo = makeRepo();
  repo.write('a.js', cleanLine);
  repo.stage();
  repo.commit('base');
  repo.write('a.js', cleanLine + awsLine());
  const worktree = repo.cli(['check', '--worktree']);
  assert.is(worktree.code, 1);
  assert.match(worktree.stdout, 'on disk');
  assert.not.match(worktree.stdout, /committed/i);
  assert.match(repo.cli(['check', '--all']).stdout, 'on disk');
  assert.match(repo.cli(['check', '--all', '--index']).stdout, 'as staged');
  repo.stage();
  const sha = repo.commit('key');
  const range = repo.cli(['check', '--range', 'HEAD~1..HEAD']);
  assert.match(range.stdout, `in commit ${sha.slice(0, 7)}`);
  assert.match(range.stdout, 'in the commits of HEAD~1..HEAD');
  assert.is(JSON.parse(repo.cli(['check', '--all', '--format', 'json']).stdout).summary.judged, 'on disk');
});

/** A clone with one commit pushed and one bad commit not. */
function unpushed(): Repo {
  const { repo } = repoWithRemote();
  repo.write('a.js', cleanLine);
  repo.stage();
  repo.commit('base');
  repo.git('push', '-q', '-u', 'origin', 'main');
  repo.write('b.js', sqlLine);
  repo.stage();
  repo.commit('bad');
  return repo;
}

test('check --push without hook input (a script, empty stdin) checks what the upstream lacks, and says so', () => {
  const repo = unpushed();
  const r = repo.cli(['check', '--push'], { env: { COLUMNS: '400' } });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, 'b.js:1:');
  assert.match(r.stdout, 'origin/main..HEAD');
  assert.not.match(r.stdout, 'a.js:', 'what the upstream has is not checked again');
  // No upstream: the commits on no remote.
  repo.git('checkout', '-q', '-b', 'topic');
  repo.write('c.js', sqlLine);
  repo.stage();
  repo.commit('topic');
  const topic = repo.cli(['check', '--push', '--format', 'json']);
  const out = JSON.parse(topic.stdout);
  assert.equal(out.findings.map((f: { file: string }) => f.file).sort(), ['b.js', 'c.js']);
  assert.ok(
    out.notes.some((n: string) => n.includes('no upstream')),
    out.notes.join('\n'),
  );
});

test('the pre-commit framework pushing a root commit (no PRE_COMMIT_TO_REF) checks the branch', () => {
  const { repo } = repoWithRemote();
  repo.write('b.js', sqlLine);
  repo.stage();
  repo.commit('root');
  const env = {
    PRE_COMMIT: '1',
    PRE_COMMIT_HOOK_STAGE: 'pre-push',
    PRE_COMMIT_REMOTE_NAME: 'origin',
    PRE_COMMIT_REMOTE_URL: 'unused',
    PRE_COMMIT_LOCAL_BRANCH: 'refs/heads/main',
    PRE_COMMIT_REMOTE_BRANCH: 'refs/heads/main',
  };
  const r = repo.cli(['check', '--push'], { env: { ...env, COLUMNS: '400' } });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, 'b.js:1:');
  assert.match(r.stdout, 'pre-commit framework');
});

test('--dry-run checks nothing and exits 0 in a repository', () => {
  const repo = makeRepo();
  repo.write('a.js', sqlLine);
  repo.stage();
  const r = repo.cli(['check', '--staged', '--dry-run']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'dry run');
});

test.run();
