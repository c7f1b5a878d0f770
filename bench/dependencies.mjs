// Benchmark of the dependencies atom (run after `npm run build`):
//   node --import tsx bench/dependencies.mjs
// 1. npm writes a package-lock.json of ≥ 1,500 packages (cached in $TMPDIR/ralph-guard-bench-deps;
//    the first run resolves against the registry and takes a few minutes), and the same lockfile
//    after changing one dependency (express ^4.21.2 → 4.21.1: a version the tree did not have).
// 2. An advisory database at the scale of the real OSV npm export is built (synthetic records:
//    ~6,000 GHSA-like with several ranges, 210,000 MAL-like), plus the test fixture's records.
// 3. hyperfine compares `node -e 0`, `ralph-guard check --staged` and a real `git commit`
//    through the pre-commit hook, in one run; then the database size and lookup time are printed.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli.js');
const work = join(process.env.RALPH_GUARD_BENCH_DIR ?? tmpdir(), 'ralph-guard-bench-deps');
mkdirSync(work, { recursive: true });
const sh = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const NPM = [
  'install',
  '--package-lock-only',
  '--legacy-peer-deps',
  '--ignore-scripts',
  '--no-audit',
  '--no-fund',
  '--omit-lockfile-registry-resolved=false',
  '--loglevel=error',
];

const manifest = (express) => ({
  name: 'big',
  version: '1.0.0',
  private: true,
  dependencies: { express, lodash: '^4.17.21', ms: '2.1.2', axios: '^1.12.0' },
  devDependencies: {
    jest: '^29.7.0',
    webpack: '^5.97.0',
    'webpack-cli': '^5.1.4',
    'webpack-dev-server': '^5.2.0',
    eslint: '^8.57.0',
    '@babel/core': '^7.26.0',
    '@babel/preset-env': '^7.26.0',
    typescript: '^5.7.0',
    '@angular-devkit/build-angular': '^19.0.0',
    'react-scripts': '5.0.1',
    'firebase-tools': '^13.0.0',
  },
});

function lockfile(name, express) {
  const dir = join(work, name);
  if (existsSync(join(dir, 'package-lock.json'))) return dir;
  mkdirSync(dir, { recursive: true });
  const base = join(work, 'before', 'package-lock.json');
  if (existsSync(base)) copyFileSync(base, join(dir, 'package-lock.json')); // only ms moves
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest(express), null, 2) + '\n');
  process.stderr.write(`npm: writing ${dir}/package-lock.json …\n`);
  sh('npm', NPM, { cwd: dir });
  return dir;
}
const before = lockfile('before', '^4.21.2');
const after = lockfile('after-express', '4.21.1');
const packages = (readFileSync(join(before, 'package-lock.json'), 'utf8').match(/"node_modules\//g) ?? []).length;

// A database at the real export's scale.
const cache = mkdtempSync(join(tmpdir(), 'rg-bench-cache-'));
const { encodeDb, compactOsv } = await import(join(root, 'src', 'deps', 'advisories.ts'));
const byPackage = new Map();
const push = (name, adv) => byPackage.set(name, [...(byPackage.get(name) ?? []), adv]);
let seed = 7;
const rand = (n) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
const word = () =>
  Array.from({ length: 6 + rand(10) }, () => 'abcdefghijklmnopqrstuvwxyz-'[rand(27)])
    .join('')
    .replace(/^-|-$/g, 'x');
const lockNames = [
  ...readFileSync(join(before, 'package-lock.json'), 'utf8').matchAll(/"node_modules\/((?:@[^/"]+\/)?[^/"]+)"/g),
].map((m) => m[1]);
for (let i = 0; i < 6000; i++) {
  const name = i < 3000 ? lockNames[rand(lockNames.length)] : word();
  push(name, {
    id: `GHSA-synt-${i}`,
    aliases: [`CVE-2020-${10000 + i}`],
    summary: `Synthetic advisory ${i} for ${name}: prototype pollution in an option parser`,
    severity: ['low', 'moderate', 'high', 'critical'][rand(4)],
    score: 5.3,
    ranges: [
      [
        ['i', '0'],
        ['f', `${rand(5)}.${rand(20)}.${rand(10)}`],
      ],
      [
        ['i', '5.0.0'],
        ['f', '5.2.1'],
      ],
    ],
  });
}
for (let i = 0; i < 210000; i++)
  push(`${word()}-${i}`, {
    id: `MAL-2024-${i}`,
    summary: 'Malicious code in package (npm)',
    severity: 'critical',
    ranges: [[['i', '0']]],
  });
for (const f of readdirSync(join(root, 'test', 'fixtures', 'osv')).filter((f) => f.endsWith('.json'))) {
  for (const [name, adv] of compactOsv(JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'osv', f), 'utf8'))))
    push(name, adv);
}
const dbDir = join(cache, 'advisories');
mkdirSync(dbDir, { recursive: true });
const db = encodeDb(byPackage, { source: 'synthetic (bench)', builtAt: new Date().toISOString() });
writeFileSync(join(dbDir, 'osv-npm.db'), db);

// The repository: the old lockfile committed, the one-dependency change staged, the hook installed.
const repo = mkdtempSync(join(tmpdir(), 'rg-bench-repo-'));
const env = { ...process.env, RALPH_GUARD_CACHE_DIR: cache, GIT_CONFIG_NOSYSTEM: '1' };
const git = (...args) =>
  sh('git', ['-c', 'user.name=b', '-c', 'user.email=b@example.invalid', ...args], { cwd: repo, env });
git('init', '-q', '-b', 'main');
for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(before, f), join(repo, f));
git('add', '.');
git('commit', '-q', '--no-verify', '-m', 'base');
const base = git('rev-parse', 'HEAD').trim();
for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(after, f), join(repo, f));
git('add', '.');
const bin = mkdtempSync(join(tmpdir(), 'rg-bench-bin-'));
writeFileSync(join(bin, 'ralph-guard'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`, { mode: 0o755 });
const pathEnv = { ...env, PATH: `${bin}:${process.env.PATH}` };
sh(process.execPath, [cli, 'init', '--hooks', 'git'], { cwd: repo, env: pathEnv });
const diff = git('diff', '--cached', '--stat');
const check = JSON.parse(sh(process.execPath, [cli, 'check', '--staged', '--format', 'json'], { cwd: repo, env }));

console.log(
  `lockfile: ${packages} packages, ${(statSync(join(before, 'package-lock.json')).size / 1e6).toFixed(2)} MB; change:\n${diff}`,
);
console.log(
  `check --staged: ${check.findings.length} findings ${JSON.stringify(check.findings.map((f) => `${f.rule}: ${f.message.slice(0, 120)}`))}, ${check.summary.durationMs} ms inside the engine; notes: ${JSON.stringify(check.notes)}`,
);
console.log(`advisory database: ${byPackage.size} packages, ${(db.length / 1e6).toFixed(1)} MB on disk`);

// Lookup time: open the database and look up one package, in a fresh process (what a commit pays), and warm.
const probe = `import { AdvisoryDb } from '${join(root, 'src', 'deps', 'advisories.ts')}';
const t0 = performance.now(); const db = AdvisoryDb.open('${join(dbDir, 'osv-npm.db')}'); const t1 = performance.now();
const a = db.lookup('lodash'); const t2 = performance.now();
let n = 0; const names = ${JSON.stringify(lockNames.slice(0, 200))}; const t3 = performance.now(); for (const x of names) n += db.lookup(x).length; const t4 = performance.now();
console.log(JSON.stringify({ openMs: +(t1 - t0).toFixed(2), firstLookupMs: +(t2 - t1).toFixed(2), lodashAdvisories: a.length, lookups200Ms: +(t4 - t3).toFixed(1) }));`;
writeFileSync(join(cache, 'probe.mjs'), probe);
console.log('lookup:', sh(process.execPath, ['--import', 'tsx', join(cache, 'probe.mjs')], { cwd: root }).trim());

const hyperfine = (() => {
  try {
    sh('hyperfine', ['--version']);
    return true;
  } catch {
    return false;
  }
})();
if (!hyperfine) {
  console.log('hyperfine not found (apt-get install hyperfine): skipping the wall-time comparison');
  process.exit(0);
}
const json = join(cache, 'hyperfine.json');
execFileSync(
  'hyperfine',
  [
    '--warmup',
    '3',
    '--runs',
    '20',
    '--export-json',
    json,
    '-N',
    '--command-name',
    'node -e 0',
    `${process.execPath} -e 0`,
    '--command-name',
    'check --staged (one dependency changed)',
    `${process.execPath} ${cli} check --staged`,
    '--command-name',
    'check --staged (no database)',
    `env RALPH_GUARD_CACHE_DIR=${join(cache, 'none')} ${process.execPath} ${cli} check --staged`,
    '--command-name',
    'same change, dependencies atom off',
    `${process.execPath} ${cli} check --staged --atoms secrets,sql-injection,password-hashing`,
  ],
  { cwd: repo, env, stdio: 'inherit' },
);
execFileSync(
  'hyperfine',
  [
    '--warmup',
    '2',
    '--runs',
    '15',
    '--export-json',
    json + '.commit',
    '--prepare',
    `git reset -q --soft ${base}`,
    '--command-name',
    'git commit through the pre-commit hook',
    'git -c user.name=b -c user.email=b@example.invalid commit -q -m bump || true',
  ],
  { cwd: repo, env: pathEnv, stdio: 'inherit' },
);
const results = [
  ...JSON.parse(readFileSync(json, 'utf8')).results,
  ...JSON.parse(readFileSync(json + '.commit', 'utf8')).results,
];
const nodeMean = results[0].mean;
for (const r of results)
  console.log(
    `${r.command.padEnd(45)} ${(r.mean * 1000).toFixed(0).padStart(5)} ms ± ${(r.stddev * 1000).toFixed(0)}  = ${(r.mean / nodeMean).toFixed(2)} × node -e 0`,
  );
