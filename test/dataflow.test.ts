// The parser and the data-flow engine that code atoms share: parsing once,
// component script blocks, rejected files, and flows from request to sink.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseModule } from '../src/ast/parse.js';
import type { CodeModule, Node } from '../src/ast/module.js';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { sourceFile } from '../src/engine/source-file.js';
import { messageOf, type Hit } from '../src/kit/atom.js';
import { stubContext } from './helpers/examples.js';
import { memoryProject } from './helpers/project.js';

async function mod(code: string, path = 'src/app.js'): Promise<CodeModule> {
  const m = await parseModule(path, code);
  if (!m.ok) throw new Error(`did not parse: ${m.reason}`);
  return m;
}

/** The first argument of the first call whose callee path ends with `name`. */
function argOf(m: CodeModule, name: string, index = 0): Node {
  const call = m.calls().find((c) => c.callee.name === name);
  if (!call) throw new Error(`no call to ${name}`);
  return call.args[index]!;
}

const atom = (id: string) => BUILTIN_ATOMS.find((a) => a.id === id)!;
async function lines(id: string, path: string, code: string) {
  const notes: string[] = [];
  const hits = await atom(id).check(
    sourceFile({ path, allAdded: true, added: [] }, code),
    stubContext({}, (n) => notes.push(n), memoryProject({ [path]: code })),
  );
  return { lines: hits.map((h) => h.line), hits, notes, said: (hit: Hit) => messageOf(atom(id), hit) };
}

test('a flow through two assignments and a destructuring is found, with the lines it passed', async () => {
  const m = await mod(
    [
      "app.post('/x', (req, res) => {",
      '  const a = req.body;',
      '  const b = a;',
      '  const { name } = b;',
      "  exec('ls ' + name);",
      '});',
    ].join('\n'),
  );
  const [t] = m.taints(argOf(m, 'exec'));
  assert.ok(t, 'tainted');
  assert.is(t!.kind, 'request');
  assert.is(t!.label, 'req.body.name');
  assert.equal([...t!.lines].sort(), [2, 3, 4]);
});

test('an assignment to an undeclared name is an implicit global: its reads carry the value; host globals are not', async () => {
  const m = await mod(
    [
      "app.post('/x', (req, res) => {",
      '  code = `run(${req.body.x})`;',
      '  location = req.body.next;',
      '  exec(code);',
      '  log(location);',
      '});',
    ].join('\n'),
  );
  const [t] = m.taints(argOf(m, 'exec'));
  assert.is(t?.label, 'req.body.x');
  assert.equal(m.taints(argOf(m, 'log')), []);
  assert.is(m.binding(argOf(m, 'log')), undefined);
});

test('an array carries what is pushed into it or written at an index; pushed constants keep it constant', async () => {
  const m = await mod(
    [
      "app.post('/x', (req, res) => {",
      '  const rows = [];',
      '  rows.push(req.body.a);',
      '  const cells = [];',
      '  cells[0] = req.body.b;',
      "  const flags = ['-l'];",
      "  flags.unshift('-a');",
      "  exec(rows.join(' '));",
      '  spawnIt(cells[0]);',
      "  run(flags.join(' '));",
      '});',
    ].join('\n'),
  );
  assert.is(m.taints(argOf(m, 'exec'))[0]?.label, 'req.body.a');
  assert.match(m.taints(argOf(m, 'spawnIt'))[0]?.label ?? '', /^req\.body\.b/);
  assert.ok(m.isConstant(argOf(m, 'run')));
  assert.not.ok(m.isConstant(argOf(m, 'exec')));
});

test("a message listener's event.data is DOM input unless the listener reads the event's origin", async () => {
  const m = await mod(
    [
      'function onMsg(e) {',
      '  show(e.data);',
      '}',
      "window.addEventListener('message', onMsg);",
      'window.onmessage = (ev) => {',
      "  if (ev.origin !== 'https://a.example') return;",
      '  keep(ev.data);',
      '};',
      "fetch('/x').then((r) => other(r.data));",
    ].join('\n'),
  );
  assert.is(m.taints(argOf(m, 'show'), ['dom'])[0]?.label, 'e.data');
  assert.equal(m.taints(argOf(m, 'keep'), ['dom']), []);
  assert.equal(m.taints(argOf(m, 'other'), ['dom']), []);
});

test("a GraphQL resolver's args are the client's (resolver maps and resolve()), as text", async () => {
  const m = await mod(
    [
      'const resolvers = {',
      '  Mutation: {',
      '    upload: async (parent, args, context) => write(args.filePath),',
      '    save: async (parent, { filePath }) => store(filePath),',
      '  },',
      '};',
      'const field = { type: T, resolve(parent, args) { return look(args.name); } };',
      'const helpers = { upload: (a, args) => other(args.filePath) };',
    ].join('\n'),
  );
  const [t] = m.taints(argOf(m, 'write'));
  assert.is(t?.label, 'args.filePath');
  assert.is(t?.structured, false);
  assert.is(m.taints(argOf(m, 'look'))[0]?.label, 'args.name');
  assert.is(m.taints(argOf(m, 'store'))[0]?.label, 'args.filePath');
  assert.equal(m.taints(argOf(m, 'other')), []);
});

test("an XML-RPC method's params are the client's; exports.f(x) in the same module runs the function it assigned", async () => {
  const m = await mod(
    [
      "const xmlrpc = require('xmlrpc');",
      'const server = xmlrpc.createServer({ port: 9090 });',
      'exports.fetchIt = function (url) {',
      '  return sink(url);',
      '};',
      "server.on('check', function (err, params, callback) {",
      '  callback(null, exports.fetchIt(params.toString()));',
      '});',
      "other.on('check', function (err, params) { keep(params); });",
    ].join('\n'),
  );
  assert.is(m.taints(argOf(m, 'sink'))[0]?.label, 'params');
  assert.equal(m.taints(argOf(m, 'keep')), []);
});

test('parseInt, Number and a zod parse cut the flow', async () => {
  const m = await mod(
    [
      "import { z } from 'zod';",
      'const Body = z.object({ dir: z.string().regex(/^[a-z]+$/) });',
      "app.post('/x', (req, res) => {",
      '  const n = parseInt(req.query.n, 10);',
      '  const k = Number(req.body.k);',
      '  const { dir } = Body.parse(req.body);',
      '  sinkA(n); sinkB(k); sinkC(dir);',
      '  sinkD(req.query.raw);',
      '});',
    ].join('\n'),
  );
  assert.equal(m.taints(argOf(m, 'sinkA')), []);
  assert.equal(m.taints(argOf(m, 'sinkB')), []);
  assert.equal(m.taints(argOf(m, 'sinkC')), []);
  assert.is(m.taints(argOf(m, 'sinkD')).length, 1, 'an uncut flow is still found');
});

test('a helper in the same module passes taint through its return value and its parameters', async () => {
  const m = await mod(
    [
      'function clean(s) { return s.trim(); }',
      'function run(cmd) { return cp.execSync(cmd); }',
      "app.get('/x', (req, res) => {",
      '  const v = clean(req.query.v);',
      '  sink(v);',
      "  run('ls ' + req.query.dir);",
      '});',
    ].join('\n'),
  );
  assert.is(m.taints(argOf(m, 'sink'))[0]?.label, 'req.query.v');
  const [t] = m.taints(argOf(m, 'execSync'));
  assert.ok(t, 'the parameter is fed by a tainted call site');
  assert.is(m.line(t!.via[0]!), 6, 'the call site that brings the request in');
});

test('a command-injection flow through a helper is reported on the call site, and kept when only that line is added', async () => {
  const code = [
    "const cp = require('child_process');",
    'function run(cmd) {',
    '  return cp.execSync(cmd);',
    '}',
    "app.get('/x', (req, res) => res.send(run('ls ' + req.query.dir)));",
  ].join('\n');
  const { hits, said } = await lines('command-injection', 'src/x.js', code);
  assert.equal(
    hits.map((h) => h.line),
    [5],
  );
  assert.ok(said(hits[0]!).includes('line 3'), said(hits[0]!));
});

test('guards cut the flow: allow-list, containment, typeof for objects only', async () => {
  const m = await mod(
    [
      "const OK = ['a', 'b'];",
      "app.get('/x', (req, res) => {",
      '  const to = req.query.to;',
      '  if (!OK.includes(to)) return res.sendStatus(400);',
      '  sinkA(to);',
      '  const full = path.resolve(ROOT, req.query.p);',
      '  if (!full.startsWith(ROOT)) throw new Error("outside");',
      '  sinkB(full);',
      '  const { t } = req.body;',
      "  if (typeof t !== 'string') return;",
      '  sinkC(t);',
      '});',
    ].join('\n'),
  );
  assert.equal(m.taints(argOf(m, 'sinkA')), []);
  assert.equal(m.taints(argOf(m, 'sinkB')), []);
  const [t] = m.taints(argOf(m, 'sinkC'));
  assert.ok(t && !t.structured, 'typeof leaves a string: still tainted, no longer an object');
});

test('framework sources: Koa, Fastify, Next.js, NestJS, Lambda, plain http, argv, uploads', async () => {
  const cases: Array<[string, string, string]> = [
    ['koa', "router.get('/', async (ctx) => { sink(ctx.request.body.x); });", 'ctx.request.body.x'],
    ['fastify', "fastify.get('/', async (request, reply) => { sink(request.params.id); });", 'request.params.id'],
    ['next', 'export async function POST(request) { const { u } = await request.json(); sink(u); }', 'request.json()'],
    ['nest', 'class C { @Post() make(@Body() dto: Dto) { sink(dto.name); } }', '@Body() dto'],
    [
      'lambda',
      'exports.handler = async (event) => { sink(event.queryStringParameters.q); };',
      'event.queryStringParameters.q',
    ],
    ['http', 'http.createServer((r, s) => { sink(r.url); });', 'r.url'],
    ['argv', 'sink(process.argv[2]);', 'process.argv'],
    ['multer', "app.post('/u', (req, res) => { sink(req.file.originalname); });", 'req.file.originalname'],
  ];
  for (const [name, code, label] of cases) {
    const m = await mod(code, name === 'nest' || name === 'next' ? 'src/x.ts' : 'src/x.js');
    const [t] = m.taints(argOf(m, 'sink'), ['request', 'upload', 'argv', 'dom']);
    assert.ok(t, `${name}: found`);
    assert.ok(t!.label.startsWith(label), `${name}: ${t!.label}`);
  }
});

test('imports, requires and aliases resolve callees', async () => {
  const m = await mod(
    [
      "import { exec as run } from 'node:child_process';",
      "const cp = require('child_process');",
      "const { execSync } = require('child_process');",
      "import * as fsp from 'fs/promises';",
      "run('a'); cp.spawn('b'); execSync('c'); fsp.readFile('d'); db.collection('u').find({});",
    ].join('\n'),
  );
  const names = m.calls().map((c) => `${c.callee.module ?? ''}:${c.callee.path.join('.')}`);
  for (const want of [
    'child_process:exec',
    'child_process:spawn',
    'child_process:execSync',
    'fs/promises:readFile',
    ':db.collection().find',
  ])
    assert.ok(names.includes(want), `${want} in ${names.join(' ')}`);
});

test('script blocks of .vue, .svelte and .html are parsed with positions of the file', async () => {
  const vue =
    '<template>\n  <p>{{ x }}</p>\n</template>\n<script setup lang="ts">\nconst q = new URLSearchParams(location.search).get("q");\nel.innerHTML = q;\n</script>\n';
  const r = await lines('xss', 'src/A.vue', vue);
  assert.equal(r.lines, [6]);
  const html =
    '<html>\n<script type="application/ld+json">{"a": 1}</script>\n<script>\ndocument.write(location.hash);\n</script>\n';
  assert.equal((await lines('xss', 'public/index.html', html)).lines, [4]);
  const svelte =
    '<script>\n  export let name;\n  const html = `<b>${name}</b>`;\n  el.innerHTML = html;\n</script>\n<p>{name}</p>';
  assert.equal((await lines('xss', 'src/B.svelte', svelte)).lines, [4]);
});

test('a file the parser rejects gets a reduced check and a note, never a crash', async () => {
  // Two bad lines: parsing without one of them still fails.
  const code = "app.get('/x', (req, res) => {\n  exec('ls ' + req.query.dir);\n  const = ;\n  let = ;\n});";
  const r = await lines('command-injection', 'src/broken.js', code);
  assert.equal(r.lines, [2]);
  assert.ok(
    r.notes.some((n) => n.startsWith('src/broken.js: the parser rejected it (3:')),
    r.notes.join('\n'),
  );
  assert.ok(r.said(r.hits[0]!).includes('reduced check'));
});

test('a file with one bad line is analysed in full without that line, and says so', async () => {
  // A stray paste after a brace (a path read as a regex with bad flags), and a half-typed declaration.
  for (const bad of ['{/Users/me/src/app.js', '{\n  const = ;']) {
    const code = `const { exec } = require('child_process');\napp.get('/x', (req, res) => ${bad}\n  const dir = req.query.dir;\n  exec(\n    'ls ' + dir,\n  );\n});`;
    const r = await lines('command-injection', 'src/broken.js', code);
    const sink = code.split('\n').indexOf('  exec(') + 1;
    assert.equal(r.lines, [sink], bad);
    assert.ok(r.said(r.hits[0]!).startsWith('req.query.dir (line'), r.said(r.hits[0]!));
    assert.ok(
      r.notes.some((n) =>
        /^src\/broken\.js: the parser rejected line \d+ \(.*\); code atoms analysed the file without/.test(n),
      ),
      r.notes.join('\n'),
    );
  }
  // A syntax error on the flaw's own line must not hide it: the left-out line gets the reduced line check.
  const hidden = await lines(
    'command-injection',
    'src/broken.js',
    "const { exec } = require('child_process');\napp.get('/x', (req, res) => {\n  exec('ls ' + req.query.dir) +;\n});",
  );
  assert.equal(hidden.lines, [3]);
  assert.ok(hidden.said(hidden.hits[0]!).includes('reduced check'), hidden.said(hidden.hits[0]!));
});

test('`await` in a function not marked async: the tree is whole, the file is analysed as written', async () => {
  const code =
    "const { exec } = require('child_process');\napp.get('/x', function (req, res) {\n  const dir = req.query.dir;\n  const out = await run();\n  exec(\n    'ls ' + dir,\n  );\n});";
  const r = await lines('command-injection', 'src/route.js', code);
  assert.equal(r.lines, [5]);
  assert.ok(r.said(r.hits[0]!).startsWith('req.query.dir (line 3)'), r.said(r.hits[0]!));
  assert.equal(r.notes, []);
});

test('the reduced line rules: the leftmost construct of a line is reported, under its conditions', async () => {
  const broken = (...lines: string[]) => [...lines, 'const = ;', 'let = ;'].join('\n');
  const rules = async (id: string, code: string) =>
    (await lines(id, 'src/broken.js', code)).hits.map((h) => `${h.line}:${h.column} ${h.rule}`);
  // Leftmost wins; a response must be on the line.
  assert.equal(
    await rules(
      'error-exposure',
      broken('catch (err) { log(err.stack); res.json(err) }', 'res.json(err); log(e.stack)', 'send(err)'),
    ),
    ['1:22 stack-trace', '2:4 error-object'],
  );
  // `unless`: the none algorithm outranks an ignored expiry, wherever it stands on the line.
  assert.equal(
    await rules(
      'jwt',
      broken("jwt.verify(t, k, { ignoreExpiration: true, algorithms: ['none'] });", 'x = { ignoreExpiration: true }'),
    ),
    ['1:44 none-algorithm', '2:7 ignore-expiration'],
  );
  // `after`: what follows the log call counts, not what stands before it.
  assert.equal(
    await rules(
      'sensitive-logging',
      broken('const password = p; logger.info("start")', 'console.log(req.body, token)', 'log.warn(token)'),
    ),
    ['2:1 request-data', '3:1 secret-value'],
  );
  // `sinkWithRequest`: a sink with request data on its line, or `alone` without.
  assert.equal(
    await rules('unsafe-deserialization', broken('x.deserialize(buf)', 'x.deserialize(req.body)', 'x.unserialize(s)')),
    ['2:3 code-reviving', '3:3 code-reviving'],
  );
});

test('each file is parsed once for all atoms', async () => {
  const file = sourceFile(
    { path: 'src/x.js', allAdded: true, added: [] },
    'exec(req.query.a); res.redirect(req.query.b);',
  );
  const [a, b] = await Promise.all([file.ast(), file.ast()]);
  assert.ok(a === b, 'the same module object');
});

test('constant sinks are not findings; text built from constants is constant', async () => {
  const m = await mod(
    "const T = 'users';\nconst COLS = { a: 'name' };\nq1(`SELECT * FROM ${T}`);\nq2(COLS[req.query.c]);\nq3(process.env.DIR + '/x');\nq4(x + 'y');",
  );
  assert.ok(m.isConstant(argOf(m, 'q1')));
  assert.ok(m.isConstant(argOf(m, 'q2')), 'a value from a constant table');
  assert.ok(m.isConstant(argOf(m, 'q3')), 'configuration');
  assert.not.ok(m.isConstant(argOf(m, 'q4')));
});

test.run();
