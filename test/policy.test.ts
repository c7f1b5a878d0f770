// The policy: found by cosmiconfig's search places, validated by zod, every problem named with its file and key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commitPolicy, makeRepo } from './helpers/repo.js';
import { md5Line, sqlLine } from './helpers/samples.js';

/** A repository whose committed policy is `files`, with a change staged on top. */
function repoWith(files: Record<string, string>) {
  const repo = makeRepo();
  commitPolicy(repo, files);
  repo.write('src/a.js', sqlLine + md5Line);
  repo.stage('src/a.js');
  return repo;
}

const rules = (stdout: string) =>
  (JSON.parse(stdout).findings as Array<{ rule: string; severity: string }>).map((f) => `${f.rule}:${f.severity}`);

test('an invalid policy exits 2 naming the file, the key path and what was expected, with no stack trace', () => {
  const repo = repoWith({
    '.ralphrc.json': JSON.stringify({
      failOn: 'sometimes',
      atoms: {
        'password-hashing': { level: 'loud', options: { bcryptMinCost: 'twelve' } },
        'sql-injecton': { level: 'warn' },
      },
      colour: true,
    }),
  });
  const r = repo.cli(['check']);
  assert.is(r.code, 2);
  assert.match(r.stderr, '.ralphrc.json: failOn: expected one of "block", "warn", got string "sometimes"');
  assert.match(
    r.stderr,
    '.ralphrc.json: atoms.password-hashing.level: expected one of "block", "warn", "review", "off"',
  );
  assert.match(
    r.stderr,
    '.ralphrc.json: atoms.password-hashing.options.bcryptMinCost: expected number, got string "twelve"',
  );
  assert.match(
    r.stderr,
    '.ralphrc.json: atoms.sql-injecton: unknown atom; expected a built-in id (did you mean "sql-injection"?)',
  );
  assert.match(r.stderr, '.ralphrc.json: colour: unknown key');
  assert.not.match(r.stderr, /at \w+ \(/, 'no stack trace');
});

test('a policy that is not valid JSON or YAML exits 2 naming the file', () => {
  for (const [file, text] of [
    ['.ralphrc.json', '{ "failOn": '],
    ['.ralphrc.yaml', 'failOn: [unclosed'],
  ] as const) {
    const r = repoWith({ [file]: text }).cli(['check']);
    assert.is(r.code, 2, file);
    assert.match(r.stderr, file);
  }
});

test('levels: warn reports without blocking, off silences, failOn warn blocks on warnings', () => {
  let r = repoWith({
    '.ralphrc.json': JSON.stringify({
      atoms: { 'sql-injection': { level: 'warn' }, 'password-hashing': { level: 'off' } },
    }),
  }).cli(['check', '--format', 'json']);
  assert.is(r.code, 0);
  assert.equal(rules(r.stdout), ['sql-injection/interpolated-query:warning']);
  r = repoWith({
    '.ralphrc.json': JSON.stringify({
      failOn: 'warn',
      atoms: { 'sql-injection': { level: 'warn' }, 'password-hashing': { level: 'off' } },
    }),
  }).cli(['check', '--format', 'json']);
  assert.is(r.code, 1);
});

test('YAML, package.json "ralph" and .config/ policies are found', () => {
  for (const files of [
    { '.ralphrc.yaml': '# comments are fine\natoms:\n  sql-injection:\n    level: off\n' },
    { 'package.json': JSON.stringify({ name: 'x', ralph: { atoms: { 'sql-injection': { level: 'off' } } } }) },
    { '.config/ralphrc.json': JSON.stringify({ atoms: { 'sql-injection': { level: 'off' } } }) },
    { '.ralphrc': 'atoms:\n  sql-injection: { level: "off" }\n' },
  ] as Array<Record<string, string>>) {
    const r = repoWith(files).cli(['check', '--format', 'json']);
    assert.equal(rules(r.stdout), ['password-hashing/fast-hash:error'], Object.keys(files)[0]);
  }
});

test('a JS policy works (and is code: it runs)', () => {
  const r = repoWith({
    'ralph.config.mjs': "export default { atoms: { 'password-hashing': { level: 'warn' } } };\n",
  }).cli(['check', '--format', 'json']);
  assert.equal(rules(r.stdout).sort(), [
    'password-hashing/fast-hash:warning',
    'sql-injection/interpolated-query:error',
  ]);
});

test('ignore globs, per-atom ignore, extends a file, and options reach the atom', () => {
  const repo = repoWith({
    'policies/base.json': JSON.stringify({ atoms: { 'password-hashing': { options: { bcryptMinCost: 14 } } } }),
    '.ralphrc.json': JSON.stringify({
      extends: ['ralph-guard:recommended', './policies/base.json'],
      ignore: ['vendor/**'],
      atoms: { 'sql-injection': { ignore: ['src/legacy/**'] } },
    }),
  });
  repo.write('vendor/lib.js', sqlLine);
  repo.write('src/legacy/old.js', sqlLine);
  repo.write('src/hash.js', 'await bcrypt.hash(password, 12);\n');
  repo.stage();
  const r = repo.cli(['check', '--format', 'json']);
  const findings = JSON.parse(r.stdout).findings as Array<{ file: string; rule: string }>;
  assert.equal(findings.map((f) => `${f.file} ${f.rule}`).sort(), [
    'src/a.js password-hashing/fast-hash',
    'src/a.js sql-injection/interpolated-query',
    'src/hash.js password-hashing/low-bcrypt-cost',
  ]);
});

test('extends: [] starts from nothing; an unknown preset is an error', () => {
  let r = repoWith({
    '.ralphrc.json': JSON.stringify({ extends: [], atoms: { 'sql-injection': { level: 'block' } } }),
  }).cli(['check', '--format', 'json']);
  assert.equal(rules(r.stdout), ['sql-injection/interpolated-query:error']);
  r = repoWith({ '.ralphrc.json': JSON.stringify({ extends: ['ralph-guard:recomended'] }) }).cli(['check']);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'did you mean "ralph-guard:recommended"?');
});

test('a custom pattern atom blocks, with its own rule name and message', () => {
  const repo = repoWith({
    '.ralphrc.json': JSON.stringify({
      atoms: {
        'no-console': {
          title: 'No console.log in src',
          criteria: { pass: 'Use the logger.', fail: 'console.log in src/.' },
          files: ['src/**/*.js', '!src/cli/**'],
          checks: [{ type: 'pattern', name: 'console-log', regex: 'console\\.log\\(', message: 'console.log left in' }],
        },
      },
    }),
  });
  repo.write('src/b.js', 'console.log("hi");\n');
  repo.write('src/cli/c.js', 'console.log("allowed");\n');
  repo.stage();
  const r = repo.cli(['check', '--format', 'json', '--atoms', 'no-console']);
  const findings = JSON.parse(r.stdout).findings as Array<{ file: string; rule: string; message: string }>;
  assert.is(r.code, 1);
  assert.equal(
    findings.map((f) => [f.file, f.rule, f.message]),
    [['src/b.js', 'no-console/console-log', 'console.log left in']],
  );
});

test('a custom regex that can backtrack catastrophically is refused', () => {
  const r = repoWith({
    '.ralphrc.json': JSON.stringify({
      atoms: {
        slow: {
          title: 't',
          criteria: { pass: 'p', fail: 'f' },
          checks: [{ type: 'pattern', regex: '(a+)+$', message: 'm' }],
        },
      },
    }),
  }).cli(['check']);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'atoms.slow.checks.0.regex: a repeated group contains another quantifier');
});

test('a changed policy is revalidated (the cache follows the content)', () => {
  const repo = repoWith({ '.ralphrc.json': JSON.stringify({ atoms: { 'sql-injection': { level: 'off' } } }) });
  assert.equal(rules(repo.cli(['check', '--format', 'json']).stdout), ['password-hashing/fast-hash:error']);
  assert.equal(rules(repo.cli(['check', '--format', 'json']).stdout), ['password-hashing/fast-hash:error'], 'cached');
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ atoms: { 'password-hashing': { level: 'off' } } }) });
  assert.equal(rules(repo.cli(['check', '--format', 'json']).stdout), ['sql-injection/interpolated-query:error']);
  commitPolicy(repo, { '.ralphrc.json': '{"atoms": 3}' });
  assert.is(repo.cli(['check']).code, 2);
});

test('--config picks a file; --atoms narrows; unknown atoms and bad flags exit 2', () => {
  const repo = repoWith({ 'custom/policy.yml': 'atoms:\n  password-hashing:\n    level: off\n' });
  assert.equal(rules(repo.cli(['check', '--config', 'custom/policy.yml', '--format', 'json']).stdout), [
    'sql-injection/interpolated-query:error',
  ]);
  assert.equal(rules(repo.cli(['check', '--atoms', 'password-hashing', '--format', 'json']).stdout), [
    'password-hashing/fast-hash:error',
  ]);
  assert.is(repo.cli(['check', '--atoms', 'nope']).code, 2);
  assert.is(repo.cli(['check', '--frobnicate']).code, 2);
  assert.is(repo.cli(['check', '--staged', '--all']).code, 2);
  assert.is(repo.cli(['check', '--config', 'missing.json']).code, 2);
});

test.run();
