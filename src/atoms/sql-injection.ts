import type { CodeModule, Node } from '../ast/module.js';
import { defineAtom, type Hit, type SourceFile, FLOW_MESSAGES } from '../kit/atom.js';
import { codeCheck } from '../kit/code.js';
import { followCalls, followHint, LOCAL_IMPORTS } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';
import { callArguments, findCalls, resolveIdentifier } from '../kit/scan.js';

const SQL_WORDS =
  /\b(?:select\s[\s\S]*\bfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|where\s|order\s+by|group\s+by|values\s*\(|join\s)/i;
/** Text that starts like a statement: what `exec`/`get`/`run` must hold to be taken as SQL. */
const SQL_STATEMENT =
  /^\s*(?:select|insert|update|delete|with|create|drop|alter|pragma|replace|merge|truncate|begin|grant)\b/i;

/** Methods that send their first argument to the database as SQL. */
const QUERY_METHODS = new Set([
  'query',
  'execute',
  'raw',
  'whereRaw',
  'orWhereRaw',
  'andWhereRaw',
  'havingRaw',
  'orHavingRaw',
  'orderByRaw',
  'groupByRaw',
  'joinRaw',
  'fromRaw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'unsafe',
  'sql',
]);
/** sqlite3/better-sqlite3 and pg-promise methods: names too common to judge without a database receiver or SQL text. */
const DB_METHODS = new Set([
  'exec',
  'prepare',
  'all',
  'get',
  'run',
  'each',
  'iterate',
  // pg-promise: db.one(sql), db.any(sql), …
  'one',
  'oneOrNone',
  'many',
  'manyOrNone',
  'any',
  'none',
  'multi',
  'result',
]);
const DB_RECEIVER =
  /^(?:db|database|sqlite|sqlite3|conn|connection|client|pool|knex|sequelize|prisma|tx|trx|manager|entityManager|dataSource|repository|repo)$/i;
/** TypeORM query-builder methods that take an SQL condition string. */
const BUILDER_METHODS = new Set([
  'where',
  'andWhere',
  'orWhere',
  'having',
  'andHaving',
  'orHaving',
  'orderBy',
  'addOrderBy',
  'groupBy',
  'addGroupBy',
  'select',
  'addSelect',
  'innerJoin',
  'leftJoin',
  'innerJoinAndSelect',
  'leftJoinAndSelect',
]);
/** Raw fragments spliced into a query as they are. */
const RAW_FRAGMENTS = new Set([
  'sql.raw',
  'Prisma.raw',
  'Sequelize.literal',
  'sequelize.literal',
  'literal',
  'knex.raw',
  'db.raw',
]);
/** The names those fragments are called by (the last part of each, as `Callee.name` gives it). */
const RAW_NAMES = new Set([...RAW_FRAGMENTS].map((dotted) => dotted.split('.').at(-1)!));

function sqlCalls(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    const [first] = call.args;
    if (!first || call.isNew || first.type === 'SpreadElement') continue;
    const isQuery = QUERY_METHODS.has(callee.name) && callee.path.length > 1 && callee.name !== 'sql';
    const isDb = DB_METHODS.has(callee.name) && callee.path.length > 1;
    const isBuilder = BUILDER_METHODS.has(callee.name) && callee.path.some((s) => s.startsWith('createQueryBuilder'));
    // Most calls are none of these: judged by name before any text is built for them.
    if (!isQuery && !isDb && !isBuilder && !RAW_NAMES.has(callee.name)) continue;
    const receiver = callee.path.at(-2)?.replace(/\(\)$/, '') ?? '';
    const dotted = callee.path.join('.');

    if (
      RAW_FRAGMENTS.has(dotted) ||
      (callee.module === 'sequelize' && callee.name === 'literal') ||
      (callee.module === 'drizzle-orm' && dotted === 'sql.raw')
    ) {
      report(m, hits, call.node, first, 'raw-fragment', `${dotted}()`);
      continue;
    }
    if (!isQuery && !isDb && !isBuilder) continue;
    if (m.isConstant(first)) continue;
    const shape = m.shape(first) ?? '';
    if (isDb && !DB_RECEIVER.test(receiver) && !SQL_STATEMENT.test(shape)) continue;
    if (!SQL_WORDS.test(shape) && !(isBuilder && /[=<>]|\blike\b|\bin\b/i.test(shape))) {
      // Not visibly SQL text: a finding only when the request itself is the query.
      const [t] = m.taints(first);
      if (t && !m.flow.isSanitiserCall(first))
        hits.push(m.flowHit('request-in-query', call.node, t, `${dotted}() as SQL`));
      continue;
    }
    report(m, hits, call.node, first, null, `${dotted}()`);
  }
  return hits;
}

/** Names of SQL identifiers and placeholder lists: what code interpolates on purpose (`${tableName}`, `${placeholders}`). */
const IDENTIFIER_NAME =
  /(?:^|[a-z_])(?:table|column|col|field|schema|alias|identifier|placeholders?|quoted|escaped)s?(?:Name|Names|Id|List)?$|^(?:table|column|col|field|schema|alias)/i;

/**
 * A part spliced into SQL that the code itself controls: a property of `this` (a model's table name),
 * a list of placeholders (`ids.map(() => '?').join(',')`), or a value named as an SQL identifier.
 * Only for parts no request data reaches.
 */
function ownPart(m: CodeModule, part: Node): boolean {
  if (m.taints(part).length) return false;
  const n = part.type === 'ParenthesizedExpression' ? part.expression : part;
  if (n.type === 'MemberExpression' && n.object.type === 'ThisExpression') return true;
  const text = m.source(n);
  if (/\.map\(\s*\(\)\s*=>\s*['"`](?:\?|\$\d*)['"`]\s*\)\s*\.join\(/.test(text)) return true;
  if (n.type === 'Identifier') {
    if (IDENTIFIER_NAME.test(n.name)) return true;
    const value = m.binding(n)?.defs.find((d) => d.value && d.kind === 'init')?.value;
    if (value && /\.map\(\s*\(\)\s*=>\s*['"`](?:\?|\$\d*)['"`]\s*\)\s*\.join\(/.test(m.source(value))) return true;
  }
  if (n.type === 'MemberExpression' && IDENTIFIER_NAME.test(m.source(n.property))) return true;
  if (ormBuilt(m, n)) return true;
  return false;
}

/** An ORM's own SQL generator, which escapes values and quotes identifiers (Sequelize's queryGenerator). */
const ORM_SQL_BUILDERS = /^(?:getWhereConditions|whereQuery|whereItemsQuery|whereItemQuery|selectQuery|quoteTable)$/;

/** `queryGenerator.getWhereConditions(where)`, directly or through a const holding its result. */
function ormBuilt(m: CodeModule, part: Node): boolean {
  let n = part;
  if (n.type === 'Identifier') {
    const b = m.binding(n);
    const def = b?.kind === 'const' && b.defs.length === 1 ? b.defs[0] : undefined;
    if (!def?.value || def.path.length) return false;
    n = def.value;
  }
  return n.type === 'CallExpression' && ORM_SQL_BUILDERS.test(m.callee(n.callee).name);
}

function report(m: CodeModule, hits: Hit[], sink: Node, sql: Node, forced: 'raw-fragment' | null, what: string) {
  const parts = m.dynamicParts(sql);
  const [t] = m.taints(sql);
  if (!parts.length && !(forced && t)) return;
  if (!t && parts.every((p) => ownPart(m, p))) return;
  const rule = forced ?? (isTemplate(m, sql) ? 'interpolated-query' : 'concatenated-query');
  const part = parts[0] ? `\`${m.source(parts[0]).slice(0, 40)}\`` : t!.label;
  const data = { part, sink: what, ...(t ? { source: t.label, line: t.lines[0]! } : {}) };
  hits.push(
    m.hit(rule, sink, {
      messageId: t ? 'builtFromRequest' : 'built',
      data,
      flow: [...parts.map((p) => m.line(p)), ...(t?.lines ?? [])],
    }),
  );
}

/** Whether the SQL text (or the value it was built into) is a template literal. */
function isTemplate(m: CodeModule, expr: Node): boolean {
  let n = expr;
  for (let i = 0; i < 4; i++) {
    const u = n.type === 'ParenthesizedExpression' ? n.expression : n;
    if (u.type === 'TemplateLiteral') return true;
    if (u.type !== 'Identifier') return false;
    const b = m.binding(u);
    const v = b?.defs.find((d) => d.value && (d.kind === 'init' || d.kind === 'assign'))?.value;
    if (!v) return false;
    n = v;
  }
  return false;
}

/** The lexical check of the foundation, kept for files the parser rejects. */
function lexical(file: SourceFile): Hit[] {
  const hits: Hit[] = [];
  for (const call of findCalls(file.text, [
    'query',
    'execute',
    'raw',
    'whereRaw',
    '$queryRawUnsafe',
    '$executeRawUnsafe',
  ])) {
    const [first] = callArguments(file.text, call.argsStart);
    if (!first) continue;
    const expr = (resolveIdentifier(file.text, first.text, call.start) ?? first.text).trim();
    const template = /^`[\s\S]*\$\{/.test(expr);
    const concat = (/^['"]/.test(expr) && /['"]\s*\+/.test(expr)) || /\+\s*['"]/.test(expr);
    if ((template || concat) && SQL_WORDS.test(expr)) {
      hits.push({
        rule: template ? 'interpolated-query' : 'concatenated-query',
        ...file.position(call.start),
        messageId: 'reduced',
      });
    }
  }
  return hits;
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = ['select', 'insert', 'update', 'delete', 'where', 'order by', 'raw', 'literal', 'unsafe', 'query('];

export default defineAtom({
  id: 'sql-injection',
  title: 'SQL is parameterised',
  criteria: {
    pass: 'Every query keeps SQL text and values apart: placeholders ($1, ?, :name) with a values array, or a tagged template (sql``, Prisma.sql``) that binds them; identifiers (table, column, sort order) come from a fixed allow-list.',
    fail: 'SQL text is built by string concatenation or template interpolation of non-constant values (or is request data itself) and sent to a query API (pg, mysql, sqlite, knex, Sequelize, TypeORM, Prisma, drizzle).',
  },
  files: CODE_FILES,
  // The SQL text must be in the file for it to be built there; raw fragments need no SQL words.
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'interpolated-query': {
      message: 'SQL built with template interpolation is sent to the database.',
      messages: {
        across: FLOW_MESSAGES.across,
        reduced:
          'SQL built from pieces is sent to the database (reduced check: the file could not be parsed or analysed in full).',
        built: 'SQL built with template interpolation of {part} is sent to the database by {sink}.',
        builtFromRequest:
          'SQL built with template interpolation of {part} (from {source}, line {line}) is sent to the database by {sink}.',
      },
      fix: 'Use placeholders and pass values separately: db.query("SELECT * FROM users WHERE id = $1", [id]), or a tagged template such as sql`… ${id}`.',
    },
    'concatenated-query': {
      message: 'SQL built by string concatenation is sent to the database.',
      messages: {
        across: FLOW_MESSAGES.across,
        reduced:
          'SQL built from pieces is sent to the database (reduced check: the file could not be parsed or analysed in full).',
        built: 'SQL built with string concatenation of {part} is sent to the database by {sink}.',
        builtFromRequest:
          'SQL built with string concatenation of {part} (from {source}, line {line}) is sent to the database by {sink}.',
      },
      fix: 'Replace the concatenation with placeholders and a values array; take identifiers (table, column names) from a fixed allow-list.',
    },
    'raw-fragment': {
      message: 'A non-constant value is spliced into SQL as a raw fragment.',
      messages: {
        across: FLOW_MESSAGES.across,
        built: '{part} is spliced into SQL unescaped by {sink}.',
        builtFromRequest: '{part} (from {source}, line {line}) is spliced into SQL unescaped by {sink}.',
      },
      fix: 'Bind values (sql`… ${value}`, replacements/bind parameters); for identifiers pick from a constant allow-list: const col = SORTABLE[req.query.sort] ?? "created_at".',
    },
    'request-in-query': {
      message: 'Request data is sent to the database as SQL text.',
      messages: FLOW_MESSAGES,
      fix: 'Never run SQL that comes from the client; keep fixed statements in the code and pass the client values as parameters.',
    },
  },
  examples: {
    bad: [
      // Two files (NestJS): the controller hands a query parameter to an injected service that splices it into SQL.
      {
        file: 'src/users/users.controller.ts',
        code: "import { Controller, Get, Query } from '@nestjs/common';\nimport { UsersService } from './users.service';\n@Controller('users')\nexport class UsersController {\n  constructor(private readonly usersService: UsersService) {}\n  @Get()\n  search(@Query('name') name: string) {\n    return this.usersService.findByName(name); // ✗\n  }\n}",
        others: {
          'src/users/users.service.ts':
            "import { Injectable } from '@nestjs/common';\nimport { PrismaService } from '../prisma.service';\n@Injectable()\nexport class UsersService {\n  constructor(private readonly prisma: PrismaService) {}\n  findByName(name: string) {\n    return this.prisma.$queryRawUnsafe(`SELECT * FROM users WHERE name = '${name}'`);\n  }\n}",
        },
      },
      // Two files: a query builder of another module returns SQL built from its argument.
      {
        file: 'src/routes/posts.js',
        code: "const { searchSql } = require('../queries');\nrouter.get('/posts', async (req, res) => {\n  res.json(await pool.query(searchSql(req.query.q))); // ✗\n});",
        others: { 'src/queries.js': 'exports.searchSql = (q) => "SELECT * FROM posts WHERE title = \'" + q + "\'";' },
      },
      // The client of a local module keeps its name: prisma, knex, db, pool from '../lib/…' are database clients.
      {
        file: 'src/app/api/search/route.ts',
        code: "import prisma from '../../../lib/prisma';\nexport async function GET(req: Request) {\n  const q = new URL(req.url).searchParams.get('q');\n  return Response.json(await prisma.$queryRawUnsafe(`SELECT * FROM posts WHERE title = '${q}'`)); // ✗\n}",
      },
      // Two files: an exported instance whose method sends its argument as SQL.
      {
        file: 'src/routes/search.ts',
        code: "import db from '../db';\nrouter.get('/search', async (req, res) => {\n  res.json(await db.fetchAll(\"SELECT * FROM posts WHERE title LIKE '%\" + req.query.q + \"%'\")); // ✗\n});",
        others: {
          'src/db.ts':
            "import { Pool } from 'pg';\nclass Database {\n  private pool = new Pool();\n  fetchAll(sql: string, params: unknown[] = []) {\n    return this.pool.query(sql, params);\n  }\n}\nexport default new Database();",
        },
      },
      // Two files: the helper trusts its caller with a column name; the route passes the client's.
      {
        file: 'routes/items.js',
        code: "const items = require('../db/items');\nrouter.get('/items', async (req, res) => {\n  res.json(await items.listSorted(req.query.sort)); // ✗\n});",
        others: {
          'db/items.js':
            "const pool = require('./pool');\nexports.listSorted = (column) => pool.query(`SELECT * FROM items ORDER BY ${column}`);",
        },
      },
      // A long concatenation: its first words still make it SQL.
      {
        file: 'model/orders.js',
        code: 'function purchase(cart) {\n  const q = "INSERT INTO purchases(mail, product, address, phone, price) VALUES(\'" +\n    cart.mail + "\', \'" + cart.product + "\', \'" + cart.address + "\', \'" + cart.phone + "\', \'" + cart.price + "\');";\n  return db.one(q); // ✗\n}\nmodule.exports = { purchase };',
      },
      // A fragment the ORM generated, joined with one it did not: the other is still spliced in.
      {
        file: 'src/search/titles.ts',
        code: 'export async function search(sequelize: Sequelize, where: WhereOptions, order: string) {\n  const conditions = sequelize.getQueryInterface().queryGenerator.getWhereConditions(where);\n  return sequelize.query(`SELECT * FROM documents WHERE ${conditions} ORDER BY ${order}`); // ✗\n}',
      },
      {
        file: 'model/auth.js',
        code: 'const pgp = require(\'pg-promise\')();\nfunction doAuth(username, password) {\n  const db = pgp(config.db.connectionString);\n  const q = "SELECT * FROM users WHERE name = \'" + username + "\' AND password =\'" + password + "\';";\n  return db.one(q); // ✗\n}\nmodule.exports = doAuth;',
      },
      {
        file: 'src/export.js',
        code: "router.get('/export', async (req, res) => {\n  const tableName = req.query.table;\n  res.json(await pool.query(`SELECT * FROM ${tableName}`)); // ✗\n});",
      },
      {
        file: 'src/users.ts',
        code: 'export async function find(id: string) {\n  return db.query(`SELECT * FROM users WHERE id = ${id}`); // ✗\n}',
      },
      {
        file: 'src/users.js',
        code: "app.get('/users', async (req, res) => {\n  const sql = 'SELECT * FROM users WHERE name = \\'' + req.query.name + '\\'';\n  const rows = await pool.query(sql); // ✗\n  res.json(rows);\n});",
      },
      { file: 'src/orders.ts', code: 'await prisma.$queryRawUnsafe(`DELETE FROM orders WHERE id = ${orderId}`); // ✗' },
      {
        file: 'src/report.js',
        code: "router.get('/report', (req, res) => {\n  knex.raw('SELECT * FROM sales ORDER BY ' + req.query.sort); // ✗\n});",
      },
      {
        file: 'src/login.ts',
        code: "const [rows] = await connection.execute( // ✗\n  `SELECT id FROM accounts WHERE email = '${email}'`,\n);",
      },
      { file: 'src/search.mjs', code: "db.all('SELECT * FROM items WHERE title LIKE \"%' + term + '%\"', cb); // ✗" },
      {
        file: 'src/posts.ts',
        code: "import { sql } from 'drizzle-orm';\nexport async function list(req: Request) {\n  const order = new URL(req.url).searchParams.get('order');\n  return db.select().from(posts).orderBy(sql.raw(order)); // ✗\n}",
      },
      {
        file: 'src/repo.ts',
        code: "const users = await dataSource\n  .getRepository(User)\n  .createQueryBuilder('user')\n  .where(`user.name = '${name}'`) // ✗\n  .getMany();",
      },
      {
        file: 'src/filter.js',
        code: "let sql = 'SELECT * FROM products WHERE 1 = 1';\nif (req.query.brand) sql += ` AND brand = '${req.query.brand}'`;\nconst { rows } = await client.query(sql); // ✗",
      },
    ],
    good: [
      // Two files (NestJS): the same controller; the service binds the value in a tagged template.
      {
        file: 'src/users/users.controller.ts',
        code: "import { Controller, Get, Query } from '@nestjs/common';\nimport { UsersService } from './users.service';\n@Controller('users')\nexport class UsersController {\n  constructor(private readonly usersService: UsersService) {}\n  @Get()\n  search(@Query('name') name: string) {\n    return this.usersService.findByName(name);\n  }\n}",
        others: {
          'src/users/users.service.ts':
            "import { Injectable } from '@nestjs/common';\nimport { PrismaService } from '../prisma.service';\n@Injectable()\nexport class UsersService {\n  constructor(private readonly prisma: PrismaService) {}\n  findByName(name: string) {\n    return this.prisma.$queryRaw`SELECT * FROM users WHERE name = ${name}`;\n  }\n}",
        },
      },
      // Two files: the builder escapes what it splices in.
      {
        file: 'src/routes/posts.js',
        code: "const { searchSql } = require('../queries');\nrouter.get('/posts', async (req, res) => {\n  res.json(await pool.query(searchSql(req.query.q)));\n});",
        others: {
          'src/queries.js':
            "const { escapeLiteral } = require('./escape');\nexports.searchSql = (q) => 'SELECT * FROM posts WHERE title = ' + escapeLiteral(q);",
        },
      },
      // Two files: the same instance, given a placeholder and the value apart.
      {
        file: 'src/routes/search.ts',
        code: "import db from '../db';\nrouter.get('/search', async (req, res) => {\n  res.json(await db.fetchAll('SELECT * FROM posts WHERE title LIKE $1', ['%' + req.query.q + '%']));\n});",
        others: {
          'src/db.ts':
            "import { Pool } from 'pg';\nclass Database {\n  private pool = new Pool();\n  fetchAll(sql: string, params: unknown[] = []) {\n    return this.pool.query(sql, params);\n  }\n}\nexport default new Database();",
        },
      },
      // Two files: the column comes from a fixed table before it reaches the helper.
      {
        file: 'routes/items.js',
        code: "const items = require('../db/items');\nconst SORTABLE = { name: 'name', date: 'created_at' };\nrouter.get('/items', async (req, res) => {\n  res.json(await items.listSorted(SORTABLE[req.query.sort] ?? 'name'));\n});",
        others: {
          'db/items.js':
            "const pool = require('./pool');\nexports.listSorted = (column) => pool.query(`SELECT * FROM items ORDER BY ${column}`);",
        },
      },
      // The ORM's own SQL generator escapes the values and quotes the columns it writes.
      {
        file: 'src/search/documents.ts',
        code: 'export async function search(sequelize: Sequelize, where: WhereOptions) {\n  const queryGenerator = sequelize.getQueryInterface().queryGenerator as any;\n  const conditions = queryGenerator.getWhereConditions(where);\n  return sequelize.query(`SELECT * FROM documents WHERE ${conditions} LIMIT 10`);\n}',
      },
      {
        file: 'model/products.js',
        code: "const pgp = require('pg-promise')();\nconst db = pgp(process.env.DATABASE_URL);\nexports.get = (id) => db.one('SELECT * FROM products WHERE id = $1', [id]);\nexports.all = () => db.any('SELECT * FROM products');\nconst ok = [1, 2].some((n) => n > 1);",
      },
      {
        file: 'src/db/crud-store.ts',
        code: 'export class CrudStore {\n  constructor(private db: Knex, private tableName: string) {}\n  async exists(id: string) {\n    const r = await this.db.raw(`SELECT EXISTS(SELECT 1 FROM ${this.tableName} WHERE id = ?) AS present`, [id]);\n    return r.rows[0].present;\n  }\n}',
      },
      {
        file: 'src/db/features.ts',
        code: "export async function anyExist(db, names) {\n  const placeholders = names.map(() => '?').join(',');\n  return db.raw(`SELECT 1 FROM features WHERE name IN (${placeholders})`, names);\n}",
      },
      {
        file: 'src/utils/knex.js',
        code: "function truncatedTimestamp(columnName, precision) {\n  const formats = { hour: '%Y-%m-%d %H:00:00', day: '%Y-%m-%d 00:00:00' };\n  return knex.raw(`strftime('${formats[precision]}', ${columnName})`);\n}",
      },
      {
        file: 'src/users.ts',
        code: "export async function find(id: string) {\n  return db.query('SELECT * FROM users WHERE id = $1', [id]);\n}",
      },
      { file: 'src/users.ts', code: 'const rows = await sql`SELECT * FROM users WHERE id = ${id}`;' },
      { file: 'src/orders.ts', code: 'await prisma.$queryRaw(Prisma.sql`DELETE FROM orders WHERE id = ${orderId}`);' },
      {
        file: 'src/login.ts',
        code: "const [rows] = await connection.execute('SELECT id FROM accounts WHERE email = ?', [email]);",
      },
      { file: 'src/migrate.js', code: "const table = 'users';\nawait pool.query('SELECT count(*) FROM ' + table);" },
      { file: 'src/log.ts', code: 'logger.info(`query took ${ms} ms`);\nconst message = `SELECT menu item ${item}`;' },
      {
        file: 'src/sort.js',
        code: "const SORTABLE = { name: 'name', date: 'created_at' };\nconst column = SORTABLE[req.query.sort] ?? 'created_at';\nawait pool.query(`SELECT * FROM posts ORDER BY ${column} LIMIT $1`, [20]);",
      },
      {
        file: 'src/page.ts',
        code: 'const limit = parseInt(req.query.limit, 10) || 20;\nconst rows = await db.query(`SELECT * FROM posts LIMIT ${limit}`);',
      },
      {
        file: 'src/order.js',
        code: "const dir = req.query.dir === 'asc' ? 'ASC' : 'DESC';\nawait knex.raw(`SELECT * FROM t ORDER BY id ${dir}`);",
      },
      {
        file: 'src/allow.ts',
        code: "const ALLOWED = ['users', 'teams'];\nexport async function byId(table, id) {\n  if (!ALLOWED.includes(table)) throw new Error('bad table');\n  return client.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);\n}",
      },
    ],
  },
  check: codeCheck(followCalls(sqlCalls, SINK_WORDS), lexical, followHint(SINK_WORDS)),
});
