// Git shows everything (DESIGN §9.2): no attribute hides content, a rename is judged as a new file, and
// binary or UTF-16 content is recognised by what it is. Each bypass is tried through a real `git commit` with the
// hooks `init` installs, through a real `git push`, and with `check --range` as CI runs it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OSV_FIXTURES } from './helpers/osv.js';
import { CLI, commitPolicy, installShimOnPath, makeRepo, repoWithRemote, tempDir, type Repo } from './helpers/repo.js';
import { awsKeyId, awsLine, sqlLine } from './helpers/samples.js';

installShimOnPath();
// Hooks inherit the environment: this file's own cache, with an advisory database built from the OSV fixture.
process.env.RALPH_GUARD_CACHE_DIR = tempDir('cache-');
execFileSync(process.execPath, [CLI, 'db', 'update', '--url', OSV_FIXTURES, '--no-registry'], { stdio: 'pipe' });

/** A repository with hooks installed by init and a remote, its first commit pushed. */
function hooked(): { repo: Repo; remote: Repo } {
  const { remote, repo } = repoWithRemote();
  const init = repo.cli(['init', '--hooks', 'git']);
  assert.is(init.code, 0, init.stderr);
  repo.write('README.md', '# demo\n');
  repo.stage();
  repo.commit('base');
  assert.is(repo.tryGit(['push', '-q', 'origin', 'main']).code, 0);
  return { repo, remote };
}

/**
 * What is staged now is refused by a real `git commit` (naming `expect`); committed without the hook, it is
 * refused by a real `git push` and by `check --range` over the pushed range, as CI runs it.
 */
function refusedEverywhere(repo: Repo, expect: string): void {
  const before = repo.git('rev-parse', 'HEAD').trim();
  const commit = repo.tryGit(['commit', '-m', 'bypass']);
  assert.is.not(commit.code, 0, `commit refused:\n${commit.stdout}${commit.stderr}`);
  assert.match(commit.stdout + commit.stderr, expect);
  assert.is(repo.git('rev-parse', 'HEAD').trim(), before, 'no commit was made');

  repo.commit('bypass, committed without the hook');
  const push = repo.tryGit(['push', 'origin', 'HEAD:main']);
  assert.is.not(push.code, 0, `push refused:\n${push.stdout}${push.stderr}`);
  assert.match(push.stdout + push.stderr, expect);

  const range = repo.cli(['check', '--range', `${before}..HEAD`]);
  assert.is(range.code, 1, range.stdout + range.stderr);
  assert.match(range.stdout, expect);
}

for (const [where, attributes] of [
  ['.gitattributes', '*.js -diff\n'],
  ['.gitattributes', '*.js binary\n'],
  ['.git/info/attributes', '*.js -diff\n'],
  ['.gitattributes', '*.js diff=nothing\n'],
] as const) {
  test(`"${attributes.trim()}" in ${where} does not hide a modified file's new lines`, () => {
    const { repo } = hooked();
    repo.write('src/config.js', 'export const region = "eu-west-1";\n');
    repo.stage();
    repo.commit('config');
    // A textconv that shows nothing, and an external diff that says nothing: neither is used.
    repo.git('config', 'diff.nothing.textconv', 'true');
    repo.git('config', 'diff.external', 'true');
    repo.write(where, attributes);
    if (where === '.gitattributes') {
      repo.stage('.gitattributes');
      repo.commit('attributes');
      assert.is(repo.tryGit(['push', '-q', 'origin', 'main']).code, 0);
    }
    repo.write('src/config.js', `export const region = "eu-west-1";\n${awsLine()}`);
    repo.stage();
    refusedEverywhere(repo, 'src/config.js:2:');
  });
}

/** A package-lock.json (v3) with one dependency at `version`. */
function lockfile(version: string): string {
  const integrity = `sha512-${Buffer.alloc(64, version).toString('base64')}`;
  return (
    JSON.stringify(
      {
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'app', version: '1.0.0', dependencies: { jsonwebtoken: version } },
          'node_modules/jsonwebtoken': {
            version,
            resolved: `https://registry.npmjs.org/jsonwebtoken/-/jsonwebtoken-${version}.tgz`,
            integrity,
          },
        },
      },
      null,
      2,
    ) + '\n'
  );
}

test('package-lock.json marked -diff: a downgrade to a vulnerable version is still refused', () => {
  const { repo } = hooked();
  repo.write('.gitattributes', 'package-lock.json -diff\n');
  repo.write('package-lock.json', lockfile('9.0.0'));
  repo.stage();
  const ok = repo.tryGit(['commit', '-m', 'dependencies']);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.is(repo.tryGit(['push', '-q', 'origin', 'main']).code, 0);
  repo.write('package-lock.json', lockfile('8.5.1'));
  repo.stage();
  refusedEverywhere(repo, 'GHSA-8cf7-32gw-wr33');
});

test('a key committed where nothing looked, then renamed into src/, is judged at its new path', () => {
  const { repo } = hooked();
  // dist/ is ignored by the policy: the key went in unchecked, as the policy allows.
  commitPolicy(repo, {
    '.ralphrc.json': JSON.stringify({ extends: ['ralph-guard:recommended'], ignore: ['dist/**'] }),
  });
  repo.git('-c', 'core.hooksPath=/dev/null', 'push', '-q', 'origin', 'main');
  repo.write('dist/config.js', awsLine());
  repo.stage();
  const first = repo.tryGit(['commit', '-m', 'build output']);
  assert.is(first.code, 0, first.stdout + first.stderr);
  assert.is(repo.tryGit(['push', '-q', 'origin', 'main']).code, 0);
  mkdirSync(join(repo.dir, 'src'));
  repo.git('mv', 'dist/config.js', 'src/config.js');
  refusedEverywhere(repo, 'src/config.js:1:');
});

test('a rename with a small edit counts every line of the new path as added', () => {
  const { repo } = hooked();
  repo.write('test/fixture.js', `${'// fixture\n'.repeat(20)}${sqlLine}`);
  repo.stage();
  repo.commit('fixture, committed without the hook');
  repo.git('-c', 'core.hooksPath=/dev/null', 'push', '-q', 'origin', 'main');
  mkdirSync(join(repo.dir, 'src'));
  repo.git('mv', 'test/fixture.js', 'src/query.js');
  repo.write('src/query.js', `// moved\n${'// fixture\n'.repeat(20)}${sqlLine}`);
  repo.stage();
  refusedEverywhere(repo, 'src/query.js:22:');
});

test('a copy is judged as a new file at its destination in --range mode (copies found with -C too)', () => {
  const { repo } = hooked();
  repo.write('.ralphrc.json', JSON.stringify({ extends: ['ralph-guard:recommended'], ignore: ['vendor/**'] }));
  repo.write('vendor/query.js', sqlLine);
  repo.stage();
  repo.commit('vendored');
  const base = repo.git('rev-parse', 'HEAD').trim();
  repo.write('src/query.js', sqlLine);
  repo.stage();
  repo.commit('copy');
  const r = repo.cli(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stdout, 'src/query.js');
  assert.not.match(r.stdout, awsKeyId());
});

// Binary and UTF-16 are recognised by content, not by the first NUL byte.

const utf16le = (text: string) => Buffer.from(text, 'utf16le');

test('a NUL byte in a comment of a .js file (node still runs it) does not hide the file', () => {
  const { repo } = hooked();
  repo.write('src/query.js', Buffer.concat([Buffer.from('/* \0 */\n'), Buffer.from(sqlLine)]));
  repo.stage();
  refusedEverywhere(repo, 'src/query.js:2:');
});

test('a NUL and an invalid UTF-8 byte in a .js file: still text, by its name', () => {
  const { repo } = hooked();
  repo.write('src/query.js', Buffer.concat([Buffer.from('/* \0 \xff */\n', 'latin1'), Buffer.from(sqlLine)]));
  repo.stage();
  refusedEverywhere(repo, 'src/query.js:2:');
});

test('a UTF-16 .env without a BOM is read as UTF-16', () => {
  const { repo } = hooked();
  repo.write('deploy/.env.production', utf16le(`REGION=eu-west-1\r\nAWS_ACCESS_KEY_ID=${awsKeyId(5)}\r\n`));
  repo.stage();
  refusedEverywhere(repo, 'secrets/');
});

test('UTF-16 at first, then a key in plain ASCII: both parts are read', () => {
  const { repo } = hooked();
  const padding = utf16le('# settings\n'.repeat(800));
  repo.write('settings.txt', Buffer.concat([padding, Buffer.from(`\naws_access_key_id = ${awsKeyId(6)}\n`)]));
  repo.stage();
  refusedEverywhere(repo, 'settings.txt:');
});

/** What git-lfs's clean filter does on `git add`: the content into the local LFS store, a pointer into git. */
function lfsAdd(repo: Repo, path: string, content: string): void {
  const oid = createHash('sha256').update(content).digest('hex');
  const store = join(repo.dir, '.git', 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4));
  mkdirSync(store, { recursive: true });
  writeFileSync(join(store, oid), content);
  repo.write(
    path,
    `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${Buffer.byteLength(content)}\n`,
  );
}

test('a key in a Git LFS file is judged in the content the pointer names, not in the pointer', () => {
  const { repo } = hooked();
  repo.write('.gitattributes', '*.env filter=lfs diff=lfs merge=lfs -text\n');
  lfsAdd(repo, 'deploy/prod.env', 'REGION=eu-west-1\n');
  repo.stage();
  repo.commit('lfs-tracked settings');
  assert.is(repo.tryGit(['push', '-q', 'origin', 'main']).code, 0);
  lfsAdd(repo, 'deploy/prod.env', `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${awsKeyId(8)}\n`);
  repo.stage();
  refusedEverywhere(repo, 'deploy/prod.env:2:');
});

test('a Git LFS pointer whose content is not in the local store is listed as not checked', () => {
  const { repo } = hooked();
  const oid = createHash('sha256').update('elsewhere').digest('hex');
  repo.write('deploy/prod.env', `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 9\n`);
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  const out = JSON.parse(r.stdout) as { skipped: Array<{ file: string; reason: string }> };
  assert.equal(out.skipped, [
    {
      file: 'deploy/prod.env',
      reason: 'a Git LFS file whose content is not in the local LFS store: only its pointer was checked',
    },
  ]);
});

test('a real binary file is still skipped, and says so', () => {
  const { repo } = hooked();
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe, 0x80, 0x81]);
  repo.write('logo.png', Buffer.concat([png, Buffer.alloc(64, 0xc3)]));
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 0, r.stdout);
  assert.match(JSON.parse(r.stdout).notes.join('\n'), 'logo.png: skipped, binary file');
});

// No file is skipped silently (DESIGN §9.5): files over maxFileBytes are scanned for secrets, streamed.

test('a file over maxFileBytes is still scanned for secrets, streamed; the code atoms skipped are named', () => {
  const { repo } = hooked();
  repo.write('.ralphrc.json', JSON.stringify({ extends: ['ralph-guard:recommended'], maxFileBytes: 100_000 }));
  repo.stage();
  repo.commit('policy');
  repo.git('-c', 'core.hooksPath=/dev/null', 'push', '-q', 'origin', 'main');
  const filler = 'export const row = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];\n'.repeat(8000);
  repo.write('src/data.js', `${filler}${awsLine(8)}${filler}`);
  repo.stage();
  const json = JSON.parse(repo.cli(['check', '--staged', '--format', 'json']).stdout);
  assert.equal(
    json.findings.map((f: { rule: string; line: number }) => `${f.rule}:${f.line}`),
    ['secrets/aws-access-key-id:8001'],
  );
  assert.match(
    json.notes.join('\n'),
    /src\/data\.js: larger than maxFileBytes \(1\.\d MB > 100\.0 kB\): scanned for secrets, streamed; .*sql-injection/,
  );
  refusedEverywhere(repo, 'src/data.js:8001:');
});

test('a modified file too large to diff: only a secret the old version lacks is new', () => {
  const { repo } = hooked();
  // 65 MB: over what git is asked to diff (64 MB), so which lines are new is not known.
  const filler = Buffer.alloc(65_000_000, '0123456789abcdef-0123456789abcdef-0123456789abcdef-0123456789\n');
  repo.write('data/dump.txt', Buffer.concat([Buffer.from(`aws_access_key_id = ${awsKeyId(9)}\n`), filler]));
  repo.stage();
  repo.commit('an old key in a dump, committed without the hook');
  const kept = repo.cli(['check', '--range', 'HEAD', '--format', 'json']);
  assert.is(kept.code, 1, 'the first commit of it holds the key');
  repo.write(
    'data/dump.txt',
    Buffer.concat([Buffer.from(`aws_access_key_id = ${awsKeyId(9)}\n`), filler, Buffer.from('tail\n')]),
  );
  repo.stage();
  const unchanged = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(unchanged.code, 0, `the old key is not new: ${unchanged.stdout}`);
  repo.write(
    'data/dump.txt',
    Buffer.concat([
      Buffer.from(`aws_access_key_id = ${awsKeyId(9)}\n`),
      filler,
      Buffer.from(`token = ${awsKeyId(10)}\n`),
    ]),
  );
  repo.stage();
  const commit = repo.tryGit(['commit', '-m', 'a new key at the end']);
  assert.is.not(commit.code, 0, commit.stdout + commit.stderr);
  assert.match(commit.stdout + commit.stderr, /data\/dump\.txt:\d+:/);
  assert.not.match(commit.stdout + commit.stderr, 'dump.txt:1:');
});

test('every skip is listed in every format; pretty says one line per reason, with a count', () => {
  const { repo } = hooked();
  commitPolicy(repo, {
    '.ralphrc.json': JSON.stringify({ extends: ['ralph-guard:recommended'], maxFileBytes: 20_000 }),
  });
  const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff, 0xfe, 0x80, 0x81, 1, 2, 3, 4, 5, 6]);
  repo.write('img/a.png', binary);
  repo.write('img/b.png', Buffer.concat([binary, binary]));
  repo.write('img/c.png', Buffer.concat([binary, binary, binary]));
  repo.write('src/big.js', 'export const n = 1;\n'.repeat(2000));
  symlinkSync('/etc/hostname', join(repo.dir, 'link.js'));
  repo.stage();

  const pretty = repo.cli(['check', '--staged', '--no-color']).stdout;
  assert.match(pretty, '· binary file: 3 files: img/a.png, img/b.png, img/c.png\n');
  assert.match(pretty, '· over maxFileBytes, scanned for secrets only: 1 file: src/big.js\n');
  assert.match(pretty, '· symlink, not followed: 1 file: link.js\n');

  const json = JSON.parse(repo.cli(['check', '--staged', '--format', 'json']).stdout);
  assert.is(json.skipped.length, 5);
  for (const file of ['img/a.png', 'img/b.png', 'img/c.png', 'src/big.js', 'link.js']) {
    assert.ok(
      json.notes.some((n: string) => n.startsWith(`${file}: `)),
      `${file} in notes`,
    );
    assert.ok(
      json.skipped.some((s: { file: string }) => s.file === file),
      `${file} in skipped`,
    );
  }
  const sarif = JSON.parse(repo.cli(['check', '--staged', '--format', 'sarif']).stdout);
  const run = sarif.runs[0];
  assert.is(run.properties.skipped.length, 5);
  const notified = run.invocations[0].toolExecutionNotifications.map(
    (n: { message: { text: string } }) => n.message.text,
  );
  assert.ok(
    notified.some((t: string) => t.startsWith('src/big.js: larger than maxFileBytes')),
    notified.join('\n'),
  );
  const agent = repo.cli(['check', '--staged', '--format', 'agent']).stdout;
  assert.ok(agent.includes('binary file: 3 files: img/a.png, img/b.png, img/c.png;'), agent);
  assert.match(agent, 'Not checked, or only in part: ');
});

// Pre-push checks what the destination lacks (DESIGN §9.4).

test('a fetched fork merged and pushed to origin: the fork’s commits are checked', () => {
  const { repo, remote } = hooked();
  // Someone's fork, with a key committed where no hook ran.
  const fork = makeRepo({ bare: true });
  const forker = makeRepo();
  forker.git('remote', 'add', 'origin', remote.dir);
  forker.git('fetch', '-q', 'origin');
  forker.git('checkout', '-q', '-b', 'feature', 'origin/main');
  forker.write('src/config.js', awsLine(4));
  forker.stage();
  forker.commit('feature');
  forker.git('push', '-q', fork.dir, 'feature');

  repo.git('remote', 'add', 'fork', fork.dir);
  repo.git('fetch', '-q', 'fork');
  repo.git('merge', '-q', '--no-ff', '--no-edit', 'fork/feature');
  const push = repo.tryGit(['push', 'origin', 'main']);
  assert.is.not(push.code, 0, push.stdout + push.stderr);
  assert.match(push.stdout + push.stderr, 'src/config.js:1:');
  assert.not.match(push.stdout + push.stderr, awsKeyId(4));
  assert.is.not(remote.git('rev-parse', 'main').trim(), repo.git('rev-parse', 'main').trim(), 'origin did not move');
});

test('a push to a second remote checks what that remote lacks, though origin has it', () => {
  const { repo } = hooked();
  repo.write('src/query.js', sqlLine);
  repo.stage();
  repo.commit('on origin, pushed without the hook');
  repo.git('-c', 'core.hooksPath=/dev/null', 'push', '-q', 'origin', 'main');
  const mirror = makeRepo({ bare: true });
  repo.git('remote', 'add', 'mirror', mirror.dir);
  const push = repo.tryGit(['push', 'mirror', 'main']);
  assert.is.not(push.code, 0, push.stdout + push.stderr);
  assert.match(push.stdout + push.stderr, 'src/query.js:1:');
  assert.is(mirror.tryGit(['rev-parse', '--verify', '-q', 'main']).code, 1, 'the mirror received nothing');

  // Pushed to a URL rather than a remote's name: the same.
  const byUrl = repo.tryGit(['push', mirror.dir, 'main']);
  assert.is.not(byUrl.code, 0, byUrl.stdout + byUrl.stderr);
  // And a new branch pushed to origin is judged by what origin lacks only: nothing new.
  repo.git('checkout', '-q', '-b', 'topic');
  const topic = repo.tryGit(['push', 'origin', 'topic']);
  assert.is(topic.code, 0, topic.stdout + topic.stderr);
});

test('check --push without --remote: the only remote when there is one, else only the remote shas', () => {
  const { repo } = hooked();
  repo.write('src/query.js', sqlLine);
  repo.stage();
  repo.commit('on origin');
  repo.git('-c', 'core.hooksPath=/dev/null', 'push', '-q', 'origin', 'main');
  repo.git('checkout', '-q', '-b', 'topic');
  const head = repo.git('rev-parse', 'HEAD').trim();
  const input = `refs/heads/topic ${head} refs/heads/topic ${'0'.repeat(40)}\n`;
  assert.is(repo.cli(['check', '--push'], { input }).code, 0, 'one remote: origin is the destination');
  repo.git('remote', 'add', 'mirror', makeRepo({ bare: true }).dir);
  assert.is(repo.cli(['check', '--push'], { input }).code, 1, 'two remotes, none named: every commit pushed');
  assert.is(repo.cli(['check', '--push', '--remote', 'origin'], { input }).code, 0);
  assert.is(repo.cli(['check', '--push', '--remote', 'mirror'], { input }).code, 1);
  const framework = repo.cli(['check', '--push'], { input, env: { PRE_COMMIT_REMOTE_NAME: 'origin' } });
  assert.is(framework.code, 0, 'the pre-commit framework names the remote in PRE_COMMIT_REMOTE_NAME');
});

test.run();
