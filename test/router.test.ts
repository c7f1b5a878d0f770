// Keyword routing (src/router.ts): the one-pass search over a file's text picks exactly the atoms
// that asking `includes` for every keyword picks — overlapping keywords, keywords inside others,
// regex characters, one-character keywords and the built-in atoms' own keywords.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { activate, headerOf, routeByKeywords, type ActiveAtom } from '../src/router.js';
import { check, fc } from './helpers/property.js';

function atomWith(id: string, keywords: string[]): ActiveAtom {
  return activate(
    { id, defaultLevel: 'block', files: ['**'], keywords, checksSkipped: false },
    async () => {
      throw new Error('not loaded here');
    },
    'block',
    {},
    undefined,
    [],
  );
}

/** The definition: an atom is routed when its text holds one of its keywords, case aside. */
function byIncludes(atoms: readonly ActiveAtom[], text: string): string[] {
  const lower = text.toLowerCase();
  return atoms.filter((a) => a.keywords.length === 0 || a.keywords.some((k) => lower.includes(k))).map((a) => a.id);
}

const routed = (atoms: readonly ActiveAtom[], text: string) => routeByKeywords(atoms, text).map((a) => a.id);

test('random keywords over a small alphabet (so they overlap and nest) route as includes does', () => {
  const word = fc.stringMatching(/^[abAB.(*\\]{1,4}$/);
  check(
    fc.property(
      fc.array(fc.array(word, { maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      fc.stringMatching(/^[abAB.(*\\ ]{0,40}$/),
      (keywordLists, text) => {
        const atoms = keywordLists.map((keywords, i) => atomWith(`a${i}`, keywords));
        assert.equal(routed(atoms, text), byIncludes(atoms, text));
        // A file routed to part of the atoms only (another set of keywords searched).
        assert.equal(routed(atoms.slice(1), text), byIncludes(atoms.slice(1), text));
      },
    ),
    500,
  );
});

test("the built-in atoms' keywords, on text holding one keyword inside another and each keyword alone", () => {
  const atoms = BUILTIN_ATOMS.map((a) => activate(headerOf(a), async () => a, 'block', {}, undefined, []));
  const keywords = [...new Set(atoms.flatMap((a) => a.keywords))];
  assert.ok(keywords.length > 100);
  for (const k of keywords) {
    // Alone, upper-cased, and as the tail of a longer word that starts like another keyword.
    for (const text of [k, k.toUpperCase(), `x${k}y`, `child_${k}`, `require${k}`]) {
      const want = byIncludes(atoms, text);
      assert.equal(routed(atoms, text), want, JSON.stringify(text));
    }
  }
  assert.equal(
    routed(atoms, 'const { exec } = require("child_process");'),
    byIncludes(atoms, 'const { exec } = require("child_process");'),
  );
  assert.ok(routed(atoms, 'import cp from "child_process"').includes('command-injection'));
  assert.not.ok(routed(atoms, 'const x = 1;').includes('command-injection'));
});

test.run();
