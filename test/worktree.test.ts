// --worktree (the assistant's view): tracked changes against HEAD, staged or not, plus
// untracked files that are not ignored, all read from disk; nothing in git changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo } from './helpers/repo.js';
import { awsLine, cleanLine, md5Line, sqlLine } from './helpers/samples.js';

const where = (stdout: string) =>
  (JSON.parse(stdout).findings as Array<{ file: string; line: number }>).map((f) => `${f.file}:${f.line}`).sort();

test('before the first commit every file on disk that is not ignored is checked', () => {
  const repo = makeRepo();
  repo.write('.gitignore', 'secret.js\n');
  repo.write('a.js', sqlLine);
  repo.write('secret.js', awsLine());
  repo.write('staged.js', md5Line);
  repo.stage('staged.js');
  const r = repo.cli(['check', '--worktree', '--format', 'json']);
  assert.is(r.code, 1, r.stderr);
  assert.equal(where(r.stdout), ['a.js:1', 'staged.js:1']);
});

test('tracked files: only lines changed against HEAD, whether staged or not, as they are on disk', () => {
  const repo = makeRepo();
  repo.write('a.js', sqlLine + cleanLine);
  repo.write('b.js', cleanLine);
  repo.write('gone.js', md5Line);
  repo.write('old.js', cleanLine + '\n'.repeat(6) + 'export const z = 0;\n');
  repo.stage();
  repo.commit('base');
  repo.write('a.js', sqlLine + cleanLine + md5Line); // old SQL line untouched, MD5 added, unstaged
  repo.write('b.js', cleanLine + awsLine()); // staged, then fixed on disk
  repo.stage('b.js');
  repo.write('b.js', cleanLine + 'export const key = process.env.KEY;\n');
  repo.git('rm', '-q', '--cached', 'gone.js');
  repo.git('mv', 'old.js', 'renamed.js');
  repo.write('renamed.js', cleanLine + '\n'.repeat(6) + sqlLine);
  symlinkSync('/etc/hostname', join(repo.dir, 'link.js'));
  const before = repo.snapshot();
  const r = repo.cli(['check', '--worktree', '--format', 'json']);
  assert.is(r.code, 1, r.stderr);
  assert.equal(where(r.stdout), ['a.js:3', 'gone.js:1', 'renamed.js:8']);
  assert.ok((JSON.parse(r.stdout).notes as string[]).some((n) => n.startsWith('link.js: symlink')));
  assert.is(repo.snapshot(), before, 'nothing in git changed');
  const narrowed = repo.cli(['check', '--worktree', '--format', 'json', 'a.js']);
  assert.equal(where(narrowed.stdout), ['a.js:3']);
});

test.run();
