// Baselines: today's findings stop blocking, new ones (even identical copies) still block.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commitPolicy, makeRepo } from './helpers/repo.js';
import { awsKeyId, awsLine, cleanLine, md5Line, sqlLine } from './helpers/samples.js';

const legacy = () => '// legacy module\n' + awsLine() + sqlLine + 'export const x = 1;\n';

function adopted() {
  const repo = makeRepo();
  repo.write('src/legacy.js', legacy());
  repo.write('src/hash.js', md5Line);
  repo.stage();
  repo.commit('legacy code');
  const r = repo.cli(['baseline']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, '3 finding(s) recorded in .ralph-baseline.json');
  // The baseline that counts is the committed one (a change cannot accept its own findings).
  commitPolicy(repo, { '.ralph-baseline.json': repo.read('.ralph-baseline.json') }, 'baseline');
  return repo;
}

const json = (r: { stdout: string }) =>
  JSON.parse(r.stdout) as {
    findings: Array<{ rule: string; file: string; line: number }>;
    summary: { suppressed: number; blocked: boolean };
  };

test('baseline records fingerprints only; check --all then passes and counts them as suppressed', () => {
  const repo = adopted();
  const text = repo.read('.ralph-baseline.json');
  const data = JSON.parse(text);
  assert.is(data.version, 1);
  assert.is(data.findings.length, 3);
  for (const entry of data.findings) {
    assert.equal(Object.keys(entry).sort(), ['file', 'fingerprint', 'rule']);
    assert.match(entry.fingerprint, /^[0-9a-f]{32}:\d+$/);
  }
  assert.not.match(text, awsKeyId(), 'no secret value');
  assert.not.match(text, awsKeyId().slice(4, 12), 'not even part of it');
  assert.not.match(text, 'SELECT', 'no line text');
  const all = repo.cli(['check', '--all', '--format', 'json']);
  assert.is(all.code, 0, all.stdout);
  assert.is(json(all).summary.suppressed, 3);
  assert.match(repo.cli(['check', '--all']).stdout, '3 suppressed');
  const everything = repo.cli(['check', '--all', '--no-baseline', '--format', 'json']);
  assert.is(everything.code, 1);
  assert.is(json(everything).findings.length, 3);
});

test('it survives edits elsewhere in the file and re-indentation of the accepted line', () => {
  const repo = adopted();
  repo.write(
    'src/legacy.js',
    'import db from "./db.js";\n\n' + legacy().replace(sqlLine, '    ' + sqlLine) + cleanLine,
  );
  repo.stage();
  const staged = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(staged.code, 0, staged.stdout);
  assert.is(json(staged).summary.suppressed, 1, 'the re-indented line is added, and accepted');
  const all = repo.cli(['check', '--all', '--format', 'json']);
  assert.is(all.code, 0, all.stdout);
  assert.is(json(all).summary.suppressed, 3);
});

test('a second identical bad line still blocks, in staged and --all mode, before or after the accepted one', () => {
  for (const content of ['// a\n' + md5Line + '// b\n' + md5Line, md5Line + '// a\n' + md5Line + '// b\n']) {
    const repo = adopted();
    repo.write('src/hash.js', content);
    repo.stage();
    const staged = repo.cli(['check', '--staged', '--format', 'json']);
    assert.is(staged.code, 1, staged.stdout);
    assert.equal(
      json(staged).findings.map((f) => f.rule),
      ['password-hashing/fast-hash'],
    );
    const all = repo.cli(['check', '--all', '--format', 'json']);
    assert.is(all.code, 1);
    assert.is(json(all).findings.length, 1);
    assert.is(json(all).summary.suppressed, 3);
  }
  // The same text in another file is another finding.
  const repo = adopted();
  repo.write('src/other.js', md5Line);
  repo.stage();
  assert.is(repo.cli(['check', '--staged']).code, 1);
});

test('baseline --prune drops fixed findings and records nothing new; a plain baseline re-records', () => {
  const repo = adopted();
  repo.write('src/hash.js', cleanLine);
  repo.write('src/new.js', sqlLine);
  repo.stage();
  repo.commit('fix md5, add new sql');
  const prune = repo.cli(['baseline', '--prune']);
  assert.is(prune.code, 0, prune.stderr);
  assert.match(prune.stdout, 'dropped 1 fixed finding(s); 2 remain');
  assert.is(JSON.parse(repo.read('.ralph-baseline.json')).findings.length, 2);
  assert.is(repo.cli(['check', '--all']).code, 1, 'the new finding still blocks');
  const again = repo.cli(['baseline']);
  assert.match(again.stdout, '3 finding(s) recorded in .ralph-baseline.json (1 new, 0 gone)');
  assert.is(repo.cli(['check', '--all']).code, 1, 'until the grown baseline is committed');
  commitPolicy(repo, { '.ralph-baseline.json': repo.read('.ralph-baseline.json') }, 'baseline');
  assert.is(repo.cli(['check', '--all']).code, 0);
});

test('an invalid baseline is a usage error naming the file; the policy can move it', () => {
  const repo = adopted();
  commitPolicy(repo, { '.ralph-baseline.json': '{ nope' });
  const r = repo.cli(['check', '--all']);
  assert.is(r.code, 2);
  assert.match(r.stderr, '.ralph-baseline.json: not valid JSON');
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ baseline: 'config/accepted.json' }), 'config/.keep': '' });
  assert.is(repo.cli(['baseline']).code, 0);
  assert.is(JSON.parse(repo.read('config/accepted.json')).findings.length, 3);
  commitPolicy(repo, { 'config/accepted.json': repo.read('config/accepted.json') }, 'baseline');
  assert.is(repo.cli(['check', '--all']).code, 0);
});

test.run();
