// Levels of single rules (`atoms.<id>.rules`), through real commits and the hooks init installs: a rule at
// review waits for a person like an atom at review, a rule at off drops its findings while the atom's other rules
// still block, a rule at block blocks in an atom at warn, an unknown rule name is a policy error, and lowering a
// rule's level is a weakening.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { analysisError } from '../src/engine/analysis-error.js';
import { activate, headerOf } from '../src/router.js';
import { approveEditAndCommit, TRAILER } from './helpers/review.js';
import { installShimOnPath, makeRepo, type Repo } from './helpers/repo.js';
import { sqlLine } from './helpers/samples.js';

installShimOnPath();

const DB = `const { Pool } = require('pg');\nconst db = new Pool();\n${sqlLine}`;
// Two xss rules in one file: a list built with innerHTML (unescaped-html), request data sent as HTML (request-html).
const PAGES =
  'for (const item of items) {\n  list.innerHTML += `<li>${item.name}</li>`;\n}\n' +
  "app.get('/hello', (req, res) => {\n  res.send(`<h1>Hello ${req.query.name}</h1>`);\n});\n";
// Raw HTML without a sanitiser (unsanitized-html).
const COMMENT =
  'export function Comment({ comment }) {\n  return <div dangerouslySetInnerHTML={{ __html: comment.body }} />;\n}\n';

/** A repository with a policy and `init --hooks git`; the setup commit made past the hook (a policy below the recommended one is a weakening). */
function guarded(policy: object): Repo {
  const repo = makeRepo();
  repo.git('config', 'user.name', 'Ann Reviewer');
  repo.git('config', 'user.email', 'ann@example.com');
  repo.write('.ralphrc.json', JSON.stringify(policy, null, 2) + '\n');
  const init = repo.cli(['init', '--hooks', 'git']);
  assert.is(init.code, 0, init.stderr);
  repo.stage();
  repo.git('commit', '-q', '--no-verify', '-m', 'set ralph-guard up');
  return repo;
}

type JsonFinding = { rule: string; severity: string; file: string };

function findings(repo: Repo): JsonFinding[] {
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  return (JSON.parse(r.stdout).findings as JsonFinding[]).filter((f) => f.rule.startsWith('xss/'));
}

test('a rule at review: its finding refuses the commit until a trailer or approve acknowledges it, then it passes', () => {
  const repo = guarded({ atoms: { 'sql-injection': { rules: { 'interpolated-query': 'review' } } } });
  const explain = repo.cli(['explain', 'sql-injection', '--no-color']);
  assert.match(explain.stdout, 'sql-injection/interpolated-query (level: review)');

  repo.write('src/db.js', DB);
  repo.stage();
  const refused = repo.tryGit(['commit', '-m', 'query']);
  assert.is(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, 'sql-injection/interpolated-query', 'listed by pre-commit as a warning');
  assert.match(refused.stderr, 'touches high-risk areas that a person must review:\n  sql-injection: src/db.js:3');

  const ok = repo.tryGit(['commit', '-m', 'query', '-m', TRAILER]);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stderr, 'sql-injection acknowledged by Ann Reviewer <ann@example.com>');

  // New content asks again; approve at a terminal records it (tied to the blob), then the commit goes.
  approveEditAndCommit(
    repo,
    'src/db.js',
    `${DB}export const drop = (id) => db.query(\`DELETE FROM users WHERE id = \${id}\`);\n`,
    'sql-injection',
    'rule interpolated-query at level review',
  );
});

test("a rule at off drops its findings while the atom's other rules still block; a rule at block blocks in an atom at warn", () => {
  const off = guarded({ atoms: { xss: { rules: { 'unescaped-html': 'off' } } } });
  off.write('src/pages.js', PAGES);
  off.stage();
  assert.equal(
    findings(off).map((f) => `${f.rule} ${f.severity}`),
    ['xss/request-html error'],
  );
  const refused = off.tryGit(['commit', '-m', 'pages']);
  assert.is(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, 'xss/request-html');
  assert.not.match(refused.stderr, 'xss/unescaped-html');

  // Without the entry the same file has both findings (the rule really was there to drop).
  const plain = guarded({ atoms: { xss: { level: 'block' } } });
  plain.write('src/pages.js', PAGES);
  plain.stage();
  assert.equal(
    findings(plain)
      .map((f) => f.rule)
      .sort(),
    ['xss/request-html', 'xss/unescaped-html'],
  );

  const strict = guarded({ atoms: { xss: { level: 'warn', rules: { 'unsanitized-html': 'block' } } } });
  strict.write('src/pages.js', PAGES);
  strict.write('src/Comment.tsx', COMMENT);
  strict.stage();
  assert.equal(
    findings(strict)
      .map((f) => `${f.rule} ${f.severity}`)
      .sort(),
    ['xss/request-html warning', 'xss/unescaped-html warning', 'xss/unsanitized-html error'],
  );
  assert.match(strict.cli(['atoms', '--no-color']).stdout, /xss\s+warn\s+.*\(rules: unsanitized-html block\)/);
  // SARIF's rule descriptors carry the rule's own level.
  const sarif = JSON.parse(strict.cli(['check', '--staged', '--format', 'sarif']).stdout);
  const level = (id: string) =>
    sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === id).defaultConfiguration.level;
  assert.equal([level('xss/unsanitized-html'), level('xss/request-html')], ['error', 'warning']);
  // harden: the atom at warn is a blocking task through its rule at block.
  const plan = JSON.parse(strict.cli(['harden', '--staged', '--format', 'json']).stdout);
  assert.is(plan.tasks.find((t: { atom?: string }) => t.atom === 'xss').level, 'block');
  const blocked = strict.tryGit(['commit', '-m', 'comment']);
  assert.is(blocked.code, 1, blocked.stdout + blocked.stderr);
  assert.match(blocked.stderr, 'xss/unsanitized-html');
  // The atom at warn lets its other rules through.
  strict.git('rm', '-q', '--cached', 'src/Comment.tsx');
  const passed = strict.tryGit(['commit', '-m', 'pages']);
  assert.is(passed.code, 0, passed.stdout + passed.stderr);
});

test('an unknown rule name is a policy error naming the file and the key, with a did-you-mean', () => {
  const repo = makeRepo();
  repo.write('.ralphrc.json', JSON.stringify({ atoms: { xss: { rules: { 'unsanitised-html': 'warn' } } } }));
  const bad = repo.cli(['check', '--worktree', '--config', '.ralphrc.json']);
  assert.is(bad.code, 2, bad.stdout + bad.stderr);
  assert.match(
    bad.stderr,
    '.ralphrc.json: atoms.xss.rules.unsanitised-html: unknown key (did you mean "unsanitized-html"?)',
  );
  repo.write('.ralphrc.json', JSON.stringify({ atoms: { xss: { rules: { 'unsanitized-html': 'never' } } } }));
  const level = repo.cli(['check', '--worktree', '--config', '.ralphrc.json']);
  assert.is(level.code, 2);
  assert.match(level.stderr, 'atoms.xss.rules.unsanitized-html: expected one of "block", "warn", "review", "off"');
});

test("lowering a rule's level, or an entry below its atom's level, is guard/policy-weakened naming the key", () => {
  const repo = guarded({ atoms: { xss: { level: 'block', rules: { 'request-html': 'block' } } } });
  repo.write(
    '.ralphrc.json',
    JSON.stringify({ atoms: { xss: { level: 'block', rules: { 'request-html': 'warn', 'unescaped-html': 'off' } } } }),
  );
  repo.stage();
  const refused = repo.tryGit(['commit', '-m', 'quieter']);
  assert.is(refused.code, 1, refused.stdout + refused.stderr);
  const out = refused.stderr.replace(/\s+/g, ' ');
  assert.match(out, 'guard/policy-weakened');
  assert.match(out, 'atoms.xss.rules.request-html: block → warn');
  assert.match(out, 'atoms.xss.rules.unescaped-html: block → off');

  // Raising a rule is no weakening (it still waits for the guard review of the policy edit, at commit-msg).
  repo.write(
    '.ralphrc.json',
    JSON.stringify({ atoms: { xss: { level: 'warn', rules: { 'request-html': 'block' } } } }),
  );
  repo.stage();
  const json = JSON.parse(repo.cli(['check', '--staged', '--format', 'json']).stdout);
  const weakened = json.findings.find((f: { rule: string }) => f.rule === 'guard/policy-weakened');
  assert.match(weakened.message, 'atoms.xss.level: block → warn');
  assert.not.match(weakened.message, 'request-html');
});

test('an analysis error of an atom at warn blocks when one of its rules is at block (that rule went unjudged too)', () => {
  const xss = BUILTIN_ATOMS.find((a) => a.id === 'xss')!;
  const active = activate(headerOf(xss), async () => xss, 'warn', {}, undefined, []);
  const file = { path: 'src/a.js' };
  assert.is(analysisError(active, file, 'it threw').severity, 'warning');
  active.rules = { 'unsanitized-html': 'block' };
  assert.is(analysisError(active, file, 'it threw').severity, 'error');
});

test.run();
