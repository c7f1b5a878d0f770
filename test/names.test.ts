// File names git quotes or shells mangle: every mode, the pre-commit hook and
// custom command checks report them exactly, and no shell ever runs one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitPolicy, makeRepo, shimDir, type Repo } from './helpers/repo.js';
import { sqlLine } from './helpers/samples.js';

const NAMES = [
  'with space.js',
  'emoji😀"quoted".js',
  'ünïcödé-名前.js',
  'quote"d.js',
  "apos'trophe.js",
  'new\nline.js',
  'x\n y.js',
  '-leading-dash.js',
  '-rf.js',
  'tab\there.js',
  'back\\slash.js',
  'back\\n.js',
  '$(touch pwned).js',
  '`touch pwned2`.js',
  'a;touch pwned3.js',
  "'; touch pwned4; '.js",
  '"$(touch pwned5)".js',
];

/** Files named pwned* anywhere in the repository (.git included) or in the directory the tests run from: a shell ran a file name. */
function pwned(repo: Repo): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('pwned')) found.push(join(dir, entry.name));
      if (entry.isDirectory()) walk(join(dir, entry.name));
    }
  };
  walk(repo.dir);
  found.push(...readdirSync(process.cwd()).filter((n) => n.startsWith('pwned')));
  return found;
}

function repoWithNames() {
  const repo = makeRepo();
  for (const name of NAMES) repo.write(`src/${name}`, sqlLine);
  repo.stage();
  return repo;
}

const reported = (stdout: string) => (JSON.parse(stdout).findings as Array<{ file: string }>).map((f) => f.file).sort();
const expected = NAMES.map((n) => `src/${n}`).sort();

test('staged mode reports every weird name exactly', () => {
  const repo = repoWithNames();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 1, r.stderr);
  assert.equal(reported(r.stdout), expected);
  assert.equal(pwned(repo), []);
});

test('all, range and push modes report them too, and nothing runs a file name', () => {
  const repo = repoWithNames();
  const head = repo.commit('weird names');
  for (const args of [['--all'], ['--range', head], ['--push']]) {
    const r = repo.cli(['check', ...args, '--format', 'json'], {
      input: `refs/heads/main ${head} refs/heads/main ${'0'.repeat(40)}\n`,
    });
    assert.equal(reported(r.stdout), expected, args.join(' '));
  }
  assert.equal(pwned(repo), [], 'no shell ever saw a file name');
});

test('modified files with weird names get their added lines right', () => {
  const repo = makeRepo();
  for (const name of NAMES) repo.write(name, 'export const a = 1;\n');
  repo.stage();
  repo.commit('base');
  for (const name of NAMES) repo.write(name, 'export const a = 1;\n' + sqlLine);
  repo.stage();
  const r = repo.cli(['check', '--format', 'json']);
  const findings = JSON.parse(r.stdout).findings as Array<{ file: string; line: number }>;
  assert.equal(findings.map((f) => f.file).sort(), [...NAMES].sort());
  assert.ok(findings.every((f) => f.line === 2));
  assert.equal(pwned(repo), []);
});

test('the pre-commit hook in a real git commit names every file exactly and runs none', () => {
  const repo = makeRepo();
  assert.is(repo.cli(['init', '--hooks', 'git']).code, 0);
  // Ten at a time: the same finding in more files is one group that names ten places and counts the rest.
  for (const names of [NAMES.slice(0, 10), NAMES.slice(10)]) {
    for (const name of names) repo.write(name, sqlLine);
    repo.git('add', '--', ...names);
    const r = repo.tryGit(['commit', '-m', 'weird names'], {
      env: { ...process.env, PATH: `${shimDir()}:${process.env.PATH}` },
    });
    assert.is.not(r.code, 0, 'refused');
    const output = r.stdout + r.stderr;
    for (const name of names)
      assert.ok(output.includes(`\n  ${name}:1:`), `${JSON.stringify(name)} named in:\n${output}`);
    repo.git('rm', '-q', '--cached', '--', ...names);
  }
  assert.equal(pwned(repo), []);
});

test('a custom command check gets each name as one argument, unexpanded, and never as an option', () => {
  const repo = makeRepo();
  commitPolicy(repo, {
    '.ralphrc.json': JSON.stringify({
      atoms: {
        'no-select': {
          title: 'No SELECT',
          criteria: { pass: 'No SELECT in the code.', fail: 'A SELECT is in the code.' },
          files: ['**/*.js'],
          checks: [{ type: 'command', name: 'scan', command: 'sh tools/scan.sh' }],
        },
      },
    }),
  });
  // Records its arguments NUL-separated (names may hold newlines), then fails on any SELECT.
  repo.write(
    'tools/scan.sh',
    'printf "%s\\0" "$@" >> "$ARGS_LOG"\nstatus=0\nfor f in "$@"; do if grep -q SELECT "$f"; then status=1; fi; done\nexit $status\n',
  );
  for (const name of NAMES) repo.write(name, sqlLine);
  repo.stage();
  const log = join(repo.dir, '.git', 'args.log');
  for (const mode of ['--staged', '--all']) {
    const r = repo.cli(['check', mode, '--atoms', 'no-select', '--format', 'json'], { env: { ARGS_LOG: log } });
    assert.is(r.code, 1, `${mode}: ${r.stdout}${r.stderr}`);
    const args = readFileSync(log, 'utf8').split('\0').filter(Boolean);
    assert.equal(args.map((a) => a.replace(/^\.\//, '')).sort(), [...NAMES].sort(), `${mode}: each name arrives whole`);
    assert.ok(
      args.every((a) => !a.startsWith('-')),
      `${mode}: a name is never taken for an option: ${args.filter((a) => a.startsWith('-'))}`,
    );
    repo.write('.git/args.log', '');
  }
  assert.equal(pwned(repo), []);
});

test('a path given on the command line may start with a dash', () => {
  const repo = repoWithNames();
  const r = repo.cli(['check', '--format', 'json', '--', 'src/-leading-dash.js']);
  assert.equal(reported(r.stdout), ['src/-leading-dash.js']);
});

test('escape sequences in a file name or a line never reach the terminal raw', () => {
  const repo = makeRepo();
  const esc = String.fromCharCode(27);
  repo.write(`src/${esc}]0;owned${String.fromCharCode(7)}.js`, sqlLine.replace('SELECT', `${esc}[2J SELECT`));
  repo.stage();
  const r = repo.cli(['check', '--staged']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.not.ok(r.stdout.includes(esc) || r.stdout.includes(String.fromCharCode(7)), 'no raw control character');
  assert.match(r.stdout, 'src/\\x1b]0;owned\\x07.js:1:');
  assert.match(r.stdout, '\\x1b[2J SELECT');
});

test.run();
