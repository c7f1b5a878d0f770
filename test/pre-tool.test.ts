// The PreToolUse hook: Claude cannot skip or disable the hooks, and asks its human before it touches
// what only a human decides. Each case is the JSON Claude Code sends, fed to the command init wrote
// into .claude/settings.json, run through a shell as Claude Code runs it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, SHIM, type Repo } from './helpers/repo.js';

const FIXTURES = new URL('./fixtures/claude/', import.meta.url).pathname;

function project(): Repo {
  const repo = makeRepo();
  repo.write('package.json', JSON.stringify({ name: 'app', version: '1.0.0' }, null, 2) + '\n');
  repo.write('.gitignore', 'node_modules\n');
  repo.write('node_modules/.bin/ralph-guard', SHIM, 0o755);
  repo.write('src/users.js', 'export const limit = 10;\n');
  const init = repo.cli(['init', '--agent', 'claude']);
  assert.is(init.code, 0, init.stderr);
  assert.match(init.stdout, 'added a PreToolUse hook');
  repo.stage();
  repo.commit('base');
  return repo;
}

const repo = project();
const command = (
  JSON.parse(repo.read('.claude/settings.json')) as {
    hooks: { PreToolUse: Array<{ matcher: string; hooks: Array<{ command: string }> }> };
  }
).hooks.PreToolUse.find((g) => g.hooks[0]!.command.includes('claude-pre-tool'))!;

function input(fixture: string, toolInput: Record<string, unknown>): string {
  const data = JSON.parse(readFileSync(join(FIXTURES, fixture), 'utf8').replaceAll('${PROJECT}', repo.dir));
  Object.assign(data.tool_input, toolInput);
  return JSON.stringify(data);
}

function run(json: string): { decision: string | null; reason: string; raw: string } {
  const r = spawnSync('sh', ['-c', command.hooks[0]!.command], {
    cwd: repo.dir,
    input: json,
    encoding: 'utf8',
    env: { ...process.env, CLAUDE_PROJECT_DIR: repo.dir },
  });
  assert.is(r.status, 0, r.stderr);
  if (!r.stdout) return { decision: null, reason: '', raw: '' };
  const out = JSON.parse(r.stdout) as {
    hookSpecificOutput: { hookEventName: string; permissionDecision: string; permissionDecisionReason: string };
  };
  assert.is(out.hookSpecificOutput.hookEventName, 'PreToolUse');
  return {
    decision: out.hookSpecificOutput.permissionDecision,
    reason: out.hookSpecificOutput.permissionDecisionReason,
    raw: r.stdout,
  };
}

const bash = (cmd: string) => run(input('pre-tool-use-bash.json', { command: cmd }));

test('init --agent claude installs the PreToolUse hook on Bash and every edit tool', () => {
  assert.is(command.matcher, 'Bash|Edit|Write|MultiEdit|NotebookEdit');
  const doctor = repo.cli(['doctor']);
  assert.match(doctor.stdout, 'PreToolUse (Bash, edits)');
});

const NO_VERIFY = [
  'git commit --no-verify -m "wip"',
  'git commit -am wip --no-verify',
  `sh -c 'git commit --no-"verify" -m x'`,
  `bash -lc "eval \\"git commit --no-verify -m y\\""`,
  'F=--no-verify; git commit $F -m z',
  `git commit $'--no-\\x76erify' -m x`,
  `env -S 'git commit --no-verify -m x'`,
  'echo --no-verify | xargs git commit -m x',
  '(cd src && git commit ${X:---no-verify} -m x)',
  'x=`echo --no-verify`; git commit $x -m y',
  `echo 'git commit --no-verify -m x' | sh`,
  `bash <<'EOF'\ngit commit --no-verify -m x\nEOF`,
  'git commit --no-verif -m x',
  'git -C src commit --no-verify -m x',
  `git commit $(printf -- '--no-verify') -m x`,
  'cd src; command git commit --no\\-verify -m x',
  `node -e "require('child_process').execSync('git commit --no-verify -m x')"`,
  'git push --no-verify',
  'sudo -u me timeout 5 git push --no-verify origin main',
  'git merge --no-verify feature',
];

test('every spelling of --no-verify is denied', () => {
  for (const cmd of NO_VERIFY) {
    const r = bash(cmd);
    assert.is(r.decision, 'deny', `${cmd} → ${r.raw}`);
    assert.match(r.reason, 'do not skip or disable them');
  }
});

const DENIED = [
  'git commit -nm wip',
  'git commit -n -m wip',
  'git commit -anm wip',
  'RALPH_GUARD=0 git commit -m x',
  'HUSKY=0 git commit -m x',
  'export HUSKY=0 && git commit -m x',
  'env LEFTHOOK=0 git commit -m x',
  'SKIP=ralph-guard git commit -m x',
  'git -c core.hooksPath=/dev/null commit -m x',
  'git -c core.hookspath= commit -m x',
  'git config core.hooksPath /dev/null',
  'git config --unset core.hooksPath',
  'git config alias.ci "commit --no-verify"',
  'git update-index --assume-unchanged src/users.js',
  'git update-index --skip-worktree src/users.js',
  'rm .husky/pre-commit',
  'rm -rf .husky',
  'rm -f ./.hus*/pre-*',
  'echo "exit 0" > .husky/pre-commit',
  'cp /dev/null .husky/pre-push',
  'mv .husky/pre-commit /tmp/x',
  'chmod -x .husky/pre-commit',
  `sed -i 's/ralph-guard//' .husky/pre-commit`,
  'truncate -s 0 .husky/pre-commit',
  'rm "$(git rev-parse --git-dir)/hooks/pre-commit"',
  'cd src && rm ../.husky/pre-push',
  `python3 -c "import os; os.remove('.husky/pre-commit')"`,
  'git clean -fdx',
];

test('commands that skip or disable hooks are denied', () => {
  for (const cmd of DENIED) {
    const r = bash(cmd);
    assert.is(r.decision, 'deny', `${cmd} → ${r.raw}`);
  }
});

test('a git alias is looked up: an alias for commit -n is denied', () => {
  repo.git('config', 'alias.ci', 'commit -n');
  repo.git('config', 'alias.yolo', '!git commit --no-verify');
  try {
    assert.is(bash('git ci -m x').decision, 'deny');
    assert.is(bash('git yolo -m x').decision, 'deny');
  } finally {
    repo.git('config', '--unset', 'alias.ci');
    repo.git('config', '--unset', 'alias.yolo');
  }
});

const ASKED = [
  'npx ralph-guard approve',
  'ralph-guard baseline',
  'node_modules/.bin/ralph-guard baseline --prune',
  'npx --yes ralph-guard uninstall',
  'git commit -m "fix" -m "Security-Reviewed-by: Ann <ann@example.com>"',
  'git commit --trailer "Security-Reviewed-by: Ann <ann@example.com>" -m x',
  `git commit -m "$(cat <<'EOF'\nfix: login\n\nSecurity-Reviewed-by: Ann <ann@example.com>\nEOF\n)"`,
  `echo '{}' > .ralphrc.json`,
  'rm .ralph-baseline.json',
  'tee .claude/settings.local.json < /tmp/x',
];

test('approve, baseline, uninstall, a review trailer and shell writes to the policy ask the human', () => {
  for (const cmd of ASKED) {
    const r = bash(cmd);
    assert.is(r.decision, 'ask', `${cmd} → ${r.raw}`);
    assert.match(r.reason, 'A human decides');
  }
});

const ALLOWED = [
  'git status',
  'git commit -m "add login"',
  'git commit -am "-n is only text in a message"',
  `git commit -m "$(cat <<'EOF'\nAdd login\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nEOF\n)"`,
  'git push origin main',
  'git add -A && git commit -m x -- src/users.js',
  'npm test',
  'cat .husky/pre-commit',
  'grep -rn ralph .husky',
  'ls -la .git/hooks',
  'git log --oneline -n 5',
  'rm -rf dist',
  'npx ralph-guard check --staged',
  'git config --get core.hooksPath',
];

test('ordinary commands get no answer (Claude Code’s own permissions decide)', () => {
  for (const cmd of ALLOWED) {
    const r = bash(cmd);
    assert.is(r.decision, null, `${cmd} → ${r.raw}`);
  }
});

test('Edit, Write, MultiEdit: the policy, baseline, reviews, hook scripts and settings ask; so does a new suppression', () => {
  const asks: Array<[string, Record<string, unknown>]> = [
    ['pre-tool-use-write.json', { file_path: `${repo.dir}/.ralphrc.json`, content: '{}\n' }],
    [
      'pre-tool-use-edit.json',
      { file_path: `${repo.dir}/.husky/pre-commit`, old_string: 'ralph-guard', new_string: '' },
    ],
    ['pre-tool-use-write.json', { file_path: `${repo.dir}/.claude/settings.json`, content: '{}\n' }],
    ['pre-tool-use-edit.json', { file_path: `${repo.dir}/.ralph-baseline.json` }],
    ['pre-tool-use-write.json', { file_path: `${repo.dir}/.ralph-reviews.json`, content: '{}\n' }],
    ['pre-tool-use-write.json', { file_path: `${repo.dir}/lefthook.yml`, content: 'pre-commit: {}\n' }],
    ['pre-tool-use-write.json', { file_path: `${repo.dir}/.git/hooks/pre-commit`, content: 'exit 0\n' }],
    [
      'pre-tool-use-edit.json',
      { file_path: 'package.json', old_string: '"name"', new_string: '"ralph": {},\n  "name"' },
    ],
    [
      'pre-tool-use-edit.json',
      { new_string: 'export const limit = 20; // ralph-guard-ignore insecure-random -- demo data' },
    ],
    [
      'pre-tool-use-multiedit.json',
      {
        edits: [
          { old_string: 'a', new_string: 'b' },
          { old_string: 'export const limit = 10;', new_string: '// ralph-guard-ignore sql-injection -- trusted\nx' },
        ],
      },
    ],
    ['pre-tool-use-write.json', { content: 'const q = 1; // ralph-guard-ignore secrets -- a sample\n' }],
  ];
  for (const [fixture, toolInput] of asks) {
    const r = run(input(fixture, toolInput));
    assert.is(r.decision, 'ask', `${JSON.stringify(toolInput)} → ${r.raw}`);
  }
  const fine: Array<[string, Record<string, unknown>]> = [
    ['pre-tool-use-edit.json', {}],
    ['pre-tool-use-multiedit.json', {}],
    ['pre-tool-use-write.json', {}],
    ['pre-tool-use-edit.json', { file_path: `${repo.dir}/package.json`, old_string: '1.0.0', new_string: '1.0.1' }],
  ];
  for (const [fixture, toolInput] of fine) {
    const r = run(input(fixture, toolInput));
    assert.is(r.decision, null, `${fixture} ${JSON.stringify(toolInput)} → ${r.raw}`);
  }
});

test('a suppression already in the file, moved by an edit, does not ask', () => {
  const line = 'x(); // ralph-guard-ignore insecure-random -- demo data';
  const r = run(input('pre-tool-use-edit.json', { old_string: line, new_string: `${line}\n` }));
  assert.is(r.decision, null, r.raw);
});

test.run();
