// Auth and crypto atoms through a real hook: a commit adding a JWT check
// without algorithms, a low bcrypt cost, a certificate check switched off
// in .env, or a stack trace in a response is refused; the fixed version of
// the same change goes through. Plus the flow of insecure-random across a
// helper: renaming only the call site is still caught.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertRefusedThenFixed, type RefusedThenFixed } from './helpers/hooked.js';
import { installShimOnPath, makeRepo } from './helpers/repo.js';

installShimOnPath();

const cases: RefusedThenFixed[] = [
  {
    atom: 'jwt',
    file: 'src/auth.js',
    bad: "const jwt = require('jsonwebtoken');\nmodule.exports = (req, res, next) => {\n  req.user = jwt.verify(req.cookies.token, process.env.JWT_PUBLIC_KEY);\n  next();\n};\n",
    good: "const jwt = require('jsonwebtoken');\nmodule.exports = (req, res, next) => {\n  req.user = jwt.verify(req.cookies.token, process.env.JWT_PUBLIC_KEY, { algorithms: ['RS256'] });\n  next();\n};\n",
    line: 3,
  },
  {
    atom: 'password-hashing',
    file: 'src/users.ts',
    bad: "import bcrypt from 'bcrypt';\nexport const hashPassword = (password: string) => bcrypt.hash(password, 8);\n",
    good: "import bcrypt from 'bcrypt';\nexport const hashPassword = (password: string) => bcrypt.hash(password, 12);\n",
    line: 2,
  },
  {
    atom: 'tls',
    file: '.env.production',
    bad: 'PORT=8080\nNODE_TLS_REJECT_UNAUTHORIZED=0\n',
    good: 'PORT=8080\nNODE_EXTRA_CA_CERTS=/etc/ssl/internal-ca.pem\n',
    line: 2,
  },
  {
    atom: 'error-exposure',
    file: 'src/orders.js',
    bad: "router.get('/orders', async (req, res) => {\n  try {\n    res.json(await orders.list(req.user.id));\n  } catch (err) {\n    res.status(500).json({ error: err.stack });\n  }\n});\n",
    good: "router.get('/orders', async (req, res) => {\n  try {\n    res.json(await orders.list(req.user.id));\n  } catch (err) {\n    logger.error({ err }, 'listing orders failed');\n    res.status(500).json({ error: 'Internal Server Error' });\n  }\n});\n",
    line: 5,
  },
];

for (const c of cases) {
  test(`a real git commit adding ${c.atom} code is refused by the hook; the fix goes through`, () => {
    assertRefusedThenFixed(c);
  });
}

test('a Math.random() helper that was fine becomes a finding when a changed call site names its value a token', () => {
  const repo = makeRepo();
  const helper =
    "function randomString(n) {\n  let s = '';\n  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 36).toString(36);\n  return s;\n}\n";
  repo.write('src/ids.js', `${helper}const label = randomString(6);\n`);
  repo.stage();
  repo.commit('labels');
  repo.write('src/ids.js', `${helper}const sessionToken = randomString(24);\n`);
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  const f = JSON.parse(r.stdout).findings;
  assert.equal(
    f.map((x: { rule: string; line: number }) => `${x.rule}:${x.line}`),
    ['insecure-random/math-random:3'],
  );
});

test('a hard-coded JWT secret is masked in every report', () => {
  const repo = makeRepo();
  const secret = ['k9', 'Qz7', 'Lw2', 'Xv8', 'Rt4', 'Mp1', 'Hs6'].join('');
  repo.write(
    'src/token.js',
    `const jwt = require('jsonwebtoken');\nexports.issue = (id) => jwt.sign({ sub: id }, '${secret}', { expiresIn: '15m' });\n`,
  );
  repo.stage();
  for (const format of ['pretty', 'json']) {
    const r = repo.cli(['check', '--staged', '--atoms', 'jwt', '--format', format]);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, 'hardcoded-secret');
    assert.not.match(r.stdout, secret, `${format} shows the secret`);
  }
});

test.run();
