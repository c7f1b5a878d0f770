/**
 * The OSV side of the dependency tests: a zip writer (deflate, optional ZIP64
 * records) for the fixture records, and a real HTTP server on 127.0.0.1 that
 * serves the export the way storage buckets do — plus the broken ways.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { PROJECT } from './repo.js';

export const OSV_FIXTURES = join(PROJECT, 'test', 'fixtures', 'osv');

export function fixtureRecords(): Array<{ name: string; data: Buffer }> {
  return readdirSync(OSV_FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, data: readFileSync(join(OSV_FIXTURES, f)) }));
}

/** A zip archive of the files; `zip64` writes the ZIP64 end records as an export with >65,535 entries has. */
export function makeZip(
  files: Array<{ name: string; data: Buffer }>,
  opts: { zip64?: boolean; store?: boolean } = {},
): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name);
    const body = opts.store ? f.data : deflateRawSync(f.data);
    const method = opts.store ? 0 : 8;
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, body);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(45, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(body.length, 20);
    c.writeUInt32LE(f.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(files.length), 24);
    rec.writeBigUInt64LE(BigInt(files.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(rec, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(opts.zip64 ? 0xffff : files.length, 8);
  end.writeUInt16LE(opts.zip64 ? 0xffff : files.length, 10);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : cd.length, 12);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...parts, cd, ...tail, end]);
}

/** The fixture export with one byte of one entry's compressed data flipped: the CRC check must catch it. */
export function corruptZip(zip: Buffer): Buffer {
  const copy = Buffer.from(zip);
  const nameLength = copy.readUInt16LE(26);
  const at = 30 + nameLength + 5;
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

export interface OsvServer {
  url: string;
  server: Server;
  /** Requests seen, as "METHOD path". */
  log: string[];
  close(): Promise<void>;
}

export type Route = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  body: string,
) => void;

export async function serve(routes: Record<string, Route>): Promise<OsvServer> {
  const log: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      log.push(`${req.method} ${req.url}`);
      const route = routes[(req.url ?? '').split('?')[0]!];
      if (route) route(req, res, body);
      else {
        res.statusCode = 404;
        res.end('not found');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    log,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves bytes the way a bucket does: Content-Length, ETag, and 304 for a matching If-None-Match. */
export function file(bytes: Buffer, etag = '"v1"'): Route {
  return (req, res) => {
    // If-None-Match is a list of tags (RFC 9110 §13.1.2).
    if (
      String(req.headers['if-none-match'] ?? '')
        .split(/\s*,\s*/)
        .includes(etag)
    ) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': bytes.length, etag });
    res.end(bytes);
  };
}

/** Announces the whole length, sends half, then drops the connection. */
export function dropped(bytes: Buffer): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': bytes.length });
    res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
  };
}

/**
 * OSV's query API as api.osv.dev answers it: `POST /v1/querybatch` with ids
 * (and modification times) per query, `GET /v1/vulns/{id}` with the record.
 * `queried` lists each `name@version` asked; `failFirst` answers the first N
 * requests with a 503, as an overloaded server does.
 */
export function osvApi(
  records: Array<{ id: string; modified?: string; affected?: Array<{ package?: { name?: string } }> }>,
  opts: { failFirst?: number } = {},
): { routes: Record<string, Route>; queried: string[]; failures: () => number } {
  const queried: string[] = [];
  let failures = opts.failFirst ?? 0;
  let failed = 0;
  const overloaded = (res: import('node:http').ServerResponse) => {
    if (failures <= 0) return false;
    failures--;
    failed++;
    res.statusCode = 503;
    res.end('overloaded');
    return true;
  };
  const affects = (r: (typeof records)[number], name: string) =>
    (r.affected ?? []).some((a) => a.package?.name === name);
  const routes: Record<string, Route> = {
    '/v1/querybatch': (_req, res, body) => {
      if (overloaded(res)) return;
      const { queries } = JSON.parse(body) as { queries: Array<{ package: { name: string }; version: string }> };
      for (const q of queries) queried.push(`${q.package.name}@${q.version}`);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          results: queries.map((q) => ({
            vulns: records.filter((r) => affects(r, q.package.name)).map((r) => ({ id: r.id, modified: r.modified })),
          })),
        }),
      );
    },
  };
  for (const r of records) {
    routes[`/v1/vulns/${r.id}`] = (_req, res) => {
      if (overloaded(res)) return;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(r));
    };
  }
  return { routes, queried, failures: () => failed };
}
