import type { CodeModule, Node } from '../ast/module.js';
import { isFunction, propertyName, stringLiteral, unwrap } from '../ast/nodes.js';
import { defineAtom, type CheckContext, type Hit, type SourceFile } from '../kit/atom.js';
import { calledExport, exportName, IMPORTS_LOCAL, LOCAL_IMPORTS } from '../kit/summaries.js';
import { codeCheck } from '../kit/code.js';
import { CODE_FILES, TEST_FILES } from '../kit/files.js';
import { functionName, landingName, nameOf, words } from '../kit/names.js';

/** Words that name a secret however they are combined: `resetToken`, `csrf_nonce`, `apiSecret`. */
const SECRET_WORDS = new Set([
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'passcode',
  'salt',
  'nonce',
  'otp',
  'totp',
  'hotp',
  'csrf',
  'xsrf',
  'session',
  'sid',
  'uuid',
  'guid',
  'jti',
  'pin',
  'apikey',
  'credential',
  'credentials',
  'invite',
  'invitation',
  'verifier',
  'jwt',
]);
/** `code` and `key` are secrets with one of these before them: `verificationCode`, `apiKey`. */
const CODE_QUALIFIERS = new Set([
  'verification',
  'verify',
  'otp',
  'reset',
  'confirm',
  'confirmation',
  'auth',
  'sms',
  'email',
  'login',
  'access',
  'invite',
  'invitation',
  'activation',
  'security',
  'recovery',
  'mfa',
  'twofa',
  'backup',
  'one',
  'api',
  'secret',
  'private',
  'signing',
  'encryption',
  'session',
  'license',
  'hmac',
  'magic',
  'unlock',
  'pairing',
  'promo',
  'coupon',
  'voucher',
  'gift',
  'referral',
  'share',
  'download',
]);
/** Ids for display, tracing and animation: not secrets. */
const HARMLESS_WORDS = new Set([
  'element',
  'el',
  'elem',
  'dom',
  'html',
  'input',
  'field',
  'label',
  'component',
  'chart',
  'canvas',
  'svg',
  'tooltip',
  'modal',
  'toast',
  'animation',
  'anim',
  'frame',
  'timer',
  'timeout',
  'interval',
  'delay',
  'jitter',
  'backoff',
  'retry',
  'color',
  'colour',
  'position',
  'offset',
  'width',
  'height',
  'size',
  'opacity',
  'angle',
  'speed',
  'duration',
  'particle',
  'star',
  'request',
  'req',
  'trace',
  'span',
  'correlation',
  'log',
  'debug',
  'test',
  'mock',
  'fake',
  'sample',
  'demo',
  'placeholder',
  'temp',
  'tmp',
  'index',
  'seed',
  'cache',
  'buster',
  'bust',
  'shuffle',
  'weight',
  'score',
  'hue',
  'style',
  'class',
  'theme',
  'instance',
  'render',
  'node',
  'row',
  'item',
  'key',
  'dummy',
  'example',
  'message',
  'event',
  'job',
  'task',
  'worker',
  'run',
  'tab',
  'window',
  'widget',
  'chat',
  'toast',
  'notification',
  // Bucketing for rollouts and experiments: the value picks a percentage, it guards nothing.
  'stickiness',
  'bucket',
  'rollout',
  'cohort',
  'shard',
  'experiment',
]);
/** Harmless words that name how a value is used on the way, not what it is for: `charIndex` still builds a token. */
const MECHANISM_WORDS = new Set([
  'index',
  'temp',
  'tmp',
  'item',
  'row',
  'key',
  'instance',
  'seed',
  'render',
  'run',
  'event',
  'message',
  'size',
  'offset',
]);
/** Frameworks of browser components: ids made there key DOM nodes and list items. */
const UI_MODULES =
  /^(?:react|react-dom|preact|vue|svelte|solid-js|@angular\/core|react-native|lit|@builder\.io\/qwik)(?:\/|$)/;

/** Methods whose result still carries the random value: `.toString(36)`, `.slice(2)`, `.padStart(6, '0')`. */
const CARRYING_METHODS =
  /^(?:toString|toFixed|toPrecision|slice|substr|substring|padStart|padEnd|toUpperCase|toLowerCase|replace|replaceAll|split|join|concat|repeat|trim|map|reverse|at|charAt)$/;
/** Functions whose result is chosen by their argument: `Math.floor(r * n)`, `chars.charAt(i)`, `String.fromCharCode(c)`. */
const CARRYING_CALLS =
  /^(?:Math\.\w+|parseInt|parseFloat|Number|String|BigInt|String\.fromCharCode|String\.fromCodePoint|Buffer\.from|Array\.from|encodeURIComponent|btoa)$/;
const INDEXING_METHODS = /^(?:charAt|at|substring|substr|slice|charCodeAt|codePointAt|concat|padStart|padEnd|repeat)$/;

/** A name that says what the value is for (`nodeId`, `jitter`, `randomDelay`) ends the search there. */
const stops = (name: string) => words(name).some((w) => HARMLESS_WORDS.has(w) && !MECHANISM_WORDS.has(w));

function isSecretName(name: string | undefined, ui: boolean): boolean {
  if (!name) return false;
  const w = words(name).filter(
    (x) =>
      x !== 'set' &&
      x !== 'get' &&
      x !== 'generate' &&
      x !== 'gen' &&
      x !== 'make' &&
      x !== 'create' &&
      x !== 'new' &&
      x !== 'random',
  );
  if (!w.length) return false;
  if (w.some((x) => SECRET_WORDS.has(x) || x.endsWith('token') || x.endsWith('secret') || x.endsWith('password')))
    return true;
  const last = w.at(-1)!;
  if (
    (last === 'code' || last === 'key' || last === 'codes' || last === 'keys') &&
    w.slice(0, -1).some((x) => CODE_QUALIFIERS.has(x))
  )
    return true;
  if (ui || w.some((x) => HARMLESS_WORDS.has(x))) return false;
  return (
    last === 'id' ||
    last === 'ids' ||
    last === 'uid' ||
    last === 'identifier' ||
    (w.length === 1 &&
      /^[a-z]+id$/.test(last) &&
      last !== 'valid' &&
      last !== 'void' &&
      last !== 'grid' &&
      last !== 'fluid' &&
      last !== 'liquid' &&
      last !== 'rapid' &&
      last !== 'avoid' &&
      last !== 'android')
  );
}

interface Reach {
  name: string;
  at: Node;
}

/** Follows a `Math.random()` value forward to the first name it is given that names a secret. */
function follow(
  m: CodeModule,
  start: Node,
  ui: boolean,
  /** A function whose return ends the search (a helper's summary: "it returns the value"). */
  returnsFrom?: Node,
): { reach: Reach; lines: number[] } | undefined {
  const seen = new Set<Node>();
  const queue: Array<{ node: Node; lines: number[] }> = [{ node: start, lines: [] }];
  let steps = 0;
  while (queue.length && steps++ < 80) {
    const { node, lines } = queue.shift()!;
    if (seen.has(node)) continue;
    seen.add(node);
    const next = (n: Node, extra?: number) =>
      queue.push({ node: n, lines: extra === undefined || lines.includes(extra) ? lines : [...lines, extra] });
    const found = (name: string | undefined, at: Node) =>
      isSecretName(name, ui) ? { reach: { name: name!, at }, lines: [...lines, m.line(at)] } : undefined;
    const intoBinding = (id: Node) => {
      const b = m.binding(id);
      // A name that says what the value is for (`nodeId`, `jitter`, `delay`) ends the search.
      if (!b || stops(b.name)) return;
      for (const use of m.uses(b)) {
        const up = m.parent(use);
        if (
          use === b.id ||
          (up?.type === 'AssignmentExpression' && up.left === use) ||
          (up?.type === 'VariableDeclarator' && up.id === use)
        )
          continue;
        next(use, m.line(use));
      }
    };
    const returned = (fn: Node | undefined) => {
      if (!fn) return undefined;
      const name = functionName(m, fn);
      const hit = found(name, fn);
      if (hit || (name && stops(name))) return hit;
      if (fn === returnsFrom) return { reach: { name: RETURNED, at: fn }, lines };
      const outer = m.parent(fn);
      // .map(() => …), Array.from({ length }, () => …), .replace(/x/g, () => …): the call's result carries it.
      if (outer?.type === 'CallExpression' && outer.arguments.includes(fn)) next(outer);
      else for (const site of m.callSitesOf(fn)) next(site.node, m.line(site.node));
      return undefined;
    };

    const p = m.parent(node);
    if (!p) continue;
    let hit: ReturnType<typeof found>;
    switch (p.type) {
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSNonNullExpression':
      case 'TSSatisfiesExpression':
      case 'ChainExpression':
      case 'AwaitExpression':
      case 'SpreadElement':
      case 'TemplateLiteral':
      case 'LogicalExpression':
      case 'ArrayExpression':
        next(p);
        break;
      case 'BinaryExpression':
        if (/^(?:[-+*/%|&^]|<<|>>>?|\*\*)$/.test(p.operator)) next(p);
        break;
      case 'UnaryExpression':
        if (p.operator === '-' || p.operator === '+' || p.operator === '~') next(p);
        break;
      case 'ConditionalExpression':
        if (p.test !== node) next(p);
        break;
      case 'MemberExpression': {
        if (p.property === node)
          next(p); // chars[Math.floor(Math.random() * n)]
        else {
          const call = m.parent(p);
          if (call?.type === 'CallExpression' && call.callee === p && CARRYING_METHODS.test(propertyName(p) ?? ''))
            next(call);
        }
        break;
      }
      case 'CallExpression': {
        if (!p.arguments.includes(node)) break;
        const callee = m.callee(p.callee);
        const dotted = callee.path.join('.');
        const label = stringLiteral(p.arguments[0]);
        if (!callee.module && CARRYING_CALLS.test(dotted)) next(p);
        else if (callee.path.length > 1 && INDEXING_METHODS.test(callee.name)) next(p);
        else if (
          (callee.name === 'push' || callee.name === 'unshift') &&
          unwrap(p.callee).type === 'MemberExpression' &&
          unwrap(unwrap(p.callee).object).type === 'Identifier'
        ) {
          intoBinding(unwrap(unwrap(p.callee).object));
        } else if (label !== undefined && p.arguments[0] !== node)
          hit = found(label, p); // res.cookie('session', v), setItem('token', v)
        else hit = found(callee.name, p); // setResetToken(v)
        break;
      }
      case 'ReturnStatement':
        hit = returned(m.enclosingFunction(p));
        break;
      case 'ArrowFunctionExpression':
        if (p.body === node) hit = returned(p);
        break;
      case 'VariableDeclarator':
        if (p.init === node && p.id.type === 'Identifier')
          hit = found(p.id.name, p.id) ?? (intoBinding(p.id), undefined);
        break;
      case 'AssignmentExpression': {
        if (p.right !== node) break;
        const left = unwrap(p.left);
        const landing = landingName(m, node);
        hit = found(landing?.name ?? nameOf(left), p);
        if (!hit && left.type === 'Identifier') intoBinding(left);
        break;
      }
      case 'Property':
        if (p.value === node) {
          hit = found(nameOf(p), p);
          if (!hit) next(m.parent(p)!);
        }
        break;
      case 'ObjectExpression':
        hit = found(landingName(m, node)?.name, node);
        if (!hit) {
          const up = m.parent(node);
          if (
            up &&
            (up.type === 'ReturnStatement' ||
              (isFunction(up) && up.body === node) ||
              up.type === 'VariableDeclarator' ||
              up.type === 'AssignmentExpression')
          )
            next(node);
        }
        break;
      case 'PropertyDefinition':
        if (p.value === node) hit = found(nameOf(p), p);
        break;
    }
    if (hit) return hit;
  }
  return undefined;
}

function isUiModule(m: CodeModule): boolean {
  if (/\.(?:jsx|tsx|vue|svelte)$/i.test(m.path) || m.nodes('JSXElement').length > 0) return true;
  return m.nodes('ImportDeclaration').some((d) => UI_MODULES.test(String(d.source.value)));
}

function analyse(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  let ui: boolean | undefined;
  for (const call of m.calls()) {
    if (call.isNew || call.callee.module || call.callee.path.join('.') !== 'Math.random' || m.topLevel('Math'))
      continue;
    ui ??= isUiModule(m);
    const r = follow(m, call.node, ui);
    if (!r) continue;
    const line = m.line(r.reach.at);
    hits.push(
      m.hit('math-random', call.node, {
        ...(line !== m.line(call.node)
          ? { messageId: 'becomesAt', data: { name: r.reach.name, line } }
          : { messageId: 'becomes', data: { name: r.reach.name } }),
        flow: r.lines,
      }),
    );
  }
  return hits;
}

const RETURNED = '(returned)';
/** Words of the secrets a helper's value may become (see SECRET_WORDS): a file without any follows no helper. */
const SECRET_TEXT = /token|secret|passw|salt|nonce|otp|csrf|api_?key/i;

/**
 * A call to a function of another module whose value becomes a secret here (`const resetToken =
 * randomString(32)`): reported when that function returns a Math.random() value and does not
 * already say so itself (a helper named `randomToken` is reported in its own module).
 */
function withHelpers(
  m: CodeModule,
  file: SourceFile,
  ctx: CheckContext<Record<string, never>>,
): Hit[] | Promise<Hit[]> {
  const hits = analyse(m);
  const ui = isUiModule(m);
  const candidates = m
    .calls()
    // A call whose value is not kept (`await sendMail(…);`) names nothing.
    .filter((call) => exportName(call) !== null && !valueDropped(m, call.node))
    .map((call) => ({ call, r: follow(m, call.node, ui) }))
    .filter((c) => c.r);
  if (!candidates.length) return hits;
  return (async () => {
    for (const { call, r } of candidates) {
      const helper = await calledExport(ctx.project, file.path, call, ['math.random']);
      const line = helper && returnsMathRandom(helper.module, helper.fn);
      if (!line) continue;
      hits.push(
        m.hit('math-random', call.node, {
          messageId: 'fromHelper',
          data: { helper: m.callee(call.node.callee).name, file: helper.path, sinkLine: line, name: r!.reach.name },
          flow: r!.lines,
        }),
      );
    }
    return hits;
  })();
}

function valueDropped(m: CodeModule, call: Node): boolean {
  const up = m.parent(call);
  return (
    up?.type === 'ExpressionStatement' ||
    (up?.type === 'AwaitExpression' && m.parent(up)?.type === 'ExpressionStatement')
  );
}

/** The line of a Math.random() whose value `fn` returns, unless it becomes a secret's name there first. */
function returnsMathRandom(m: CodeModule, fn: Node): number | undefined {
  for (const call of m.calls()) {
    if (call.node.start < fn.start || call.node.end > fn.end) continue;
    if (call.isNew || call.callee.module || call.callee.path.join('.') !== 'Math.random' || m.topLevel('Math'))
      continue;
    const r = follow(m, call.node, false, fn);
    if (r?.reach.name === RETURNED) return m.line(call.node);
  }
  return undefined;
}

export default defineAtom({
  id: 'insecure-random',
  title: 'Secrets come from a cryptographic random generator',
  criteria: {
    pass: 'Tokens, ids that grant access, passwords, secrets, salts, nonces and one-time codes come from crypto.randomBytes, crypto.randomUUID, crypto.randomInt or crypto.getRandomValues; Math.random() is only used for things nobody must guess (animation, jitter, sampling).',
    fail: 'A value of Math.random() flows into something named like a token, session or other id, password, secret, salt, nonce, CSRF value or one-time code (directly, through a string builder, or through a helper that returns it).',
  },
  files: [...CODE_FILES, ...TEST_FILES],
  keywords: ['math.random', ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'math-random': {
      message: 'A secret or identifier is made with Math.random(), which is predictable.',
      messages: {
        reduced:
          'Math.random() on a line that sets a secret (reduced check: the file could not be parsed or analysed in full).',
        becomes:
          "Math.random() is predictable (a few outputs reveal the generator's state), and its value becomes `{name}`.",
        fromHelper:
          '{helper}() returns a Math.random() value ({file}, line {sinkLine}), which is predictable, and it becomes `{name}`.',
        becomesAt:
          "Math.random() is predictable (a few outputs reveal the generator's state), and its value becomes `{name}` (line {line}).",
      },
      fix: "Use node:crypto: randomBytes(32).toString('base64url') for tokens, randomUUID() for ids, randomInt(0, 1_000_000) for numeric codes (crypto.getRandomValues in browsers).",
    },
  },
  examples: {
    bad: [
      // Two files: a neutral-looking helper built on Math.random() makes the reset token.
      {
        file: 'src/routes/forgot.ts',
        code: "import { randomString } from '../utils/random';\nrouter.post('/forgot', async (req, res) => {\n  const resetToken = randomString(32); // ✗\n  await saveResetToken(req.body.email, resetToken);\n  res.sendStatus(204);\n});",
        others: {
          'src/utils/random.ts':
            "const CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';\nexport function randomString(length: number) {\n  let out = '';\n  for (let i = 0; i < length; i++) out += CHARS[Math.floor(Math.random() * CHARS.length)];\n  return out;\n}",
        },
      },
      { file: 'src/reset.js', code: 'user.resetToken = Math.random().toString(36).slice(2); // ✗\nawait user.save();' },
      {
        file: 'src/otp.ts',
        code: 'export function createOtp(): string {\n  return String(Math.floor(100000 + Math.random() * 900000)); // ✗\n}',
      },
      {
        file: 'src/util.js',
        code: "function randomString(length) {\n  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';\n  let out = '';\n  for (let i = 0; i < length; i++) out += chars.charAt(Math.floor(Math.random() * chars.length)); // ✗\n  return out;\n}\nconst apiKey = randomString(40);",
      },
      {
        file: 'src/uuid.js',
        code: "export const uuid = () => 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {\n  const r = (Math.random() * 16) | 0; // ✗\n  return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);\n});",
      },
      {
        file: 'src/session.js',
        code: "app.post('/login', (req, res) => {\n  res.cookie('session', Math.random().toString(36).substring(2), { httpOnly: true }); // ✗\n});",
      },
      {
        file: 'src/salt.ts',
        code: 'const salt = Array.from({ length: 16 }, () => Math.floor(Math.random() * 256)); // ✗',
      },
      {
        file: 'src/users.ts',
        code: 'export async function createUser(email: string) {\n  const userId = Date.now().toString(36) + Math.random().toString(36).slice(2); // ✗\n  await db.insert({ userId, email });\n}',
      },
    ],
    good: [
      // Two files: the same route; the helper draws from crypto.randomInt.
      {
        file: 'src/routes/forgot.ts',
        code: "import { randomString } from '../utils/random';\nrouter.post('/forgot', async (req, res) => {\n  const resetToken = randomString(32);\n  await saveResetToken(req.body.email, resetToken);\n  res.sendStatus(204);\n});",
        others: {
          'src/utils/random.ts':
            "import { randomInt } from 'crypto';\nconst CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';\n// Math.random() would be predictable here.\nexport function randomString(length: number) {\n  let out = '';\n  for (let i = 0; i < length; i++) out += CHARS[randomInt(CHARS.length)];\n  return out;\n}",
        },
      },
      // A gradual rollout's stickiness id only picks a percentage bucket through a hash.
      {
        file: 'src/strategy/flexible-rollout.ts',
        code: 'export class FlexibleRollout {\n  randomGenerator = () => `${Math.round(Math.random() * 10_000) + 1}`;\n  isEnabled(parameters, context) {\n    const stickinessId = context.userId || context.sessionId || this.randomGenerator();\n    return normalizedValue(stickinessId, parameters.groupId) <= Number(parameters.rollout);\n  }\n}',
      },
      // An in-memory fake store (a test double kept next to the real one) is not shipped behaviour.
      {
        file: 'src/features/links/fake-link-store.ts',
        unrouted: 'a test double (fake-*.ts) is outside the files the atom checks',
        code: 'export class FakeLinkStore {\n  links = [];\n  async insert(link) {\n    const row = { ...link, id: String(Math.random()) };\n    this.links.push(row);\n    return row;\n  }\n}',
      },
      {
        file: 'src/reset.js',
        unrouted: 'crypto.randomBytes holds no Math.random: the file is never checked',
        code: "const { randomBytes } = require('crypto');\nuser.resetToken = randomBytes(32).toString('hex');",
      },
      {
        file: 'src/retry.ts',
        code: 'const jitter = Math.random() * 100;\nsetTimeout(retry, 2 ** attempt * 250 + jitter);',
      },
      {
        file: 'src/anim.js',
        code: 'const token = crypto.randomUUID();\nconst particles = Array.from({ length: 50 }, () => ({ x: Math.random() * width, y: Math.random() * height }));',
      },
      {
        file: 'src/list.tsx',
        code: 'export const Item = ({ text }) => {\n  const id = useMemo(() => `item-${Math.random().toString(36).slice(2)}`, []);\n  return <li id={id}>{text}</li>;\n};',
      },
      {
        file: 'src/sample.ts',
        code: "if (Math.random() < 0.01) logger.debug('sampled request', { path });\nconst requestId = Math.random().toString(36).slice(2);\nconst delay = Math.floor(Math.random() * 1000);",
      },
      {
        file: 'src/otp.ts',
        code: "import { randomInt } from 'node:crypto';\nexport const createOtp = () => String(randomInt(0, 1_000_000)).padStart(6, '0');\nconst shuffled = items.sort(() => Math.random() - 0.5);",
      },
      {
        file: 'src/color.js',
        code: "function randomColor() {\n  return '#' + Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0');\n}\nconst tokenColor = randomColor;",
      },
    ],
  },
  check: codeCheck(
    withHelpers,
    [
      // Math.random() on a line that assigns something named like a secret.
      {
        rule: 'math-random',
        find: /Math\.random\s*\(/,
        onLine: /\b\w*(?:token|secret|password|salt|nonce|otp|session|csrf)\w*\s*[:=]/i,
      },
    ],
    // Math.random() here, or a helper of another module whose value may get a secret's name here.
    (file) => /math\.random/i.test(file.text) || (IMPORTS_LOCAL.test(file.text) && SECRET_TEXT.test(file.text)),
  ),
});
