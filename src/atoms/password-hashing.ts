import type { CallInfo, CodeModule, Node } from '../ast/module.js';
import { propertyName, stringLiteral, unwrap } from '../ast/nodes.js';
import { defineAtom, FLOW_MESSAGES, type CheckContext, type Hit, type SourceFile } from '../kit/atom.js';
import { codeCheck } from '../kit/code.js';
import { CODE_FILES, TEST_FILES } from '../kit/files.js';
import {
  hashChain,
  isPasswordHashName,
  isPasswordName,
  isPasswordValue,
  nameOf,
  numberValue,
  words,
} from '../kit/names.js';
import { callArguments, findCalls, resolveIdentifier } from '../kit/scan.js';
import { calledExport, exportName, followCalls, passedValue } from '../kit/summaries.js';
import { plural } from '../words.js';

export interface Options {
  bcryptMinCost: number;
}

/** Digests that are fast by design: fine for files, fatal for passwords. */
const FAST_DIGEST =
  /^(?:md[245]|sha-?(?:1|224|256|384|512)(?:-\d+)?|sha3-\d+|ripemd\d*|rmd160|blake2[bs]\d*|whirlpool|shake\d+)$/i;
/** Modules and functions that compute one fast digest of their argument: `md5(x)`, `sha256(x)`, `CryptoJS.SHA256(x)`. */
const DIGEST_MODULES = new Set([
  'md5',
  'blueimp-md5',
  'js-md5',
  'md5.js',
  'sha1',
  'js-sha1',
  'js-sha256',
  'js-sha512',
  'sha256',
  'crypto-js',
  'hash.js',
  'object-hash',
]);
const DIGEST_FUNCTIONS = /^(?:md5|md4|sha1|sha224|sha256|sha384|sha512|sha3|ripemd160|hex_md5|hex_sha1)$/i;
const BCRYPT_MODULES = new Set(['bcrypt', 'bcryptjs', 'bcrypt-nodejs', '@node-rs/bcrypt', 'bcrypt-ts']);
const ARGON2_MODULES = new Set(['argon2', '@node-rs/argon2', 'argon2-browser', 'hash-wasm']);
/** OWASP (Password Storage Cheat Sheet): the Argon2id memory (KiB) needed for each time cost. */
const ARGON2_MIN_MEMORY: Record<number, number> = { 1: 47104, 2: 19456, 3: 12288, 4: 9216, 5: 7168 };
/** OWASP: PBKDF2 iterations per HMAC digest. */
const PBKDF2_MIN: Record<string, number> = { sha1: 1_300_000, sha256: 600_000, sha512: 210_000 };
const SCRYPT_MIN_N = 2 ** 15;
/** A second copy typed to confirm a new password: `password === passwordConfirmation` is a form check. */
/** A comparison worth judging names a password or a hash somewhere. */
const COMPARED = /pass|pwd|hash|digest|sha|md5|crypt/i;
const CONFIRM_WORDS = new Set([
  'confirm',
  'confirmation',
  'confirmed',
  'repeat',
  'repeated',
  'again',
  'retype',
  'retyped',
  'verify',
  'verification',
  'check',
  '2',
]);
/** Callee names the atom judges (besides the digest functions). */
const CALL_NAMES = new Set([
  'createHash',
  'digest',
  'hash',
  'hashSync',
  'genSalt',
  'genSaltSync',
  'hashRaw',
  'argon2id',
  'argon2i',
  'argon2d',
  'scrypt',
  'scryptSync',
  'pbkdf2',
  'pbkdf2Sync',
]);
/** Objects that hold what the client sent, not what is stored: `req.body.password` is input. */
const INPUT_ROOTS =
  /^(?:req|request|body|input|inputs|form|formData|data|params|args|ctx|context|dto|values|payload|fields|event|credentials|creds|login|signup|command|cmd|query|variables|state|props|this\.state|this\.form)$/;

function analyse(m: CodeModule, _file: SourceFile, ctx: CheckContext<Options>): Hit[] {
  const hits: Hit[] = [];
  const min = ctx.options.bcryptMinCost;
  const byConstant = new Map<unknown, Hit>();
  for (const call of m.calls()) {
    const { callee } = call;
    const name = callee.name;
    if (!CALL_NAMES.has(name) && !DIGEST_FUNCTIONS.test(name)) continue;
    const mod = callee.module;
    if (
      name === 'createHash' &&
      !call.isNew &&
      (mod === 'crypto' ||
        mod === 'create-hash' ||
        (!mod && (callee.path.length === 1 || /crypto/i.test(callee.path[0]!))))
    ) {
      fastHashChain(m, hits, call);
    } else if (name === 'digest' && callee.path.at(-2) === 'subtle') {
      // crypto.subtle.digest('SHA-256', encoder.encode(password))
      if (isPasswordValue(m, call.args[1]))
        hits.push(
          m.hit('fast-hash', call.node, {
            messageId: 'subtle',
            data: { algorithm: m.stringValue(call.args[0]!) ?? 'SHA' },
          }),
        );
    } else if (isDigestFunction(call) && isPasswordValue(m, call.args[0])) {
      hits.push(
        m.hit('fast-hash', call.node, {
          messageId: 'call',
          data: { call: callee.path.join('.') || name },
        }),
      );
    } else if (isBcrypt(m, call)) {
      bcryptCost(m, hits, call, min, byConstant);
    } else if ((mod && ARGON2_MODULES.has(mod)) || (!mod && callee.path.length === 2 && callee.path[0] === 'argon2')) {
      argon2Params(m, hits, call);
    } else if (
      (name === 'scrypt' || name === 'scryptSync') &&
      (mod === 'crypto' || (!mod && callee.path.length === 1))
    ) {
      scryptCost(m, hits, call);
    } else if (
      (name === 'pbkdf2' || name === 'pbkdf2Sync') &&
      (mod === 'crypto' || (!mod && callee.path.length === 1))
    ) {
      const iterations = numberValue(m, call.args[2]);
      const digest = (m.stringValue(call.args[4] ?? call.node) ?? 'sha1').toLowerCase().replace('-', '');
      const need = PBKDF2_MIN[digest];
      if (iterations !== undefined && need !== undefined && iterations < need && !isCipherKey(m, call.node)) {
        hits.push(
          m.hit('low-pbkdf2-iterations', call.node, {
            messageId: 'iterations',
            data: {
              digest: digest.toUpperCase(),
              iterations: iterations.toLocaleString('en'),
              need: need.toLocaleString('en'),
            },
          }),
        );
      }
    }
  }
  comparisons(m, hits);
  return hits;
}

/**
 * The derived bytes are a cipher key (umami's `getKey(secret, salt)` then `createCipheriv(…, key, iv)`): key
 * derivation for encryption, not a stored password hash, so the storage guidance on iterations does not apply.
 */
function isCipherKey(m: CodeModule, derivation: Node): boolean {
  let values = [derivation];
  const fn = m.enclosingFunction(derivation);
  const up = m.parent(derivation);
  if (fn && (up === fn || up?.type === 'ReturnStatement')) values = m.callSitesOf(fn).map((site) => site.node);
  return values.some((value) => {
    const declarator = m.parent(value);
    if (declarator?.type !== 'VariableDeclarator' || declarator.id.type !== 'Identifier') return false;
    return m.passedTo(m.binding(declarator.id), 1, /^create(?:De)?cipheriv$/i);
  });
}

/** `createHash('sha256').update(password)`, chained or through a variable. */
function fastHashChain(m: CodeModule, hits: Hit[], call: CallInfo) {
  const algorithm = call.args[0] && m.stringValue(call.args[0]);
  if (!algorithm || !FAST_DIGEST.test(algorithm)) return;
  const { updates } = hashChain(m, call.node);
  const fed = updates.find((u) => isPasswordValue(m, u));
  if (!fed) return;
  const line = m.line(fed);
  hits.push(
    m.hit('fast-hash', call.node, {
      messageId: 'digest',
      data: { algorithm: algorithm.toUpperCase() },
      flow: [line],
    }),
  );
}

function isDigestFunction(call: CallInfo): boolean {
  const { callee } = call;
  if (call.isNew || !DIGEST_FUNCTIONS.test(callee.name)) return false;
  if (callee.module) return DIGEST_MODULES.has(callee.module);
  // md5(x), CryptoJS.SHA256(x): not a method of some other object (`file.sha256()`).
  return (
    callee.path.length === 1 ||
    (callee.path.length === 2 && /^(?:CryptoJS|crypto_js|cryptoJs|sha\w*|md5)$/i.test(callee.path[0]!))
  );
}

function isBcrypt(m: CodeModule, call: CallInfo): boolean {
  const { callee } = call;
  if (!/^(?:hash|hashSync|genSalt|genSaltSync)$/.test(callee.name)) return false;
  if (callee.module) return BCRYPT_MODULES.has(callee.module);
  if (callee.path.length === 2)
    return (
      /^bcrypt(?:js)?$/i.test(callee.path[0]!) &&
      !m.topLevel(callee.path[0]!)?.defs.some((d) => d.kind === 'init' && d.value && !m.requiredModule(d.value))
    );
  return callee.path.length === 1 && callee.name.startsWith('genSalt');
}

/** A value made of random bytes (a token), not something a person chose. */
const RANDOM_VALUE = /\brandom(?:Bytes|UUID|Int)?\s*\(|\bnanoid\s*\(|\buuid(?:v4)?\s*\(/;

/** OWASP's Password Storage Cheat Sheet: bcrypt with a work factor of 10 or more. */
const OWASP_BCRYPT_FLOOR = 10;

function bcryptCost(m: CodeModule, hits: Hit[], call: CallInfo, min: number, byConstant: Map<unknown, Hit>) {
  const salt = call.callee.name.startsWith('genSalt');
  // bcrypt.hash(crypto.randomBytes(32).toString(), 10): a random token has nothing to guess, whatever the cost.
  if (!salt && call.args[0] && RANDOM_VALUE.test(m.source(call.args[0]))) return;
  const arg = salt ? call.args[0] : call.args[1];
  let cost: number | undefined;
  let defaulted = false;
  if (!arg) {
    // genSalt() defaults to 10 rounds in bcrypt and bcryptjs.
    if (!salt || call.callee.module === '@node-rs/bcrypt') return;
    cost = 10;
    defaulted = true;
  } else {
    if (!salt && m.stringValue(arg) !== undefined && !/^\d+$/.test(m.stringValue(arg)!)) return; // a salt string, not a cost
    cost = numberValue(m, arg);
  }
  if (cost === undefined || cost >= min) return;
  // From OWASP's floor of 10 up to the policy's minimum: worth raising, not worth refusing a commit.
  const floor = cost >= OWASP_BCRYPT_FLOOR;
  // Calls that share one constant (unleash's `const saltRounds = 10`, used three times) have one cause and one
  // fix: one finding at the first call, naming the constant and how many calls use it, the others as its lines.
  const id = arg && unwrap(arg).type === 'Identifier' ? unwrap(arg) : undefined;
  const constant = id ? m.binding(id) : undefined;
  const shared = constant?.kind === 'const' ? byConstant.get(constant) : undefined;
  if (shared) {
    shared.flow = [...(shared.flow ?? []), m.line(call.node)];
    shared.messageId = `sharedCost${floor ? 'AboveFloor' : ''}`;
    shared.data = { ...shared.data, name: constant!.name, count: Number(shared.data?.count ?? 1) + 1 };
    return;
  }
  const hit: Hit = {
    ...m.hit('low-bcrypt-cost', call.node, {
      messageId: `${defaulted ? 'defaultCost' : 'cost'}${floor ? 'AboveFloor' : ''}`,
      data: { cost, min, ...(floor ? { floor: OWASP_BCRYPT_FLOOR } : {}) },
    }),
    ...(floor ? { severity: 'warning' as const } : {}),
  };
  if (constant?.kind === 'const') byConstant.set(constant, hit);
  hits.push(hit);
}

function argon2Params(m: CodeModule, hits: Hit[], call: CallInfo) {
  const { callee } = call;
  const wasm = callee.module === 'hash-wasm';
  if (wasm ? !/^argon2(?:id|i|d)$/.test(callee.name) : callee.name !== 'hash' && callee.name !== 'hashRaw') return;
  const options = wasm ? call.args[0] : call.args[1];
  const literal = options ? m.objectLiteral(options) : undefined;
  if (options && !literal) return; // options from elsewhere: cannot judge
  const prop = (name: string) => (literal ? m.property(literal, name) : undefined);
  // node-argon2: argon2id, 64 MiB, t=3; @node-rs/argon2: argon2id, 19 MiB, t=2.
  const defaults = callee.module === '@node-rs/argon2' ? { memory: 19456, time: 2 } : { memory: 65536, time: 3 };
  const memoryNode = prop(wasm ? 'memorySize' : 'memoryCost');
  const timeNode = prop(wasm ? 'iterations' : 'timeCost');
  const memory = memoryNode ? numberValue(m, memoryNode) : wasm ? undefined : defaults.memory;
  const time = timeNode ? numberValue(m, timeNode) : wasm ? undefined : defaults.time;
  const type = wasm ? callee.name : argon2Type(m, prop('type') ?? prop('algorithm'));
  const weakType = type === 'argon2d' || type === 'argon2i';
  const t = time === undefined ? 0 : Math.min(Math.max(time, 1), 5);
  const need = ARGON2_MIN_MEMORY[t] ?? 0;
  const lowMemory = memory !== undefined && time !== undefined && memory < need;
  if (!weakType && !lowMemory) return;
  const hit = m.hit('weak-argon2', call.node, {
    messageId: weakType && lowMemory ? 'typeAndMemory' : weakType ? 'type' : 'memory',
    data: {
      ...(weakType ? { type: type! } : {}),
      ...(lowMemory ? { memory: memory!, passes: plural(time!, 'pass', 'passes'), need, t } : {}),
    },
  });
  // argon2i at OWASP's memory and ≥ 3 passes (logto's default hash): weaker than argon2id against GPU
  // trade-offs, not broken; a warning. argon2d (side channels) and too little memory still block.
  if (type === 'argon2i' && !lowMemory && time !== undefined && time >= 3) hit.severity = 'warning';
  hits.push(hit);
}

function argon2Type(m: CodeModule, node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  const name = n.type === 'MemberExpression' ? propertyName(n) : n.type === 'Identifier' ? n.name : undefined;
  if (name) return name.toLowerCase();
  const v = numberValue(m, n);
  return v === 0 ? 'argon2d' : v === 1 ? 'argon2i' : v === 2 ? 'argon2id' : undefined;
}

function scryptCost(m: CodeModule, hits: Hit[], call: CallInfo) {
  if (!isPasswordValue(m, call.args[0])) return;
  const options = call.args[3];
  let n: number | undefined = 16384; // Node's default cost
  let explicit = false;
  if (options && !/Function/.test(unwrap(options).type)) {
    const literal = m.objectLiteral(options);
    if (!literal) return;
    const cost = m.property(literal, 'N') ?? m.property(literal, 'cost');
    if (cost) {
      n = numberValue(m, cost);
      explicit = true;
    }
  }
  if (n === undefined || n >= SCRYPT_MIN_N) return;
  hits.push(
    m.hit('weak-scrypt', call.node, {
      messageId: explicit ? 'cost' : 'defaultCost',
      data: { n },
    }),
  );
}

/**
 * A hash compared with ===: the timing leaks how much of the stored hash a guess matches, which an
 * attacker turns into an offline crack only with many precise measurements — worth a constant-time
 * compare, not a refused commit (the fast hash itself, where there is one, is reported apart).
 */

/** `user.password === password` (plaintext) and `digest === user.passwordHash` (timing-unsafe). */
function comparisons(m: CodeModule, hits: Hit[]) {
  // The comparisons of one function (logto's verifier: MD5, SHA-1 and SHA-256 cases, each with ===) are one
  // cause and one fix (a constant-time compare helper): one finding with the others as its lines.
  const byFunction = new Map<Node | undefined, Hit>();
  const timing = (b: Node, operator: string) => {
    const fn = m.enclosingFunction(b);
    const first = byFunction.get(fn);
    if (first) {
      first.flow = [...(first.flow ?? []), m.line(b)];
      first.messageId = 'comparedMany';
      first.data = { ...first.data, count: Number(first.data?.count ?? 1) + 1 };
      return;
    }
    const hit: Hit = {
      ...m.hit('timing-unsafe-comparison', b, { messageId: 'compared', data: { operator } }),
      severity: 'warning',
    };
    byFunction.set(fn, hit);
    hits.push(hit);
  };
  for (const b of m.nodes('BinaryExpression')) {
    if (!/^[!=]==?$/.test(b.operator) || !COMPARED.test(m.source(b))) continue;
    judgeComparison(m, hits, [unwrap(b.left), unwrap(b.right)], b, b.operator, timing);
  }
  // comparePassword(input, user.password) where comparePassword = (a, b) => a === b: the helper's == is the call's.
  for (const call of m.calls()) {
    const fn = m.localFunction(call.node.callee);
    const pair = fn && equalityOfParameters(fn);
    if (!pair || !COMPARED.test(m.source(call.node))) continue;
    const sides = pair.indexes.map((i) => call.args[i]);
    if (sides.every((x) => x && x.type !== 'SpreadElement'))
      judgeComparison(
        m,
        hits,
        sides.map((x) => unwrap(x!)),
        call.node,
        pair.operator,
        timing,
      );
  }
}

/**
 * The comparisons made by an equality helper of another module (`import { safeEqual } from '../utils'`
 * with `safeEqual = (a, b) => a === b`): judged at the call, as a same-file helper's are.
 */
function withEqualityHelpers(m: CodeModule, file: SourceFile, ctx: CheckContext<Options>): Hit[] | Promise<Hit[]> {
  const hits = analyse(m, file, ctx);
  const calls = m
    .calls()
    .filter(
      (c) =>
        exportName(c) !== null &&
        c.args.length >= 2 &&
        COMPARED.test(m.source(c.node)) &&
        c.args.some((a) => a.type !== 'SpreadElement' && storedKind(m, unwrap(a))),
    );
  if (!calls.length) return hits;
  return (async () => {
    for (const call of calls) {
      const helper = await calledExport(ctx.project, file.path, call, ['==']);
      const pair = helper && equalityOfParameters(helper.fn);
      if (!pair) continue;
      const sides = pair.indexes.map((i) => call.args[i]);
      if (sides.some((x) => !x || x.type === 'SpreadElement')) continue;
      judgeComparison(
        m,
        hits,
        sides.map((x) => unwrap(x!)),
        call.node,
        pair.operator,
        (at, operator) =>
          hits.push({
            ...m.hit('timing-unsafe-comparison', at, { messageId: 'compared', data: { operator } }),
            severity: 'warning',
          }),
      );
    }
    return hits;
  })();
}

/** `(a, b) => a === b`, `function eq(x, y) { return x == y; }`: a helper whose whole answer is an equality of two of its parameters. */
export function equalityOfParameters(fn: Node): { indexes: [number, number]; operator: string } | undefined {
  const body = unwrap(fn.body);
  const statement = body.type === 'BlockStatement' && body.body.length === 1 ? body.body[0] : undefined;
  const value =
    body.type === 'BlockStatement' ? (statement?.type === 'ReturnStatement' ? statement.argument : null) : body;
  const test = value && unwrap(value);
  if (test?.type !== 'BinaryExpression' || !/^[!=]==?$/.test(test.operator)) return undefined;
  const index = (side: Node) => {
    const s = unwrap(side);
    return s.type === 'Identifier'
      ? fn.params.findIndex((p: Node) => p.type === 'Identifier' && p.name === s.name)
      : -1;
  };
  const [i, j] = [index(test.left), index(test.right)];
  return i >= 0 && j >= 0 && i !== j ? { indexes: [i, j], operator: test.operator } : undefined;
}

/** One comparison of two values (`sides`), reported at `at`: a stored password or hash against another value. */
function judgeComparison(
  m: CodeModule,
  hits: Hit[],
  sides: Node[],
  at: Node,
  operator: string,
  timing: (at: Node, operator: string) => void,
) {
  if (
    sides.some(
      (s) =>
        s.type === 'UnaryExpression' ||
        s.type === 'Literal' ||
        stringLiteral(s) !== undefined ||
        (s.type === 'Identifier' && s.name === 'undefined'),
    )
  )
    return;
  const stored = sides.map((s) => storedKind(m, s));
  const [a, c] = stored;
  if (a && c) return; // two stored values (a change check), not a login
  const i = a ? 0 : c ? 1 : -1;
  if (i >= 0) {
    const other = sides[1 - i]!;
    if (m.isConstant(other) || words(nameOf(other) ?? '').some((w) => CONFIRM_WORDS.has(w))) return;
    const digest = isDigest(m, other);
    const rule = stored[i] === 'hash' || digest ? 'timing-unsafe-comparison' : 'plaintext-comparison';
    if (rule === 'timing-unsafe-comparison') return timing(at, operator);
    hits.push(m.hit(rule, at, { messageId: 'compared', data: { code: m.source(sides[i]!), operator } }));
    return;
  }
  // hashPassword(password) === row.hash, md5(pw) === expected
  if (sides.some((s) => isDigest(m, s) && digestOfPassword(m, s)) && !sides.every((s) => isDigest(m, s)))
    timing(at, operator);
}

/** `user.password` (stored password) or `user.passwordHash` (stored hash): a member of an object that is not request input. */
function storedKind(m: CodeModule, n: Node): 'password' | 'hash' | null {
  if (n.type !== 'MemberExpression') return null;
  // InteractionEvent.ForgotPassword, VerificationType.Password: an enum member names a kind, it holds no password.
  const object = unwrap(n.object);
  if (object.type === 'Identifier' && /^[A-Z]/.test(object.name) && /^[A-Z]/.test(propertyName(n) ?? '')) return null;
  const prop = propertyName(n) ?? undefined;
  const kind = isPasswordHashName(prop)
    ? 'hash'
    : isPasswordName(prop) &&
        !words(prop!).some((w) => CONFIRM_WORDS.has(w) || w === 'new' || w === 'old' || w === 'current')
      ? 'password'
      : null;
  if (!kind) return null;
  let root = unwrap(n.object);
  while (root.type === 'MemberExpression') root = unwrap(root.object);
  const rootText = root.type === 'ThisExpression' ? 'this' : root.type === 'Identifier' ? root.name : '';
  const owner = nameOf(n.object) ?? '';
  if (
    INPUT_ROOTS.test(rootText) ||
    INPUT_ROOTS.test(owner) ||
    m.isRequestSource(n) ||
    m.taints(n.object, ['request']).length
  )
    return null;
  return kind;
}

/** A digest: `….digest('hex')`, `md5(x)`, `await hashPassword(x)`, or a variable holding one. */
function isDigest(m: CodeModule, expr: Node, depth = 0): boolean {
  const n = unwrap(expr.type === 'AwaitExpression' ? expr.argument : expr);
  if (depth > 4) return false;
  if (n.type === 'CallExpression') {
    const c = m.callee(n.callee);
    if (c.name === 'digest' || (c.name === 'toString' && isDigest(m, unwrap(n.callee).object ?? n, depth + 1)))
      return true;
    if (DIGEST_FUNCTIONS.test(c.name)) return true;
    return words(c.name).some((w) => w === 'hash' || w === 'digest') && c.name !== 'hashCode';
  }
  if (n.type === 'Identifier') {
    const b = m.binding(n);
    const def = b && b.kind !== 'param' && b.defs.length === 1 ? b.defs[0] : undefined;
    return !!def?.value && def.path.length === 0 && isDigest(m, def.value, depth + 1);
  }
  return false;
}

function digestOfPassword(m: CodeModule, expr: Node, depth = 0): boolean {
  const n = unwrap(expr.type === 'AwaitExpression' ? expr.argument : expr);
  if (depth > 4) return false;
  if (n.type === 'Identifier') {
    if (isPasswordHashName(n.name) || (/hash|digest/i.test(n.name) && depth > 0)) return true;
    const b = m.binding(n);
    const def = b && b.kind !== 'param' && b.defs.length === 1 ? b.defs[0] : undefined;
    return !!def?.value && def.path.length === 0 && digestOfPassword(m, def.value, depth + 1);
  }
  if (n.type !== 'CallExpression') return false;
  if (n.arguments.some((a: Node) => isPasswordValue(m, a))) return true;
  const c = unwrap(n.callee);
  return c.type === 'MemberExpression' && digestOfPassword(m, c.object, depth + 1);
}

// ── Reduced check for files the parser rejects ─────────────────────────

const PASSWORD = /pass(?:word|wd|phrase)?|pwd/i;
const FAST_HASHES = /^['"`](md5|sha-?1|sha-?224|sha-?256|sha-?384|sha-?512|md4|ripemd160)['"`]$/i;
const STORED =
  /(?<![\w$.])(?!req\b|request\b|body\b|input\b|form\b|data\b|params\b|args\b|ctx\b|dto\b)([A-Za-z_$][\w$]*)(?:\??\.[A-Za-z_$][\w$]*)*\??\.(pass(?:word|wd)?(?:_?hash)?|hashed_?password|password_?digest)\b/i;
const EQUALITY = /[!=]==?/g;
const OPERAND_END = /[\n;&|(){}?:,]/;

/** The lexical check of the foundation, kept for files the parser rejects. */
function lexical(min: number) {
  return (file: SourceFile): Hit[] => {
    const hits: Hit[] = [];
    const text = file.text;
    for (const call of findCalls(text, ['createHash'])) {
      const [algorithm] = callArguments(text, call.argsStart);
      if (!algorithm || !FAST_HASHES.test(algorithm.text)) continue;
      const end = text.slice(algorithm.end).search(/;|\n\s*\n/);
      const update = text
        .slice(algorithm.end, end < 0 ? text.length : algorithm.end + end)
        .match(/\.update\(([^)]*)\)/);
      if (update && PASSWORD.test(update[1]!)) hits.push({ rule: 'fast-hash', ...file.position(call.start) });
    }
    for (const call of findCalls(text, ['hash', 'hashSync', 'genSalt', 'genSaltSync'])) {
      if (
        !/bcrypt(?:js)?\s*\.\s*$/i.test(text.slice(Math.max(0, call.start - 20), call.start)) &&
        !/^genSalt/.test(call.name)
      )
        continue;
      const args = callArguments(text, call.argsStart);
      const costArg = call.name.startsWith('genSalt') ? args[0] : args[1];
      if (!costArg) continue;
      const value = /^\d+$/.test(costArg.text) ? costArg.text : resolveIdentifier(text, costArg.text, call.start);
      if (value !== null && /^\d+$/.test(value.trim()) && Number(value) < min)
        hits.push({ rule: 'low-bcrypt-cost', ...file.position(call.start) });
    }
    for (const m of text.matchAll(EQUALITY)) {
      let from = m.index;
      while (from > 0 && m.index - from < 200 && !OPERAND_END.test(text[from - 1]!)) from--;
      let to = m.index + m[0].length;
      while (to < text.length && to - m.index < 200 && !OPERAND_END.test(text[to]!)) to++;
      const left = text.slice(from, m.index).trim();
      const right = text.slice(m.index + m[0].length, to).trim();
      if (/^typeof\b/.test(left) || /^(?:['"`]|null\b|undefined\b|\d)/.test(right)) continue;
      const other = STORED.test(left) ? right : STORED.test(right) ? left : null;
      if (other === null || (!PASSWORD.test(other) && !/hash/i.test(other))) continue;
      hits.push({
        rule: 'plaintext-comparison',
        ...file.position(from + (text.slice(from, m.index).length - text.slice(from, m.index).trimStart().length)),
      });
    }
    return hits;
  };
}

/** What a module that hashes or compares passwords holds (with `password`, the atom's keywords). */
const HASH_WORDS = [
  'createhash',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'bcrypt',
  'argon2',
  'scrypt',
  'pbkdf2',
  'subtle',
  '.password',
  '.passwd',
  '.pwd',
  'hashedpassword',
  'hashed_password',
  'password_digest',
];

export default defineAtom<Options>({
  id: 'password-hashing',
  title: 'Passwords are stored with a slow, salted hash',
  criteria: {
    pass: 'Passwords are hashed with bcrypt (cost ≥ bcryptMinCost, default 12), argon2id (OWASP minimums: 19 MiB with t=2, or the equivalent), scrypt with N ≥ 2^15 or PBKDF2 with OWASP’s iteration counts, and checked with the library’s compare/verify function.',
    fail: 'A password is hashed with a fast digest (MD5, SHA-1, plain or salted SHA-256), bcrypt/argon2/scrypt/PBKDF2 run below their minimum cost, a stored password is compared with === (plaintext storage), or a password hash is compared with === instead of a constant-time check.',
  },
  files: [...CODE_FILES, ...TEST_FILES],
  keywords: [...HASH_WORDS, 'password'],
  defaultLevel: 'block',
  options: (z) => z.strictObject({ bcryptMinCost: z.number().int().min(4).max(31).default(12) }),
  rules: {
    'fast-hash': {
      message: 'A password is hashed with a fast digest, which GPUs brute-force at billions of guesses per second.',
      messages: {
        across: FLOW_MESSAGES.across,
        subtle:
          'A password is hashed with one {algorithm} digest (crypto.subtle.digest), which GPUs brute-force at billions of guesses per second.',
        call: 'A password is hashed with {call}(), a fast digest GPUs brute-force at billions of guesses per second.',
        digest:
          'A password is hashed with one {algorithm} digest, which GPUs brute-force at billions of guesses per second.',
      },
      fix: 'Use bcrypt (await bcrypt.hash(password, 12)), argon2id (await argon2.hash(password)) or scrypt, and verify with bcrypt.compare / argon2.verify.',
    },
    'low-bcrypt-cost': {
      message: 'bcrypt is used with a cost below the policy minimum.',
      messages: {
        across: FLOW_MESSAGES.across,
        cost: 'bcrypt cost {cost} is below the minimum of {min}.',
        defaultCost: 'bcrypt cost {cost} (the default of genSalt()) is below the minimum of {min}.',
        costAboveFloor:
          "bcrypt cost {cost} is below the minimum of {min} (OWASP's floor is {floor}, so this is a warning).",
        defaultCostAboveFloor:
          "bcrypt cost {cost} (the default of genSalt()) is below the minimum of {min} (OWASP's floor is {floor}, so this is a warning).",
        sharedCost: 'bcrypt cost {cost} (the constant `{name}`, used by {count} calls) is below the minimum of {min}.',
        sharedCostAboveFloor:
          "bcrypt cost {cost} (the constant `{name}`, used by {count} calls) is below the minimum of {min} (OWASP's floor is {floor}, so this is a warning).",
      },
      fix: 'Raise the cost to at least bcryptMinCost (default 12): bcrypt.hash(password, 12) or bcrypt.genSalt(12).',
    },
    'weak-argon2': {
      message: 'argon2 runs with a variant or parameters below the OWASP minimums.',
      messages: {
        across: FLOW_MESSAGES.across,
        type: 'argon2 runs with {type} instead of argon2id.',
        memory:
          'argon2 runs with {memory} KiB of memory with {passes} (OWASP: at least {need} KiB for t={t}, e.g. 19456 KiB with t=2).',
        typeAndMemory:
          'argon2 runs with {type} instead of argon2id and {memory} KiB of memory with {passes} (OWASP: at least {need} KiB for t={t}, e.g. 19456 KiB with t=2).',
      },
      fix: 'Use argon2id with the library defaults (argon2.hash(password)) or at least { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 }.',
    },
    'weak-scrypt': {
      message: 'scrypt hashes a password with a cost below 2^15.',
      messages: {
        across: FLOW_MESSAGES.across,
        cost: 'scrypt hashes a password with cost N={n}, below 2^15.',
        defaultCost: "scrypt hashes a password with cost N={n} (Node's default), below 2^15.",
      },
      fix: 'Pass the cost explicitly: crypto.scrypt(password, salt, 64, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 }, cb) (maxmem must grow with N), or use argon2id.',
    },
    'low-pbkdf2-iterations': {
      message: 'PBKDF2 runs fewer iterations than OWASP asks for its digest.',
      messages: {
        across: FLOW_MESSAGES.across,
        iterations: 'PBKDF2-HMAC-{digest} runs {iterations} iterations; OWASP asks for at least {need}.',
      },
      fix: "Use at least 600000 iterations with 'sha256' (210000 with 'sha512'), or move to argon2id/bcrypt.",
    },
    'plaintext-comparison': {
      message: 'A stored password is compared with ===, which means it is stored as typed.',
      messages: {
        across: FLOW_MESSAGES.across,
        compared: '`{code}` is compared with {operator}: the password is stored as it was typed.',
      },
      fix: 'Store a bcrypt/argon2 hash and verify with await bcrypt.compare(password, user.passwordHash) (or argon2.verify(user.passwordHash, password)).',
    },
    'timing-unsafe-comparison': {
      message: 'A password hash is compared with ===, which leaks timing.',
      messages: {
        across: FLOW_MESSAGES.across,
        compared:
          'A password hash is compared with {operator}, which leaks how many leading characters match (a warning: exploiting it takes many precise measurements).',
        comparedMany:
          'Password hashes are compared with {operator} in {count} places of this function, which leaks how many leading characters match (a warning: exploiting it takes many precise measurements).',
      },
      fix: 'Verify with the library (await bcrypt.compare(password, user.passwordHash), argon2.verify), or compare fixed-length digests with crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b)).',
    },
  },
  examples: {
    bad: [
      // Two files: the hash helper is MD5; the sign-up route hands it the password.
      {
        file: 'src/routes/signup.ts',
        code: "import { hash } from '../utils/crypto';\nrouter.post('/signup', async (req, res) => {\n  const user = await User.create({ email: req.body.email, passwordHash: hash(req.body.password) }); // ✗\n  res.status(201).json({ id: user.id });\n});",
        others: {
          'src/utils/crypto.ts':
            "import { createHash } from 'crypto';\nexport const hash = (value: string) => createHash('md5').update(value).digest('hex');",
        },
      },
      // A same-file helper whose answer is ===: the stored password is compared as it is.
      {
        file: 'src/routes/login.js',
        code: "const comparePassword = (a, b) => a === b;\nrouter.post('/login', async (req, res) => {\n  const user = await User.findOne({ email: req.body.email });\n  if (!user || !comparePassword(req.body.password, user.password)) return res.sendStatus(401); // ✗\n  res.json({ token: sign(user) });\n});",
      },
      // Two files: the same, with the equality helper in a utility module.
      {
        file: 'src/routes/session.js',
        code: "const { same } = require('../utils/compare');\nrouter.post('/session', async (req, res) => {\n  const user = await User.findOne({ email: req.body.email });\n  if (!user || !same(user.password, req.body.password)) return res.sendStatus(401); // ✗\n  res.json({ token: sign(user) });\n});",
        others: { 'src/utils/compare.js': 'exports.same = (a, b) => a === b;' },
      },
      // Legacy formats compared with === in one verifier: the fast digests each, the comparisons as one finding.
      {
        file: 'src/libraries/verify-legacy.ts',
        code: "export async function verifyLegacy(password: string, user: User) {\n  switch (user.passwordAlgorithm) {\n    case 'md5':\n      return (await md5(password)) === user.passwordHash; // ✗\n    case 'sha1':\n      return (await sha1(password)) === user.passwordHash; // ✗\n  }\n}",
      },
      // One constant, three calls: one finding at the first call, naming the constant (one cause, one fix).
      {
        file: 'src/services/user-service.ts',
        code: "import bcrypt from 'bcryptjs';\nconst saltRounds = 8;\nexport const create = (password: string) => bcrypt.hash(password, saltRounds); // ✗\nexport const reset = (password: string) => bcrypt.hash(password, saltRounds);\nexport const change = (password: string) => bcrypt.hash(password, saltRounds);",
      },
      {
        file: 'src/users.ts',
        code: "import { createHash } from 'node:crypto';\nconst hash = createHash('md5').update(password).digest('hex'); // ✗",
      },
      {
        file: 'src/users.js',
        code: "user.passwordHash = crypto.createHash('sha1').update(req.body.password).digest('hex'); // ✗",
      },
      {
        file: 'src/signup.ts',
        code: "import bcrypt from 'bcrypt';\nconst hashed = await bcrypt.hash(password, 10); // ✗",
      },
      {
        file: 'src/signup.js',
        code: "const bcrypt = require('bcryptjs');\nconst saltRounds = 8;\nconst salt = bcrypt.genSaltSync(saltRounds); // ✗",
      },
      { file: 'src/login.ts', code: 'if (user.password === password) { // ✗\n  return issueSession(user);\n}' },
      {
        file: 'src/legacy.js',
        code: "const salted = salt + pwd;\nconst digest = crypto.createHash('sha256').update(salted).digest('base64'); // ✗",
      },
      {
        file: 'src/low-cost-policy.ts',
        code: "import bcrypt from 'bcrypt';\nawait bcrypt.hash(password, 12); // ✗",
        options: { bcryptMinCost: 14 },
      },
      {
        file: 'src/argon.ts',
        code: "import argon2 from 'argon2';\nexport const hashPassword = (password: string) =>\n  argon2.hash(password, { type: argon2.argon2id, memoryCost: 4096, timeCost: 2 }); // ✗",
      },
      {
        file: 'src/scrypt.js',
        code: "const { scryptSync, randomBytes } = require('crypto');\nconst salt = randomBytes(16);\nconst key = scryptSync(password, salt, 64); // ✗",
      },
      {
        file: 'src/auth.js',
        code: 'async function login(email, password) {\n  const user = await db.users.findOne({ email });\n  const hash = sha256(user.salt + password); // ✗\n  return hash === user.passwordHash; // ✗\n}',
      },
      {
        file: 'src/pbkdf2.ts',
        code: "import { pbkdf2Sync } from 'node:crypto';\nconst derived = pbkdf2Sync(password, salt, 10000, 64, 'sha512'); // ✗",
      },
      // A helper whose result is stored as the password hash, not used as a cipher key.
      {
        file: 'src/users/hash.ts',
        code: "import crypto from 'node:crypto';\nconst derive = (password: string, salt: Buffer) =>\n  crypto.pbkdf2Sync(password, salt, 10000, 32, 'sha512'); // ✗\nexport function hashPassword(password: string) {\n  const salt = crypto.randomBytes(16);\n  const hash = derive(password, salt);\n  return `${salt.toString('hex')}:${hash.toString('hex')}`;\n}",
      },
    ],
    good: [
      // Two files: the same sign-up route; the helper is bcrypt at cost 12.
      {
        file: 'src/routes/signup.ts',
        code: "import { hash } from '../utils/crypto';\nrouter.post('/signup', async (req, res) => {\n  const user = await User.create({ email: req.body.email, passwordHash: await hash(req.body.password) });\n  res.status(201).json({ id: user.id });\n});",
        others: {
          'src/utils/crypto.ts':
            "import bcrypt from 'bcrypt';\nexport const hash = (value: string) => bcrypt.hash(value, 12);",
        },
      },
      // A same-file helper that asks bcrypt: the comparison is the library's.
      {
        file: 'src/routes/login.js',
        code: "const comparePassword = (a, b) => bcrypt.compare(a, b);\nrouter.post('/login', async (req, res) => {\n  const user = await User.findOne({ email: req.body.email });\n  if (!user || !(await comparePassword(req.body.password, user.passwordHash))) return res.sendStatus(401);\n  res.json({ token: sign(user) });\n});",
      },
      // PBKDF2 of an app secret as an encryption key: key derivation for a cipher, not a stored password hash.
      {
        file: 'src/lib/crypto.ts',
        code: "import crypto from 'node:crypto';\nconst getKey = (password: string, salt: Buffer) =>\n  crypto.pbkdf2Sync(password, salt, 10000, 32, 'sha512');\nexport function encrypt(value: string, secret: string) {\n  const iv = crypto.randomBytes(16);\n  const salt = crypto.randomBytes(64);\n  const key = getKey(secret, salt);\n  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);\n  return Buffer.concat([salt, iv, cipher.update(value, 'utf8'), cipher.final()]).toString('base64');\n}",
      },
      {
        file: 'src/routes/interaction.ts',
        code: "if (interaction.event !== InteractionEvent.ForgotPassword) throw new RequestError('invalid');\nif (verification.type === VerificationType.Password) return verifyPassword(verification);",
      },
      {
        file: 'src/services/reset-token.ts',
        code: "import bcrypt from 'bcryptjs';\nimport crypto from 'node:crypto';\nconst generateToken = () => bcrypt.hash(crypto.randomBytes(32).toString(), 10);",
      },
      {
        file: 'src/users.ts',
        code: "import bcrypt from 'bcrypt';\nconst hash = await bcrypt.hash(password, 12);\nconst ok = await bcrypt.compare(password, user.passwordHash);",
      },
      {
        file: 'src/files.ts',
        code: "import { createHash } from 'node:crypto';\nconst etag = createHash('sha1').update(fileBuffer).digest('hex');",
      },
      {
        file: 'src/signup.ts',
        code: "if (password !== confirmPassword) throw new Error('Passwords do not match');\nif (password === '') throw new Error('required');\nif (req.body.password !== req.body.passwordConfirm) return res.status(400).end();",
      },
      {
        file: 'src/users.js',
        code: "const bcrypt = require('bcrypt');\nconst SALT_ROUNDS = 12;\nconst hashed = await bcrypt.hash(req.body.password, SALT_ROUNDS);",
      },
      {
        file: 'src/argon.ts',
        code: "import argon2 from 'argon2';\nconst hash = await argon2.hash(password, { type: argon2.argon2id });\nconst strong = await argon2.hash(password, { memoryCost: 2 ** 16, timeCost: 3, parallelism: 4 });",
      },
      {
        file: 'src/compare.ts',
        code: "import { timingSafeEqual } from 'node:crypto';\nconst ok = timingSafeEqual(Buffer.from(a), Buffer.from(b));\nif (typeof user.password === 'string') check(user);\nif (user.passwordHash === null) return;",
      },
      {
        file: 'src/reset.ts',
        code: "import { createHash, randomBytes } from 'node:crypto';\nconst resetPasswordToken = randomBytes(32).toString('hex');\nuser.resetPasswordTokenHash = createHash('sha256').update(resetPasswordToken).digest('hex');",
      },
      {
        file: 'src/scrypt.ts',
        code: "import { scrypt } from 'node:crypto';\nscrypt(password, salt, 64, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 }, done);\nconst key = scryptSync(process.env.MASTER_KEY, 'salt', 32);",
      },
      {
        file: 'src/change.ts',
        code: 'if (updated.passwordHash !== existing.passwordHash) await revokeSessions(user.id);\nconst same = await bcrypt.compare(password, user.password);',
      },
    ],
  },
  check: codeCheck<Options>(
    // A password passed to a helper of another module that hashes it fast: reported at the call.
    followCalls(withEqualityHelpers, HASH_WORDS, {
      argument: (m, arg) => (isPasswordValue(m, arg) ? [passedValue(m, arg)] : []),
      text: /pass(?:word|wd)|pwd/i,
      sink: (hit) =>
        typeof hit.data?.algorithm === 'string'
          ? `a fast ${hit.data.algorithm} hash`
          : typeof hit.data?.call === 'string'
            ? `${hit.data.call}(), a fast hash`
            : `a weak hash (${hit.rule})`,
    }),
    (file, ctx) => lexical(ctx.options.bcryptMinCost)(file),
  ),
});
