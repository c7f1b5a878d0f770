// The reporter registry (src/report/index.ts): every format it lists loads, renders a report with the one
// signature, and is what `check --format` accepts and the help lists.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../src/findings.js';
import { FORMAT_NAMES, REPORTERS } from '../src/report/index.js';
import { makeRepo } from './helpers/repo.js';

const empty: Report = {
  findings: [],
  suppressed: [],
  failures: [],
  notes: [],
  summary: { mode: 'staged', files: 0, atoms: 0, blocked: false, suppressed: 0, durationMs: 0 },
  atoms: [],
};

test('every registered format renders a report through the one signature', async () => {
  for (const [name, entry] of Object.entries(REPORTERS)) {
    const format = await entry.load();
    const text = format(empty, { color: false, outcome: 'Commit refused' });
    assert.type(text, 'string', name);
    assert.ok(text.length > 0, `${name} prints something for an empty report`);
  }
});

test('check --format takes exactly the registered names, and the help lists them', () => {
  const repo = makeRepo();
  const help = repo.cli(['--help']);
  for (const name of FORMAT_NAMES) assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'));
  const wrong = repo.cli(['check', '--format', 'xml']);
  assert.is(wrong.code, 2);
  assert.match(wrong.stderr, `expected one of ${FORMAT_NAMES.join(', ')}`);
});

test.run();
