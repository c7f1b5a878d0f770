// Code atoms through a real hook: a commit adding a query, a shell command,
// a file read or a redirect built from request data is refused; the fixed
// version of the same change goes through.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertRefusedThenFixed, type RefusedThenFixed } from './helpers/hooked.js';
import { installShimOnPath, makeRepo } from './helpers/repo.js';

installShimOnPath();

const cases: Array<RefusedThenFixed & { kind: string }> = [
  {
    kind: 'query',
    atom: 'sql-injection',
    file: 'src/users.js',
    bad: "app.get('/users', validate(usersQuery), async (req, res) => {\n  const { rows } = await pool.query(`SELECT * FROM users WHERE name = '${req.query.name}'`);\n  res.json(rows);\n});\n",
    good: "app.get('/users', validate(usersQuery), async (req, res) => {\n  const { rows } = await pool.query('SELECT * FROM users WHERE name = $1', [req.query.name]);\n  res.json(rows);\n});\n",
    line: 2,
  },
  {
    kind: 'exec',
    atom: 'command-injection',
    file: 'src/ping.ts',
    bad: "import { exec } from 'node:child_process';\nrouter.get('/ping', validate(pingQuery), (req, res) => {\n  exec('ping -c 1 ' + req.query.host, (e, out) => res.send(out));\n});\n",
    good: "import { execFile } from 'node:child_process';\nrouter.get('/ping', validate(pingQuery), (req, res) => {\n  execFile('ping', ['-c', '1', req.query.host], (e, out) => res.send(out));\n});\n",
    line: 3,
  },
  {
    kind: 'fs',
    atom: 'path-traversal',
    file: 'src/files.js',
    bad: "const fs = require('fs');\nconst path = require('path');\napp.get('/files/:name', (req, res) => {\n  fs.createReadStream(path.join(__dirname, 'files', req.params.name)).pipe(res);\n});\n",
    good: "const fs = require('fs');\nconst path = require('path');\napp.get('/files/:name', (req, res) => {\n  fs.createReadStream(path.join(__dirname, 'files', path.basename(req.params.name))).pipe(res);\n});\n",
    line: 4,
  },
  {
    kind: 'redirect',
    atom: 'open-redirect',
    file: 'src/login.js',
    bad: "app.post('/login', loginLimiter, validate(loginQuery), (req, res) => {\n  const next = req.query.next;\n  res.redirect(next);\n});\n",
    good: "app.post('/login', loginLimiter, validate(loginQuery), (req, res) => {\n  const next = req.query.next;\n  res.redirect(typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/');\n});\n",
    line: 3,
  },
];

for (const c of cases) {
  test(`${c.kind}: a real git commit adding ${c.atom} code is refused by the hook; the fix goes through`, () => {
    assertRefusedThenFixed(c);
  });
}

test('a finding whose source line is the only line changed is still reported', () => {
  const repo = makeRepo();
  repo.write(
    'src/files.js',
    "const fs = require('fs');\napp.get('/f', (req, res) => {\n  const name = path.basename(req.query.f);\n  fs.readFile(path.join(DIR, name), (e, d) => res.send(d));\n});\n",
  );
  repo.stage();
  repo.commit('safe');
  repo.write(
    'src/files.js',
    "const fs = require('fs');\napp.get('/f', (req, res) => {\n  const name = req.query.f;\n  fs.readFile(path.join(DIR, name), (e, d) => res.send(d));\n});\n",
  );
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json', '--atoms', 'path-traversal']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  const f = JSON.parse(r.stdout).findings;
  assert.equal(
    f.map((x: { rule: string; line: number }) => `${x.rule}:${x.line}`),
    ['path-traversal/request-path:4'],
  );
});

test('explain shows a code atom’s criteria and examples', () => {
  const repo = makeRepo();
  const r = repo.cli(['explain', 'ssrf']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'pass:');
  assert.match(r.stdout, 'fetch(req.query.url)');
});

test.run();
