// `npm run new-atom -- <id>` scaffolds an atom and registers it, and the examples harness fails on it until
// its examples are real. Run on a copy of src/ in a temporary directory, never on this checkout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scaffoldAtom } from '../scripts/new-atom.js';
import type { AnyAtom } from '../src/kit/atom.js';
import { assertBadExample, assertGoodExample } from './helpers/examples.js';
import { tempDir } from './helpers/repo.js';

const ROOT = resolve(import.meta.dirname, '..');

test('the scaffold writes a complete atom, registers it, and the harness fails on its stubs', async () => {
  const dir = tempDir('new-atom-');
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  const file = scaffoldAtom(dir, 'open-sesame');
  assert.match(
    readFileSync(join(dir, 'src/atoms/index.ts'), 'utf8'),
    "'open-sesame': () => import('./open-sesame.js'),",
  );

  const { loadAtom, BUILTIN_IDS } = await import(pathToFileURL(join(dir, 'src/atoms/index.ts')).href);
  assert.ok(BUILTIN_IDS.includes('open-sesame'));
  const atom: AnyAtom = (await import(pathToFileURL(file).href)).default;
  assert.is((await loadAtom('open-sesame')).id, 'open-sesame');
  assert.ok(atom.criteria.pass && atom.criteria.fail && Object.keys(atom.rules).length === 1);
  assert.is(atom.examples.bad.length, 6);
  assert.is(atom.examples.good.length, 6);

  let failed = 0;
  for (const example of atom.examples.bad) await assertBadExample(atom, example).catch(() => failed++);
  assert.is(failed, 6, 'every bad stub fails the harness');
  for (const example of atom.examples.good) await assertGoodExample(atom, example); // the good stubs alone would pass

  assert.throws(() => scaffoldAtom(dir, 'open-sesame'), /exists already/);
  assert.throws(() => scaffoldAtom(dir, 'Open_Sesame'), /kebab-case/);
});

test.run();
