// init: husky or plain git hooks, never clobbering, idempotent; the hooks really run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, shimDir, SHIM, tempDir, type Repo } from './helpers/repo.js';
import { cleanLine, sqlLine } from './helpers/samples.js';

/** Every file under the repository (but .git/objects) with its content, to prove a second init changes nothing. */
function tree(repo: Repo): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (full.includes('/.git/objects') || full.includes('/node_modules')) continue;
      if (statSync(full).isDirectory()) walk(full);
      else out.push(`${full.slice(repo.dir.length)} ${statSync(full).mode.toString(8)} ${readFileSync(full, 'utf8')}`);
    }
  };
  walk(repo.dir);
  return out.join('\n') + repo.git('config', '--list', '--local');
}

/** A project whose node_modules/.bin/ralph-guard runs the built CLI, as an installed package would. */
function nodeProject(pkg: object) {
  const repo = makeRepo();
  repo.write('package.json', JSON.stringify(pkg, null, 2) + '\n');
  repo.write('.gitignore', 'node_modules\n');
  repo.write('node_modules/.bin/ralph-guard', SHIM, 0o755);
  return repo;
}

test('no package.json: plain git hooks, an existing hook chained and still run, second run changes nothing', () => {
  const repo = makeRepo();
  repo.write('.git/hooks/pre-commit', '#!/bin/sh\necho "existing hook ran"\n[ -f BLOCK ] && exit 1\nexit 0\n', 0o755);
  const first = repo.cli(['init']);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, 'kept the existing .git/hooks/pre-commit as .git/hooks/pre-commit.pre-ralph-guard');
  assert.ok(existsSync(join(repo.dir, '.ralphrc.json')));
  const snapshot = tree(repo);
  assert.match(repo.cli(['init']).stdout, 'nothing changed');
  assert.is(tree(repo), snapshot, 'second run changed nothing');

  // The hooks find ralph-guard on PATH, as with a global install.
  const env = { ...process.env, PATH: `${shimDir()}:${process.env.PATH}` };
  repo.write('a.js', sqlLine);
  repo.stage('a.js');
  let r = repo.tryGit(['commit', '-m', 'bad'], { env });
  assert.is.not(r.code, 0);
  assert.match(r.stdout + r.stderr, 'existing hook ran');
  assert.match(r.stdout + r.stderr, 'sql-injection');
  repo.write('a.js', cleanLine);
  repo.stage('a.js');
  repo.write('BLOCK', '');
  r = repo.tryGit(['commit', '-m', 'blocked by the old hook'], { env });
  assert.is.not(r.code, 0, 'the chained hook still decides');
  rmSync(join(repo.dir, 'BLOCK'));
  r = repo.tryGit(['commit', '-m', 'good'], { env });
  assert.is(r.code, 0, r.stdout + r.stderr);
});

test('the hook says so in one line and lets the commit through when ralph-guard is not installed, unless failClosed', () => {
  const repo = makeRepo();
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  const env = { ...process.env, PATH: '/usr/bin:/bin' };
  repo.write('a.js', sqlLine);
  repo.stage('a.js');
  let r = repo.tryGit(['commit', '-m', 'x'], { env: { ...env, HOME: repo.dir } });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, 'ralph-guard: not found');
  repo.write('.ralphrc.json', JSON.stringify({ failClosed: true }));
  repo.write('b.js', cleanLine);
  repo.stage('b.js');
  r = repo.tryGit(['commit', '-m', 'y'], { env: { ...env, HOME: repo.dir } });
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'failClosed');
});

test('a check killed by a signal refuses the commit and says so (git alone would refuse without a word)', () => {
  const repo = makeRepo();
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  // A ralph-guard that dies as a native crash would: by SIGSEGV (exit 139).
  repo.write('node_modules/.bin/ralph-guard', '#!/bin/sh\nkill -SEGV $$\n', 0o755);
  repo.write('a.js', cleanLine);
  repo.stage('a.js');
  const r = repo.tryGit(['commit', '-m', 'x']);
  assert.is.not(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    'ralph-guard: the check did not finish (it was killed by signal 11), so pre-commit is refused',
  );
  assert.is(repo.tryGit(['rev-parse', '--verify', '-q', 'HEAD']).code, 1, 'no commit was made');
});

test('from a GUI client (PATH without the shell profile) the hook finds a global install under ~/.volta/bin', () => {
  const repo = makeRepo();
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  const home = tempDir('home-');
  mkdirSync(join(home, '.volta', 'bin'), { recursive: true });
  writeFileSync(join(home, '.volta', 'bin', 'ralph-guard'), SHIM, { mode: 0o755 });
  repo.write('a.js', sqlLine);
  repo.stage('a.js');
  const r = repo.tryGit(['commit', '-m', 'x'], { env: { ...process.env, PATH: '/usr/bin:/bin', HOME: home } });
  assert.is.not(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, 'sql-injection');
});

test('package.json without a hook manager: husky is set up and a real commit is refused through it', () => {
  const repo = nodeProject({ name: 'app', version: '1.0.0', scripts: { test: 'echo ok' } });
  const r = repo.cli(['init']);
  assert.is(r.code, 0, r.stderr);
  const pkg = JSON.parse(repo.read('package.json'));
  assert.is(pkg.scripts.prepare, 'husky');
  assert.ok(pkg.devDependencies.husky && pkg.devDependencies['ralph-guard']);
  assert.is(repo.git('config', 'core.hooksPath').trim(), '.husky/_');
  assert.equal(repo.read('.husky/pre-commit'), 'ralph-guard check --staged\n');
  assert.equal(repo.read('.husky/pre-push'), 'ralph-guard check --push --remote "$1"\n');
  const snapshot = tree(repo);
  assert.match(repo.cli(['init']).stdout, 'nothing changed');
  assert.is(tree(repo), snapshot);

  repo.write('src/db.js', sqlLine);
  repo.stage('src/db.js', 'package.json', '.husky', '.ralphrc.json', '.gitignore');
  const commit = repo.tryGit(['commit', '-m', 'bad']);
  assert.is.not(commit.code, 0);
  assert.match(commit.stdout + commit.stderr, 'sql-injection/interpolated-query');
  repo.write('src/db.js', cleanLine);
  repo.stage('src/db.js');
  const ok = repo.tryGit(['commit', '-m', 'good']);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
});

test('husky already there: one line added to each hook, other lines untouched, before a final exit', () => {
  const repo = nodeProject({
    name: 'app',
    scripts: { prepare: 'husky' },
    devDependencies: { husky: '^9.1.7', 'ralph-guard': '^0.1.0' },
  });
  repo.write('.husky/pre-commit', 'npm test\nnpx lint-staged\n');
  repo.write('.husky/pre-push', '#!/usr/bin/env sh\nnpm run build\nexit 0\n');
  repo.git('config', 'core.hooksPath', '.husky/_');
  const before = repo.read('package.json');
  const r = repo.cli(['init']);
  assert.is(r.code, 0, r.stderr);
  assert.is(repo.read('package.json'), before, 'package.json untouched');
  assert.is(repo.read('.husky/pre-commit'), 'npm test\nnpx lint-staged\nralph-guard check --staged\n');
  assert.is(
    repo.read('.husky/pre-push'),
    '#!/usr/bin/env sh\nnpm run build\nralph-guard check --push --remote "$1"\nexit 0\n',
  );
  assert.ok(existsSync(join(repo.dir, '.ralphrc.json')));
});

test('an existing policy is kept', () => {
  const repo = makeRepo();
  repo.write('.ralphrc.yaml', 'failOn: warn\n');
  const r = repo.cli(['init', '--hooks', 'git']);
  assert.not.match(r.stdout, 'wrote .ralphrc.json');
  assert.not.ok(existsSync(join(repo.dir, '.ralphrc.json')));
});

test('atoms and explain work', () => {
  const repo = makeRepo();
  const atoms = repo.cli(['atoms']);
  assert.match(atoms.stdout, /secrets\s+block\s+No credentials/);
  const explain = repo.cli(['explain', 'sql-injection']);
  assert.match(explain.stdout, 'pass: Every query keeps SQL text and values apart');
  assert.match(explain.stdout, 'fail: SQL text is built by string concatenation');
  assert.match(explain.stdout, '✗ ');
  assert.is(repo.cli(['explain', 'sql-injecton']).code, 2);
});

test.run();
