// Files at the edges, through the CLI (test/staged.test.ts has binary files, UTF-16 LE, CRLF and a
// staged symlink): too large, a minified bundle of several MB, invalid UTF-8, UTF-16 BE, lone CRs,
// and symlinks to files outside the repository, which no mode ever reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitPolicy, makeRepo, tempDir } from './helpers/repo.js';
import { awsKeyId, awsLine, md5Line, sqlLine } from './helpers/samples.js';

interface Out {
  findings: Array<{ rule: string; file: string; line: number; excerpt: string; message: string }>;
  notes: string[];
  errors: Array<{ atom: string; file: string; message: string }>;
}
const json = (r: { stdout: string; stderr: string }): Out => {
  try {
    return JSON.parse(r.stdout) as Out;
  } catch {
    throw new Error(`not JSON: ${r.stdout.slice(0, 300)}\n${r.stderr}`);
  }
};
const places = (out: Out) => out.findings.map((f) => `${f.file}:${f.line} ${f.rule}`).sort();

test('a file over maxFileBytes is scanned for secrets only, with a note; one under it is checked fully', () => {
  const repo = makeRepo();
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ maxFileBytes: 10_000 }) });
  repo.write('big.js', awsLine() + md5Line + '// filler\n'.repeat(2_000));
  repo.write('small.js', md5Line);
  repo.stage();
  const out = json(repo.cli(['check', '--staged', '--format', 'json']));
  assert.equal(places(out), ['big.js:1 secrets/aws-access-key-id', 'small.js:1 password-hashing/fast-hash']);
  assert.ok(
    out.notes.some((n) =>
      /^big\.js: larger than maxFileBytes \(20\.\d kB > 10\.0 kB\): scanned for secrets, streamed; .*password-hashing/.test(
        n,
      ),
    ),
    out.notes.join('\n'),
  );
});

test('a minified one-liner of several MB is checked within the atoms’ budgets, never hangs', () => {
  const repo = makeRepo();
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ atomTimeoutMs: 2000 }) });
  const parts: string[] = [];
  for (let i = 0, size = 0; size < 2_500_000; i++) {
    const part = `function h${i}(e,t){var n=e.query.id${i % 7},r=t.db;return r.find({id:n}).then(function(o){return o&&o.length?e.send(o[0]):e.status(404).end()})}var v${i}=[1,2,3].map(function(x){return x*${i}});`;
    parts.push(part);
    size += part.length;
    if (i === 5_000) parts.push(`var k="${awsKeyId(3)}";`);
  }
  repo.write('public/bundle.js', parts.join('') + '\n');
  repo.stage();
  const started = Date.now();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  const seconds = (Date.now() - started) / 1000;
  // Generous: parsing alone is seconds on a slow machine; a hang would be minutes.
  assert.ok(seconds < 90, `${seconds} s`);
  const out = json(r);
  // An atom that ran out of its budget on the bundle blocks it as `<atom>/analysis-error` (one per error).
  const judged = places(out).filter((p) => !p.endsWith('/analysis-error'));
  assert.equal(judged, ['public/bundle.js:1 secrets/aws-access-key-id'], 'the key inside is found');
  assert.is(places(out).length - judged.length, out.errors.length);
  assert.not.match(r.stdout, awsKeyId(3));
  const key = out.findings.find((f) => f.rule === 'secrets/aws-access-key-id')!;
  assert.ok(key.excerpt.length < 400, 'the excerpt of a 2.5 MB line is cut');
  for (const e of out.errors) assert.match(e.message, 'time budget', 'only time budgets may fail');
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
});

test('invalid UTF-8 is read with replacement characters, lines and findings in place', () => {
  const repo = makeRepo();
  repo.write(
    'latin1.js',
    Buffer.concat([
      Buffer.from('// caf'),
      Buffer.from([0xe9, 0x20, 0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('\n' + sqlLine),
    ]),
  );
  repo.write('truncated.js', Buffer.concat([Buffer.from(md5Line), Buffer.from([0xe2, 0x82])]));
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.equal(places(json(r)), [
    'latin1.js:2 sql-injection/interpolated-query',
    'truncated.js:1 password-hashing/fast-hash',
  ]);
  assert.equal(json(r).errors, []);
});

test('UTF-16 big-endian with a BOM, lone CR line ends and an empty file', () => {
  const repo = makeRepo();
  const be = Buffer.from('// hi\n' + awsLine(4), 'utf16le').swap16();
  repo.write('be.js', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
  repo.write('cr.js', 'const a = 1;\r' + md5Line);
  repo.write('empty.js', '');
  repo.stage();
  const out = json(repo.cli(['check', '--staged', '--format', 'json']));
  assert.ok(places(out).includes('be.js:2 secrets/aws-access-key-id'), places(out).join('\n'));
  assert.ok(
    out.findings.some((f) => f.file === 'cr.js' && f.rule === 'password-hashing/fast-hash'),
    places(out).join('\n'),
  );
  assert.equal(out.errors, []);
});

// ── Symlinks ────────────────────────────────────────────────────────────────

/** A directory outside the repository holding a key, and a repository with links to it. */
function outsideSecret() {
  const outside = tempDir('outside-');
  writeFileSync(join(outside, 'secret.js'), awsLine(9));
  mkdirSync(join(outside, 'dir'));
  writeFileSync(join(outside, 'dir', 'inner.js'), awsLine(9));
  return { outside, key: awsKeyId(9) };
}

test('a symlink to a file outside the repository is never read, in any mode', () => {
  const { outside, key } = outsideSecret();
  const repo = makeRepo();
  repo.write('README.md', '# x\n');
  repo.stage();
  const base = repo.commit('base');
  symlinkSync(join(outside, 'secret.js'), join(repo.dir, 'link.js'));
  symlinkSync(join(outside, 'dir'), join(repo.dir, 'linkdir'));
  repo.git('add', 'link.js', 'linkdir');
  const head = repo.commit('links');
  symlinkSync(join(outside, 'secret.js'), join(repo.dir, 'untracked.js'));
  symlinkSync(join(outside, 'dir'), join(repo.dir, 'untracked-dir'));
  const push = `refs/heads/main ${head} refs/heads/main ${base}\n`;
  for (const args of [['--staged'], ['--all'], ['--worktree'], ['--range', `${base}..${head}`], ['--push']]) {
    const r = repo.cli(['check', ...args, '--format', 'json'], { input: push });
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.not.match(r.stdout, key.slice(0, 8), args.join(' '));
    assert.equal(json(r).findings, [], args.join(' '));
  }
  const worktree = json(repo.cli(['check', '--worktree', '--format', 'json']));
  assert.ok(
    worktree.notes.some((n) => n.startsWith('untracked.js: symlink')),
    worktree.notes.join('\n'),
  );
});

test('a tracked file replaced on disk by a symlink to outside is not read by --worktree, nor by a command check', () => {
  const { outside, key } = outsideSecret();
  const repo = makeRepo();
  commitPolicy(repo, {
    '.ralphrc.json': JSON.stringify({
      atoms: {
        lint: {
          title: 'Lint',
          criteria: { pass: 'p', fail: 'f' },
          files: ['src/**'],
          checks: [{ type: 'command', name: 'lint', command: 'echo "src/a.js:1:1 problem"; exit 1' }],
        },
      },
    }),
  });
  repo.write('src/a.js', 'export const a = 1;\n');
  repo.stage();
  repo.commit('base');
  repo.write('src/a.js', 'export const a = 2;\n');
  repo.stage();
  unlinkSync(join(repo.dir, 'src/a.js'));
  symlinkSync(join(outside, 'secret.js'), join(repo.dir, 'src/a.js'));
  for (const args of [['--staged'], ['--worktree']]) {
    const r = repo.cli(['check', ...args, '--format', 'json']);
    assert.not.match(r.stdout, key.slice(0, 8), args.join(' '));
    assert.not.match(r.stdout, 'accessKeyId', `${args.join(' ')}: the outside file's text is not in any excerpt`);
  }
});

test('a symlinked directory on the way does not lead outside (--worktree)', () => {
  const { outside, key } = outsideSecret();
  const repo = makeRepo();
  repo.write('pkg/package.json', '{"name":"pkg"}\n');
  repo.stage();
  repo.commit('base');
  // pkg is now a symlink to a directory outside; what git lists under it must not be read.
  repo.git('rm', '-rq', 'pkg');
  symlinkSync(join(outside, 'dir'), join(repo.dir, 'pkg'));
  const r = repo.cli(['check', '--worktree', '--format', 'json']);
  assert.not.match(r.stdout, key.slice(0, 8));
  assert.equal(json(r).findings, []);
});

test.run();
