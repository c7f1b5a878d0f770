// The judge comes from the base, the cache cannot change a verdict, reading is not running (DESIGN §9.1, 9.9, 9.10).
// Each bypass is performed through a real `git commit` with the hooks `init` installed, then as CI runs it (`--range`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookedRepo } from './helpers/hooked.js';
import { installShimOnPath, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import { awsLine, md5Line } from './helpers/samples.js';

installShimOnPath();
const CACHE = process.env.RALPH_GUARD_CACHE_DIR!;

/** A hooked repository whose committed policy is the recommended one written by init, plus a marker of the base commit. */
function guarded(): { repo: Repo; base: string } {
  const repo = hookedRepo();
  assert.ok(repo.git('ls-files').includes('.ralphrc.json'), 'init committed its policy');
  return { repo, base: repo.git('rev-parse', 'HEAD').trim() };
}

/** The commit is refused, naming each of `names`, and no commit is made. */
function refused(repo: Repo, names: string[]): string {
  const before = repo.git('rev-parse', 'HEAD');
  const r = repo.tryGit(['commit', '-m', 'change']);
  const out = r.stdout + r.stderr;
  assert.is.not(r.code, 0, `commit refused:\n${out}`);
  // The pretty report wraps at 80 columns: read it as one line.
  for (const name of names) assert.match(out.replace(/\n\s*(?:│ )?/g, ' '), name);
  assert.is(repo.git('rev-parse', 'HEAD'), before, 'no commit was made');
  return out;
}

/** The same change committed past the hook (--no-verify), then judged as CI does: `check --range base..HEAD`. */
function refusedInRange(repo: Repo, base: string, names: string[]): void {
  repo.git('commit', '-q', '--no-verify', '-m', 'change past the hook');
  const r = repo.cli(['check', '--range', `${base}..HEAD`]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  for (const name of names) assert.match(r.stdout, name);
}

test('a commit that sets the policy to {"extends": []} and adds a key is refused, naming the weakening', () => {
  const { repo, base } = guarded();
  repo.write('.ralphrc.json', '{"extends":[]}\n');
  repo.write('src/keys.js', awsLine());
  repo.stage();
  const out = refused(repo, ['secrets/', 'guard/policy-weakened', 'level of 25 atoms', 'level of 3 atoms']);
  assert.match(out, 'block → off');
  refusedInRange(repo, base, ['secrets/', 'guard/policy-weakened']);
});

test('a "ralph" key added to package.json (found before .ralphrc.json) does not switch the guard off', () => {
  const { repo, base } = guarded();
  repo.write('package.json', JSON.stringify({ name: 'app', ralph: { extends: [] } }));
  repo.write('src/keys.js', awsLine());
  repo.stage();
  const out = refused(repo, ['secrets/', 'guard/policy-weakened']);
  assert.match(out, 'package.json');
  refusedInRange(repo, base, ['secrets/', 'guard/policy-weakened']);
});

test('a policy edited in the working tree only (not staged) does not judge the commit', () => {
  const { repo, base } = guarded();
  repo.write('src/keys.js', awsLine());
  repo.stage('src/keys.js');
  repo.write('.ralphrc.json', '{"extends":[]}\n');
  const out = refused(repo, ['secrets/']);
  assert.not.match(out, 'guard/policy-weakened', 'the commit does not change the policy');
  refusedInRange(repo, base, ['secrets/']);
});

test('lowering one atom, widening ignore and loosening failOn/failClosed are each named', () => {
  const { repo, base } = guarded();
  repo.write(
    '.ralphrc.json',
    JSON.stringify({ failClosed: false, ignore: ['src/**'], atoms: { 'password-hashing': { level: 'warn' } } }),
  );
  repo.write('src/hash.js', md5Line);
  repo.stage();
  const out = refused(repo, [
    'guard/policy-weakened',
    'atoms.password-hashing.level: block → warn',
    'ignore: added "src/**"',
  ]);
  assert.match(out, 'password-hashing/fast-hash', 'judged under the committed policy, src/ is not ignored');
  refusedInRange(repo, base, ['guard/policy-weakened', 'password-hashing/fast-hash']);
});

test('a stricter policy change is committed, with a note; it judges from the next commit on', () => {
  const { repo } = guarded();
  repo.write('.ralphrc.json', JSON.stringify({ failOn: 'warn' }));
  repo.stage();
  // Still an edit of the guard (the guard area is at review): the commit-msg hook waits for a person's trailer.
  const unreviewed = repo.tryGit(['commit', '-m', 'stricter']);
  assert.is(unreviewed.code, 1, unreviewed.stdout + unreviewed.stderr);
  assert.match(unreviewed.stderr, 'guard: .ralphrc.json:1');
  const r = repo.tryGit(['commit', '-m', 'stricter', '-m', 'Security-Reviewed-by: Ann <ann@example.com>']);
  assert.is(r.code, 0, r.stdout + r.stderr);
});

test('baseline entries added by the change block as guard/baseline-grown; an unstaged baseline accepts nothing', () => {
  const { repo, base } = guarded();
  repo.write('src/keys.js', awsLine());
  repo.stage();
  // The assistant's shortest way to green: accept the key in the baseline, in the working tree only…
  assert.is(repo.cli(['baseline']).code, 0);
  assert.ok(existsSync(join(repo.dir, '.ralph-baseline.json')));
  refused(repo, ['secrets/']);
  // …or staged with the key.
  repo.stage();
  refused(repo, ['guard/baseline-grown', 'secrets/']);
  refusedInRange(repo, base, ['guard/baseline-grown', 'secrets/']);
});

test('an empty or whitespace-only committed policy exits 2 like any invalid one; committing one is refused', () => {
  for (const text of ['', '  \n\t\n']) {
    const { repo } = guarded();
    repo.write('.ralphrc.json', text);
    repo.stage();
    refused(repo, ['guard/policy-unreadable', 'empty']);
    repo.git('commit', '-q', '--no-verify', '-m', 'empty policy past the hook');
    repo.write('src/a.js', 'export const a = 1;\n');
    repo.stage();
    const r = repo.cli(['check']);
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, '.ralphrc.json: the file is empty');
    const doctor = repo.cli(['doctor']);
    assert.is(doctor.code, 1, doctor.stdout);
    assert.not.match(doctor.stdout, 'is valid');
  }
});

test('a policy parse error shows the parser message with its line and column', () => {
  const repo = makeRepo();
  for (const [file, text, where] of [
    ['.ralphrc.json', '{\n  "failOn": "block",,\n}\n', /2 \|/],
    ['.ralphrc.json', '{ "failOn": ', /line 1, column 13/],
    ['.ralphrc.yaml', 'atoms:\n  x: [unclosed\n', /\(\d+:\d+\)/],
  ] as const) {
    repo.write(file, text);
    repo.stage(file);
    repo.commit(file);
    const r = repo.cli(['check', '--all']);
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, `${file}: cannot be read:`);
    assert.match(r.stderr, where);
    repo.git('rm', '-q', file);
    repo.commit('rm');
  }
});

test('extends: only presets, repository files (read from the base commit) and node_modules packages', () => {
  const outside = tempDir('outside-');
  writeFileSync(join(outside, 'loose.json'), '{"extends":[]}');
  for (const target of [join(outside, 'loose.json'), '../outside.json', 'sub/../../x.json']) {
    const repo = makeRepo();
    repo.write('.ralphrc.json', JSON.stringify({ extends: [target] }));
    repo.stage();
    repo.commit('policy');
    const r = repo.cli(['check', '--all']);
    assert.is(r.code, 2, `${target}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /absolute path is refused|outside the repository/);
  }
  // A repository file extended by the committed policy is read at the base: editing it on disk changes nothing.
  const { repo } = guarded();
  repo.write('policies/base.json', JSON.stringify({ atoms: { 'password-hashing': { level: 'block' } } }));
  repo.write('.ralphrc.json', JSON.stringify({ extends: ['ralph-guard:recommended', './policies/base.json'] }));
  repo.stage();
  repo.commit('policy extends a file');
  repo.write('policies/base.json', JSON.stringify({ atoms: { 'password-hashing': { level: 'off' } } }));
  repo.write('src/hash.js', md5Line);
  repo.stage('src/hash.js');
  refused(repo, ['password-hashing/fast-hash']);
  // Staged, the weakening of the extended file is named.
  repo.stage();
  refused(repo, ['guard/policy-weakened', 'atoms.password-hashing.level: block → off']);
  // A package policy from node_modules.
  repo.git('reset', '-q');
  repo.write(
    'node_modules/@acme/ralph-policy/package.json',
    JSON.stringify({ name: '@acme/ralph-policy', ralph: { atoms: { 'password-hashing': { level: 'warn' } } } }),
  );
  repo.write('.ralphrc.json', JSON.stringify({ extends: ['ralph-guard:recommended', '@acme/ralph-policy'] }));
  repo.stage('.ralphrc.json');
  repo.commit('policy from a package');
  repo.stage('src/hash.js');
  const r = repo.cli(['check', '--format', 'json']);
  assert.ok(
    (JSON.parse(r.stdout).findings as Array<{ rule: string; severity: string }>).some(
      (f) => f.rule === 'password-hashing/fast-hash' && f.severity === 'warning',
    ),
    r.stdout + r.stderr,
  );
});

/** Every file under a directory. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
}

test('a result-cache entry edited to hits: [] does not let a refused commit through; cache is 0700/0600', () => {
  const { repo, base } = guarded();
  repo.write('src/hash.js', md5Line);
  repo.stage();
  refused(repo, ['password-hashing/fast-hash']);
  const entries = filesUnder(join(CACHE, 'results'));
  assert.ok(entries.length > 0, 'the refused commit left result-cache entries');
  for (const file of entries) {
    const [mac, ...rest] = readFileSync(file, 'utf8').split('\n');
    const emptied = JSON.stringify(
      (JSON.parse(rest.join('\n')) as Array<Record<string, unknown>>).map((e) => ({ ...e, hits: [], notes: [] })),
    );
    // Keep the old MAC (a forger without the key), and also try the plain JSON an older version read.
    writeFileSync(file, `${mac}\n${emptied}`);
  }
  refused(repo, ['password-hashing/fast-hash']);
  for (const file of filesUnder(join(CACHE, 'results'))) writeFileSync(file, '[]');
  refused(repo, ['password-hashing/fast-hash']);
  refusedInRange(repo, base, ['password-hashing/fast-hash']);
  for (const file of filesUnder(CACHE)) {
    if (file.endsWith('.tmp')) continue;
    assert.is(statSync(file).mode & 0o077, 0, `${file} is private`);
  }
  assert.is(statSync(join(CACHE, 'results')).mode & 0o077, 0, 'results directory is private');
  assert.is(statSync(join(CACHE, 'mac-key')).mode & 0o777, 0o600);
});

test('a cached policy with an added command atom never runs it: the policy text comes from git', () => {
  const { repo } = guarded();
  repo.write('src/a.js', 'export const a = 1;\n');
  repo.stage();
  assert.is(repo.cli(['check']).code, 0);
  const marker = join(tempDir('marker-'), 'pwned');
  const evil = {
    title: 'x',
    criteria: { pass: 'p', fail: 'f' },
    level: 'block',
    files: ['**'],
    ignore: [],
    keywords: [],
    checks: [{ type: 'command', name: 'command', command: `touch ${marker}`, timeoutMs: 60000 }],
  };
  const policies = filesUnder(join(CACHE, 'policies'));
  assert.ok(policies.length > 0);
  for (const file of policies) {
    const [mac, ...rest] = readFileSync(file, 'utf8').split('\n');
    const entry = JSON.parse(rest.join('\n')) as { policy: { custom: unknown[] } };
    entry.policy.custom.push({ id: 'evil', ...evil });
    writeFileSync(file, `${mac}\n${JSON.stringify(entry)}`);
  }
  const r = repo.tryGit(['commit', '-m', 'ok']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.not.ok(existsSync(marker), 'the planted command did not run');
});

test('doctor, atoms, explain, skills and baseline never run a JS policy or a JS file a JSON policy extends', () => {
  const marker = join(tempDir('marker-'), 'ran');
  const program = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { atoms: { 'weak-crypto': { level: 'warn' } } };\n`;
  for (const files of [
    { 'ralph.config.mjs': program },
    { 'shared.mjs': program, '.ralphrc.json': JSON.stringify({ extends: ['./shared.mjs'] }) },
  ] as Array<Record<string, string>>) {
    const repo = makeRepo();
    for (const [path, text] of Object.entries(files)) repo.write(path, text);
    repo.stage();
    repo.commit('policy');
    for (const args of [['doctor'], ['atoms'], ['explain', 'weak-crypto'], ['skills'], ['baseline']]) {
      const r = repo.cli(args);
      assert.not.ok(existsSync(marker), `${args[0]} ran the policy`);
      assert.match(r.stdout + r.stderr, 'JavaScript policy: runs when hooks run; not evaluated here', args[0]);
    }
    // The hooks run it: from the committed text.
    repo.write('src/a.js', 'export const a = 1;\n');
    repo.stage();
    assert.is(repo.cli(['check']).code, 0);
    assert.ok(existsSync(marker), 'check runs the committed JS policy');
    rmSync(marker);
  }
});

test('a JS policy runs from its committed text, not the working tree copy; a changed JS policy is refused', () => {
  const { repo, base } = guarded();
  repo.git('rm', '-q', '.ralphrc.json');
  repo.write('ralph.config.mjs', "export default { atoms: { 'password-hashing': { level: 'block' } } };\n");
  repo.stage();
  repo.commit('JS policy');
  repo.write('ralph.config.mjs', 'export default { extends: [] };\n');
  repo.write('src/hash.js', md5Line);
  repo.stage('src/hash.js');
  refused(repo, ['password-hashing/fast-hash']);
  repo.stage();
  refused(repo, ['guard/policy-unreadable', 'JavaScript']);
  refusedInRange(repo, base, ['password-hashing/fast-hash']);
});

test('a local `git replace` of the committed policy blob does not change the judge', () => {
  const { repo, base } = guarded();
  const committed = repo.git('rev-parse', 'HEAD:.ralphrc.json').trim();
  repo.write('weak.json', '{"extends":[]}\n');
  const replacement = repo.git('hash-object', '-w', 'weak.json').trim();
  repo.git('replace', committed, replacement);
  repo.write('src/keys.js', awsLine());
  repo.stage('src/keys.js');
  refused(repo, ['secrets/']);
  refusedInRange(repo, base, ['secrets/']);
});

test('a push that weakens the policy is refused by the pre-push hook: the destination tip judges', () => {
  const remote = makeRepo({ bare: true });
  const { repo } = guarded();
  repo.git('remote', 'add', 'origin', remote.dir);
  assert.is(repo.tryGit(['push', '-q', 'origin', 'main']).code, 0);
  repo.write('.ralphrc.json', '{"extends":[]}\n');
  repo.write('src/keys.js', awsLine());
  repo.stage();
  repo.git('commit', '-q', '--no-verify', '-m', 'past the pre-commit hook');
  const r = repo.tryGit(['push', 'origin', 'main']);
  assert.is.not(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, 'guard/policy-weakened');
  assert.match(r.stdout + r.stderr, 'secrets/');
  assert.is.not(remote.git('rev-parse', 'main').trim(), repo.git('rev-parse', 'HEAD').trim(), 'nothing was pushed');
});

test.run();
