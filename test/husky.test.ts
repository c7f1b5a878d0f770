// init with every husky major (4 to 9), installed from the npm registry: a real commit and push go
// through the hooks, with a PATH that has no ralph-guard on it (as a user's shell: the hook must find
// the project's own binary), a second init changes nothing, doctor starts the command, uninstall undoes it.
// The six installs are made once, in parallel, and kept under node_modules/.cache for later runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { commitPolicy, makeRepo, PROJECT, repoWithRemote, SHIM, type Repo } from './helpers/repo.js';
import { cleanLine, sqlLine } from './helpers/samples.js';

const MAJORS = [4, 5, 6, 7, 8, 9] as const;
type Major = (typeof MAJORS)[number];
const CACHE = join(PROJECT, 'node_modules', '.cache', 'ralph-guard-tests', 'husky');

/** husky@major in CACHE/major (installed once, scripts off: each test project sets husky up as its user would). */
function installMajor(major: Major): Promise<void> {
  const dir = join(CACHE, String(major));
  if (existsSync(join(dir, 'node_modules', 'husky', 'package.json'))) return Promise.resolve();
  const staging = `${dir}.${process.pid}`;
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: `husky-${major}`, private: true }));
  return new Promise((resolve, reject) => {
    const npm = spawn(
      'npm',
      ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `husky@${major}`],
      { cwd: staging, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    npm.stderr.on('data', (d) => (err += d));
    npm.on('close', (code) => {
      if (code !== 0) return reject(new Error(`npm install husky@${major} failed: ${err}`));
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
      resolve();
    });
  });
}

const ready = Promise.all(MAJORS.map(installMajor));

/** The user's PATH: no ralph-guard and no node_modules/.bin on it (npm test puts one there). */
const userPath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((d) => d && !/node_modules[\\/]\.bin\/?$/.test(d))
  .join(delimiter);
const env = { ...process.env, PATH: userPath };

/** A project on husky `major`, set up as that major's docs say, with a lint command already in pre-commit. */
function huskyProject(major: Major, repo: Repo = makeRepo()): Repo {
  const pkg: Record<string, unknown> = {
    name: `app-husky-${major}`,
    version: '1.0.0',
    devDependencies: { husky: `^${major}.0.0` },
  };
  if (major === 4) pkg.husky = { hooks: { 'pre-commit': 'echo lint-ran' } };
  repo.write('package.json', JSON.stringify(pkg, null, 2) + '\n');
  repo.write('.gitignore', 'node_modules\n');
  cpSync(join(CACHE, String(major), 'node_modules'), join(repo.dir, 'node_modules'), { recursive: true });
  repo.write('node_modules/.bin/ralph-guard', SHIM, 0o755);
  const run = (cmd: string, args: string[], extra: Record<string, string> = {}) => {
    const r = spawnSync(cmd, args, { cwd: repo.dir, encoding: 'utf8', env: { ...env, ...extra } });
    assert.is(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  };
  if (major === 4) {
    // What `npm install husky@4` runs: it writes git's hooks.
    run('node', ['node_modules/husky/husky.js', 'install'], {
      INIT_CWD: repo.dir,
      npm_config_user_agent: 'npm/10.0.0 node/v20.0.0 linux x64',
    });
  } else if (major < 9) {
    run('node_modules/.bin/husky', ['install']);
    repo.write(
      '.husky/pre-commit',
      `${major === 8 ? '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"' : '#!/bin/sh\n. "$(dirname "$0")/_/husky.sh"'}\n\necho lint-ran\n`,
      0o755,
    );
  } else {
    run('node_modules/.bin/husky', []);
    repo.write('.husky/pre-commit', 'echo lint-ran\n');
  }
  repo.stage();
  repo.commit('base');
  return repo;
}

for (const major of MAJORS) {
  test(`husky ${major}: init, then a real commit and push are refused through the hooks and fixed ones go through`, async () => {
    await ready;
    const { repo } = repoWithRemote();
    huskyProject(major, repo);
    repo.git('push', '-q', '-u', 'origin', 'main');
    const init = repo.cli(['init'], { env: { PATH: userPath } });
    assert.is(init.code, 0, init.stdout + init.stderr);
    assert.match(init.stdout, `ralph-guard init (husky ${major})`);
    assert.not.match(init.stdout, 'npx ralph-guard check', 'no npx network lookup in a hook');
    if (major < 9) assert.not.match(init.stdout, /`ralph-guard check/, 'no bare command husky < 9 cannot resolve');

    // The second init changes nothing.
    const before = readFileSync(join(repo.dir, 'package.json'), 'utf8') + hookText(repo);
    const again = repo.cli(['init'], { env: { PATH: userPath } });
    assert.match(again.stdout, 'nothing changed', again.stdout);
    assert.is(readFileSync(join(repo.dir, 'package.json'), 'utf8') + hookText(repo), before);

    // doctor starts the hooks' command.
    const doctor = repo.cli(['doctor'], { env: { PATH: userPath } });
    assert.match(doctor.stdout, /ok\s+pre-commit: husky \d runs .*--dry-run/, doctor.stdout);
    assert.match(doctor.stdout, /ok\s+pre-push: husky \d runs .*--dry-run/, doctor.stdout);
    assert.match(doctor.stdout, /ok\s+commit-msg: husky \d runs .*--dry-run/, doctor.stdout);

    repo.write('src/db.js', sqlLine);
    repo.stage();
    let r = repo.tryGit(['commit', '-m', 'bad'], { env });
    assert.is.not(r.code, 0, `commit refused: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, 'sql-injection');
    assert.match(r.stdout + r.stderr, 'lint-ran', "the project's own hook command still runs");
    assert.not.match(r.stdout + r.stderr, /not found|command not found/);
    repo.write('src/db.js', cleanLine);
    repo.stage();
    r = repo.tryGit(['commit', '-m', 'good'], { env });
    assert.is(r.code, 0, r.stdout + r.stderr);

    // A bad commit made without the hook is refused at push.
    repo.write('src/db.js', sqlLine);
    repo.stage();
    repo.commit('bad, hook skipped');
    r = repo.tryGit(['push', 'origin', 'main'], { env });
    assert.is.not(r.code, 0, `push refused: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, 'sql-injection');

    // commit-msg: a payments change at level review waits for the reviewer's trailer.
    commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ highRisk: { payments: { level: 'review' } } }) });
    repo.write(
      'src/pay.js',
      "const stripe = require('stripe')();\nexport const pay = (amount) => stripe.charges.create({ amount });\n",
    );
    repo.stage();
    r = repo.tryGit(['commit', '-m', 'take payments'], { env });
    assert.is.not(r.code, 0, `commit-msg refused it: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, 'payments: src/pay.js:1');
    r = repo.tryGit(['commit', '-m', 'take payments', '-m', 'Security-Reviewed-by: Ann <ann@example.com>'], { env });
    assert.is(r.code, 0, r.stdout + r.stderr);

    const un = repo.cli(['uninstall']);
    assert.is(un.code, 0, un.stderr);
    assert.not.match(readFileSync(join(repo.dir, 'package.json'), 'utf8') + hookText(repo), 'ralph-guard check');
    if (major !== 4) assert.match(hookText(repo), 'lint-ran', "the user's line stays");
  });
}

function hookText(repo: Repo): string {
  return ['pre-commit', 'pre-push', 'commit-msg']
    .map((h) => (existsSync(join(repo.dir, '.husky', h)) ? repo.read(`.husky/${h}`) : ''))
    .join('\n--\n');
}

test('husky 5–8: a new hook file has the shebang and husky.sh line, and is executable', async () => {
  await ready;
  for (const major of [5, 8] as const) {
    const repo = huskyProject(major);
    assert.is(repo.cli(['init']).code, 0);
    const prePush = repo.read('.husky/pre-push');
    assert.match(prePush, /^#!.*sh\n\. "\$\(dirname (-- )?"\$0"\)\/_\/husky\.sh"\n/);
    assert.match(prePush, './node_modules/.bin/ralph-guard check --push');
    assert.ok(spawnSync('test', ['-x', join(repo.dir, '.husky/pre-push')]).status === 0, 'executable');
  }
});

test('the bug of old inits: a bare line under husky 7 fails doctor (exit 127); init rewrites it and adds the header', async () => {
  await ready;
  const repo = huskyProject(7);
  repo.write('.husky/pre-commit', repo.read('.husky/pre-commit') + 'ralph-guard check --staged\n', 0o755);
  repo.write('.husky/pre-push', 'ralph-guard check --push\n', 0o755);
  let doctor = repo.cli(['doctor'], { env: { PATH: userPath } });
  assert.is(doctor.code, 1, doctor.stdout);
  assert.match(
    doctor.stdout,
    /fail\s+pre-commit: husky 7 runs `ralph-guard check --staged` \(\.husky\/pre-commit\): the command is not found when the hook runs \(exit 127\)/,
  );
  const init = repo.cli(['init']);
  assert.match(init.stdout, 'rewrote `ralph-guard check --staged` in .husky/pre-commit');
  assert.match(init.stdout, 'added the shebang and husky.sh line husky 7 needs to .husky/pre-push');
  assert.match(init.stdout, /added --remote "\$1" to `\S*ralph-guard check --push` in \.husky\/pre-push/);
  assert.match(repo.read('.husky/pre-push'), './node_modules/.bin/ralph-guard check --push --remote "$1"');
  assert.is(repo.read('.husky/pre-commit').match(/ralph-guard/g)?.length, 1, 'rewritten, not added again');
  doctor = repo.cli(['doctor'], { env: { PATH: userPath } });
  assert.match(doctor.stdout, /ok\s+pre-commit: husky 7 runs `\.\/node_modules\/\.bin\/ralph-guard check --staged`/);
});

const FORMS = [
  'npx ralph-guard check --staged',
  'npx --no ralph-guard check --staged',
  './node_modules/.bin/ralph-guard check --staged',
  'npm exec ralph-guard -- check --staged',
  'npm exec -- ralph-guard check --staged',
  'pnpm exec ralph-guard check --staged',
  'pnpm ralph-guard check --staged',
  'yarn ralph-guard check --staged',
  'bunx ralph-guard check --staged',
  'ralph-guard check',
];

test('init and uninstall recognise ralph-guard in every form it or a user may have written', async () => {
  await ready;
  for (const form of FORMS) {
    const repo = huskyProject(9);
    repo.write('.husky/pre-commit', `echo lint-ran\n${form}\n`);
    const init = repo.cli(['init']);
    assert.is(init.code, 0, init.stderr);
    assert.not.match(init.stdout, 'to .husky/pre-commit', `${form}: no second line`);
    assert.is(repo.read('.husky/pre-commit'), `echo lint-ran\n${form}\n`, form);
    assert.is(repo.cli(['uninstall']).code, 0);
    assert.is(repo.read('.husky/pre-commit'), 'echo lint-ran\n', `${form}: removed by uninstall`);
  }
  // husky 4: in package.json, joined to the user's command.
  const repo = huskyProject(4);
  const pkg = JSON.parse(repo.read('package.json'));
  pkg.husky.hooks['pre-commit'] = 'echo lint-ran && npx ralph-guard check --staged';
  repo.write('package.json', JSON.stringify(pkg, null, 2) + '\n');
  assert.not.match(repo.cli(['init']).stdout, 'husky.hooks.pre-commit');
  assert.is(repo.cli(['uninstall']).code, 0);
  const after = JSON.parse(repo.read('package.json'));
  assert.is(after.husky.hooks['pre-commit'], 'echo lint-ran');
  assert.is(after.husky.hooks['pre-push'], undefined);
});

test('RALPH_GUARD=0 skips the check under husky, as the README says', async () => {
  await ready;
  const repo = huskyProject(9);
  assert.is(repo.cli(['init']).code, 0);
  repo.write('src/db.js', sqlLine);
  repo.stage();
  const r = repo.tryGit(['commit', '-m', 'skipped'], { env: { ...env, RALPH_GUARD: '0' } });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, 'RALPH_GUARD=0');
});

test.run();
