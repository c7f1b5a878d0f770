// One line of a text without splitting it all (a modified lockfile's few added lines of 24,000) must be the
// line a split gives: `lineAt` as `text.split('\n')`, SourceFile.line as `lines()` (a \r before \n dropped).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lineAt, lineStarts, splitLines } from '../src/changeset/text.js';
import { sourceFile } from '../src/engine/source-file.js';
import { check, fc } from './helpers/property.js';

const text = fc.array(fc.constantFrom('a', 'bc', '\n', '\r', '\r\n', ' '), { maxLength: 30 }).map((p) => p.join(''));
const numbers = (count: number) => [-1, 0, 1.5, ...Array.from({ length: count + 2 }, (_, i) => i + 1)];

test('lineAt gives what text.split("\\n") gives, for every line number and outside them', () => {
  check(
    fc.property(text, (t) => {
      const split = t.split('\n');
      const starts = lineStarts(t);
      for (const n of numbers(split.length)) assert.is(lineAt(t, starts, n), split[n - 1], JSON.stringify({ t, n }));
    }),
    500,
  );
});

test('SourceFile.line(n) is lines()[n - 1], asked before the file was split and after', () => {
  check(
    fc.property(text, (t) => {
      const lines = splitLines(t);
      const file = sourceFile({ path: 'a.js', allAdded: false, added: [] }, t);
      for (const n of numbers(lines.length)) assert.is(file.line(n), lines[n - 1], JSON.stringify({ t, n }));
      file.lines();
      for (const n of numbers(lines.length)) assert.is(file.line(n), lines[n - 1], JSON.stringify({ t, n }));
    }),
    500,
  );
});

test.run();
