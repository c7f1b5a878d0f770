// npm run bench: ralph-guard beside the floor (`node -e 0`) and its peers
// (secretlint with its recommended preset, eslint with eslint-plugin-security)
// on the same files, in one run. Every scenario is built in a temporary git
// repository; each command runs several times; the table shows median and min
// wall time, the ratio to the floor measured in the same scenario, the same
// command on one thread (`RALPH_GUARD_WORKERS=1`: the single-core cost), lines
// per second and peak RSS; every budget of DESIGN §8 with "holds" or "fails".
// Results go to bench/results.json too. Not a test: CI does not run it.
//
//   npm run bench                 all scenarios
//   npm run bench -- typical all  only scenarios whose name contains a word
//   npm run bench -- detection    recall and precision per atom on a real corpus (bench/detection.mjs)
//   BENCH_RUNS=20 npm run bench   more repetitions
//   BENCH_KEEP=1 npm run bench    keep the scenario repositories (to profile them)
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { filePath, source } from './generate.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const BENCH = join(ROOT, 'bench');
const CLI = join(ROOT, 'dist', 'cli.js');
const RSS = join(BENCH, 'rss.cjs');
const RUNS = Number(process.env.BENCH_RUNS) || 10;
const only = process.argv.slice(2);
// `npm run bench -- detection`: whether findings are right, not how fast (bench/detection.mjs); no peers needed.
if (only[0] === 'detection') {
  const r = spawnSync(process.execPath, [join(BENCH, 'detection.mjs'), ...only.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const work = mkdtempSync(join(tmpdir(), 'ralph-guard-bench-'));
const rssFile = join(work, 'rss.txt');

const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_') && !k.startsWith('npm_')),
);
Object.assign(env, {
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  RALPH_GUARD_CACHE_DIR: join(work, 'cache'),
  NO_COLOR: '1',
  // Every run checks afresh: a run must not be answered by the result cache the warm-up filled (see the typical scenario's second row).
  RALPH_GUARD_NO_CACHE: '1',
});

// ── set-up ────────────────────────────────────────────────────────────────

if (!existsSync(CLI)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
if (!existsSync(join(BENCH, 'node_modules', 'eslint')) || !existsSync(join(BENCH, 'node_modules', 'secretlint'))) {
  console.log('Installing the peers (bench/package.json) …');
  execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: BENCH,
    stdio: 'inherit',
  });
}

const git = (cwd, ...args) => execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });

function repo(name) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'core.autocrlf', 'false');
  git(dir, 'config', 'gc.auto', '0'); // no background repack of a 50,000-file commit while we measure
  git(dir, 'config', 'maintenance.auto', 'false');
  return dir;
}

function write(dir, path, text) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

const countLines = (text) => text.split('\n').length;

// ── measuring ─────────────────────────────────────────────────────────────

/** Runs `argv` (a node script and its arguments) once: wall time in ms and peak RSS in MB. */
function runOnce(argv, cwd, input, moreEnv = {}) {
  rmSync(rssFile, { force: true });
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-r', RSS, ...argv], {
    cwd,
    env: { ...env, ...moreEnv, BENCH_RSS_FILE: rssFile },
    input,
    maxBuffer: 1 << 28,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const code = r.status ?? -1;
  if (code > 1 && !(argv[0] === '-e'))
    throw new Error(`${argv.join(' ')} exited ${code}: ${String(r.stderr).slice(0, 2000)}`);
  // Worker threads run the preload too: the largest figure is the process's peak.
  const rss = existsSync(rssFile) ? Math.max(...readFileSync(rssFile, 'utf8').trim().split('\n').map(Number)) : 0;
  return { ms, rss: rss / 1024 };
}

function summary(runs) {
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], rss: Math.max(...runs.map((r) => r.rss)) };
}

/** Runs `argv` `runs` times after one warm-up (file cache, policy cache): median and min wall time, peak RSS. */
function measure(argv, cwd, runs = RUNS, input, moreEnv = {}) {
  runOnce(argv, cwd, input, moreEnv);
  return summary(Array.from({ length: runs }, () => runOnce(argv, cwd, input, moreEnv)));
}

/** Like `measure`, for several commands whose times are compared: their runs alternate, so a slow moment of the machine falls on each alike. */
function measureAlternating(targets, runs = RUNS) {
  for (const { argv, cwd, moreEnv } of targets) runOnce(argv, cwd, undefined, moreEnv);
  const each = targets.map(() => []);
  for (let i = 0; i < runs; i++)
    targets.forEach(({ argv, cwd, moreEnv }, t) => each[t].push(runOnce(argv, cwd, undefined, moreEnv)));
  return each.map(summary);
}

/** The `--workers 1` column: the same command on the main thread alone. */
const ONE_WORKER = { RALPH_GUARD_WORKERS: '1' };
const floor = (cwd) => measure(['-e', '0'], cwd, Math.max(RUNS, 10));
/**
 * The floor as one of the commands `measureAlternating` compares: a budget that is a ratio to `node -e 0` takes both
 * from the same moments of the machine (measured apart, the floor's median went from 84 to 119 ms between runs of one evening).
 */
const FLOOR = (cwd) => ({ argv: ['-e', '0'], cwd });
const ralph = (...args) => [CLI, ...args];

// ── scenarios ─────────────────────────────────────────────────────────────

/** A typical commit: 20 staged files (15 new, 5 changed), about 2,000 added lines. */
function typical() {
  const dir = repo('typical');
  for (let n = 0; n < 30; n++)
    write(dir, filePath(n, ['js', 'ts', 'tsx'][n % 3]), source(['js', 'ts', 'tsx'][n % 3], 120, n + 1));
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'base');
  let added = 0;
  for (let n = 30; n < 45; n++) {
    const text = source(['js', 'ts', 'tsx'][n % 3], 115, n + 1);
    write(dir, filePath(n, ['js', 'ts', 'tsx'][n % 3]), text);
    added += countLines(text);
  }
  for (let n = 0; n < 5; n++) {
    const path = filePath(n, ['js', 'ts', 'tsx'][n % 3]);
    const extra = source(['js', 'ts', 'tsx'][n % 3], 60, 900 + n)
      .split('\n')
      .slice(8)
      .join('\n');
    write(dir, path, readFileSync(join(dir, path), 'utf8') + extra);
    added += countLines(extra);
  }
  git(dir, 'add', '.');
  // The same contents checked again with the result cache on (`again`): a re-commit, or the pre-push hook after
  // pre-commit. Its warm-up run fills the cache.
  const [base, run, single, again] = measureAlternating([
    FLOOR(dir),
    { argv: ralph('check', '--staged'), cwd: dir },
    { argv: ralph('check', '--staged'), cwd: dir, moreEnv: ONE_WORKER },
    { argv: ralph('check', '--staged'), cwd: dir, moreEnv: { RALPH_GUARD_NO_CACHE: '' } },
  ]);
  return {
    name: 'typical commit',
    detail: `20 staged files, ${added} added lines`,
    rows: [
      row('node -e 0', base, base),
      row('ralph-guard check --staged', run, base, added, single),
      row('… the same files again (results cached)', again, base, added),
    ],
    budgets: [
      budget(
        'typical commit ≤ 2.0 × node -e 0',
        run.median <= 2 * base.median,
        `${(run.median / base.median).toFixed(2)} ×`,
      ),
      budget(
        '… with the result cache ≤ 1.5 × node -e 0',
        again.median <= 1.5 * base.median,
        `${(again.median / base.median).toFixed(2)} ×`,
      ),
    ],
  };
}

/** The same 10 staged files in a 50-file and in a 50,000-file repository. */
function repoSize() {
  const small = repo('size-50');
  const large = repo('size-50000');
  const build = (dir, files) => {
    for (let n = 0; n < files; n++)
      write(
        dir,
        filePath(n, n % 2 ? 'ts' : 'js'),
        n < 50
          ? source(n % 2 ? 'ts' : 'js', 80, n + 1)
          : `export const value${n} = ${n};\nexport default function f${n}(x) {\n  return x + ${n};\n}\n`,
      );
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'base');
    for (let n = 0; n < 10; n++) {
      const path = filePath(n, n % 2 ? 'ts' : 'js');
      write(
        dir,
        path,
        readFileSync(join(dir, path), 'utf8') +
          source(n % 2 ? 'ts' : 'js', 40, 500 + n)
            .split('\n')
            .slice(8)
            .join('\n'),
      );
    }
    git(dir, 'add', '.');
  };
  process.stdout.write('  building a 50,000-file repository … ');
  build(small, 50);
  build(large, 50_000);
  console.log('done');
  const base = floor(small);
  const [a, b] = measureAlternating([
    { argv: ralph('check', '--staged'), cwd: small },
    { argv: ralph('check', '--staged'), cwd: large },
  ]);
  const growth = (b.median - a.median) / a.median;
  return {
    name: 'repository size',
    detail: 'the same 10 staged files',
    rows: [
      row('node -e 0', base, base),
      row('check --staged, 50-file repo', a, base),
      row('check --staged, 50,000-file repo', b, base),
    ],
    budgets: [
      budget(
        '50,000-file repo at most 20 % slower than the 50-file repo',
        growth <= 0.2,
        `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %`,
      ),
    ],
  };
}

/** 5,000 staged files, about 50 MB. */
function bigCommit() {
  const dir = repo('big');
  write(dir, 'README.md', '# big\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'base');
  let bytes = 0;
  let lines = 0;
  for (let n = 0; n < 5000; n++) {
    const ext = ['js', 'ts', 'tsx'][n % 3];
    const text = source(ext, 260, n + 7);
    write(dir, filePath(n, ext), text);
    bytes += Buffer.byteLength(text);
    lines += countLines(text);
  }
  git(dir, 'add', '.');
  const base = floor(dir);
  const [run, single] = measureAlternating(
    [
      { argv: ralph('check', '--staged'), cwd: dir },
      { argv: ralph('check', '--staged'), cwd: dir, moreEnv: ONE_WORKER },
    ],
    Math.min(RUNS, 3),
  );
  return {
    name: 'huge commit',
    detail: `5,000 staged files, ${(bytes / 1e6).toFixed(1)} MB, ${lines} lines`,
    rows: [row('node -e 0', base, base), row('ralph-guard check --staged', run, base, lines, single)],
    budgets: [
      budget('5,000 files / 59 MB ≤ 10 s', run.median <= 10_000, `${(run.median / 1000).toFixed(2)} s`),
      budget('… with peak memory ≤ 400 MB', run.rss <= 400, `${run.rss.toFixed(0)} MB`),
    ],
  };
}

/** `check --all` on real code from node_modules beside secretlint plus eslint-plugin-security on the same files. */
function allVsPeers() {
  const dir = repo('all');
  let lines = 0;
  let files = 0;
  const sources = [join(ROOT, 'node_modules'), join(BENCH, 'node_modules')];
  const take = (from, to) => {
    for (const name of readdirSync(from)) {
      if (lines >= 120_000) return;
      const full = join(from, name);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) {
        if (
          /^(?:test|tests|__tests__|fixtures?|\.bin|\.cache|typescript|esbuild|@esbuild|oxc-parser|@oxc-parser|@types)$/.test(
            name,
          )
        )
          continue;
        // Not under a directory named node_modules: eslint and secretlint skip those by default, and would lint nothing.
        take(full, join(to, name === 'node_modules' ? 'deps' : name));
      } else if (/\.(?:js|mjs|cjs)$/.test(name) && !/\.min\.js$/.test(name) && stat.size < 300_000) {
        const text = readFileSync(full, 'utf8');
        write(dir, join(to, name), text);
        lines += countLines(text);
        files++;
      }
    }
  };
  for (const from of sources)
    take(
      from,
      join(
        'corpus',
        relative(ROOT, from)
          .replace(/\//g, '_')
          .replace(/node_modules/g, 'deps'),
      ),
    );
  write(dir, '.secretlintrc.json', JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  write(
    dir,
    'eslint.config.mjs',
    `import security from ${JSON.stringify(join(BENCH, 'node_modules', 'eslint-plugin-security', 'index.js'))};\nexport default [{ files: ['**/*.{js,mjs,cjs}'], ...security.configs.recommended, languageOptions: { ecmaVersion: 'latest', sourceType: 'module' }, linterOptions: { reportUnusedDisableDirectives: 'off' } }];\n`,
  );
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'corpus');
  const runs = Math.min(RUNS, 3);
  const base = floor(dir);
  const ours = measure(ralph('check', '--all', '--format', 'json'), dir, runs);
  const oursSingle = measure(ralph('check', '--all', '--format', 'json'), dir, runs, undefined, ONE_WORKER);
  const secretlint = measure(
    [join(BENCH, 'node_modules', 'secretlint', 'bin', 'secretlint.js'), '**/*.{js,mjs,cjs}', '--maskSecrets'],
    dir,
    runs,
  );
  const eslint = measure(
    [join(BENCH, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--no-warn-ignored', '.'],
    dir,
    runs,
  );
  // The peers really read the corpus: eslint says which files it linted.
  const linted = JSON.parse(
    spawnSync(
      process.execPath,
      [join(BENCH, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--no-warn-ignored', '-f', 'json', '.'],
      { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 },
    ).stdout,
  ).length;
  const peers = {
    median: secretlint.median + eslint.median,
    min: secretlint.min + eslint.min,
    rss: Math.max(secretlint.rss, eslint.rss),
  };
  const speedup = peers.median / ours.median;
  return {
    name: 'check --all vs peers',
    detail: `${files} real JS files from node_modules, ${lines} lines (eslint linted ${linted})`,
    rows: [
      row('node -e 0', base, base),
      row('ralph-guard check --all', ours, base, lines, oursSingle),
      row('secretlint (recommended preset)', secretlint, base, lines),
      row('eslint + eslint-plugin-security', eslint, base, lines),
      row('secretlint + eslint together', peers, base, lines),
    ],
    budgets: [
      budget(
        '--all, every atom, ≤ 0.8 × secretlint (secrets only)',
        ours.median <= 0.8 * secretlint.median,
        `${(ours.median / secretlint.median).toFixed(2)} ×`,
      ),
      budget('--all ≥ 10 × faster than secretlint + eslint-plugin-security', speedup >= 10, `${speedup.toFixed(1)} ×`),
    ],
  };
}

/** A commit that changes one package in a real lockfile of ≥ 1,500 packages. */
function lockfile() {
  const dir = repo('lockfile');
  const deps = {
    webpack: '^5.90.0',
    jest: '^29.7.0',
    '@babel/core': '^7.24.0',
    '@babel/preset-env': '^7.24.0',
    eslint: '^8.57.0',
    next: '^14.2.0',
    react: '^18.2.0',
    'react-dom': '^18.2.0',
    typescript: '^5.4.0',
    '@angular/cli': '^17.3.0',
    'aws-sdk': '^2.1600.0',
    lodash: '4.17.21',
    express: '^4.19.2',
    ms: '2.1.3',
    'react-scripts': '5.0.1',
    'firebase-tools': '^13.0.0',
  };
  write(
    dir,
    'package.json',
    JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true, dependencies: deps }, null, 2) + '\n',
  );
  process.stdout.write('  resolving a large lockfile with npm (registry) … ');
  const r = spawnSync(
    'npm',
    [
      'install',
      '--package-lock-only',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--legacy-peer-deps',
    ],
    { cwd: dir, env: process.env, encoding: 'utf8' },
  );
  if (r.status !== 0)
    return {
      name: 'lockfile commit',
      detail: `skipped: npm could not resolve the lockfile (${r.stderr.split('\n')[0]})`,
      rows: [],
      budgets: [],
    };
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const packages = Object.keys(lock.packages).length - 1;
  console.log(`${packages} packages`);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'base');
  // Change one package: ms 2.1.3 → 2.1.2 (a real older release).
  lock.packages['node_modules/ms'] = {
    ...lock.packages['node_modules/ms'],
    version: '2.1.2',
    integrity: 'sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==',
  };
  lock.packages[''].dependencies.ms = '2.1.2';
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  pkg.dependencies.ms = '2.1.2';
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  git(dir, 'add', '.');
  const [base, run, single] = measureAlternating([
    FLOOR(dir),
    { argv: ralph('check', '--staged'), cwd: dir },
    { argv: ralph('check', '--staged'), cwd: dir, moreEnv: ONE_WORKER },
  ]);
  return {
    name: 'lockfile commit',
    detail: `one package changed in a package-lock.json of ${packages} packages`,
    rows: [row('node -e 0', base, base), row('ralph-guard check --staged', run, base, undefined, single)],
    budgets: [
      budget(
        'lockfile commit ≤ 2 × node -e 0',
        run.median <= 2 * base.median,
        `${(run.median / base.median).toFixed(2)} ×`,
      ),
    ],
  };
}

// ── report ────────────────────────────────────────────────────────────────

function row(label, m, base, lines, single) {
  return {
    label,
    median: m.median,
    min: m.min,
    ratio: m.median / base.median,
    singleMedian: single?.median ?? null,
    linesPerSecond: lines ? Math.round(lines / (m.median / 1000)) : null,
    rssMB: m.rss,
  };
}

function budget(text, ok, value) {
  return { text, ok, value };
}

const scenarios = {
  typical,
  'repository-size': repoSize,
  'huge-commit': bigCommit,
  'all-vs-peers': allVsPeers,
  lockfile,
};
const results = [];
console.log(
  `ralph-guard bench: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${RUNS} runs per command (fewer for the heavy ones)\n`,
);
try {
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (only.length && !only.some((o) => name.includes(o))) continue;
    console.log(`▸ ${name}`);
    const result = scenario();
    results.push(result);
    print(result);
  }
} finally {
  if (process.env.BENCH_KEEP) console.log(`Scenarios kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

function print(result) {
  const fmt = (n, digits = 0) => (n === null || n === undefined ? '' : n.toFixed(digits));
  console.log(`  ${result.detail}`);
  const table = [
    ['command', 'median ms', 'min ms', '× node -e 0', '--workers 1 ms', 'lines/s', 'peak RSS MB'],
    ...result.rows.map((r) => [
      r.label,
      fmt(r.median),
      fmt(r.min),
      fmt(r.ratio, 2),
      fmt(r.singleMedian),
      r.linesPerSecond?.toLocaleString('en') ?? '',
      fmt(r.rssMB),
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => String(r[c]).length)));
  for (const [i, r] of table.entries()) {
    console.log(
      '  ' +
        r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  '),
    );
    if (i === 0) console.log('  ' + widths.map((w) => '─'.repeat(w)).join('  '));
  }
  for (const b of result.budgets) console.log(`  ${b.ok ? '✔ holds' : '✖ fails'}: ${b.text} (${b.value})`);
  console.log('');
}

const output = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  runs: RUNS,
  results,
};
writeFileSync(join(BENCH, 'results.json'), JSON.stringify(output, null, 2) + '\n');
const failed = results.flatMap((r) => r.budgets).filter((b) => !b.ok);
console.log(
  failed.length
    ? `${failed.length} budget(s) do not hold: ${failed.map((b) => b.text).join('; ')}`
    : 'Every budget holds.',
);
console.log(`Results written to ${relative(process.cwd(), join(BENCH, 'results.json'))}`);
