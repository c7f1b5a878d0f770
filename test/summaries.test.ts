// Calls into other modules (src/kit/summaries.ts): which function of which file a call names, for
// every way a module exports one, and what a flow atom then reports at the call.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseModule } from '../src/ast/parse.js';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { sourceFile } from '../src/engine/source-file.js';
import { messageOf } from '../src/kit/atom.js';
import { calledExport, wordPattern } from '../src/kit/summaries.js';
import { check, fc } from './helpers/property.js';
import { stubContext } from './helpers/examples.js';
import { memoryProject } from './helpers/project.js';

/** The helper `route` calls (its first call to a local module), as calledExport resolves it. */
async function resolved(route: string, files: Record<string, string>) {
  const project = memoryProject({ ...files, 'src/routes/r.ts': route });
  const m = await parseModule('src/routes/r.ts', route);
  if (!m.ok) throw new Error(m.reason);
  const call = m.calls().find((c) => c.callee.module?.startsWith('.') || c.callee.module?.startsWith('@/'));
  if (!call) throw new Error('no call to a local module');
  const found = await calledExport(project, m.path, call, ['query']);
  return found && { path: found.path, line: found.module.line(found.fn) };
}

const BODY = '(sql) => db.query(sql)';

test('ESM: a named export (function or const), export { a as b }, and a default export', async () => {
  assert.equal(
    await resolved("import { run } from '../db';\nrun(x);", {
      'src/db.ts': `export function run(sql) { return db.query(sql); }`,
    }),
    { path: 'src/db.ts', line: 1 },
  );
  assert.equal(
    await resolved("import { run } from '../db';\nrun(x);", { 'src/db.ts': `\nexport const run = ${BODY};` }),
    { path: 'src/db.ts', line: 2 },
  );
  assert.equal(
    await resolved("import { run } from '../db';\nrun(x);", {
      'src/db.ts': `const inner = ${BODY};\nexport { inner as run };`,
    }),
    { path: 'src/db.ts', line: 1 },
  );
  assert.equal(await resolved("import run from '../db';\nrun(x);", { 'src/db.ts': `export default ${BODY};` }), {
    path: 'src/db.ts',
    line: 1,
  });
  assert.equal(
    await resolved("import db from '../db';\ndb.run(x);", { 'src/db.ts': `export default { run: ${BODY} };` }),
    { path: 'src/db.ts', line: 1 },
  );
});

test('CommonJS: module.exports = fn, = { name }, exports.name =, module.exports.name =', async () => {
  assert.equal(await resolved("const run = require('../db');\nrun(x);", { 'src/db.js': `module.exports = ${BODY};` }), {
    path: 'src/db.js',
    line: 1,
  });
  assert.equal(
    await resolved("const db = require('../db');\ndb.run(x);", {
      'src/db.js': `function run(sql) { return db.query(sql); }\nmodule.exports = { run };`,
    }),
    { path: 'src/db.js', line: 1 },
  );
  assert.equal(
    await resolved("const { run } = require('../db');\nrun(x);", { 'src/db.js': `exports.run = ${BODY};` }),
    { path: 'src/db.js', line: 1 },
  );
  assert.equal(
    await resolved("const db = require('../db');\ndb.run(x);", { 'src/db.js': `module.exports.run = ${BODY};` }),
    { path: 'src/db.js', line: 1 },
  );
});

test('a method of an exported class instance (default, module.exports, or a named const)', async () => {
  const cls = 'class Db {\n  run(sql) { return this.pool.query(sql); }\n}\n';
  assert.equal(
    await resolved("import db from '../db';\ndb.run(x);", { 'src/db.ts': `${cls}export default new Db();` }),
    { path: 'src/db.ts', line: 2 },
  );
  assert.equal(
    await resolved("const db = require('../db');\ndb.run(x);", { 'src/db.js': `${cls}module.exports = new Db();` }),
    { path: 'src/db.js', line: 2 },
  );
  assert.equal(
    await resolved("import { db } from '../db';\ndb.run(x);", { 'src/db.ts': `${cls}export const db = new Db();` }),
    { path: 'src/db.ts', line: 2 },
  );
});

test('re-exports, index files and tsconfig path aliases are followed; a package or a missing export is null', async () => {
  const db = { 'src/db/run.ts': `export const run = ${BODY};` };
  assert.equal(
    await resolved("import { run } from '../db';\nrun(x);", { ...db, 'src/db/index.ts': "export * from './run';" }),
    { path: 'src/db/run.ts', line: 1 },
  );
  assert.equal(
    await resolved("import { go } from '../db';\ngo(x);", {
      ...db,
      'src/db/index.ts': "export { run as go } from './run';",
    }),
    { path: 'src/db/run.ts', line: 1 },
  );
  assert.equal(
    await resolved("import { run } from '@/db/run';\nrun(x);", {
      ...db,
      'tsconfig.json': '{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }',
    }),
    { path: 'src/db/run.ts', line: 1 },
  );
  assert.is(await resolved("import { other } from '../db/run';\nother(x);", db), null);
  // The helper's module must hold one of the atom's words before it is parsed.
  assert.is(
    await resolved("import { run } from '../db';\nrun(x);", { 'src/db.ts': 'export const run = (s) => s;' }),
    null,
  );
});

test('a finding at the call names the helper, its file and the sink line; the same call with a constant is silent', async () => {
  const sql = BUILTIN_ATOMS.find((a) => a.id === 'sql-injection')!;
  const helper =
    'const pool = require(\'./pool\');\n\nexports.byName = (name) => pool.query("SELECT * FROM users WHERE name = \'" + name + "\'");';
  const check = async (route: string) => {
    const project = memoryProject({ 'src/users.js': helper, 'src/app.js': route });
    return sql.check(
      sourceFile({ path: 'src/app.js', allAdded: true, added: [] }, route),
      stubContext({}, () => {}, project),
    );
  };
  const hits = await check(
    "const users = require('./users');\napp.get('/u', (req, res) => users.byName(req.query.name).then((r) => res.json(r)));",
  );
  // The helper's own finding (SQL built from a parameter) is its module's; the call adds that the request reaches it.
  assert.equal(
    hits.map((h) => [h.line, messageOf(sql, h)]),
    [[2, 'req.query.name (line 2) is passed to byName(), which sends it to pool.query() in src/users.js (line 3).']],
  );
  assert.equal(
    await check(
      "const users = require('./users');\napp.get('/u', (req, res) => users.byName('admin').then((r) => res.json(r)));",
    ),
    [],
  );
});

test('the sink words of an atom, as one pattern over the lower-cased text, are found where includes() finds them', () => {
  // Words with regex characters and upper case, texts of the same pieces: every outcome is likely.
  const piece = fc.constantFrom(
    'a',
    'B',
    '.',
    '(',
    ')',
    '$where',
    '] =',
    '[',
    '\\',
    '|',
    '*',
    '?',
    '^',
    'é',
    ' ',
    '\n',
  );
  const word = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
  const text = fc.array(piece, { maxLength: 40 }).map((p) => p.join(''));
  check(
    fc.property(fc.array(word, { maxLength: 5 }), text, (words, t) => {
      const lower = t.toLowerCase();
      const expected = words.some((w) => lower.includes(w.toLowerCase()));
      assert.is(wordPattern(words).test(lower), expected, JSON.stringify({ words, t }));
    }),
    2_000,
  );
});

test('what a helper does with the data a call passes is asked once per kind of data: each call still gets its own answer', async () => {
  const nosql = BUILTIN_ATOMS.find((a) => a.id === 'nosql-injection')!;
  const helper = "const db = require('./db');\n\nexports.find = (filter) => db.collection('users').find(filter);";
  // Two calls pass the same source, one as it came (an object may arrive: an operator injection), one as a string.
  const raw =
    "const users = require('./users');\napp.post('/u', (req, res) => users.find(req.body).then((r) => res.json(r)));";
  const text =
    "const users = require('./users');\napp.post('/u', (req, res) => users.find(`${req.body}`).then((r) => res.json(r)));";
  const project = memoryProject({ 'src/users.js': helper, 'src/raw.js': raw, 'src/text.js': text });
  const check = (path: string, route: string) =>
    nosql.check(
      sourceFile({ path, allAdded: true, added: [] }, route),
      stubContext({}, () => {}, project),
    );
  const lines = async (path: string, route: string) => (await check(path, route)).map((h) => h.line);
  // In both orders over one project view: an answer kept for one kind of data is never given for the other.
  assert.equal(await lines('src/text.js', text), []);
  assert.equal(await lines('src/raw.js', raw), [2]);
  assert.equal(await lines('src/text.js', text), []);
  const other = memoryProject({ 'src/users.js': helper, 'src/raw.js': raw, 'src/text.js': text });
  const again = (path: string, route: string) =>
    nosql.check(
      sourceFile({ path, allAdded: true, added: [] }, route),
      stubContext({}, () => {}, other),
    );
  assert.equal((await again('src/raw.js', raw)).length, 1);
  assert.equal(await again('src/text.js', text), []);
});

test.run();
