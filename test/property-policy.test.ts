// The policy loader on generated documents written as .ralphrc.json and .ralphrc.yaml: a valid
// policy loads and means what it says; an invalid one is a PolicyError (exit 2) that names the
// file and the key of every problem; nothing ever crashes. The validator runs in-process for
// volume, the real CLI for a sample.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as yaml } from 'yaml';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { PolicyError } from '../src/errors.js';
import { validatePolicy } from '../src/policy/validate.js';
import { diskTree } from '../src/policy/source.js';
import { checkAsync, fc, runs } from './helpers/property.js';
import { commitPolicy, makeRepo, tempDir } from './helpers/repo.js';

const BUILTIN = BUILTIN_ATOMS.map((a) => a.id);
const id = fc.stringMatching(/^[a-z][a-z0-9]{1,5}-[a-z0-9]{1,5}$/).filter((x) => !BUILTIN.includes(x));
const glob = fc.constantFrom('src/**', '**/*.js', '!test/**', 'dist/**', '*.min.js', 'lib/*.{js,ts}');
const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0);
const SAFE_REGEXES = [
  '\\bSELECT\\b.+\\bFROM\\b',
  'console\\.log\\(',
  'TODO|FIXME',
  '[A-Za-z_]+\\s*=\\s*[0-9]+',
  'debugger',
];

const patternCheck = fc.record(
  {
    type: fc.constant('pattern'),
    name: fc.constantFrom('raw-sql', 'log', 'x'),
    regex: fc.constantFrom(...SAFE_REGEXES),
    flags: fc.constantFrom('', 'i', 'im'),
    message: text,
    fix: text,
  },
  { requiredKeys: ['type', 'regex', 'message'] },
);
const commandCheck = fc.record(
  {
    type: fc.constant('command'),
    name: fc.constantFrom('audit', 'lint'),
    command: fc.constantFrom('true', 'npm audit', 'eslint --max-warnings 0'),
    timeoutMs: fc.integer({ min: 1, max: 120_000 }),
    message: text,
  },
  { requiredKeys: ['type', 'command'] },
);
const customAtom = fc.record(
  {
    title: text,
    criteria: fc.record({ pass: text, fail: text }),
    level: fc.constantFrom('block', 'warn', 'off'),
    files: fc.array(glob, { maxLength: 3 }),
    ignore: fc.array(glob, { maxLength: 2 }),
    keywords: fc.array(text, { maxLength: 2 }),
    checks: fc.array(fc.oneof(patternCheck, commandCheck), { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ['title', 'criteria', 'checks'] },
);
const builtinSettings = fc.record(
  {
    level: fc.constantFrom('block', 'warn', 'off'),
    files: fc.array(glob, { maxLength: 2 }),
    ignore: fc.array(glob, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const validPolicy = fc
  .record(
    {
      extends: fc.constantFrom<string | string[]>('ralph-guard:recommended', ['ralph-guard:recommended'], []),
      failOn: fc.constantFrom('block', 'warn'),
      failClosed: fc.boolean(),
      ignore: fc.array(glob, { maxLength: 3 }),
      maxFileBytes: fc.integer({ min: 1, max: 50_000_000 }),
      atomTimeoutMs: fc.integer({ min: 1, max: 600_000 }),
      baseline: fc.constantFrom('.ralph-baseline.json', 'security/baseline.json'),
      builtins: fc.dictionary(fc.constantFrom(...BUILTIN), builtinSettings, { maxKeys: 4 }),
      custom: fc.dictionary(id, customAtom, { maxKeys: 2 }),
      bcrypt: fc.option(fc.integer({ min: 4, max: 31 }), { nil: undefined }),
    },
    { requiredKeys: ['builtins', 'custom'] },
  )
  .map(({ builtins, custom, bcrypt, ...top }) => {
    const atoms: Record<string, unknown> = { ...builtins, ...custom };
    if (bcrypt !== undefined)
      atoms['password-hashing'] = { ...(builtins['password-hashing'] ?? {}), options: { bcryptMinCost: bcrypt } };
    const ids = Object.keys(atoms);
    return {
      ...top,
      atoms,
      ...(ids.length ? { skills: { 'my-skill': { description: 'generated', atoms: ids.slice(0, 2) } } } : {}),
    } as Record<string, any>;
  });

/** A change that makes a valid policy invalid, and the key path its problem must name. */
interface Mutation {
  path: string;
  apply(p: Record<string, any>): void;
  /** Checked only once the policy's shape is valid (which atoms a skill names, which preset it extends): reported when it is the only mistake. */
  alone?: boolean;
}
function mutations(p: Record<string, any>): Mutation[] {
  const out: Mutation[] = [];
  const set = (path: string, value: unknown, alone = false) =>
    out.push({
      path,
      alone,
      apply: (q) => {
        const keys = path.split('.');
        let at = q;
        for (const k of keys.slice(0, -1)) at = at[k];
        at[keys.at(-1)!] = value;
      },
    });
  for (const [key, bad] of [
    ['failOn', 'sometimes'],
    ['failOn', 3],
    ['failClosed', 'yes'],
    ['ignore', 'dist/**'],
    ['ignore', ['']],
    ['maxFileBytes', -1],
    ['maxFileBytes', 1.5],
    ['atomTimeoutMs', 0],
    ['atomTimeoutMs', 'ten'],
    ['baseline', ''],
    ['extends', 5],
    ['zzUnknown', true],
  ] as const)
    set(key, bad);
  set('extends', ['ralph-guard:strict'], true);
  for (const [atomId, settings] of Object.entries(p.atoms ?? {}) as Array<[string, Record<string, any>]>) {
    if (BUILTIN.includes(atomId)) {
      set(`atoms.${atomId}.level`, 'error');
      set(`atoms.${atomId}.files`, 'src/**');
      set(`atoms.${atomId}.zzUnknown`, 1);
      if (atomId === 'password-hashing' && settings.options) set(`atoms.${atomId}.options.bcryptMinCost`, 'twelve');
      continue;
    }
    set(`atoms.${atomId}.title`, '');
    set(`atoms.${atomId}.criteria.pass`, 7);
    set(`atoms.${atomId}.checks`, []);
    set(`atoms.${atomId}.level`, true);
    set(`atoms.${atomId}.zzUnknown`, 1);
    settings.checks.forEach((c: Record<string, unknown>, i: number) => {
      const at = `atoms.${atomId}.checks.${i}`;
      if (c.type === 'pattern') {
        set(`${at}.regex`, '(a+)+$');
        set(`${at}.regex`, 'x\\w*\\w*y');
        set(`${at}.regex`, '(unclosed');
        set(`${at}.flags`, 'g');
      } else set(`${at}.timeoutMs`, -5);
      set(`${at}.zzUnknown`, 1);
    });
  }
  if (p.skills) set('skills.my-skill.atoms', ['no-such-atom'], true);
  set('atoms.zz-not-an-atom', { level: 'warn' });
  return out;
}

const root = tempDir('policy-');
let counter = 0;
function writePolicy(doc: unknown, format: 'json' | 'yaml'): string {
  const file = join(root, `${counter++}`, format === 'json' ? '.ralphrc.json' : '.ralphrc.yaml');
  makeDirFor(file);
  writeFileSync(file, format === 'json' ? JSON.stringify(doc, null, 2) : yaml(doc));
  return file;
}
function makeDirFor(file: string) {
  mkdirSync(join(file, '..'), { recursive: true });
}

const shown = (file: string) => file.slice(join(file, '..').length + 1);

/** Validates a policy file on disk as the hooks would read it from git (same parsers, same extends rules). */
function validateFile(file: string) {
  const dir = join(file, '..');
  const name = shown(file);
  return validatePolicy({ path: name, text: readFileSync(file, 'utf8') }, { root: dir, tree: diskTree(dir) });
}

async function problemsOf(file: string): Promise<string[] | null> {
  try {
    await validateFile(file);
    return null;
  } catch (e) {
    if (!(e instanceof PolicyError)) throw new Error(`not a PolicyError: ${e instanceof Error ? e.stack : String(e)}`);
    return e.problems;
  }
}

test('valid generated policies load and mean what they say (JSON and YAML)', async () => {
  await checkAsync(
    fc.asyncProperty(validPolicy, fc.constantFrom('json' as const, 'yaml' as const), async (doc, format) => {
      const file = writePolicy(doc, format);
      const { policy } = await validateFile(file);
      assert.is(policy.failOn, doc.failOn ?? 'block');
      assert.is(policy.failClosed, doc.failClosed ?? false);
      assert.is(policy.atomTimeoutMs, doc.atomTimeoutMs ?? 10_000);
      assert.is(policy.maxFileBytes, doc.maxFileBytes ?? 5_000_000);
      assert.equal(
        policy.custom.map((c) => c.id).sort(),
        Object.keys(doc.atoms)
          .filter((a) => !BUILTIN.includes(a))
          .sort(),
      );
      for (const [atomId, s] of Object.entries(doc.atoms) as Array<[string, { level?: string }]>) {
        if (BUILTIN.includes(atomId) && s.level) assert.is(policy.atoms[atomId]!.level, s.level, atomId);
      }
      if (doc.atoms['password-hashing']?.options)
        assert.is(
          policy.atoms['password-hashing']!.options.bcryptMinCost,
          doc.atoms['password-hashing'].options.bcryptMinCost,
        );
    }),
    150,
  );
});

test('every problem of an invalid policy is reported at once, naming the file and the key', async () => {
  await checkAsync(
    fc.asyncProperty(
      validPolicy,
      fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('json' as const, 'yaml' as const),
      async (doc, picks, format) => {
        const all = mutations(doc);
        // Distinct fields, none inside another (a replaced object hides what was wrong inside it).
        const chosen: Mutation[] = [];
        for (const pick of picks) {
          const m = all[pick % all.length]!;
          if (
            chosen.some((c) => c.path === m.path || c.path.startsWith(m.path + '.') || m.path.startsWith(c.path + '.'))
          )
            continue;
          if (chosen.length && (m.alone || chosen[0]!.alone)) continue;
          chosen.push(m);
        }
        const bad = structuredClone(doc);
        for (const m of chosen) m.apply(bad);
        const file = writePolicy(bad, format);
        const problems = await problemsOf(file);
        assert.ok(problems, `accepted: ${chosen.map((m) => m.path).join(', ')}`);
        for (const p of problems!) assert.ok(p.startsWith(`${shown(file)}: `), p);
        for (const m of chosen)
          assert.ok(
            problems!.some((p) => p.startsWith(`${shown(file)}: ${m.path}`)),
            `${m.path} not named in:\n${problems!.join('\n')}`,
          );
      },
    ),
    300,
  );
});

test('arbitrary JSON and YAML documents never crash the loader', async () => {
  const doc = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.dictionary(
      fc.constantFrom('atoms', 'failOn', 'ignore', 'extends', 'skills', 'maxFileBytes', 'x'),
      fc.jsonValue({ maxDepth: 3 }),
      { maxKeys: 4 },
    ),
    fc.record({
      atoms: fc.dictionary(fc.oneof(fc.constantFrom(...BUILTIN), id), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
    }),
  );
  await checkAsync(
    fc.asyncProperty(doc, fc.constantFrom('json' as const, 'yaml' as const), async (value, format) => {
      const file = writePolicy(value, format);
      const problems = await problemsOf(file);
      for (const p of problems ?? []) {
        assert.ok(p.startsWith(`${shown(file)}: `), p);
        assert.not.ok(/\bat \S+ \(/.test(p), `a stack trace: ${p}`);
      }
    }),
    300,
  );
  // Raw text, including broken syntax.
  await checkAsync(
    fc.asyncProperty(
      fc.string({ unit: fc.constantFrom(...'{}[]":,\n -#&*!|>?@`\'ab1'.split('')), maxLength: 80 }),
      fc.constantFrom('.ralphrc.json', '.ralphrc.yaml', '.ralphrc'),
      async (raw, name) => {
        const file = join(root, `${counter++}`, name);
        makeDirFor(file);
        writeFileSync(file, raw);
        for (const p of (await problemsOf(file)) ?? []) assert.ok(p.startsWith(`${name}: `), p);
      },
    ),
    200,
  );
});

test('through the CLI: a sample of generated policies, valid ones run and invalid ones exit 2 naming the key', async () => {
  const sample = fc.sample(
    fc.tuple(validPolicy, fc.nat(), fc.boolean(), fc.constantFrom('json' as const, 'yaml' as const)),
    { seed: 7, numRuns: runs(5) },
  );
  for (const [doc, pick, corrupt, format] of sample) {
    const repo = makeRepo();
    let path: string | null = null;
    if (corrupt) {
      const m = mutations(doc)[pick % mutations(doc).length]!;
      m.apply(doc);
      path = m.path;
    }
    const name = format === 'json' ? '.ralphrc.json' : '.ralphrc.yaml';
    commitPolicy(repo, { [name]: format === 'json' ? JSON.stringify(doc) : yaml(doc) });
    repo.write('src/a.js', 'export const a = 1;\n');
    repo.stage('src/a.js');
    const r = repo.cli(['check', '--staged', '--format', 'json']);
    if (path) {
      assert.is(r.code, 2, `${path}: ${r.stdout}`);
      assert.match(r.stderr, `${name}: ${path}`);
      assert.not.match(r.stderr, /\bat \S+ \(/);
    } else {
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assert.is(JSON.parse(r.stdout).version, 1);
    }
  }
});

test.run();
