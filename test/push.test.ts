// Pre-push: every commit being pushed, through a real `git push` to a local bare remote.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installShimOnPath, pushBase, repoWithRemote } from './helpers/repo.js';
import { awsKeyId, awsLine, cleanLine, githubToken, md5Line, sqlLine } from './helpers/samples.js';

installShimOnPath();

function setup() {
  const { remote, repo } = repoWithRemote();
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  pushBase(repo);
  return { remote, repo };
}

test('a secret added in one commit and deleted in the next is refused by git push', () => {
  const { remote, repo } = setup();
  repo.write('config.js', awsLine());
  repo.stage();
  repo.commit('add key');
  repo.write('config.js', 'export const accessKeyId = process.env.AWS_ACCESS_KEY_ID;\n');
  repo.stage();
  repo.commit('remove key');
  const r = repo.tryGit(['push', 'origin', 'main']);
  assert.is.not(r.code, 0, 'push refused');
  assert.match(r.stdout + r.stderr, 'secrets/aws-access-key-id');
  assert.match(r.stdout + r.stderr, 'config.js:1:');
  assert.not.match(r.stdout + r.stderr, awsKeyId());
  assert.is.not(
    remote.git('rev-parse', 'main').trim(),
    repo.git('rev-parse', 'main').trim(),
    'the remote did not move',
  );
});

test('clean commits push; a deleted branch checks nothing', () => {
  const { repo } = setup();
  repo.write('a.js', cleanLine);
  repo.stage();
  repo.commit('clean');
  assert.is(repo.tryGit(['push', 'origin', 'main']).code, 0);
  repo.git('branch', 'old');
  assert.is(repo.tryGit(['push', 'origin', 'old']).code, 0);
  const del = repo.tryGit(['push', 'origin', '--delete', 'old']);
  assert.is(del.code, 0, del.stderr);
});

test('a new branch checks only the commits that no remote has', () => {
  const { repo } = setup();
  // An old bad commit already on the remote does not block a new branch built on it.
  repo.write('legacy.js', sqlLine);
  repo.stage();
  repo.commit('legacy');
  repo.git('-c', 'core.hooksPath=/dev/null', 'push', '-q', 'origin', 'main');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write('b.js', cleanLine);
  repo.stage();
  repo.commit('clean feature');
  const ok = repo.tryGit(['push', 'origin', 'feature']);
  assert.is(ok.code, 0, ok.stderr);
  repo.write('c.js', md5Line);
  repo.stage();
  repo.commit('bad feature');
  const bad = repo.tryGit(['push', 'origin', 'feature']);
  assert.is.not(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, 'c.js:1:');
  assert.not.match(bad.stdout + bad.stderr, 'legacy.js');
});

test('a merge is judged by what it adds itself, its branch by its own commits', () => {
  const { repo } = setup();
  const file = (a: number, b: number) => `export const a = ${a};\n${'// spacer\n'.repeat(6)}export const b = ${b};\n`;
  repo.write('f.js', file(1, 2));
  repo.stage();
  repo.commit('f');
  repo.git('-c', 'core.hooksPath=/dev/null', 'push', '-q', 'origin', 'main');
  repo.git('checkout', '-q', '-b', 'side');
  repo.write('f.js', file(1, 3));
  repo.stage();
  repo.commit('side');
  repo.git('checkout', '-q', 'main');
  repo.write('f.js', file(2, 2));
  repo.stage();
  repo.commit('main');
  repo.git('merge', '-q', '--no-edit', 'side');
  // An "evil" line added by the merge commit itself.
  repo.write('f.js', repo.read('f.js') + sqlLine);
  repo.stage();
  repo.git('commit', '-q', '--amend', '--no-edit', '--no-verify');
  const head = repo.git('rev-parse', 'HEAD').trim();
  const r = repo.cli(['check', '--push', '--format', 'json'], {
    input: `refs/heads/main ${head} refs/heads/main ${repo.git('rev-parse', 'origin/main').trim()}\n`,
  });
  const findings = JSON.parse(r.stdout).findings;
  assert.equal(
    findings.map((f: { file: string; line: number; commit: string }) => [f.file, f.line, f.commit]),
    [['f.js', 9, head]],
  );
});

test('--range A..B checks each commit of the range', () => {
  const { repo } = setup();
  const base = repo.git('rev-parse', 'HEAD').trim();
  repo.write('x.js', md5Line);
  repo.stage();
  repo.commit('bad');
  repo.write('x.js', cleanLine);
  repo.stage();
  repo.commit('fixed');
  const r = repo.cli(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  assert.is(r.code, 1);
  assert.equal(
    JSON.parse(r.stdout).findings.map((f: { rule: string }) => f.rule),
    ['password-hashing/fast-hash'],
  );
  const bad = repo.cli(['check', '--range', 'nope..HEAD']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, '--range nope..HEAD');
});

test('a token added to .npmrc in one commit and removed in the next is refused by git push', () => {
  const { remote, repo } = setup();
  repo.write('.npmrc', `registry=https://registry.npmjs.org/\n//npm.pkg.github.com/:_authToken=${githubToken(7)}\n`);
  repo.stage();
  repo.commit('publish setup');
  repo.write('.npmrc', 'registry=https://registry.npmjs.org/\n//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}\n');
  repo.stage();
  repo.commit('use the environment');
  const r = repo.tryGit(['push', 'origin', 'main']);
  const out = r.stdout + r.stderr;
  assert.is.not(r.code, 0, 'push refused');
  assert.match(out, 'secrets/github-pat');
  assert.match(out, '.npmrc:2:');
  assert.not.ok(out.includes(githubToken(7)), 'the token never appears in output');
  assert.is.not(
    remote.git('rev-parse', 'main').trim(),
    repo.git('rev-parse', 'main').trim(),
    'the remote did not move',
  );
});

test.run();
