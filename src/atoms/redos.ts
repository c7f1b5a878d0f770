import type { CodeModule } from '../ast/module.js';
import { defineAtom, type Hit, FLOW_MESSAGES } from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { CODE_FILES } from '../kit/files.js';

async function regexes(m: CodeModule): Promise<Hit[]> {
  const found: Array<{ node: any; pattern: string; flags: string }> = [];
  const hits: Hit[] = [];
  for (const lit of m.nodes('Literal'))
    if (lit.regex) found.push({ node: lit, pattern: lit.regex.pattern, flags: lit.regex.flags });
  for (const call of m.calls()) {
    const { callee } = call;
    if (callee.module || callee.path.length !== 1 || callee.name !== 'RegExp') continue;
    const [source, flagArg] = call.args;
    if (!source || source.type === 'SpreadElement') continue;
    const pattern = m.stringValue(source);
    if (pattern !== undefined) {
      found.push({ node: call.node, pattern, flags: (flagArg && m.stringValue(flagArg)) ?? '' });
      continue;
    }
    if (m.isSanitiserCall(source)) continue;
    const [t] = m.taints(source, ['request', 'dom']);
    if (t) hits.push(m.flowHit('regex-from-request', call.node, t, 'new RegExp()'));
  }
  if (!found.length) return hits;
  const { analyseRegex } = await import('../ast/regex.js');
  for (const { node, pattern, flags } of found) {
    const verdict = analyseRegex(pattern, flags);
    if (!verdict) continue;
    const shown = pattern.length > 50 ? pattern.slice(0, 47) + '…' : pattern;
    const hit = m.hit(verdict.kind === 'exponential' ? 'exponential-backtracking' : 'polynomial-backtracking', node, {
      messageId: 'found',
      data: { pattern: shown, char: verdict.char },
    });
    // Quadratic needs a long input, which body limits and field lengths often bound (logto's certificate
    // check runs on what a tenant admin pastes): a warning, measured 0 of 1 strictly true. Exponential blocks.
    if (verdict.kind !== 'exponential') hit.severity = 'warning';
    hits.push(hit);
  }
  return hits;
}

export default defineAtom({
  id: 'redos',
  title: 'Regexes run in linear time',
  criteria: {
    pass: 'Every regex reads each character in one way: no repetition nested in a repetition that can match the same text, no two adjacent repetitions over the same characters; patterns built from input are escaped (escapeRegExp) or bounded.',
    fail: 'A regex literal or new RegExp with a constant pattern can backtrack catastrophically (exponential or quadratic in the input length; quadratic is a warning), or new RegExp is built from request data.',
  },
  files: CODE_FILES,
  keywords: [')+', ')*', ']+', ']*', '+\\', '*\\', '+.', '*.', '+[', '*[', 'regexp'],
  defaultLevel: 'block',
  rules: {
    'exponential-backtracking': {
      message: 'The regex backtracks exponentially on inputs that almost match.',
      messages: {
        found:
          '/{pattern}/ can match a run of "{char}" in exponentially many ways (nested or overlapping repetition): an input that almost matches takes seconds to hours.',
      },
      fix: 'Remove the ambiguity: make the inner repetition and its neighbours unable to match the same characters (e.g. (\\w+\\s?)* → \\w+(?:\\s\\w+)*), or bound the input length before matching; consider the re2 package for untrusted input.',
    },
    'polynomial-backtracking': {
      message: 'Two adjacent repetitions compete for the same characters, so matching takes quadratic time.',
      messages: {
        found:
          '/{pattern}/ has two adjacent repetitions that both match "{char}": a long run of it that fails to match takes quadratic time.',
      },
      fix: 'Make the repetitions disjoint (\\d+\\.?\\d* → \\d+(?:\\.\\d+)?) or merge them into one, and limit the input length.',
    },
    'regex-from-request': {
      message: 'A regex is built from request data.',
      messages: FLOW_MESSAGES,
      fix: 'Escape the input before building the regex (escapeRegExp / escape-string-regexp), or match it as plain text with includes()/indexOf().',
    },
  },
  examples: {
    bad: [
      { file: 'src/validate.js', code: 'export const EMAIL = /^([a-zA-Z0-9_.-]+)+@[a-z]+\\.[a-z]+$/; // ✗' },
      {
        file: 'src/words.ts',
        code: 'export function isSentence(s: string) {\n  return /^(\\w+\\s?)*$/.test(s); // ✗\n}',
      },
      { file: 'src/alt.js', code: 'if (/^(a|aa)+$/.test(input)) accept(); // ✗' },
      {
        file: 'src/csv.js',
        code: "const TRAILING = new RegExp('(\\\\s*,\\\\s*)*$'); // ✗\nexport const trim = (s) => s.replace(TRAILING, '');",
      },
      {
        file: 'src/search.js',
        code: "app.get('/search', (req, res) => {\n  const re = new RegExp(req.query.q, 'i'); // ✗\n  res.json(items.filter((i) => re.test(i.name)));\n});",
      },
      { file: 'src/number.ts', code: 'export const DECIMAL = /^\\d*[0-9]*\\.$/; // ✗' },
      { file: 'src/digits.js', code: 'const NUMBERS = /^(\\d+)*$/; // ✗' },
    ],
    good: [
      // The last class also takes the separator, but each repeated group is fixed by where its '-' is: at most quadratic.
      {
        file: 'src/slug.ts',
        code: 'export const SLUG_PATH = /^(?:[a-z]+-)*[a-z-]+$/;\nexport const DOTTED = /^(?:\\w+\\.)*[\\w.]+$/;',
      },
      { file: 'src/validate.js', code: 'export const EMAIL = /^[a-zA-Z0-9_.-]+@[a-z0-9-]+\\.[a-z]{2,}$/i;' },
      { file: 'src/words.ts', code: 'export const isSentence = (s: string) => /^\\w+(?:\\s\\w+)*$/.test(s);' },
      { file: 'src/ab.js', code: 'const AB = /^(ab+)+$/;\nconst CHOICE = /^(a|b)*$/;' },
      {
        file: 'src/search.js',
        code: "import escapeRegExp from 'lodash/escapeRegExp';\napp.get('/search', (req, res) => {\n  const re = new RegExp(escapeRegExp(req.query.q), 'i');\n  res.json(items.filter((i) => re.test(i.name)));\n});",
      },
      {
        file: 'src/phone.js',
        code: 'const PHONE = /(\\d{3})-(\\d{4})/;\nconst TRIM = /^\\s+|\\s+$/g;\nconst HOST = /^(?:[a-z0-9-]+\\.)+[a-z]{2,}$/i;',
      },
      {
        file: 'src/prefix.js',
        code: "const PREFIX = 'id';\nconst ID = new RegExp('^' + PREFIX + '-\\\\d+$');\nconst total = price * 2 + tax;",
      },
    ],
  },
  check: codeCheck(regexes, sinkWithRequest('regex-from-request', /\bRegExp\s*\(/)),
});
