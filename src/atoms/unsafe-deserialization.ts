import type { CodeModule, Node } from '../ast/module.js';
import { defineAtom, type Hit, FLOW_MESSAGES } from '../kit/atom.js';
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

function deserialisers(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
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
      if (/^\s*\(\s*\$\{…\}\s*\)\s*(?:;\s*)?$/.test(shape)) hits.push(m.hit('eval-parse', call.node));
    }
  }
  return hits;
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = ['unserialize', 'deserialize', 'funcster', 'cryo', 'full_schema', 'js-types', 'eval', 'runin'];

export default defineAtom({
  id: 'unsafe-deserialization',
  title: 'Data is parsed, never revived as code',
  criteria: {
    pass: 'Data from outside is parsed with JSON.parse, a schema-validating parser, or a YAML loader with a safe schema (js-yaml 4 load, yaml’s parse); serialized functions are never revived.',
    fail: 'node-serialize unserialize, serialize-to-js deserialize, funcster or cryo revive their input, js-yaml loads with a full (function-constructing) schema, or text is parsed by eval/vm (eval("(" + text + ")")).',
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
        unrouted: 'yaml.load with JSON_SCHEMA names no unsafe schema keyword: the file is never checked',
        code: "import yaml from 'js-yaml';\nexport const read = (text) => yaml.load(text, { schema: yaml.JSON_SCHEMA });",
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
