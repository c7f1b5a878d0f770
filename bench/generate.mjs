// Realistic, secure JS/TS for the benchmark scenarios: routes, services,
// components and utilities with the words the atoms look for (query,
// password, token, exec…) used the safe way, so keyword pre-filters pass
// and the checks really run. Seeded, so every run measures the same text.

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const NOUNS = [
  'user',
  'order',
  'invoice',
  'product',
  'session',
  'account',
  'report',
  'payment',
  'comment',
  'project',
  'ticket',
  'team',
];
const VERBS = ['find', 'list', 'create', 'update', 'remove', 'archive', 'export', 'sync', 'validate', 'render'];
const cap = (s) => s[0].toUpperCase() + s.slice(1);

const SECTIONS = {
  route: (n, v, i) => `router.get('/${n}s/:id/${v}${i}', requireAuth, async (req, res, next) => {
  try {
    const id = Number.parseInt(req.params.id, 10);
    if (!Number.isInteger(id)) return res.status(400).json({ error: 'invalid id' });
    const rows = await pool.query('SELECT id, name, updated_at FROM ${n}s WHERE id = $1 AND team_id = $2', [id, req.user.teamId]);
    if (rows.rowCount === 0) return res.status(404).json({ error: 'not found' });
    res.json(rows.rows.map((row) => ({ id: row.id, name: row.name, updatedAt: row.updated_at })));
  } catch (error) {
    next(error);
  }
});
`,
  service: (n, v, i) => `export class ${cap(n)}Service${i} {
  constructor(private readonly db: Database, private readonly log: Logger) {}

  async ${v}${cap(n)}(input: ${cap(n)}Input): Promise<${cap(n)} | null> {
    const parsed = ${n}Schema.parse(input);
    this.log.info({ ${n}Id: parsed.id }, '${v} ${n}');
    const record = await this.db.${n}.findUnique({ where: { id: parsed.id } });
    if (!record) return null;
    return { ...record, tags: record.tags ?? [], total: Math.round(record.total * 100) / 100 };
  }
}
`,
  auth: (n, v, i) => `export async function verifyPassword${i}(password: string, ${n}: { passwordHash: string }) {
  const ok = await bcrypt.compare(password, ${n}.passwordHash);
  if (!ok) throw new HttpError(401, 'invalid credentials');
  const token = jwt.sign({ sub: ${n}.id }, process.env.JWT_SECRET as string, { algorithm: 'HS256', expiresIn: '15m' });
  return { token, expiresIn: 900 };
}
`,
  component: (n, v, i) => `export function ${cap(n)}Card${i}({ ${n}, on${cap(v)} }: Props) {
  const [open, setOpen] = useState(false);
  const label = useMemo(() => \`\${${n}.name} (\${${n}.items.length})\`, [${n}]);
  return (
    <section className="card" aria-expanded={open}>
      <h3 onClick={() => setOpen(!open)}>{label}</h3>
      {open && <ul>{${n}.items.map((item) => <li key={item.id}>{item.title}</li>)}</ul>}
      <button type="button" onClick={() => on${cap(v)}(${n}.id)}>${cap(v)}</button>
    </section>
  );
}
`,
  util: (n, v, i) => `export function ${v}${cap(n)}Batch${i}(items, size = 50) {
  const batches = [];
  for (let start = 0; start < items.length; start += size) {
    batches.push(items.slice(start, start + size).filter((item) => item && item.${n}Id !== undefined));
  }
  return batches.map((batch, index) => ({ index, count: batch.length, ids: batch.map((item) => item.${n}Id) }));
}
`,
  exec: (n, v, i) => `export async function ${v}Archive${i}(${n}Dir) {
  const target = path.join(ARCHIVE_ROOT, path.basename(${n}Dir));
  if (!target.startsWith(ARCHIVE_ROOT + path.sep)) throw new Error('outside the archive');
  await execFile('tar', ['-czf', target + '.tgz', '-C', ARCHIVE_ROOT, path.basename(${n}Dir)]);
  return target + '.tgz';
}
`,
};

const HEADERS = {
  js: `import express from 'express';
import path from 'node:path';
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';
import { pool } from '../db.js';
import { requireAuth } from '../auth.js';

const execFile = promisify(execFileCb);
const ARCHIVE_ROOT = path.resolve('archive');
export const router = express.Router();
`,
  ts: `import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import type { Database, Logger } from '../types';
import { HttpError } from '../errors';

const userSchema = z.object({ id: z.string().uuid() });
`,
  tsx: `import { useMemo, useState } from 'react';
import type { Props } from './types';
`,
};

const KINDS = { js: ['route', 'util', 'exec'], ts: ['service', 'auth', 'util'], tsx: ['component', 'util'] };

/** A module of about `lines` lines; its extension decides its style. */
export function source(ext, lines, seed) {
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  let text = HEADERS[ext] + '\n';
  let i = 0;
  while (text.split('\n').length < lines) {
    text += SECTIONS[pick(KINDS[ext])](pick(NOUNS), pick(VERBS), i++) + '\n';
  }
  return text;
}

/** A path for file number `n`, spread over a realistic tree. */
export function filePath(n, ext) {
  const area = ['api', 'services', 'components', 'lib', 'jobs'][n % 5];
  return `src/${area}/${NOUNS[n % NOUNS.length]}/${NOUNS[(n >> 3) % NOUNS.length]}-${n}.${ext}`;
}
