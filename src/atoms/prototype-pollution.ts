import type { CodeModule, Node } from '../ast/module.js';
import { unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit, FLOW_MESSAGES } from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { followCalls, followHint, LOCAL_IMPORTS } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';

/** Deep merges and path setters that follow `__proto__`/`constructor` keys of their sources. */
const DEEP_MERGES: Record<string, { fns: string[]; from: number }> = {
  lodash: { fns: ['merge', 'mergeWith', 'defaultsDeep', 'set', 'setWith', 'zipObjectDeep'], from: 1 },
  'lodash-es': { fns: ['merge', 'mergeWith', 'defaultsDeep', 'set', 'setWith', 'zipObjectDeep'], from: 1 },
  'lodash.merge': { fns: [''], from: 1 },
  'lodash.mergewith': { fns: [''], from: 1 },
  'lodash.defaultsdeep': { fns: [''], from: 1 },
  'lodash.set': { fns: [''], from: 1 },
  'deep-extend': { fns: [''], from: 1 },
  'merge-deep': { fns: [''], from: 1 },
  'mixin-deep': { fns: [''], from: 1 },
  'defaults-deep': { fns: [''], from: 1 },
  'set-value': { fns: [''], from: 1 },
  'dot-prop': { fns: ['setProperty', 'set'], from: 1 },
  'object-path': { fns: ['set'], from: 1 },
  jquery: { fns: ['extend'], from: 1 },
  extend: { fns: [''], from: 1 },
};
/** The same functions reached through the usual global names (`_`, `$`). */
const GLOBAL_MERGES = new Set([
  '_.merge',
  '_.mergeWith',
  '_.defaultsDeep',
  '_.set',
  '_.setWith',
  '$.extend',
  'jQuery.extend',
]);

function pollution(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    const dotted = callee.path.join('.');
    const spec = callee.module ? DEEP_MERGES[callee.module] : undefined;
    const isMerge =
      (spec && spec.fns.includes(dotted === 'default' ? '' : dotted)) || (!callee.module && GLOBAL_MERGES.has(dotted));
    if (!isMerge) continue;
    // $.extend(true, target, src): only the deep form follows nested keys.
    if (
      (callee.name === 'extend' || callee.module === 'extend') &&
      !(call.args[0]?.type === 'Literal' && call.args[0].value === true)
    )
      continue;
    for (const arg of call.args.slice(1)) {
      const [t] = m.taints(arg);
      if (t) {
        // lodash skips __proto__ and constructor keys since 4.17.12 (2019); an older one is the dependencies
        // atom's advisory. So a warning (ghostfolio's merge of a whitelisted DTO); the other merges block.
        const lodash = /^lodash/.test(callee.module ?? '') || dotted.startsWith('_.');
        const hit = m.flowHit(
          'unsafe-merge',
          call.node,
          t,
          lodash
            ? `${dotted || callee.module}(), which followed __proto__ and constructor keys before lodash 4.17.12`
            : `${dotted || callee.module}(), which follows __proto__ and constructor keys`,
        );
        if (lodash) hit.severity = 'warning';
        hits.push(hit);
        break;
      }
    }
  }
  // target[key] = value with a client-chosen key (also target[a][b] = value).
  for (const a of m.nodes('AssignmentExpression')) {
    const left = unwrap(a.left);
    if (left.type !== 'MemberExpression' || !left.computed) continue;
    if (nullPrototype(m, left.object)) continue;
    const outer = unwrap(left.object);
    const nested = outer.type === 'MemberExpression' && outer.computed;
    // target[key] = value, one level: a key of "__proto__" swaps the prototype of `target` only. That
    // matters when the value is the client's object and `target` outlives the request (a module-level
    // settings object); a fresh local object or a string value cannot carry it further.
    if (!nested && (m.isScalar(a.right) || m.isConstant(a.right) || !outlivesCall(m, left.object, a))) continue;
    const keys: Node[] = nested ? [outer.property, left.property] : [left.property];
    for (const key of keys) {
      if (m.isConstant(key) || m.isScalar(key)) continue;
      const [t] = m.taints(key);
      if (t) {
        hits.push(
          m.flowHit(
            'request-key',
            a,
            t,
            'an object key in an assignment (a key of "__proto__" changes Object.prototype)',
          ),
        );
        break;
      }
    }
  }
  return hits;
}

/** The object is not created in the function that writes to it: a module-level or outer variable, a property of `this` or of another object. */
function outlivesCall(m: CodeModule, obj: Node, at: Node): boolean {
  const o = unwrap(obj);
  if (o.type !== 'Identifier') return true;
  const b = m.binding(o);
  const def = b?.defs[0];
  if (!b || !def || b.kind === 'param') return true; // a parameter: the caller's object
  const fn = m.enclosingFunction(at);
  if (!fn) return true;
  return !(def.node.start >= fn.start && def.node.end <= fn.end);
}

/** Objects without a prototype (Object.create(null)) or Maps: nothing to pollute. */
function nullPrototype(m: CodeModule, obj: Node): boolean {
  const o = unwrap(obj);
  if (o.type !== 'Identifier') return false;
  const b = m.binding(o);
  const v = b?.defs.length === 1 ? b.defs[0]!.value : null;
  if (!v) return false;
  const src = m.source(v).replace(/\s+/g, '');
  return src === 'Object.create(null)' || /^newMap\(/.test(src) || /__proto__:null/.test(src);
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = ['] =', ']=', 'merge', 'defaultsdeep', 'extend', '.set(', 'set-value', 'dot-prop', 'object-path'];

export default defineAtom({
  id: 'prototype-pollution',
  title: 'Client data never chooses object keys unchecked',
  criteria: {
    pass: 'Keys taken from the request are checked against an allow-list or refused when they are __proto__, constructor or prototype; dynamic dictionaries are Maps or Object.create(null); request data is validated by a schema before any deep merge.',
    fail: 'obj[key] = value with a request-supplied key (directly or in a recursive merge helper) and no __proto__/constructor guard, or lodash merge/defaultsDeep/set, deep-extend, $.extend(true, …) of request data (a lodash one is a warning: lodash guards these keys since 4.17.12).',
  },
  files: CODE_FILES,
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'request-key': {
      message: 'A request-supplied key is used to assign into an object.',
      messages: FLOW_MESSAGES,
      fix: "Refuse prototype keys (if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;), check keys against an allow-list, or store into a Map / Object.create(null).",
    },
    'unsafe-merge': {
      message: 'Request data is deep-merged into an object.',
      messages: FLOW_MESSAGES,
      fix: 'Validate the body with a schema first (only known keys survive), then merge; or copy the known fields by name.',
    },
  },
  examples: {
    bad: [
      // Two files: the merge helper follows every key; the route hands it the body.
      {
        file: 'src/routes/prefs.ts',
        code: "import { deepMerge } from '../utils/merge';\nrouter.post('/prefs', (req, res) => {\n  res.json(deepMerge(prefs, req.body)); // ✗\n});",
        others: {
          'src/utils/merge.ts':
            "export function deepMerge(target: any, source: any) {\n  for (const key in source) {\n    if (typeof source[key] === 'object') target[key] = deepMerge(target[key] ?? {}, source[key]);\n    else target[key] = source[key];\n  }\n  return target;\n}",
        },
      },
      {
        file: 'src/settings.js',
        code: "app.post('/settings', (req, res) => {\n  const { key, value } = req.body;\n  settings[key] = value; // ✗\n  res.sendStatus(204);\n});",
      },
      {
        file: 'src/config.js',
        code: "const _ = require('lodash');\napp.patch('/config', (req, res) => {\n  _.merge(config, req.body); // ✗\n  res.json(config);\n});",
      },
      {
        file: 'src/merge.js',
        code: "function merge(target, source) {\n  for (const key in source) {\n    if (typeof source[key] === 'object') merge((target[key] ??= {}), source[key]);\n    else target[key] = source[key];\n  }\n  return target;\n}\napp.post('/prefs', (req, res) => {\n  res.json(merge(prefs, req.body)); // ✗\n});",
      },
      // A same-file recursive merge (arrow form) into a fresh object: a "__proto__" key of the parsed field
      // walks into Object.prototype on the recursive step, so the fresh target does not make it safe.
      {
        file: 'src/controllers/storage.js',
        code: "const merge = (target, source) => {\n  for (let key in source) {\n    if (typeof source[key] === 'object' && source[key] !== null) {\n      if (!target[key]) target[key] = {};\n      merge(target[key], source[key]);\n    } else target[key] = source[key];\n  }\n  return target;\n};\nmodule.exports = {\n  post: (req, res) => {\n    const metadata = JSON.parse(req.body.metadata);\n    const fileData = {};\n    merge(fileData, metadata); // ✗\n    res.json(fileData);\n  },\n};",
      },
      {
        file: 'src/options.ts',
        code: "import { defaultsDeep } from 'lodash';\nrouter.post('/options', async (ctx) => {\n  ctx.body = defaultsDeep({}, ctx.request.body, DEFAULTS); // ✗\n});",
      },
      {
        file: 'src/lambda.js',
        code: "const merge = require('lodash.merge');\nexports.handler = async (event) => {\n  const settings = merge({}, DEFAULTS, JSON.parse(event.body)); // ✗\n  return { statusCode: 200, body: JSON.stringify(settings) };\n};",
      },
      {
        file: 'src/path.js',
        code: "import _ from 'lodash';\napp.put('/user', (req, res) => {\n  _.set(user, req.body.path, req.body.value); // ✗\n});",
      },
      {
        file: 'src/store.ts',
        code: "fastify.put('/store/:ns/:key', async (request) => {\n  store[request.params.ns][request.params.key] = request.body.value; // ✗\n});",
      },
    ],
    good: [
      // Two files: the same route, and a merge helper that refuses prototype keys.
      {
        file: 'src/routes/prefs.ts',
        code: "import { deepMerge } from '../utils/merge';\nrouter.post('/prefs', (req, res) => {\n  res.json(deepMerge(prefs, req.body));\n});",
        others: {
          'src/utils/merge.ts':
            "export function deepMerge(target: any, source: any) {\n  for (const key in source) {\n    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;\n    if (typeof source[key] === 'object') target[key] = deepMerge(target[key] ?? {}, source[key]);\n    else target[key] = source[key];\n  }\n  return target;\n}",
        },
      },
      // The same merge with a key guard; and one that merges the app's own config file, the request giving only a value.
      {
        file: 'src/controllers/storage.js',
        code: "const merge = (target, source) => {\n  for (const key in source) {\n    if (['__proto__', 'constructor', 'prototype'].includes(key)) continue;\n    if (typeof source[key] === 'object' && source[key] !== null) {\n      if (!target[key]) target[key] = {};\n      merge(target[key], source[key]);\n    } else target[key] = source[key];\n  }\n  return target;\n};\napp.post('/files', (req, res) => {\n  const metadata = JSON.parse(req.body.metadata);\n  const fileData = {};\n  merge(fileData, metadata);\n  res.json(fileData);\n});",
      },
      {
        file: 'src/settings.js',
        code: "const fs = require('fs');\nconst merge = (target, source) => {\n  for (const key in source) {\n    if (typeof source[key] === 'object' && source[key] !== null) {\n      if (!target[key]) target[key] = {};\n      merge(target[key], source[key]);\n    } else target[key] = source[key];\n  }\n  return target;\n};\nconst settings = merge({}, JSON.parse(fs.readFileSync('config.json', 'utf8')));\napp.post('/files', (req, res) => {\n  const metadata = JSON.parse(req.body.metadata);\n  res.json(merge({ name: metadata.name }, settings));\n});",
      },
      {
        file: 'src/lib/request.ts',
        code: 'export function parseQuery(req) {\n  const raw = Object.fromEntries(new URL(req.url).searchParams);\n  const query = {};\n  for (const key of Object.keys(raw)) if (/\\d+$/.test(key)) query[key] = raw[key];\n  const headers = {};\n  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = String(v);\n  return { query, headers };\n}',
      },
      {
        file: 'src/merge.js',
        code: "function merge(target, source) {\n  for (const key of Object.keys(source)) {\n    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;\n    target[key] = source[key];\n  }\n  return target;\n}\napp.post('/prefs', (req, res) => res.json(merge(prefs, req.body)));",
      },
      {
        file: 'src/settings.js',
        code: "app.post('/settings', (req, res) => {\n  const { key, value } = req.body;\n  const settings = Object.create(null);\n  settings[key] = value;\n  res.json(settings);\n});",
      },
      {
        file: 'src/map.js',
        code: "const settings = new Map();\napp.post('/settings', (req, res) => {\n  settings.set(req.body.key, req.body.value);\n  res.sendStatus(204);\n});",
      },
      {
        file: 'src/allow.js',
        code: "const EDITABLE = ['theme', 'language'];\napp.post('/settings', (req, res) => {\n  const { key, value } = req.body;\n  if (!EDITABLE.includes(key)) return res.sendStatus(400);\n  settings[key] = value;\n});",
      },
      {
        file: 'src/schema.ts',
        code: "import _ from 'lodash';\nconst Prefs = z.object({ theme: z.enum(['light', 'dark']) });\napp.post('/prefs', (req, res) => {\n  _.merge(config, Prefs.parse(req.body));\n});",
      },
      {
        file: 'src/loop.js',
        code: "const out = {};\nfor (let i = 0; i < rows.length; i++) out[i] = rows[i];\nuser['name'] = req.body.name;\nconst copy = Object.assign({}, req.body);",
      },
      {
        file: 'src/extend.js',
        code: "import $ from 'jquery';\napp.post('/x', (req, res) => {\n  const opts = $.extend({}, DEFAULTS, req.body);\n});",
      },
    ],
  },
  check: codeCheck(
    followCalls(pollution, SINK_WORDS),
    sinkWithRequest('request-key', /\[[^\]]+\]\s*=[^=]|\bmerge\s*\(|defaultsDeep\s*\(/),
    followHint(SINK_WORDS),
  ),
});
