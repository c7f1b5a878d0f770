// Custom `command` checks: a program from the policy, run in the root with the changed
// files as arguments (never seen by a shell), a timeout, and findings located from its output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitPolicy, makeRepo, type Repo } from './helpers/repo.js';
import { awsKeyId, cleanLine } from './helpers/samples.js';

/** A repository whose policy has one custom atom with the given command check. */
function withCommand(check: Record<string, unknown>, extra: Record<string, unknown> = {}): Repo {
  const repo = makeRepo();
  commitPolicy(repo, {
    '.ralphrc.json': JSON.stringify({
      ...extra,
      atoms: {
        'no-fixme': {
          title: 'No FIXME left',
          criteria: { pass: 'No FIXME in the code.', fail: 'A FIXME is left in the code.' },
          files: ['src/**/*.js'],
          checks: [{ type: 'command', name: 'fixme-scan', ...check }],
        },
      },
    }),
  });
  // Records its arguments, then reports FIXMEs as file:line: text, like a linter.
  repo.write(
    'tools/fixme.sh',
    [
      '#!/bin/sh',
      'for f in "$@"; do printf "%s\\n" "$f" >> args.log; done',
      'status=0',
      'for f in "$@"; do',
      '  if grep -n FIXME "$f" | sed "s|^|$f:|" | grep .; then status=1; fi',
      'done',
      'exit $status',
    ].join('\n') + '\n',
    0o755,
  );
  repo.write('.gitignore', 'args.log\n');
  return repo;
}

const json = (r: { stdout: string }) =>
  JSON.parse(r.stdout) as {
    findings: Array<{ rule: string; file: string; line: number; column: number; message: string }>;
    errors: Array<{ atom: string; message: string }>;
    summary: { blocked: boolean; suppressed: number };
  };

test('a failing program fails the atom; findings are placed where its output says; names reach it intact and unexpanded', () => {
  const repo = withCommand({ command: 'sh tools/fixme.sh' });
  const names = ['src/ok.js', 'src/with space.js', 'src/$(touch pwned).js', "src/it's.js", 'src/-dash.js'];
  for (const n of names) repo.write(n, cleanLine);
  repo.write('src/todo.js', cleanLine + '// FIXME: validate input\n');
  repo.write('docs/notes.md', "FIXME outside the atom's files\n");
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 1, r.stderr);
  const out = json(r);
  assert.equal(
    out.findings.map((f) => [f.rule, f.file, f.line]),
    [['no-fixme/fixme-scan', 'src/todo.js', 2]],
  );
  assert.match(out.findings[0]!.message, 'sh: src/todo.js:2:// FIXME: validate input');
  const args = readFileSync(join(repo.dir, 'args.log'), 'utf8').trim().split('\n').sort();
  assert.equal(args, [...names, 'src/todo.js'].sort(), 'each name arrives as one argument, exactly');
  assert.not.ok(existsSync(join(repo.dir, 'pwned')), 'no shell expanded a file name');
});

test('a clean run passes; no routed file means the program does not run', () => {
  const repo = withCommand({ command: 'sh tools/fixme.sh' });
  repo.write('src/a.js', cleanLine);
  repo.stage();
  assert.is(repo.cli(['check', '--staged']).code, 0);
  const other = withCommand({ command: 'sh tools/fixme.sh' });
  other.write('README.md', 'FIXME\n');
  other.stage();
  assert.is(other.cli(['check', '--staged']).code, 0);
  assert.not.ok(existsSync(join(other.dir, 'args.log')), 'not run');
});

test("output that names no file: one finding at the first file's first added line, output cut, secrets masked", () => {
  const key = awsKeyId(7);
  const repo = withCommand({ command: 'cat tools/report.txt; exit 3 #', message: 'The scan failed.' });
  repo.write(
    'tools/report.txt',
    Array.from({ length: 200 }, (_, i) => `problem ${i + 1}\n`).join('') + `token ${key}\n`,
  );
  repo.write('src/a.js', cleanLine);
  repo.stage();
  repo.commit('a');
  repo.write('src/a.js', cleanLine + 'export const b = 2;\n');
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 1);
  const [f] = json(r).findings;
  assert.equal([f!.file, f!.line], ['src/a.js', 2]);
  assert.match(f!.message, 'exited with code 3:\nproblem 1\n');
  assert.match(f!.message, /… \d+ more lines …/);
  assert.ok(f!.message.length < 2100);
  assert.not.match(r.stdout, key, 'masked');
});

test('a missing program is an error of the check (hooks let it through unless failClosed); a timeout blocks as an analysis error', () => {
  const missing = withCommand({ command: 'definitely-not-a-program-ralph' });
  missing.write('src/a.js', cleanLine);
  missing.stage();
  let r = missing.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 0, 'a hook does not block on a broken tool');
  assert.match(json(r).errors[0]!.message, 'the program was not found or cannot run');
  assert.is(missing.cli(['check', '--all']).code, 3, 'CI does');

  // A program that ran out of time did not judge the change: its atom's analysis error blocks, never a pass.
  const started = Date.now();
  const slow = withCommand({ command: 'sleep 30 & wait; echo', timeoutMs: 500 });
  slow.write('src/a.js', cleanLine);
  slow.stage();
  r = slow.cli(['check', '--staged', '--format', 'json']);
  assert.ok(Date.now() - started < 10_000, 'stopped at the timeout, children included');
  assert.is(r.code, 1);
  assert.match(json(r).errors[0]!.message, 'ran out of its 0.5 s and was stopped');
  assert.equal(
    json(r).findings.map((f) => [f.rule, f.file]),
    [['no-fixme/analysis-error', 'src/a.js']],
  );
});

test('eslint-style grouped output is located too; an inline comment suppresses a located finding', () => {
  const repo = withCommand({
    command: `printf '%s\\n' "$PWD/src/a.js" '  2:7  error  Unsafe thing  security/detect-x' '  3:1  error  Another  security/detect-y' ''; exit 1`,
  });
  repo.write('src/a.js', 'const a = 1;\nconst b = 2;\nconst c = 3; // ralph-guard-ignore no-fixme -- reviewed\n');
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 1, r.stderr);
  const out = json(r);
  assert.equal(
    out.findings.map((f) => [f.file, f.line, f.column]),
    [['src/a.js', 2, 7]],
  );
  assert.match(out.findings[0]!.message, 'Unsafe thing');
  assert.is(out.summary.suppressed, 1);
});

test('the per-edit assistant hook skips command checks; the Stop hook runs them', () => {
  const repo = withCommand({ command: 'sh tools/fixme.sh' });
  repo.write('src/a.js', '// FIXME\n');
  const input = (event: string) =>
    JSON.stringify({
      session_id: 's',
      cwd: repo.dir,
      hook_event_name: event,
      tool_name: 'Write',
      tool_input: { file_path: join(repo.dir, 'src/a.js') },
      stop_hook_active: false,
    });
  assert.is(repo.cli(['hook', 'claude-post-edit'], { input: input('PostToolUse') }).code, 0);
  const stop = repo.cli(['hook', 'claude-stop'], { input: input('Stop') });
  assert.is(stop.code, 2);
  assert.match(stop.stderr, 'no-fixme');
});

test.run();
