// A staged check's first git commands start in the CLI entry, before the engine's code loads (src/git/early.ts):
// the check takes their results only for the very same command and directory, and reports what a check that
// asks git itself reports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { CLI, makeRepo, type Repo } from './helpers/repo.js';
import { cleanLine, md5Line, sqlLine } from './helpers/samples.js';

const EARLY_LISTING = 'git diff (started before the engine loaded)';
const EARLY_HINT = 'git diff-files (started before the engine loaded)';
const EARLY_BATCH = 'git cat-file (started before the engine loaded)';

/** A commit, then a staged change of every kind (modified, added, deleted, renamed) and an unstaged edit. */
function changedRepo(): Repo {
  const repo = makeRepo();
  repo.write('src/a.js', cleanLine);
  repo.write('src/gone.js', cleanLine);
  repo.write('src/old-name.js', `${cleanLine}export const keep = 1;\n`);
  repo.write('lib/untouched.js', cleanLine);
  repo.stage();
  repo.commit('base');
  repo.write('src/a.js', cleanLine + sqlLine);
  repo.write('src/new.js', md5Line);
  repo.git('rm', '-q', 'src/gone.js');
  repo.git('mv', 'src/old-name.js', 'src/new-name.js');
  repo.stage();
  repo.write('lib/untouched.js', cleanLine + sqlLine); // not staged: a hint, not a finding
  return repo;
}

const report = (stdout: string) => {
  const json = JSON.parse(stdout) as Record<string, unknown>;
  delete (json.summary as Record<string, unknown>).durationMs;
  return json;
};

test('a staged check takes the listing started early and reports what a check listing for itself reports', () => {
  const repo = changedRepo();
  const early = repo.cli(['check', '--staged', '--format', 'json'], { env: { RALPH_GUARD_TIMING: '1' } });
  assert.ok(early.stderr.includes(EARLY_LISTING), early.stderr);
  assert.ok(early.stderr.includes(EARLY_HINT), early.stderr);
  assert.ok(early.stderr.includes(EARLY_BATCH), early.stderr);
  // With a path the first commands differ (a pathspec): nothing is started early, git is asked as before.
  const late = repo.cli(['check', '--staged', '--format', 'json', '.'], { env: { RALPH_GUARD_TIMING: '1' } });
  assert.not.ok(late.stderr.includes('started before the engine loaded'), late.stderr);
  assert.is(early.code, 1);
  assert.equal(report(early.stdout), report(late.stdout));
  const findings = (report(early.stdout).findings as Array<{ file: string; rule: string }>).map((f) => f.file);
  assert.ok(findings.includes('src/a.js') && findings.includes('src/new.js'), findings.join());
  assert.match(early.stdout, 'lib/untouched.js', 'the unstaged edit is named in the hint');
});

test('from a subdirectory, the listing comes from the top level and the hint from where the check runs', () => {
  const repo = changedRepo();
  const r = repo.cli(['check', '--staged'], {
    cwd: `${repo.dir}/src`,
    env: { RALPH_GUARD_TIMING: '1', NO_COLOR: '1' },
  });
  assert.ok(r.stderr.includes(EARLY_LISTING) && r.stderr.includes(EARLY_HINT), r.stderr);
  assert.match(r.stdout, 'src/a.js');
  assert.match(r.stdout, 'lib/untouched.js');
});

test('a check that stops before it reads anything still ends: the early cat-file nobody took is closed', () => {
  const repo = changedRepo();
  const r = spawnSync(process.execPath, [CLI, 'check', '--staged', '--format', 'bogus'], {
    cwd: repo.dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.is(r.status, 2, `${r.signal ?? ''} ${r.stderr}`);
  assert.match(r.stderr, '--format bogus');
});

test('nothing is started early for another mode, paths, or an option that is not known to leave git alone', () => {
  const repo = changedRepo();
  for (const args of [['--all'], ['--worktree'], ['--staged', 'src/a.js'], ['--staged', '--config', 'x.json']]) {
    const r = repo.cli(['check', ...args], { env: { RALPH_GUARD_TIMING: '1' } });
    assert.not.ok(r.stderr.includes('started before the engine loaded'), `${args.join(' ')}: ${r.stderr}`);
  }
});

test.run();
