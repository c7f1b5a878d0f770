// `ralph-guard db update|status` against a real HTTP server on 127.0.0.1 serving an OSV export.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  corruptZip,
  dropped,
  file,
  fixtureRecords,
  makeZip,
  OSV_FIXTURES,
  serve,
  type OsvServer,
} from './helpers/osv.js';
import { CLI, tempDir } from './helpers/repo.js';

const cache = tempDir('cache-');
const dbFile = join(cache, 'advisories', 'osv-npm.db');
const zip = makeZip(fixtureRecords());

/** The CLI, asynchronously: the server lives in this process. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: cache, env: { ...process.env, RALPH_GUARD_CACHE_DIR: cache, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const digest = () => createHash('sha256').update(readFileSync(dbFile)).digest('hex');

let server: OsvServer;
test.before(async () => {
  server = await serve({
    '/npm/all.zip': file(zip),
    '/zip64.zip': file(makeZip(fixtureRecords(), { zip64: true })),
    '/corrupt.zip': file(corruptZip(zip)),
    '/truncated.zip': file(zip.subarray(0, zip.length - 200)),
    '/dropped.zip': dropped(zip),
    '/empty.zip': file(
      makeZip([
        {
          name: 'PYSEC-1.json',
          data: Buffer.from(
            JSON.stringify({ id: 'PYSEC-1', affected: [{ package: { ecosystem: 'PyPI', name: 'x' } }] }),
          ),
        },
      ]),
    ),
    '/missing.zip': (_req, res) => {
      res.statusCode = 404;
      res.end();
    },
  });
});
test.after(() => server.close());

test('status before any update says how to get a database', async () => {
  const r = await cli(['db', 'status']);
  assert.is(r.code, 1);
  assert.match(r.stdout, 'ralph-guard db update');
});

test('db update downloads, verifies and stores the export; status reports age and size', async () => {
  const r = await cli(['db', 'update', '--url', `${server.url}/npm/all.zip`, '--no-registry']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, 'stored 24 advisories for 13 packages');
  assert.ok(existsSync(dbFile));
  const s = await cli(['db', 'status', '--json']);
  const status = JSON.parse(s.stdout);
  assert.is(status.ok, true);
  assert.is(status.advisories, 24, 'the withdrawn record is left out');
  assert.is(status.source, `${server.url}/npm/all.zip`);
  assert.ok(status.sizeBytes > 1000 && status.ageDays < 0.01, s.stdout);
  const text = await cli(['db', 'status']);
  assert.match(text.stdout, /updated: .*\(\d+ min ago\)/);
});

test('a second update revalidates with the ETag and keeps the data (HTTP 304)', async () => {
  const before = digest();
  const r = await cli(['db', 'update', '--url', `${server.url}/npm/all.zip`, '--no-registry']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, 'up to date');
  assert.ok(server.log.filter((l) => l === 'GET /npm/all.zip').length >= 2);
  assert.is.not(digest(), before, 'only the timestamp in the header changed');
});

for (const [path, why] of [
  ['/corrupt.zip', /CRC|invalid|corrupt/i],
  ['/truncated.zip', /truncated|end-of-central-directory|past the end/i],
  ['/dropped.zip', /connection dropped|aborted/i],
  ['/missing.zip', /404/],
  ['/empty.zip', /none about npm packages/],
] as const) {
  test(`a failed update (${path}) leaves the old database intact`, async () => {
    const before = digest();
    const r = await cli(['db', 'update', '--url', `${server.url}${path}`, '--no-registry']);
    assert.is(r.code, 3, r.stderr);
    assert.match(r.stderr, why);
    assert.match(r.stderr, 'the previous database is unchanged');
    assert.is(digest(), before);
    const s = JSON.parse((await cli(['db', 'status', '--json'])).stdout);
    assert.is(s.advisories, 24);
  });
}

test('ZIP64 exports (as the real one, with more than 65,535 files) are read', async () => {
  const r = await cli(['db', 'update', '--url', `${server.url}/zip64.zip`, '--no-registry']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, 'stored 24 advisories');
});

test('a mirror on disk works: a zip path, a file: URL, a directory of OSV files; the env var names the source', async () => {
  const dir = tempDir('mirror-');
  writeFileSync(join(dir, 'all.zip'), zip);
  for (const source of [join(dir, 'all.zip'), pathToFileURL(join(dir, 'all.zip')).href, OSV_FIXTURES]) {
    const r = await cli(['db', 'update', '--url', source, '--no-registry']);
    assert.is(r.code, 0, `${source}: ${r.stderr}`);
    assert.match(r.stderr, 'stored 24 advisories', source);
  }
  const env = await cli(['db', 'update', '--no-registry'], { RALPH_GUARD_ADVISORY_URL: join(dir, 'all.zip') });
  assert.is(env.code, 0, env.stderr);
  assert.match(env.stderr, `from ${join(dir, 'all.zip')}`);
  const bad = await cli(['db', 'update', '--url', join(dir, 'nope.zip'), '--no-registry']);
  assert.is(bad.code, 3);
  assert.match(bad.stderr, 'no such file');
});

test('the policy option advisoryUrl is the source inside a repository', async () => {
  const repo = tempDir('repo-');
  mkdirSync(repo, { recursive: true });
  await new Promise((r) => execFile('git', ['init', '-q', repo], r));
  writeFileSync(
    join(repo, '.ralphrc.json'),
    JSON.stringify({ atoms: { dependencies: { options: { advisoryUrl: `${server.url}/npm/all.zip` } } } }),
  );
  // The committed policy counts: a working-tree edit cannot point the database at another source.
  await new Promise((r) => execFile('git', ['add', '.'], { cwd: repo }, r));
  await new Promise((r) => execFile('git', ['commit', '-q', '-m', 'policy'], { cwd: repo }, r));
  const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [CLI, 'db', 'update', '--no-registry'],
      { cwd: repo, env: { ...process.env, RALPH_GUARD_CACHE_DIR: tempDir('cache-') } },
      (e, _o, stderr) => resolve({ code: e ? 1 : 0, stderr }),
    ),
  );
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, `from ${server.url}/npm/all.zip`);
});

test.run();
