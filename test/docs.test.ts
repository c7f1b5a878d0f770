// The README's atom table and rule list are generated from the registry: they must be current.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { render } from '../scripts/docs.js';
import { makeRepo } from './helpers/repo.js';

test('README.md is up to date with the atoms (run `npm run docs`)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.ok(render(readme) === readme, 'README.md is stale: run `npm run docs`');
});

test('README.md shows the two set-up commands', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.match(readme, 'npm ci && npm run demo');
  assert.match(readme, 'npm test');
});

test('.ralphrc.example is a valid policy', () => {
  const repo = makeRepo();
  repo.write('.ralphrc.yaml', readFileSync(new URL('../.ralphrc.example', import.meta.url), 'utf8'));
  const r = repo.cli(['check', '--all']);
  assert.is(r.code, 0, r.stderr);
});

test.run();
