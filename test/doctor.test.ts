// doctor: ok/warn/fail lines with fixes; exit 1 when something fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { commitPolicy, makeRepo, shimDir, SHIM } from './helpers/repo.js';

const lines = (stdout: string) => stdout.split('\n');

test('a repository without hooks fails, with the fix', () => {
  const repo = makeRepo();
  const r = repo.cli(['doctor'], { env: { PATH: `${shimDir()}:${process.env.PATH}` } });
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stdout, /^ {2}ok {4}node \d+\.\d+/m);
  assert.match(r.stdout, /^ {2}ok {4}git \d+\.\d+/m);
  assert.match(r.stdout, /fail {2}pre-commit: no hook at \.git\/hooks\/pre-commit\n\s+fix: npx ralph-guard init/);
  assert.match(r.stdout, 'no policy file: the recommended policy applies');
  assert.match(r.stdout, /2 problems to fix\.$/m);
});

test('after init everything is ok; a hook that is not executable fails; an invalid policy fails naming the key', () => {
  const repo = makeRepo();
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  const env = { PATH: `${shimDir()}:${process.env.PATH}` };
  let r = repo.cli(['doctor'], { env });
  assert.is(r.code, 0, r.stdout);
  assert.match(r.stdout, /ok\s+hook manager: git/);
  assert.match(r.stdout, /ok\s+pre-commit: ralph-guard's hook script/);
  assert.match(r.stdout, /ok\s+pre-push: ralph-guard's hook script/);
  assert.match(r.stdout, /ok\s+commit-msg: ralph-guard's hook script; the command starts \(tried with --dry-run\)/);
  assert.match(r.stdout, /ok\s+hooks run \/.*ralph-guard/);
  assert.match(r.stdout, /ok\s+policy \.ralphrc\.json is not committed yet/);
  assert.match(r.stdout, /warn\s+advisory database: none/);
  repo.stage('.ralphrc.json');
  repo.commit('policy');
  assert.match(repo.cli(['doctor'], { env }).stdout, /ok\s+policy \.ralphrc\.json is valid/);
  assert.match(r.stdout, /ok\s+Claude Code hooks: not set up \(optional/);
  assert.ok(lines(r.stdout).every((l) => !/^\s+fail/.test(l)));

  chmodSync(join(repo.dir, '.git/hooks/pre-push'), 0o644);
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ atoms: { secrets: { level: 'loud' } } }) });
  r = repo.cli(['doctor'], { env });
  assert.is(r.code, 1);
  assert.match(
    r.stdout,
    /fail\s+pre-push: \.git\/hooks\/pre-push is not executable, so git skips it\n\s+fix: chmod \+x \.git\/hooks\/pre-push/,
  );
  assert.match(
    r.stdout,
    /fail\s+policy is invalid:\n\s+\.ralphrc\.json: atoms\.secrets\.level: expected one of "block", "warn", "review", "off"/,
  );
});

test('husky: the hooks are traced through .husky/; a missing core.hooksPath fails; the binary and Claude hooks are checked', () => {
  const repo = makeRepo();
  repo.write('package.json', JSON.stringify({ name: 'app' }));
  repo.write('node_modules/.bin/ralph-guard', SHIM, 0o755);
  assert.is(repo.cli(['init', '--agent', 'claude']).code, 0);
  let r = repo.cli(['doctor']);
  assert.is(r.code, 0, r.stdout);
  assert.match(
    r.stdout,
    /ok\s+pre-commit: husky 9 runs `ralph-guard check --staged` \(\.husky\/pre-commit\); the command starts \(tried with --dry-run\)/,
  );
  assert.match(r.stdout, /ok\s+hooks run node_modules\/\.bin\/ralph-guard/);
  assert.match(
    r.stdout,
    /ok\s+Claude Code hooks: PostToolUse \(edits\), Stop and PreToolUse \(Bash, edits\) are set up/,
  );

  repo.git('config', '--unset', 'core.hooksPath');
  repo.write('.husky/pre-push', 'npm test\n');
  r = repo.cli(['doctor']);
  assert.is(r.code, 1);
  assert.match(
    r.stdout,
    /fail\s+husky is used but core.hooksPath is not set: git does not run \.husky\/ hooks\n\s+fix: npm install/,
  );
  repo.git('config', 'core.hooksPath', '.husky/_');
  r = repo.cli(['doctor']);
  assert.match(r.stdout, /fail\s+pre-push: \.husky\/_\/pre-push does not run ralph-guard/);
});

test.run();
