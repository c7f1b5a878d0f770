// Examples are the tests: every bad example of every atom is flagged on its
// marked lines, every good one is silent, and every atom has both kinds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { BUILTIN_IDS } from '../src/atoms/index.js';
import { assertBadExample, assertGoodExample } from './helpers/examples.js';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

for (const atom of BUILTIN_ATOMS) {
  test(`${atom.id}: is complete`, () => {
    assert.ok(KEBAB.test(atom.id), 'kebab-case id');
    assert.ok(atom.title && atom.criteria.pass && atom.criteria.fail, 'title and criteria');
    assert.ok(atom.examples.bad.length >= 1, 'at least one bad example');
    assert.ok(atom.examples.good.length >= 1, 'at least one good example');
    for (const [name, rule] of Object.entries(atom.rules)) {
      assert.ok(KEBAB.test(name), `rule name ${name} is kebab-case`);
      assert.ok(rule.message && rule.fix, `rule ${name} has a message and a fix`);
    }
  });

  atom.examples.bad.forEach((example, i) => {
    test(`${atom.id}: bad example ${i + 1} (${example.file}) is flagged on its marked lines`, () =>
      assertBadExample(atom, example));
  });

  atom.examples.good.forEach((example, i) => {
    test(`${atom.id}: good example ${i + 1} (${example.file}) passes`, () => assertGoodExample(atom, example));
  });
}

test('atom ids are unique, and each registry line loads the atom of its name', () => {
  const ids = BUILTIN_ATOMS.map((a) => a.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(ids, [...BUILTIN_IDS]);
});

test.run();
