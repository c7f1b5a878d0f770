// Every hook manager, with real git: lefthook (the real binary when npm can fetch it),
// the pre-commit framework's manifest, core.hooksPath, the managers init only prints
// lines for, and uninstall removing exactly what init added.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { commitPolicy, CLI, makeRepo, PROJECT, repoWithRemote, shimDir, SHIM, type Repo } from './helpers/repo.js';
import { cleanLine, md5Line, sqlLine } from './helpers/samples.js';

const LEFTHOOK_VERSION = '2.2.1';

/**
 * The lefthook binary from npm, installed once into a cache outside the project with
 * --ignore-scripts (its postinstall would run `lefthook install` in whatever repository
 * npm was called from). Null when npm cannot fetch it: the tests then check the file
 * edits and run the commands lefthook would run.
 */
function lefthookBinary(): string | null {
  const dir = join(tmpdir(), 'ralph-guard-test-tools', `lefthook-${LEFTHOOK_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'lefthook');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-save',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        `lefthook@${LEFTHOOK_VERSION}`,
      ],
      {
        encoding: 'utf8',
        timeout: 180_000,
        cwd: dir,
        env: { ...process.env, CI: 'true' },
      },
    );
    if (r.status !== 0 || !existsSync(bin)) {
      console.log(
        `(lefthook could not be installed from npm; checking the file edits only)\n${r.stderr?.slice(-400) ?? ''}`,
      );
      return null;
    }
  }
  return spawnSync(bin, ['version'], { encoding: 'utf8' }).status === 0 ? bin : null;
}

function nodeProject(pkg: object, repo = makeRepo()): Repo {
  repo.write('package.json', JSON.stringify(pkg, null, 2) + '\n');
  repo.write('.gitignore', 'node_modules\n');
  repo.write('node_modules/.bin/ralph-guard', SHIM, 0o755);
  return repo;
}

const REVIEW_PAYMENTS = JSON.stringify({ highRisk: { payments: { level: 'review' } } });
const PAY =
  "const stripe = require('stripe')();\nexport const pay = (amount) => stripe.paymentIntents.create({ amount });\n";

const USER_LEFTHOOK = `# Our team's hooks: keep this comment.
pre-commit:
  parallel: true
  commands:
    lint:
      glob: "*.js"
      run: echo linted {staged_files}
`;

test('lefthook: init adds commands to lefthook.yml keeping the user content; real commits and pushes are checked; uninstall restores it', () => {
  const { repo } = repoWithRemote();
  nodeProject({ name: 'app', devDependencies: { lefthook: LEFTHOOK_VERSION, 'ralph-guard': '^0.1.0' } }, repo);
  repo.write('lefthook.yml', USER_LEFTHOOK);
  const r = repo.cli(['init']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'ralph-guard init (lefthook)');
  assert.match(r.stdout, 'added a "ralph-guard" command to pre-commit in lefthook.yml');
  assert.match(r.stdout, 'npx lefthook install');
  const edited = repo.read('lefthook.yml');
  assert.ok(edited.startsWith(USER_LEFTHOOK.trimEnd()), `the user's text is kept as it was:\n${edited}`);
  assert.equal(parse(edited), {
    'pre-commit': {
      parallel: true,
      commands: {
        lint: { glob: '*.js', run: 'echo linted {staged_files}' },
        'ralph-guard': { run: './node_modules/.bin/ralph-guard check --staged' },
      },
    },
    'pre-push': {
      commands: {
        'ralph-guard': { run: './node_modules/.bin/ralph-guard check --push --remote {1}', use_stdin: true },
      },
    },
    'commit-msg': {
      commands: { 'ralph-guard': { run: './node_modules/.bin/ralph-guard check --commit-msg {1}' } },
    },
  });
  assert.match(repo.cli(['init']).stdout, 'nothing changed');
  assert.is(repo.read('lefthook.yml'), edited);

  const lefthook = lefthookBinary();
  if (lefthook) {
    const install = spawnSync(lefthook, ['install'], { cwd: repo.dir, encoding: 'utf8' });
    assert.is(install.status, 0, install.stdout + install.stderr);
    assert.match(repo.read('.git/hooks/pre-commit'), 'lefthook');
    // doctor runs each command as lefthook would ({1} is git's argument): every hook resolves.
    const doctor = repo.cli(['doctor']);
    for (const hook of ['pre-commit', 'pre-push', 'commit-msg'])
      assert.match(doctor.stdout, new RegExp(`ok\\s+${hook}: lefthook runs .*the command starts`), doctor.stdout);
    repo.write('README.md', '# app\n');
    repo.stage();
    let c = repo.tryGit(['commit', '-m', 'base']);
    assert.is(c.code, 0, c.stdout + c.stderr);
    assert.match(c.stdout + c.stderr, 'every criterion passes');
    repo.write('src/db.js', sqlLine);
    repo.stage('src/db.js');
    c = repo.tryGit(['commit', '-m', 'bad']);
    assert.is.not(c.code, 0, 'lefthook ran ralph-guard and the commit was refused');
    assert.match(c.stdout + c.stderr, 'sql-injection/interpolated-query');
    assert.match(c.stdout + c.stderr, 'linted', 'the user command still runs');
    repo.write('src/db.js', cleanLine);
    repo.stage('src/db.js');
    assert.is(repo.tryGit(['commit', '-m', 'good']).code, 0);
    assert.is(repo.tryGit(['push', '-q', 'origin', 'main']).code, 0);
    repo.write('src/hash.js', md5Line);
    repo.stage('src/hash.js');
    repo.git('commit', '-q', '--no-verify', '-m', 'sneaked past pre-commit');
    const push = repo.tryGit(['push', 'origin', 'main']);
    assert.is.not(push.code, 0, 'pre-push (with use_stdin) refused it');
    assert.match(push.stdout + push.stderr, 'password-hashing/fast-hash');
    // commit-msg: lefthook hands the message file to the command as {1}; a review waits for the trailer.
    assert.match(repo.read('.git/hooks/commit-msg'), 'lefthook');
    commitPolicy(repo, { '.ralphrc.json': REVIEW_PAYMENTS });
    repo.write('src/pay.js', PAY);
    repo.stage('src/pay.js');
    c = repo.tryGit(['commit', '-m', 'take payments']);
    assert.is.not(c.code, 0, 'lefthook ran the commit-msg check and the commit was refused');
    assert.match(c.stdout + c.stderr, 'payments: src/pay.js:1');
    c = repo.tryGit(['commit', '-m', 'take payments', '-m', 'Security-Reviewed-by: Ann <ann@example.com>']);
    assert.is(c.code, 0, c.stdout + c.stderr);
  } else {
    // The commands lefthook would run, run the way it runs them (sh -c in the root, git's stdin for pre-push).
    const run = (command: string, input = '') =>
      spawnSync('sh', ['-c', command], { cwd: repo.dir, encoding: 'utf8', input });
    repo.write('src/db.js', sqlLine);
    repo.stage('src/db.js');
    assert.is(run('./node_modules/.bin/ralph-guard check --staged').status, 1);
    commitPolicy(repo, { '.ralphrc.json': REVIEW_PAYMENTS });
    repo.write('src/pay.js', PAY);
    repo.stage('src/pay.js');
    repo.write('msg', 'take payments\n');
    const msg = './node_modules/.bin/ralph-guard check --commit-msg {1}'.replace('{1}', 'msg');
    assert.is(run(msg).status, 1);
    repo.write('msg', 'take payments\n\nSecurity-Reviewed-by: Ann <ann@example.com>\n');
    assert.is(run(msg).status, 0);
  }

  const un = repo.cli(['uninstall']);
  assert.is(un.code, 0, un.stderr);
  assert.match(un.stdout, 'removed the ralph-guard commands from lefthook.yml');
  assert.is(repo.read('lefthook.yml'), USER_LEFTHOOK, 'exactly the user file is left');
});

test('lefthook: a jobs: list gets a job; a lefthook.yml init created goes away on uninstall', () => {
  const repo = nodeProject({ name: 'app', devDependencies: { lefthook: LEFTHOOK_VERSION } });
  repo.write('lefthook.yml', 'pre-commit:\n  jobs:\n    - name: lint\n      run: echo lint\n');
  assert.is(repo.cli(['init', '--hooks', 'lefthook']).code, 0);
  assert.equal(parse(repo.read('lefthook.yml'))['pre-commit'].jobs, [
    { name: 'lint', run: 'echo lint' },
    { name: 'ralph-guard', run: './node_modules/.bin/ralph-guard check --staged' },
  ]);
  repo.cli(['uninstall']);
  assert.is(repo.read('lefthook.yml'), 'pre-commit:\n  jobs:\n    - name: lint\n      run: echo lint\n');

  const fresh = makeRepo();
  assert.is(fresh.cli(['init', '--hooks', 'lefthook']).code, 0);
  assert.equal(
    parse(fresh.read('lefthook.yml'))['pre-commit'].commands['ralph-guard'].run,
    'ralph-guard check --staged',
    'no package.json: ralph-guard from PATH',
  );
  fresh.cli(['uninstall']);
  assert.not.ok(existsSync(join(fresh.dir, 'lefthook.yml')));
});

test('pre-commit framework: .pre-commit-hooks.yaml is a valid manifest whose entries work as the framework runs them', () => {
  const manifest = parse(readFileSync(join(PROJECT, '.pre-commit-hooks.yaml'), 'utf8')) as Array<
    Record<string, unknown>
  >;
  assert.ok(Array.isArray(manifest));
  const allowed = [
    'id',
    'name',
    'entry',
    'language',
    'files',
    'exclude',
    'types',
    'types_or',
    'exclude_types',
    'always_run',
    'fail_fast',
    'verbose',
    'pass_filenames',
    'require_serial',
    'description',
    'language_version',
    'minimum_pre_commit_version',
    'args',
    'stages',
  ];
  const stages = [
    'commit-msg',
    'post-checkout',
    'post-commit',
    'post-merge',
    'post-rewrite',
    'pre-commit',
    'pre-merge-commit',
    'pre-push',
    'pre-rebase',
    'prepare-commit-msg',
    'manual',
  ];
  for (const hook of manifest) {
    for (const key of Object.keys(hook)) assert.ok(allowed.includes(key), `known key ${key}`);
    for (const key of ['id', 'name', 'entry', 'language']) assert.type(hook[key], 'string', `${key} is required`);
    assert.is(hook.language, 'node');
    // ralph-guard reads the change from git; only the commit-msg hook takes a file: the message.
    assert.is(hook.pass_filenames, hook.id === 'ralph-guard-commit-msg', `${hook.id}: pass_filenames`);
    assert.ok((hook.stages as string[]).every((s) => stages.includes(s)));
  }
  assert.equal(
    manifest.map((h) => [h.id, h.stages]),
    [
      ['ralph-guard', ['pre-commit']],
      ['ralph-guard-push', ['pre-push']],
      ['ralph-guard-commit-msg', ['commit-msg']],
    ],
  );
  const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8'));
  assert.ok(pkg.bin['ralph-guard'], 'language: node runs the package bin named in entry');

  // Run each entry as pre-commit does: through its own environment's bin, no stdin, refs in the environment.
  const { repo } = repoWithRemote();
  const bin = shimDir();
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const entry = (id: string) => String(manifest.find((h) => h.id === id)!.entry);
  repo.write('a.js', cleanLine);
  repo.stage();
  const base = repo.commit('base');
  repo.git('push', '-q', 'origin', 'main');
  repo.write('b.js', sqlLine);
  repo.stage();
  let r = spawnSync('sh', ['-c', entry('ralph-guard')], { cwd: repo.dir, env, encoding: 'utf8' });
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, 'sql-injection');
  const head = repo.commit('bad');
  const pushEnv = {
    ...env,
    PRE_COMMIT_FROM_REF: base,
    PRE_COMMIT_TO_REF: head,
    PRE_COMMIT_REMOTE_BRANCH: 'refs/heads/main',
    PRE_COMMIT_LOCAL_BRANCH: 'refs/heads/main',
  };
  r = spawnSync('sh', ['-c', entry('ralph-guard-push')], { cwd: repo.dir, env: pushEnv, encoding: 'utf8', input: '' });
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, 'b.js:1:');
  r = spawnSync('sh', ['-c', entry('ralph-guard-push')], {
    cwd: repo.dir,
    env: { ...pushEnv, PRE_COMMIT_FROM_REF: head },
    encoding: 'utf8',
    input: '',
  });
  assert.is(r.status, 0, 'nothing new to push');

  // commit-msg: the framework appends the message file to the entry (pass_filenames).
  commitPolicy(repo, { '.ralphrc.json': REVIEW_PAYMENTS });
  repo.write('src/pay.js', PAY);
  repo.stage('src/pay.js');
  repo.write('.git/MSG', 'take payments\n');
  const msg = () =>
    spawnSync('sh', ['-c', `${entry('ralph-guard-commit-msg')} .git/MSG`], { cwd: repo.dir, env, encoding: 'utf8' });
  r = msg();
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, 'payments: src/pay.js:1');
  repo.write('.git/MSG', 'take payments\n\nSecurity-Reviewed-by: Ann <ann@example.com>\n');
  assert.is(msg().status, 0);

  // The framework itself, when this machine has it: a local hook with the manifest's commit-msg settings.
  if (spawnSync('pre-commit', ['--version']).status === 0) {
    const hook = manifest.find((h) => h.id === 'ralph-guard-commit-msg')!;
    repo.write(
      '.pre-commit-config.yaml',
      `repos:\n  - repo: local\n    hooks:\n      - id: ${hook.id}\n        name: review trailer\n        entry: ${hook.entry}\n        language: system\n        pass_filenames: ${hook.pass_filenames}\n        always_run: ${hook.always_run}\n        stages: [commit-msg]\n`,
    );
    const installed = spawnSync('pre-commit', ['install', '--hook-type', 'commit-msg'], {
      cwd: repo.dir,
      env,
      encoding: 'utf8',
    });
    assert.is(installed.status, 0, installed.stdout + installed.stderr);
    repo.stage('.pre-commit-config.yaml');
    let c = repo.tryGit(['commit', '-m', 'take payments'], { env });
    assert.is(c.code, 1, c.stdout + c.stderr);
    assert.match(c.stdout + c.stderr, 'payments: src/pay.js:1');
    c = repo.tryGit(['commit', '-m', 'take payments', '-m', 'Security-Reviewed-by: Ann <ann@example.com>'], { env });
    assert.is(c.code, 0, c.stdout + c.stderr);
  }
});

test('core.hooksPath is respected: the hooks go there, an existing one is chained, uninstall puts it back', () => {
  const repo = makeRepo();
  repo.git('config', 'core.hooksPath', '.githooks');
  const original = '#!/bin/sh\necho "team hook ran"\n';
  repo.write('.githooks/pre-commit', original, 0o755);
  const r = repo.cli(['init', '--hooks', 'git']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'kept the existing .githooks/pre-commit as .githooks/pre-commit.pre-ralph-guard');
  assert.ok(existsSync(join(repo.dir, '.githooks/pre-push')));
  assert.not.ok(existsSync(join(repo.dir, '.git/hooks/pre-commit')));
  const env = { ...process.env, PATH: `${shimDir()}:${process.env.PATH}` };
  repo.write('a.js', sqlLine);
  repo.stage('a.js');
  const c = repo.tryGit(['commit', '-m', 'bad'], { env });
  assert.is.not(c.code, 0);
  assert.match(c.stdout + c.stderr, 'team hook ran');
  assert.match(c.stdout + c.stderr, 'sql-injection');
  const doctor = repo.cli(['doctor'], { env: { PATH: env.PATH! } });
  assert.match(doctor.stdout, /ok\s+pre-commit: ralph-guard's hook script \(chaining the previous hook\)/);
  const un = repo.cli(['uninstall']);
  assert.match(un.stdout, 'put the previous hook back');
  assert.is(repo.read('.githooks/pre-commit'), original);
  assert.not.ok(existsSync(join(repo.dir, '.githooks/pre-push')));
});

for (const [name, setup, line] of [
  [
    'simple-git-hooks',
    (r: Repo) =>
      nodeProject(
        {
          name: 'app',
          devDependencies: { 'simple-git-hooks': '^2.11.0' },
          'simple-git-hooks': { 'pre-commit': 'npx lint-staged' },
        },
        r,
      ),
    '"pre-commit": "npx ralph-guard check --staged", "pre-push": "npx ralph-guard check --push"',
  ],
  [
    'yorkie',
    (r: Repo) =>
      nodeProject({ name: 'app', devDependencies: { yorkie: '^2.0.0' }, gitHooks: { 'pre-commit': 'lint-staged' } }, r),
    'add to "gitHooks" in package.json',
  ],
  [
    'lint-staged',
    (r: Repo) =>
      nodeProject(
        { name: 'app', devDependencies: { 'lint-staged': '^15.0.0' }, 'lint-staged': { '*.js': 'eslint' } },
        r,
      ),
    '"*": "ralph-guard check --staged"',
  ],
  [
    'pre-commit',
    (r: Repo) => r.write('.pre-commit-config.yaml', 'repos: []\n'),
    'hooks: [{ id: ralph-guard }, { id: ralph-guard-push }, { id: ralph-guard-commit-msg }]',
  ],
] as const) {
  test(`${name}: init prints the line to add and edits no hook`, () => {
    const repo = makeRepo();
    setup(repo);
    const pkgBefore = existsSync(join(repo.dir, 'package.json')) ? repo.read('package.json') : null;
    const r = repo.cli(['init']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, `ralph-guard init (${name})`);
    assert.match(r.stdout, line);
    assert.not.ok(existsSync(join(repo.dir, '.husky')));
    assert.not.ok(existsSync(join(repo.dir, '.git/hooks/pre-commit')));
    if (pkgBefore !== null) assert.is(repo.read('package.json'), pkgBefore);
  });
}

test('simple-git-hooks: the printed line works as the hook simple-git-hooks writes', () => {
  const repo = nodeProject({ name: 'app', devDependencies: { 'simple-git-hooks': '^2.11.0' } });
  // simple-git-hooks writes each configured command into .git/hooks/<hook> under a shebang.
  repo.write('.git/hooks/pre-commit', '#!/bin/sh\n\nnpx ralph-guard check --staged', 0o755);
  repo.write('a.js', sqlLine);
  repo.stage('a.js');
  const c = repo.tryGit(['commit', '-m', 'bad']);
  assert.is.not(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout + c.stderr, 'sql-injection');
});

test('husky: uninstall after a fresh set-up gives back package.json byte for byte, unsets core.hooksPath, removes .husky', () => {
  const repo = nodeProject({ name: 'app', version: '1.0.0', scripts: { test: 'echo ok' } });
  const pkg = repo.read('package.json');
  assert.is(repo.cli(['init']).code, 0);
  assert.is(repo.git('config', 'core.hooksPath').trim(), '.husky/_');
  const un = repo.cli(['uninstall']);
  assert.is(un.code, 0, un.stderr);
  assert.is(repo.read('package.json'), pkg);
  assert.is(repo.tryGit(['config', 'core.hooksPath']).code, 1, 'unset');
  assert.not.ok(existsSync(join(repo.dir, '.husky')));
  assert.not.ok(existsSync(join(repo.dir, '.ralphrc.json')));
  assert.not.ok(existsSync(join(repo.dir, '.git/ralph-guard')));
  assert.match(repo.cli(['uninstall']).stdout, 'nothing of ralph-guard was installed here');
});

test('husky already there: uninstall removes only our lines; a changed policy stays', () => {
  const repo = nodeProject({
    name: 'app',
    scripts: { prepare: 'husky' },
    devDependencies: { husky: '^9.1.7', 'ralph-guard': '^0.1.0' },
  });
  repo.write('.husky/pre-commit', 'npm test\n');
  repo.git('config', 'core.hooksPath', '.husky/_');
  assert.is(repo.cli(['init']).code, 0);
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ failOn: 'warn' }) });
  const un = repo.cli(['uninstall']);
  assert.is(repo.read('.husky/pre-commit'), 'npm test\n');
  assert.not.ok(existsSync(join(repo.dir, '.husky/pre-push')), 'pre-push held only our line');
  assert.is(repo.git('config', 'core.hooksPath').trim(), '.husky/_', 'the user’s husky stays');
  assert.ok(existsSync(join(repo.dir, '.ralphrc.json')));
  assert.match(un.stdout, 'you changed it since init, so it stays');
  assert.ok(JSON.parse(repo.read('package.json')).devDependencies['ralph-guard'], 'not ours to remove');
});

test('a linked worktree shares the hooks with its main checkout', () => {
  const repo = makeRepo();
  repo.write('a.js', cleanLine);
  repo.stage();
  repo.commit('base');
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  const wt = join(repo.dir, '..', `linked-${Date.now()}`);
  repo.git('worktree', 'add', '-q', wt);
  writeFileSync(join(wt, 'b.js'), sqlLine);
  const env = { ...process.env, PATH: `${shimDir()}:${process.env.PATH}` };
  repo.git('-C', wt, 'add', 'b.js');
  const c = spawnSync('git', ['-C', wt, 'commit', '-m', 'bad'], { encoding: 'utf8', env });
  assert.is.not(c.status, 0, 'the shared hook runs in the linked worktree');
  assert.match(c.stdout + c.stderr, 'sql-injection');
  assert.match(
    spawnSync(process.execPath, [CLI, 'doctor'], { cwd: wt, encoding: 'utf8', env }).stdout,
    /ok\s+pre-push: ralph-guard's hook script/,
  );
});

test.run();
