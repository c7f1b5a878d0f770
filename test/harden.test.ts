// ralph-guard harden: the pass-1 change becomes pass 2's task list, each task with the check command
// that proves it; after the fixes, the list is empty and every one of those commands passes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRepo, type Repo } from './helpers/repo.js';

// Pass 1: an Express login route as an assistant writes it when asked for "a login endpoint".
const PASS_1 = `const express = require('express');
const crypto = require('crypto');
const jwt = require('jsonwebtoken');
const { Pool } = require('pg');
const db = new Pool();

const app = express();
app.use(express.json());

app.post('/login', async (req, res) => {
  try {
    const { email, password } = req.body;
    const hash = crypto.createHash('md5').update(password).digest('hex');
    const rows = await db.query(\`SELECT id FROM users WHERE email = '\${email}' AND password = '\${hash}'\`);
    if (!rows.length) return res.status(401).send('no');
    const token = jwt.sign({ id: rows[0].id }, process.env.JWT_SECRET);
    res.cookie('session', token);
    res.json({ token });
  } catch (err) {
    res.status(500).send(err.stack);
  }
});

app.listen(3000);
`;

// Pass 2: the same route after a securing session.
const PASS_2 = `const express = require('express');
const helmet = require('helmet');
const rateLimit = require('express-rate-limit');
const bcrypt = require('bcrypt');
const jwt = require('jsonwebtoken');
const { z } = require('zod');
const { Pool } = require('pg');
const db = new Pool();

const app = express();
app.disable('x-powered-by');
app.use(helmet());
app.use(express.json());

const Login = z.object({ email: z.string().email(), password: z.string().min(1) });
const loginLimiter = rateLimit({ windowMs: 15 * 60 * 1000, limit: 10 });

app.post('/login', loginLimiter, async (req, res) => {
  try {
    const { email, password } = Login.parse(req.body);
    const { rows } = await db.query('SELECT id, password_hash FROM users WHERE email = $1', [email]);
    const user = rows[0];
    if (!user || !(await bcrypt.compare(password, user.password_hash))) return res.status(401).send('no');
    const token = jwt.sign({ id: user.id }, process.env.JWT_SECRET, { expiresIn: '15m' });
    res.cookie('session', token, { httpOnly: true, secure: true, sameSite: 'lax' });
    res.json({ ok: true });
  } catch (err) {
    console.error(err);
    res.status(500).json({ error: 'Internal Server Error' });
  }
});

app.listen(3000);
`;

const FAILING = [
  'cookies',
  'csrf',
  'error-exposure',
  'input-validation',
  'jwt',
  'password-hashing',
  'rate-limiting',
  'security-headers',
  'sql-injection',
];

interface Plan {
  files: Array<{ path: string; status: string }>;
  tasks: Array<{
    n: number;
    atom: string;
    level: string;
    criterion: { pass: string };
    findings: Array<{ file: string; line: number; rule: string }>;
    securePattern: { code: string } | null;
    check: string;
  }>;
  passing: Array<{ atom: string }>;
  check: string;
}

function project(): Repo {
  const repo = makeRepo();
  repo.write('package.json', JSON.stringify({ name: 'app', version: '1.0.0' }) + '\n');
  repo.stage();
  repo.commit('base');
  return repo;
}

/** Runs a task's check command as printed (`npx ralph-guard check …`) with the built CLI. */
function runCheck(repo: Repo, command: string) {
  assert.match(command, /^npx ralph-guard check /);
  return repo.cli(command.slice('npx ralph-guard '.length).split(' '));
}

test('pass 1 of an Express login route: every failing atom is a task with its criterion, places, secure pattern and check', () => {
  const repo = project();
  repo.write('src/login.js', PASS_1);
  const md = repo.cli(['harden']);
  assert.is(md.code, 0, md.stderr);
  assert.match(md.stdout, '# Pass 2: secure the change');
  assert.match(md.stdout, '## Files of pass 1 (1)\n\n- `src/login.js` (untracked)');
  assert.match(md.stdout, `## Tasks (${FAILING.length})`);
  for (const atom of FAILING) {
    assert.match(md.stdout, `. \`${atom}\`: `);
    // A warn-level atom's check adds --fail-on warn (the recommended levels may change).
    assert.match(
      md.stdout,
      new RegExp(
        `\\*\\*Check:\\*\\* \`npx ralph-guard check --worktree --atoms ${atom}( --fail-on warn)? src/login\\.js\` exits 0\\.`,
      ),
    );
  }
  assert.match(md.stdout, '`src/login.js:13:');
  assert.match(md.stdout, 'Secure pattern');
  assert.match(md.stdout, `### ${FAILING.length + 1}. The whole change`);

  const json = repo.cli(['harden', '--format', 'json']);
  const plan = JSON.parse(json.stdout) as Plan;
  assert.equal(plan.tasks.map((t) => t.atom).sort(), FAILING);
  assert.equal(
    plan.tasks.map((t) => t.n),
    FAILING.map((_, i) => i + 1),
  );
  for (const t of plan.tasks) {
    assert.ok(t.criterion.pass.length > 20, t.atom);
    assert.ok(t.findings.length > 0 && t.findings.every((f) => f.file === 'src/login.js' && f.line > 0), t.atom);
    assert.ok(t.securePattern?.code, `${t.atom} has a secure pattern`);
    // Binary: the check fails now, because of this atom.
    const r = runCheck(repo, t.check);
    assert.is(r.code, 1, `${t.check} fails before the fix`);
    assert.match(r.stdout, t.atom);
  }
  assert.is(plan.check, 'npx ralph-guard check --worktree');

  // Pass 2 done: no task is left, and every check that proved a task now passes.
  repo.write('src/login.js', PASS_2);
  const after = JSON.parse(repo.cli(['harden', '--format', 'json']).stdout) as Plan;
  assert.equal(after.tasks, []);
  assert.is(after.check, '');
  for (const atom of FAILING)
    assert.ok(
      after.passing.some((p) => p.atom === atom),
      `${atom} passes`,
    );
  for (const t of plan.tasks) assert.is(runCheck(repo, t.check).code, 0, `${t.check} passes after the fix`);
  const md2 = repo.cli(['harden']);
  assert.match(md2.stdout, '## Tasks (0)\n\nNone: every atom this change touches passes. Nothing to harden.');
});

test('--staged, --since REF, a warn-level atom checked with --fail-on warn, and usage errors', () => {
  const repo = project();
  repo.write('.ralphrc.json', JSON.stringify({ atoms: { 'rate-limiting': { level: 'warn' } } }));
  repo.stage();
  repo.commit('policy');
  const base = repo.git('rev-parse', 'HEAD').trim();
  repo.write('src/login.js', PASS_1);
  repo.stage();
  const staged = JSON.parse(repo.cli(['harden', '--staged', '--format', 'json']).stdout) as Plan;
  assert.equal(staged.files, [{ path: 'src/login.js', status: 'added' }]);
  const warn = staged.tasks.find((t) => t.atom === 'rate-limiting')!;
  assert.is(warn.level, 'warn');
  assert.is(warn.check, 'npx ralph-guard check --staged --atoms rate-limiting --fail-on warn src/login.js');
  assert.is(staged.tasks.at(-1)!.atom, 'rate-limiting', 'warnings come after blocking atoms');
  assert.is(runCheck(repo, warn.check).code, 1);
  assert.is(repo.cli(['check', '--staged', '--atoms', 'rate-limiting']).code, 0, 'without --fail-on a warning passes');

  repo.commit('pass 1');
  const since = JSON.parse(repo.cli(['harden', '--since', base, '--format', 'json']).stdout) as Plan;
  assert.equal(since.files, [{ path: 'src/login.js', status: 'added' }]);
  assert.ok(since.tasks.some((t) => t.check === 'npx ralph-guard check --all --atoms sql-injection src/login.js'));
  assert.is(since.check, 'npx ralph-guard check --all src/login.js');
  repo.write('src/login.js', PASS_2);
  repo.stage(); // the same on disk and in the index, whichever --all reads
  const fixed = JSON.parse(repo.cli(['harden', '--since', base, '--format', 'json']).stdout) as Plan;
  assert.equal(fixed.tasks, []);

  assert.is(repo.cli(['harden', '--staged', '--since', base]).code, 2);
  assert.is(repo.cli(['harden', '--since', 'no-such-ref']).code, 2);
  assert.is(repo.cli(['harden', '--format', 'xml']).code, 2);
});

test('high-risk areas: one task per area waiting for a person (criterion, places, the acknowledgement); warn-level areas listed; --help', () => {
  const repo = project();
  repo.write('.ralphrc.json', JSON.stringify({ highRisk: { auth: { level: 'review' } } }));
  repo.stage();
  repo.commit('policy');
  repo.write('src/login.js', PASS_2);
  const json = JSON.parse(repo.cli(['harden', '--format', 'json']).stdout) as {
    tasks: Array<{ n: number; kind: string; area?: string; places?: Array<{ file: string }>; acknowledge?: object }>;
    listed: Array<{ area: string }>;
    check: string;
  };
  assert.equal(
    json.tasks.map((t) => [t.n, t.kind, t.area]),
    [[1, 'review', 'auth']],
    'the secured route still waits for a person: auth',
  );
  assert.equal(
    json.tasks[0]!.places!.map((p) => p.file),
    ['src/login.js'],
  );
  assert.equal(json.tasks[0]!.acknowledge, {
    command: 'npx ralph-guard approve --worktree',
    trailer: 'Security-Reviewed-by: Name <email>',
  });
  assert.is(json.check, 'npx ralph-guard check --worktree');
  assert.is(runCheck(repo, json.check).code, 1, 'the whole change fails while the review waits');
  const md = repo.cli(['harden']).stdout;
  assert.match(md, '### 1. A human reviews `auth`: Authentication, sessions, tokens and authorization rules');
  assert.match(md, "This task is your human's, not yours");
  assert.match(md, '`npx ralph-guard approve --worktree`');
  assert.match(md, 'and the high-risk areas above acknowledged by your human');

  // The recommended levels: auth at warn is listed for the person, not a task.
  const plain = project();
  plain.write('src/login.js', PASS_2);
  const listed = JSON.parse(plain.cli(['harden', '--format', 'json']).stdout) as typeof json;
  assert.equal(listed.tasks, []);
  assert.ok(listed.listed.some((r) => r.area === 'auth'));
  assert.match(plain.cli(['harden']).stdout, '## High-risk areas for your human to look at (');

  for (const command of ['harden', 'approve']) {
    const help = repo.cli([command, '--help']);
    assert.is(help.code, 0, help.stderr);
    assert.match(help.stdout, `Usage: ralph-guard ${command} `);
    assert.match(help.stdout, '--worktree');
  }
  const typo = repo.cli(['harden', '--stagd']);
  assert.is(typo.code, 2);
  assert.match(typo.stderr, 'did you mean "--staged"?');
});

test.run();
