// Live advisories: --online (or "online": true in the policy) asks an OSV-shaped API on 127.0.0.1 for
// exactly the packages a change adds or moves, retries once, caches for the day; with neither a local
// database nor the network, a visible warning names how many packages went unchecked, and CI stops (exit 3).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OsvRecord } from '../src/deps/advisories.js';
import { fixtureRecords, OSV_FIXTURES, osvApi, serve } from './helpers/osv.js';
import { CLI, makeRepo, tempDir, type Repo } from './helpers/repo.js';

const LOCKS = join(OSV_FIXTURES, '..', 'lockfiles');

/** A repository whose last commit has the fixture lockfile; the staged change moves one package (node-fetch 2.6.0 → 2.6.1, or ms 2.1.3 → 2.1.2). */
function movedPackage(options: object = {}, moved: 'node-fetch' | 'ms' = 'node-fetch'): Repo {
  const repo = makeRepo();
  repo.write('package.json', '{"name":"x","dependencies":{"minimist":"1.2.5"}}\n');
  copyFileSync(join(LOCKS, 'npm-v3.package-lock.json'), join(repo.dir, 'package-lock.json'));
  repo.write('.ralphrc.json', JSON.stringify({ atoms: { dependencies: { options } } }));
  repo.stage();
  repo.commit('base');
  const lock = repo.read('package-lock.json');
  repo.write(
    'package-lock.json',
    moved === 'node-fetch'
      ? lock
          .replace('node-fetch/-/node-fetch-2.6.0.tgz', 'node-fetch/-/node-fetch-2.6.1.tgz')
          .replace(/("node_modules\/node-fetch": \{\n\s*"version": )"2\.6\.0"/, '$1"2.6.1"')
      : lock
          .replace('ms/-/ms-2.1.3.tgz', 'ms/-/ms-2.1.2.tgz')
          .replace(/("node_modules\/ms": \{\n\s*"version": )"2\.1\.3"/, '$1"2.1.2"'),
  );
  repo.stage();
  return repo;
}

/** The CLI in a child process (the test's HTTP server must keep answering meanwhile). */
function cli(repo: Repo, args: string[], env: Record<string, string | undefined>) {
  const full = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [CLI, ...args], { cwd: repo.dir, env: full }, (e, stdout, stderr) =>
      resolve({ code: e ? Number((e as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );
}

const records = fixtureRecords().map((r) => JSON.parse(r.data.toString('utf8')) as OsvRecord);

test('--online: one querybatch for the moved package only, the records by id, one retry, cached for the day', async () => {
  const api = osvApi(records, { failFirst: 1 });
  const server = await serve(api.routes);
  try {
    const repo = movedPackage();
    const env = { RALPH_GUARD_CACHE_DIR: tempDir('online-'), RALPH_GUARD_OSV_API: server.url, CI: undefined };
    const r = await cli(repo, ['check', '--staged', '--online', '--format', 'json'], env);
    const json = JSON.parse(r.stdout) as { findings: Array<{ rule: string; message: string }> };
    assert.equal(api.queried, ['node-fetch@2.6.1'], 'exactly the package the change moved');
    assert.is(api.failures(), 1, 'the first request failed and was retried');
    assert.ok(server.log.some((l) => l === 'POST /v1/querybatch'));
    assert.ok(server.log.some((l) => l.startsWith('GET /v1/vulns/GHSA-')));
    assert.ok(
      json.findings.some((f) => f.message.includes('node-fetch@2.6.1: GHSA-r683-j2x4-v87g')),
      r.stdout,
    );
    assert.not.ok(json.findings.some((f) => f.rule === 'dependencies/advisories-unchecked'));
    const requests = server.log.length;
    await cli(repo, ['check', '--staged', '--online', '--format', 'json'], env);
    assert.is(server.log.length, requests, 'the second run is answered from the cache');
  } finally {
    await server.close();
  }
});

test('"online": true in the dependencies options asks the API without --online', async () => {
  const api = osvApi(records);
  const server = await serve(api.routes);
  try {
    const repo = movedPackage({ online: true });
    const env = { RALPH_GUARD_CACHE_DIR: tempDir('online-'), RALPH_GUARD_OSV_API: server.url, CI: undefined };
    const r = await cli(repo, ['check', '--staged', '--format', 'json'], env);
    assert.equal(api.queried, ['node-fetch@2.6.1']);
    assert.match(r.stdout, 'GHSA-r683-j2x4-v87g');
  } finally {
    await server.close();
  }
});

test('no database, no network: a visible warning with the count and the fix; CI and --range exit 3 unless requireAdvisories is false', async () => {
  const repo = movedPackage({}, 'ms');
  const env = { RALPH_GUARD_CACHE_DIR: tempDir('empty-'), CI: undefined };
  const local = await cli(repo, ['check', '--staged'], env);
  assert.is(local.code, 0, local.stdout + local.stderr);
  // Pretty wraps long lines: compare with the whitespace folded.
  const flat = local.stdout.replace(/\s+/g, ' ');
  assert.match(flat, 'dependencies/advisories-unchecked', 'a warning finding, not a dim note');
  assert.not.match(flat, '· dependencies: no advisory database');
  assert.match(flat, '1 package this change adds or moves (ms@2.1.2) was not checked');
  assert.match(flat, 'ralph-guard db update');

  const ci = await cli(repo, ['check', '--staged', '--format', 'json'], { ...env, CI: 'true' });
  assert.is(ci.code, 3, ci.stdout);
  assert.match(ci.stdout, 'dependencies/advisories-required');

  repo.commit('moved');
  const range = await cli(repo, ['check', '--range', 'HEAD~1..HEAD'], env);
  assert.is(range.code, 3, range.stdout);
  assert.match(range.stdout.replace(/\s+/g, ' '), 'requireAdvisories');

  // The network is down too: --online against a port nobody listens on.
  const down = await cli(repo, ['check', '--range', 'HEAD~1..HEAD', '--online'], {
    ...env,
    RALPH_GUARD_OSV_API: 'http://127.0.0.1:9',
  });
  assert.is(down.code, 3, down.stdout);
  assert.match(down.stdout.replace(/\s+/g, ' '), 'no answer from the OSV API');

  // The policy at the base of the range says unchecked advisories are acceptable here.
  const optional = movedPackage({ requireAdvisories: false }, 'ms');
  optional.commit('moved');
  const relaxed = await cli(optional, ['check', '--range', 'HEAD~1..HEAD'], env);
  assert.is(relaxed.code, 0, relaxed.stdout);
  assert.match(relaxed.stdout.replace(/\s+/g, ' '), 'not checked for known advisories');
});

test.run();
