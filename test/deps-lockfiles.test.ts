// Lockfile readers on samples written by the real package managers, and OSV matching.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { affects, compactOsv, cvss3BaseScore, fixesAbove, type OsvRecord } from '../src/deps/advisories.js';
import { parseLockfile } from '../src/deps/lockfiles/index.js';
import { LockfileError } from '../src/deps/types.js';
import { compareText, meetsMinimum } from '../src/deps/version.js';
import { listEntries, readEntry } from '../src/deps/zip.js';
import { lineStarts, positionAt } from '../src/changeset/text.js';
import { fixtureRecords, makeZip } from './helpers/osv.js';
import { PROJECT } from './helpers/repo.js';

const DIR = join(PROJECT, 'test', 'fixtures', 'lockfiles');
const PINNED = { axios: '0.21.1', jsonwebtoken: '8.5.1', lodash: '4.17.20', minimist: '1.2.5', 'node-fetch': '2.6.0' };

const position = (text: string) => (offset: number) => positionAt(lineStarts(text), offset);
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

for (const [file, as, format, version, directKnown] of [
  ['npm-v1.package-lock.json', 'package-lock.json', 'npm', '1', false],
  ['npm-v2.package-lock.json', 'package-lock.json', 'npm', '2', true],
  ['npm-v3.package-lock.json', 'package-lock.json', 'npm', '3', true],
  ['yarn-classic.yarn.lock', 'yarn.lock', 'yarn-classic', '1', false],
  ['yarn-berry.yarn.lock', 'yarn.lock', 'yarn-berry', '10', true],
  ['pnpm-v5.4.pnpm-lock.yaml', 'pnpm-lock.yaml', 'pnpm', '5.4', true],
  ['pnpm-v6.pnpm-lock.yaml', 'pnpm-lock.yaml', 'pnpm', '6.0', true],
  ['pnpm-v9.pnpm-lock.yaml', 'pnpm-lock.yaml', 'pnpm', '9.0', true],
  ['bun.bun.lock', 'bun.lock', 'bun', '2', true],
] as const) {
  test(`${file}: every pinned package, its integrity and its line`, async () => {
    const text = read(file);
    const lock = await parseLockfile(as, text, position(text));
    assert.is(lock.format, format);
    assert.is(lock.version, version);
    const lines = text.split('\n');
    for (const [name, v] of Object.entries(PINNED)) {
      const pkg = lock.packages.find((p) => p.name === name);
      assert.ok(pkg, `${name} found`);
      assert.is(pkg!.version, v);
      assert.is(pkg!.source, 'registry');
      assert.ok(pkg!.integrity, `${name} has an integrity`);
      const { line, endLine } = lock.locate(pkg!);
      assert.ok(lines[line - 1]!.includes(name), `${file}:${line} names ${name}: ${lines[line - 1]}`);
      assert.ok(endLine >= line);
      if (directKnown) assert.ok(lock.direct.has(name), `${name} is direct`);
    }
    assert.ok(lock.packages.length >= 19, `${lock.packages.length} packages`);
  });
}

test('npm workspaces: workspace links, nested dependencies, install scripts', async () => {
  const text = readFileSync(join(DIR, 'npm-workspaces', 'package-lock.json'), 'utf8');
  const lock = await parseLockfile('package-lock.json', text, position(text));
  assert.ok(lock.direct.has('jsonwebtoken'), "a workspace's dependency is direct");
  assert.is(lock.packages.find((p) => p.name === 'api')?.source, 'link');
  assert.ok(lock.packages.find((p) => p.name === 'esbuild')?.hasInstallScript);
});

test('corrupt and unknown lockfiles are LockfileErrors with a line, never crashes', async () => {
  const cases: Array<[string, string, RegExp, number | null]> = [
    [
      'package-lock.json',
      '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": { "version": "1.0.0", }\n  }\n}',
      /not valid JSON/,
      4,
    ],
    ['package-lock.json', '{\n  "lockfileVersion": 7,\n  "packages": {}\n}', /lockfileVersion 7/, 2],
    ['pnpm-lock.yaml', "lockfileVersion: '3.0'\n", /lockfileVersion "3.0"/, 1],
    [
      'pnpm-lock.yaml',
      'lockfileVersion: 9.0\npackages:\n  a@1.0.0: {resolution: {integrity: x}\n',
      /not valid YAML/,
      null,
    ],
    ['yarn.lock', '# yarn lockfile v1\n\nlodash@^4.17.20:\n  version "4.17.20"\n stray\n', /line 5/, 5],
    ['bun.lock', '{ "lockfileVersion": 9, "packages": {} }', /lockfileVersion 9/, 1],
    [
      'yarn.lock',
      '<<<<<<< HEAD\nlodash@^4:\n  version "4.17.21"\n=======\n>>>>>>> x\n',
      /merge conflict markers at line 1/,
      1,
    ],
    ['package-lock.json', '', /empty/, 1],
  ];
  for (const [file, text, message, line] of cases) {
    try {
      await parseLockfile(file, text, position(text));
      assert.unreachable(`${file} should not parse: ${text}`);
    } catch (e) {
      assert.instance(e, LockfileError, String(e));
      assert.match((e as Error).message, message);
      if (line !== null) assert.is((e as LockfileError).line, line, (e as Error).message);
    }
  }
});

test('OSV matching: events, explicit versions, last_affected, loose versions, withdrawn records', () => {
  const records = fixtureRecords().map((r) => JSON.parse(r.data.toString('utf8')) as OsvRecord);
  const byId = (id: string, name: string) => compactOsv(records.find((r) => r.id === id)!).get(name)!;
  const fetch = byId('GHSA-r683-j2x4-v87g', 'node-fetch');
  assert.ok(affects(fetch, '2.6.0'));
  assert.ok(affects(fetch, '3.0.0'), 'introduced "1.0" (as published) reads as 1.0.0');
  assert.equal(fixesAbove(fetch, '2.6.0'), ['2.6.7', '3.1.1']);
  const minimist = byId('GHSA-xvch-5gv4-984h', 'minimist');
  assert.ok(affects(minimist, '1.2.5') && affects(minimist, '0.2.3'));
  assert.not.ok(affects(minimist, '1.2.6') || affects(minimist, '0.2.4') || affects(minimist, '2.0.0'));
  const stream = byId('GHSA-mh6f-8j2x-4483', 'event-stream');
  assert.ok(affects(stream, '3.3.6'));
  assert.not.ok(affects(stream, '3.3.5') || affects(stream, '4.0.0'));
  assert.ok(affects(byId('GHSA-mh6f-8j2x-4483', 'flatmap-stream'), '0.1.1'), 'introduced 0 with no fix: every version');
  const trim = byId('GHSA-29mw-wpgm-hmr9', 'lodash.trim');
  assert.ok(affects(trim, '4.5.1'));
  assert.not.ok(affects(trim, '4.5.2'), 'last_affected is inclusive');
  assert.not.ok(affects(byId('GHSA-p6mc-m468-83gw', 'lodash'), '4.17.20'), 'fixed is exclusive');
  const express = byId('GHSA-rv95-896h-c2vc', 'express');
  assert.ok(affects(express, '5.0.0-beta.1') && !affects(express, '5.0.0-beta.3') && !affects(express, '4.19.2'));
  assert.is(compactOsv(records.find((r) => r.id === 'GHSA-27h2-hvpr-p74q')!).size, 0, 'withdrawn records are dropped');
  assert.is(byId('GHSA-35jh-r3h4-6jhm', 'lodash').severity, 'high');
  assert.is(
    compactOsv({
      id: 'MAL-2024-1',
      affected: [
        { package: { ecosystem: 'npm', name: 'evil' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
      ],
    }).get('evil')!.severity,
    'critical',
  );
});

test('CVSS v3 base scores match the published ones', () => {
  assert.is(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H'), 7.2);
  assert.is(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L'), 5.3);
  assert.is(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 9.8);
  assert.is(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H'), 8.1);
  assert.is(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N'), 6.1);
  assert.is(cvss3BaseScore('CVSS:4.0/AV:N'), null);
});

test('versions: SemVer precedence and policy minimums', async () => {
  assert.ok(compareText('1.0.0-alpha', '1.0.0') < 0);
  assert.ok(compareText('1.0.0-alpha.2', '1.0.0-alpha.10') < 0);
  assert.ok(compareText('1.0.0-alpha.beta', '1.0.0-alpha.1') > 0);
  assert.ok(compareText('4.17.21', '4.17.3') > 0);
  assert.ok(await meetsMinimum('9.0.0', '>=9.0.0'));
  assert.not.ok(await meetsMinimum('8.5.1', '>=9.0.0'));
  assert.ok(await meetsMinimum('6.3.1', '^5.7.2 || ^6.3.1 || >=7.5.2'));
  assert.not.ok(await meetsMinimum('7.5.1', '^5.7.2 || ^6.3.1 || >=7.5.2'));
});

test('zip reader: deflate, stored and ZIP64 archives round-trip; damage is detected', () => {
  const files = fixtureRecords();
  for (const opts of [{}, { store: true }, { zip64: true }]) {
    const zip = makeZip(files, opts);
    const entries = listEntries(zip);
    assert.is(entries.length, files.length);
    assert.equal(readEntry(zip, entries[3]!), files[3]!.data);
  }
  const zip = makeZip(files);
  assert.throws(() => listEntries(zip.subarray(0, zip.length - 30)), /end-of-central-directory|truncated/);
  const entries = listEntries(zip);
  const damaged = Buffer.from(zip);
  const at = entries[0]!.offset + 30 + entries[0]!.name.length + 3;
  damaged[at] = damaged[at]! ^ 0x55;
  assert.throws(() => readEntry(damaged, entries[0]!), /CRC|invalid|incorrect/);
});

test.run();
