// File names git quotes or shells mangle: every mode reports them exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeRepo } from './helpers/repo.js';
import { sqlLine } from './helpers/samples.js';

const NAMES = ['with space.js', 'emoji😀"quoted".js', 'ünïcödé-名前.js', 'quote"d.js', "apos'trophe.js", 'new\nline.js', '-leading-dash.js', 'tab\there.js', 'back\\slash.js', '$(touch pwned).js'];

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
});

test('all, range and push modes report them too, and nothing runs a file name', () => {
  const repo = repoWithNames();
  const head = repo.commit('weird names');
  for (const args of [['--all'], ['--range', head], ['--push']]) {
    const r = repo.cli(['check', ...args, '--format', 'json'], { input: `refs/heads/main ${head} refs/heads/main ${'0'.repeat(40)}\n` });
    assert.equal(reported(r.stdout), expected, args.join(' '));
  }
  assert.not.ok(repo.tryGit(['ls-files', '--others']).stdout.includes('pwned'), 'no shell ever saw a file name');
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
});

test('a path given on the command line may start with a dash', () => {
  const repo = repoWithNames();
  const r = repo.cli(['check', '--format', 'json', '--', 'src/-leading-dash.js']);
  assert.equal(reported(r.stdout), ['src/-leading-dash.js']);
});

test.run();
