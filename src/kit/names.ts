/**
 * What a value is called, for the atoms that judge a value by its name (a
 * password, a token, a signature) rather than by where it came from: words
 * of identifiers, the name an expression carries, and the numeric constants
 * that hash and key parameters are written with. Pure helpers; only types
 * come from src/ast, so nothing of the parser loads with them.
 */
import type { CodeModule, Node } from '../ast/module.js';
import { keyName, propertyName, stringLiteral, unwrap } from '../ast/nodes.js';

/** The words of an identifier or header name, lower-case: `resetPasswordToken` → reset password token; `X-API-Key` → x api key. */
export function words(name: string): readonly string[] {
  let w = wordCache.get(name);
  if (!w) {
    w = name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    if (wordCache.size > 10_000) wordCache.clear();
    wordCache.set(name, w);
  }
  return w;
}
/** Names repeat across a module and a commit: split each once. */
const wordCache = new Map<string, string[]>();

/** The name an expression carries: an identifier, a property (`user.password` → password), a string key. */
export function nameOf(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === 'Identifier') return n.name;
  if (n.type === 'MemberExpression') return propertyName(n) ?? undefined;
  if (n.type === 'Property' || n.type === 'PropertyDefinition' || n.type === 'MethodDefinition')
    return keyName(n) ?? undefined;
  return stringLiteral(n);
}

/**
 * The name a value is given where it lands: the variable it initialises or is
 * assigned to (`user.resetToken = …` → user resetToken), the property key it
 * is the value of, the function it is returned from; undefined elsewhere.
 */
export function landingName(m: CodeModule, value: Node): { name: string; node: Node } | undefined {
  const p = m.parent(value);
  if (!p) return undefined;
  if (p.type === 'VariableDeclarator' && p.init === value && p.id.type === 'Identifier')
    return { name: p.id.name, node: p.id };
  if (p.type === 'AssignmentExpression' && p.right === value) {
    const left = unwrap(p.left);
    if (left.type === 'Identifier') return { name: left.name, node: left };
    if (left.type === 'MemberExpression') {
      const prop = propertyName(left);
      const owner = nameOf(left.object);
      if (prop) return { name: owner && /^(?:id|key|value|code)$/i.test(prop) ? `${owner}_${prop}` : prop, node: left };
    }
  }
  if (p.type === 'Property' && p.value === value && !p.computed) {
    const key = keyName(p);
    if (key) return { name: key, node: p };
  }
  if ((p.type === 'PropertyDefinition' || p.type === 'AssignmentPattern') && (p.value === value || p.right === value)) {
    const key = p.type === 'PropertyDefinition' ? keyName(p) : nameOf(p.left);
    if (key) return { name: key, node: p };
  }
  return undefined;
}

/** The name of a function: its declaration, the variable or property it is stored in, a class method's key. */
export function functionName(m: CodeModule, fn: Node): string | undefined {
  if (fn.id?.name) return fn.id.name;
  const p = m.parent(fn);
  if (!p) return undefined;
  if (p.type === 'VariableDeclarator' && p.id.type === 'Identifier') return p.id.name;
  if (p.type === 'Property' || p.type === 'MethodDefinition' || p.type === 'PropertyDefinition')
    return keyName(p) ?? undefined;
  if (p.type === 'AssignmentExpression') return nameOf(p.left);
  return undefined;
}

/** A number an expression folds to: literals, `2 ** 16`, `64 * 1024`, constants and members of constant objects. */
export function numberValue(m: CodeModule, expr: Node | null | undefined, depth = 0): number | undefined {
  if (!expr || depth > 6) return undefined;
  const n = unwrap(expr);
  if (n.type === 'Literal' && typeof n.value === 'number') return n.value;
  if (n.type === 'UnaryExpression' && n.operator === '-') {
    const v = numberValue(m, n.argument, depth + 1);
    return v === undefined ? undefined : -v;
  }
  if (n.type === 'BinaryExpression') {
    const a = numberValue(m, n.left, depth + 1);
    const b = a === undefined ? undefined : numberValue(m, n.right, depth + 1);
    if (a === undefined || b === undefined) return undefined;
    switch (n.operator) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return a / b;
      case '**':
        return a ** b;
      case '<<':
        return a << b;
      default:
        return undefined;
    }
  }
  if (n.type === 'Identifier' || n.type === 'MemberExpression') {
    const s = m.stringValue(n);
    if (s !== undefined && /^\d+(?:\.\d+)?$/.test(s)) return Number(s);
    if (n.type === 'Identifier') {
      const b = m.binding(n);
      const def = b && b.kind === 'const' && b.defs.length === 1 ? b.defs[0] : undefined;
      if (def?.value && def.path.length === 0) return numberValue(m, def.value, depth + 1);
    } else {
      const name = propertyName(n);
      const prop = name !== null ? m.property(n.object, name) : undefined;
      if (prop) return numberValue(m, prop, depth + 1);
    }
  }
  return undefined;
}

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase', 'pw', 'passcode']);
const PASSWORD_QUALIFIERS = new Set([
  'plain',
  'plaintext',
  'raw',
  'text',
  'input',
  'value',
  'str',
  'string',
  'candidate',
  'attempt',
  'clear',
  'cleartext',
  'entered',
  'given',
  'provided',
  'typed',
  'buffer',
  'bytes',
  'utf8',
]);

/** A name that holds a password itself: `password`, `newPassword`, `plain_pwd`, `passwordInput`; not `passwordHash`, `resetPasswordToken`, `passwordPolicy`. */
export function isPasswordName(name: string | undefined): boolean {
  if (!name) return false;
  const w = words(name);
  const last = w.at(-1);
  if (!last) return false;
  if (PASSWORD_WORDS.has(last)) return true;
  return PASSWORD_QUALIFIERS.has(last) && w.slice(0, -1).some((x) => PASSWORD_WORDS.has(x));
}

/** A stored hash of a password (`passwordHash`, `hashed_password`, `password_digest`, `encryptedPassword`). */
export function isPasswordHashName(name: string | undefined): boolean {
  if (!name) return false;
  const w = words(name);
  return (
    w.some((x) => PASSWORD_WORDS.has(x)) && w.some((x) => /^(?:hash|hashed|digest|encrypted|crypted|enc)$/.test(x))
  );
}

/** The expression is (or was set from, or is built around) a password: `password`, `req.body.pwd`, `salt + password`, `encoder.encode(password)`. */
export function isPasswordValue(m: CodeModule, expr: Node | null | undefined, depth = 0): boolean {
  if (!expr || depth > 5) return false;
  const n = unwrap(expr);
  switch (n.type) {
    case 'Identifier': {
      if (isPasswordName(n.name)) return true;
      const b = m.binding(n);
      if (!b) return false;
      // A helper's parameter that its caller in another module fills with a password (src/kit/summaries.ts).
      const param = b.kind === 'param' ? b.defs[0] : undefined;
      if (param?.fn && m.argumentsPassed(param.fn, param.index!)?.length) return true;
      return b.defs.some((d) => {
        const step = d.path.at(-1);
        if (typeof step === 'string' && isPasswordName(step)) return true;
        return (
          d.path.length === 0 &&
          d.value !== null &&
          (d.kind === 'init' || d.kind === 'assign') &&
          isPasswordValue(m, d.value, depth + 1)
        );
      });
    }
    case 'MemberExpression':
      return isPasswordName(propertyName(n) ?? undefined);
    case 'AwaitExpression':
      return isPasswordValue(m, n.argument, depth + 1);
    case 'TemplateLiteral':
      return n.expressions.some((e: Node) => isPasswordValue(m, e, depth + 1));
    case 'BinaryExpression':
      return n.operator === '+' && (isPasswordValue(m, n.left, depth + 1) || isPasswordValue(m, n.right, depth + 1));
    case 'CallExpression': {
      const callee = unwrap(n.callee);
      const method =
        callee.type === 'MemberExpression' ? propertyName(callee) : callee.type === 'Identifier' ? callee.name : null;
      if (method && /^(?:String|from|encode|trim|normalize|toString|toLowerCase|concat)$/.test(method)) {
        if (n.arguments.some((a: Node) => isPasswordValue(m, a, depth + 1))) return true;
        return (
          callee.type === 'MemberExpression' &&
          /^(?:trim|normalize|toString|toLowerCase|concat)$/.test(method) &&
          isPasswordValue(m, callee.object, depth + 1)
        );
      }
      return false;
    }
    default:
      return false;
  }
}

// ── Method chains ──────────────────────────────────────────────────────

/**
 * The methods called on an object, whether chained
 * (`createHash('md5').update(x).digest('hex')`, `new SignJWT(p).setIssuedAt().sign(k)`)
 * or called on a variable that holds it (`const h = createHash('md5'); h.update(x)`).
 */
export function methodCalls(m: CodeModule, start: Node): Array<{ name: string; call: Node }> {
  const out: Array<{ name: string; call: Node }> = [];
  const follow = (from: Node) => {
    let n = from;
    for (let i = 0; i < 16; i++) {
      const member = m.parent(n);
      if (!member || member.type !== 'MemberExpression' || member.object !== n) break;
      const call = m.parent(member);
      const name = propertyName(member);
      if (!call || call.type !== 'CallExpression' || call.callee !== member || !name) break;
      out.push({ name, call });
      n = call;
    }
    return n;
  };
  let end = follow(start);
  const awaited = m.parent(end);
  if (awaited?.type === 'AwaitExpression') end = awaited;
  const holder = m.parent(end);
  if (holder?.type === 'VariableDeclarator' && holder.init === end && holder.id.type === 'Identifier') {
    const b = m.binding(holder.id);
    if (b) for (const use of m.uses(b)) if (use !== holder.id) follow(use);
  }
  return out;
}

export interface HashChain {
  /** The arguments of every `.update(…)` fed to this hash. */
  updates: Node[];
  /** The `.digest(…)` calls that produce its value. */
  digests: Node[];
}

/** What is fed to a `createHash(…)` (or `createHmac`) object and where its digest comes out. */
export function hashChain(m: CodeModule, create: Node): HashChain {
  const out: HashChain = { updates: [], digests: [] };
  for (const { name, call } of methodCalls(m, create)) {
    if (name === 'update' && call.arguments[0]) out.updates.push(call.arguments[0]);
    else if (name === 'digest') out.digests.push(call);
  }
  return out;
}

/**
 * An options argument as far as this module shows it: `{}` when there is
 * none, the object literal (with `complete` false when it spreads something
 * unknown), or null when the options come from elsewhere and cannot be judged.
 */
export function optionsAt(m: CodeModule, node: Node | null | undefined): { literal?: Node; complete: boolean } | null {
  if (!node) return { complete: true };
  const n = unwrap(node);
  if (n.type === 'Identifier' && n.name === 'undefined' && !m.binding(n)) return { complete: true };
  const literal = m.objectLiteral(n);
  if (!literal) return null;
  const complete = literal.properties.every(
    (p: Node) => p.type !== 'SpreadElement' || optionsAt(m, p.argument)?.complete === true,
  );
  return { literal, complete };
}

/** The object literal an expression is, through `const` names and member chains of literals (`config.jwt` → `{ secret: … }`). */
export function objectAt(m: CodeModule, expr: Node | null | undefined, depth = 0): Node | undefined {
  if (!expr || depth > 5) return undefined;
  const direct = m.objectLiteral(expr);
  if (direct) return direct;
  const n = unwrap(expr);
  if (n.type !== 'MemberExpression') return undefined;
  const name = propertyName(n);
  const owner = name !== null ? objectAt(m, n.object, depth + 1) : undefined;
  const value = owner ? m.property(owner, name!) : undefined;
  return value ? objectAt(m, value, depth + 1) : undefined;
}
