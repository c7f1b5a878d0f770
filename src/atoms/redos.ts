import type { CodeModule, Node, Taint } from '../ast/module.js';
import { propertyName } from '../ast/nodes.js';
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
    const rule = verdict.kind === 'exponential' ? 'exponential-backtracking' : 'polynomial-backtracking';
    const data = { pattern: shown, char: verdict.char };
    // Where request data meets the regex, that is where the finding is: it names the attacker's input.
    const met = requestMatched(m, node);
    const hit = met
      ? m.hit(rule, met.call, {
          messageId: 'applied',
          data: { ...data, source: met.taint.label, line: met.taint.lines[0]!, regexLine: m.line(node) },
          flow: [...met.taint.lines, m.line(node)],
        })
      : m.hit(rule, node, { messageId: 'found', data });
    // Quadratic needs a long input, which body limits and field lengths often bound (logto's certificate
    // check runs on what a tenant admin pastes): a warning, measured 0 of 1 strictly true. Exponential blocks.
    if (verdict.kind !== 'exponential') hit.severity = 'warning';
    hits.push(hit);
  }
  return hits;
}

/** String methods that take a regex as their first argument. */
const STRING_MATCHERS = new Set(['match', 'matchAll', 'replace', 'replaceAll', 'search', 'split']);

/**
 * The first place request data is matched against this regex: `re.test(x)`, `re.exec(x)`, `x.match(re)`,
 * `x.replace(re, …)`…, the regex written there or held in a variable (`const re = /…/`).
 */
function requestMatched(m: CodeModule, regex: Node): { call: Node; taint: Taint } | undefined {
  const decl = m.parent(regex);
  const held = decl?.type === 'VariableDeclarator' && decl.init === regex ? m.binding(decl.id) : undefined;
  for (const ref of held ? m.uses(held) : [regex]) {
    const p = m.parent(ref);
    let call: Node | undefined;
    let subject: Node | undefined;
    if (p?.type === 'MemberExpression' && p.object === ref && /^(?:test|exec)$/.test(propertyName(p) ?? '')) {
      call = m.parent(p);
      subject = call?.type === 'CallExpression' && call.callee === p ? call.arguments[0] : undefined;
    } else if (
      p?.type === 'CallExpression' &&
      p.arguments[0] === ref &&
      p.callee.type === 'MemberExpression' &&
      STRING_MATCHERS.has(propertyName(p.callee) ?? '')
    ) {
      call = p;
      subject = p.callee.object;
    }
    const [t] = subject && subject.type !== 'SpreadElement' ? m.taints(subject, ['request']) : [];
    if (call && t) return { call, taint: t };
  }
  return undefined;
}

export default defineAtom({
  id: 'redos',
  title: 'Regexes run in linear time',
  criteria: {
    pass: 'Every regex reads each character in one way: no repetition nested in a repetition that can match the same text, no two adjacent repetitions over the same characters; patterns built from input are escaped (escapeRegExp) or bounded.',
    fail: 'A regex literal or new RegExp with a constant pattern can backtrack catastrophically (exponential or quadratic in the input length; quadratic is a warning; reported where request data is matched against it, if it is), or new RegExp is built from request data.',
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
        applied:
          '{source} (line {line}) is matched against /{pattern}/ (line {regexLine}), which can match a run of "{char}" in exponentially many ways: a request that almost matches takes seconds to hours.',
      },
      fix: 'Remove the ambiguity: make the inner repetition and its neighbours unable to match the same characters (e.g. (\\w+\\s?)* → \\w+(?:\\s\\w+)*), or bound the input length before matching; consider the re2 package for untrusted input.',
    },
    'polynomial-backtracking': {
      message: 'Two adjacent repetitions compete for the same characters, so matching takes quadratic time.',
      messages: {
        found:
          '/{pattern}/ has two adjacent repetitions that both match "{char}": a long run of it that fails to match takes quadratic time.',
        applied:
          '{source} (line {line}) is matched against /{pattern}/ (line {regexLine}), whose two adjacent repetitions both match "{char}": a long run of it that fails to match takes quadratic time.',
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
      // Reported where the request's value meets the regex.
      {
        file: 'src/users.js',
        code: "router.get('/users/:id', (req, res) => {\n  const ID = /^([a-z]+)+$/;\n  if (!ID.test(req.params.id)) return res.sendStatus(400); // ✗\n});",
      },
      {
        file: 'src/tags.ts',
        code: "const SEPARATORS = /(\\s*,\\s*)*$/;\napp.post('/tags', (req, res) => {\n  const tags = String(req.body.tags).replace(SEPARATORS, ''); // ✗\n  res.json(tags.split(','));\n});",
      },
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
      // Request data matched against regexes that read each character in one way.
      {
        file: 'src/users.js',
        code: "const ID = /^[a-z]+(?:-[a-z]+)*$/;\nrouter.get('/users/:id', (req, res) => {\n  if (!ID.test(req.params.id)) return res.sendStatus(400);\n  res.json(req.params.id.replace(/\\s+/g, ' ').split(/,\\s*/));\n});",
      },
      {
        file: 'src/prefix.js',
        code: "const PREFIX = 'id';\nconst ID = new RegExp('^' + PREFIX + '-\\\\d+$');\nconst total = price * 2 + tax;",
      },
    ],
  },
  check: codeCheck(regexes, sinkWithRequest('regex-from-request', /\bRegExp\s*\(/)),
});
