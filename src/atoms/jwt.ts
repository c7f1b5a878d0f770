import type { CallInfo, CodeModule, Node } from '../ast/module.js';
import { isFunction, keyName, propertyName, stringLiteral, unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit } from '../kit/atom.js';
import { codeCheck } from '../kit/code.js';
import { CODE_FILES, TEST_FILES } from '../kit/files.js';
import { functionName, landingName, methodCalls, numberValue, objectAt, optionsAt } from '../kit/names.js';
import { fakeKey } from '../kit/samples.js';

type Op =
  | 'sign' // jsonwebtoken sign(payload, secret, options)
  | 'verify' // jsonwebtoken verify(token, secret, options)
  | 'decode' // reads claims without checking the signature
  | 'jose-sign' // new SignJWT(payload)…sign(key)
  | 'jose-verify' // jwtVerify(token, key, options)
  | 'unsecured' // new UnsecuredJWT(payload): alg "none"
  | 'jose-legacy' // jose 1.x/2.x JWT.sign/verify(…, key), JWS.sign/verify: JWK.None is the "none" key
  | 'signer' // fast-jwt createSigner({ key, expiresIn })
  | 'verifier' // fast-jwt createVerifier({ key, algorithms })
  | 'middleware' // express-jwt, koa-jwt: { secret, algorithms }
  | 'strategy' // passport-jwt new Strategy({ secretOrKey, algorithms })
  | 'nest-module' // @nestjs/jwt JwtModule.register({ secret, signOptions })
  | 'fastify-plugin'; // fastify.register(@fastify/jwt, { secret })

const JOSE = new Set(['jose', 'jose-node-cjs-runtime', 'jose-node-esm-runtime']);
const VERIFYING: ReadonlySet<Op> = new Set(['verify', 'jose-verify', 'verifier', 'middleware', 'strategy']);

/** What a call does with JWTs, for the libraries the atom knows. */
function operation(m: CodeModule, call: CallInfo): Op | null {
  const { callee, isNew } = call;
  const mod = callee.module;
  const dotted = callee.path.join('.');
  if (
    mod === 'jsonwebtoken' ||
    (!mod && callee.path.length === 2 && /^(?:jwt|jsonwebtoken)$/.test(callee.path[0]!) && !m.topLevel(callee.path[0]!))
  ) {
    const name = mod ? dotted : callee.name;
    return name === 'sign' ? 'sign' : name === 'verify' ? 'verify' : name === 'decode' ? 'decode' : null;
  }
  if (mod && JOSE.has(mod)) {
    if (isNew && callee.name === 'SignJWT') return 'jose-sign';
    if (isNew && callee.name === 'UnsecuredJWT') return 'unsecured';
    if (/^(?:JWT|JWS)\.(?:sign|verify)$/.test(dotted)) return 'jose-legacy';
    if (callee.name === 'jwtVerify' || callee.name === 'compactVerify' || callee.name === 'jwtDecrypt')
      return 'jose-verify';
    if (callee.name === 'decodeJwt' || dotted === 'UnsecuredJWT.decode' || callee.name === 'decodeProtectedHeader')
      return callee.name === 'decodeProtectedHeader' ? null : 'decode';
    return null;
  }
  if (mod === 'fast-jwt')
    return callee.name === 'createSigner' ? 'signer' : callee.name === 'createVerifier' ? 'verifier' : null;
  if (mod === 'jwt-decode') return 'decode';
  if (mod === 'express-jwt' || mod === 'koa-jwt') return 'middleware';
  if (mod === 'passport-jwt' && isNew && callee.name === 'Strategy') return 'strategy';
  // NestJS: class JwtStrategy extends PassportStrategy(Strategy) { constructor() { super({ … }) } }
  if (callee.path[0] === 'super' && callee.path.length === 1) {
    for (const a of m.ancestors(call.node)) {
      if (a.type !== 'ClassDeclaration' && a.type !== 'ClassExpression') continue;
      const base = a.superClass && unwrap(a.superClass);
      const strategy = base?.type === 'CallExpression' ? base.arguments[0] : base;
      const c = strategy && m.callee(strategy);
      return c?.module === 'passport-jwt' && c.name === 'Strategy' ? 'strategy' : null;
    }
  }
  if (mod === '@nestjs/jwt' && (dotted === 'JwtModule.register' || dotted === 'JwtModule.forRoot'))
    return 'nest-module';
  if (callee.name === 'register' && call.args[0] && m.text.includes('jwt')) {
    const plugin = m.callee(call.args[0]);
    const required = m.requiredModule(call.args[0]);
    if (
      plugin.module === '@fastify/jwt' ||
      plugin.module === 'fastify-jwt' ||
      required === '@fastify/jwt' ||
      required === 'fastify-jwt'
    )
      return 'fastify-plugin';
  }
  // const decode = createDecoder(); decode(token)
  const fn = unwrap(call.node.callee);
  if (fn.type === 'Identifier' && !mod && m.text.includes('createDecoder')) {
    const b = m.binding(fn);
    const v = b?.kind === 'const' && b.defs.length === 1 ? b.defs[0]!.value : null;
    if (v && unwrap(v).type === 'CallExpression') {
      const c = m.callee(unwrap(v).callee);
      if (c.module === 'fast-jwt' && c.name === 'createDecoder') return 'decode';
    }
  }
  return null;
}

/**
 * The one value written to `object.name` after the object was made: `opts.secretOrKey = '…'` on
 * `var opts = {}` (passport-jwt's README shape), `this.secret = '…'` in the class whose method reads it.
 * Undefined when there is none or more than one.
 */
function written(m: CodeModule, object: Node, name: string): Node | undefined {
  const o = unwrap(object);
  if (o.type === 'Identifier') {
    const writes = m.binding(o)?.props.get(name);
    return writes?.length === 1 ? writes[0] : undefined;
  }
  if (o.type !== 'ThisExpression') return undefined;
  const body = [...m.ancestors(o)].find((a) => a.type === 'ClassBody');
  if (!body) return undefined;
  const values: Node[] = [];
  for (const a of m.nodes('AssignmentExpression')) {
    const left = unwrap(a.left);
    if (a.start < body.start || a.end > body.end || a.operator !== '=' || left.type !== 'MemberExpression') continue;
    if (unwrap(left.object).type === 'ThisExpression' && propertyName(left) === name) values.push(a.right);
  }
  return values.length === 1 ? values[0] : undefined;
}

/** An option of a call: written in its options literal, or set on the options object afterwards (`opts.secretOrKey = …`). */
function optionOf(m: CodeModule, arg: Node | undefined, o: { literal?: Node } | null, name: string): Node | undefined {
  return (o?.literal && m.property(o.literal, name)) ?? (arg ? written(m, arg, name) : undefined);
}

/** The string literal a key expression is (or falls back to): `'s3cret'`, `SECRET` bound to one, `process.env.X || 'dev'`, `Buffer.from('…')`. */
function hardcoded(m: CodeModule, expr: Node | null | undefined, depth = 0): Node | undefined {
  if (!expr || depth > 5) return undefined;
  const n = unwrap(expr);
  const text = stringLiteral(n);
  if (text !== undefined) return /-----BEGIN (?:RSA )?PUBLIC KEY|-----BEGIN CERTIFICATE/.test(text) ? undefined : n;
  switch (n.type) {
    case 'Identifier': {
      const b = m.binding(n);
      const def =
        b && (b.kind === 'const' || b.kind === 'let' || b.kind === 'var') && b.defs.length === 1
          ? b.defs[0]
          : undefined;
      return def?.value && def.path.length === 0 ? hardcoded(m, def.value, depth + 1) : undefined;
    }
    case 'MemberExpression': {
      const literal = objectAt(m, n.object);
      const name = propertyName(n);
      const prop = literal && name ? m.property(literal, name) : undefined;
      const value = prop ?? (name ? written(m, n.object, name) : undefined);
      return value ? hardcoded(m, value, depth + 1) : undefined;
    }
    case 'LogicalExpression':
      return n.operator === '||' || n.operator === '??' ? hardcoded(m, n.right, depth + 1) : undefined;
    case 'CallExpression':
    case 'NewExpression': {
      const c = m.callee(n.callee);
      return /^(?:from|encode|createSecretKey|String)$/.test(c.name)
        ? hardcoded(m, n.arguments[0], depth + 1)
        : undefined;
    }
    default:
      return undefined;
  }
}

function analyse(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  const secrets = new Set<Node>();
  const ops: Array<{ call: CallInfo; op: Op }> = [];
  for (const call of m.calls()) {
    const op = operation(m, call);
    if (op) ops.push({ call, op });
  }
  if (!ops.length) return hits;

  const secret = (call: CallInfo, key: Node | null | undefined, what: string) => {
    const lit = hardcoded(m, key);
    if (!lit || secrets.has(lit)) return;
    secrets.add(lit);
    const start = m.position(lit.start);
    const end = m.position(lit.end);
    const callLine = m.line(call.node);
    const hit = m.hit('hardcoded-secret', lit, {
      messageId: m.line(lit) !== callLine ? 'writtenAt' : 'written',
      data: { use: what, line: callLine },
      flow: [callLine],
    });
    hits.push(end.line === start.line ? { ...hit, mask: [[start.column + 1, end.column - 1]] } : hit);
  };
  const options = (node: Node | undefined) =>
    node && isFunction(unwrap(node)) ? optionsAt(m, undefined) : optionsAt(m, node);
  const prop = (o: { literal?: Node } | null, name: string) => (o?.literal ? m.property(o.literal, name) : undefined);
  const noneIn = (node: Node | undefined) => {
    if (!node) return false;
    const n = unwrap(node);
    const values = n.type === 'ArrayExpression' ? n.elements.filter(Boolean) : [n];
    return values.some((v: Node) => /^none$/i.test(m.stringValue(v) ?? ''));
  };
  const isTrue = (node: Node | undefined) => !!node && unwrap(node).type === 'Literal' && unwrap(node).value === true;
  const verifying = ops.filter((o) => VERIFYING.has(o.op));

  for (const { call, op } of ops) {
    const a = call.args;
    switch (op) {
      case 'sign': {
        secret(call, a[1], 'signs tokens');
        const o = options(a[2]);
        if (noneIn(prop(o, 'algorithm'))) hits.push(m.hit('none-algorithm', call.node, { messageId: 'jwtSign' }));
        longLife(m, hits, call.node, prop(o, 'expiresIn'), 's', 'jwt.sign()');
        if (o?.complete && !prop(o, 'expiresIn') && !payloadHasExp(m, a[0])) {
          const custom = customExpiry(m, a[0]);
          const hit = m.hit('no-expiry', call.node, {
            messageId: custom ? 'customClaim' : 'jwtSign',
            ...(custom ? { data: { claim: custom.name } } : {}),
          });
          // `expiresAt: now + 60_000` read back by this module's verifier: the token does expire.
          if (custom?.checked) break;
          if (custom) hit.severity = 'warning';
          hits.push(hit);
        }
        break;
      }
      case 'verify': {
        secret(call, a[1], 'verifies tokens');
        const o = options(a[2]);
        verifyOptions(m, hits, call, o, 'jwt.verify()', prop, noneIn, isTrue);
        break;
      }
      case 'verifier': {
        const o = optionsAt(m, a[0]);
        secret(call, prop(o, 'key'), 'verifies tokens');
        verifyOptions(m, hits, call, o, 'createVerifier()', prop, noneIn, isTrue);
        break;
      }
      case 'signer': {
        const o = optionsAt(m, a[0]);
        secret(call, prop(o, 'key'), 'signs tokens');
        if (noneIn(prop(o, 'algorithm')))
          hits.push(
            m.hit('none-algorithm', call.node, {
              messageId: 'createSigner',
            }),
          );
        longLife(m, hits, call.node, prop(o, 'expiresIn'), 'ms', 'createSigner()');
        if (o?.complete && !prop(o, 'expiresIn'))
          hits.push(
            m.hit('no-expiry', call.node, {
              messageId: 'createSigner',
            }),
          );
        break;
      }
      case 'jose-sign': {
        const chain = methodCalls(m, call.node);
        const sign = chain.find((c) => c.name === 'sign');
        if (!sign) break;
        secret(call, sign.call.arguments[0], 'signs tokens');
        const header = chain.find((c) => c.name === 'setProtectedHeader')?.call.arguments[0];
        if (header && noneIn(m.property(header, 'alg')))
          hits.push(m.hit('none-algorithm', sign.call, { messageId: 'signJwt' }));
        const expiry = chain.find((c) => c.name === 'setExpirationTime')?.call;
        // A number there is an absolute time (seconds since 1970), not a duration: only strings are read.
        const span = expiry?.arguments[0];
        if (span && m.stringValue(span) !== undefined) longLife(m, hits, sign.call, span, 'ms', 'SignJWT');
        if (!chain.some((c) => c.name === 'setExpirationTime') && !payloadHasExp(m, a[0]))
          hits.push(
            m.hit('no-expiry', sign.call, {
              messageId: 'signJwt',
            }),
          );
        break;
      }
      case 'jose-verify': {
        secret(call, a[1], 'verifies tokens');
        const o = optionsAt(m, a[2]);
        if (noneIn(prop(o, 'algorithms')))
          hits.push(
            m.hit('none-algorithm', call.node, { messageId: 'accepts', data: { call: `${call.callee.name}()` } }),
          );
        break;
      }
      case 'jose-legacy': {
        // jose before 3.0: JWK.None signs unsigned tokens, and verifying with it accepts them.
        const noneKey = a.find((arg) => {
          const c = m.callee(arg);
          return c.module !== undefined && JOSE.has(c.module) && c.path.join('.') === 'JWK.None';
        });
        if (noneKey)
          hits.push(
            m.hit('none-algorithm', call.node, {
              messageId: 'joseNoneKey',
              data: {
                call: `${call.callee.path.join('.')}()`,
                does: call.callee.name === 'sign' ? 'issues' : 'accepts',
              },
            }),
          );
        break;
      }
      case 'unsecured':
        hits.push(
          m.hit('none-algorithm', call.node, {
            messageId: 'unsecured',
          }),
        );
        break;
      case 'middleware': {
        const o = optionsAt(m, a[0]);
        secret(call, optionOf(m, a[0], o, 'secret'), 'verifies tokens');
        if (noneIn(prop(o, 'algorithms')))
          hits.push(m.hit('none-algorithm', call.node, { messageId: 'accepts', data: { call: 'The JWT middleware' } }));
        break;
      }
      case 'strategy': {
        const o = optionsAt(m, a[0]);
        secret(call, optionOf(m, a[0], o, 'secretOrKey'), 'verifies tokens');
        verifyOptions(m, hits, call, o, 'The passport-jwt strategy', prop, noneIn, isTrue);
        break;
      }
      case 'nest-module': {
        const o = optionsAt(m, a[0]);
        secret(call, prop(o, 'secret') ?? prop(o, 'privateKey'), 'signs tokens');
        const signOptions = prop(o, 'signOptions');
        const so = signOptions ? optionsAt(m, signOptions) : o?.complete ? { complete: true } : null;
        longLife(m, hits, call.node, prop(so, 'expiresIn'), 's', 'JwtModule');
        if (o?.complete && so?.complete && !prop(so, 'expiresIn'))
          hits.push(
            m.hit('no-expiry', call.node, {
              messageId: 'nestModule',
            }),
          );
        break;
      }
      case 'fastify-plugin': {
        const o = optionsAt(m, a[1]);
        const s = prop(o, 'secret');
        secret(call, s && unwrap(s).type === 'ObjectExpression' ? m.property(s, 'private') : s, 'signs tokens');
        break;
      }
      case 'decode': {
        const token = a[0];
        if (!token || !m.taints(token, ['request']).length) break;
        const outer = outermostFunction(m, call.node);
        const verified = verifying.some(
          (v) =>
            (outer ? v.call.node.start >= outer.start && v.call.node.end <= outer.end : true) ||
            v.op === 'middleware' ||
            v.op === 'strategy',
        );
        if (verified) break;
        hits.push(
          m.hit('decode-without-verify', call.node, {
            messageId: 'decoded',
            data: { call: call.callee.path.join('.') || call.callee.name },
          }),
        );
        break;
      }
    }
  }
  return hits;
}

/** A verification key that is half of a key pair: where an unpinned algorithm list is exploitable. */
/** The none algorithm set on a line, as the reduced check (files the parser rejects) sees it. */
const NONE_ALGORITHM_ON_LINE = /algorithms?\s*:[^\]\n]*['"]none['"]/i;

const PUBLIC_KEY = /public|\bpem\b|\bcert|jwks|-----BEGIN|secretOrKeyProvider|\bRS\d{3}\b|\bES\d{3}\b/i;

function verifyOptions(
  m: CodeModule,
  hits: Hit[],
  call: CallInfo,
  o: { literal?: Node; complete: boolean } | null,
  what: string,
  prop: (o: { literal?: Node } | null, name: string) => Node | undefined,
  noneIn: (n: Node | undefined) => boolean,
  isTrue: (n: Node | undefined) => boolean,
) {
  const algorithms = prop(o, 'algorithms');
  if (noneIn(algorithms))
    hits.push(m.hit('none-algorithm', call.node, { messageId: 'verifyAccepts', data: { call: what } }));
  else if (o?.complete && !algorithms && PUBLIC_KEY.test(m.source(call.node))) {
    // With a public key, an HS256 token signed with that key may pass. With a shared secret nothing can be
    // forged: jsonwebtoken (since 4.2.2, 2015) allows only HMAC for a secret that is no PEM and never "none",
    // and passport-jwt hands the secret to it; all 7 such findings on the production corpus were debatable.
    hits.push(
      m.hit('verify-without-algorithms', call.node, {
        messageId: 'publicKey',
        data: { call: what },
      }),
    );
  }
  if (isTrue(prop(o, 'ignoreExpiration')))
    hits.push(
      m.hit('ignore-expiration', call.node, {
        messageId: 'ignored',
        data: { call: what },
      }),
    );
}

/** The longest life an access token should have: beyond it a stolen token stays useful for months. */
const MAX_LIFE_SECONDS = 30 * 24 * 3600;
/** A duration in `ms` notation ('15m', '10y', '3650 days'); a bare number string is milliseconds. */
const DURATION =
  /^\s*(\d*\.?\d+)\s*(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|y|yrs?|years?)?\s*$/i;
const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86400, w: 604800, y: 31557600 };

function seconds(m: CodeModule, expr: Node, numberUnit: 's' | 'ms'): number | undefined {
  const text = m.stringValue(expr);
  if (text === undefined) {
    const n = numberValue(m, expr);
    return n === undefined ? undefined : numberUnit === 's' ? n : n / 1000;
  }
  const d = DURATION.exec(text);
  if (!d) return undefined;
  const unit = (d[2] ?? 'ms').toLowerCase();
  const value = Number(d[1]);
  if (unit.startsWith('ms') || unit.startsWith('milli')) return value / 1000;
  if (unit.startsWith('s')) return value;
  return value * (UNIT_SECONDS[unit.startsWith('mi') ? 'm' : unit[0]!] ?? 0);
}

/** Tokens meant to live long: refresh and remember-me tokens, where a long life is the design. */
const LONG_LIVED = /refresh|remember|persist|long[_-]?lived/i;
const ACCESS = /access/i;

/**
 * A token signed to live more than 30 days. Only a token the code names an access token blocks; any other
 * (an API key, an invitation, a token whose kind the code does not say) is a warning; refresh tokens pass.
 */
function longLife(
  m: CodeModule,
  hits: Hit[],
  call: Node,
  expires: Node | undefined,
  numberUnit: 's' | 'ms',
  what: string,
) {
  if (!expires) return;
  const life = seconds(m, expires, numberUnit);
  if (life === undefined || life <= MAX_LIFE_SECONDS) return;
  const fn = m.enclosingFunction(call);
  const context = [m.source(call), landingName(m, call)?.name, fn && functionName(m, fn)].join(' ');
  if (LONG_LIVED.test(context)) return;
  const days = Math.round(life / 86400);
  const hit = m.hit('long-expiry', expires, {
    messageId: ACCESS.test(context) ? 'access' : 'unnamed',
    data: { call: what, life: days >= 730 ? `${Math.round(days / 365)} years` : `${days} days` },
  });
  if (!ACCESS.test(context)) hit.severity = 'warning';
  hits.push(hit);
}

/** A payload literal that sets `exp` itself. */
function payloadHasExp(m: CodeModule, payload: Node | undefined): boolean {
  if (!payload) return false;
  const n = unwrap(payload);
  if (stringLiteral(n) !== undefined || n.type === 'TemplateLiteral') return true; // string payloads cannot take expiresIn
  const o = optionsAt(m, n);
  if (!o?.literal) return true; // built elsewhere: it may carry exp
  return !o.complete || m.property(o.literal, 'exp') !== undefined;
}

/** Claim names that hold an expiry the app checks itself instead of the standard `exp`. */
const CUSTOM_EXPIRY =
  /^(?:expires?(?:At|_at|On|_on)?|expiry|expiration(?:Time|Date|_time|_date)?|validUntil|valid_until|notAfter)$/i;

/** A custom expiry claim in the payload literal, and whether this module reads it back (`payload.expiresAt < now`). */
function customExpiry(m: CodeModule, payload: Node | undefined): { name: string; checked: boolean } | undefined {
  const o = payload && optionsAt(m, unwrap(payload));
  const claim = o?.literal?.properties.find((p: Node) => p.type === 'Property' && CUSTOM_EXPIRY.test(keyName(p) ?? ''));
  const name = claim && keyName(claim);
  if (!name) return undefined;
  const checked = m.nodes('MemberExpression').some((e) => propertyName(e) === name);
  return { name, checked };
}

function outermostFunction(m: CodeModule, node: Node): Node | undefined {
  let found: Node | undefined;
  for (const a of m.ancestors(node)) if (isFunction(a) || a.type === 'MethodDefinition') found = a;
  return found;
}

const s = (n: number) => fakeKey('', 24, undefined, n);

export default defineAtom({
  id: 'jwt',
  title: 'JSON Web Tokens are verified strictly and expire',
  criteria: {
    pass: 'Tokens are verified with an explicit algorithms list (never "none") and their expiry checked; tokens are signed with a key from the environment or a secret store, and carry an expiry (expiresIn / setExpirationTime); claims from a request are only read after verification.',
    fail: 'jwt.verify/createVerifier/passport-jwt run with a public key and no algorithms list, or with "none" (also the JWK.None key of jose 1.x/2.x), ignoreExpiration is true, decode()/decodeJwt() reads a request token that is never verified, the signing secret is written in the code, or a token is signed without an expiry or (unless it is a refresh token) valid for more than 30 days.',
  },
  files: [...CODE_FILES, ...TEST_FILES],
  keywords: ['jsonwebtoken', 'jose', 'fast-jwt', 'jwt'],
  defaultLevel: 'block',
  rules: {
    'verify-without-algorithms': {
      message: 'A token is verified without an algorithms list.',
      messages: {
        noList: "{call} has no algorithms list: the token's own header picks how it is checked.",
        publicKey:
          '{call} has no algorithms list and checks with a public key: a token whose header says HS256, signed with that public key, may pass.',
      },
      fix: "Pin the algorithm you issue: jwt.verify(token, key, { algorithms: ['HS256'] }) (or ['RS256'] / ['ES256'] for key pairs).",
    },
    'none-algorithm': {
      message: 'The "none" algorithm is allowed: unsigned tokens pass.',
      messages: {
        jwtSign: 'jwt.sign() issues an unsigned token (algorithm "none").',
        createSigner: 'createSigner() issues unsigned tokens (algorithm "none").',
        signJwt: 'SignJWT sets alg "none".',
        accepts: '{call} accepts alg "none".',
        unsecured: 'new UnsecuredJWT() issues a token with alg "none", which anyone can forge.',
        verifyAccepts: '{call} accepts alg "none": a token with no signature passes.',
        joseNoneKey: '{call} with JWK.None {does} unsigned tokens (alg "none"): anyone can forge one.',
        reduced: 'Found on the line (reduced check: the file could not be parsed or analysed in full).',
      },
      fix: "Remove 'none'; sign and verify with one real algorithm: { algorithms: ['HS256'] }.",
    },
    'decode-without-verify': {
      message: 'A token from the request is decoded but never verified.',
      messages: {
        decoded:
          'A token from the request is read with {call}(), which does not check its signature: anyone can forge its claims.',
      },
      fix: "Use jwt.verify(token, key, { algorithms: ['HS256'] }) (jose: await jwtVerify(token, key)) and read the claims it returns; decode() is only for reading a header before verifying.",
    },
    'hardcoded-secret': {
      message: 'The JWT signing secret is written in the code.',
      messages: {
        written: 'A secret written in the code {use}: anyone with the source can mint valid tokens.',
        writtenAt: 'A secret written in the code {use} (line {line}): anyone with the source can mint valid tokens.',
      },
      fix: 'Read it from the environment or a secret store (process.env.JWT_SECRET, at least 32 random bytes), fail at start-up when it is missing, and rotate the one that was committed.',
    },
    'no-expiry': {
      message: 'A token is signed without an expiry.',
      messages: {
        jwtSign: 'jwt.sign() issues a token without expiresIn: it stays valid forever.',
        customClaim:
          'jwt.sign() issues a token whose only expiry is the custom claim `{claim}`, which no code here reads: unless the verifier checks it, the token stays valid forever (a warning).',
        createSigner: 'createSigner() has no expiresIn: its tokens stay valid forever.',
        signJwt: 'new SignJWT(…).sign() issues a token without setExpirationTime(): it stays valid forever.',
        nestModule: 'JwtModule signs tokens without signOptions.expiresIn: they stay valid forever.',
      },
      fix: "Give every token a short life: jwt.sign(payload, key, { expiresIn: '15m' }) (jose: .setExpirationTime('15m')) and refresh it.",
    },
    'long-expiry': {
      message: 'A token is signed to stay valid for more than 30 days.',
      messages: {
        access:
          '{call} issues an access token valid for {life}: a stolen one works that long, and logging out or changing the password does not end it.',
        unnamed:
          '{call} issues a token valid for {life}; if it grants access, a stolen one works that long (a warning: refresh tokens may live long, name them so).',
      },
      fix: "Keep access tokens short (expiresIn: '15m' to '1d') and renew them with a refresh token that is stored server-side and can be revoked.",
    },
    'ignore-expiration': {
      message: 'Verification ignores the token expiry.',
      messages: {
        ignored: '{call} runs with ignoreExpiration: true, so expired tokens still pass.',
        reduced: 'Found on the line (reduced check: the file could not be parsed or analysed in full).',
      },
      fix: 'Remove ignoreExpiration: true; accept small clock skew with clockTolerance: 30 instead.',
    },
  },
  examples: {
    bad: [
      {
        file: 'src/auth.js',
        code: "const jwt = require('jsonwebtoken');\nfunction authenticate(req, res, next) {\n  req.user = jwt.verify(req.cookies.token, process.env.JWT_PUBLIC_KEY); // ✗\n  next();\n}",
      },
      {
        file: 'src/auth.ts',
        code: "import jwt from 'jsonwebtoken';\nexport const check = (token: string) =>\n  jwt.verify(token, process.env.JWT_SECRET!, { algorithms: ['HS256', 'none'] }); // ✗",
      },
      {
        file: 'src/me.js',
        code: "import jwt from 'jsonwebtoken';\napp.get('/me', (req, res) => {\n  const token = req.headers.authorization.split(' ')[1];\n  const claims = jwt.decode(token); // ✗\n  res.json(db.users.find(claims.sub));\n});",
      },
      {
        file: 'src/token.ts',
        code: `import jwt from 'jsonwebtoken';\nconst SECRET = '${s(1)}'; // ✗\nexport const issue = (user: User) => jwt.sign({ sub: user.id }, SECRET, { algorithm: 'HS256', expiresIn: '1h' });`,
      },
      {
        file: 'src/login.js',
        code: "const jwt = require('jsonwebtoken');\nconst token = jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET); // ✗",
      },
      {
        file: 'src/refresh.ts',
        code: "import jwt from 'jsonwebtoken';\nconst claims = jwt.verify(token, key, { algorithms: ['RS256'], ignoreExpiration: true }); // ✗",
      },
      {
        file: 'src/edge.ts',
        code: `import { SignJWT } from 'jose';\nconst key = new TextEncoder().encode(process.env.JWT_SECRET ?? '${s(2)}'); // ✗\nexport const issue = (sub: string) => new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('15m').sign(key);`,
      },
      {
        file: 'src/session.ts',
        code: "import { SignJWT } from 'jose';\nexport async function issue(sub: string, key: KeyLike) {\n  return new SignJWT({ sub }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().sign(key); // ✗\n}",
      },
      {
        file: 'src/fast.js',
        code: "const { createVerifier } = require('fast-jwt');\nconst verify = createVerifier({ key: async () => publicKey }); // ✗",
      },
      {
        file: 'src/strategy.ts',
        code: "import { ExtractJwt, Strategy } from 'passport-jwt';\nexport class JwtStrategy extends PassportStrategy(Strategy) {\n  constructor(config: ConfigService) {\n    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), ignoreExpiration: true, secretOrKey: config.get('JWT_SECRET'), algorithms: ['HS256'] }); // ✗\n  }\n}",
      },
      // An access token valid for ten years: blocks, the code names it an access token.
      {
        file: 'src/auth/tokens.ts',
        code: "import jwt from 'jsonwebtoken';\nexport function issueAccessToken(user: User) {\n  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET!, { expiresIn: '3650d' }); // ✗\n}",
      },
      // Ten years in seconds, kind not named: a warning.
      {
        file: 'src/auth/auth.module.ts',
        code: "import { JwtModule } from '@nestjs/jwt';\nexport const jwtModule = JwtModule.register({\n  secret: process.env.JWT_SECRET,\n  signOptions: { expiresIn: 60 * 60 * 24 * 365 * 10 }, // ✗\n});",
      },
      {
        file: 'src/edge-session.ts',
        code: "import { SignJWT } from 'jose';\nexport const issue = (sub: string, key: Uint8Array) =>\n  new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10y').sign(key); // ✗",
      },
      // jose 1.x/2.x: verifying with the "none" key accepts unsigned tokens.
      {
        file: 'src/verify.js',
        code: "const { JWK, JWT } = require('jose');\nmodule.exports = (token) => JWT.verify(token, JWK.None); // ✗",
      },
      // passport-jwt's README shape: the options object filled in afterwards.
      {
        file: 'src/passport.js',
        code: `const { Strategy: JwtStrategy, ExtractJwt } = require('passport-jwt');\nconst opts = {};\nopts.jwtFromRequest = ExtractJwt.fromAuthHeaderAsBearerToken();\nopts.secretOrKey = '${s(4)}'; // ✗\npassport.use(new JwtStrategy(opts, verify));`,
      },
      // A field of the class that registers the strategy.
      {
        file: 'src/auth.js',
        code: `const JwtStrategy = require('passport-jwt').Strategy;\nmodule.exports = class Auth {\n  constructor() {\n    this.jwtSecret = '${s(5)}'; // ✗\n    passport.use(new JwtStrategy({ secretOrKey: this.jwtSecret, jwtFromRequest }, verify));\n  }\n};`,
      },
      // Middleware options merged with Object.assign: the secret in them is still written in the code.
      {
        file: 'src/protect.js',
        code: `const jwt = require('express-jwt');\nconst secret = '${s(3)}'; // ✗\nconst opts = Object.assign({ algorithms: ['HS256'] }, { secret });\napp.get('/admin', jwt(opts), admin);`,
      },
    ],
    good: [
      // jose 1.x/2.x with a real key; merged middleware options whose secret comes from the environment.
      {
        file: 'src/verify.js',
        code: "const { JWK, JWT } = require('jose');\nconst key = JWK.asKey(process.env.JWT_PUBLIC_KEY);\nmodule.exports = (token) => JWT.verify(token, key, { algorithms: ['RS256'] });",
      },
      {
        file: 'src/protect.js',
        code: "const jwt = require('express-jwt');\nconst opts = Object.assign({ algorithms: ['HS256'] }, { secret: process.env.JWT_SECRET });\napp.get('/admin', jwt(opts), admin);",
      },
      {
        file: 'src/passport.js',
        code: "const { Strategy: JwtStrategy, ExtractJwt } = require('passport-jwt');\nconst opts = {};\nopts.jwtFromRequest = ExtractJwt.fromAuthHeaderAsBearerToken();\nopts.secretOrKey = process.env.JWT_SECRET;\nopts.algorithms = ['HS256'];\npassport.use(new JwtStrategy(opts, verify));",
      },
      {
        file: 'src/auth.js',
        code: "const JwtStrategy = require('passport-jwt').Strategy;\nmodule.exports = class Auth {\n  constructor(config) {\n    this.jwtSecret = config.get('jwt.secret');\n    passport.use(new JwtStrategy({ secretOrKey: this.jwtSecret, jwtFromRequest }, verify));\n  }\n};",
      },
      // A refresh token named as such may live long; the access token beside it is short.
      {
        file: 'src/auth/tokens.ts',
        code: "import jwt from 'jsonwebtoken';\nexport function issueTokens(user: User) {\n  const accessToken = jwt.sign({ sub: user.id }, process.env.JWT_SECRET!, { expiresIn: '15m' });\n  const refreshToken = jwt.sign({ sub: user.id }, process.env.JWT_REFRESH_SECRET!, { expiresIn: '180d' });\n  return { accessToken, refreshToken };\n}",
      },
      // 30 days is the limit; an absolute expiry time (a number) in jose is no duration.
      {
        file: 'src/auth/session.ts',
        code: "import jwt from 'jsonwebtoken';\nimport { SignJWT } from 'jose';\nexport const issue = (sub: string) => jwt.sign({ sub }, process.env.JWT_SECRET!, { expiresIn: 60 * 60 * 24 * 30 });\nexport const link = (sub: string, key: Uint8Array) =>\n  new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(Math.floor(Date.now() / 1000) + 3600).sign(key);\nexport const signer = createSigner({ key: process.env.JWT_SECRET, expiresIn: 24 * 60 * 60 * 1000 });",
      },
      // A custom expiry claim that the module's own verifier checks: the token does expire.
      {
        file: 'src/auth/preview-token.ts',
        code: "import jwt from 'jsonwebtoken';\nexport const issue = (docId: string) =>\n  jwt.sign({ docId, expiresAt: Date.now() + 60_000 }, process.env.PREVIEW_SECRET!);\nexport function check(token: string) {\n  const payload = jwt.verify(token, process.env.PREVIEW_SECRET!, { algorithms: ['HS256'] }) as { docId: string; expiresAt: number };\n  if (payload.expiresAt < Date.now()) throw new Error('expired');\n  return payload.docId;\n}",
      },
      // A shared secret: jsonwebtoken allows only HMAC for it (and never "none"), so no list is needed to be safe.
      {
        file: 'src/auth/jwt.strategy.ts',
        code: "import { ExtractJwt, Strategy } from 'passport-jwt';\nimport jwt from 'jsonwebtoken';\nexport const strategy = new Strategy({\n  jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),\n  secretOrKey: process.env.ACCESS_TOKEN_SECRET,\n}, (payload, done) => done(null, payload));\nexport const parse = (token: string) => jwt.verify(token, process.env.JWT_SECRET!);",
      },
      {
        file: 'src/auth.js',
        code: "const jwt = require('jsonwebtoken');\nfunction authenticate(req, res, next) {\n  req.user = jwt.verify(req.cookies.token, process.env.JWT_PUBLIC_KEY, { algorithms: ['RS256'] });\n  next();\n}",
      },
      {
        file: 'src/token.ts',
        code: "import jwt from 'jsonwebtoken';\nexport const issue = (user: User) =>\n  jwt.sign({ sub: user.id }, process.env.JWT_SECRET!, { algorithm: 'HS256', expiresIn: '15m' });",
      },
      {
        file: 'src/jwks.ts',
        code: "import jwt from 'jsonwebtoken';\nexport async function verify(req: Request) {\n  const token = req.headers.authorization!.slice(7);\n  const { header } = jwt.decode(token, { complete: true })!;\n  const key = await jwks.getSigningKey(header.kid);\n  return jwt.verify(token, key.getPublicKey(), { algorithms: ['RS256'] });\n}",
      },
      {
        file: 'src/edge.ts',
        code: "import { SignJWT, jwtVerify } from 'jose';\nconst key = new TextEncoder().encode(process.env.JWT_SECRET);\nexport const issue = (sub: string) => new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('15m').sign(key);\nexport const check = (token: string) => jwtVerify(token, key, { algorithms: ['HS256'] });",
      },
      {
        file: 'src/client.ts',
        code: "import { jwtDecode } from 'jwt-decode';\nconst { exp } = jwtDecode(localStorage.getItem('token') ?? '');\nscheduleRefresh(exp * 1000 - Date.now());",
      },
      {
        file: 'src/verify.js',
        code: "const jwt = require('jsonwebtoken');\nconst options = loadVerifyOptions();\nmodule.exports = (token) => jwt.verify(token, process.env.JWT_SECRET, options);\nconst signed = jwt.sign({ sub: 'svc', exp: Math.floor(Date.now() / 1000) + 60 }, process.env.JWT_SECRET);",
      },
      {
        file: 'src/fast.js',
        code: "const { createSigner, createVerifier } = require('fast-jwt');\nconst sign = createSigner({ key: process.env.JWT_SECRET, algorithm: 'HS256', expiresIn: 15 * 60 * 1000 });\nconst verify = createVerifier({ key: process.env.JWT_SECRET, algorithms: ['HS256'] });",
      },
      {
        file: 'src/auth.module.ts',
        code: "import { JwtModule } from '@nestjs/jwt';\nexport const jwtModule = JwtModule.register({ secret: process.env.JWT_SECRET, signOptions: { expiresIn: '60s', algorithm: 'HS256' } });",
      },
    ],
  },
  // The none algorithm outranks an ignored expiry on the same line.
  check: codeCheck(analyse, [
    { rule: 'none-algorithm', find: NONE_ALGORITHM_ON_LINE },
    { rule: 'ignore-expiration', find: /ignoreExpiration\s*:\s*true/, unless: NONE_ALGORITHM_ON_LINE },
  ]),
});
