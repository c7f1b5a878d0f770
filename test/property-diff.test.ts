// The diff readers (src/git/diff.ts) against real git: generated files and edits are committed,
// staged or left in the working tree, and every mode's added lines must be exactly the lines the
// edits added; git's own quoting of arbitrary file names must unquote to the names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectChangeSet, type ChangedFile, type Mode } from '../src/changeset/changeset.js';
import { parseAddedLines, parseRaw, unquotePath } from '../src/git/diff.js';
import { check, checkAsync, fc, timed } from './helpers/property.js';
import { makeRepo, type Repo } from './helpers/repo.js';

test('parseRaw and parseAddedLines take any text without throwing, in linear time', () => {
  const piece = fc.constantFrom(
    '\0',
    '\n',
    ':100644 100644 ',
    'a'.repeat(40) + ' ',
    'M',
    'R100',
    'A',
    '::',
    '@@ -1,2 +3,4 @@',
    '@@@ -1 -1 +1 @@@',
    '+++ b/',
    '--- a/',
    'diff --git',
    '+',
    '-',
    ' ',
    '\\',
    '"',
    '\\t',
    'x',
    '\t',
    '\\303\\251',
  );
  check(
    fc.property(
      fc.array(piece, { maxLength: 40 }).map((p) => p.join('')),
      (text) => {
        parseRaw(text);
        parseAddedLines(text);
        unquotePath(text);
      },
    ),
    3000,
  );
  const long = [
    '@@ -1 +1 @@\n' + '+x\n'.repeat(200_000),
    ':'.repeat(200_000),
    '\0'.repeat(200_000),
    '"' + '\\'.repeat(200_000),
    '+++ b/' + 'a'.repeat(200_000),
  ];
  for (const text of long) {
    const { ms } = timed(() => (parseRaw(text), parseAddedLines(text), unquotePath(text)));
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
  }
});

// ── Added lines against real git ─────────────────────────────────────────────

/**
 * A line is its text and its terminator: unique texts make git's diff forced
 * (the retained lines are the only common subsequence), so the added lines
 * are exactly the new file's lines that the old file does not have, byte for
 * byte. Texts may look like diff syntax to try the reader.
 */
interface Line {
  text: string;
  eol: '\n' | '\r\n';
}
type Op =
  | { kind: 'insert'; at: number; count: number }
  | { kind: 'delete'; at: number }
  | { kind: 'replace'; at: number };

const TRICKS = [
  '',
  '',
  '',
  '+++ b/x.js ',
  '--- a/y.js ',
  '@@ -1 +1 @@ ',
  'diff --git a/q b/q ',
  '\\ No newline at end of file ',
  '+',
  '-',
  ' ',
  'HEX',
];
let counter = 0;
function makeLine(prefix: string, crlf: boolean): Line {
  const token = `L${counter++}`;
  const text = prefix === 'HEX' ? createHash('sha1').update(token).digest('hex') : `${prefix}${token}`;
  return { text, eol: crlf ? '\r\n' : '\n' };
}

const render = (lines: Line[], finalEol: boolean) =>
  lines.map((l, i) => l.text + (i === lines.length - 1 && !finalEol ? '' : l.eol)).join('');

function apply(lines: Line[], ops: Op[], trick: () => string, crlf: boolean): Line[] {
  const out = [...lines];
  for (const op of ops) {
    const at = out.length ? op.at % (out.length + (op.kind === 'insert' ? 1 : 0)) : 0;
    if (op.kind === 'insert') out.splice(at, 0, ...Array.from({ length: op.count }, () => makeLine(trick(), crlf)));
    else if (out.length && op.kind === 'delete') out.splice(at, 1);
    else if (out.length) out.splice(at, 1, makeLine(trick(), crlf));
  }
  return out;
}

/** 1-based numbers of the lines of `after` whose bytes (text and terminator as written) `before` does not have. */
function expectedAdded(before: Line[], beforeEol: boolean, after: Line[], afterEol: boolean): number[] {
  const key = (l: Line, i: number, all: Line[], eol: boolean) => l.text + (i === all.length - 1 && !eol ? '' : l.eol);
  const old = new Set(before.map((l, i) => key(l, i, before, beforeEol)));
  return after.flatMap((l, i) => (old.has(key(l, i, after, afterEol)) ? [] : [i + 1]));
}

const NAMES = [
  'a.js',
  'src/b.ts',
  'with space.js',
  'ünï/名前.js',
  'tab\there.js',
  'quote"d.js',
  'new\nline.js',
  '-dash.js',
  'back\\slash.js',
];
const op = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(30), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(30) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(30) }),
);
const fileChange = fc.record({
  name: fc.constantFrom(...NAMES),
  size: fc.nat(12),
  crlf: fc.boolean(),
  oldEol: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
  newEol: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
  /** One list of edits per commit (or per stage of the working copy). */
  steps: fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
  isNew: fc.boolean(),
});
const scenario = fc.record({
  files: fc.uniqueArray(fileChange, { minLength: 1, maxLength: 6, selector: (f) => f.name }),
  trickSeed: fc.nat(1000),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

interface Plan {
  /** The file's states: [base (absent for a new file), after step 1, after step 2, …] with their final-EOL flags. */
  states: Array<{ lines: Line[]; eol: boolean } | null>;
}

function plan(s: Scenario): Map<string, Plan> {
  let t = s.trickSeed;
  const trick = () => TRICKS[t++ % TRICKS.length]!;
  const plans = new Map<string, Plan>();
  for (const f of s.files) {
    const base = f.isNew
      ? null
      : { lines: Array.from({ length: f.size }, () => makeLine(trick(), f.crlf)), eol: f.oldEol };
    const states: Plan['states'] = [base];
    let current = base?.lines ?? [];
    f.steps.forEach((ops, i) => {
      current = apply(current, ops, trick, f.crlf);
      states.push({ lines: current, eol: i === f.steps.length - 1 ? f.newEol : true });
    });
    plans.set(f.name, { states });
  }
  return plans;
}

const write = (repo: Repo, name: string, state: { lines: Line[]; eol: boolean }) =>
  repo.write(name, render(state.lines, state.eol));

/** What a mode must report for one step (from → to) of one file; null when the step changes nothing. */
function expected(
  from: Plan['states'][number],
  to: NonNullable<Plan['states'][number]>,
): { allAdded: boolean; added: number[] } | null {
  if (!from) return { allAdded: true, added: [] }; // a new file, even an empty one
  // A step that only deletes lines is listed too (with no added line): deleting a control is judged.
  if (render(from.lines, from.eol) === render(to.lines, to.eol)) return null;
  const added = to.lines.length ? expectedAdded(from.lines, from.eol, to.lines, to.eol) : [];
  return { allAdded: false, added };
}

async function changeSet(repo: Repo, mode: Mode, range?: string): Promise<ChangedFile[]> {
  const changes = await collectChangeSet(repo.dir, { mode, paths: [], ...(range ? { range } : {}) });
  changes.close();
  return changes.files;
}

function compare(files: ChangedFile[], want: Map<string, { allAdded: boolean; added: number[] }>, what: string) {
  const got = new Map(files.map((f) => [f.path, { allAdded: f.allAdded, added: f.allAdded ? [] : f.added }]));
  const [g, w] = [
    JSON.stringify(Object.fromEntries([...got].sort())),
    JSON.stringify(Object.fromEntries([...want].sort())),
  ];
  assert.ok(g === w, `${what}: got ${g}, want ${w}`);
}

test('staged, worktree, range and push modes report exactly the added lines of generated edits', async () => {
  await checkAsync(
    fc.asyncProperty(scenario, async (s) => {
      const plans = plan(s);
      const repo = makeRepo();
      repo.write('.keep', 'base\n');
      for (const [name, p] of plans) if (p.states[0]) write(repo, name, p.states[0]);
      repo.stage();
      const base = repo.commit('base');

      // Every step committed: range and push see one diff per commit.
      const perCommit = new Map<string, Map<string, { allAdded: boolean; added: number[] }>>();
      const steps = Math.max(...[...plans.values()].map((p) => p.states.length - 1));
      for (let i = 1; i <= steps; i++) {
        const want = new Map<string, { allAdded: boolean; added: number[] }>();
        for (const [name, p] of plans) {
          const to = p.states[i];
          if (!to) continue;
          write(repo, name, to);
          const e = expected(p.states[i - 1] ?? null, to);
          if (e) want.set(name, e);
        }
        repo.stage();
        if (repo.git('status', '--porcelain').trim() === '') continue;
        perCommit.set(repo.commit(`step ${i}`), want);
      }
      const head = repo.git('rev-parse', 'HEAD').trim();
      const byCommit = (files: ChangedFile[]) => {
        const out = new Map<string, ChangedFile[]>();
        for (const f of files) out.set(f.commit!, [...(out.get(f.commit!) ?? []), f]);
        return out;
      };
      const ranged = byCommit(await changeSet(repo, 'range', `${base}..${head}`));
      for (const [commit, want] of perCommit)
        compare(ranged.get(commit) ?? [], want, `range, commit ${commit.slice(0, 8)}`);
      const changes = await collectChangeSet(repo.dir, {
        mode: 'push',
        paths: [],
        pushInput: `refs/heads/main ${head} refs/heads/main ${base}\n`,
      });
      changes.close();
      const pushed = byCommit(changes.files);
      for (const [commit, want] of perCommit)
        compare(pushed.get(commit) ?? [], want, `push, commit ${commit.slice(0, 8)}`);

      // The whole change at once, from the base: staged in the index, or left in the working tree.
      repo.git('reset', '-q', '--soft', base);
      const whole = new Map<string, { allAdded: boolean; added: number[] }>();
      for (const [name, p] of plans) {
        const e = expected(p.states[0] ?? null, p.states.at(-1)!);
        if (e) whole.set(name, e);
      }
      compare(await changeSet(repo, 'staged'), whole, 'staged');
      repo.git('reset', '-q', '--mixed', base);
      compare(await changeSet(repo, 'worktree'), whole, 'worktree');
    }),
    12, // each run is about 25 git processes: many files per run rather than many runs
  );
});

// ── Names as git quotes them ─────────────────────────────────────────────────

const nameUnit = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'a',
      'b',
      '.',
      '-',
      '_',
      ' ',
      '"',
      '\\',
      '\t',
      '\n',
      '\r',
      '\x01',
      '\x1b',
      '\x7f',
      'é',
      '名',
      '😀',
      '$',
      '(',
      '*',
      '?',
      "'",
      '#',
      '\u00a0',
      '\u200b',
    ),
    weight: 5,
  },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), weight: 1 },
);
const fileName = fc
  .string({ unit: nameUnit, minLength: 1, maxLength: 10 })
  .filter(
    (n) =>
      !n.includes('/') &&
      !n.includes('\0') &&
      n !== '.' &&
      n !== '..' &&
      n.toLowerCase() !== '.git' &&
      Buffer.byteLength(n) < 200,
  );

test("git's quoting of arbitrary names unquotes to the names, in name lists and patch headers", async () => {
  await checkAsync(
    fc.asyncProperty(
      fc.uniqueArray(fileName, { minLength: 1, maxLength: 20, selector: (n) => n.normalize('NFC') }),
      async (names) => {
        const repo = makeRepo();
        // Raw bytes too: a name that is not valid UTF-8 is quoted as octal escapes and must read back like git's -z output.
        const latin1 = Buffer.from([0x6c, 0x61, 0x74, 0xe9, 0x2e, 0x6a, 0x73]);
        writeFileSync(join(repo.dir, latin1.toString('latin1')), 'x\n');
        writeFileSync(Buffer.concat([Buffer.from(repo.dir + '/'), latin1]), 'x\n');
        for (const n of names) writeFileSync(join(repo.dir, n), `${n}\n`);
        repo.git('add', '-A');
        const listed = repo.git('ls-files', '-z').split('\0').filter(Boolean).sort();
        for (const quotepath of ['on', 'off']) {
          const plain = repo
            .git('-c', `core.quotepath=${quotepath}`, 'diff', '--cached', '--name-only')
            .split('\n')
            .filter(Boolean)
            .map(unquotePath)
            .sort();
          assert.ok(
            JSON.stringify(plain) === JSON.stringify(listed),
            `name-only, core.quotepath=${quotepath}: ${JSON.stringify(plain)} vs ${JSON.stringify(listed)}`,
          );
          const patch = repo.git(
            '-c',
            `core.quotepath=${quotepath}`,
            'diff',
            '--cached',
            '-p',
            '-U0',
            '--src-prefix=a/',
            '--dst-prefix=b/',
            '--no-color',
          );
          const keys = [...parseAddedLines(patch).keys()].map((k) => k.slice(k.indexOf('\0') + 1)).sort();
          assert.ok(
            JSON.stringify(keys) === JSON.stringify(listed),
            `patch headers, core.quotepath=${quotepath}: ${JSON.stringify(keys)} vs ${JSON.stringify(listed)}`,
          );
        }
        const files = (await changeSet(repo, 'staged')).map((f) => f.path).sort();
        assert.equal(files, listed, 'the staged change set');
      },
    ),
    8,
  );
});

test.run();
