// Time budgets (src/engine/budget.ts): an atom that spins, hangs or throws is reported as an error of
// that atom, the others still run, and failClosed decides the exit code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as z from 'zod';
import { defineAtom, parsesFirst, wantsParse, type AnyAtom, type Hit, type SourceFile } from '../src/kit/atom.js';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { checkLinearRegex } from '../src/policy/linear-regex.js';
import { Budgets, runStoppable } from '../src/engine/budget.js';
import { collectChangeSet } from '../src/changeset/changeset.js';
import { checkChangeSet } from '../src/engine/engine.js';
import { sourceFile } from '../src/engine/source-file.js';
import { IMPORTS_LOCAL } from '../src/kit/summaries.js';
import type { Report } from '../src/findings.js';
import type { Policy } from '../src/policy/policy.js';
import { activate, headerOf } from '../src/router.js';
import { stubContext } from './helpers/examples.js';
import { memoryProject } from './helpers/project.js';
import { commitPolicy, makeRepo, type Repo } from './helpers/repo.js';
import { md5Line } from './helpers/samples.js';

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/** An atom over `*.txt` whose check is `check`; `found` hits line 1. */
function atom(id: string, check: AnyAtom['check']): AnyAtom {
  return defineAtom({
    id,
    title: id,
    criteria: { pass: 'ok', fail: 'not ok' },
    files: ['**/*.txt'],
    keywords: [],
    defaultLevel: 'block',
    rules: { found: { message: 'found', fix: 'fix it' } },
    examples: { bad: [], good: [] },
    check,
  });
}
const found: Hit[] = [{ rule: 'found', line: 1, column: 1 }];

function policy(atomTimeoutMs: number): Policy {
  return {
    file: null,
    failOn: 'block',
    failClosed: false,
    ignore: [],
    maxFileBytes: 5_000_000,
    atomTimeoutMs,
    atoms: {},
    custom: [],
    skills: {},
    baseline: '.ralph-baseline.json',
    globs: {},
  };
}

function repoWithFiles(n: number): Repo {
  const repo = makeRepo();
  for (let i = 0; i < n; i++) repo.write(`f${i}.txt`, `line of file ${i}\n`);
  repo.stage();
  return repo;
}

async function check(repo: Repo, atoms: AnyAtom[], budgetMs: number): Promise<{ report: Report; ms: number }> {
  const changes = await collectChangeSet(repo.dir, { mode: 'staged', paths: [] });
  const started = performance.now();
  try {
    const report = await checkChangeSet(
      changes,
      atoms.map((a) => activate(headerOf(a), async () => a, 'block', {}, undefined, [])),
      policy(budgetMs),
      { online: false },
    );
    return { report, ms: performance.now() - started };
  } finally {
    changes.close();
  }
}

/** What atoms found (their analysis errors apart). */
const byAtom = (report: Report) =>
  report.findings
    .filter((f) => !f.rule.endsWith('/analysis-error'))
    .map((f) => `${f.atom}:${f.file}`)
    .sort();
/** The files each atom could not judge: `<atom>/analysis-error` findings, which block. */
const analysisErrors = (report: Report) =>
  report.findings
    .filter((f) => f.rule.endsWith('/analysis-error'))
    .map((f) => `${f.atom}:${f.file}:${f.severity}`)
    .sort();

test('runStoppable stops synchronous code, regex matching included, and passes other errors on', () => {
  let t = performance.now();
  assert.is(
    runStoppable(() => spin(10_000), 100),
    false,
  );
  assert.ok(performance.now() - t < 2000);
  t = performance.now();
  // The textbook catastrophic regex: seconds to hours without a stop.
  assert.is(
    runStoppable(() => void /^(a+)+$/.test('a'.repeat(40) + '!'), 100),
    false,
  ); // ralph-guard-ignore redos -- the regex under test
  assert.ok(performance.now() - t < 2000);
  // A check's own try/catch cannot swallow the stop.
  assert.is(
    runStoppable(() => {
      for (;;) {
        try {
          spin(1e9);
        } catch {
          // keep going
        }
      }
    }, 100),
    false,
  );
  assert.is(
    runStoppable(() => {}, 100),
    true,
  );
  assert.throws(
    () =>
      runStoppable(() => {
        throw new Error('boom');
      }, 100),
    /boom/,
  );
});

test('a spinning atom is stopped and reported; the others still run on every file', async () => {
  const repo = repoWithFiles(3);
  const { report, ms } = await check(
    repo,
    [
      atom('spinner', () => {
        for (;;);
      }),
      atom('finder', () => found),
    ],
    300,
  );
  assert.equal(byAtom(report), ['finder:f0.txt', 'finder:f1.txt', 'finder:f2.txt']);
  assert.equal(
    report.failures.map((f) => [f.atom, f.file]),
    [
      ['spinner', 'f0.txt'],
      ['spinner', 'f1.txt'],
      ['spinner', 'f2.txt'],
    ],
  );
  assert.match(report.failures[0]!.message, 'ran out of its 0.3 s time budget for this file and was stopped');
  assert.match(report.failures[0]!.message, 'atomTimeoutMs');
  assert.equal(analysisErrors(report), ['spinner:f0.txt:error', 'spinner:f1.txt:error', 'spinner:f2.txt:error']);
  assert.ok(ms < 4000, `${ms} ms`);
});

test('an atom that never settles is given up at its deadline; one that throws is reported with its message', async () => {
  const repo = repoWithFiles(2);
  const { report, ms } = await check(
    repo,
    [
      atom('hangs', () => new Promise<Hit[]>(() => {})),
      atom('throws', () => {
        throw new Error('cannot read this');
      }),
      atom('rejects', async () => {
        await null;
        throw new Error('rejected late');
      }),
      atom('finder', async () => found),
    ],
    300,
  );
  assert.equal(byAtom(report), ['finder:f0.txt', 'finder:f1.txt']);
  const failures = report.failures.map((f) => `${f.atom}:${f.file}:${f.message.split(/[.;]/)[0]}`).sort();
  assert.equal(failures, [
    'hangs:f0.txt:ran out of its 0',
    'hangs:f1.txt:ran out of its 0',
    'rejects:f0.txt:rejected late',
    'rejects:f1.txt:rejected late',
    'throws:f0.txt:cannot read this',
    'throws:f1.txt:cannot read this',
  ]);
  assert.ok(ms < 3000, `${ms} ms`);
});

test('work after an await cannot be stopped, but is measured: a check over its budget is reported, its result kept', async () => {
  const repo = repoWithFiles(3);
  const { report } = await check(
    repo,
    [
      atom('late', async () => {
        await null;
        spin(400);
        return found;
      }),
      atom('finder', () => found),
    ],
    300,
  );
  const seen = byAtom(report);
  assert.ok(seen.includes('late:f0.txt'), 'the late result is kept');
  assert.equal(
    seen.filter((f) => f.startsWith('finder:')),
    ['finder:f0.txt', 'finder:f1.txt', 'finder:f2.txt'],
  );
  assert.ok(report.failures.length >= 1 && report.failures.every((f) => f.atom === 'late'));
  assert.equal(report.failures[0]!.file, 'f0.txt');
});

test('the budget is per file: a slow file does not starve the same atom’s check of another file', async () => {
  const repo = repoWithFiles(3);
  const { report } = await check(
    repo,
    [atom('injection', (file) => (file.path === 'f0.txt' ? (spin(1e9), []) : found))],
    200,
  );
  assert.equal(byAtom(report), ['injection:f1.txt', 'injection:f2.txt'], 'the files after the slow one are checked');
  assert.equal(analysisErrors(report), ['injection:f0.txt:error']);
});

test('over a whole run an atom spends at most three files’ budgets; every file it could not check is an analysis error', async () => {
  const repo = repoWithFiles(8);
  const { report, ms } = await check(repo, [atom('slow', () => (spin(1e9), found))], 100);
  assert.equal(
    analysisErrors(report),
    Array.from({ length: 8 }, (_, i) => `slow:f${i}.txt:error`),
  );
  const byWhy = report.failures.map((f) => (f.message.includes('for the whole run') ? 'run' : 'file'));
  // (Which budget stops the second and third file depends on how late V8 stopped the first: timing.)
  assert.is(byWhy[0], 'file');
  assert.equal(byWhy.slice(4), Array(4).fill('run'), 'the last files were not even started');
  assert.ok(ms < 3000, `${ms} ms`);
});

test('a check stopped by another atom’s smaller budget runs again under its own', async () => {
  const repo = repoWithFiles(2);
  const { report } = await check(
    repo,
    [
      // Margins of 300 ms: a loaded machine (CI, other test files beside) must not push the first over its own budget.
      atom('first', (file) => (file.path === 'f0.txt' ? (spin(700), []) : [])),
      atom('second', (file) => (file.path === 'f1.txt' ? (spin(400), found) : [])),
    ],
    1000,
  );
  assert.equal(byAtom(report), ['second:f1.txt']);
  assert.equal(report.failures, []);
});

test('a check marked parsesFirst gets the parse before it is called, so its analysis is stoppable', async () => {
  const repo = makeRepo();
  repo.write('a.js', 'export const a = 1;\n');
  repo.write('b.js', 'export const b = 2;\n');
  repo.stage();
  const seen: string[] = [];
  const analyser = defineAtom({
    ...atom('analyser', () => []),
    files: ['**/*.js'],
    check: parsesFirst((file: SourceFile) => {
      const parsed = file.parsedNow?.();
      seen.push(`${file.path}:${parsed ? (parsed.ok ? 'parsed' : 'rejected') : 'not parsed'}`);
      if (file.path === 'a.js') for (;;);
      return found;
    }),
  });
  const finder = defineAtom({ ...atom('finder', () => found), files: ['**/*.js'] });
  const changes = await collectChangeSet(repo.dir, { mode: 'staged', paths: [] });
  const report = await checkChangeSet(
    changes,
    [analyser, finder].map((a) => activate(headerOf(a), async () => a, 'block', {}, undefined, [])),
    // Long enough for a cold parse of b.js on a loaded machine: only a.js's endless loop may run out.
    policy(1000),
    { online: false },
  );
  changes.close();
  assert.equal(seen, ['a.js:parsed', 'b.js:parsed']);
  assert.equal(
    report.failures.map((f) => [f.atom, f.file]),
    [['analyser', 'a.js']],
  );
  assert.equal(byAtom(report), ['analyser:b.js', 'finder:a.js', 'finder:b.js'], 'b.js has its own budget');
});

test('Budgets charges each atom only its own time', async () => {
  const budgets = new Budgets(1000);
  const tasks = [
    { atom: 'a', file: 'x' },
    { atom: 'b', file: 'x' },
    { atom: 'a', file: 'y' },
  ];
  const out = await budgets.runTasks(
    tasks,
    (t) => (t.atom === 'a' ? (spin(50), 1) : 2),
    async () => {},
  );
  assert.equal(
    out.map((o) => (o.kind === 'done' ? o.value : o.kind)),
    [1, 2, 1],
  );
  const a = budgets.remaining({ atom: 'a', file: 'x' });
  assert.ok(a <= 950 && a > 800, String(a));
  assert.ok(budgets.remaining({ atom: 'b', file: 'x' }) > 990);
  assert.ok(budgets.remaining({ atom: 'a', file: 'z' }) > 990, 'another file has its own budget');
  assert.equal(budgets.exhausted(), []);
});

// Through the CLI: a policy's pattern check on a minified-looking line far longer than usual.
function slowPatternRepo(extra: Record<string, unknown> = {}): Repo {
  const repo = makeRepo();
  commitPolicy(repo, {
    '.ralphrc.json': JSON.stringify({
      atomTimeoutMs: 400,
      ...extra,
      atoms: {
        'no-assignments': {
          title: 'No assignment in data files',
          criteria: { pass: 'None.', fail: 'An assignment.' },
          files: ['data/**'],
          checks: [{ type: 'pattern', name: 'assign', regex: '[a-z]+=', message: 'An assignment.' }],
        },
      },
    }),
  });
  // Accepted as linear per start position, but a search over 300,000 letters without "=" tries every start: seconds.
  repo.write('data/blob.txt', 'a'.repeat(300_000) + '\n');
  return repo;
}

test('CLI: an atom out of time blocks that file (<atom>/analysis-error), in hooks and CI; the atom at "warn" lets it through', () => {
  const repo = slowPatternRepo();
  repo.stage();
  const started = Date.now();
  let r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.ok(Date.now() - started < 8000, `${Date.now() - started} ms`);
  assert.is(r.code, 1, r.stderr);
  const json = JSON.parse(r.stdout);
  const errors = json.errors as Array<{ atom: string; file: string; message: string }>;
  assert.equal(
    errors.map((e) => [e.atom, e.file]),
    [['no-assignments', 'data/blob.txt']],
  );
  assert.match(errors[0]!.message, 'ran out of its 0.4 s time budget');
  assert.equal(
    json.findings.map((f: { rule: string; file: string }) => `${f.rule} ${f.file}`),
    ['no-assignments/analysis-error data/blob.txt'],
  );
  r = repo.cli(['check', '--all', '--format', 'json']);
  assert.is(r.code, 1);
  r = repo.cli(['check', '--staged']);
  assert.match(r.stdout, 'no-assignments: data/blob.txt: ran out of its 0.4 s time budget');
  assert.match(r.stdout, 'no-assignments/analysis-error');
  assert.not.match(r.stdout, 'every criterion passes');

  const lowered = slowPatternRepo({ extends: [], failClosed: false });
  const policy = JSON.parse(lowered.read('.ralphrc.json'));
  policy.atoms['no-assignments'].level = 'warn';
  commitPolicy(lowered, { '.ralphrc.json': JSON.stringify(policy) }); // the committed policy judges
  lowered.stage();
  r = lowered.cli(['check', '--staged']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'no-assignments/analysis-error');
  assert.not.match(r.stdout, 'every criterion passes');
});

test('CLI: the other atoms still run and block', () => {
  const repo = slowPatternRepo();
  repo.write('src/app.js', md5Line);
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 1);
  const out = JSON.parse(r.stdout);
  assert.equal(
    out.findings.map((f: { rule: string }) => f.rule),
    ['no-assignments/analysis-error', 'password-hashing/fast-hash'],
  );
  assert.equal(
    out.errors.map((e: { atom: string }) => e.atom),
    ['no-assignments'],
  );
});

test('CLI: atomTimeoutMs is validated like any key', () => {
  const repo = makeRepo();
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ atomTimeoutMs: -5 }) });
  repo.write('a.js', 'x\n');
  repo.stage();
  const r = repo.cli(['check', '--staged']);
  assert.is(r.code, 2);
  assert.match(r.stderr, '.ralphrc.json: atomTimeoutMs: expected');
});

// Atoms whose checks must wait for something besides the parse: the lockfile's old version, the regex
// analyser's lazy import, or the other modules of the app (the project view).
const ASYNC_BY_NATURE = new Set([
  'dependencies',
  'redos',
  'security-headers',
  'csrf',
  'input-validation',
  'rate-limiting',
  'file-upload',
  'nosql-injection', // a receiver imported from a local module: which database it talks to
]);
// Atoms that follow calls into helpers of local modules (src/kit/summaries.ts): their own analysis of the file
// is synchronous; only a file that imports a local module may wait for its helpers.
const FOLLOWS_CALLS = new Set([
  'code-injection',
  'command-injection',
  'insecure-random', // a token from a helper of a local module: is it built on Math.random?
  'nosql-injection',
  'open-redirect',
  'password-hashing',
  'path-traversal',
  'prototype-pollution',
  'sensitive-logging', // a logged request body typed in another module: which fields does its type declare?
  'sql-injection',
  'ssrf',
  'unsafe-deserialization',
  'xss',
]);

// Atoms that may wait for one package.json besides: which js-yaml the package declares decides what load() of
// request data does (nothing is analysed after that wait but the version's major).
const READS_PACKAGE_JSON: Record<string, RegExp> = { 'unsafe-deserialization': /js-yaml/ };

test('every code atom, given its parse, analyses synchronously: inside its time budget', async () => {
  for (const builtin of BUILTIN_ATOMS) {
    for (const example of [...builtin.examples.bad, ...builtin.examples.good]) {
      const options = builtin.options
        ? builtin.options(z, { regexProblem: checkLinearRegex }).parse(example.options ?? {})
        : {};
      const file = sourceFile({ path: example.file, allAdded: true, added: [] }, example.code);
      const wants = wantsParse(builtin.check, file);
      if (wants) await file.ast();
      const result = builtin.check(
        file,
        stubContext(options, () => {}, memoryProject({ [example.file]: example.code })),
      );
      if (result instanceof Promise) {
        await result;
        if (wants || /\.[cm]?[jt]sx?$/.test(example.file))
          assert.ok(
            ASYNC_BY_NATURE.has(builtin.id) ||
              (FOLLOWS_CALLS.has(builtin.id) && IMPORTS_LOCAL.test(example.code)) ||
              !!READS_PACKAGE_JSON[builtin.id]?.test(example.code),
            `${builtin.id} on ${example.file}: parsed first, but its check still awaited something`,
          );
      }
    }
  }
});

test.run();
