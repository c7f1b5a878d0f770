import type { CodeModule, Node, Taint } from '../ast/module.js';
import { remember } from '../kit/app.js';
import {
  defineAtom,
  type CheckContext,
  type Hit,
  type ProjectView,
  type SourceFile,
  FLOW_MESSAGES,
} from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { followCalls, followHint, LOCAL_IMPORTS } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';

/** Libraries whose deserialiser revives functions (and so runs code). */
const CODE_REVIVERS: Record<string, string[]> = {
  'node-serialize': ['unserialize'],
  'serialize-to-js': ['deserialize'],
  funcster: ['deepDeserialize', 'deserialize'],
  cryo: ['parse'],
};
/** js-yaml schemas that construct functions and regexps (js-yaml < 4, or js-yaml-js-types). */
const UNSAFE_SCHEMA = /\b(?:DEFAULT_FULL_SCHEMA|FULL_SCHEMA)\b|js-types/;

function deserialisers(m: CodeModule, file: SourceFile, ctx: CheckContext<unknown>): Hit[] | Promise<Hit[]> {
  const hits: Hit[] = [];
  /** js-yaml load() of request data with its default schema: safe from js-yaml 4 on, so the package's version decides. */
  const defaultLoads: Array<{ call: Node; taint: Taint; name: string }> = [];
  const usesJsTypes = m.imports('js-yaml-js-types');
  for (const call of m.calls()) {
    const { callee } = call;
    const arg: Node | undefined = call.args[0];
    const mod = callee.module;
    if (mod && CODE_REVIVERS[mod]?.includes(callee.path.join('.'))) {
      if (arg && !m.isConstant(arg))
        hits.push(
          m.hit('code-reviving', call.node, { messageId: 'reviver', data: { call: `${mod}.${callee.name}()` } }),
        );
      continue;
    }
    if (mod === 'js-yaml' && (callee.name === 'load' || callee.name === 'loadAll') && arg && !m.isConstant(arg)) {
      const options = call.args.find((a, i) => i > 0 && m.objectLiteral(a));
      const schema = options && m.property(options, 'schema');
      if ((schema && UNSAFE_SCHEMA.test(m.source(schema))) || (usesJsTypes && schema))
        hits.push(m.hit('unsafe-yaml', call.node));
      else if (!schema) {
        const [t] = m.taints(arg);
        if (t) defaultLoads.push({ call: call.node, taint: t, name: callee.name });
      }
      continue;
    }
    // eval('(' + text + ')'), vm.runInNewContext('(' + text + ')'): JSON parsed by running it.
    const global = !mod && callee.path.length === 1;
    if (
      ((global && callee.name === 'eval') || (mod === 'vm' && /^runIn/.test(callee.name))) &&
      arg &&
      !m.isConstant(arg)
    ) {
      const shape = m.shape(arg) ?? '';
      // Request text run so is code-injection's finding (request-code): the client's code runs, not a parse.
      if (/^\s*\(\s*\$\{…\}\s*\)\s*(?:;\s*)?$/.test(shape) && !m.taints(arg).length)
        hits.push(m.hit('eval-parse', call.node));
    }
  }
  if (!defaultLoads.length) return hits;
  return declaredRange(ctx.project, file.path, 'js-yaml').then((range) => {
    const major = range === undefined ? undefined : majorOf(range);
    if (major === undefined || major >= 4) return hits;
    for (const { call, taint, name } of defaultLoads)
      hits.push(
        m.hit('unsafe-yaml', call, {
          messageId: 'oldLoad',
          data: { source: taint.label, line: taint.lines[0]!, sink: `${name}() of js-yaml ${range}` },
          flow: taint.lines,
        }),
      );
    return hits;
  });
}

/** The major version a package.json range pins (`^3.14.1`, `~3.13.0`, `3.x`, `3`); undefined for wider ranges. */
function majorOf(range: string): number | undefined {
  const m = /^\s*[\^~=]?\s*v?(\d+)(?:\.(?:\d+|x|\*)){0,2}(?:-[\w.]+)?\s*$/i.exec(range);
  return m ? Number(m[1]) : undefined;
}

/**
 * The range the nearest package.json above `path` that declares `name` gives it (dependencies or
 * devDependencies), read up the directories (the repository is not listed).
 */
function declaredRange(project: ProjectView, path: string, name: string): Promise<string | undefined> {
  const dirs = path.split('/').slice(0, -1);
  return remember(project, `declared\0${dirs.join('/')}\0${name}`, async () => {
    for (let n = dirs.length; n >= 0; n--) {
      const text = await project.read(n ? `${dirs.slice(0, n).join('/')}/package.json` : 'package.json');
      if (!text) continue;
      try {
        const pkg = JSON.parse(text);
        const range = pkg?.dependencies?.[name] ?? pkg?.devDependencies?.[name];
        if (typeof range === 'string') return range;
      } catch {
        // An unreadable package.json is the dependencies atom's finding; here it declares nothing.
      }
    }
    return undefined;
  });
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = [
  'unserialize',
  'deserialize',
  'funcster',
  'cryo',
  'full_schema',
  'js-yaml',
  'js-types',
  'eval',
  'runin',
];

export default defineAtom({
  id: 'unsafe-deserialization',
  title: 'Data is parsed, never revived as code',
  criteria: {
    pass: 'Data from outside is parsed with JSON.parse, a schema-validating parser, or a YAML loader with a safe schema (js-yaml 4 load, yaml’s parse); serialized functions are never revived.',
    fail: 'node-serialize unserialize, serialize-to-js deserialize, funcster or cryo revive their input, js-yaml loads with a full (function-constructing) schema or, before js-yaml 4 (the range package.json declares), loads request data with load(), or text is parsed by eval/vm (eval("(" + text + ")")).',
  },
  files: CODE_FILES,
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'code-reviving': {
      message: 'A deserialiser that revives functions is fed non-constant data.',
      messages: {
        across: FLOW_MESSAGES.across,
        reviver: '{call} revives functions from its input and runs them (an "_$$ND_FUNC$$_" or IIFE payload executes).',
        reduced:
          'Request data and a sink on one line (reduced check: the file could not be parsed or analysed in full).',
      },
      fix: 'Serialise data as JSON (JSON.stringify / JSON.parse, or superjson/devalue for dates and maps) and validate it with a schema; never ship functions in serialized data.',
    },
    'unsafe-yaml': {
      message: 'YAML is loaded with a schema that constructs functions.',
      messages: {
        across: FLOW_MESSAGES.across,
        oldLoad:
          '{source} (line {line}) is loaded by {sink} (package.json): before js-yaml 4 load() uses the full schema, where a !!js/function tag builds a function from the text.',
      },
      fix: 'Load with the default (safe) schema of js-yaml 4 or an explicit safe one: yaml.load(text, { schema: yaml.JSON_SCHEMA }); on js-yaml 3 use safeLoad.',
    },
    'eval-parse': {
      message: 'Text is parsed by running it as JavaScript.',
      fix: 'Use JSON.parse(text) and validate the result with a schema.',
    },
  },
  examples: {
    bad: [
      {
        file: 'src/profile.js',
        code: "const serialize = require('node-serialize');\napp.get('/profile', (req, res) => {\n  const profile = serialize.unserialize(req.cookies.profile); // ✗\n  res.json(profile);\n});",
      },
      {
        file: 'src/session.ts',
        code: "import { unserialize } from 'node-serialize';\nexport function load(token: string) {\n  return unserialize(Buffer.from(token, 'base64').toString()); // ✗\n}",
      },
      {
        file: 'src/config.js',
        code: "import yaml from 'js-yaml';\nexport const read = (text) => yaml.load(text, { schema: yaml.DEFAULT_FULL_SCHEMA }); // ✗",
      },
      { file: 'src/legacy.js', code: "function parse(body) {\n  return eval('(' + body + ')'); // ✗\n}" },
      {
        file: 'src/state.js',
        code: "const { deserialize } = require('serialize-to-js');\napp.post('/state', (req, res) => {\n  const state = deserialize(req.body.state); // ✗\n});",
      },
      {
        file: 'src/vm-json.js',
        code: "const vm = require('node:vm');\nconst data = vm.runInNewContext('(' + raw + ')'); // ✗",
      },
      // js-yaml 3's load() uses the full schema: a !!js/function tag in the body builds a function.
      {
        file: 'src/import.js',
        code: "const yaml = require('js-yaml');\napp.post('/import', (req, res) => {\n  const doc = yaml.load(req.body.yaml); // ✗\n  res.json(doc);\n});",
        others: { 'package.json': '{ "dependencies": { "express": "^4.18.2", "js-yaml": "^3.14.1" } }' },
      },
      {
        file: 'src/types.js',
        code: "const yaml = require('js-yaml');\nconst types = require('js-yaml-js-types');\nconst schema = yaml.DEFAULT_SCHEMA.extend(types.all);\nconst doc = yaml.load(input, { schema }); // ✗",
      },
    ],
    good: [
      {
        file: 'src/profile.js',
        unrouted: 'JSON.parse is not a keyword of this atom: the file is never checked',
        code: "app.get('/profile', (req, res) => {\n  const profile = JSON.parse(req.cookies.profile);\n  res.json(profile);\n});",
      },
      {
        file: 'src/config.js',
        code: "import yaml from 'js-yaml';\nexport const read = (text) => yaml.load(text, { schema: yaml.JSON_SCHEMA });",
      },
      // The same route on js-yaml 4, whose load() has no function types; and js-yaml 3's safeLoad.
      {
        file: 'src/import.js',
        code: "const yaml = require('js-yaml');\napp.post('/import', (req, res) => {\n  const doc = yaml.load(req.body.yaml);\n  res.json(doc);\n});",
        others: { 'package.json': '{ "dependencies": { "express": "^4.18.2", "js-yaml": "^4.1.0" } }' },
      },
      {
        file: 'src/import.js',
        code: "const yaml = require('js-yaml');\napp.post('/import', (req, res) => {\n  res.json(yaml.safeLoad(req.body.yaml));\n});\nconst config = yaml.load(fs.readFileSync('config.yml', 'utf8'));",
        others: { 'package.json': '{ "dependencies": { "js-yaml": "~3.13.1" } }' },
      },
      {
        file: 'src/yaml.js',
        unrouted: 'the yaml package holds no keyword of this atom: the file is never checked',
        code: "import YAML from 'yaml';\nexport const read = (text) => YAML.parse(text);",
      },
      {
        file: 'src/ssr.js',
        unrouted: 'serialize-javascript holds no keyword of this atom: the file is never checked',
        code: "import serialize from 'serialize-javascript';\nconst state = `<script>window.__STATE__ = ${serialize(store)}</script>`;",
      },
      {
        file: 'src/superjson.ts',
        code: "import superjson from 'superjson';\nconst data = superjson.parse(text);\nconst copy = v8.deserialize(buffer);",
      },
      {
        file: 'src/constant.js',
        code: "const serialize = require('node-serialize');\nconst fixture = serialize.unserialize('{\"a\":1}');\nconst n = eval('(1 + 2)');",
      },
    ],
  },
  check: codeCheck(
    followCalls(deserialisers, SINK_WORDS),
    sinkWithRequest('code-reviving', /\b(?:unserialize|deserialize)\s*\(/, /\bunserialize\s*\(/),
    followHint(SINK_WORDS),
  ),
});
