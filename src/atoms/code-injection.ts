import type { CodeModule, Node } from '../ast/module.js';
import { unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit, FLOW_MESSAGES } from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { followCalls, LOCAL_IMPORTS, mayFollow } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';

const VM_RUNNERS = new Set(['runInNewContext', 'runInThisContext', 'runInContext', 'compileFunction', 'Script']);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
/** The eval-a-JSON-text idiom is an unsafe-deserialization finding, reported there (unless request data reaches it). */
const JSON_EVAL = /^\s*\(\s*\$\{…\}\s*\)\s*(?:;\s*)?$/;
/**
 * Template engines whose templates run JavaScript (`<% %>`, `- code`, `{{= }}`) or whose sandbox has known escapes:
 * a template compiled or rendered from the request runs the client's code on the server. The template is the
 * first argument. (Mustache templates hold no code; a template read from a file is the app's own.)
 */
const TEMPLATE_COMPILERS: Record<string, readonly string[]> = {
  pug: ['compile', 'compileClient', 'render'],
  jade: ['compile', 'compileClient', 'render'],
  ejs: ['compile', 'render'],
  handlebars: ['compile', 'precompile'],
  nunjucks: ['compile', 'renderString'],
  squirrelly: ['compile', 'Compile', 'render', 'Render'],
  dot: ['template', 'compile'],
  eta: ['compile', 'render', 'renderString'],
  lodash: ['template'],
  'lodash.template': ['default'],
  underscore: ['template'],
};

function codeCalls(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    const global = !callee.module && callee.path.length === 1;
    let code: Node | undefined;
    let what = '';
    if (global && callee.name === 'eval') [code, what] = [call.args[0], 'eval()'];
    else if (global && callee.name === 'Function')
      [code, what] = [call.args.at(-1), call.isNew ? 'new Function()' : 'Function()'];
    else if (callee.module === 'vm' && VM_RUNNERS.has(callee.name))
      [code, what] = [call.args[0], `vm.${callee.name}()`];
    else if (global && TIMERS.has(callee.name)) {
      const first = call.args[0];
      if (!first || !isStringy(m, first)) continue;
      [code, what] = [first, `${callee.name}() with a string`];
    } else if (call.isNew && callee.module === 'vm2' && callee.name === 'VMScript')
      [code, what] = [call.args[0], 'new VMScript()'];
    else if (!call.isNew && callee.name === 'run' && callee.path.length >= 2 && sandboxOf(m, call.node)) {
      // new VM().run(code), nodeVM.run(code), new Sandbox().run(code): vm2 has known escapes, `sandbox` none to offer.
      // Only text or a VMScript is code; values in a sandbox's context are data.
      const first = call.args[0];
      if (!first || !isStringy(m, first)) continue;
      [code, what] = [first, `${sandboxOf(m, call.node)}.run()`];
    } else if (callee.module && TEMPLATE_COMPILERS[callee.module]?.includes(callee.path.join('.') || 'default')) {
      // Only the client's template is flagged: the app's own, read from its files, is the engine's normal use.
      const [t] =
        call.args[0] && call.args[0].type !== 'SpreadElement' ? m.taints(call.args[0], ['request', 'upload']) : [];
      if (t)
        hits.push(
          m.flowHit(
            'request-code',
            call.node,
            t,
            `${callee.module}${callee.path.length ? `.${callee.name}` : ''}() as the template`,
          ),
        );
      continue;
    } else if (global && callee.name === 'require' && call.args[0] && !m.isConstant(call.args[0])) {
      const [t] = m.taints(call.args[0]);
      if (t) hits.push(m.flowHit('request-module', call.node, t, 'require()'));
      continue;
    } else continue;
    if (!code || code.type === 'SpreadElement' || m.isConstant(code)) continue;
    const [t] = m.taints(code, ['request', 'upload', 'argv', 'dom']);
    // eval('(' + text + ')') of request data runs the client's code, whatever the parentheses were meant for.
    if (JSON_EVAL.test(m.shape(code) ?? '') && t?.kind !== 'request' && t?.kind !== 'upload') continue;
    if (t) {
      hits.push(m.flowHit('request-code', call.node, t, what));
      continue;
    }
    const parts = m.dynamicParts(code);
    if (parts.length || callee.name === 'eval') {
      // No request data is seen reaching it (logto's script runner runs a tenant's script in a worker by
      // design): a warning to review; code from the request (request-code) blocks. Measured 0 of 1 true.
      const hit = m.hit('dynamic-code', call.node, {
        messageId: 'built',
        data: { sink: what, part: parts[0] ? `\`${m.source(parts[0]).slice(0, 40)}\`` : 'a non-constant value' },
        flow: parts.map((p) => m.line(p)),
      });
      hit.severity = 'warning';
      hits.push(hit);
    }
  }
  for (const node of m.nodes('ImportExpression')) {
    const [t] = m.taints(node.source);
    if (t) hits.push(m.flowHit('request-module', node, t, 'import()'));
  }
  return hits;
}

/**
 * Text a file must hold for codeCalls to find anything (checked before parsing): an eval,
 * Function or vm runner by any name, a timer whose first argument is not a function written
 * in place, or require()/import() of something other than one string literal.
 */
const SINK_HINT =
  /['"](?:pug|jade|ejs|handlebars|nunjucks|squirrelly|dot|eta|lodash(?:\.template)?|underscore)['"]|\beval\b|\bvm2\b|['"]sandbox['"]|\bFunction\b(?!\.prototype)|\brunIn\w*Context\b|\bcompileFunction\b|\bScript\b|\bset(?:Timeout|Interval|Immediate)\s*\(\s*(?!function\b|async\b|\(|[\w$]+\s*=>)|\b(?:require|import)\s*\(\s*(?!['"][^'"\n]*['"]\s*\))/;

/** The receiver of `.run()` is a vm2 VM/NodeVM or a `sandbox` Sandbox, made there or held in a const: its module. */
function sandboxOf(m: CodeModule, call: Node): string | undefined {
  let receiver = unwrap(unwrap(call.callee).object);
  if (receiver.type === 'Identifier') {
    const b = m.binding(receiver);
    const def = b?.defs.length === 1 ? b.defs[0] : undefined;
    if (!def?.value || def.path.length) return undefined;
    receiver = unwrap(def.value);
  }
  if (receiver.type !== 'NewExpression') return undefined;
  const made = m.callee(receiver.callee);
  if (made.module === 'vm2' && (made.name === 'VM' || made.name === 'NodeVM')) return `vm2 ${made.name}`;
  if (made.module === 'sandbox') return 'Sandbox';
  return undefined;
}

/** A timer's first argument that is text, not a function. */
function isStringy(m: CodeModule, n: Node): boolean {
  const u = n.type === 'ParenthesizedExpression' ? n.expression : n;
  if (u.type === 'TemplateLiteral' || (u.type === 'Literal' && typeof u.value === 'string')) return true;
  if (u.type === 'BinaryExpression' && u.operator === '+') return true;
  return m.stringValue(u) !== undefined || m.taints(u, ['request', 'dom']).length > 0;
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = [
  'eval',
  'vm2',
  'sandbox',
  'function(',
  'new function',
  'runin',
  'compilefunction',
  'vm',
  'settimeout',
  'setinterval',
  'require(',
  'import(',
  ...Object.keys(TEMPLATE_COMPILERS).flatMap((name) => [`'${name}'`, `"${name}"`]),
];

export default defineAtom({
  id: 'code-injection',
  title: 'No code is built from data at run time',
  criteria: {
    pass: 'Code is never built from strings at run time: no eval, new Function, vm.run* or string timers with non-constant text; templates are the app’s own (its files or constants), which request data only fills in; modules are loaded by constant names or from a fixed map.',
    fail: 'eval, new Function, vm.run*, vm2 (VM/NodeVM run, VMScript), the sandbox module, or a string setTimeout/setInterval runs text that holds request data (eval("(" + text + ")") too), a template engine (pug, ejs, handlebars, nunjucks, squirrelly, doT, eta, lodash/underscore template) compiles or renders a template taken from the request, or require()/import() loads a module named by the request. Text built from non-constant parts that no request data is seen reaching is a warning.',
  },
  files: CODE_FILES,
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'request-code': {
      message: 'Request data is run as code.',
      messages: FLOW_MESSAGES,
      fix: 'Never evaluate client text: parse data with JSON.parse, compute with a safe expression library (e.g. expr-eval with a fixed function set), and dispatch on an allow-list of handlers.',
    },
    'dynamic-code': {
      message: 'Code is built from non-constant parts and run.',
      messages: {
        across: FLOW_MESSAGES.across,
        built: '{sink} runs code built from {part}.',
      },
      fix: 'Replace eval/new Function with ordinary functions, a lookup table of handlers, or JSON.parse; pass functions, not strings, to setTimeout/setInterval.',
    },
    'request-module': {
      message: 'A module name taken from the request is loaded.',
      messages: FLOW_MESSAGES,
      fix: "Map the client's choice to modules through a constant table: const PLUGINS = { csv: () => import('./csv.js') }; PLUGINS[name]?.().",
    },
  },
  examples: {
    bad: [
      // A name assigned without a declaration (an implicit global) carries the query to the sandbox's run().
      {
        file: 'src/run.js',
        code: "const { VM } = require('vm2');\napp.get('/run', (req, res) => {\n  code = `console.log(${req.query.input})`;\n  res.send(new VM({ timeout: 1000 }).run(code)); // ✗\n});",
      },
      // Template engines compile templates to JavaScript: the client's template runs on the server.
      {
        file: 'src/routes/preview.js',
        code: "const pug = require('pug');\napp.post('/preview', (req, res) => {\n  res.send(pug.render(req.body.template, { user: req.user })); // ✗\n});",
      },
      {
        file: 'src/routes/mail.ts',
        code: "import _ from 'lodash';\nrouter.post('/mail/preview', async (ctx) => {\n  const { subject } = ctx.request.body;\n  ctx.body = _.template(subject)({ name: ctx.state.user.name }); // ✗\n});",
      },
      // Parenthesised to parse JSON, but the query's text runs as code.
      {
        file: 'src/filter.js',
        code: "app.get('/items', (req, res) => {\n  const filter = eval('(' + req.query.filter + ')'); // ✗\n  res.json(items.filter((i) => i.type === filter.type));\n});",
      },
      // vm2 is no boundary (its sandbox has known escapes), and neither is the sandbox module.
      {
        file: 'src/routes/calc.js',
        code: "const { VM } = require('vm2');\nconst Sandbox = require('sandbox');\napp.post('/calc', (req, res) => {\n  res.json({ result: new VM({ timeout: 1000 }).run(`Math.round(${req.body.expr})`) }); // ✗\n  new Sandbox().run('run(' + req.body.expr + ')', (out) => log(out)); // ✗\n});",
      },
      {
        file: 'src/calc.js',
        code: "app.get('/calc', (req, res) => {\n  res.send(String(eval(req.query.expr))); // ✗\n});",
      },
      {
        file: 'src/rules.ts',
        code: "export function compile(rule: string) {\n  return new Function('item', `return ${rule};`); // ✗\n}",
      },
      {
        file: 'src/sandbox.js',
        code: "const vm = require('vm');\nrouter.post('/run', async (ctx) => {\n  ctx.body = vm.runInNewContext(ctx.request.body.code, {}); // ✗\n});",
      },
      {
        file: 'src/timer.js',
        code: "app.post('/later', (req, res) => {\n  setTimeout('notify(\"' + req.body.user + '\")', 1000); // ✗\n});",
      },
      {
        file: 'src/plugins.js',
        code: "app.get('/export', (req, res) => {\n  const exporter = require('./exporters/' + req.query.format); // ✗\n  exporter(res);\n});",
      },
      {
        file: 'src/lambda.ts',
        code: 'export const handler = async (event) => {\n  const { formula } = JSON.parse(event.body);\n  return { statusCode: 200, body: String(eval(formula)) }; // ✗\n};',
      },
      {
        file: 'src/template.js',
        code: "function render(tpl, data) {\n  return new Function('data', 'with (data) { return `' + tpl + '`; }')(data); // ✗\n}",
      },
      {
        file: 'src/loader.mjs',
        code: 'export async function POST(request) {\n  const { name } = await request.json();\n  const mod = await import(`./handlers/${name}.js`); // ✗\n  return mod.default();\n}',
      },
    ],
    good: [
      // The app's own template, read from its files; the request only fills it in.
      {
        file: 'src/routes/page.js',
        code: "const ejs = require('ejs');\nconst handlebars = require('handlebars');\nconst page = fs.readFileSync('views/page.ejs', 'utf8');\nconst card = handlebars.compile('<p>{{name}}</p>');\napp.get('/p', (req, res) => res.send(ejs.render(page, { q: req.query.q }) + card({ name: req.query.name })));",
      },
      // Constant code; what the client sent is data in the sandbox's context.
      {
        file: 'src/routes/calc.js',
        code: "const { NodeVM } = require('vm2');\nconst RULES = 'module.exports = (input) => input.total > 100;';\napp.post('/check', (req, res) => {\n  const vm = new NodeVM({ sandbox: { input: req.body } });\n  res.json({ ok: vm.run(RULES)(req.body) });\n});",
      },
      {
        file: 'src/calc.js',
        code: "import { Parser } from 'expr-eval';\napp.get('/calc', (req, res) => {\n  res.send(String(Parser.evaluate(req.query.expr)));\n});",
      },
      { file: 'src/timer.js', code: 'setTimeout(() => notify(user), 1000);\nsetInterval(poll, 5000);' },
      {
        file: 'src/plugins.js',
        code: "const EXPORTERS = { csv: () => import('./exporters/csv.js'), pdf: () => import('./exporters/pdf.js') };\napp.get('/export', async (req, res) => {\n  const load = EXPORTERS[req.query.format];\n  if (!load) return res.sendStatus(400);\n  (await load()).default(res);\n});",
      },
      { file: 'src/global.js', code: "const getGlobal = new Function('return this');\nconst two = eval('1 + 1');" },
      { file: 'src/regex.js', code: 'const match = /\\d+/.exec(text);\nconst result = evaluate(req.body.expression);' },
      {
        file: 'src/config.ts',
        code: "const config = JSON.parse(await readFile('config.json', 'utf8'));\nconst mod = await import('./locale/en.js');",
      },
      {
        file: 'src/vm.js',
        code: "const vm = require('vm');\nconst script = new vm.Script('globalThis.ready = true');\nscript.runInThisContext();",
      },
    ],
  },
  check: codeCheck(
    followCalls(codeCalls, SINK_WORDS),
    sinkWithRequest('request-code', /\b(?:eval|Function|runIn\w*Context)\s*\(/),
    (file) => SINK_HINT.test(file.text) || mayFollow(file),
  ),
});
