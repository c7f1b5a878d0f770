// Policy regexes (src/policy/linear-regex.ts): whatever the check accepts, a match attempt
// on a 50,000-character adversarial line takes time linear in its length.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkLinearRegex } from '../src/policy/linear-regex.js';
import { check, fc, runs, timed } from './helpers/property.js';

/** Regex sources over a small alphabet, so that adversarial lines are easy to build. */
const regexSource = fc.letrec<{ alt: string; seq: string; term: string; atom: string }>((tie) => ({
  alt: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('seq'),
    fc.tuple(tie('seq'), tie('seq')).map(([a, b]) => `${a}|${b}`),
  ),
  seq: fc.array(tie('term'), { minLength: 1, maxLength: 4 }).map((t) => t.join('')),
  term: fc.oneof(
    {
      arbitrary: fc
        .tuple(tie('atom'), fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?'))
        .map(([a, q]) => a + q),
      weight: 8,
    },
    { arbitrary: fc.constantFrom('\\b', '^', '$'), weight: 1 },
  ),
  atom: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('a', 'b', '=', ' ', '.', '\\w', '\\d', '\\s', '\\S', '[ab]', '[^a]', '[a-z]'),
    tie('alt').map((a) => `(?:${a})`),
    tie('alt').map((a) => `(${a})`),
  ),
}));

/** Lines that make a backtracking matcher work hardest: long runs of what the pattern loops on, then a character that breaks the match. */
const ADVERSARIAL = (n: number) => [
  'a'.repeat(n) + '!',
  'a'.repeat(n),
  'ab'.repeat(n / 2) + '!',
  ' '.repeat(n) + '!',
  'a='.repeat(n / 2) + '\n',
  ('a'.repeat(9) + ' ').repeat(n / 10) + '!',
  '='.repeat(n) + 'a',
  'b'.repeat(n) + '!',
  '0'.repeat(n) + '!',
  '_'.repeat(n) + ' ',
  'a b='.repeat(n / 4) + '!',
];

/** The slowest match attempt at the start of any adversarial line of length n, in ms. */
function worstAttempt(source: string, n: number): number {
  const sticky = new RegExp(source, 'y');
  let worst = 0;
  for (const line of ADVERSARIAL(n)) {
    sticky.lastIndex = 0;
    worst = Math.max(worst, timed(() => sticky.exec(line)).ms);
  }
  return worst;
}

test('every accepted regex matches in linear time at a position (50,000 characters)', () => {
  let accepted = 0;
  check(
    fc.property(regexSource.alt, (source) => {
      if (checkLinearRegex(source) !== null) return true;
      accepted++;
      // Linear: 50,000 characters cost a few milliseconds; a quadratic attempt costs seconds.
      const ms = worstAttempt(source, 50_000);
      if (ms < 60) return true;
      // One retry absorbs a garbage collection or a busy CI machine.
      return worstAttempt(source, 50_000) < 60;
    }),
    1200,
  );
  assert.ok(accepted > runs(80), `only ${accepted} generated regexes were accepted`);
});

test('the timing has teeth: a quadratic regex the check refuses is caught by it', () => {
  const attempt = (source: string, line: string) => timed(() => new RegExp(source, 'y').exec(line)).ms;
  assert.ok(attempt('\\w*\\w*y', 'a'.repeat(20_000)) > 60);
  assert.ok(attempt('(?:a+){2}b', 'a'.repeat(20_000)) > 60);
});

test('shapes behind super-linear matching are refused, with a reason', () => {
  for (const source of [
    '(a+)+b',
    '(a|aa)*b',
    '(\\w+\\s?)*$',
    'x\\w*\\w*y',
    '\\w*\\w*\\w*\\w*y',
    '(?:a+){10}',
    '(?:a+){2}b',
    'a*a*$',
    '\\w+\\s*\\w+$',
    '.*.*=',
    '(?:a?){30}a{30}',
    '(a)\\1',
    '(?=a)a',
  ]) {
    const problem = checkLinearRegex(source);
    assert.ok(problem, `${source} is refused`);
    assert.ok(problem!.length > 20, problem!);
  }
});

test('everyday policy regexes stay accepted', () => {
  for (const source of [
    '\\bSELECT\\b.+\\bFROM\\b',
    'console\\.log\\(',
    'TODO|FIXME',
    '[A-Za-z_]+\\s*=\\s*[0-9]+',
    '\\beval\\(',
    'https?://[^\\s"\']+',
    '^\\s*debugger;?\\s*$',
    '\\d+\\.\\d+\\.\\d+',
  ]) {
    assert.is(checkLinearRegex(source), null, source);
  }
});

test('the check itself takes linear time on long and deeply nested sources', () => {
  const { ms } = timed(() => {
    checkLinearRegex('a'.repeat(20_000));
    checkLinearRegex('(?:'.repeat(2_000) + 'a' + ')'.repeat(2_000));
    checkLinearRegex('[' + 'a'.repeat(20_000));
    checkLinearRegex('(a|b|c|d|e|f|g|h)'.repeat(500));
  });
  assert.ok(ms < 2000, `${ms} ms`);
});

test.run();
