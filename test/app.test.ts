// App-level atoms judge the app, not one module: the other modules of the
// repository are read through git (the index when staged, each pushed
// commit's tree when pushed), and one finding lands on the line that
// creates the app.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installShimOnPath, makeRepo, repoWithRemote, type Repo } from './helpers/repo.js';

installShimOnPath();

const APP = "import express from 'express';\nimport { usersRouter } from './routes/users.js';\nimport { secure } from './security.js';\n\nexport const app = express();\nsecure(app);\napp.use(express.json());\napp.use('/users', usersRouter);\n";
const APP_WITH_HELMET = "import express from 'express';\nimport helmet from 'helmet';\nimport { usersRouter } from './routes/users.js';\n\nexport const app = express();\napp.use(helmet());\napp.use('/users', usersRouter);\n";
const SECURITY_WITH_HELMET = "import helmet from 'helmet';\nexport function secure(app) {\n  app.use(helmet());\n}\n";
const SECURITY_WITHOUT = "export function secure(app) {\n  app.use((req, res, next) => next());\n}\n";
const ROUTES = "import { Router } from 'express';\nexport const usersRouter = Router();\nusersRouter.get('/', async (req, res) => res.json(await listUsers()));\n";
const ROUTES_MORE = ROUTES + "usersRouter.get('/:id', async (req, res) => res.json(await getUser(Number(req.params.id))));\n";

function findings(repo: Repo, args: string[], input?: string) {
  const r = repo.cli(['check', ...args, '--format', 'json', '--atoms', 'security-headers'], input === undefined ? {} : { input });
  assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
  return { code: r.code, list: (JSON.parse(r.stdout).findings as Array<{ rule: string; file: string; line: number }>).map((f) => `${f.rule} ${f.file}:${f.line}`) };
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
  repo.write('src/app.js', "const express = require('express');\nconst app = express();\napp.listen(3000);\n\nfunction port() {\n  return 3000;\n}\n");
  repo.stage();
  repo.commit('base');
  repo.write('src/app.js', "const express = require('express');\nconst app = express();\napp.listen(3000);\n\nfunction port() {\n  return Number(process.env.PORT) || 3000;\n}\n");
  repo.stage();
  assert.equal(findings(repo, ['--staged']).list, []);
  // Touching the set-up is editing the app: now it is judged.
  repo.write('src/app.js', "const express = require('express');\nconst app = express();\napp.use(express.json());\napp.listen(3000);\n");
  repo.stage();
  assert.equal(findings(repo, ['--staged']).list, ['security-headers/no-security-headers src/app.js:2']);
});

function pushInput(repo: Repo, remoteSha: string) {
  return `refs/heads/main ${repo.git('rev-parse', 'HEAD').trim()} refs/heads/main ${remoteSha}\n`;
}

test('push: each pushed commit is judged against its own tree', () => {
  const { repo } = repoWithRemote();
  repo.write('README.md', '# demo\n');
  repo.stage();
  repo.commit('base');
  repo.git('push', '-q', 'origin', 'main');
  const base = repo.git('rev-parse', 'HEAD').trim();
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
  repo.write('README.md', '# demo\n');
  repo.stage();
  repo.commit('base');
  repo.git('push', '-q', 'origin', 'main');
  const base = repo.git('rev-parse', 'HEAD').trim();
  repo.write('src/security.js', SECURITY_WITHOUT);
  repo.write('src/app.js', APP);
  repo.stage();
  const appCommit = repo.commit('app');
  repo.write('src/routes/users.js', ROUTES);
  repo.stage();
  repo.commit('routes');
  const r = repo.cli(['check', '--push', '--format', 'json', '--atoms', 'security-headers'], { input: pushInput(repo, base) });
  assert.is(r.code, 1, r.stdout + r.stderr);
  const f = JSON.parse(r.stdout).findings;
  assert.equal(f.map((x: { rule: string; file: string; line: number; commit: string }) => `${x.rule} ${x.file}:${x.line} ${x.commit}`), [`security-headers/no-security-headers src/app.js:5 ${appCommit}`]);
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

test.run();
