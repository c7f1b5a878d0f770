// Rules declare their messages (a messageId table with {placeholders}, as ESLint's meta.messages):
// every message of every atom renders, and a hit names a declared message and fills exactly its placeholders
// (test/atoms.test.ts asks this of every hit of every bad example).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { fillMessage, messageOf } from '../src/kit/atom.js';
import { messageProblems, placeholders } from './helpers/examples.js';

for (const atom of BUILTIN_ATOMS) {
  test(`${atom.id}: every message of every rule renders`, () => {
    for (const [name, rule] of Object.entries(atom.rules)) {
      assert.ok(rule.message.trim(), `${name}: a message`);
      assert.equal(placeholders(rule.message), [], `${name}: the default message has no placeholders`);
      for (const [id, template] of Object.entries(rule.messages ?? {})) {
        const data = Object.fromEntries(placeholders(template).map((p) => [p, `<${p}>`]));
        const text = fillMessage(template, data);
        assert.equal(placeholders(text), [], `${name}/${id} renders completely: ${text}`);
        assert.ok(/^\S/.test(text) && text.length > 10, `${name}/${id} says something: ${text}`);
        assert.is(messageOf(atom, { rule: name, line: 1, column: 1, messageId: id, data }), text);
      }
    }
  });
}

test('a hit without a messageId says its rule message; a known one is filled; a wrong one is caught', () => {
  const atom = BUILTIN_ATOMS.find((a) => a.id === 'redos')!;
  const base = { rule: 'exponential-backtracking', line: 1, column: 1 };
  assert.is(messageOf(atom, base), atom.rules['exponential-backtracking']!.message);
  assert.match(messageOf(atom, { ...base, messageId: 'found', data: { pattern: '(a+)+', char: 'a' } }), '/(a+)+/');
  assert.equal(messageProblems(atom, { ...base, messageId: 'found', data: { pattern: 'x' } }), [
    '{char} of "found" has no value',
  ]);
  assert.equal(messageProblems(atom, { ...base, messageId: 'nope' }), [
    'exponential-backtracking declares no message "nope"',
  ]);
});

test('data values are not read as templates', () => {
  assert.is(fillMessage('{a} and {b}', { a: '{b}', b: 'x' }), '{b} and x');
});

test.run();
