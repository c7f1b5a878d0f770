// The project view: the repository around the change as each mode sees it
// (index, commit tree, disk), listed once per run and per commit, read
// through git, binary and huge files skipped, and asked for only when an
// atom needs it: an ordinary commit never lists the repository.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { collectChangeSet, type ChangeSet } from '../src/changeset/changeset.js';
import { projectView } from '../src/changeset/project.js';
import { checkChangeSet } from '../src/engine/engine.js';
import { selectAtoms } from '../src/engine/select.js';
import { SourceFiles, sourceFile } from '../src/engine/source-file.js';
import { loadPolicy } from '../src/policy/load.js';
import { makeRepo } from './helpers/repo.js';

const options = (ignore: string[] = []) => ({
  maxFileBytes: 1_000_000,
  ignore,
  source: (e: { path: string }, text: string) => sourceFile({ path: e.path, allAdded: false, added: [] }, text),
});

/** A change set whose tree() calls are counted. */
function counting(changes: ChangeSet) {
  const calls: Array<string | undefined> = [];
  const tree = changes.tree.bind(changes);
  changes.tree = (commit) => {
    calls.push(commit);
    return tree(commit);
  };
  return calls;
}

test('staged: the index, not the disk; binary, huge, ignored and symlinked files are left out or read as null', async () => {
  const repo = makeRepo();
  repo.write('src/a.js', "export const a = 'index';\n");
  repo.write('src/b.bin', Buffer.from([0, 1, 2, 3]));
  repo.write('src/big.js', 'x'.repeat(2_000_000));
  repo.write('dist/out.js', 'bundle\n');
  symlinkSync('src/a.js', join(repo.dir, 'link.js'));
  repo.stage();
  repo.write('src/a.js', "export const a = 'disk';\n");
  repo.write('src/untracked.js', 'new\n');
  const before = repo.snapshot();
  const changes = await collectChangeSet(repo.dir, { mode: 'staged', paths: [] });
  try {
    const view = projectView(changes, undefined, options(['dist/**']));
    assert.equal(await view.files(['**/*.js']), ['src/a.js', 'src/big.js']);
    assert.is(await view.read('src/a.js'), "export const a = 'index';\n");
    assert.is(await view.read('src/b.bin'), null);
    assert.is(await view.read('src/big.js'), null);
    assert.is(await view.read('src/untracked.js'), null);
    assert.equal(await view.grep(['**/*'], /index/), ['src/a.js']);
    const parsed = await (await view.source('src/a.js'))!.ast();
    assert.ok(parsed.ok);
  } finally {
    changes.close();
  }
  assert.is(repo.snapshot(), before, 'nothing changed');
});

test('worktree: tracked and untracked files from disk', async () => {
  const repo = makeRepo();
  repo.write('a.js', 'one\n');
  repo.stage();
  repo.commit('base');
  repo.write('a.js', 'two\n');
  repo.write('b.js', 'new\n');
  repo.write('.gitignore', 'ignored.js\n');
  repo.write('ignored.js', 'no\n');
  const changes = await collectChangeSet(repo.dir, { mode: 'worktree', paths: [] });
  try {
    const view = projectView(changes, undefined, options());
    assert.equal((await view.files(['**/*.js'])).sort(), ['a.js', 'b.js']);
    assert.is(await view.read('a.js'), 'two\n');
  } finally {
    changes.close();
  }
});

test('push and range: each commit’s own tree, listed once per commit', async () => {
  const repo = makeRepo();
  repo.write('a.js', 'first\n');
  repo.stage();
  const first = repo.commit('one');
  repo.write('b.js', 'second\n');
  repo.write('a.js', 'changed\n');
  repo.stage();
  const second = repo.commit('two');
  const changes = await collectChangeSet(repo.dir, { mode: 'range', paths: [], range: `${first}..${second}` });
  const calls = counting(changes);
  try {
    const one = projectView(changes, first, options());
    const two = projectView(changes, second, options());
    assert.equal(await one.files(['**']), ['a.js']);
    assert.is(await one.read('a.js'), 'first\n');
    assert.equal(await two.files(['**']), ['a.js', 'b.js']);
    assert.is(await two.read('a.js'), 'changed\n');
    await one.files(['*.js']);
    await two.read('b.js');
    assert.equal(calls, [first, second]);
  } finally {
    changes.close();
  }
});

test('a module read by its path is parsed once for every file that asks about it, and again for other content', async () => {
  const repo = makeRepo();
  repo.write('src/db.js', 'export const query = (sql) => pool.query(sql);\n');
  repo.stage();
  const first = repo.commit('one');
  repo.write('src/db.js', 'export const query = (sql) => pool.query(String(sql));\n');
  repo.stage();
  const second = repo.commit('two');
  const changes = await collectChangeSet(repo.dir, { mode: 'range', paths: [], range: `${first}..${second}` });
  try {
    const sources = new SourceFiles(changes, { maxFileBytes: 1_000_000, ignore: [] });
    const parse = async (commit: string) => (await sources.project(commit).source('src/db.js'))!.ast();
    // Each call makes a new SourceFile (no listing, so no blob id): the parse is shared by path and content.
    assert.ok((await parse(second)) === (await parse(second)), 'one parse for the same content');
    const old = await parse(first);
    assert.ok(old !== (await parse(second)), 'the same path with other content is parsed again');
    assert.ok(old.ok && old.text.includes('pool.query(sql)'), 'the first commit’s version');
  } finally {
    changes.close();
  }
});

async function runStaged(dir: string) {
  const changes = await collectChangeSet(dir, { mode: 'staged', paths: [] });
  const calls = counting(changes);
  try {
    const policy = await loadPolicy({ cwd: dir, root: dir });
    const report = await checkChangeSet(changes, await selectAtoms(policy, {}), policy, { online: false });
    return { calls, report };
  } finally {
    changes.close();
  }
}

test('an ordinary commit of route files never lists the repository', async () => {
  const repo = makeRepo();
  repo.write('src/app.js', "const express = require('express');\nconst app = express();\napp.listen(3000);\n");
  repo.stage();
  repo.commit('base');
  repo.write(
    'src/routes/users.js',
    "const router = require('express').Router();\nrouter.get('/users/:id', async (req, res) => res.json(await Users.get(Number(req.params.id))));\nmodule.exports = router;\n",
  );
  repo.write(
    'src/app.js',
    "const express = require('express');\nconst app = express();\n\nfunction unrelated() { return 1; }\napp.listen(3000);\n",
  );
  repo.stage();
  const { calls } = await runStaged(repo.dir);
  assert.equal(calls, [], 'no listing: the change does not touch an app’s set-up');
});

test('a route that passes request data to a helper module is judged by reading that module, without a listing', async () => {
  const repo = makeRepo();
  repo.write(
    'src/db/items.js',
    "const pool = require('./pool');\nexports.sorted = (column) => pool.query(`SELECT * FROM items ORDER BY ${column}`);\n",
  );
  repo.stage();
  repo.commit('base');
  repo.write(
    'src/routes/items.js',
    "const items = require('../db/items');\nconst router = require('express').Router();\nrouter.get('/items', async (req, res) => res.json(await items.sorted(req.query.sort)));\nmodule.exports = router;\n",
  );
  repo.stage();
  const { calls, report } = await runStaged(repo.dir);
  assert.ok(
    report.findings.some((f) => f.atom === 'sql-injection' && f.file === 'src/routes/items.js'),
    JSON.stringify(report.findings),
  );
  assert.equal(calls, [], 'the helper is read by its path: no listing of the repository');
});

test('an app that registers helmet itself is judged without reading the repository', async () => {
  const repo = makeRepo();
  repo.write(
    'src/app.js',
    "const express = require('express');\nconst helmet = require('helmet');\nconst app = express();\napp.use(helmet());\n",
  );
  repo.stage();
  const { calls, report } = await runStaged(repo.dir);
  assert.equal(
    report.findings.filter((f) => f.atom === 'security-headers'),
    [],
  );
  assert.ok(calls.length <= 1, `listed at most once (${calls.length})`);
});

test('an app without helmet is judged with one listing of the repository', async () => {
  const repo = makeRepo();
  repo.write('src/app.js', "const express = require('express');\nconst app = express();\napp.use(express.json());\n");
  repo.write('src/other.js', 'module.exports = 1;\n');
  repo.stage();
  const { calls, report } = await runStaged(repo.dir);
  assert.equal(
    report.findings.filter((f) => f.atom === 'security-headers').map((f) => `${f.file}:${f.line}`),
    ['src/app.js:2'],
  );
  assert.equal(calls, [undefined], 'one listing');
});

test.run();
