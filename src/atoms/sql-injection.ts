import { defineAtom, type Hit } from './atom.js';
import { CODE_FILES } from './files.js';
import { callArguments, findCalls, resolveIdentifier } from './scan.js';

const SQL_WORDS = /\b(?:select\s[\s\S]*\bfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|where\s|order\s+by|group\s+by|values\s*\(|join\s)/i;

/** Calls that send text to a database as SQL. */
const SINKS = ['query', 'execute', 'raw', 'whereRaw', 'orderByRaw', 'havingRaw', '$queryRawUnsafe', '$executeRawUnsafe', 'exec', 'prepare', 'all', 'get', 'run'];
/** Receivers of `exec/prepare/all/get/run` that are databases; elsewhere those names are too common to judge. */
const DB_RECEIVER = /\b(?:db|database|sqlite|conn|connection|client|pool|knex|sequelize|prisma|tx|trx)\s*\.\s*$/i;

/** Where the SQL text is built: a template with `${…}` or a concatenation with a non-literal part. */
function interpolation(expr: string): 'template' | 'concat' | null {
  const trimmed = expr.trim();
  if (/^`/.test(trimmed) && /\$\{/.test(trimmed)) return SQL_WORDS.test(trimmed) ? 'template' : null;
  if (/^sql\s*`|^Prisma\.sql\s*`/.test(trimmed)) return null; // tagged templates bind values
  const parts = splitTopLevelPlus(trimmed);
  if (parts.length < 2) return null;
  const literal = (p: string) => /^(['"`])[\s\S]*\1$/.test(p.trim()) && !/\$\{/.test(p);
  if (parts.every(literal)) return null;
  return parts.some((p) => literal(p) && SQL_WORDS.test(p)) ? 'concat' : null;
}

/** Splits `a + 'b' + c` on top-level plus signs, leaving strings and brackets intact. */
function splitTopLevelPlus(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === '+' && depth === 0 && expr[i + 1] !== '+' && expr[i + 1] !== '=') {
      parts.push(expr.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(expr.slice(start));
  return parts;
}

export default defineAtom({
  id: 'sql-injection',
  title: 'SQL is parameterised',
  criteria: {
    pass: 'Every query keeps SQL text and values apart: placeholders ($1, ?, :name) with a values array, or a tagged template (sql``, Prisma.sql``) that binds them.',
    fail: 'SQL text is built by string concatenation or template interpolation and sent to a query API.',
  },
  files: CODE_FILES,
  // The SQL text must be in the file for it to be built there.
  keywords: ['select', 'insert', 'update', 'delete', 'where', 'order by'],
  defaultLevel: 'block',
  rules: {
    'interpolated-query': {
      message: 'SQL built with template interpolation is sent to the database.',
      fix: 'Use placeholders and pass values separately: db.query("SELECT * FROM users WHERE id = $1", [id]), or a tagged template such as sql`… ${id}`.',
    },
    'concatenated-query': {
      message: 'SQL built by string concatenation is sent to the database.',
      fix: 'Replace the concatenation with placeholders and a values array; take identifiers (table, column names) from a fixed allow-list.',
    },
  },
  examples: {
    bad: [
      { file: 'src/users.ts', code: 'export async function find(id: string) {\n  return db.query(`SELECT * FROM users WHERE id = ${id}`); // ✗\n}' },
      { file: 'src/users.js', code: "const sql = 'SELECT * FROM users WHERE name = \\'' + req.query.name + '\\'';\nconst rows = await pool.query(sql); // ✗" },
      { file: 'src/orders.ts', code: 'await prisma.$queryRawUnsafe(`DELETE FROM orders WHERE id = ${orderId}`); // ✗' },
      { file: 'src/report.js', code: "knex.raw('SELECT * FROM sales ORDER BY ' + req.query.sort); // ✗" },
      { file: 'src/login.ts', code: 'const [rows] = await connection.execute( // ✗\n  `SELECT id FROM accounts WHERE email = \'${email}\'`,\n);' },
      { file: 'src/search.mjs', code: "db.all('SELECT * FROM items WHERE title LIKE \"%' + term + '%\"', cb); // ✗" },
    ],
    good: [
      { file: 'src/users.ts', code: "export async function find(id: string) {\n  return db.query('SELECT * FROM users WHERE id = $1', [id]);\n}" },
      { file: 'src/users.ts', code: 'const rows = await sql`SELECT * FROM users WHERE id = ${id}`;' },
      { file: 'src/orders.ts', code: 'await prisma.$queryRaw(Prisma.sql`DELETE FROM orders WHERE id = ${orderId}`);' },
      { file: 'src/login.ts', code: "const [rows] = await connection.execute('SELECT id FROM accounts WHERE email = ?', [email]);" },
      { file: 'src/migrate.js', code: "const table = 'users';\nawait pool.query('SELECT count(*) FROM ' + 'users');" },
      { file: 'src/log.ts', code: 'logger.info(`query took ${ms} ms`);\nconst message = `SELECT menu item ${item}`;' },
    ],
  },
  check(file) {
    const hits: Hit[] = [];
    for (const call of findCalls(file.text, SINKS)) {
      if (['exec', 'prepare', 'all', 'get', 'run'].includes(call.name) && !DB_RECEIVER.test(file.text.slice(Math.max(0, call.start - 40), call.start))) continue;
      const [first] = callArguments(file.text, call.argsStart);
      if (!first) continue;
      const expr = resolveIdentifier(file.text, first.text, call.start) ?? first.text;
      const kind = interpolation(expr);
      if (!kind) continue;
      const pos = file.position(call.start);
      hits.push({ rule: kind === 'template' ? 'interpolated-query' : 'concatenated-query', ...pos, endLine: file.position(first.end).line });
    }
    return hits;
  },
});

