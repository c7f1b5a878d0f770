// A package-lock.json change read by what it changes (src/deps/lockfiles/npm-diff.ts) finds exactly what reading
// both lockfiles in full finds: the same new packages and the same swapped hashes on the entries the change touched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockfileChanges } from '../src/deps/check-dependencies.js';
import { parseLockfile } from '../src/deps/lockfiles/index.js';
import { npmChanges } from '../src/deps/lockfiles/npm-diff.js';
import type { LockedPackage } from '../src/deps/types.js';
import { lineStarts, positionAt } from '../src/changeset/text.js';
import { check, fc } from './helpers/property.js';
import { PROJECT } from './helpers/repo.js';

const position = (text: string) => (offset: number) => positionAt(lineStarts(text), offset);
type Entry = Record<string, unknown>;
type Lock = { name: string; version: string; lockfileVersion: number; requires: true; packages: Record<string, Entry> };

const NAMES = ['ms', 'debug', 'lodash', 'axios', 'semver', '@scope/util', 'qs', 'minimist', 'chalk', 'yallist'];
const hashOf = (seed: string) => `sha512-${createHash('sha512').update(seed).digest('base64')}`;
const registryEntry = (name: string, version: string, salt = ''): Entry => ({
  version,
  resolved: `https://registry.npmjs.org/${name}/-/${name.replace(/^@[^/]+\//, '')}-${version}.tgz`,
  integrity: hashOf(`${name}@${version}${salt}`),
  license: 'MIT',
});

/** A v3 lockfile with top-level and nested copies (the same name at several versions and paths). */
function baseLock(): Lock {
  const packages: Record<string, Entry> = {
    '': { name: 'app', version: '1.0.0', dependencies: { ms: '^2.1.0', debug: '^4.0.0' } },
  };
  for (const [i, name] of NAMES.entries()) {
    packages[`node_modules/${name}`] = registryEntry(name, `${i + 1}.2.0`);
    packages[`node_modules/${name}/node_modules/ms`] = registryEntry('ms', `2.${i % 3}.0`);
  }
  packages['node_modules/my-ms'] = { ...registryEntry('ms', '2.1.3'), name: 'ms' };
  packages['node_modules/local'] = { resolved: 'packages/local', link: true };
  return { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

const write = (lock: Lock) => `${JSON.stringify(lock, null, 2)}\n`;

/** One edit a package manager (or a hand) makes to a lockfile. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('version' as const), at: fc.nat(), v: fc.nat(5) }),
  fc.record({ kind: fc.constant('integrity' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), name: fc.constantFrom(...NAMES), under: fc.nat(), v: fc.nat(3) }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('hoist' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('alias' as const), name: fc.constantFrom(...NAMES), v: fc.nat(3) }),
  fc.record({ kind: fc.constant('root' as const), v: fc.nat(9) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function apply(lock: Lock, edits: Edit[]): Lock {
  const packages = structuredClone(lock.packages);
  const keys = () => Object.keys(packages).filter((k) => k.includes('node_modules/'));
  const pick = (at: number) => keys()[at % keys().length]!;
  for (const e of edits) {
    if (!keys().length && e.kind !== 'add' && e.kind !== 'alias' && e.kind !== 'root') continue;
    if (e.kind === 'version') {
      const key = pick(e.at);
      const name = String(packages[key]!.name ?? key.slice(key.lastIndexOf('node_modules/') + 13));
      packages[key] = { ...packages[key], ...registryEntry(name, `9.${e.v}.0`) };
    } else if (e.kind === 'integrity') {
      const key = pick(e.at);
      if (packages[key]!.integrity) packages[key]!.integrity = hashOf(`swapped ${key} ${packages[key]!.integrity}`);
    } else if (e.kind === 'add') {
      const parent = keys().filter((k) => !k.includes('/node_modules/'))[e.under % Math.max(1, keys().length)];
      packages[parent ? `${parent}/node_modules/${e.name}` : `node_modules/${e.name}`] = registryEntry(
        e.name,
        `${e.v + 1}.2.0`,
      );
    } else if (e.kind === 'remove') delete packages[pick(e.at)];
    else if (e.kind === 'hoist') {
      const key = pick(e.at);
      const top = `node_modules/${key.slice(key.lastIndexOf('node_modules/') + 13)}`;
      packages[top] = packages[key]!;
      if (top !== key) delete packages[key];
    } else if (e.kind === 'alias')
      packages[`node_modules/alias-${e.v}`] = { ...registryEntry(e.name, `1.${e.v}.0`), name: e.name };
    else (packages['']!.dependencies as Record<string, string>).ms = `^2.${e.v}.0`;
  }
  // npm writes "packages" sorted by install path, the root first.
  const sorted: Record<string, Entry> = {};
  for (const key of Object.keys(packages).sort()) sorted[key] = packages[key]!;
  return { ...lock, packages: sorted };
}

const keysOf = (list: readonly LockedPackage[]) => list.map((p) => `${p.key} ${p.name}@${p.version}`);

async function fullRead(oldText: string, text: string) {
  const lock = await parseLockfile('package-lock.json', text, position(text));
  const old = await parseLockfile('package-lock.json', oldText, position(oldText));
  return { lock, ...lockfileChanges(lock.packages, old.packages) };
}

test('property: reading only the changed entries finds what reading both lockfiles finds', async () => {
  const cases: Array<[string, string]> = [];
  check(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.array(edit, { maxLength: 2 }), (before, edits) => {
      const old = apply(baseLock(), before);
      cases.push([write(old), write(apply(old, edits))]);
    }),
    150,
  );
  for (const [oldText, text] of cases) {
    const quick = npmChanges(text, oldText, position(text));
    assert.ok(quick, 'an npm-written lockfile takes the quick path');
    const full = await fullRead(oldText, text);
    const fast = lockfileChanges(quick!.touched, quick!.before);
    assert.equal(keysOf(fast.changed), keysOf(full.changed), 'the same new packages');
    // A hash that differs on an entry the change did not touch was there before: the full read reports it on lines
    // the change did not add, which the filter drops.
    const touched = new Set(quick!.touched.map((p) => p.key));
    assert.equal(
      keysOf(fast.integrity.map((x) => x.pkg)),
      keysOf(full.integrity.filter((x) => touched.has(x.pkg.key)).map((x) => x.pkg)),
      'the same swapped hashes',
    );
    assert.equal([...quick!.lock.direct], [...full.lock.direct], 'the same direct dependencies');
    for (const pkg of fast.changed) {
      const at = full.lock.packages.find((p) => p.key === pkg.key)!;
      assert.equal(quick!.lock.locate(pkg), full.lock.locate(at), `${pkg.key} located alike`);
      assert.equal(quick!.lock.wanted(pkg), full.lock.wanted(at));
    }
  }
});

/**
 * The entries the quick path reads are exactly those whose text differs from the old entry at the same key: for
 * lockfiles written as npm writes them, an entry's text differs when its value does, or when it becomes or stops
 * being the last entry (its comma). Entries out of npm's order (a hand, a merge) too: the text is compared in runs
 * of entries, which must realign after a moved, added or removed key.
 */
test('property: the entries read are those whose text differs from the old entry of their key, in any order', () => {
  const shuffle = (lock: Lock, seeds: number[]): Lock => {
    const keys = Object.keys(lock.packages);
    for (const [i, seed] of seeds.entries()) {
      const a = i % keys.length;
      const b = seed % keys.length;
      [keys[a], keys[b]] = [keys[b]!, keys[a]!];
    }
    return { ...lock, packages: Object.fromEntries(keys.map((k) => [k, lock.packages[k]!])) };
  };
  check(
    fc.property(
      fc.array(edit, { maxLength: 3 }),
      fc.array(edit, { maxLength: 3 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (before, edits, oldOrder, newOrder) => {
        const old = shuffle(apply(baseLock(), before), oldOrder);
        const next = shuffle(apply(old, edits), newOrder);
        const [oldText, text] = [write(old), write(next)];
        const quick = npmChanges(text, oldText, position(text));
        if (!quick) return false;
        const last = (lock: Lock) => Object.keys(lock.packages).at(-1);
        const expected = Object.keys(next.packages).filter(
          (key) =>
            key.includes('node_modules/') &&
            (!Object.hasOwn(old.packages, key) ||
              JSON.stringify(old.packages[key]) !== JSON.stringify(next.packages[key]) ||
              (key === last(old)) !== (key === last(next))),
        );
        assert.equal(
          quick.touched.map((p) => p.key),
          expected,
        );
        return true;
      },
    ),
    300,
  );
});

test('a one-package change reads one entry of the new lockfile and the old entries of that name', () => {
  const old = apply(baseLock(), []);
  const next = apply(old, [{ kind: 'version', at: 0, v: 1 }]);
  const quick = npmChanges(write(next), write(old), position(write(next)))!;
  assert.equal(
    quick.touched.map((p) => p.key),
    ['node_modules/@scope/util'],
  );
  assert.ok(quick.before.every((p) => p.name === '@scope/util'));
});

test('an old alias written in the version (`npm:left-pad@1.3.0`, as lockfile v1 did) is found by name', async () => {
  const old = baseLock();
  old.packages['node_modules/old-alias'] = { ...registryEntry('left-pad', '1.3.0'), version: 'npm:left-pad@1.3.0' };
  const next = structuredClone(old);
  next.packages['node_modules/left-pad'] = registryEntry('left-pad', '1.3.0');
  const [oldText, text] = [write(apply(old, [])), write(apply(next, []))];
  const quick = npmChanges(text, oldText, position(text))!;
  assert.equal(
    quick.touched.map((p) => p.key),
    ['node_modules/left-pad'],
  );
  const fast = lockfileChanges(quick.touched, quick.before);
  assert.equal(keysOf(fast.changed), keysOf((await fullRead(oldText, text)).changed));
  assert.equal(fast.changed, []);
});

test('what npm does not write takes the full read: version 1, another indent, a key twice, conflict markers', () => {
  const old = write(baseLock());
  const v1 = readFileSync(join(PROJECT, 'test', 'fixtures', 'lockfiles', 'npm-v1.package-lock.json'), 'utf8');
  assert.is(npmChanges(v1, old, position(v1)), null);
  const tabs = JSON.stringify(baseLock(), null, '\t');
  assert.is(npmChanges(tabs, old, position(tabs)), null);
  const twice = old.replace('"node_modules/qs": {', '"node_modules/ms": {');
  assert.is(npmChanges(twice, old, position(twice)), null);
  const conflicted = old.replace('    "node_modules/qs": {', '<<<<<<< HEAD\n    "node_modules/qs": {');
  assert.is(npmChanges(old, conflicted, position(old)), null);
  const odd = old.replace('"version": "3.2.0"', '"version": 3');
  assert.is(npmChanges(odd, old, position(odd)), null);
});

test('a new lockfile that is not JSON is still a corrupt lockfile with its line', () => {
  const old = write(baseLock());
  const broken = old.replace('"license": "MIT",\n      "dependencies"', '"license": "MIT"\n      "dependencies"');
  const bad = old.replace(/("node_modules\/qs": \{\n {6}"version": "[^"]+"),/, '$1');
  for (const text of [broken, bad].filter((t) => t !== old))
    assert.throws(() => npmChanges(text, old, position(text)), /not valid JSON/);
});

test.run();
