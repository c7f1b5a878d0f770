/**
 * What cuts a flow: sanitiser calls (numbers and booleans, schema parse
 * results, escape/sanitize/encode functions, `path.basename`) and guards that
 * dominate a use (an `if` that leaves unless the value is in an allow-list,
 * matches an anchored pattern, stays inside a root, or is a string), found
 * through the reaching definitions of a binding.
 */
import { propertyName, stringLiteral, unwrap, type Node } from '../nodes.js';
import type { CodeModule } from '../module.js';
import type { Binding, Def } from '../scope.js';
import type { Guard, Links, Strength, Target } from './model.js';
import { SCHEMA_LIBRARIES } from '../../kit/schema-libraries.js';

/** Keys that change an object's prototype: comparing a key with one of them is a pollution guard, not an allow-list. */
export const PROTO_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Calls whose result is a number or boolean, or otherwise carries none of the input's text. */
export const SCALAR_FUNCTIONS = new Set(['parseInt', 'parseFloat', 'Number', 'Boolean', 'BigInt', 'isNaN', 'isFinite']);
export const SCALAR_ROOTS = new Set(['Math', 'Date', 'Number']);
export const SCALAR_METHODS = new Set([
  'length',
  'includes',
  'startsWith',
  'endsWith',
  'indexOf',
  'lastIndexOf',
  'test',
  'some',
  'every',
  'has',
  'search',
  'localeCompare',
  'charCodeAt',
  'codePointAt',
  'getTime',
  'toFixed',
  'toPrecision',
  'findIndex',
  'isArray',
  'isInteger',
  'isSafeInteger',
  'hasOwnProperty',
  'digest',
  'compare',
  'compareSync',
  'verify',
  'size',
  'byteLength',
  'valueOf',
]);
/** Names of functions that escape, sanitise or encode their input. */
export const SANITISER_NAME =
  /^(?!un)\w*(?:escape|sanitiz|sanitis|purify|encode(?!d)|quote|xss|strip_?tags|stripTags|slugify|filterXSS)\w*$/i;
export const SANITISER_CALLS = new Set([
  'basename',
  'extname',
  'uuid',
  'randomUUID',
  'nanoid',
  'matchedData',
  'ObjectId',
  'toObjectId',
]);
/**
 * Schema libraries: a value they parse is validated. effect's Schema counts here, where only its
 * parse/validate/decode calls and schemas built from it cut a flow (any call into `effect` is not a check).
 */
export const SCHEMA_MODULES: ReadonlySet<string> = new Set([...SCHEMA_LIBRARIES, '@effect/schema', 'effect']);
export const SCHEMA_METHODS = new Set([
  'parse',
  'parseAsync',
  'safeParse',
  'safeParseAsync',
  'validate',
  'validateSync',
  'validateAsync',
  'cast',
  'attempt',
  'assert',
  'create',
  'decode',
  'unsafeParse',
]);
export const SCHEMA_ROOTS = new Set(['z', 'Joi', 'joi', 'yup', 'v', 'Yup', 't', 'S', 's']);
/** Parsers whose `.parse` passes data through rather than validating it. */
export const PASS_THROUGH_PARSERS = new Set([
  'JSON',
  'qs',
  'querystring',
  'url',
  'URL',
  'path',
  'yaml',
  'YAML',
  'cookie',
  'contentType',
  'Date',
  'bodyParser',
  'parser',
  'mime',
  'toml',
  'JSON5',
  'ini',
  'csv',
  'papa',
  'Papa',
  'marked',
  'm',
]);
export const VALIDATOR_NAME =
  /^(?:is|has|check)?(?:valid|safe|allowed|permitted|trusted|whitelisted|allowlisted|known|supported)|(?:valid(?:ate)?|allowed|whitelist|allowlist|isMongoId|isUUID|isInt|isNumeric|isAlphanumeric|isSlug|isObjectId|isValidObjectId)$|^(?:isUUID|isMongoId|isInt|isNumeric|isAlphanumeric|isAlpha|isEmail|isHexadecimal|isSlug|isObjectIdOrHexString)$/i;
export const ASSERT_NAME = /^(?:assert|ensure|validate|check|verify|invariant)\w*$/i;

export class Guards {
  constructor(
    private readonly m: CodeModule,
    private readonly links: Links,
  ) {}

  /** A call whose result carries none of its input's danger: numbers and booleans, escapes, schema validation, basename. */
  isSanitiserCall(call: Node): boolean {
    const n = unwrap(call);
    if (n.type !== 'CallExpression') return false;
    const callee = this.m.callee(n.callee);
    const name = callee.name;
    const root = callee.path[0];
    if (!callee.module && callee.path.length === 1 && SCALAR_FUNCTIONS.has(name)) return true;
    if (!callee.module && root && SCALAR_ROOTS.has(root) && callee.path.length === 2) return true;
    if (SCALAR_METHODS.has(name) && callee.path.length > 1) return true;
    if (SANITISER_NAME.test(name) || SANITISER_CALLS.has(name)) return true;
    if (
      callee.module &&
      SCHEMA_MODULES.has(callee.module) &&
      (callee.path.length === 1
        ? /parse|validate|assert|create|is|decode|plainToInstance|plainToClass/i.test(name)
        : SCHEMA_METHODS.has(name))
    )
      return true;
    if (SCHEMA_METHODS.has(name) && callee.path.length >= 2) {
      const recv = unwrap(n.callee).type === 'MemberExpression' ? unwrap(unwrap(n.callee).object) : null;
      if (recv && this.isSchema(recv)) return true;
    }
    if (name === 'attempt' && root && /^joi$/i.test(root)) return true;
    return false;
  }

  /** A value that is a validation schema: built from zod/joi/yup/valibot, or named like one. */
  isSchema(expr: Node, depth = 0): boolean {
    const n = unwrap(expr);
    if (depth > 6) return false;
    if (n.type === 'Identifier') {
      if (PASS_THROUGH_PARSERS.has(n.name) && !this.m.binding(n)) return false;
      if (/schema|validator|validation|dto$|^[A-Z]\w*Input$|^[A-Z]\w*Body$|^[A-Z]\w*Params$/i.test(n.name)) return true;
      const b = this.m.binding(n);
      if (!b) return SCHEMA_ROOTS.has(n.name);
      if (b.import) return SCHEMA_MODULES.has(b.import.module);
      const v = b.defs.length === 1 ? b.defs[0]!.value : null;
      return v ? this.isSchema(v, depth + 1) : false;
    }
    if (n.type === 'CallExpression' || n.type === 'MemberExpression') {
      const c = this.m.callee(n.type === 'CallExpression' ? n.callee : n);
      if (c.module && SCHEMA_MODULES.has(c.module)) return true;
      if (
        !c.module &&
        c.path[0] &&
        SCHEMA_ROOTS.has(c.path[0]) &&
        !this.m.topLevel(c.path[0])?.defs.length &&
        c.path.length > 1
      )
        return true;
      const root = n.type === 'CallExpression' ? unwrap(n.callee) : n;
      if (root.type === 'MemberExpression') return this.isSchema(root.object, depth + 1);
    }
    return false;
  }

  /** The definitions of a binding that may reach a use: a plain assignment before the use, in a block around it, replaces earlier ones. */
  reachingDefs(b: Binding, use: Node): Def[] {
    if (b.defs.length <= 1) return b.defs;
    let killer: Def | undefined;
    for (const def of b.defs) {
      if (def.kind !== 'init' && def.kind !== 'assign') continue;
      if (def.node.start >= use.start) continue;
      const stmt = this.statementOf(def);
      const list = stmt && this.m.parent(stmt);
      if (!stmt || !list || !isStatementList(list) || use.start < list.start || use.end > list.end) continue;
      if (!killer || def.node.start > killer.node.start) killer = def;
    }
    if (!killer) return b.defs;
    return b.defs.filter((d) => d === killer || d.node.start > killer.node.start || d.kind === 'param');
  }

  private statementOf(def: Def): Node | undefined {
    if (def.kind === 'init') return this.m.parent(def.node);
    const p = this.m.parent(def.node);
    return p?.type === 'ExpressionStatement' ? p : undefined;
  }

  /** `a.b.c` with an identifier at its root, as a guard target. */
  chainTarget(n: Node): Target | null {
    let o = n;
    while (o.type === 'MemberExpression' && !o.computed) o = unwrap(o.object);
    if (o.type !== 'Identifier') return null;
    const root = this.m.binding(o);
    return root ? { text: this.m.source(n).replace(/\s+/g, ''), root } : null;
  }

  /** The strongest guard that protects this use of a binding (or member chain), if any. */
  guardAt(use: Node, b: Target): Strength | null {
    let best: Strength | null = null;
    let child: Node = use;
    for (const a of this.m.ancestors(use)) {
      let g: Guard | null = null;
      switch (a.type) {
        case 'IfStatement':
        case 'ConditionalExpression':
          if (child === a.consequent) g = pos(this.guardTest(a.test, b));
          else if (child === a.alternate) g = neg(this.guardTest(a.test, b));
          break;
        case 'LogicalExpression':
          if (child === a.right && a.operator === '&&') g = pos(this.guardTest(a.left, b));
          else if (child === a.right && a.operator === '||') g = neg(this.guardTest(a.left, b));
          break;
        case 'BlockStatement':
        case 'Program':
        case 'StaticBlock':
        case 'SwitchCase':
          for (const s of (a.type === 'SwitchCase' ? a.consequent : a.body) as Node[]) {
            if (s === child || s.start >= child.start) break;
            const sg = this.statementGuard(s, b);
            if (sg === 'safe') return 'safe';
            if (sg) best = sg;
          }
          break;
      }
      if (g?.strength === 'safe') return 'safe';
      if (g) best = g.strength;
      if (a === ('scope' in b ? b.scope : b.root.scope).node) break;
      child = a;
    }
    return best;
  }

  /** A statement before the use that leaves unless the binding is safe: `if (!ALLOWED.has(x)) return …`, `assertSafe(x)`. */
  private statementGuard(s: Node, b: Target): Strength | null {
    if (s.type === 'IfStatement') {
      const g = this.guardTest(s.test, b);
      if (g?.polarity === 'neg' && exits(s.consequent)) return g.strength;
      if (g?.polarity === 'pos' && s.alternate && exits(s.alternate)) return g.strength;
      return null;
    }
    if (s.type === 'ExpressionStatement') {
      let e = unwrap(s.expression);
      if (e.type === 'AwaitExpression') e = unwrap(e.argument);
      if (e.type === 'CallExpression' && (e.arguments as Node[]).some((x) => this.mentions(x, b))) {
        const name = this.m.callee(e.callee).name;
        if (name === 'assert' || name === 'ok' || name === 'invariant') {
          const g = this.guardTest(e.arguments[0], b);
          return g?.polarity === 'pos' ? g.strength : null;
        }
        if (ASSERT_NAME.test(name)) return 'safe';
      }
    }
    return null;
  }

  /** What a test says about a binding when it is true. */
  private guardTest(test: Node | null | undefined, b: Target, depth = 0): Guard | null {
    if (!test || depth > 6) return null;
    const t = unwrap(test);
    const safe = (polarity: Guard['polarity']): Guard => ({ polarity, strength: 'safe' });
    switch (t.type) {
      case 'UnaryExpression':
        return t.operator === '!' ? flip(this.guardTest(t.argument, b, depth + 1)) : null;
      case 'LogicalExpression': {
        const l = this.guardTest(t.left, b, depth + 1);
        const r = this.guardTest(t.right, b, depth + 1);
        if (t.operator === '&&') {
          const poss = [l, r].filter((g): g is Guard => g?.polarity === 'pos');
          return poss.find((g) => g.strength === 'safe') ?? poss[0] ?? null;
        }
        if (t.operator === '||') {
          const negs = [l, r].filter((g): g is Guard => g?.polarity === 'neg');
          if (negs.length) return negs.find((g) => g.strength === 'safe') ?? negs[0]!;
          return l?.polarity === 'pos' && r?.polarity === 'pos'
            ? { polarity: 'pos', strength: l.strength === 'safe' && r.strength === 'safe' ? 'safe' : 'string' }
            : null;
        }
        return null;
      }
      case 'Identifier': {
        // const ok = ALLOWED.includes(x); if (!ok) return;
        const ib = this.m.binding(t);
        const v = ib && ib.kind === 'const' && ib.defs.length === 1 && ib !== b ? ib.defs[0]!.value : null;
        return v ? this.guardTest(v, b, depth + 1) : null;
      }
      case 'MemberExpression':
        // schema.safeParse(x).success
        if (propertyName(t) === 'success' && unwrap(t.object).type === 'CallExpression' && this.mentions(t.object, b))
          return safe('pos');
        if (propertyName(t) === 'success' && unwrap(t.object).type === 'Identifier') {
          const ob = this.m.binding(unwrap(t.object));
          const v = ob?.defs.length === 1 ? ob.defs[0]!.value : null;
          if (v && this.mentions(v, b)) return safe('pos');
        }
        return null;
      case 'BinaryExpression':
        return this.comparisonGuard(t, b);
      case 'CallExpression':
        return this.callGuard(t, b);
      default:
        return null;
    }
  }

  private comparisonGuard(t: Node, b: Target): Guard | null {
    const op = t.operator as string;
    const left = unwrap(t.left);
    const right = unwrap(t.right);
    const eq = op === '===' || op === '==';
    const ne = op === '!==' || op === '!=';
    if (eq || ne) {
      const polarity = (p: boolean): Guard['polarity'] => (p === eq ? 'pos' : 'neg');
      // typeof x === 'string'
      for (const [a, lit] of [
        [left, right],
        [right, left],
      ] as const) {
        if (a.type === 'UnaryExpression' && a.operator === 'typeof' && this.mentions(a.argument, b)) {
          const type = stringLiteral(lit);
          if (type === 'string') return { polarity: polarity(true), strength: 'string' };
          if (type === 'number' || type === 'boolean') return { polarity: polarity(true), strength: 'safe' };
          return null;
        }
      }
      // ALLOWED.indexOf(x) !== -1
      for (const [a, lit] of [
        [left, right],
        [right, left],
      ] as const) {
        if (
          a.type === 'CallExpression' &&
          propertyName(unwrap(a.callee)) === 'indexOf' &&
          isMinusOne(lit) &&
          this.callGuard(
            { ...a, callee: { ...unwrap(a.callee), property: { type: 'Identifier', name: 'includes' } } },
            b,
          )
        ) {
          return { polarity: polarity(false), strength: 'safe' };
        }
      }
      const [mine, other] = this.mentions(left, b)
        ? [left, right]
        : this.mentions(right, b)
          ? [right, left]
          : [null, null];
      if (!mine || this.mentions(other!, b)) return null;
      const lit = stringLiteral(other);
      if (lit !== undefined && PROTO_KEYS.has(lit)) return { polarity: polarity(false), strength: 'safe' };
      if (other!.type === 'Literal' || lit !== undefined) return { polarity: polarity(true), strength: 'safe' };
      const prop = mine.type === 'MemberExpression' ? propertyName(mine) : null;
      if (prop === 'origin' || prop === 'host' || prop === 'hostname')
        return { polarity: polarity(true), strength: 'safe' };
      if (this.links.isConstant(other!)) return { polarity: polarity(true), strength: 'safe' };
      return null;
    }
    // ALLOWED.indexOf(x) >= 0 / > -1
    if (
      (op === '>=' || op === '>' || op === '<') &&
      left.type === 'CallExpression' &&
      propertyName(unwrap(left.callee)) === 'indexOf' &&
      this.mentions(left.arguments[0] ?? left, b) &&
      !this.mentions(unwrap(left.callee).object, b)
    ) {
      return { polarity: op === '<' ? 'neg' : 'pos', strength: 'safe' };
    }
    if (op === 'in' && this.mentions(left, b) && !this.mentions(right, b)) return { polarity: 'pos', strength: 'safe' };
    return null;
  }

  private callGuard(t: Node, b: Target): Guard | null {
    const callee = unwrap(t.callee);
    const a = t.arguments as Node[];
    const argMentions = a.some((x) => this.mentions(x, b));
    // isRedirectAllowed(url) whose own check is url.includes(allowed): its name promises more than it checks.
    const helper = this.m.importedFunction(t) ?? { module: this.m, fn: this.m.localFunction(t.callee) };
    if (argMentions && helper.fn && weakContainment(helper.module, helper.fn)) return null;
    if (callee.type === 'MemberExpression') {
      const name = propertyName(callee);
      const recv = unwrap(callee.object);
      const recvMentions = this.mentions(recv, b);
      if (!name) return null;
      if (
        (name === 'includes' || name === 'has' || name === 'hasOwnProperty' || name === 'hasOwn') &&
        argMentions &&
        !recvMentions
      ) {
        // ['__proto__', 'constructor'].includes(key) is a pollution check: true means unsafe.
        if (
          recv.type === 'ArrayExpression' &&
          recv.elements.some((e: Node | null) => e && PROTO_KEYS.has(stringLiteral(e) ?? ''))
        )
          return { polarity: 'neg', strength: 'safe' };
        return { polarity: 'pos', strength: 'safe' };
      }
      if (recvMentions && (name === 'includes' || name === 'indexOf')) {
        const lit = stringLiteral(a[0]);
        if (lit !== undefined && /\.\.|^[\\/]$|\0/.test(lit)) return { polarity: 'neg', strength: 'safe' };
        return null;
      }
      if (recvMentions && name === 'startsWith') {
        const lit = stringLiteral(a[0]);
        if (lit === undefined) return { polarity: 'pos', strength: 'safe' }; // inside a root directory or origin
        if (lit.startsWith('//') || lit.startsWith('\\') || lit === '..' || lit.startsWith('../'))
          return { polarity: 'neg', strength: 'safe' };
        if (lit.startsWith('/') || /^[a-z][\w+.-]*:\/\/[^/]+\//i.test(lit))
          return { polarity: 'pos', strength: 'safe' };
        return null;
      }
      if ((name === 'test' || name === 'match') && (name === 'test' ? argMentions : recvMentions)) {
        const re = name === 'test' ? recv : unwrap(a[0] ?? recv);
        const pattern = this.regexSource(re);
        if (pattern === undefined) return null;
        if (/\\\.\\\.|\.\\\./.test(pattern) && !pattern.startsWith('^')) return { polarity: 'neg', strength: 'safe' };
        if (pattern.startsWith('^') && pattern.endsWith('$') && !/\.[*+]|\\S[*+]|\[\^/.test(pattern))
          return { polarity: 'pos', strength: 'safe' };
        return null;
      }
      if ((name === 'isValid' || VALIDATOR_NAME.test(name)) && argMentions)
        return { polarity: 'pos', strength: 'safe' };
      if ((name === 'isInteger' || name === 'isSafeInteger' || name === 'isFinite') && argMentions)
        return { polarity: 'pos', strength: 'safe' };
      if (SCHEMA_METHODS.has(name) && argMentions && this.isSchema(recv)) return { polarity: 'pos', strength: 'safe' };
      return null;
    }
    if (callee.type === 'Identifier' && argMentions) {
      // isValidUrl(url) checks a format, not where it leads; isURLAllowed(url, list) checks an allow-list.
      if (
        VALIDATOR_NAME.test(callee.name) &&
        (!/url/i.test(callee.name) || /allowed|permitted|trusted|whitelist|allowlist/i.test(callee.name))
      )
        return { polarity: 'pos', strength: 'safe' };
      if (callee.name === 'isNaN') return { polarity: 'neg', strength: 'safe' };
    }
    return null;
  }

  private regexSource(node: Node): string | undefined {
    const n = unwrap(node);
    if (n.type === 'Literal' && n.regex) return n.regex.pattern;
    if (n.type === 'Identifier') {
      const b = this.m.binding(n);
      const v = b?.defs.length === 1 ? b.defs[0]!.value : null;
      return v ? this.regexSource(v) : undefined;
    }
    return undefined;
  }

  /** Whether an expression refers to the binding (or holds the member chain) anywhere inside it. */
  mentions(node: Node, b: Target): boolean {
    if (!node) return false;
    if ('text' in b) return wholeChain(b.text).test(this.m.source(node).replace(/\s+/g, ''));
    const uses = this.m.uses(b);
    return uses.some((u) => u.start >= node.start && u.end <= node.end);
  }
}

/**
 * A helper whose check an attacker's value passes: a parameter that merely contains another value
 * (`url.includes(allowed)`, `url.indexOf(host) !== -1`), starts with an origin not closed by `/`
 * (`https://example.com` also starts `https://example.com.evil.io`), or ends with a host not opened
 * by `.` (`example.com` also ends `evilexample.com`).
 */
export function weakContainment(m: CodeModule, fn: Node): boolean {
  let weak = weakChecks.get(fn);
  if (weak === undefined) weakChecks.set(fn, (weak = containmentOnly(m, fn)));
  return weak;
}

const weakChecks = new WeakMap<Node, boolean>();

function containmentOnly(m: CodeModule, fn: Node): boolean {
  const params = new Set(
    (fn.params as Node[])
      .map((p) => (p.type === 'AssignmentPattern' ? p.left : p))
      .filter((p) => p.type === 'Identifier'),
  );
  const fromParam = (n: Node) =>
    [...params].some((p) => m.uses(m.binding(p)!).some((u) => u.start >= n.start && u.end <= n.end));
  for (const call of m.calls()) {
    if (call.node.start < fn.start || call.node.end > fn.end || !params.size) continue;
    const c = unwrap(call.node.callee);
    if (c.type !== 'MemberExpression' || !fromParam(c.object)) continue;
    const name = call.callee.name;
    const arg = call.args[0];
    const literal = arg ? m.stringValue(arg) : undefined;
    if ((name === 'includes' || name === 'indexOf') && arg && literal === undefined) return true;
    if (name === 'startsWith' && literal !== undefined && /^[a-z][\w+.-]*:\/\/[^/]+$/i.test(literal)) return true;
    if (name === 'endsWith' && literal !== undefined && /^[\w-]+\.[\w.-]+$/.test(literal)) return true;
  }
  return false;
}

/**
 * The chain as a whole (or with a method called on it), not as the start of a longer chain: a check
 * of `req.body.name` says nothing about the rest of `req.body`; `req.query.to.startsWith('/')` is about `req.query.to`.
 */
const wholeChain = (text: string) =>
  new RegExp(`(?<![\\w$.])${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w$[])(?!\\.[\\w$]+(?![\\w$(]))`);

export const pos = (g: Guard | null): Guard | null => (g?.polarity === 'pos' ? g : null);

export const neg = (g: Guard | null): Guard | null =>
  g?.polarity === 'neg' ? { polarity: 'pos', strength: g.strength } : null;

export const flip = (g: Guard | null): Guard | null =>
  g ? { polarity: g.polarity === 'pos' ? 'neg' : 'pos', strength: g.strength } : null;

export function isMinusOne(n: Node): boolean {
  const u = unwrap(n);
  return (
    (u.type === 'UnaryExpression' && u.operator === '-' && unwrap(u.argument).value === 1) ||
    (u.type === 'Literal' && u.value === -1)
  );
}

export function isStatementList(n: Node): boolean {
  return n.type === 'BlockStatement' || n.type === 'Program' || n.type === 'StaticBlock' || n.type === 'SwitchCase';
}

/** A statement that always leaves the block: return, throw, continue, break, or a block ending in one. */
export function exits(s: Node | null | undefined): boolean {
  if (!s) return false;
  switch (s.type) {
    case 'ReturnStatement':
    case 'ThrowStatement':
    case 'ContinueStatement':
    case 'BreakStatement':
      return true;
    case 'BlockStatement':
      return s.body.some(exits);
    case 'IfStatement':
      return exits(s.consequent) && exits(s.alternate);
    case 'ExpressionStatement': {
      const e = unwrap(s.expression);
      return (
        e.type === 'CallExpression' &&
        e.callee.type === 'MemberExpression' &&
        e.callee.object.type === 'Identifier' &&
        e.callee.object.name === 'process' &&
        propertyName(e.callee) === 'exit'
      );
    }
    default:
      return false;
  }
}
