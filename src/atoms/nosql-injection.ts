import type { CodeModule, Node, Taint } from '../ast/module.js';
import { keyName, propertyName, unwrap } from '../ast/nodes.js';
import { defineAtom, FLOW_MESSAGES, type CheckContext, type Hit, type SourceFile } from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { followCalls, followHint, LOCAL_IMPORTS } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';
import { importedKind } from '../kit/imports.js';

/** What shows a module talks to MongoDB. */
const MONGO =
  /['"](?:mongoose|mongodb|monk|mongojs|mongoist|@nestjs\/mongoose|@typegoose\/typegoose)['"]|\bMongoClient\b|\bnew\s+Schema\s*\(/;
/** What shows a module talks to an SQL database through a query builder or ORM, where a client object is no operator. */
const SQL =
  /['"](?:knex|sequelize|sequelize-typescript|@prisma\/client|typeorm|pg|mysql2?|sqlite3|better-sqlite3|drizzle-orm[\w/-]*|kysely|objection|@mikro-orm\/[\w-]+|postgres|slonik)['"]|\b(?:PrismaClient|PrismaService)\b/;
/** Keys of an ORM's options object (`{ where, data }` in Prisma, `{ where, attributes }` in Sequelize): not a Mongo filter. */
const ORM_OPTIONS = new Set([
  'where',
  'data',
  'select',
  'include',
  'orderBy',
  'take',
  'skip',
  'cursor',
  'distinct',
  'attributes',
  'relations',
  'order',
  'limit',
  'offset',
  'transaction',
  'returning',
  'create',
  'update',
]);

/** MongoDB driver and mongoose methods whose first argument is a filter. */
const FILTER_METHODS = new Set([
  'find',
  'findOne',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'findOneAndRemove',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'countDocuments',
  'count',
  'replaceOne',
  'remove',
  'update',
  'exists',
  'where',
  'findById',
  'findByIdAndUpdate',
  'findByIdAndDelete',
  'findByIdAndRemove',
  'estimatedDocumentCount',
]);
/** Methods whose second argument is an update document. */
const UPDATE_METHODS = new Set([
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'findByIdAndUpdate',
  'update',
  'replaceOne',
  'findOneAndReplace',
]);

function queries(m: CodeModule): Array<{ hit: Hit; module?: string }> {
  const hits: Array<{ hit: Hit; module?: string }> = [];
  const push = (hit: Hit, module?: string) => hits.push({ hit, module });
  // mongoose.set('sanitizeFilter', true) turns operator objects in filters into literal values.
  const sanitized = m
    .calls()
    .some(
      (c) =>
        c.callee.name === 'set' &&
        m.stringValue(c.args[0] ?? c.node) === 'sanitizeFilter' &&
        m.stringValue(c.args[1] ?? c.node) === 'true',
    );
  const structured = (expr: Node): Taint | undefined => m.taints(expr).find((t) => t.structured);
  for (const call of m.calls()) {
    const { callee } = call;
    if (call.isNew || callee.path.length < 2) continue;
    if (callee.name === 'mapReduce') {
      const t = call.args.map((a) => m.taints(a)[0]).find(Boolean);
      if (t) push(m.flowHit('request-map-reduce', call.node, t, 'mapReduce(), which runs it as JavaScript'));
      continue;
    }
    if (!FILTER_METHODS.has(callee.name) || sanitized) continue;
    const filter = call.args[0];
    if (!filter || filter.type === 'SpreadElement') continue;
    const f = unwrap(filter);
    if (f.type === 'ArrowFunctionExpression' || f.type === 'FunctionExpression') continue; // Array.prototype.find
    const literal = m.objectLiteral(f);
    // prisma.user.update({ where: { id }, data: { name } }): an ORM's options, not a Mongo filter.
    if (
      literal?.properties.length &&
      literal.properties.some((p: Node) => p.type === 'Property' && keyName(p) === 'where') &&
      literal.properties.every((p: Node) => p.type === 'Property' && ORM_OPTIONS.has(keyName(p) ?? ''))
    )
      continue;
    let reported = false;
    if (literal) {
      const field = fieldTaint(m, literal, structured);
      if (field) {
        push(
          m.flowHit(
            'operator-injection',
            call.node,
            field,
            `a ${callee.name}() filter, where an object such as {"$ne": null} becomes a query operator`,
          ),
          callee.module,
        );
        reported = true;
      }
    } else {
      const t = structured(f);
      if (t) {
        push(m.flowHit('request-filter', call.node, t, `${callee.name}() as the whole filter`), callee.module);
        reported = true;
      }
    }
    const update = call.args[1];
    // { ...req.body } or Object.assign({}, req.body) at the top: the client's object is still the whole document.
    const literalUpdate = update && update.type !== 'SpreadElement' ? m.objectLiteral(update) : undefined;
    const whole = literalUpdate
      ? (literalUpdate.properties as Node[]).find((p) => p.type === 'SpreadElement' && structured(p.argument))?.argument
      : update;
    if (!reported && UPDATE_METHODS.has(callee.name) && whole && whole.type !== 'SpreadElement') {
      const t = structured(whole);
      if (t)
        push(
          m.flowHit(
            'request-update',
            call.node,
            t,
            `${callee.name}() as the whole update document ($set, $inc, $rename … chosen by the client)`,
          ),
          callee.module,
        );
    }
  }
  // A $where clause the database runs as JavaScript: a function or a constant is the app's own code.
  const whereClause = (at: Node, value: Node) => {
    const v = unwrap(value);
    if (v.type === 'FunctionExpression' || v.type === 'ArrowFunctionExpression' || m.isConstant(v)) return;
    const [t] = m.taints(v);
    push(
      t
        ? m.flowHit('where-clause', at, t, 'a $where clause, run by the database as JavaScript')
        : m.hit('where-clause', at, { messageId: 'built' }),
    );
  };
  // { $where: `this.name == '${name}'` }
  for (const obj of m.nodes('ObjectExpression'))
    for (const p of obj.properties) if (p.type === 'Property' && keyName(p) === '$where') whereClause(p, p.value);
  // query.$where = "…" + end / query['$where'] = …: the same clause, set after the filter was made.
  for (const a of m.nodes('AssignmentExpression')) {
    const left = unwrap(a.left);
    if (left.type !== 'MemberExpression' || a.operator !== '=') continue;
    const key = left.computed ? m.stringValue(left.property) : propertyName(left);
    if (key === '$where') whereClause(a, a.right);
  }
  return hits;
}

/**
 * Keeps the findings whose database may be MongoDB: not in a module that uses only an SQL builder or ORM,
 * nor on a receiver imported from a local module that does (`const query = require('../queries')` over knex).
 */
function mongoQueries(
  m: CodeModule,
  file: SourceFile,
  ctx: CheckContext<Record<string, never>>,
): Hit[] | Promise<Hit[]> {
  const found = queries(m);
  if (!found.length) return [];
  if (SQL.test(file.text) && !MONGO.test(file.text))
    return found.filter((f) => f.hit.rule === 'where-clause').map((f) => f.hit);
  // Only a receiver imported from a local module asks the project (the analysis stays synchronous otherwise).
  const local = (module?: string) => module !== undefined && !MONGO.test(file.text) && /^[.@~#/]/.test(module);
  if (!found.some((f) => local(f.module))) return found.map((f) => f.hit);
  return (async () => {
    const hits: Hit[] = [];
    for (const { hit, module } of found) {
      if (local(module) && (await importedKind(ctx.project, file.path, module!, { mongo: MONGO, sql: SQL })) === 'sql')
        continue;
      hits.push(hit);
    }
    return hits;
  })();
}

/** A field of a filter literal (not under an operator such as $eq or $in) whose value may be a client-supplied object. */
function fieldTaint(
  m: CodeModule,
  literal: Node,
  structured: (e: Node) => Taint | undefined,
  depth = 0,
): Taint | undefined {
  if (depth > 3) return undefined;
  for (const p of literal.properties) {
    if (p.type === 'SpreadElement') {
      const t = structured(p.argument);
      if (t) return t;
      continue;
    }
    const key = keyName(p);
    if (key === '$and' || key === '$or' || key === '$nor') {
      const arr = unwrap(p.value);
      for (const e of arr.type === 'ArrayExpression' ? arr.elements : []) {
        const inner = e && m.objectLiteral(e);
        const t = inner && fieldTaint(m, inner, structured, depth + 1);
        if (t) return t;
      }
      continue;
    }
    if (key?.startsWith('$')) continue;
    const inner = m.objectLiteral(p.value);
    if (inner) {
      // { age: { $gt: x } }: operators chosen by the code; their values are compared as data.
      if (inner.properties.every((q: Node) => q.type === 'Property' && keyName(q)?.startsWith('$'))) continue;
      const t = fieldTaint(m, inner, structured, depth + 1);
      if (t) return t;
      continue;
    }
    const t = structured(p.value);
    if (t) return t;
  }
  return undefined;
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = [
  'mongo',
  'find',
  'updateone',
  'updatemany',
  'deleteone',
  'deletemany',
  '$where',
  'mapreduce',
  'countdocuments',
  'collection',
  'model',
];

export default defineAtom({
  id: 'nosql-injection',
  title: 'MongoDB filters take values, not client objects',
  criteria: {
    pass: 'Values from the request are cast or validated before they reach a filter (String(x), a zod/joi schema, typeof x === "string", { $eq: x }), or mongoose sanitizeFilter / express-mongo-sanitize strips operators; $where is never built from data.',
    fail: 'Request data is used as a MongoDB/mongoose filter, a filter field, or a whole update document unchecked (so {"$ne": null} or {"$gt": ""} logs in as anyone), a $where clause is built from non-constant parts, or mapReduce gets request data.',
  },
  files: CODE_FILES,
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'operator-injection': {
      message: 'A filter field takes a request value that may be an object with query operators.',
      messages: FLOW_MESSAGES,
      fix: "Cast or validate first: User.findOne({ email: String(req.body.email) }), or { email: { $eq: email } }, or parse the body with a schema (z.object({ email: z.string().email() })); or enable mongoose.set('sanitizeFilter', true).",
    },
    'request-filter': {
      message: 'A request object is used as the whole filter.',
      messages: FLOW_MESSAGES,
      fix: 'Build the filter from named, validated fields: const { status } = schema.parse(req.query); Order.find({ status }).',
    },
    'request-update': {
      message: 'A request object is used as the whole update document.',
      messages: FLOW_MESSAGES,
      fix: 'Pick the fields the client may change and wrap them in $set: User.updateOne({ _id }, { $set: { name: body.name } }).',
    },
    'where-clause': {
      message: '$where is built from non-constant parts; the database runs it as JavaScript.',
      messages: {
        ...FLOW_MESSAGES,
        built: '$where runs JavaScript built from non-constant parts in the database.',
      },
      fix: 'Replace $where with query operators ({ name: value }, $expr); never build JavaScript for the database from data.',
    },
    'request-map-reduce': {
      message: 'Request data reaches mapReduce, which runs JavaScript in the database.',
      messages: FLOW_MESSAGES,
      fix: 'Use a fixed aggregation pipeline with validated values instead of client-supplied map/reduce code.',
    },
  },
  examples: {
    bad: [
      // A mongoose model required from its own module: its find() takes operators.
      {
        file: 'routes/login.js',
        code: "const User = require('../models/User');\nrouter.post('/login', async (req, res) => {\n  const user = await User.findOne({ email: req.body.email, password: req.body.password }); // ✗\n  res.json(user);\n});",
        others: {
          'models/User.js':
            "const mongoose = require('mongoose');\nmodule.exports = mongoose.model('User', new mongoose.Schema({ email: String, password: String }));",
        },
      },
      // Two files: the model's helper takes the whole filter; the route passes the body.
      {
        file: 'routes/users.js',
        code: "const users = require('../models/users');\nrouter.post('/login', async (req, res) => {\n  const user = await users.findOneBy(req.body); // ✗\n  res.json(user);\n});",
        others: {
          'models/users.js':
            "const mongoose = require('mongoose');\nconst User = mongoose.model('User', new mongoose.Schema({ name: String }));\nexports.findOneBy = (filter) => User.findOne(filter);",
        },
      },
      {
        file: 'src/login.js',
        code: "app.post('/login', async (req, res) => {\n  const user = await User.findOne({ email: req.body.email, password: req.body.password }); // ✗\n  res.json(user);\n});",
      },
      {
        file: 'src/orders.js',
        code: "router.get('/orders', async (req, res) => {\n  const docs = await db.collection('orders').find(req.query).toArray(); // ✗\n  res.json(docs);\n});",
      },
      {
        file: 'src/search.js',
        code: "export const byName = (name) =>\n  Users.find({ $where: `this.name === '${name}'` }); // ✗",
      },
      {
        file: 'src/timeline.js',
        code: "router.get('/timeline', async (req, res) => {\n  const query = { hidden: false };\n  query['$where'] = \"this.end <= new Date('\" + req.query.end + \"')\"; // ✗\n  res.json(await db.collection('events').find(query).toArray());\n});",
      },
      {
        file: 'src/items.ts',
        code: "router.post('/item', async (ctx) => {\n  ctx.body = await Item.findOne({ _id: ctx.request.body.id }); // ✗\n});",
      },
      {
        file: 'src/cats.controller.ts',
        code: "@Controller('cats')\nexport class CatsController {\n  @Get()\n  findAll(@Query() query: any) {\n    return this.catModel.find({ owner: query.owner }); // ✗\n  }\n}",
      },
      {
        file: 'src/profile.js',
        code: "app.put('/me', async (req, res) => {\n  await User.updateOne({ _id: req.user.id }, req.body); // ✗\n  res.sendStatus(204);\n});",
      },
      // Copied into a new object first: its keys ($rename, $unset …) are still the client's.
      {
        file: 'src/profile.js',
        code: "app.put('/me', async (req, res) => {\n  await User.updateOne({ _id: req.user.id }, { ...req.body, updatedAt: new Date() }); // ✗\n  res.sendStatus(204);\n});",
      },
      {
        file: 'src/reset.ts',
        code: "fastify.post('/reset', async (request) => {\n  const { username, token } = request.body;\n  const user = await users.findOne({ username, resetToken: token }); // ✗\n  return { ok: !!user };\n});",
      },
      {
        file: 'src/stats.js',
        code: "app.post('/stats', async (req, res) => {\n  const out = await orders.mapReduce(req.body.map, req.body.reduce, { out: { inline: 1 } }); // ✗\n  res.json(out);\n});",
      },
    ],
    good: [
      // The client's object only inside $set: it picks fields and values, not operators (which fields may
      // change is mass assignment, not injection).
      {
        file: 'src/profile.js',
        code: "app.put('/me', async (req, res) => {\n  await User.updateOne({ _id: req.user.id }, { $set: { ...req.body }, $currentDate: { updatedAt: true } });\n  res.sendStatus(204);\n});",
      },
      // Two files: a model from a local module that is Sequelize (SQL): find() takes no Mongo operators there.
      {
        file: 'routes/users.js',
        code: "const User = require('../models/User');\nrouter.post('/login', async (req, res) => {\n  const user = await User.findOne({ name: req.body.name });\n  res.json(user);\n});",
        others: {
          'models/User.js':
            "const { DataTypes } = require('sequelize');\nconst sequelize = require('./db');\nmodule.exports = sequelize.define('User', { name: DataTypes.STRING });",
        },
      },
      {
        file: 'src/pages/api/user.ts',
        code: "import prisma from '../../lib/prisma';\nexport default async function handler(req, res) {\n  await prisma.user.update({ where: { id: req.session.userId }, data: { username: req.body.username } });\n  res.json({ ok: true });\n}",
      },
      {
        file: 'src/handlers/auth.js',
        code: "const knex = require('knex')(require('../knexfile'));\nasync function reset(req, res) {\n  const user = await knex('users').where({ email: req.body.email }).update({ token: null });\n  res.json(user);\n}",
      },
      {
        file: 'src/routes/products.js',
        code: "const { Product } = require('../models'); // Sequelize\nconst { Op } = require('sequelize');\nrouter.get('/products', async (req, res) => {\n  res.json(await Product.findAll({ where: { name: req.query.name } }));\n});",
      },
      {
        file: 'src/login.js',
        code: "app.post('/login', async (req, res) => {\n  const user = await User.findOne({ email: String(req.body.email) });\n  res.json(user);\n});",
      },
      {
        file: 'src/eq.js',
        code: "app.post('/login', async (req, res) => {\n  const user = await User.findOne({ email: { $eq: req.body.email } });\n  res.json(user);\n});",
      },
      {
        file: 'src/zod.ts',
        code: "const Login = z.object({ email: z.string().email(), password: z.string() });\napp.post('/login', async (req, res) => {\n  const { email } = Login.parse(req.body);\n  res.json(await User.findOne({ email }));\n});",
      },
      {
        file: 'src/byid.js',
        code: "app.get('/users/:id', async (req, res) => {\n  res.json(await User.findById(req.params.id));\n  res.json(await User.findOne({ _id: req.params.id }));\n});",
      },
      {
        file: 'src/typeof.js',
        code: "app.post('/session', async (req, res) => {\n  const { token } = req.body;\n  if (typeof token !== 'string') return res.sendStatus(400);\n  res.json(await Session.findOne({ token }));\n});",
      },
      {
        file: 'src/array.js',
        code: "app.get('/item', (req, res) => {\n  res.json(items.find((i) => i.id === req.query.id));\n});",
      },
      {
        file: 'src/where.js',
        code: 'const old = await Users.find({ $where: function () { return this.updated < this.created; } });\nconst adults = await Users.find({ age: { $gte: Number(req.query.age) } });',
      },
      {
        file: 'src/sanitize.js',
        code: "mongoose.set('sanitizeFilter', true);\napp.post('/login', async (req, res) => {\n  res.json(await User.findOne({ email: req.body.email }));\n});",
      },
    ],
  },
  check: codeCheck(
    followCalls(mongoQueries, SINK_WORDS),
    sinkWithRequest('operator-injection', /\.(?:find\w*|update\w*|delete\w*)\s*\(/),
    followHint(SINK_WORDS),
  ),
});
