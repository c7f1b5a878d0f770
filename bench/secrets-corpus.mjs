// Precision and speed of the secrets atom on clean, real code.
//
// Builds a git repository from the sources of well-known packages in
// node_modules (their tests and fixtures left out), then
//   1. runs `ralph-guard check --all --atoms secrets` and prints every finding
//      and the findings per 1,000 lines;
//   2. times that command beside secretlint with its recommended preset over
//      the same files, in the same run (hyperfine when installed).
//
// Usage: node scripts/build.mjs && node bench/secrets-corpus.mjs [--runs N] [--keep] [--extra DIR]...
// secretlint is looked up in node_modules, then in SECRETLINT_DIR (default
// ~/.cache/ralph-guard-bench/secretlint); install it there with
//   npm install --prefix ~/.cache/ralph-guard-bench/secretlint secretlint@13 @secretlint/secretlint-rule-preset-recommend@13
// It is a benchmark tool only, never a dependency of ralph-guard.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const keep = args.includes('--keep');
/** `--extra DIR` (repeatable): more source trees to add, such as npm's own (/usr/lib/node_modules/npm). */
const extras = args.flatMap((a, i) => (a === '--extra' && args[i + 1] ? [args[i + 1]] : []));
if (!existsSync(cli)) throw new Error('build first: node scripts/build.mjs');

/** Package folders (under node_modules) and the subfolders taken from each. */
const SOURCES = [
  ['zod', ['src']],
  ['cosmiconfig', ['dist', 'README.md']],
  ['esbuild', ['lib', 'README.md']],
  ['kleur', ['index.js', 'colors.js', 'index.mjs', 'colors.mjs', 'readme.md']],
  ['picomatch', ['lib', 'index.js', 'README.md']],
  ['semver', ['classes', 'functions', 'internal', 'ranges', 'bin', 'README.md']],
  ['yaml', ['dist', 'README.md']],
  ['uvu', ['dist', 'assert', 'diff', 'parse', 'run', 'readme.md']],
  ['js-yaml', ['lib', 'README.md']],
  ['argparse', ['argparse.js', 'lib', 'README.md']],
  ['diff', ['lib', 'README.md']],
  ['sade', ['lib', 'readme.md']],
  ['mri', ['lib', 'readme.md']],
  ['dequal', ['dist', 'readme.md']],
  ['picocolors', ['picocolors.js', 'README.md']],
  ['tsx', ['dist', 'README.md']],
  ['oxc-parser', ['src-js', 'README.md']],
  ['husky', ['index.js', 'bin.js', 'husky', 'README.md']],
  [
    'typescript',
    [
      'lib/lib.dom.d.ts',
      'lib/lib.es5.d.ts',
      'lib/lib.es2015.core.d.ts',
      'lib/lib.webworker.d.ts',
      'README.md',
      'SECURITY.md',
    ],
  ],
];
const KEEP = /\.(?:[cm]?[jt]s|d\.[cm]?ts|json|md|ya?ml)$/i;
const SKIP =
  /(?:^|\/)(?:tests?|__tests__|__fixtures__|fixtures?|specs?|testdata|benchmarks?)(?:\/|$)|\.(?:test|spec)\.[cm]?[jt]s$|\.map$/i;

const dir = mkdtempSync(join(tmpdir(), 'secrets-corpus-'));
let files = 0;
let lines = 0;
function take(from, to) {
  const stat = statSync(from);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(from)) take(join(from, entry), join(to, entry));
    return;
  }
  const rel = relative(join(root, 'node_modules'), from);
  if (!KEEP.test(from) || SKIP.test(rel)) return;
  cpSync(from, to);
  files++;
  lines += readFileSync(from, 'utf8').split('\n').length;
}
for (const [pkg, parts] of SOURCES) {
  for (const part of parts) {
    const from = join(root, 'node_modules', pkg, part);
    if (existsSync(from)) take(from, join(dir, pkg, part));
  }
}
for (const extra of extras) {
  const name = extra.replace(/\/+$/, '').split('/').pop();
  const walk = (from, to) => {
    const stat = statSync(from);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(from)) walk(join(from, entry), join(to, entry));
      return;
    }
    if (!KEEP.test(from) || SKIP.test(relative(extra, from)) || stat.size > 2_000_000) return;
    cpSync(from, to);
    files++;
    lines += readFileSync(from, 'utf8').split('\n').length;
  };
  walk(extra, join(dir, 'extra', name));
}
const git = (...a) => execFileSync('git', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
git('init', '-q');
git('add', '-A');
git('-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-qm', 'corpus', '--no-verify');
git('gc', '-q'); // packed, as a real repository's objects are
console.log(`corpus: ${dir}\n  ${files} files, ${lines.toLocaleString('en')} lines`);

// 1. Findings.
const env = { ...process.env, NO_COLOR: '1', RALPH_GUARD_CACHE_DIR: join(dir, '.git', 'ralph-cache') };
const result = spawnSync(process.execPath, [cli, 'check', '--all', '--atoms', 'secrets', '--format', 'json'], {
  cwd: dir,
  env,
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
if (result.status !== 0 && result.status !== 1)
  throw new Error(`ralph-guard exited ${result.status}: ${result.stderr}`);
const report = JSON.parse(result.stdout);
console.log(
  `\nralph-guard secrets: ${report.findings.length} findings = ${((report.findings.length / lines) * 1000).toFixed(3)} per 1,000 lines`,
);
for (const f of report.findings) console.log(`  ${f.rule}  ${f.file}:${f.line}  ${f.excerpt.slice(0, 140)}`);

// 2. Time beside secretlint.
const secretlintDir = [
  join(root, 'node_modules'),
  join(process.env.SECRETLINT_DIR ?? join(homedir(), '.cache', 'ralph-guard-bench', 'secretlint'), 'node_modules'),
].find((d) => existsSync(join(d, '.bin', 'secretlint')));
const ours = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} check --all --atoms secrets --format json`;
const commands = [['ralph-guard check --all (secrets)', ours]];
if (secretlintDir) {
  writeFileSync(
    join(dir, '.secretlintrc.json'),
    JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }),
  );
  const sl = `${JSON.stringify(join(secretlintDir, '.bin', 'secretlint'))} --secretlintrc .secretlintrc.json --format json --maskSecrets "**/*"`;
  const slResult = spawnSync('sh', ['-c', sl], {
    cwd: dir,
    env: { ...env, NODE_PATH: secretlintDir },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  let slFindings = '?';
  try {
    slFindings = JSON.parse(slResult.stdout).reduce((n, r) => n + r.messages.length, 0);
  } catch {
    // secretlint printed something else; its exit code still tells
  }
  console.log(`\nsecretlint (recommended preset) on the same files: ${slFindings} findings (exit ${slResult.status})`);
  commands.push(['secretlint --preset recommend', `NODE_PATH=${JSON.stringify(secretlintDir)} ${sl}`]);
} else {
  console.log('\nsecretlint not installed; see the header of this script. Timing ralph-guard only.');
}

console.log('');
const hasHyperfine = spawnSync('hyperfine', ['--version']).status === 0;
if (hasHyperfine) {
  const hf = [
    '--warmup',
    '1',
    '--runs',
    String(runs),
    '-i',
    '--style',
    'basic',
    '--export-json',
    join(dir, '.git', 'times.json'),
  ];
  for (const [name, cmd] of commands) hf.push('-n', name, cmd);
  spawnSync('hyperfine', hf, { cwd: dir, env, stdio: 'inherit' });
  const times = JSON.parse(readFileSync(join(dir, '.git', 'times.json'), 'utf8')).results;
  for (const t of times)
    console.log(`${t.command}: mean ${(t.mean * 1000).toFixed(0)} ms ± ${(t.stddev * 1000).toFixed(0)} ms`);
  if (times.length === 2)
    console.log(`ratio: secretlint / ralph-guard = ${(times[1].mean / times[0].mean).toFixed(1)}×`);
} else {
  for (const [name, cmd] of commands) {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      spawnSync('sh', ['-c', cmd], { cwd: dir, env, stdio: 'ignore' });
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    console.log(`${name}: median ${samples[runs >> 1].toFixed(0)} ms over ${runs} runs`);
  }
}
if (!keep) rmSync(dir, { recursive: true, force: true });
