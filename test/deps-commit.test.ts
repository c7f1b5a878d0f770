// The dependencies atom through real hooks: lockfiles written by npm in temporary repositories,
// judged by their diff against an advisory database built from the OSV fixture.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OsvRecord } from '../src/deps/advisories.js';
import { fixtureRecords, OSV_FIXTURES, osvApi, serve } from './helpers/osv.js';
import { CLI, installShimOnPath, makeRepo, repoWithRemote, tempDir, type Repo } from './helpers/repo.js';

installShimOnPath();
// Hooks inherit the environment: this file's own cache, with a database built from the fixture.
process.env.RALPH_GUARD_CACHE_DIR = tempDir('cache-');
execFileSync(process.execPath, [CLI, 'db', 'update', '--url', OSV_FIXTURES, '--no-registry'], { stdio: 'pipe' });

const LOCKS = join(OSV_FIXTURES, '..', 'lockfiles');

/** Writes package.json and lets npm write the lockfile (against the registry, scripts off). */
function npmInstall(repo: Repo, dependencies: Record<string, string>) {
  repo.write(
    'package.json',
    JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies }, null, 2) + '\n',
  );
  execFileSync(
    'npm',
    [
      'install',
      '--package-lock-only',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--omit-lockfile-registry-resolved=false',
      '--loglevel=error',
    ],
    { cwd: repo.dir, stdio: 'pipe' },
  );
}

function hookedProject(repo = makeRepo()): Repo {
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  // An old vulnerable package, committed before the guard existed.
  npmInstall(repo, { lodash: '4.17.20', ms: '2.1.3' });
  repo.stage();
  repo.commit('legacy dependencies');
  return repo;
}

const lineOf = (repo: Repo, file: string, needle: string) =>
  repo
    .read(file)
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;

test('a commit adding jsonwebtoken@8.5.1 is refused, naming the advisories and >= 9.0.0, at the lockfile and package.json lines', () => {
  const repo = hookedProject();
  npmInstall(repo, { lodash: '4.17.20', ms: '2.1.3', jsonwebtoken: '8.5.1' });
  repo.stage();
  const before = repo.git('rev-parse', 'HEAD');
  const r = repo.tryGit(['commit', '-m', 'add jwt']);
  const out = r.stdout + r.stderr;
  assert.is.not(r.code, 0, out);
  assert.is(repo.git('rev-parse', 'HEAD'), before);
  for (const id of ['GHSA-8cf7-32gw-wr33', 'GHSA-hjrf-2m68-5959', 'GHSA-qwph-4952-7xr6']) assert.match(out, id);
  assert.not.match(out, 'GHSA-27h2-hvpr-p74q', 'withdrawn');
  assert.match(out, '>=9.0.0');
  assert.match(out, 'Fixed in 9.0.0');
  assert.match(out, `package-lock.json:${lineOf(repo, 'package-lock.json', '"node_modules/jsonwebtoken"')}:`);
  assert.match(out, `package.json:${lineOf(repo, 'package.json', '"jsonwebtoken"')}:`);
  assert.not.match(out, 'lodash@4.17.20', 'the old lodash is not this commit’s doing');
  const json = JSON.parse(repo.cli(['check', '--staged', '--format', 'json']).stdout);
  const rules = new Set(json.findings.map((f: { rule: string }) => f.rule));
  assert.ok(rules.has('dependencies/known-advisory') && rules.has('dependencies/below-minimum'), [...rules].join());
});

test('a commit touching only an unrelated package passes though an old vulnerable one stays; --all still reports it', () => {
  const repo = hookedProject();
  npmInstall(repo, { lodash: '4.17.20', ms: '2.1.2' });
  repo.stage();
  const r = repo.tryGit(['commit', '-m', 'pin ms']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const all = repo.cli(['check', '--all', '--format', 'json']);
  assert.is(all.code, 1);
  const findings = JSON.parse(all.stdout).findings as Array<{ message: string; file: string }>;
  assert.ok(
    findings.some(
      (f) =>
        f.file === 'package-lock.json' &&
        f.message.includes('lodash@4.17.20') &&
        f.message.includes('GHSA-35jh-r3h4-6jhm'),
    ),
  );
});

test('a push that adds a vulnerable package in one commit and removes it in the next is refused', () => {
  const { repo } = repoWithRemote();
  hookedProject(repo);
  repo.git('-c', 'core.hooksPath=/dev/null', 'push', '-q', 'origin', 'main'); // the legacy state is already published
  npmInstall(repo, { lodash: '4.17.20', ms: '2.1.3', minimist: '1.2.5' });
  repo.stage();
  repo.commit('add minimist');
  npmInstall(repo, { lodash: '4.17.20', ms: '2.1.3' });
  repo.stage();
  repo.commit('remove minimist');
  const r = repo.tryGit(['push', 'origin', 'main']);
  const out = r.stdout + r.stderr;
  assert.is.not(r.code, 0, out);
  assert.match(out, 'minimist@1.2.5');
  assert.match(out, 'GHSA-xvch-5gv4-984h');
  assert.match(out, 'Push refused');
});

test('a corrupt lockfile is a finding with a clear message, never a crash', () => {
  const repo = hookedProject();
  repo.write(
    'package-lock.json',
    repo.read('package-lock.json').replace('"lockfileVersion": 3,', '"lockfileVersion": 3,,'),
  );
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 1, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.errors, []);
  assert.is(json.findings[0].rule, 'dependencies/corrupt-lockfile');
  assert.match(json.findings[0].message, /package-lock\.json: the lockfile is not valid JSON \(line 4\)/);
  repo.write('pnpm-lock.yaml', "lockfileVersion: '12.0'\n");
  repo.stage();
  const unknown = JSON.parse(repo.cli(['check', '--staged', '--format', 'json']).stdout);
  assert.ok(
    unknown.findings.some(
      (f: { rule: string; message: string }) =>
        f.rule === 'dependencies/unsupported-lockfile' && /lockfileVersion "12.0"/.test(f.message),
    ),
  );
});

test('package.json dependencies changed without the lockfile: a warning, the commit goes through', () => {
  const repo = hookedProject();
  repo.write('package.json', repo.read('package.json').replace('"ms": "2.1.3"', '"ms": "^2.1.3"'));
  repo.stage();
  const r = repo.tryGit(['commit', '-m', 'range']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, 'dependencies/lockfile-not-updated');
});

test('without an advisory database the atom says so once and the policy checks still block', () => {
  const repo = makeRepo();
  copyFileSync(join(LOCKS, 'package.json'), join(repo.dir, 'package.json'));
  copyFileSync(join(LOCKS, 'npm-v3.package-lock.json'), join(repo.dir, 'package-lock.json'));
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json'], {
    env: { RALPH_GUARD_CACHE_DIR: tempDir('empty-cache-') },
  });
  assert.is(r.code, 1);
  const json = JSON.parse(r.stdout);
  // Said once, as a visible warning finding (not a note) with the count and the command that fixes it.
  const unchecked = json.findings.filter((f: { rule: string }) => f.rule === 'dependencies/advisories-unchecked');
  assert.is(unchecked.length, 1, r.stdout);
  assert.is(unchecked[0].severity, 'warning');
  assert.match(
    unchecked[0].message,
    /^\d+ packages this change adds or moves \(.*\) were not checked for known advisories/,
  );
  assert.match(unchecked[0].message, 'ralph-guard db update');
  assert.ok(json.findings.every((f: { rule: string }) => f.rule !== 'dependencies/known-advisory'));
  assert.ok(
    json.findings.some(
      (f: { rule: string; message: string }) =>
        f.rule === 'dependencies/below-minimum' && f.message.startsWith('jsonwebtoken@8.5.1'),
    ),
  );
});

for (const [sample, as] of [
  ['yarn-classic.yarn.lock', 'yarn.lock'],
  ['yarn-berry.yarn.lock', 'yarn.lock'],
  ['pnpm-v5.4.pnpm-lock.yaml', 'pnpm-lock.yaml'],
  ['pnpm-v9.pnpm-lock.yaml', 'pnpm-lock.yaml'],
  ['bun.bun.lock', 'bun.lock'],
  ['npm-v1.package-lock.json', 'package-lock.json'],
] as const) {
  test(`${sample}: the same advisories as npm reports for the same pins`, () => {
    const repo = makeRepo();
    copyFileSync(join(LOCKS, sample), join(repo.dir, as));
    repo.stage();
    const json = JSON.parse(repo.cli(['check', '--staged', '--format', 'json']).stdout);
    const ids = new Set<string>();
    for (const f of json.findings as Array<{ rule: string; message: string; file: string }>) {
      assert.is(f.file, as);
      const m = /^[^:]+: (GHSA-[\w-]+)/.exec(f.message);
      if (f.rule === 'dependencies/known-advisory' && m) ids.add(m[1]!);
    }
    assert.equal([...ids].sort(), EXPECTED);
  });
}

/** What the fixture's records say about axios 0.21.1, jsonwebtoken 8.5.1, lodash 4.17.20, minimist 1.2.5, node-fetch 2.6.0 (and their dependencies). */
const EXPECTED = [
  'GHSA-29mw-wpgm-hmr9',
  'GHSA-35jh-r3h4-6jhm',
  'GHSA-8cf7-32gw-wr33',
  'GHSA-cph5-m8f7-6c5x',
  'GHSA-f23m-r3pf-42rh',
  'GHSA-hjrf-2m68-5959',
  'GHSA-jr5f-v2jv-69x6',
  'GHSA-qwph-4952-7xr6',
  'GHSA-r5fr-rjxr-66jc',
  'GHSA-r683-j2x4-v87g',
  'GHSA-w7rc-rwvf-8q5r',
  'GHSA-wf5p-g6vw-rhxx',
  'GHSA-xvch-5gv4-984h',
  'GHSA-xxjr-mmjv-4gpg',
];

test('--online asks the OSV API (here on 127.0.0.1) for the changed packages only, and caches the answers', async () => {
  const records = fixtureRecords().map((r) => JSON.parse(r.data.toString('utf8')) as OsvRecord);
  const api = osvApi(records);
  const queried = api.queried;
  const server = await serve(api.routes);
  try {
    const repo = makeRepo();
    writeFileSync(join(repo.dir, 'package.json'), '{"name":"x","dependencies":{"minimist":"1.2.5"}}\n');
    copyFileSync(join(LOCKS, 'npm-v3.package-lock.json'), join(repo.dir, 'package-lock.json'));
    repo.stage();
    repo.commit('base');
    // Change one package only: node-fetch 2.6.0 → 2.6.1 (hand edit of the npm lockfile entry).
    repo.write(
      'package-lock.json',
      repo
        .read('package-lock.json')
        .replace('node-fetch/-/node-fetch-2.6.0.tgz', 'node-fetch/-/node-fetch-2.6.1.tgz')
        .replace(/("node_modules\/node-fetch": \{\n\s*"version": )"2\.6\.0"/, '$1"2.6.1"'),
    );
    repo.stage();
    const env = { ...process.env, RALPH_GUARD_CACHE_DIR: tempDir('online-cache-'), RALPH_GUARD_OSV_API: server.url };
    const run = () =>
      new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(
          process.execPath,
          [CLI, 'check', '--staged', '--online', '--format', 'json'],
          { cwd: repo.dir, env },
          (e, stdout) => resolve({ code: e ? Number((e as { code?: number }).code) : 0, stdout }),
        ),
      );
    const r = await run();
    const json = JSON.parse(r.stdout);
    assert.equal(queried, ['node-fetch@2.6.1'], 'only the changed package');
    assert.ok(
      json.findings.some((f: { message: string }) => f.message.includes('node-fetch@2.6.1: GHSA-r683-j2x4-v87g')),
      r.stdout,
    );
    assert.not.ok(
      json.findings.some((f: { message: string }) => f.message.includes('GHSA-w7rc-rwvf-8q5r')),
      'fixed in 2.6.1',
    );
    await run();
    assert.is(queried.length, 1, 'the second run is answered from the cache');
  } finally {
    await server.close();
  }
});

test('--online reads registry metadata through the npm configuration: deprecated, majors behind, unmaintained, too new', async () => {
  const hour = 3600 * 1000;
  const packuments: Record<string, unknown> = {
    '/ms': {
      'dist-tags': { latest: '2.1.3' },
      time: { '0.7.3': '2017-03-08T00:00:00Z', '2.1.3': '2020-12-17T00:00:00Z' },
      versions: { '0.7.3': { deprecated: 'please upgrade to ms 2' }, '2.1.3': {} },
    },
    '/fresh-pkg': {
      'dist-tags': { latest: '1.0.0' },
      time: { '1.0.0': new Date(Date.now() - 3 * hour).toISOString() },
      versions: { '1.0.0': {} },
    },
  };
  const server = await serve(
    Object.fromEntries(
      Object.entries(packuments).map(([path, body]) => [path, (_req, res) => res.end(JSON.stringify(body))]),
    ),
  );
  try {
    const repo = makeRepo();
    repo.write('package.json', '{"name":"x","dependencies":{"ms":"0.7.3","fresh-pkg":"1.0.0"}}\n');
    const entry = (name: string, version: string) =>
      `"node_modules/${name}": { "version": "${version}", "resolved": "${server.url}/${name}/-/${name}-${version}.tgz", "integrity": "sha512-${'B'.repeat(86)}==" }`;
    repo.write(
      'package-lock.json',
      `{\n"lockfileVersion": 3,\n"packages": {\n"": { "dependencies": { "ms": "0.7.3", "fresh-pkg": "1.0.0" } },\n${entry('ms', '0.7.3')},\n${entry('fresh-pkg', '1.0.0')}\n}\n}\n`,
    );
    repo.stage();
    const env = {
      ...process.env,
      RALPH_GUARD_CACHE_DIR: tempDir('registry-cache-'),
      npm_config_registry: `${server.url}/`,
      RALPH_GUARD_OSV_API: 'http://127.0.0.1:9',
    };
    const stdout = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        [CLI, 'check', '--staged', '--online', '--format', 'json'],
        { cwd: repo.dir, env },
        (_e, out) => resolve(out),
      ),
    );
    const findings = JSON.parse(stdout).findings as Array<{
      rule: string;
      severity: string;
      message: string;
      file: string;
    }>;
    const got = findings
      .filter((f) => f.file === 'package-lock.json')
      .map((f) => `${f.rule} ${f.severity}`)
      .sort();
    assert.equal(
      got,
      [
        'dependencies/advisories-unchecked warning',
        'dependencies/deprecated error',
        'dependencies/majors-behind error',
        'dependencies/too-new warning',
        'dependencies/unmaintained warning',
      ],
      stdout,
    );
    assert.ok(findings.some((f) => f.message.includes('please upgrade to ms 2')));
    // Offline afterwards, from the cache that run filled.
    const offline = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        [CLI, 'check', '--staged', '--format', 'json'],
        { cwd: repo.dir, env: { ...env, npm_config_registry: 'http://127.0.0.1:9/' } },
        (_e, out) => resolve(out),
      ),
    );
    assert.ok(JSON.parse(offline).findings.some((f: { rule: string }) => f.rule === 'dependencies/majors-behind'));
  } finally {
    await server.close();
  }
});

test.run();
