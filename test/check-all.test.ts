// `check --all` judges every tracked file as it is on disk (the user's view); `--all --index` as staged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo } from './helpers/repo.js';
import { awsKeyId, awsLine, cleanLine, sqlLine } from './helpers/samples.js';

const files = (r: { stdout: string }) =>
  (JSON.parse(r.stdout).findings as Array<{ file: string; atom: string }>).map((f) => `${f.file} ${f.atom}`);

/** A committed clean file, then a key saved to it but not `git add`ed. */
function savedNotStaged() {
  const repo = makeRepo();
  repo.write('src/config.js', cleanLine);
  repo.write('src/other.js', cleanLine);
  repo.stage();
  repo.commit('base');
  repo.write('src/config.js', cleanLine + awsLine());
  return repo;
}

test('--all finds a key saved but not staged, with or without a path', () => {
  const repo = savedNotStaged();
  for (const args of [['--all'], ['--all', 'src/config.js']]) {
    const r = repo.cli(['check', ...args, '--format', 'json']);
    assert.is(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(files(r), ['src/config.js secrets']);
    assert.not.match(r.stdout, awsKeyId());
  }
  const pretty = repo.cli(['check', '--all']);
  assert.is(pretty.code, 1);
  assert.match(pretty.stdout, 'src/config.js:2:');
});

test('--all --index keeps judging what is staged', () => {
  const repo = savedNotStaged();
  const r = repo.cli(['check', '--all', '--index', '--format', 'json']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  repo.stage('src/config.js');
  repo.write('src/config.js', cleanLine);
  const staged = repo.cli(['check', '--all', '--index', '--format', 'json']);
  assert.equal(files(staged), ['src/config.js secrets'], 'the staged key, though the disk is clean');
  assert.equal(files(repo.cli(['check', '--all', '--format', 'json'])), [], 'on disk it is clean');
});

test('--all on disk skips a tracked file deleted from disk and reads new content of others', () => {
  const repo = savedNotStaged();
  rmSync(join(repo.dir, 'src/other.js'));
  repo.write('src/config.js', sqlLine);
  const r = repo.cli(['check', '--all', '--format', 'json']);
  assert.equal(files(r), ['src/config.js sql-injection']);
  assert.is(JSON.parse(r.stdout).summary.files, 1);
});

test.run();
