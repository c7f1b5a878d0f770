// The review level for atoms, and the guard area at review (its recommended level), through real commits
// and the hooks init installs: refused until a person acknowledges (trailer or `ralph-guard approve`), then
// accepted; the acknowledgement is tied to the content; the commit that sets the guard up is not a review case;
// a policy weakening a person acknowledged no longer blocks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { approveAtTerminal, approveEditAndCommit, TRAILER } from './helpers/review.js';
import { installShimOnPath, makeRepo, type Repo } from './helpers/repo.js';
import { sqlLine } from './helpers/samples.js';

installShimOnPath();

const DB = `const { Pool } = require('pg');\nconst db = new Pool();\n${sqlLine}`;

/**
 * A repository set up as a user does: a policy, `init --hooks git`, and the first commit made through the hooks
 * (`pastTheHook`: by a maintainer with --no-verify, for a first policy below the recommended one, a weakening).
 */
function guarded(policy: object, pastTheHook = false): { repo: Repo; setup: string } {
  const repo = makeRepo();
  repo.git('config', 'user.name', 'Ann Reviewer');
  repo.git('config', 'user.email', 'ann@example.com');
  repo.write('.ralphrc.json', JSON.stringify(policy, null, 2) + '\n');
  const init = repo.cli(['init', '--hooks', 'git']);
  assert.is(init.code, 0, init.stderr);
  repo.write('README.md', '# app\n');
  repo.stage();
  const setup = repo.tryGit(['commit', '-m', 'set ralph-guard up', ...(pastTheHook ? ['--no-verify'] : [])]);
  return { repo, setup: setup.stdout + setup.stderr + `\nexit ${setup.code}` };
}

test('an atom at level review: its finding refuses the commit until a trailer or approve acknowledges it; an edit asks again', () => {
  // block → review lowers the recommended level: a weakening, committed past the hook by the maintainer.
  const { repo, setup } = guarded({ atoms: { 'sql-injection': { level: 'review' } } }, true);
  assert.match(setup, 'exit 0');
  const atoms = repo.cli(['atoms']);
  assert.match(atoms.stdout, /sql-injection\s+review\s/);

  repo.write('src/db.js', DB);
  repo.stage();
  const refused = repo.tryGit(['commit', '-m', 'query']);
  assert.is(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(
    refused.stderr,
    'sql-injection/interpolated-query',
    'listed as a finding by pre-commit (git shows hook output on stderr)',
  );
  assert.match(refused.stderr, 'touches high-risk areas that a person must review:\n  sql-injection: src/db.js:3');

  const ok = repo.tryGit(['commit', '-m', 'query', '-m', TRAILER]);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(
    ok.stderr,
    'sql-injection acknowledged by Ann Reviewer <ann@example.com> (Security-Reviewed-by trailer)',
  );

  // The same finding in new content: asked again; approve records that content, then the commit goes.
  approveEditAndCommit(
    repo,
    'src/db.js',
    `${DB}export const other = (id) => db.query(\`DELETE FROM users WHERE id = \${id}\`);\n`,
    'sql-injection',
    'sql-injection: SQL is parameterised (atom at level review)',
  );

  // CI: --range lists the atom's review per commit, acknowledged.
  const json = JSON.parse(repo.cli(['check', '--range', 'HEAD~2..HEAD', '--format', 'json']).stdout);
  assert.equal(
    json.reviews.map((r: { area: string; source: string; acknowledged: boolean }) => [
      r.area,
      r.source,
      r.acknowledged,
    ]),
    [
      ['sql-injection', 'atom', true],
      ['sql-injection', 'atom', true],
    ],
  );
  // A finding at review never blocks on its own: it is a warning until then.
  assert.ok(json.findings.every((f: { severity: string }) => f.severity === 'warning'));
});

test('the policy knows the level: review is valid for atoms and custom atoms, a misspelling is named; lowering to it is a weakening', () => {
  const repo = makeRepo();
  repo.write('.ralphrc.json', JSON.stringify({ atoms: { xss: { level: 'reviewed' } } }));
  const bad = repo.cli(['check', '--worktree', '--config', '.ralphrc.json']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'atoms.xss.level');
  assert.match(bad.stderr, '"review"');
  repo.write(
    '.ralphrc.json',
    JSON.stringify({
      atoms: {
        'no-todo': {
          title: 'No TODO',
          criteria: { pass: 'no TODO', fail: 'a TODO' },
          level: 'review',
          checks: [{ type: 'pattern', regex: 'TODO', message: 'a TODO' }],
        },
      },
    }),
  );
  repo.write('a.js', '// TODO later\n');
  const custom = repo.cli(['check', '--worktree', '--config', '.ralphrc.json', '--format', 'json']);
  assert.is(custom.code, 1, custom.stderr);
  const reviews = JSON.parse(custom.stdout).reviews as Array<{ area: string; acknowledged: boolean }>;
  assert.ok(reviews.some((r) => r.area === 'no-todo' && !r.acknowledged));
});

test('the setup exception lifts no weakening: a first policy below the recommended one is refused at setup', () => {
  const { setup } = guarded({ atoms: { 'sql-injection': { level: 'off' } } });
  assert.match(setup, 'exit 1');
  assert.match(setup, 'guard/policy-weakened');
});

test('guard at review (recommended): the setup commit goes through; a later policy edit waits for a person; a weakening blocks until approved', () => {
  const { repo, setup } = guarded({ atoms: { 'sql-injection': { level: 'block' } } });
  assert.match(setup, 'exit 0', 'the commit that sets the guard up is not a review case');
  assert.match(
    setup,
    'high-risk areas guard acknowledged by no one: this change sets the guard up (no policy at its base)',
  );

  // A stricter policy is still a guard change: the commit-msg hook waits for a person.
  repo.write(
    '.ralphrc.json',
    JSON.stringify({ atoms: { 'sql-injection': { level: 'block' }, xss: { level: 'block' } } }),
  );
  repo.stage();
  const stricter = repo.tryGit(['commit', '-m', 'xss blocks']);
  assert.is(stricter.code, 1, stricter.stdout + stricter.stderr);
  assert.match(stricter.stderr, 'guard: .ralphrc.json:1');
  assert.is(repo.tryGit(['commit', '-m', 'xss blocks', '-m', TRAILER]).code, 0);

  // A suppression added is a guard change too.
  repo.write('src/db.js', `${DB.trimEnd()} // ralph-guard-ignore sql-injection -- ids are numbers\n`);
  repo.stage();
  const suppressed = repo.tryGit(['commit', '-m', 'suppress']);
  assert.is(suppressed.code, 1);
  assert.match(suppressed.stderr, 'guard: src/db.js:3');
  repo.git('reset', '-q', '--hard', 'HEAD');

  // A weakening: pre-commit refuses it (guard/policy-weakened); approve acknowledges that content, then it goes.
  repo.write('.ralphrc.json', JSON.stringify({ atoms: { 'sql-injection': { level: 'warn' } } }));
  repo.stage();
  const weak = repo.tryGit(['commit', '-m', 'lower sql-injection', '-m', TRAILER]);
  assert.is(weak.code, 1, 'the pre-commit hook cannot see the trailer');
  assert.match(weak.stderr, 'guard/policy-weakened');
  assert.match(weak.stderr, 'ralph-guard approve');
  const approved = approveAtTerminal(repo, 'yes');
  assert.is(approved.code, 0, approved.out);
  assert.match(approved.out, 'Approve guard as Ann Reviewer');
  repo.stage('.ralph-reviews.json');
  const ok = repo.tryGit(['commit', '-m', 'lower sql-injection']);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stderr, 'guard/policy-weakened');
  assert.match(
    ok.stderr,
    /Acknowledged\s+(?:│\s+)?by\s+(?:│\s+)?Ann\s+(?:│\s+)?Reviewer/,
    'listed as a warning naming who (wrapped)',
  );
});

test('CI --range: a weakening commit with the trailer passes, the same without it fails; lowering an area is a weakening', () => {
  const { repo, setup } = guarded({ highRisk: { payments: { level: 'review' } } });
  assert.match(setup, 'exit 0', 'a stricter first policy commits through the hooks');
  const base = repo.git('rev-parse', 'HEAD').trim();
  repo.write('.ralphrc.json', JSON.stringify({ highRisk: { payments: { level: 'warn' } } }));
  repo.stage();
  repo.commit('lower payments');
  const refused = repo.cli(['check', '--range', `${base}..HEAD`]);
  assert.is(refused.code, 1, refused.stdout);
  assert.match(refused.stdout, 'highRisk.payments.level: review → warn');
  assert.match(refused.stdout, 'guard');
  repo.git('commit', '-q', '--amend', '--no-verify', '-m', `lower payments\n\n${TRAILER}`);
  const ok = repo.cli(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  assert.is(ok.code, 0, ok.stdout);
  const report = JSON.parse(ok.stdout);
  const weakened = report.findings.find((f: { rule: string }) => f.rule === 'guard/policy-weakened');
  assert.is(weakened.severity, 'warning');
  assert.match(weakened.message, 'Acknowledged by Ann Reviewer <ann@example.com> (Security-Reviewed-by trailer)');
});

test('a grown baseline at the path the policy names is a guard review too: with the trailer CI lists it as acknowledged', () => {
  const { repo, setup } = guarded({ baseline: 'config/accepted.json' }, true); // a moved baseline is a weakening
  assert.match(setup, 'exit 0');
  repo.write('src/db.js', DB);
  repo.stage();
  repo.commit('a finding, past the hook');
  const base = repo.git('rev-parse', 'HEAD').trim();
  assert.is(repo.cli(['baseline']).code, 0);
  repo.stage('config/accepted.json');
  repo.commit('accept it');
  const refused = repo.cli(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  assert.is(refused.code, 1, refused.stdout);
  const grown = (r: { stdout: string }) =>
    JSON.parse(r.stdout).findings.find((f: { rule: string }) => f.rule === 'guard/baseline-grown');
  assert.is(grown(refused).severity, 'error');
  repo.git('commit', '-q', '--amend', '--no-verify', '-m', `accept it\n\n${TRAILER}`);
  const ok = repo.cli(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  assert.is(ok.code, 0, ok.stdout);
  assert.is(grown(ok).file, 'config/accepted.json');
  assert.is(grown(ok).severity, 'warning');
});

test('a policy in package.json: an edit of its "ralph" key is a guard review, the rest of package.json is not', () => {
  const repo = makeRepo();
  const pkg = (ralph: object, version = '1.0.0') =>
    `${JSON.stringify({ name: 'app', version, dependencies: { pg: '^8.11.0' }, ralph }, null, 2)}\n`;
  repo.write('package.json', pkg({ atoms: { 'sql-injection': { level: 'block' } } }));
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  repo.stage();
  const setup = repo.tryGit(['commit', '-m', 'set ralph-guard up']);
  assert.is(setup.code, 0, setup.stdout + setup.stderr);

  repo.write('package.json', pkg({ atoms: { 'sql-injection': { level: 'block' } } }, '1.0.1'));
  repo.stage();
  // The old package.json is read from the blob the check's listing names: no git process asks for HEAD or the file.
  const trace = join(repo.dir, '.git', 'trace.txt');
  const checked = repo.cli(['check', '--staged'], { env: { GIT_TRACE: trace } });
  assert.is(checked.code, 0, checked.stdout + checked.stderr);
  assert.not.match(readFileSync(trace, 'utf8'), / show |rev-parse/);
  const bump = repo.tryGit(['commit', '-m', 'version bump']);
  assert.is(bump.code, 0, `not a guard change: ${bump.stdout}${bump.stderr}`);

  repo.write('package.json', pkg({ atoms: { 'sql-injection': { level: 'block' }, xss: { level: 'block' } } }, '1.0.1'));
  repo.stage();
  const edited = repo.tryGit(['commit', '-m', 'xss blocks']);
  assert.is(edited.code, 1, edited.stdout + edited.stderr);
  assert.match(edited.stderr, /guard: package\.json:\d+/);
  assert.is(repo.tryGit(['commit', '-m', 'xss blocks', '-m', TRAILER]).code, 0);
});

test.run();
