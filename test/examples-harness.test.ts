// The examples harness can fail: for every atom, a check that flags every line must fail one of its good
// examples, and a check that flags nothing must fail its bad examples (run in-process on mutated atoms).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import type { AnyAtom, Hit } from '../src/kit/atom.js';
import { assertBadExample, assertGoodExample } from './helpers/examples.js';

async function failures(atom: AnyAtom, examples: AnyAtom['examples']['bad'], run: typeof assertBadExample) {
  let failed = 0;
  for (const example of examples) await run(atom, example).catch(() => failed++);
  return failed;
}

for (const atom of BUILTIN_ATOMS) {
  const rule = Object.keys(atom.rules)[0]!;
  test(`${atom.id}: a check that flags every line fails a good example`, async () => {
    const everything: AnyAtom = {
      ...atom,
      check: (file) => file.lines().map((_, i): Hit => ({ rule, line: i + 1, column: 1 })),
    };
    assert.ok(await failures(everything, atom.examples.good, assertGoodExample), 'some good example fails');
  });
  test(`${atom.id}: a check that flags nothing fails every bad example`, async () => {
    const nothing: AnyAtom = { ...atom, check: () => [] };
    assert.is(await failures(nothing, atom.examples.bad, assertBadExample), atom.examples.bad.length);
  });
}

test.run();
