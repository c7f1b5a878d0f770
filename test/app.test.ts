// App-level atoms judge the app, not one module: the other modules of the
// repository are read through git (the index when staged, each pushed
// commit's tree when pushed), and one finding lands on the line that
// creates the app.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installShimOnPath, makeRepo, pushBase, repoWithRemote, type Repo } from './helpers/repo.js';

installShimOnPath();

const APP =
  "import express from 'express';\nimport { usersRouter } from './routes/users.js';\nimport { secure } from './security.js';\n\nexport const app = express();\nsecure(app);\napp.use(express.json());\napp.use('/users', usersRouter);\n";
const APP_WITH_HELMET =
  "import express from 'express';\nimport helmet from 'helmet';\nimport { usersRouter } from './routes/users.js';\n\nexport const app = express();\napp.use(helmet());\napp.use('/users', usersRouter);\n";
const SECURITY_WITH_HELMET = "import helmet from 'helmet';\nexport function secure(app) {\n  app.use(helmet());\n}\n";
const SECURITY_WITHOUT = 'export function secure(app) {\n  app.use((req, res, next) => next());\n}\n';
const ROUTES =
  "import { Router } from 'express';\nexport const usersRouter = Router();\nusersRouter.get('/', async (req, res) => res.json(await listUsers()));\n";
const ROUTES_MORE =
  ROUTES + "usersRouter.get('/:id', async (req, res) => res.json(await getUser(Number(req.params.id))));\n";

function findings(repo: Repo, args: string[], input?: string) {
  const r = repo.cli(
    [
      'check',
      ...args,
      '--format',
      'json',
      '--atoms',
      'security-headers,rate-limiting,csrf,input-validation,file-upload',
    ],
    input === undefined ? {} : { input },
  );
  assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
  return {
    code: r.code,
    list: (JSON.parse(r.stdout).findings as Array<{ rule: string; file: string; line: number }>).map(
      (f) => `${f.rule} ${f.file}:${f.line}`,
    ),
  };
}

test('staged: helmet registered in app.ts, only routes/users.ts staged: passes', () => {
  const repo = makeRepo();
  repo.write('src/app.js', APP_WITH_HELMET);
  repo.write('src/routes/users.js', ROUTES);
  repo.stage();
  repo.commit('base');
  repo.write('src/routes/users.js', ROUTES_MORE);
  repo.stage('src/routes/users.js');
  assert.equal(findings(repo, ['--staged']).list, []);
});

test('staged: an app whose helmet is registered in another module passes; without helmet anywhere it is refused', () => {
  const good = makeRepo();
  good.write('src/security.js', SECURITY_WITH_HELMET);
  good.write('src/routes/users.js', ROUTES);
  good.stage();
  good.commit('base');
  good.write('src/app.js', APP);
  good.stage('src/app.js');
  assert.equal(findings(good, ['--staged']).list, []);

  const bad = makeRepo();
  bad.write('src/security.js', SECURITY_WITHOUT);
  bad.write('src/routes/users.js', ROUTES);
  bad.stage();
  bad.commit('base');
  bad.write('src/app.js', APP);
  bad.stage('src/app.js');
  const r = findings(bad, ['--staged']);
  assert.is(r.code, 1);
  assert.equal(r.list, ['security-headers/no-security-headers src/app.js:5']);
});

test('a sub-app mounted into the package’s main app is judged through the main app', () => {
  const sub =
    "import express from 'express';\nconst app = express();\napp.use(express.json());\napp.get('/files', listFiles);\nexport { app as handlers };\n";
  const main =
    "import express from 'express';\nimport * as syncApp from './app-sync.js';\nconst app = express();\napp.use('/sync', syncApp.handlers);\napp.listen(5006);\n";
  // Only the sub-app is staged: its responses pass through the main app, which is not part of the change.
  assert.equal(findings(stagedOver({ 'src/app.js': main }, { 'src/app-sync.js': sub }), ['--staged']).list, []);
  // Both staged: one finding, on the main app.
  const repo = makeRepo();
  repo.write('src/app.js', main);
  repo.write('src/app-sync.js', sub);
  repo.stage();
  assert.equal(findings(repo, ['--staged']).list, ['security-headers/no-security-headers src/app.js:3']);
});

test('staged mode reads the index: helmet only on disk does not count; --worktree sees it', () => {
  const repo = makeRepo();
  repo.write('src/security.js', SECURITY_WITHOUT);
  repo.stage();
  repo.commit('base');
  repo.write('src/app.js', APP);
  repo.stage('src/app.js');
  repo.write('src/security.js', SECURITY_WITH_HELMET); // not staged
  const before = repo.snapshot();
  assert.equal(findings(repo, ['--staged']).list, ['security-headers/no-security-headers src/app.js:5']);
  assert.equal(findings(repo, ['--worktree']).list, []);
  assert.is(repo.snapshot(), before, 'index, worktree and refs unchanged');
});

test('an edit to a module that creates an app but not to its set-up is not judged', () => {
  const repo = makeRepo();
  repo.write(
    'src/app.js',
    "const express = require('express');\nconst app = express();\napp.listen(3000);\n\nfunction port() {\n  return 3000;\n}\n",
  );
  repo.stage();
  repo.commit('base');
  repo.write(
    'src/app.js',
    "const express = require('express');\nconst app = express();\napp.listen(3000);\n\nfunction port() {\n  return Number(process.env.PORT) || 3000;\n}\n",
  );
  repo.stage();
  assert.equal(findings(repo, ['--staged']).list, []);
  // Touching the set-up is editing the app: now it is judged.
  repo.write(
    'src/app.js',
    "const express = require('express');\nconst app = express();\napp.use(express.json());\napp.listen(3000);\n",
  );
  repo.stage();
  assert.equal(findings(repo, ['--staged']).list, ['security-headers/no-security-headers src/app.js:2']);
});

function pushInput(repo: Repo, remoteSha: string) {
  return `refs/heads/main ${repo.git('rev-parse', 'HEAD').trim()} refs/heads/main ${remoteSha}\n`;
}

test('push: each pushed commit is judged against its own tree', () => {
  const { repo } = repoWithRemote();
  const base = pushBase(repo);
  // helmet arrives in one commit, the app in the next: the app's commit has helmet in its tree.
  repo.write('src/security.js', SECURITY_WITH_HELMET);
  repo.write('src/routes/users.js', ROUTES);
  repo.stage();
  repo.commit('security');
  repo.write('src/app.js', APP);
  repo.stage();
  repo.commit('app');
  assert.equal(findings(repo, ['--push'], pushInput(repo, base)).list, []);
});

test('push: an app committed before any helmet exists is refused, naming that commit', () => {
  const { repo } = repoWithRemote();
  const base = pushBase(repo);
  repo.write('src/security.js', SECURITY_WITHOUT);
  repo.write('src/app.js', APP);
  repo.stage();
  const appCommit = repo.commit('app');
  repo.write('src/routes/users.js', ROUTES);
  repo.stage();
  repo.commit('routes');
  const r = repo.cli(
    [
      'check',
      '--push',
      '--format',
      'json',
      '--atoms',
      'security-headers,rate-limiting,csrf,input-validation,file-upload',
    ],
    { input: pushInput(repo, base) },
  );
  assert.is(r.code, 1, r.stdout + r.stderr);
  const f = JSON.parse(r.stdout).findings;
  assert.equal(
    f.map(
      (x: { rule: string; file: string; line: number; commit: string }) => `${x.rule} ${x.file}:${x.line} ${x.commit}`,
    ),
    [`security-headers/no-security-headers src/app.js:5 ${appCommit}`],
  );
});

test('a real git commit creating an app without helmet is refused by the hook; registering helmet in another module lets it through', () => {
  const repo = makeRepo();
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  repo.write('src/security.js', SECURITY_WITHOUT);
  repo.write('src/routes/users.js', ROUTES);
  repo.stage();
  repo.commit('base');
  const before = repo.git('rev-parse', 'HEAD');
  repo.write('src/app.js', APP);
  repo.stage('src/app.js');
  const r = repo.tryGit(['commit', '-m', 'app']);
  assert.is.not(r.code, 0, 'commit refused');
  assert.match(r.stdout + r.stderr, 'security-headers');
  assert.match(r.stdout + r.stderr, 'src/app.js:5:');
  assert.is(repo.git('rev-parse', 'HEAD'), before, 'no commit was made');

  repo.write('src/security.js', SECURITY_WITH_HELMET);
  repo.stage('src/security.js');
  const ok = repo.tryGit(['commit', '-m', 'app with helmet']);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
});

/** A repository whose first commit holds `base`; then `change` is written and staged. */
function stagedOver(base: Record<string, string>, change: Record<string, string>) {
  const repo = makeRepo();
  for (const [p, t] of Object.entries(base)) repo.write(p, t);
  repo.stage();
  repo.commit('base');
  for (const [p, t] of Object.entries(change)) repo.write(p, t);
  repo.stage(...Object.keys(change));
  return repo;
}

const LOGIN_ROUTES =
  "const router = require('express').Router();\nrouter.post('/login', login);\nrouter.post('/register', register);\nmodule.exports = router;\n";

test('rate-limiting: a limiter registered in app.js covers a login route added in routes/auth.js; without one anywhere it is refused', () => {
  const app =
    "const express = require('express');\nconst rateLimit = require('express-rate-limit');\nconst app = express();\napp.use('/auth', rateLimit({ windowMs: 60000, limit: 10 }), require('./routes/auth'));\n";
  assert.equal(
    findings(stagedOver({ 'src/app.js': app }, { 'src/routes/auth.js': LOGIN_ROUTES }), ['--staged']).list,
    [],
  );
  const bare =
    "const express = require('express');\nconst app = express();\napp.use('/auth', require('./routes/auth'));\n";
  assert.equal(
    findings(stagedOver({ 'src/app.js': bare }, { 'src/routes/auth.js': LOGIN_ROUTES }), ['--staged']).list,
    // One module, one cause: both routes in one finding, on the first.
    ['rate-limiting/no-rate-limit src/routes/auth.js:2'],
  );
});

test('rate-limiting: a limiter in another package of a monorepo does not count', () => {
  const repo = stagedOver(
    {
      'package.json': '{}',
      'packages/admin/package.json': '{}',
      'packages/admin/app.js': "const rateLimit = require('express-rate-limit');\napp.use(rateLimit());\n",
      'packages/api/package.json': '{}',
    },
    { 'packages/api/routes/auth.js': LOGIN_ROUTES },
  );
  assert.equal(findings(repo, ['--staged']).list, ['rate-limiting/no-rate-limit packages/api/routes/auth.js:2']);
});

test('input-validation: a controller is judged by the route that wires it, in another module', () => {
  const controller =
    'exports.create = async (req, res) => {\n  res.status(201).json(await User.create(req.body));\n};\n';
  const validated =
    "const { celebrate, Joi } = require('celebrate');\nconst users = require('../controllers/users');\nconst router = require('express').Router();\nrouter.post('/', celebrate({ body: Joi.object({ name: Joi.string().required() }) }), users.create);\nmodule.exports = router;\n";
  const bare =
    "const users = require('../controllers/users');\nconst router = require('express').Router();\nrouter.post('/', users.create);\nmodule.exports = router;\n";
  assert.equal(
    findings(stagedOver({ 'src/routes/users.js': validated }, { 'src/controllers/users.js': controller }), ['--staged'])
      .list,
    [],
  );
  // Unvalidated and writing the whole body: the finding is the mass assignment (a client sets any field).
  assert.equal(
    findings(stagedOver({ 'src/routes/users.js': bare }, { 'src/controllers/users.js': controller }), ['--staged'])
      .list,
    ['input-validation/mass-assignment src/controllers/users.js:2'],
  );
  const lookup =
    'exports.create = async (req, res) => {\n  res.json(await User.findOne({ where: { name: req.body.name } }));\n};\n';
  assert.equal(
    findings(stagedOver({ 'src/routes/users.js': bare }, { 'src/controllers/users.js': lookup }), ['--staged']).list,
    ['input-validation/no-validation src/controllers/users.js:2'],
  );
});

test('input-validation: a NestJS DTO body passes when main.ts registers a global ValidationPipe', () => {
  const controller =
    "@Controller('users')\nexport class UsersController {\n  @Post()\n  create(@Body() dto: CreateUserDto) {\n    return this.users.create(dto);\n  }\n}\n";
  const main =
    'const app = await NestFactory.create(AppModule);\napp.useGlobalPipes(new ValidationPipe({ whitelist: true }));\n';
  assert.equal(
    findings(stagedOver({ 'src/main.ts': main }, { 'src/users/users.controller.ts': controller }), ['--staged']).list,
    [],
  );
  assert.equal(
    findings(stagedOver({ 'src/main.ts': 'await bootstrap();\n' }, { 'src/users/users.controller.ts': controller }), [
      '--staged',
    ]).list,
    ['input-validation/no-validation src/users/users.controller.ts:4'],
  );
});

test('file-upload: uploads stored under a directory that app.js serves statically are refused', () => {
  const upload =
    "const multer = require('multer');\nexports.upload = multer({ dest: 'public/uploads', limits: { fileSize: 1e6 }, fileFilter: imagesOnly });\n";
  const served =
    "const express = require('express');\nconst app = express();\napp.use(express.static(require('path').join(__dirname, '..', 'public')));\n";
  const other = "const express = require('express');\nconst app = express();\napp.use(express.static('assets'));\n";
  assert.equal(findings(stagedOver({ 'src/app.js': served }, { 'src/upload.js': upload }), ['--staged']).list, [
    'file-upload/public-destination src/upload.js:2',
  ]);
  assert.equal(findings(stagedOver({ 'src/app.js': other }, { 'src/upload.js': upload }), ['--staged']).list, []);
});

test('csrf: a session configured in another module makes a new app with POST routes need a CSRF defence', () => {
  const session =
    "const session = require('express-session');\nmodule.exports = session({ secret: process.env.SECRET, cookie: { httpOnly: true, secure: true } });\n";
  const app =
    "const express = require('express');\nconst helmet = require('helmet');\nconst app = express();\napp.use(helmet());\napp.use(require('./session'));\napp.post('/orders', createOrder);\n";
  assert.equal(findings(stagedOver({ 'src/session.js': session }, { 'src/app.js': app }), ['--staged']).list, [
    'csrf/no-csrf-defence src/app.js:3',
  ]);
  const lax = session.replace('secure: true', "secure: true, sameSite: 'lax'");
  assert.equal(findings(stagedOver({ 'src/session.js': lax }, { 'src/app.js': app }), ['--staged']).list, []);
});

test('insecure-config reads docker-compose (YAML loaded on demand) and production .env files through the built CLI', () => {
  const repo = makeRepo();
  repo.write(
    'docker-compose.yml',
    'services:\n  cache:\n    image: redis:7\n    ports:\n      - "6379:6379"\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${PG_PASSWORD}\n    ports:\n      - "127.0.0.1:5432:5432"\n',
  );
  repo.write('.env.production', 'NODE_ENV=development\n');
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json', '--atoms', 'insecure-config']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.equal(
    JSON.parse(r.stdout).findings.map(
      (f: { rule: string; file: string; line: number }) => `${f.rule} ${f.file}:${f.line}`,
    ),
    ['insecure-config/development-mode .env.production:1', 'insecure-config/auth-disabled docker-compose.yml:5'],
  );
});

test.run();
