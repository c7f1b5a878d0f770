// Inline suppressions: `ralph-guard-ignore <atom>[/<rule>] -- <reason>` on the line or the line above.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSuppression } from '../src/suppressions.js';
import { join } from '../src/kit/samples.js';
import { makeRepo } from './helpers/repo.js';
import { md5Line, sqlLine } from './helpers/samples.js';

test('parses atoms, rules, lists and reasons in any comment style', () => {
  assert.equal(parseSuppression('x(); // ralph-guard-ignore sql-injection -- table name from an allow-list'), {
    targets: ['sql-injection'],
    reason: 'table name from an allow-list',
  });
  assert.equal(parseSuppression('# ralph-guard-ignore secrets/hardcoded-credential, tls -- test fixture'), {
    targets: ['secrets/hardcoded-credential', 'tls'],
    reason: 'test fixture',
  });
  assert.equal(parseSuppression('/* ralph-guard-ignore xss */'), { targets: ['xss'] });
  assert.equal(parseSuppression('<!-- ralph-guard-ignore xss -- sanitised upstream -->'), {
    targets: ['xss'],
    reason: 'sanitised upstream',
  });
  assert.is(parseSuppression('// ralph-guard is great'), null);
});

test('suppressed findings are dropped, counted, and only for the named atom or rule', () => {
  const repo = makeRepo();
  repo.write(
    'src/a.js',
    [
      sqlLine.trim() + ' // ralph-guard-ignore sql-injection -- ids are UUIDs validated upstream',
      '// ralph-guard-ignore password-hashing/fast-hash -- legacy import, migrating in #123',
      md5Line.trim(),
      sqlLine.trim() + ' // ralph-guard-ignore password-hashing -- wrong atom: still reported',
      '// ralph-guard-ignore sql-injection/concatenated-query -- wrong rule: still reported',
      sqlLine.trim(),
    ].join('\n') + '\n',
  );
  repo.stage();
  const r = repo.cli(['check', '--format', 'json']);
  const json = JSON.parse(r.stdout);
  assert.equal(
    json.findings.map((f: { line: number }) => f.line),
    [4, 6],
  );
  assert.is(json.summary.suppressed, 2);
  const pretty = repo.cli(['check']);
  assert.match(pretty.stdout, '2 suppressed');
});

test("the pretty report shows the exact comment to suppress with, in the file's comment syntax", () => {
  const repo = makeRepo();
  repo.write('src/a.js', sqlLine);
  const password = join('Zq8-', 'vT3!', 'pLw9');
  repo.write('conf/app.yaml', `database:\n  password: ${password}\n`);
  repo.stage();
  const r = repo.cli(['check']);
  assert.match(r.stdout, '// ralph-guard-ignore sql-injection/interpolated-query -- <reason>');
  assert.match(r.stdout, '# ralph-guard-ignore secrets/hardcoded-credential -- <reason>');
  assert.not.match(r.stdout, password);
});

test.run();
