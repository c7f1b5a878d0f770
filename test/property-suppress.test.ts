// Suppression comments (src/filter.ts): parsed exactly as the documented syntax says, on the line
// or the line above only, for the named atom or rule only, in linear time on any line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sourceFile } from '../src/engine/source-file.js';
import { parseSuppression, suppressionFor } from '../src/suppressions.js';
import { check, fc, timed } from './helpers/property.js';

/** The syntax as one regular expression (the parser's first form): the reference on short lines, where its backtracking is harmless. */
// ralph-guard-ignore redos -- run only on short generated lines, as the reference for the linear parser
const REFERENCE = /ralph-guard-ignore\s+([\w\-/]+(?:\s*,\s*[\w\-/]+)*)(?:\s+--\s*(.*?))?\s*(?:\*\/|-->)?\s*$/;
function reference(line: string) {
  const m = REFERENCE.exec(line);
  if (!m) return null;
  const reason = m[2]?.trim();
  return { targets: m[1]!.split(',').map((t) => t.trim()), ...(reason ? { reason } : {}) };
}

const id = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(?:-[a-z0-9]{1,6}){0,2}$/);
const target = fc.tuple(id, fc.option(id, { nil: undefined })).map(([atom, rule]) => (rule ? `${atom}/${rule}` : atom));
const space = fc.constantFrom(' ', '  ', '\t', ' \t ');
const reasonText = fc.string({ unit: fc.constantFrom(...'abc -/*>!,#\t'.split('')), maxLength: 20 });
const COMMENTS: Array<[string, string]> = [
  ['// ', ''],
  ['# ', ''],
  ['/* ', ' */'],
  ['<!-- ', ' -->'],
  ['-- ', ''],
  ['/*', '*/'],
  ['<!--', '-->'],
];

test('a written directive parses back to its targets and reason, in any comment style', () => {
  check(
    fc.property(
      fc.string({ maxLength: 20 }).filter((s) => !s.includes('ralph-guard-ignore') && !/[\r\n]/.test(s)),
      fc.constantFrom(...COMMENTS),
      fc.array(target, { minLength: 1, maxLength: 4 }),
      fc.constantFrom(',', ', ', ' , '),
      fc.option(reasonText, { nil: undefined }),
      space,
      (code, [open, close], targets, comma, reason, gap) => {
        const line = `${code}${open}ralph-guard-ignore${gap}${targets.join(comma)}${reason === undefined ? '' : ` -- ${reason}`}${close}`;
        const parsed = parseSuppression(line);
        assert.ok(parsed, line);
        assert.equal(parsed!.targets, targets, line);
        // The reason loses surrounding blanks, and the comment's own closing marker when the reason ends like one.
        const expected = reason === undefined ? undefined : reference(line)?.reason;
        assert.is(parsed!.reason, expected, line);
        if (reason !== undefined && reason.trim() && !/(\*\/|-->)\s*$/.test(reason) && close === '')
          assert.is(parsed!.reason, reason.trim(), line);
      },
    ),
    1000,
  );
});

test('on any short line, the parser agrees with the syntax written as a regex', () => {
  const piece = fc.constantFrom(
    'ralph-guard-ignore',
    ' ',
    '\t',
    ',',
    '--',
    '-',
    '/',
    '*/',
    '-->',
    '*',
    '>',
    'a',
    'sql-injection',
    'x/y',
    '#',
    '//',
    '<!--',
    '!',
    'é',
  );
  check(
    fc.property(
      fc.array(piece, { maxLength: 14 }).map((p) => p.join('')),
      (line) => {
        assert.equal(parseSuppression(line), reference(line), JSON.stringify(line));
      },
    ),
    3000,
  );
});

test('parsing takes linear time on long lines built to make a backtracking parser work', () => {
  const n = 100_000;
  for (const line of [
    '// ralph-guard-ignore x -- a' + ' '.repeat(n) + 'b',
    '// ralph-guard-ignore x' + ','.repeat(n),
    '// ralph-guard-ignore ' + 'a,'.repeat(n / 2) + '!',
    '// ralph-guard-ignore ' + 'a '.repeat(n / 2) + '!',
    '// ralph-guard-ignore a' + ' ,a'.repeat(n / 3) + ' !',
    '// ralph-guard-ignore x --' + ' -- '.repeat(n / 4) + 'b',
    'ralph-guard-ignore '.repeat(n / 19) + '!',
    '/* ralph-guard-ignore x ' + '*/'.repeat(n / 2) + ' !',
  ]) {
    const { ms } = timed(() => parseSuppression(line));
    // A backtracking parse of these 100 kB lines takes minutes; 1 s leaves room for a loaded machine (109 ms seen at load 8).
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms on ${JSON.stringify(line.slice(0, 40))}…`);
  }
});

test('a directive covers its own line and the next, for the named atom or rule only', () => {
  check(
    fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 8 }),
      fc.constantFrom(
        'sql-injection',
        'sql-injection/concatenated-query',
        'sql-injection/other-rule',
        'sql',
        'xss',
        'sql-injection-x',
        'xss, sql-injection',
      ),
      (directiveLine, findingLine, targets) => {
        const lines = Array.from({ length: 8 }, (_, i) => `const v${i} = ${i};`);
        lines[directiveLine - 1] += ` // ralph-guard-ignore ${targets} -- reviewed`;
        const file = sourceFile({ path: 'a.js', allAdded: true, added: [] }, lines.join('\n') + '\n');
        const covered = suppressionFor(file, 'sql-injection/concatenated-query', findingLine) !== null;
        const near = findingLine === directiveLine || findingLine === directiveLine + 1;
        const names = ['sql-injection', 'sql-injection/concatenated-query', 'xss, sql-injection'].includes(targets);
        assert.is(
          covered,
          near && names,
          `directive "${targets}" on line ${directiveLine}, finding on line ${findingLine}`,
        );
      },
    ),
    300,
  );
});

test.run();
