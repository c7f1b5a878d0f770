// npm run bench -- detection: how often ralph-guard is right, per atom, on code nobody here wrote.
//
//   recall     labelled flaws found: the vulnerable apps' labels (bench/corpus/pinned.json) and the
//              `// ruleid:` lines of other analysers' test suites, mapped to atoms there
//   not flaws  those suites' labels we judged, by reading the code, not to be flaws (pinned.json `disputed`, one
//              reason each): left out of recall and listed apart
//   negatives  findings on those suites' labelled-safe files (each one a false alarm)
//   per kLOC   findings per 1,000 lines of JS/TS on the production apps (tests removed)
//   precision  of the production findings judged by reading the code (bench/corpus/judgements.json,
//              one line of reasoning each): strict = true / judged, lenient = (true + debatable) / judged,
//              and strict among the findings that block (severity error) — the figure the issue asks ≥ 2/3 of
//
// Reads only bench/corpus/.cache (build it once with `node bench/corpus/build.mjs`); fetches nothing.
// Each app is copied into a temporary git repository and checked with `check --all --format json`
// and the recommended policy. Results also go to bench/detection-results.json.
//
//   node bench/detection.mjs               the tables
//   node bench/detection.mjs --unjudged    also list the production findings nobody has judged yet
//   node bench/detection.mjs --list        also list every production finding with its level and judgement,
//                                          and the vulnerable apps' findings that no label covers
//   node bench/detection.mjs kutt dvna     only these corpus entries (while working on one cause)
//
// RALPH_GUARD_CLI=/path/to/dist/cli.js runs another build with the same corpus and labels (a before/after
// comparison: build the older commit in a scratch worktree and point this at its dist/cli.js).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = process.env.RALPH_GUARD_CLI || join(ROOT, 'dist', 'cli.js');
const CORPUS = join(ROOT, 'bench', 'corpus');
const CACHE = join(CORPUS, '.cache');
const pinned = JSON.parse(readFileSync(join(CORPUS, 'pinned.json'), 'utf8'));
const judgements = JSON.parse(readFileSync(join(CORPUS, 'judgements.json'), 'utf8')).judgements;
const showUnjudged = process.argv.includes('--unjudged');
const showList = process.argv.includes('--list');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const CODE = new Set(['.js', '.jsx', '.ts', '.tsx', '.mjs', '.cjs', '.mts', '.cts', '.vue', '.svelte']);

if (!existsSync(CACHE)) {
  console.error('No corpus: run `node bench/corpus/build.mjs` once (it needs the pinned repositories).');
  process.exit(2);
}
if (!existsSync(CLI)) execFileSync('node', [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });

const work = mkdtempSync(join(tmpdir(), 'ralph-guard-detection-'));
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
Object.assign(env, {
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  RALPH_GUARD_CACHE_DIR: join(work, 'cache'),
  RALPH_GUARD_NO_CACHE: '1',
  NO_COLOR: '1',
});

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

/**
 * A suite's cases live under its `tests/` folder; checked there, the atoms that leave test code out (tls,
 * weak-crypto, insecure-random, jwt, error-exposure…) would never see them. They are checked under `cases/`.
 */
const suitePath = (path) => path.replace(/^tests\//, 'cases/');

/** Checks one corpus directory as its own repository: the findings and the JS/TS line count. */
function check(kind, name) {
  const source = join(CACHE, kind, name);
  if (!existsSync(source) || (only.length && !only.includes(name))) return null;
  const dir = join(work, `${kind}-${name}`);
  cpSync(source, dir, { recursive: true });
  if (kind === 'suites' && existsSync(join(dir, 'tests'))) renameSync(join(dir, 'tests'), join(dir, 'cases'));
  const git = (...args) => execFileSync('git', args, { cwd: dir, env, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'corpus');
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'check', '--all', '--format', 'json'], {
    cwd: dir,
    env,
    maxBuffer: 1 << 28,
  });
  const ms = Date.now() - started;
  if (r.status > 1) throw new Error(`${kind}/${name}: exit ${r.status}: ${String(r.stderr).slice(0, 2000)}`);
  const report = JSON.parse(String(r.stdout));
  let lines = 0;
  for (const file of walk(source)) if (CODE.has(extname(file))) lines += readFileSync(file, 'utf8').split('\n').length;
  rmSync(dir, { recursive: true, force: true });
  return { findings: report.findings, lines, ms, errors: report.errors ?? [] };
}

const blank = () => ({
  labels: 0,
  disputed: 0,
  found: 0,
  negatives: 0,
  findings: 0,
  block: 0,
  judged: 0,
  true: 0,
  debatable: 0,
  blockJudged: 0,
  blockTrue: 0,
});
const atoms = new Map();
const atom = (id) => atoms.get(id) ?? atoms.set(id, blank()).get(id);
/**
 * A flow through a helper of the same file is reported at the call that passes the data; its message names the
 * sink's line (FLOW_MESSAGES.reachesThrough: "… reaches res.redirect() at line 74 through f()"), which a label at
 * the sink means.
 */
const sinkLine = (f) => Number(/ at line (\d+) through [\w$.]+\(\)\.$/.exec(f.message)?.[1] ?? Number.NaN);
const near = (f, from, to) =>
  ((f.endLine ?? f.line) >= from && f.line <= to) || (sinkLine(f) >= from && sinkLine(f) <= to);
const misses = [];
const unlabelled = [];
const disputed = [];

// ── recall: vulnerable apps ───────────────────────────────────────────────
for (const app of pinned.vulnerable) {
  const result = check('vulnerable', app.name);
  if (!result) continue;
  for (const label of app.labels) {
    const hit = result.findings.some(
      (f) => f.file === label.file && label.atoms.includes(f.atom) && near(f, label.line - 3, label.line + 3),
    );
    for (const id of label.atoms.slice(0, 1)) {
      atom(id).labels++;
      if (hit) atom(id).found++;
    }
    if (!hit) misses.push(`${app.name} ${label.file}:${label.line} ${label.atoms.join('|')}: ${label.why}`);
  }
  for (const f of result.findings)
    if (!app.labels.some((l) => l.file === f.file && l.atoms.includes(f.atom) && near(f, l.line - 3, l.line + 3)))
      unlabelled.push(`${app.name} ${f.file}:${f.line} ${f.rule} — ${f.message}`);
}

// ── recall and false alarms: other analysers' labelled tests ─────────────
for (const suite of pinned.suites) {
  const result = check('suites', suite.name);
  if (!result) continue;
  const root = join(CACHE, 'suites', suite.name);
  for (const file of walk(root)) {
    const path = relative(root, file);
    const text = readFileSync(file, 'utf8').split('\n');
    const found = result.findings.filter((f) => f.file === suitePath(path));
    if (path.startsWith(suite.negatives)) {
      for (const f of found) atom(f.atom).negatives++;
      continue;
    }
    text.forEach((line, i) => {
      const m = /ruleid:\s*([\w-]+)/.exec(line);
      if (!m || !suite.map[m[1]]) return;
      // The label covers its own line when code precedes the comment, else the statement after it:
      // up to the next label or 8 lines.
      const from = line.trim().startsWith('//') ? i + 2 : i + 1;
      let to = from;
      while (to < text.length && to - from < 8 && !/ruleid:|\bok:/.test(text[to])) to++;
      const ids = suite.map[m[1]];
      const hit = found.some((f) => ids.includes(f.atom) && near(f, from, to));
      // A label we judged, by reading the code, not to be a flaw (pinned.json `disputed`, one reason each) is
      // not counted either way: shown apart, so recall measures real flaws and the judgement stays visible.
      const dispute = suite.disputed?.find((d) => d.file === path && d.line === from);
      if (dispute) {
        atom(ids[0]).disputed++;
        disputed.push(
          `${suite.name} ${path}:${from} ${m[1]} → ${ids.join('|')}${hit ? ' (reported)' : ''}: ${dispute.why}`,
        );
        return;
      }
      atom(ids[0]).labels++;
      if (hit) atom(ids[0]).found++;
      else misses.push(`${suite.name} ${path}:${from} ${m[1]} → ${ids.join('|')}`);
    });
  }
}

// ── false alarms and precision: production apps ───────────────────────────
const judged = new Map(judgements.map((j) => [`${j.app} ${j.file}:${j.line} ${j.rule}`, j]));
const apps = [];
const unjudged = [];
const production = [];
for (const app of pinned.production) {
  const result = check('production', app.name);
  if (!result) continue;
  apps.push({ name: app.name, lines: result.lines, findings: result.findings.length, ms: result.ms });
  for (const f of result.findings) {
    const a = atom(f.atom);
    a.findings++;
    if (f.severity === 'error') a.block++;
    const j = judged.get(`${app.name} ${f.file}:${f.line} ${f.rule}`);
    production.push({
      app: app.name,
      file: f.file,
      line: f.line,
      rule: f.rule,
      severity: f.severity,
      verdict: j?.verdict,
      why: j?.why,
    });
    if (!j) {
      unjudged.push(`${app.name} ${f.file}:${f.line} ${f.rule} — ${f.message}`);
      continue;
    }
    a.judged++;
    if (j.verdict === 'true') a.true++;
    if (j.verdict === 'debatable') a.debatable++;
    if (f.severity === 'error') {
      a.blockJudged++;
      if (j.verdict === 'true') a.blockTrue++;
    }
  }
}
const lines = apps.reduce((n, a) => n + a.lines, 0);

// ── report ────────────────────────────────────────────────────────────────
const pct = (n, d) => (d ? `${Math.round((100 * n) / d)} %` : '–');
const per1k = (n) => (lines ? ((1000 * n) / lines).toFixed(3) : '–');
const rows = [...atoms.entries()].sort(([a], [b]) => a.localeCompare(b));
const table = [
  [
    'atom',
    'recall',
    'found/labels',
    'not flaws',
    'neg. FA',
    'prod (block)',
    'per kLOC',
    'judged',
    'strict',
    'lenient',
    'block: strict',
  ],
  ...rows.map(([id, a]) => [
    id,
    pct(a.found, a.labels),
    `${a.found}/${a.labels}`,
    String(a.disputed),
    String(a.negatives),
    `${a.findings} (${a.block})`,
    per1k(a.findings),
    String(a.judged),
    pct(a.true, a.judged),
    pct(a.true + a.debatable, a.judged),
    `${pct(a.blockTrue, a.blockJudged)} of ${a.blockJudged}`,
  ]),
];
const total = rows.reduce((t, [, a]) => {
  for (const k of Object.keys(t)) t[k] += a[k];
  return t;
}, blank());
table.push([
  'all',
  pct(total.found, total.labels),
  `${total.found}/${total.labels}`,
  String(total.disputed),
  String(total.negatives),
  `${total.findings} (${total.block})`,
  per1k(total.findings),
  String(total.judged),
  pct(total.true, total.judged),
  pct(total.true + total.debatable, total.judged),
  `${pct(total.blockTrue, total.blockJudged)} of ${total.blockJudged}`,
]);
const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
for (const row of table) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
console.log(`\nProduction apps (${lines.toLocaleString('en')} lines of JS/TS, tests removed):`);
for (const a of apps)
  console.log(
    `  ${a.name.padEnd(16)} ${String(a.lines).padStart(7)} lines  ${String(a.findings).padStart(4)} findings  ${((1000 * a.findings) / a.lines).toFixed(3)} per kLOC  ${a.ms} ms`,
  );
console.log(`\nLabelled flaws missed (${misses.length}):`);
for (const m of misses) console.log(`  ${m}`);
console.log(`\nLabels judged not to be flaws, not counted (${disputed.length}):`);
for (const d of disputed) console.log(`  ${d}`);
if (showList) {
  console.log(`\nVulnerable apps' findings no label covers (${unlabelled.length}):`);
  for (const u of unlabelled) console.log(`  ${u}`);
  console.log(`\nProduction findings (${production.length}):`);
  for (const p of production)
    console.log(
      `  ${p.severity === 'error' ? 'block' : 'warn '} ${p.verdict ?? 'unjudged'} ${p.app} ${p.file}:${p.line} ${p.rule} — ${p.why ?? ''}`,
    );
}
if (showUnjudged) {
  console.log(`\nProduction findings not judged (${unjudged.length}):`);
  for (const u of unjudged) console.log(`  ${u}`);
} else console.log(`\n${unjudged.length} production findings not judged (--unjudged lists them).`);

writeFileSync(
  join(ROOT, 'bench', 'detection-results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), lines, apps, atoms: Object.fromEntries(rows), misses, disputed, unlabelled, unjudged, production }, null, 2)}\n`,
);
rmSync(work, { recursive: true, force: true });
