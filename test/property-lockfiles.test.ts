// Every lockfile reader (src/deps/lockfiles/) and the package.json reader, on arbitrary, truncated
// and mutated input: a lockfile or a LockfileError (a corrupt-lockfile finding), never another
// exception, never a hang.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as yaml } from 'yaml';
import { parseLockfile } from '../src/deps/lockfiles/index.js';
import { readManifest } from '../src/deps/manifest.js';
import { LockfileError } from '../src/deps/types.js';
import { lineStarts, positionAt } from '../src/changeset/text.js';
import { checkAsync, check, fc } from './helpers/property.js';
import { makeRepo, PROJECT } from './helpers/repo.js';

const DIR = join(PROJECT, 'test', 'fixtures', 'lockfiles');
const FIXTURES: Array<[string, string]> = [
  ['npm-v1.package-lock.json', 'package-lock.json'],
  ['npm-v2.package-lock.json', 'package-lock.json'],
  ['npm-v3.package-lock.json', 'npm-shrinkwrap.json'],
  ['yarn-classic.yarn.lock', 'yarn.lock'],
  ['yarn-berry.yarn.lock', 'yarn.lock'],
  ['pnpm-v5.4.pnpm-lock.yaml', 'pnpm-lock.yaml'],
  ['pnpm-v6.pnpm-lock.yaml', 'pnpm-lock.yaml'],
  ['pnpm-v9.pnpm-lock.yaml', 'pnpm-lock.yaml'],
  ['bun.bun.lock', 'bun.lock'],
];
const samples = FIXTURES.map(([file, as]) => ({ as, text: readFileSync(join(DIR, file), 'utf8') }));
const NAMES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock'];

const position = (text: string) => {
  let starts: number[] | undefined;
  return (offset: number) => positionAt((starts ??= lineStarts(text)), offset);
};

/** Parses and uses the result as the dependencies atom would; fails the property on anything but a lockfile or a LockfileError. */
async function survives(path: string, text: string): Promise<'parsed' | 'refused'> {
  const started = performance.now();
  let outcome: 'parsed' | 'refused';
  try {
    const lock = await parseLockfile(path, text, position(text));
    const lines = text.split('\n').length;
    for (const pkg of lock.packages) {
      assert.type(pkg.name, 'string');
      assert.type(pkg.version, 'string');
      const at = lock.locate(pkg);
      assert.ok(
        at.line >= 1 && at.endLine >= at.line && at.endLine <= lines + 1,
        `${path}: ${pkg.key} located at ${at.line}-${at.endLine} of ${lines}`,
      );
      assert.ok(Array.isArray(lock.wanted(pkg)));
    }
    for (const [name, range] of lock.direct) assert.ok(typeof name === 'string' && typeof range === 'string');
    outcome = 'parsed';
  } catch (e) {
    if (!(e instanceof LockfileError))
      throw new Error(
        `${path}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} on ${JSON.stringify(text.slice(0, 300))}`,
      );
    assert.ok(e.message.length > 10, e.message);
    assert.ok(e.line === null || e.line >= 1, `line ${e.line}`);
    outcome = 'refused';
  }
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `${path}: ${ms.toFixed(0)} ms on ${text.length} characters`);
  return outcome;
}

/** yarn.lock-like blocks: headers, indented fields, quoted values with escapes, nested blocks. */
const yarnish = fc
  .array(
    fc.oneof(
      fc.constantFrom('"a@^1.0.0":', 'a@^1.0.0, a@^1.1.0:', '"@s/b@npm:2":', '__metadata:', '# yarn lockfile v1', ''),
      fc
        .tuple(
          fc.constantFrom(
            '  version',
            '  resolved',
            '  integrity',
            '  checksum',
            '  resolution:',
            '  dependencies:',
            '    c',
            '\tversion',
            '   odd',
          ),
          fc.string({ unit: fc.constantFrom(...'"\\x1.^@ab:'.split('')), maxLength: 12 }),
        )
        .map(([k, v]) => `${k} ${v}`),
    ),
    { maxLength: 12 },
  )
  .map((lines) => lines.join('\n'));

const anyText = fc.oneof(
  yarnish,
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(...'{}[]":,\n  -#\'@^~/.abc01\\'.split('')), maxLength: 400 }),
);

test('arbitrary text under every lockfile name', async () => {
  await checkAsync(
    fc.asyncProperty(fc.constantFrom(...NAMES), anyText, async (name, text) => void (await survives(name, text))),
    1500,
  );
});

/** Values where a lockfile expects strings, objects, arrays or numbers. */
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);
const fields = fc.dictionary(
  fc.constantFrom(
    'version',
    'resolved',
    'integrity',
    'dependencies',
    'devDependencies',
    'optionalDependencies',
    'peerDependencies',
    'requires',
    'dev',
    'link',
    'license',
    'hasInstallScript',
    'name',
    'specifiers',
    'resolution',
    'checksum',
    'engines',
    'deprecated',
  ),
  value,
  { maxKeys: 6 },
);
const key = fc.oneof(
  fc.constantFrom(
    '',
    'node_modules/a',
    'node_modules/@s/b',
    'node_modules/a/node_modules/c',
    'a@^1.0.0',
    '/a/1.0.0',
    'a@1.0.0',
    '@s/b@2.0.0(c@1.0.0)',
    'a@npm:b@1',
    'packages/app',
  ),
  fc.string({ maxLength: 10 }),
);
const lockObject = fc.record(
  {
    lockfileVersion: fc.oneof(fc.constantFrom(1, 2, 3, 0, 5.4, '5.4', '6.0', '9.0', 4), value),
    name: value,
    packages: fc.oneof(
      fc.dictionary(key, fc.oneof(fields, value, fc.array(value, { maxLength: 4 })), { maxKeys: 5 }),
      value,
    ),
    dependencies: fc.oneof(fc.dictionary(key, fc.oneof(fields, value), { maxKeys: 4 }), value),
    importers: fc.dictionary(
      fc.constantFrom('.', 'packages/app'),
      fc.record({ dependencies: fc.dictionary(key, fc.oneof(value, fields), { maxKeys: 3 }) }, { requiredKeys: [] }),
      { maxKeys: 2 },
    ),
    workspaces: fc.dictionary(fc.constantFrom('', 'packages/app'), fields, { maxKeys: 2 }),
    snapshots: fc.dictionary(key, fields, { maxKeys: 3 }),
    __metadata: fc.record({ version: value, cacheKey: value }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

test('lockfile-shaped documents with wrong types in every field (JSON, YAML, yarn)', async () => {
  await checkAsync(
    fc.asyncProperty(lockObject, fc.constantFrom(...NAMES), fc.constantFrom(0, 2), async (doc, name, indent) => {
      const text =
        name.endsWith('.yaml') || (name === 'yarn.lock' && indent === 2)
          ? yaml(doc)
          : JSON.stringify(doc, null, indent);
      await survives(name, text);
    }),
    1500,
  );
});

test('real lockfiles cut short anywhere, or with a span replaced', async () => {
  const cut = fc.record({
    sample: fc.constantFrom(...samples),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    len: fc.nat(40),
    insert: fc.oneof(fc.constant(''), anyText),
  });
  let parsed = 0;
  await checkAsync(
    fc.asyncProperty(cut, fc.boolean(), async ({ sample, at, len, insert }, truncate) => {
      const i = Math.floor(at * sample.text.length);
      const text = truncate ? sample.text.slice(0, i) : sample.text.slice(0, i) + insert + sample.text.slice(i + len);
      if ((await survives(sample.as, text)) === 'parsed') parsed++;
    }),
    1500,
  );
  assert.ok(parsed > 50, `${parsed} mutated lockfiles still parsed`);
});

test('package.json manifests: arbitrary text and objects give a manifest or a LockfileError', () => {
  const manifest = fc.record(
    {
      name: value,
      version: value,
      dependencies: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 4 }), value),
      devDependencies: value,
      workspaces: value,
      overrides: value,
    },
    { requiredKeys: [] },
  );
  check(
    fc.property(
      fc.oneof(
        anyText,
        manifest.map((m) => JSON.stringify(m, null, 2)),
      ),
      (text) => {
        try {
          const m = readManifest(text, position(text));
          for (const d of m.dependencies) assert.ok(typeof d.name === 'string' && typeof d.spec === 'string');
        } catch (e) {
          if (!(e instanceof LockfileError))
            throw new Error(
              `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} on ${JSON.stringify(text.slice(0, 200))}`,
            );
        }
      },
    ),
    1500,
  );
});

test('shapes that tripped the readers (found by the properties above) are corrupt lockfiles', async () => {
  for (const [name, text] of [
    ['yarn.lock', '"a@^1":\n  version "\\x"\n'],
    ['package-lock.json', JSON.stringify({ lockfileVersion: 1, dependencies: { a: { version: [] } } })],
    ['package-lock.json', JSON.stringify({ lockfileVersion: 2, dependencies: { '': { resolved: ['x'] } } })],
  ]) {
    assert.is(await survives(name!, text!), 'refused', text);
  }
});

test('through the CLI: a broken lockfile is a corrupt-lockfile finding, never an internal error', () => {
  const repo = makeRepo();
  repo.write('package.json', '{"name":"app","version":"1.0.0","dependencies":{"lodash":"^4.17.20"}}\n');
  const npm = samples.find((s) => s.as === 'npm-shrinkwrap.json')!.text;
  const yarn = samples.find((s) => s.as === 'yarn.lock')!.text;
  repo.write('package-lock.json', npm.slice(0, Math.floor(npm.length / 2)));
  repo.write('web/yarn.lock', yarn.replace(/\n {2}version/, '\n\tversion'));
  repo.write('web/package.json', '{"name":"web","dependencies":{"lodash":"^4.17.20"}}\n');
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json', '--atoms', 'dependencies']);
  assert.is(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.errors, []);
  assert.equal(out.findings.map((f: { rule: string; file: string }) => `${f.rule} ${f.file}`).sort(), [
    'dependencies/corrupt-lockfile package-lock.json',
    'dependencies/corrupt-lockfile web/yarn.lock',
  ]);
});

test.run();
