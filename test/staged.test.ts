// Pre-commit: the staged change (the index, never the working tree) through a real hook.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookedRepo } from './helpers/hooked.js';
import { CLI, installShimOnPath, makeRepo } from './helpers/repo.js';
import { awsKeyId, awsLine, cleanLine, md5Line, sessionSecret, sqlLine, stripeKey } from './helpers/samples.js';

installShimOnPath();

for (const [atom, line] of [
  ['secrets', awsLine()],
  ['sql-injection', sqlLine],
  ['password-hashing', md5Line],
] as const) {
  test(`a real git commit adding ${atom} code is refused by the hook`, () => {
    const repo = hookedRepo();
    repo.write('src/bad.js', line);
    repo.stage('src/bad.js');
    const before = repo.git('rev-parse', 'HEAD');
    const r = repo.tryGit(['commit', '-m', 'bad']);
    assert.is.not(r.code, 0, 'commit refused');
    assert.match(r.stdout + r.stderr, atom);
    assert.match(r.stdout + r.stderr, 'src/bad.js:1:');
    assert.is(repo.git('rev-parse', 'HEAD'), before, 'no commit was made');
    assert.not.match(r.stdout + r.stderr, awsKeyId(), 'the key never appears in output');
  });
}

test('a clean commit goes through the hook', () => {
  const repo = hookedRepo();
  repo.write('src/good.js', cleanLine);
  repo.stage();
  const r = repo.tryGit(['commit', '-m', 'good']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, 'every criterion passes');
});

test('the very first commit (no HEAD) is checked', () => {
  const repo = makeRepo();
  repo.write('a.js', awsLine());
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 1, r.stderr);
  assert.is(JSON.parse(r.stdout).findings[0].rule, 'secrets/aws-access-key-id');
});

test('partly staged: bad text only in the working tree passes', () => {
  const repo = hookedRepo();
  repo.write('src/app.js', cleanLine);
  repo.stage();
  repo.write('src/app.js', cleanLine + awsLine());
  const r = repo.tryGit(['commit', '-m', 'clean part']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(repo.read('src/app.js'), awsKeyId(), 'the unstaged change is still in the working tree');
});

test('partly staged: bad text staged and fixed only in the working tree is refused', () => {
  const repo = hookedRepo();
  repo.write('src/app.js', cleanLine + sqlLine);
  repo.stage();
  repo.write('src/app.js', cleanLine);
  const r = repo.tryGit(['commit', '-m', 'bad part']);
  assert.is.not(r.code, 0);
  assert.match(r.stdout + r.stderr, 'sql-injection');
});

test('a secret in unchanged old lines does not block a commit touching other lines', () => {
  const repo = makeRepo();
  repo.write('config.js', awsLine() + 'export const a = 1;\n');
  repo.stage();
  repo.commit('old secret');
  repo.write('config.js', awsLine() + 'export const a = 2;\n');
  repo.stage();
  const staged = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(staged.code, 0, staged.stdout);
  assert.equal(JSON.parse(staged.stdout).findings, []);
  const all = repo.cli(['check', '--all', '--format', 'json']);
  assert.is(all.code, 1, 'but --all reports it');
});

test('a renamed file is judged as a new file at its destination: every line counts as added', () => {
  const repo = makeRepo();
  const body = Array.from({ length: 8 }, (_, i) => `export const n${i} = ${i};\n`).join('');
  repo.write('old.js', sqlLine + body);
  repo.stage();
  repo.commit('legacy');
  repo.git('mv', 'old.js', 'new.js');
  repo.write('new.js', sqlLine + md5Line + body);
  repo.stage();
  const r = JSON.parse(repo.cli(['check', '--format', 'json']).stdout);
  assert.equal(
    r.findings.map((f: { rule: string; file: string; line: number }) => [f.rule, f.file, f.line]),
    [
      ['password-hashing/fast-hash', 'new.js', 2],
      ['sql-injection/interpolated-query', 'new.js', 1],
    ],
  );
});

test('binary files are skipped with a note; symlinks and deletions are handled', () => {
  const repo = makeRepo();
  repo.write('gone.js', cleanLine);
  repo.stage();
  repo.commit('base');
  repo.write('blob.bin', Buffer.from([0, 1, 2, 0, 0xff, 0xfe, 3, 4, 5, 6]));
  symlinkSync('/etc/passwd', join(repo.dir, 'link.js'));
  repo.git('rm', '-q', 'gone.js');
  repo.stage();
  const r = repo.cli(['check', '--format', 'json']);
  const json = JSON.parse(r.stdout);
  assert.is(r.code, 0, r.stdout);
  assert.ok(
    json.notes.some((n: string) => n.startsWith('blob.bin: skipped, binary')),
    json.notes.join('\n'),
  );
  assert.ok(
    json.notes.some((n: string) => n.startsWith('link.js: symlink')),
    json.notes.join('\n'),
  );
});

test('a submodule in the change is passed over, the rest is checked', () => {
  const lib = makeRepo();
  lib.write('lib.js', sqlLine);
  lib.stage();
  lib.commit('lib');
  const repo = makeRepo();
  repo.write('README.md', '# app\n');
  repo.stage();
  repo.commit('base');
  repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib.dir, 'vendor/lib');
  repo.write('app.js', md5Line);
  repo.stage('app.js');
  const r = repo.cli(['check', '--format', 'json']);
  assert.is(r.code, 1, r.stderr);
  assert.equal(
    JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file),
    ['app.js'],
  );
  const all = repo.cli(['check', '--all', '--format', 'json']);
  assert.equal(
    JSON.parse(all.stdout).findings.map((f: { file: string }) => f.file),
    ['app.js'],
    'the submodule content is its own repository',
  );
});

test('blobs are read whether loose, packed, or in a linked worktree', () => {
  const repo = makeRepo();
  repo.write('a.js', sqlLine);
  repo.stage();
  repo.commit('one');
  repo.git('gc', '-q', '--prune=now');
  assert.is(repo.git('count-objects', '-v').match(/^count: (\d+)/m)?.[1], '0', 'every object is packed');
  const all = repo.cli(['check', '--all', '--format', 'json']);
  assert.equal(
    JSON.parse(all.stdout).findings.map((f: { file: string }) => f.file),
    ['a.js'],
    'packed blobs come through git',
  );

  const linked = join(repo.dir, '..', `${repo.dir.split('/').pop()}-linked`);
  repo.git('worktree', 'add', '-q', linked);
  writeFileSync(join(linked, 'b.js'), md5Line);
  execFileSync('git', ['add', 'b.js'], { cwd: linked });
  const staged = repo.cli(['check', '--staged', '--format', 'json'], { cwd: linked });
  assert.equal(
    JSON.parse(staged.stdout).findings.map((f: { file: string }) => f.file),
    ['b.js'],
    'a linked worktree reads its loose objects from the common directory',
  );
});

test('UTF-16 with a BOM and CRLF line endings are read', () => {
  const repo = makeRepo();
  repo.write(
    'win.js',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('// hi\r\n' + awsLine().replace('\n', '\r\n'), 'utf16le')]),
  );
  repo.write('crlf.js', 'const a = 1;\r\n' + sqlLine.replace('\n', '\r\n'));
  repo.stage();
  const json = JSON.parse(repo.cli(['check', '--format', 'json']).stdout);
  assert.equal(json.findings.map((f: { file: string; line: number }) => `${f.file}:${f.line}`).sort(), [
    'crlf.js:2',
    'win.js:2',
  ]);
});

test('explicit paths narrow the change set', () => {
  const repo = makeRepo();
  repo.write('a.js', sqlLine);
  repo.write('b.js', md5Line);
  repo.stage();
  const json = JSON.parse(repo.cli(['check', '--staged', '--format', 'json', 'b.js']).stdout);
  assert.equal(
    json.findings.map((f: { file: string }) => f.file),
    ['b.js'],
  );
});

test('no mode, index, working tree, stash or ref is changed by any mode', () => {
  const { repo } = { repo: makeRepo() };
  repo.write('a.js', cleanLine);
  repo.stage();
  repo.commit('one');
  repo.write('a.js', cleanLine + sqlLine);
  repo.stage();
  repo.write('a.js', cleanLine + sqlLine + md5Line);
  repo.write('untracked.js', awsLine());
  repo.write('stash-me.js', 'x');
  repo.git('stash', 'push', '-q', '-u', '--', 'stash-me.js');
  const before = repo.snapshot();
  for (const args of [['--staged'], ['--all'], ['--worktree'], ['--range', 'HEAD~0'], ['--push']]) {
    const r = repo.cli(['check', ...args, '--format', 'json'], {
      input: `refs/heads/main ${repo.git('rev-parse', 'HEAD').trim()} refs/heads/main ${'0'.repeat(40)}\n`,
    });
    assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: ${r.stderr}`);
    assert.is(repo.snapshot(), before, `${args.join(' ')} changed nothing`);
  }
});

test('a key in a new .env file is refused at commit by the hook, and never printed', () => {
  const repo = hookedRepo();
  repo.write(
    '.env',
    `NEXT_PUBLIC_SITE_URL=https://acme.com\nSTRIPE_SECRET_KEY=${stripeKey(3)}\nSESSION_SECRET=${sessionSecret(4)}\n`,
  );
  repo.stage('.env');
  const before = repo.git('rev-parse', 'HEAD');
  const r = repo.tryGit(['commit', '-m', 'add env']);
  const out = r.stdout + r.stderr;
  assert.is.not(r.code, 0, 'commit refused');
  assert.match(out, 'secrets/stripe-secret-key');
  assert.match(out, '.env:2:');
  assert.match(out, 'secrets/env-file');
  assert.match(out, '.env:3:');
  assert.is(repo.git('rev-parse', 'HEAD'), before, 'no commit was made');
  assert.not.ok(out.includes(stripeKey(3)) || out.includes(sessionSecret(4)), 'no secret in the output');
});

test('a .env with public defaults only (Next.js, Vite) commits', () => {
  const repo = hookedRepo();
  repo.write(
    '.env',
    'NEXT_PUBLIC_API_URL=https://api.acme.com\nVITE_APP_TITLE=Acme\nPORT=3000\nDATABASE_URL=postgres://postgres:postgres@localhost:5432/dev\n',
  );
  repo.stage('.env');
  const r = repo.tryGit(['commit', '-m', 'defaults']);
  assert.is(r.code, 0, r.stdout + r.stderr);
});

test('a key in a .env file’s unchanged old lines does not block a commit touching other lines', () => {
  const repo = makeRepo();
  repo.write('.env', `PORT=3000\nSTRIPE_SECRET_KEY=${stripeKey(5)}\n`);
  repo.stage();
  repo.commit('legacy env');
  repo.write('.env', `PORT=4000\nSTRIPE_SECRET_KEY=${stripeKey(5)}\n`);
  repo.stage();
  const staged = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(staged.code, 0, staged.stdout);
  const all = repo.cli(['check', '--all', '--format', 'json']);
  assert.is(all.code, 1, 'but --all reports it');
  assert.equal(
    JSON.parse(all.stdout).findings.map((f: { rule: string; line: number }) => `${f.rule}:${f.line}`),
    ['secrets/stripe-secret-key:2'],
  );
});

test('output piped to a reader that stops early: no EPIPE trace, and the exit code still blocks', () => {
  const repo = makeRepo();
  repo.write('src/db.js', sqlLine);
  repo.stage();
  // `true` exits without reading: the CLI writes into a closed pipe.
  const run = (args: string) =>
    execFileSync(
      'bash',
      ['-c', `node ${JSON.stringify(CLI)} ${args} 2>"$ERR" | true; echo "exit=\${PIPESTATUS[0]}"; cat "$ERR"`],
      {
        cwd: repo.dir,
        encoding: 'utf8',
        env: { ...process.env, ERR: join(repo.dir, '.git', 'stderr.txt') },
      },
    );
  assert.is(run('check --staged'), 'exit=1\n');
  assert.is(run('atoms'), 'exit=0\n');
  assert.is(run('explain secrets'), 'exit=0\n');
});

test('paths on the command line are relative to where ralph-guard runs, as git takes them', () => {
  const repo = makeRepo();
  repo.write('src/db.js', sqlLine);
  repo.write('lib/db.js', sqlLine);
  repo.stage();
  const files = (args: string[], cwd: string) => {
    const r = repo.cli(['check', '--staged', '--format', 'json', ...args], { cwd });
    assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
    return (JSON.parse(r.stdout).findings as Array<{ file: string }>).map((f) => f.file).sort();
  };
  const src = join(repo.dir, 'src');
  assert.equal(files(['db.js'], src), ['src/db.js']);
  assert.equal(files(['.'], src), ['src/db.js']);
  assert.equal(files(['../lib'], src), ['lib/db.js']);
  assert.equal(files([join(repo.dir, 'lib', 'db.js')], src), ['lib/db.js'], 'an absolute path');
  assert.equal(files([':(top)lib'], src), ['lib/db.js'], 'pathspec magic is git’s');
  assert.equal(files([], src), ['lib/db.js', 'src/db.js'], 'no path: the whole change');
  const outside = repo.cli(['check', '--staged', '../../elsewhere.js'], { cwd: src });
  assert.is(outside.code, 2);
  assert.match(outside.stderr, 'outside the repository');
});

test.run();
