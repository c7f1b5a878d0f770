// The assistant loop: init --agent claude merges into .claude/settings.json, and the
// hook commands it installs answer Claude Code's recorded hook inputs as Claude Code expects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitPolicy, makeRepo, SHIM, tempDir, type Repo } from './helpers/repo.js';
import { awsLine, cleanLine, md5Line, sqlLine } from './helpers/samples.js';

const FIXTURES = new URL('./fixtures/claude/', import.meta.url).pathname;
const fixture = (name: string, project: string) =>
  readFileSync(join(FIXTURES, name), 'utf8').replaceAll('${PROJECT}', project);

/** A project with ralph-guard installed in node_modules and the assistant hooks wired in. */
function project(settings?: object): Repo {
  const repo = makeRepo();
  repo.write(
    'package.json',
    JSON.stringify(
      { name: 'app', version: '1.0.0', devDependencies: { 'ralph-guard': '^0.1.0', husky: '^9.1.7' } },
      null,
      2,
    ) + '\n',
  );
  repo.write('.gitignore', 'node_modules\n');
  repo.write('node_modules/.bin/ralph-guard', SHIM, 0o755);
  if (settings) repo.write('.claude/settings.json', JSON.stringify(settings, null, 2) + '\n');
  repo.write('src/users.js', 'export const limit = 10;\n' + cleanLine);
  repo.stage();
  repo.commit('base');
  return repo;
}

function settingsOf(repo: Repo) {
  return JSON.parse(repo.read('.claude/settings.json')) as {
    hooks: Record<
      string,
      Array<{ matcher?: string; hooks: Array<{ type: string; command: string; timeout?: number }> }>
    >;
    [k: string]: unknown;
  };
}

/** Runs the command Claude Code would run for `event`, exactly as written in settings.json, through a shell. */
function runHook(repo: Repo, event: 'PostToolUse' | 'Stop', input: string) {
  const command = settingsOf(repo)
    .hooks[event]!.flatMap((g) => g.hooks)
    .find((h) => h.command.includes('ralph-guard hook'))!.command;
  const r = spawnSync('sh', ['-c', command], {
    cwd: repo.dir,
    input,
    encoding: 'utf8',
    env: { ...process.env, CLAUDE_PROJECT_DIR: repo.dir },
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const USER_SETTINGS = {
  permissions: { allow: ['Bash(npm test:*)'] },
  hooks: {
    PostToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'npx prettier --write "$CLAUDE_FILE"' }] }],
    Stop: [{ hooks: [{ type: 'command', command: 'echo done >> /tmp/log' }] }],
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './scripts/guard-bash.sh' }] }],
  },
};

test('init --agent claude merges into settings.json without touching the user hooks; twice changes nothing; uninstall restores it', () => {
  const repo = project(USER_SETTINGS);
  const original = repo.read('.claude/settings.json');
  const r = repo.cli(['init', '--agent', 'claude']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'PostToolUse hook');
  const settings = settingsOf(repo);
  assert.equal(settings.permissions, USER_SETTINGS.permissions);
  assert.equal(settings.hooks.PreToolUse, USER_SETTINGS.hooks.PreToolUse);
  assert.equal(
    settings.hooks.PostToolUse![0],
    USER_SETTINGS.hooks.PostToolUse[0],
    'the user hook comes first, unchanged',
  );
  assert.equal(settings.hooks.PostToolUse![1], {
    matcher: 'Edit|Write|MultiEdit',
    hooks: [
      {
        type: 'command',
        command: '"$CLAUDE_PROJECT_DIR"/node_modules/.bin/ralph-guard hook claude-post-edit',
        timeout: 60,
      },
    ],
  });
  assert.equal(settings.hooks.Stop![0], USER_SETTINGS.hooks.Stop[0]);
  assert.equal(settings.hooks.Stop![1], {
    hooks: [
      {
        type: 'command',
        command: '"$CLAUDE_PROJECT_DIR"/node_modules/.bin/ralph-guard hook claude-stop',
        timeout: 180,
      },
    ],
  });

  const after = repo.read('.claude/settings.json');
  const again = repo.cli(['init', '--agent', 'claude']);
  assert.match(again.stdout, 'nothing changed');
  assert.is(repo.read('.claude/settings.json'), after, 'second run changed nothing');

  const un = repo.cli(['uninstall']);
  assert.is(un.code, 0, un.stderr);
  assert.match(un.stdout, 'removed the ralph-guard hooks from .claude/settings.json');
  assert.is(repo.read('.claude/settings.json'), original, 'exactly the user settings are left');
});

test('a settings.json created by init is removed again by uninstall; no package.json means ralph-guard from PATH', () => {
  const repo = makeRepo();
  assert.is(repo.cli(['init', '--hooks', 'git', '--agent', 'claude']).code, 0);
  const settings = settingsOf(repo);
  assert.is(settings.hooks.Stop![0]!.hooks[0]!.command, 'ralph-guard hook claude-stop');
  repo.cli(['uninstall']);
  assert.not.ok(existsSync(join(repo.dir, '.claude')), '.claude/ was init’s and is gone');
  assert.not.ok(existsSync(join(repo.dir, '.ralphrc.json')), 'the untouched policy init wrote is gone');
  assert.not.ok(existsSync(join(repo.dir, '.git/hooks/pre-commit')));
});

test('PostToolUse: the committed policy judges; an assistant that switches the policy off is told, and still blocked', () => {
  const repo = project();
  repo.cli(['init', '--agent', 'claude']);
  repo.stage();
  repo.commit('ralph-guard set up');
  repo.write('.ralphrc.json', '{"extends":[]}\n');
  repo.write('src/login.js', sqlLine);
  const r = runHook(repo, 'PostToolUse', fixture('post-tool-use-write.json', repo.dir));
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, 'sql-injection');
  assert.match(r.stderr, 'guard/policy-weakened');
});

test('an invalid settings.json is reported, not overwritten', () => {
  const repo = project();
  repo.write('.claude/settings.json', '{ "hooks": ');
  const r = repo.cli(['init', '--agent', 'claude']);
  assert.is(r.code, 2);
  assert.match(r.stderr, '.claude/settings.json: not valid JSON');
  assert.is(repo.read('.claude/settings.json'), '{ "hooks": ');
});

test('PostToolUse (Write): a file that fails an atom exits 2 with the agent report on stderr', () => {
  const repo = project();
  repo.cli(['init', '--agent', 'claude']);
  repo.write('src/login.js', sqlLine);
  const before = repo.snapshot();
  const r = runHook(repo, 'PostToolUse', fixture('post-tool-use-write.json', repo.dir));
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^\*\*ralph-guard: 1 blocking finding \(sql-injection\) in src\/login\.js\./);
  assert.match(r.stderr, '- **Failed:** SQL text is built by string concatenation');
  assert.match(r.stderr, '- **Pass when:** Every query keeps SQL text and values apart');
  assert.match(r.stderr, '`src/login.js:1`');
  assert.match(r.stderr, 'Secure pattern (sql-injection):');
  assert.is(repo.snapshot(), before, 'nothing in git changed');
});

test('PostToolUse (Edit, MultiEdit): only the edited file, only its changed lines; old findings elsewhere do not nag', () => {
  const repo = project();
  repo.cli(['init', '--agent', 'claude']);
  repo.write('src/users.js', 'export const limit = 10;\n' + cleanLine + md5Line);
  repo.stage();
  repo.commit('legacy md5 line');
  repo.write('src/users.js', 'export const limit = 20;\n' + cleanLine + md5Line);
  repo.write('src/other.js', sqlLine); // another file the assistant did not just edit
  for (const name of ['post-tool-use-edit.json', 'post-tool-use-multiedit.json']) {
    const r = runHook(repo, 'PostToolUse', fixture(name, repo.dir));
    assert.is(r.code, 0, `${name}: ${r.stderr}`);
    assert.is(r.stderr, '');
  }
  repo.write('src/users.js', 'export const limit = 20;\n' + awsLine() + md5Line);
  const r = runHook(repo, 'PostToolUse', fixture('post-tool-use-edit.json', repo.dir));
  assert.is(r.code, 2);
  assert.match(r.stderr, 'secrets');
  assert.not.match(r.stderr, 'password-hashing', 'the old line is not reported');
  assert.not.match(r.stderr, 'other.js');
});

test('PostToolUse: other tools, files outside the repository and non-repositories pass silently', () => {
  const repo = project();
  repo.cli(['init', '--agent', 'claude']);
  repo.write('src/login.js', sqlLine);
  let r = runHook(repo, 'PostToolUse', fixture('post-tool-use-read.json', repo.dir));
  assert.is(r.code, 0, r.stderr);
  const outside = tempDir('outside-');
  r = runHook(
    repo,
    'PostToolUse',
    fixture('post-tool-use-write.json', repo.dir).replace(
      `"file_path": "${repo.dir}/src/login.js"`,
      `"file_path": "${outside}/x.js"`,
    ),
  );
  assert.is(r.code, 0, r.stderr);
  const plain = tempDir('plain-');
  const direct = repo.cli(['hook', 'claude-post-edit'], {
    input: fixture('post-tool-use-write.json', plain),
    cwd: plain,
  });
  assert.is(direct.code, 0, direct.stderr);
});

test('PostToolUse: bad input is a non-blocking error; a broken policy is told to the assistant', () => {
  const repo = project();
  repo.cli(['init', '--agent', 'claude']);
  let r = runHook(repo, 'PostToolUse', 'not json');
  assert.is(r.code, 1);
  assert.match(r.stderr, "expected Claude Code's hook JSON");
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ atoms: { 'sql-injection': { level: 'loud' } } }) });
  repo.write('src/login.js', cleanLine);
  r = runHook(repo, 'PostToolUse', fixture('post-tool-use-write.json', repo.dir));
  assert.is(r.code, 2);
  assert.match(r.stderr, 'the policy is invalid');
  assert.match(r.stderr, 'atoms.sql-injection.level');
});

test('Stop: blocks while the working change fails, counts rounds, gives up after N with a message, resets on a new turn', () => {
  const repo = project();
  repo.cli(['init', '--agent', 'claude']);
  repo.write('src/login.js', sqlLine); // untracked
  repo.write('src/users.js', 'export const limit = 10;\n' + cleanLine + md5Line); // tracked, modified
  const before = repo.snapshot();
  const first = runHook(repo, 'Stop', fixture('stop.json', repo.dir));
  assert.is(first.code, 2, first.stderr);
  assert.match(first.stderr, '2 blocking findings (password-hashing, sql-injection) in 2 files. Do not finish yet.');
  assert.match(first.stderr, 'Round 1 of 5');
  for (let round = 2; round <= 5; round++) {
    const r = runHook(repo, 'Stop', fixture('stop-active.json', repo.dir));
    assert.is(r.code, 2);
    assert.match(r.stderr, `Round ${round} of 5`);
  }
  const gaveUp = runHook(repo, 'Stop', fixture('stop-active.json', repo.dir));
  assert.is(gaveUp.code, 0, 'the assistant may stop: no endless loop');
  assert.match(JSON.parse(gaveUp.stdout).systemMessage, 'still fail after 5 rounds');
  assert.match(gaveUp.stderr, 'The commit hook will still refuse them');

  const newTurn = runHook(repo, 'Stop', fixture('stop.json', repo.dir));
  assert.is(newTurn.code, 2);
  assert.match(newTurn.stderr, 'Round 1 of 5');

  repo.write('src/login.js', cleanLine);
  repo.write('src/users.js', 'export const limit = 10;\n' + cleanLine);
  const fixed = runHook(repo, 'Stop', fixture('stop-active.json', repo.dir));
  assert.is(fixed.code, 0, fixed.stderr);
  assert.is(fixed.stderr, '');
  assert.ok(repo.snapshot() !== before); // the files changed (our edits), but:
  assert.is(repo.git('stash', 'list'), '');
});

test('Stop: --max-rounds and a clean working change', () => {
  const repo = project();
  repo.write('src/login.js', sqlLine);
  const input = fixture('stop.json', repo.dir);
  assert.is(repo.cli(['hook', 'claude-stop', '--max-rounds', '1'], { input }).code, 2);
  const r = repo.cli(['hook', 'claude-stop', '--max-rounds', '1'], { input: fixture('stop-active.json', repo.dir) });
  assert.is(r.code, 0);
  assert.match(r.stdout, 'after 1 rounds');
  assert.is(repo.cli(['hook', 'claude-stop', '--max-rounds', 'x'], { input }).code, 2);
  assert.is(repo.cli(['hook', 'claude-nope'], { input }).code, 2);
});

test('--format agent: summary first, most severe first, long reports cut with a count', () => {
  const repo = makeRepo();
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ atoms: { 'password-hashing': { level: 'warn' } } }) });
  repo.write('a.js', md5Line);
  repo.write('b.js', Array.from({ length: 30 }, (_, i) => sqlLine.replace('id}', `id${i}}`)).join(''));
  repo.stage();
  const r = repo.cli(['check', '--format', 'agent']);
  assert.is(r.code, 1);
  const lines = r.stdout.split('\n');
  assert.is(
    lines[0],
    '**ralph-guard: 30 blocking findings and 1 warning (sql-injection, password-hashing) in 2 files. Commit refused.**',
  );
  assert.ok(
    r.stdout.indexOf('sql-injection — ') < r.stdout.indexOf('password-hashing — ') ||
      !r.stdout.includes('password-hashing — '),
    'blocking atom first',
  );
  assert.match(
    r.stdout,
    /_…and 11 more findings in 2 files not shown: run `npx ralph-guard check --staged` to list them all\._/,
  );
  const clean = makeRepo();
  clean.write('a.js', cleanLine);
  clean.stage();
  const ok = clean.cli(['check', '--format', 'agent']);
  assert.is(ok.code, 0);
  assert.match(ok.stdout, /^\*\*ralph-guard: every criterion passes\*\*/);
});

test.run();
