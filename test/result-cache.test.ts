// The result cache (src/engine/result-cache.ts): a second run over the same contents gives the same
// report without analysing them again, and anything a result depends on beyond the file's
// content, path, added lines, atom and options makes it run afresh.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitPolicy, makeRepo, PROJECT, tempDir } from './helpers/repo.js';
import { awsKeyId, awsLine, cleanLine, md5Line, sqlLine } from './helpers/samples.js';

/** A repository with its own cache directory, and a JSON check that says how long analysis took. */
function setUp() {
  const repo = makeRepo();
  const cache = tempDir('results-');
  const checkWith = (input: string | undefined, ...args: string[]) => {
    const r = repo.cli(['check', '--format', 'json', ...args], {
      env: { RALPH_GUARD_CACHE_DIR: cache, RALPH_GUARD_TIMING: '1' },
      ...(input ? { input } : {}),
    });
    assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as { findings: unknown[]; notes: string[]; summary: Record<string, unknown> };
    delete report.summary.durationMs;
    // RALPH_GUARD_TIMING lists every atom that ran (and parsing) on stderr.
    const ran = [...r.stderr.matchAll(/^\s+[\d.]+\s+([a-z][\w-]*)$/gm)].map((m) => m[1]!).sort();
    return { code: r.code, report, ran, stdout: r.stdout };
  };
  const check = (...args: string[]) => checkWith(undefined, ...args);
  const entries = () =>
    readdirSync(join(cache, 'results'), { recursive: true }).filter((f) => String(f).endsWith('.json')).length;
  return { repo, cache, check, checkWith, entries };
}

test('a second run gives the same report, findings, masking and notes included, without running the atoms again', () => {
  const { repo, check, entries } = setUp();
  repo.write('src/db.js', cleanLine + sqlLine);
  repo.write('src/keys.js', awsLine(5));
  repo.write('src/hash.js', md5Line);
  repo.write('src/broken.js', 'const x = (;\nlet = ;\n' + sqlLine);
  repo.stage();
  const first = check('--staged');
  assert.is(first.code, 1);
  assert.ok(first.ran.includes('sql-injection') && first.ran.includes('secrets'), first.ran.join(' '));
  assert.ok(
    first.report.notes.some((n) => n.includes('src/broken.js') && n.includes('reduced')),
    first.report.notes.join('\n'),
  );
  assert.ok(entries() >= 4);

  const second = check('--staged');
  assert.equal(second.report, first.report);
  assert.equal(second.ran, [], 'nothing analysed again');
  assert.not.match(second.stdout, awsKeyId(5));
});

test('identical files in one commit each keep their results (one blob, several paths)', () => {
  const { repo, check } = setUp();
  for (let i = 0; i < 6; i++) repo.write(`src/copy${i}.js`, cleanLine + md5Line);
  repo.stage();
  const first = check('--staged');
  assert.is(first.report.findings.length, 6);
  const second = check('--staged');
  assert.equal(second.report, first.report);
  assert.equal(second.ran, [], 'nothing analysed again');
});

test('results move with what they depend on: options, added lines, path, and the other modules of an app', () => {
  const { repo, check } = setUp();
  // bcryptMinCost: the same file is fine under one policy and not under the other.
  repo.write(
    'src/hash.js',
    "import bcrypt from 'bcrypt';\nexport const hash = (password) => bcrypt.hash(password, 8);\n",
  );
  repo.stage();
  assert.is(check('--staged').code, 1);
  commitPolicy(repo, {
    '.ralphrc.json': JSON.stringify({ atoms: { 'password-hashing': { options: { bcryptMinCost: 8 } } } }),
  });
  assert.is(check('--staged').code, 0, 'a new option value is not answered from the cache');
  repo.git('rm', '-q', '--cached', 'src/hash.js');

  // Added lines: the same content, first as a new file, then with the bad line already committed.
  commitPolicy(repo, { '.ralphrc.json': '{}' });
  repo.write('src/q.js', cleanLine + sqlLine);
  repo.stage();
  assert.is(check('--staged').code, 1);
  repo.commit('q');
  repo.write('src/q.js', cleanLine);
  repo.stage();
  repo.commit('fix');
  repo.write('src/q.js', cleanLine + sqlLine);
  repo.stage();
  assert.is(check('--staged').code, 1, 'the bad line is added again');
  repo.write('src/other.js', cleanLine);
  repo.stage();
  assert.is(check('--staged', 'src/other.js').code, 0);

  // App atoms read other modules: the same app.js passes once helmet is registered elsewhere.
  const app =
    "import express from 'express';\nimport { secure } from './security.js';\nexport const app = express();\nsecure(app);\n";
  repo.write('src/app.js', app);
  repo.write('src/security.js', 'export function secure(app) {}\n');
  repo.stage();
  assert.match(JSON.stringify(check('--staged', 'src/app.js').report.findings), 'security-headers');
  repo.write(
    'src/security.js',
    "import helmet from 'helmet';\nexport function secure(app) {\n  app.use(helmet());\n}\n",
  );
  repo.stage();
  assert.not.match(
    JSON.stringify(check('--staged', 'src/app.js').report.findings),
    'security-headers',
    'app.js is unchanged, its verdict is not',
  );

  // Flow atoms follow calls into other modules: the same route passes once the helper it calls is fixed.
  const route =
    "const { byName } = require('./users');\napp.get('/u', (req, res) => byName(req.query.name).then((r) => res.json(r)));\n";
  repo.write('src/route.js', route);
  repo.write('src/users.js', "exports.byName = (name) => pool.query(`SELECT * FROM users WHERE name = '${name}'`);\n");
  repo.stage();
  assert.match(JSON.stringify(check('--staged', 'src/route.js').report.findings), 'sql-injection');
  repo.write('src/users.js', "exports.byName = (name) => pool.query('SELECT * FROM users WHERE name = $1', [name]);\n");
  repo.stage();
  assert.not.match(
    JSON.stringify(check('--staged', 'src/route.js').report.findings),
    'sql-injection',
    'route.js is unchanged, the helper it calls is not',
  );
});

test('--no-cache and RALPH_GUARD_NO_CACHE run everything and keep nothing; a damaged entry is a miss', () => {
  const { repo, cache, check } = setUp();
  repo.write('src/db.js', sqlLine);
  repo.stage();
  assert.ok(check('--staged', '--no-cache').ran.includes('sql-injection'));
  const env = { RALPH_GUARD_CACHE_DIR: cache, RALPH_GUARD_NO_CACHE: '1' };
  assert.is(repo.cli(['check'], { env }).code, 1);
  assert.throws(() => readdirSync(join(cache, 'results')), 'nothing written');

  const first = check('--staged');
  for (const file of readdirSync(join(cache, 'results'), { recursive: true })) {
    if (String(file).endsWith('.json')) writeFileSync(join(cache, 'results', String(file)), '{"not": "entries"');
  }
  const again = check('--staged');
  assert.equal(again.report, first.report);
  assert.ok(again.ran.includes('sql-injection'), 'run again');
});

test("two builds of ralph-guard sharing one cache keep each other's results (two checkouts on different versions)", () => {
  const { repo, cache, check } = setUp();
  // Another build: the same code under another build id (what an upgrade in one of two projects gives).
  const other = tempDir('other-build-');
  cpSync(join(PROJECT, 'dist'), join(other, 'dist'), { recursive: true });
  symlinkSync(join(PROJECT, 'node_modules'), join(other, 'node_modules'));
  let renamed = 0;
  for (const name of readdirSync(join(other, 'dist', 'chunks'))) {
    const file = join(other, 'dist', 'chunks', name);
    const text = readFileSync(file, 'utf8');
    const changed = text.replace(/[0-9a-f]{12}(?=\+oxc-)/g, () => (renamed++, 'b0b0b0b0b0b0'));
    if (changed !== text) writeFileSync(file, changed);
  }
  assert.ok(renamed > 0, 'the build id is in the bundle');
  const checkOther = () => {
    const r = spawnSync(process.execPath, [join(other, 'dist', 'cli.js'), 'check', '--staged', '--format', 'json'], {
      cwd: repo.dir,
      encoding: 'utf8',
      env: { ...process.env, RALPH_GUARD_CACHE_DIR: cache, RALPH_GUARD_TIMING: '1' },
    });
    assert.ok(r.status === 1, r.stdout + r.stderr);
    return [...r.stderr.matchAll(/^\s+[\d.]+\s+([a-z][\w-]*)$/gm)].map((m) => m[1]!).sort();
  };
  repo.write('src/db.js', cleanLine + sqlLine);
  repo.write('src/hash.js', md5Line);
  repo.stage();
  assert.ok(check('--staged').ran.includes('sql-injection'));
  assert.ok(checkOther().includes('sql-injection'), "another build does not use this build's results");
  assert.equal(check('--staged').ran, [], "this build's results survived the other build's writes");
  assert.equal(checkOther(), [], "and the other build's survived this one's");
});

test('push after commit: the files the pre-commit hook checked are not analysed again', () => {
  const { repo, check, checkWith } = setUp();
  repo.write('README.md', '# x\n');
  repo.stage();
  const base = repo.commit('base');
  repo.write('src/db.js', cleanLine);
  repo.write('src/more.js', cleanLine.replace('find', 'more'));
  repo.stage();
  const staged = check('--staged');
  assert.is(staged.code, 0);
  assert.ok(staged.ran.includes('sql-injection'));
  const head = repo.commit('feature');
  const push = checkWith(`refs/heads/main ${head} refs/heads/main ${base}\n`, '--push');
  assert.is(push.code, 0);
  assert.is(push.report.summary.files, 2);
  assert.equal(push.ran, [], 'the same blobs, paths and added lines as at commit time');
});

test.run();
