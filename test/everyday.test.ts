// Everyday use: output a person can read at 80 columns, grouped findings, and the smaller
// things a user trips on, each reproduced as it was met.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookedRepo } from './helpers/hooked.js';
import { installShimOnPath, makeRepo, PROJECT, repoWithRemote } from './helpers/repo.js';
import { awsKeyId, awsLine, cleanLine, md5Line, sqlLine } from './helpers/samples.js';
import { suppressionComment } from '../src/report/comments.js';
import { wrap } from '../src/report/pretty.js';

installShimOnPath();

const FIXTURES = new URL('./fixtures/claude/', import.meta.url).pathname;
const fixture = (name: string, project: string) =>
  readFileSync(join(FIXTURES, name), 'utf8').replaceAll('${PROJECT}', project);
const visible = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, '').length;

/** A file name with a space and a long path, and a line long enough to wrap. */
const LONG_FILE = 'src/services/payments and billing/legacy-customer-accounts-handler.js';
const longSql = `export const findCustomerByAccountNumber = (accountNumber) => db.query(\`SELECT * FROM customers WHERE account_number = \${accountNumber} AND deleted_at IS NULL\`);\n`;

test('pretty wraps at 80 columns when the width is unknown, keeps the gutter, never splits a path or a masked value', () => {
  const repo = makeRepo();
  // The crypto import puts a high-risk area (a section of its own) in the report too.
  repo.write(LONG_FILE, "import crypto from 'node:crypto';\n" + longSql + md5Line);
  repo.write('config.js', awsLine());
  repo.stage();
  const r = repo.cli(['check'], { env: { COLUMNS: '' } });
  assert.is(r.code, 1, r.stderr);
  const lines = r.stdout.split('\n');
  const masked = (r.stdout.match(/AKIA\S*/) ?? [''])[0];
  assert.ok(masked.length > 4, 'the masked key is shown');
  assert.not.match(r.stdout, awsKeyId());
  for (const line of lines) {
    // A unit longer than a line may overflow on a line of its own; nothing else does.
    if (visible(line) > 80) assert.ok(!line.trim().includes(' ') || line.includes(LONG_FILE), `too wide: ${line}`);
  }
  assert.ok(
    lines.some((l) => l.includes(`${LONG_FILE}:2:`)),
    'the path with its space is on one line',
  );
  assert.ok(
    lines.some((l) => l.includes(masked)),
    'the masked value is whole',
  );
  // A wrapped excerpt or fix continues behind the gutter.
  const gutter = lines.filter((l) => l.startsWith('    │ '));
  assert.ok(gutter.length >= 6, r.stdout);
  const fixAt = lines.findIndex((l) => l.includes('│ fix:'));
  assert.ok(lines[fixAt + 1]!.startsWith('    │ '), `the fix continues behind the gutter:\n${r.stdout}`);
  assert.match(r.stdout, 'High-risk areas');
  const passWhen = lines.findIndex((l) => l.startsWith('    pass when: '));
  assert.ok(lines[passWhen + 1]!.startsWith('               '), `the criterion continues indented:\n${r.stdout}`);
  // COLUMNS says the width when it is known.
  const wide = repo.cli(['check'], { env: { COLUMNS: '200' } });
  assert.ok(wide.stdout.split('\n').length < lines.length, 'fewer lines at 200 columns');
});

test('wrap: units are never split, a unit longer than the line gets a line of its own, colour takes no columns', () => {
  const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
  const out = wrap('  ', [red('src/a file.js:1:2'), 'one', 'two', 'x'.repeat(50), 'three'], '    │ ', 30);
  assert.equal(out, ['  \x1b[31msrc/a file.js:1:2\x1b[39m one two', `    │ ${'x'.repeat(50)}`, '    │ three']);
});

test('findings sharing a rule and fix in a file are one group: heading, the fix once, ten places, "and N more"; JSON keeps all', () => {
  const repo = makeRepo();
  const body = Array.from(
    { length: 13 },
    (_, i) => `export const q${i} = (id) => db.query(\`SELECT * FROM t${i} WHERE id = \${id}\`);`,
  ).join('\n');
  repo.write('src/queries.js', body + '\n');
  repo.stage();
  const r = repo.cli(['check']);
  assert.is(r.code, 1);
  assert.match(r.stdout, /sql-injection\/\S+ \(13 places\)/);
  assert.is(r.stdout.split('│ fix:').length - 1, 1, 'the fix once');
  assert.match(r.stdout, '… and 3 more');
  assert.is((r.stdout.match(/src\/queries\.js:\d+:/g) ?? []).length, 10);
  const json = JSON.parse(repo.cli(['check', '--format', 'json']).stdout);
  assert.is(json.findings.length, 13, 'JSON keeps every location');
});

test('the same rule and fix across files is one group: the fix once, ten places named, "and N more in M files"', () => {
  const repo = makeRepo();
  for (let i = 0; i < 13; i++)
    repo.write(
      `src/q${String(i).padStart(2, '0')}.js`,
      `export const q${i} = (id) => db.query(\`SELECT * FROM t${i} WHERE id = \${id}\`);\n`,
    );
  repo.write('src/hash.js', md5Line);
  repo.stage();
  const r = repo.cli(['check']);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /sql-injection\/\S+ \(13 places\)/);
  assert.is((r.stdout.match(/fix: Use placeholders/g) ?? []).length, 1, `the sql fix once:\n${r.stdout}`);
  assert.is((r.stdout.match(/│ fix:/g) ?? []).length, 2, 'one fix per group: sql-injection and password-hashing');
  const named = r.stdout.match(/src\/q\d\d\.js:1:\d+/g) ?? [];
  assert.equal(
    named.map((n) => n.split(':')[0]),
    Array.from({ length: 10 }, (_, i) => `src/q${String(i).padStart(2, '0')}.js`),
    'the first ten places, each with its file',
  );
  assert.match(r.stdout, '… and 3 more in 3 files');
  assert.not.match(r.stdout, / \n/, 'no line ends in a space');
  const json = JSON.parse(repo.cli(['check', '--format', 'json']).stdout);
  assert.is(
    json.findings.filter((f: { atom: string }) => f.atom === 'sql-injection').length,
    13,
    'JSON keeps every location',
  );

  // Places whose messages differ: the heading names the rule, each place says its own message.
  repo.write('src/q01.js', 'export const q1 = (key) => db.query(`SELECT * FROM t1 WHERE id = ${key}`);\n');
  repo.stage();
  const mixed = repo.cli(['check'], { env: { COLUMNS: '200' } }).stdout;
  assert.match(mixed, /sql-injection\/\S+ \(13 places\)\n/, mixed);
  assert.match(mixed, /src\/q00\.js:1:\d+ {2}SQL built with template interpolation of `id`/);
  assert.match(mixed, /src\/q01\.js:1:\d+ {2}SQL built with template interpolation of `key`/);

  // The agent format lists the places under the rule and says the fix once.
  const agent = repo.cli(['check', '--format', 'agent']).stdout;
  assert.is((agent.match(/Fix: Use placeholders/g) ?? []).length, 1, agent);
  assert.match(agent, /`sql-injection\/\S+` in 13 places\n/);
  assert.is((agent.match(/^ {2}- `src\/q\d\d\.js:1` SQL built .* Found: /gm) ?? []).length, 13, agent);
});

test('skills export writes no sample key: the exported skills commit through the hook', () => {
  const repo = hookedRepo();
  const r = repo.cli(['skills', 'export', '--agent', 'claude']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(join(repo.dir, '.claude/skills/oauth/SKILL.md')));
  repo.stage();
  const commit = repo.tryGit(['commit', '-m', 'skills']);
  assert.is(commit.code, 0, commit.stdout + commit.stderr);
});

test('the Stop hook counts rounds when the cache directory cannot be written', () => {
  const repo = makeRepo();
  repo.write('src/a.js', cleanLine);
  repo.stage();
  repo.commit('base');
  repo.write('src/a.js', sqlLine);
  const env = { RALPH_GUARD_CACHE_DIR: join(repo.dir, '.gitignore', 'not-a-dir') };
  repo.write('.gitignore', 'x\n');
  const first = repo.cli(['hook', 'claude-stop'], { input: fixture('stop.json', repo.dir), env });
  assert.match(first.stderr, 'Round 1 of 5', first.stderr);
  const second = repo.cli(['hook', 'claude-stop'], { input: fixture('stop-active.json', repo.dir), env });
  assert.match(second.stderr, 'Round 2 of 5', second.stderr);
  const third = repo.cli(['hook', 'claude-stop'], { input: fixture('stop-active.json', repo.dir), env });
  assert.match(third.stderr, 'Round 3 of 5');
});

test('a push refused for a key in an unpushed commit says how to rewrite the unpushed commits', () => {
  const { repo } = repoWithRemote();
  repo.write('README.md', '# demo\n');
  repo.stage();
  repo.commit('base');
  repo.git('push', '-q', '-u', 'origin', 'main');
  repo.write('config.js', awsLine());
  repo.stage();
  const sha = repo.commit('key');
  repo.write('config.js', 'export const accessKeyId = process.env.AWS_ACCESS_KEY_ID;\n');
  repo.stage();
  repo.commit('key removed');
  const r = repo.cli(['check', '--push']);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout.replace(/\n\s*/g, ' '), `git rebase -i ${sha.slice(0, 10)}^`);
});

test('the suppression shown for a lockfile is not a // comment', () => {
  for (const file of ['yarn.lock', 'web/yarn.lock', 'package-lock.json', 'pnpm-lock.yaml'])
    assert.not.match(suppressionComment(file, 'dependencies/weak-integrity'), /^\/\//, file);
  assert.match(suppressionComment('yarn.lock', 'dependencies/x'), 'ralph-guard baseline');
});

test('init with an invalid policy exits 2 naming the key; a "ralph-guard" key in package.json is warned about', () => {
  const repo = makeRepo();
  repo.write('.ralphrc.json', JSON.stringify({ atoms: { secrets: { level: 'loud' } } }));
  const r = repo.cli(['init', '--hooks', 'git']);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, 'atoms.secrets.level');
  assert.not.match(r.stdout, 'everything was already in place');

  const pkg = makeRepo();
  pkg.write('package.json', JSON.stringify({ name: 'app', 'ralph-guard': { atoms: { secrets: { level: 'off' } } } }));
  pkg.write('a.js', cleanLine);
  pkg.stage();
  const check = pkg.cli(['check']);
  assert.match(
    check.stdout.replace(/\n\s*/g, ' '),
    'package.json has a "ralph-guard" key, which ralph-guard does not read',
  );
  const doctor = pkg.cli(['doctor']);
  assert.match(doctor.stdout, /warn\s+package\.json has a "ralph-guard" key/);
});

test('the package has a LICENSE, and the pre-commit set-up names no tag that does not exist', () => {
  assert.ok(existsSync(join(PROJECT, 'LICENSE')));
  assert.match(readFileSync(join(PROJECT, 'LICENSE'), 'utf8'), 'MIT License');
  const repo = makeRepo();
  repo.write('.pre-commit-config.yaml', 'repos: []\n');
  const r = repo.cli(['init']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'rev: <');
  assert.not.match(r.stdout + readFileSync(join(PROJECT, 'README.md'), 'utf8'), 'rev: v0.1.0');
});

test('RALPH_GUARD=0 skips the check under lefthook-style commands too (any hook manager)', () => {
  const repo = makeRepo();
  repo.write('a.js', sqlLine);
  repo.stage();
  const r = repo.cli(['check', '--staged'], { env: { RALPH_GUARD: '0' } });
  assert.is(r.code, 0);
  assert.match(r.stderr, 'RALPH_GUARD=0');
  assert.is(repo.cli(['check', '--all'], { env: { RALPH_GUARD: '0' } }).code, 1, 'only the hook modes');
});

test.run();
