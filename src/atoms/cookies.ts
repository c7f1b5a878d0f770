import type { CodeModule, Node } from '../ast/module.js';
import { keyName, propertyName, unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit } from '../kit/atom.js';
import { inDevelopmentBranch } from '../kit/app.js';
import { codeCheck } from '../kit/code.js';
import { CODE_FILES } from '../kit/files.js';
import { numberValue } from '../kit/names.js';

type Flag = 'httpOnly' | 'secure' | 'sameSite';

/** Session middleware: where the cookie options are, which flags it sets unless told otherwise, and which options hold the signing secret. */
const SESSIONS: Record<
  string,
  { cookie: 'nested' | 'flat'; defaults: Flag[]; secret: string[]; explicitOnly?: boolean }
> = {
  'express-session': { cookie: 'nested', defaults: ['httpOnly'], secret: ['secret'] },
  // cookie-session and koa-session write through the `cookies` module, whose Secure follows the connection (on behind a trusted HTTPS proxy).
  'cookie-session': { cookie: 'flat', defaults: ['httpOnly', 'secure'], secret: ['secret', 'keys'] },
  'koa-session': { cookie: 'flat', defaults: ['httpOnly', 'secure'], secret: [] },
  // @fastify/session and secure-session default to httpOnly and secure: only an explicit false is a finding.
  '@fastify/session': {
    cookie: 'nested',
    defaults: ['httpOnly', 'secure', 'sameSite'],
    secret: ['secret'],
    explicitOnly: true,
  },
  '@fastify/secure-session': {
    cookie: 'nested',
    defaults: ['httpOnly', 'secure', 'sameSite'],
    secret: ['secret', 'key'],
    explicitOnly: true,
  },
  'fastify-session': {
    cookie: 'nested',
    defaults: ['httpOnly', 'secure', 'sameSite'],
    secret: ['secret'],
    explicitOnly: true,
  },
};

/** Cookie names that carry a session or a credential. */
const AUTH_COOKIE =
  /sess|(?:^|[_.-])sid$|^sid|token|auth|jwt|refresh|remember|login|credential|identity|access|user_?id|^id$/i;
/** Cookies that must stay readable by scripts or hold nothing secret. */
const NOT_AUTH = /csrf|xsrf|consent|theme|lang|locale|pref|tz|timezone|cart|currency|tracking|analytics/i;
/** Strings everyone copies from READMEs. */
const PLACEHOLDER_SECRET =
  /^(?:keyboard cat|secret|changeme|change[-_ ]?me|my[-_ ]?secret|session[-_ ]?secret|super[-_ ]?secret|s3cr3t)$/i;

/** What a module must hold to be parsed: a cookie being set, a session middleware, Koa keys. */
const COOKIE_HINT =
  /\.(?:cookie|setCookie)\s*\(|['"][Ss]et-[Cc]ookie['"]|\b(?:cookies\s*(?:\(\s*\)\s*\)?)?|cookieStore|cookieJar)\s*\.\s*set\s*\(|\bserialize\s*\(|['"](?:express-session|cookie-session|koa-session|@fastify\/(?:secure-)?session|fastify-session)['"]|\.keys\s*=/;

const RESPONSE_ROOT = /^(?:res|response|resp|reply|this|r)$/;

interface CookieCall {
  kind: 'session' | 'auth';
  node: Node;
  /** The options object, undefined when none is passed; null when passed but not readable here. */
  options: Node | undefined | null;
  defaults: Flag[];
  explicitOnly?: boolean;
  what: string;
  /** Options written here around a spread of something that is not (`{ ...COOKIE_DEFAULTS, httpOnly: false }`). */
  partial?: Node;
  /** A Set-Cookie header written by hand: its attributes, read from the text. */
  raw?: { missing: Flag[]; sameSiteNone: boolean };
}

/** Response methods that write a header, and whose receiver is a response. */
const HEADER_WRITE = /^(?:setHeader|set|header|append|appendHeader)$/;
const RAW_ROOT = /^(?:res|response|resp|reply|ctx|context|this|r)$/;

/**
 * `res.setHeader('Set-Cookie', `auth_token=${token}; Path=/; HttpOnly`)`: the cookie's name and attributes are
 * in the text. Only a name written out counts (a name built at run time is not judged), and a cookie being
 * cleared (an empty value, Max-Age=0) carries nothing to protect.
 */
function rawCookies(m: CodeModule, call: { node: Node; args: Node[] }, value: Node | undefined, found: CookieCall[]) {
  const v = value && unwrap(value);
  if (!v) return;
  if (v.type === 'ArrayExpression') {
    for (const e of v.elements as Array<Node | null>) if (e) rawCookies(m, call, e, found);
    return;
  }
  // The text with each `${…}` as a mark that no attribute or name can hold.
  const text =
    v.type === 'TemplateLiteral'
      ? (v.quasis as Node[]).map((q) => q.value.cooked ?? q.value.raw).join('\u0000')
      : m.stringValue(v);
  if (text === undefined) return;
  const [pair = '', ...attributes] = text.split(';').map((part: string) => part.trim());
  const eq = pair.indexOf('=');
  const name = eq > 0 ? pair.slice(0, eq) : '';
  if (!name || name.includes('\u0000') || !AUTH_COOKIE.test(name) || NOT_AUTH.test(name)) return;
  if (pair.slice(eq + 1) === '' || attributes.some((a) => /^max-age\s*=\s*0$/i.test(a))) return;
  const has = (re: RegExp) => attributes.some((a) => re.test(a));
  const missing: Flag[] = [];
  if (!has(/^httponly$/i)) missing.push('httpOnly');
  if (!has(/^secure$/i) && !inDevelopmentBranch(m, call.node)) missing.push('secure');
  const sameSiteNone = has(/^samesite\s*=\s*none$/i);
  if (!has(/^samesite\s*=\s*(?:lax|strict|none)$/i)) missing.push('sameSite');
  found.push({
    kind: 'auth',
    node: call.node,
    options: undefined,
    defaults: [],
    what: `the cookie "${name}"`,
    raw: { missing, sameSiteNone },
  });
}

function literalOrUnknown(m: CodeModule, arg: Node | undefined): Node | undefined | null {
  if (!arg) return undefined;
  const literal = m.objectLiteral(arg);
  if (!literal) return null;
  // A spread of something not written here may set any flag.
  const opaque = literal.properties.some((p: Node) => p.type === 'SpreadElement' && !m.objectLiteral(p.argument));
  return opaque ? null : literal;
}

/** The options literal when it spreads something not written here: only what follows that spread is certain. */
function partialOptions(m: CodeModule, arg: Node | undefined): { partial: Node } | Record<string, never> {
  const literal = arg ? m.objectLiteral(arg) : undefined;
  return literal && literalOrUnknown(m, literal) === null ? { partial: literal } : {};
}

function cookieCalls(m: CodeModule): CookieCall[] {
  const found: CookieCall[] = [];
  const next = m.imports('next/headers', 'next/server');
  const cookieName = (nameArg: Node | undefined, valueArg: Node | undefined) => {
    // ctx.cookies.set(name, '', { expires: new Date(0) }): a cookie being cleared carries nothing to protect.
    if (valueArg && (m.stringValue(valueArg) === '' || m.source(valueArg) === 'null')) return null;
    // res.cookie('sessions', JSON.stringify(list)): a structure the page keeps, not an opaque session id or
    // token (those are strings); a name that says token, jwt or auth is still judged.
    const json = valueArg && /^JSON\.stringify\s*\(/.test(m.source(valueArg));
    if (json && !/token|jwt|auth/i.test(nameArg ? m.source(nameArg) : '')) return null;
    const name = nameArg ? m.stringValue(nameArg) : undefined;
    if (name !== undefined) return AUTH_COOKIE.test(name) && !NOT_AUTH.test(name) ? name : null;
    // A name built at run time: judge by what is stored.
    const text = `${nameArg ? m.source(nameArg) : ''} ${valueArg ? m.source(valueArg) : ''}`;
    return AUTH_COOKIE.test(text) && !NOT_AUTH.test(text) ? text.trim().slice(0, 30) : null;
  };
  /** A cookie set by `node`: kept when it carries a session or a token. */
  const authCookie = (
    node: Node,
    nameArg: Node | undefined,
    valueArg: Node | undefined,
    optionsArg: Node | undefined,
    defaults: Flag[] = [],
  ) => {
    const name = cookieName(nameArg, valueArg);
    if (name)
      found.push({
        kind: 'auth',
        node,
        options: literalOrUnknown(m, optionsArg),
        ...partialOptions(m, optionsArg),
        defaults,
        what: `the cookie "${name}"`,
      });
  };
  for (const call of m.calls()) {
    const { callee } = call;
    const module = callee.module;
    if (module && module in SESSIONS && (callee.path.length === 0 || callee.path[0] === 'default')) {
      const s = SESSIONS[module]!;
      // koa-session: session(CONFIG, app) or session(app, CONFIG)
      const arg = call.args.find((a) => m.objectLiteral(a)) ?? call.args[0];
      const opts = literalOrUnknown(m, arg);
      const cookie = s.cookie === 'flat' || !opts ? opts : literalOrUnknown(m, m.property(opts, 'cookie'));
      found.push({
        kind: 'session',
        node: call.node,
        options: cookie,
        ...partialOptions(m, s.cookie === 'flat' ? arg : opts ? m.property(opts, 'cookie') : undefined),
        defaults: s.defaults,
        ...(s.explicitOnly ? { explicitOnly: true } : {}),
        what: `the ${module} cookie`,
      });
      continue;
    }
    // fastify.register(fastifySession, { … })
    if (callee.name === 'register' && call.args[0]) {
      const plugin = m.callee(call.args[0]).module;
      if (plugin && plugin in SESSIONS) {
        const s = SESSIONS[plugin]!;
        const opts = literalOrUnknown(m, call.args[1]);
        found.push({
          kind: 'session',
          node: call.node,
          options: opts ? literalOrUnknown(m, m.property(opts, 'cookie')) : opts,
          defaults: s.defaults,
          explicitOnly: true,
          what: `the ${plugin} cookie`,
        });
      }
      continue;
    }
    const receiver = callee.path.slice(0, -1);
    // res.cookie(name, value, options) (Express), reply.setCookie(…) (@fastify/cookie)
    if (
      (callee.name === 'cookie' || callee.name === 'setCookie') &&
      receiver.length >= 1 &&
      RESPONSE_ROOT.test(receiver[0]!)
    ) {
      authCookie(call.node, call.args[0], call.args[1], call.args[2]);
      continue;
    }
    // ctx.cookies.set(…) (Koa), cookies().set(…) / response.cookies.set(…) (Next.js)
    const object =
      unwrap(call.node.callee).type === 'MemberExpression' ? m.source(unwrap(call.node.callee).object) : '';
    if (callee.name === 'set' && /(?:\bcookies(?:\(\))?\)?|cookieStore|cookieJar)$/.test(object)) {
      const objectForm = call.args.length === 1 && m.objectLiteral(call.args[0]!);
      const nameArg = objectForm ? m.property(objectForm, 'name') : call.args[0];
      const valueArg = objectForm ? m.property(objectForm, 'value') : call.args[1];
      const koa = !next && /^(?:ctx|context|this)\b/.test(object);
      // Koa's ctx.cookies (the `cookies` module) is HttpOnly by default and Secure on HTTPS connections.
      authCookie(
        call.node,
        nameArg,
        valueArg,
        objectForm ? call.args[0] : call.args[2],
        koa ? ['httpOnly', 'secure'] : [],
      );
      continue;
    }
    // cookie.serialize(name, value, options)
    if (module === 'cookie' && callee.name === 'serialize')
      authCookie(call.node, call.args[0], call.args[1], call.args[2]);
    // res.setHeader('Set-Cookie', '…'), ctx.set('Set-Cookie', […]), reply.header('set-cookie', …)
    if (
      HEADER_WRITE.test(callee.name ?? '') &&
      receiver.length >= 1 &&
      RAW_ROOT.test(receiver[0]!) &&
      call.args[0] &&
      m.stringValue(call.args[0])?.toLowerCase() === 'set-cookie'
    )
      rawCookies(m, call, call.args[1], found);
  }
  return found;
}

/** Flags set later by assignment, as in express-session's README: `if (prod) sess.cookie.secure = true`. */
function assignedFlags(m: CodeModule): Set<string> {
  const set = new Set<string>();
  for (const a of m.nodes('AssignmentExpression')) {
    const left = unwrap(a.left);
    const name = left.type === 'MemberExpression' ? propertyName(left) : null;
    if (name && /^(?:secure|sameSite|httpOnly)$/.test(name) && m.source(a.right) !== 'false') set.add(name);
  }
  return set;
}

/** The flags a cookie lacks. */
function missingFlags(m: CodeModule, c: CookieCall, assigned: Set<string>): Flag[] {
  if (c.raw) return c.raw.missing;
  // Options from elsewhere: not ours to guess, except a flag written false after them (the last one wins).
  if (c.options === null) return c.partial ? falseAfterSpreads(m, c) : [];
  const missing: Flag[] = [];
  for (const flag of ['httpOnly', 'secure', 'sameSite'] as const) {
    const value = c.options ? m.property(c.options, flag) : undefined;
    const text = value ? m.source(unwrap(value)) : undefined;
    if (text === 'false') {
      if (flag === 'secure' && inDevelopmentBranch(m, c.node)) continue;
      missing.push(flag);
    } else if (value === undefined && !c.explicitOnly && !c.defaults.includes(flag) && !assigned.has(flag)) {
      if (flag === 'secure' && inDevelopmentBranch(m, c.node)) continue;
      missing.push(flag);
    }
  }
  return missing;
}

/** The flags a partly known options literal sets to false after its last spread of something not written here. */
function falseAfterSpreads(m: CodeModule, c: CookieCall): Flag[] {
  const properties = c.partial!.properties as Node[];
  let last = -1;
  properties.forEach((p, i) => {
    if (p.type === 'SpreadElement' && !m.objectLiteral(p.argument)) last = i;
  });
  const off: Flag[] = [];
  for (const p of properties.slice(last + 1)) {
    const key = p.type === 'Property' ? keyName(p) : null;
    if ((key === 'httpOnly' || key === 'secure' || key === 'sameSite') && m.source(unwrap(p.value)) === 'false') {
      if (key === 'secure' && inDevelopmentBranch(m, c.node)) continue;
      off.push(key);
    }
  }
  return off;
}

/** A literal secret, or a literal fallback (`process.env.SECRET || 'keyboard cat'`). */
function literalSecret(m: CodeModule, value: Node): Node | undefined {
  const v = unwrap(value);
  if (v.type === 'Literal' && typeof v.value === 'string') return v;
  if (v.type === 'TemplateLiteral' && v.expressions.length === 0) return v;
  if (v.type === 'LogicalExpression') return literalSecret(m, v.right) ?? literalSecret(m, v.left);
  if (v.type === 'ConditionalExpression') return literalSecret(m, v.consequent) ?? literalSecret(m, v.alternate);
  if (v.type === 'ArrayExpression')
    return (v.elements as Array<Node | null>).map((e) => (e ? literalSecret(m, e) : undefined)).find(Boolean);
  if (v.type === 'Identifier') {
    const b = m.binding(v);
    const def = b?.kind === 'const' && b.defs.length === 1 ? b.defs[0] : undefined;
    if (def?.value && def.path.length === 0) return literalSecret(m, def.value);
  }
  return undefined;
}

function secretHits(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const module =
      call.callee.module && call.callee.module in SESSIONS && call.callee.path.length === 0
        ? call.callee.module
        : call.callee.name === 'register' && call.args[0]
          ? m.callee(call.args[0]).module
          : undefined;
    if (!module || !(module in SESSIONS)) continue;
    const opts = m.objectLiteral(
      call.callee.name === 'register' ? call.args[1] : call.args.find((a) => m.objectLiteral(a)),
    );
    for (const key of SESSIONS[module]!.secret) {
      const value = opts && m.property(opts, key);
      const literal = value && literalSecret(m, value);
      if (!literal || inDevelopmentBranch(m, literal)) continue;
      const text = m.stringValue(literal) ?? '';
      const kind = PLACEHOLDER_SECRET.test(text)
        ? 'a well-known placeholder'
        : unwrap(value).type === 'LogicalExpression'
          ? 'a hard-coded fallback'
          : 'hard-coded';
      hits.push(
        m.hit('hardcoded-session-secret', literal, {
          messageId: 'hardcoded',
          data: { module, key, kind },
        }),
      );
    }
  }
  // Koa: app.keys = ['…'] signs the session cookie.
  if (m.imports('koa', 'koa-session')) {
    for (const a of m.nodes('AssignmentExpression')) {
      const left = unwrap(a.left);
      if (
        left.type === 'MemberExpression' &&
        propertyName(left) === 'keys' &&
        unwrap(a.right).type === 'ArrayExpression'
      ) {
        const literal = literalSecret(m, a.right);
        if (literal) hits.push(m.hit('hardcoded-session-secret', a, { messageId: 'koaKeys' }));
      }
    }
  }
  return hits;
}

/**
 * koa-session and cookie-session keep the whole session in the cookie; `signed: false` drops the signature
 * that stops a client from writing its own (`{ userId: 1, isAdmin: true }`).
 */
function unsignedSessions(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const { module } = call.callee;
    if ((module !== 'koa-session' && module !== 'cookie-session') || call.callee.path.length > 1) continue;
    const opts = call.args.map((a) => m.objectLiteral(a)).find(Boolean);
    const signed = opts && m.property(opts, 'signed');
    if (signed && m.source(unwrap(signed)) === 'false')
      hits.push(m.hit('unsigned-session', signed, { messageId: 'unsigned', data: { module } }));
  }
  return hits;
}

function cookieHits(m: CodeModule): Hit[] {
  const assigned = assignedFlags(m);
  const hits: Hit[] = [];
  for (const c of cookieCalls(m)) {
    const missing = missingFlags(m, c, assigned);
    if (!missing.length) {
      // SameSite=None sends the cookie with every cross-site request, undoing the browser's Lax default:
      // sometimes meant (an embedded widget), so a warning that asks for a CSRF defence.
      const sameSite = c.options ? m.property(c.options, 'sameSite') : undefined;
      const none = c.raw ? c.raw.sameSiteNone : sameSite && m.stringValue(sameSite)?.toLowerCase() === 'none';
      if (none && !inDevelopmentBranch(m, c.node))
        hits.push({
          ...m.hit(c.kind === 'session' ? 'session-cookie-flags' : 'auth-cookie-flags', c.node, {
            messageId: 'sameSiteNone',
            data: { cookie: `${c.what[0]!.toUpperCase()}${c.what.slice(1)}` },
            flow: [m.line(sameSite ?? c.node)],
          }),
          severity: 'warning' as const,
        });
      continue;
    }
    const words = missing.map((f) => (f === 'httpOnly' ? 'HttpOnly' : f === 'secure' ? 'Secure' : 'SameSite'));
    const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : words[0]!;
    const flow = c.options ? [m.line(c.options), m.position(c.options.end).line] : [];
    // Only SameSite missing: browsers treat such a cookie as SameSite=Lax already, so it is worth
    // setting but not worth refusing a commit over (CSRF is judged by its own atom).
    const sameSiteOnly = missing.length === 1 && missing[0] === 'sameSite';
    // httpOnly: false on purpose and a life of seconds (logto's Google One Tap hand-off to its sign-in page):
    // the page is meant to read it once; a warning. A session cookie readable by scripts still blocks.
    const maxAge = c.options ? numberValue(m, m.property(c.options, 'maxAge')) : undefined;
    const handoff =
      missing.length === 1 &&
      missing[0] === 'httpOnly' &&
      m.source(m.property(c.options, 'httpOnly') ?? c.node) === 'false' &&
      maxAge !== undefined &&
      maxAge <= 60_000;
    hits.push({
      ...m.hit(c.kind === 'session' ? 'session-cookie-flags' : 'auth-cookie-flags', c.node, {
        messageId: sameSiteOnly ? 'withoutSameSite' : 'without',
        data: { cookie: `${c.what[0]!.toUpperCase()}${c.what.slice(1)}`, flags: list },
        flow,
      }),
      ...(sameSiteOnly || handoff ? { severity: 'warning' as const } : {}),
    });
  }
  return [...hits, ...secretHits(m), ...unsignedSessions(m)];
}

export default defineAtom({
  id: 'cookies',
  title: 'Session and auth cookies are HttpOnly, Secure and SameSite',
  criteria: {
    pass: 'Session cookies (express-session, cookie-session, koa-session, Fastify sessions) and cookies that carry a session id or token (res.cookie, reply.setCookie, ctx.cookies.set, Next.js cookies().set, or a Set-Cookie header written by hand) are set with httpOnly: true, secure: true (or an expression that is true in production), and sameSite: "lax" or "strict"; session secrets come from the environment or a secret store.',
    fail: 'A session or auth cookie lacks httpOnly, secure (outside an explicit development branch) or sameSite, or sets sameSite: "none" (a warning: it is sent with cross-site requests), or a session kept in the cookie is not signed (koa-session or cookie-session with signed: false), or a session secret is written in the code (including a fallback such as process.env.SECRET || "keyboard cat").',
  },
  files: CODE_FILES,
  keywords: ['cookie', 'express-session', 'koa-session', 'fastify/session', 'secure-session', 'fastify-session'],
  defaultLevel: 'block',
  rules: {
    'session-cookie-flags': {
      message: 'The session cookie is sent without all of HttpOnly, Secure and SameSite.',
      messages: {
        without: '{cookie} is sent without {flags}.',
        withoutSameSite:
          '{cookie} is sent without {flags} (Chromium browsers already default to Lax, so this is a warning).',
        sameSiteNone:
          '{cookie} is SameSite=None: browsers send it with requests from any site, so every state-changing route needs its own CSRF defence.',
      },
      fix: "Set the cookie options: session({ …, cookie: { httpOnly: true, secure: true, sameSite: 'lax' } }) (secure: process.env.NODE_ENV === 'production' if you must serve plain http in development; behind a proxy also app.set('trust proxy', 1)).",
    },
    'auth-cookie-flags': {
      message: 'A cookie that carries a session or token is sent without all of HttpOnly, Secure and SameSite.',
      messages: {
        without: '{cookie} is sent without {flags}.',
        withoutSameSite:
          '{cookie} is sent without {flags} (Chromium browsers already default to Lax, so this is a warning).',
        sameSiteNone:
          '{cookie} is SameSite=None: browsers send it with requests from any site, so every state-changing route needs its own CSRF defence.',
      },
      fix: "Pass the flags: res.cookie('token', token, { httpOnly: true, secure: true, sameSite: 'lax', maxAge: … }); keep one shared options object for every auth cookie.",
    },
    'unsigned-session': {
      message: 'A session kept in the cookie is not signed.',
      messages: {
        unsigned:
          '{module} keeps the whole session in the cookie and signed: false drops its signature: a client writes its own session (another user id, an admin flag).',
      },
      fix: 'Keep signed (the default) with keys from the environment: app.keys = [process.env.SESSION_KEY]; session({ signed: true }, app) — or keep only an id in the cookie and the session on the server.',
    },
    'hardcoded-session-secret': {
      message: 'The session secret is written in the code.',
      messages: {
        hardcoded: 'The {module} {key} is {kind}: anyone who reads the code can sign session cookies.',
        koaKeys: 'app.keys are hard-coded: anyone who reads the code can sign Koa cookies.',
      },
      fix: 'Read it from the environment with no fallback (secret: process.env.SESSION_SECRET, failing at start-up when it is missing) and rotate the one that was committed.',
    },
  },
  examples: {
    bad: [
      {
        file: 'src/server.ts',
        code: "import Koa from 'koa';\nimport session from 'koa-session';\nconst app = new Koa();\napp.keys = [process.env.SESSION_KEY!];\napp.use(session({ signed: false, httpOnly: true, sameSite: 'lax', secure: true }, app)); // ✗",
      },
      // JSON that carries the token: the name says what it is.
      {
        file: 'src/routes/login.js',
        code: "app.post('/login', async (req, res) => {\n  const token = await signIn(req.body);\n  res.cookie('authToken', JSON.stringify({ token }), { sameSite: 'lax' }); // ✗\n  res.redirect('/');\n});",
      },
      {
        file: 'src/app.js',
        code: "const session = require('express-session');\napp.use(session({ // ✗\n  secret: process.env.SESSION_SECRET,\n  resave: false,\n  saveUninitialized: false,\n}));",
      },
      {
        file: 'src/app.js',
        code: "const session = require('express-session');\napp.use(session({\n  secret: 'keyboard cat', // ✗\n  cookie: { httpOnly: true, secure: true, sameSite: 'lax' },\n}));",
      },
      {
        file: 'src/auth.js',
        code: "router.post('/login', async (req, res) => {\n  const token = await login(req.body);\n  res.cookie('token', token); // ✗\n  res.json({ ok: true });\n});",
      },
      { file: 'src/auth.ts', code: "res.cookie('session', sessionId, { httpOnly: true, maxAge: 86400000 }); // ✗" },
      {
        file: 'src/koa.js',
        code: "router.post('/login', async (ctx) => {\n  ctx.cookies.set('jwt', await issue(ctx.state.user), { httpOnly: true }); // ✗\n});",
      },
      {
        file: 'app/actions.ts',
        code: "'use server';\nimport { cookies } from 'next/headers';\nexport async function signIn(token: string) {\n  (await cookies()).set('session', token); // ✗\n}",
      },
      {
        file: 'src/app.js',
        code: "const session = require('express-session');\napp.use(session({\n  secret: process.env.SESSION_SECRET || 'dev-secret', // ✗\n  cookie: { secure: true, sameSite: 'strict' },\n}));",
      },
      {
        file: 'src/refresh.ts',
        code: "reply.setCookie('refreshToken', refresh, { path: '/auth', secure: true }); // ✗",
      },
      // Options merged with Object.assign are read as the object they build: no secure in either part.
      {
        file: 'src/session.js',
        code: "const session = require('express-session');\nconst base = { secret: process.env.SESSION_SECRET, resave: false };\napp.use(session(Object.assign({}, base, { // ✗\n  cookie: { httpOnly: true, sameSite: 'lax' },\n})));",
      },
      // Shared options spread first, a flag switched off after them: the last one wins.
      {
        file: 'src/auth/refresh.ts',
        code: "import { AUTH_COOKIE } from './cookie-options';\nexport function refresh(res: Response, token: string) {\n  res.cookie('refresh_token', token, { ...AUTH_COOKIE, httpOnly: false }); // ✗\n}",
      },
      // SameSite=None: sent with cross-site requests (a warning).
      {
        file: 'src/app.js',
        code: "const session = require('express-session');\napp.use(session({ // ✗\n  secret: process.env.SESSION_SECRET,\n  cookie: { httpOnly: true, secure: true, sameSite: 'none' },\n}));",
      },
      {
        file: 'src/app.js',
        code: "const cookieSession = require('cookie-session');\napp.use(cookieSession({ // ✗\n  name: 'session',\n  keys: [process.env.KEY1, process.env.KEY2],\n  httpOnly: false,\n}));",
      },
      // A Set-Cookie header written by hand: the attributes are in the text (HttpOnly only).
      {
        file: 'src/controllers/users.js',
        code: "module.exports = {\n  login: async (req, res) => {\n    const token = await signIn(req.body);\n    res.setHeader('Set-Cookie', `auth_token=${token}; Path=/; HttpOnly`); // ✗\n    res.json({ ok: true });\n  },\n};",
      },
    ],
    good: [
      {
        file: 'src/server.ts',
        code: "import Koa from 'koa';\nimport session from 'koa-session';\nconst app = new Koa();\napp.keys = [process.env.SESSION_KEY!];\napp.use(session({ signed: true, httpOnly: true, sameSite: 'lax', secure: true }, app));",
      },
      // A cookie named like sessions that holds a JSON structure (recent sessions shown by the page), not an id.
      {
        file: 'src/routes/history.js',
        code: "app.get('/history', (req, res) => {\n  res.cookie('sessions', JSON.stringify(recentSessions(req.user)), { maxAge: 86_400_000 });\n  res.render('history');\n});",
      },
      {
        file: 'src/sso.ts',
        code: "// Clear the SSO session cookie once it is consumed.\nctx.cookies.set(ssoSessionCookieName, '', { httpOnly: true, expires: new Date(0) });",
      },
      {
        file: 'src/app.js',
        code: "const session = require('express-session');\napp.use(session({\n  secret: process.env.SESSION_SECRET,\n  resave: false,\n  saveUninitialized: false,\n  cookie: { httpOnly: true, secure: true, sameSite: 'lax' },\n}));",
      },
      {
        file: 'src/prefs.js',
        code: "app.post('/prefs', (req, res) => {\n  res.cookie('theme', 'dark', { maxAge: 31536000000 });\n  res.cookie('locale', req.body.locale);\n  res.sendStatus(204);\n});",
      },
      {
        file: 'src/auth.ts',
        code: "res.cookie('token', token, {\n  httpOnly: true,\n  secure: process.env.NODE_ENV === 'production',\n  sameSite: 'strict',\n});",
      },
      {
        file: 'src/dev.js',
        code: "if (process.env.NODE_ENV === 'development') {\n  res.cookie('session', id, { httpOnly: true, secure: false, sameSite: 'lax' });\n}",
      },
      {
        file: 'src/app.js',
        code: "const session = require('express-session');\nconst sess = { secret: process.env.SESSION_SECRET, cookie: { sameSite: 'lax' } };\nif (app.get('env') === 'production') {\n  app.set('trust proxy', 1);\n  sess.cookie.secure = true;\n}\napp.use(session(sess));",
      },
      {
        file: 'src/koa.js',
        code: "router.post('/login', async (ctx) => {\n  ctx.cookies.set('sid', await createSession(ctx.state.user), { secure: true, sameSite: 'strict' });\n});",
      },
      {
        file: 'app/actions.ts',
        code: "'use server';\nimport { cookies } from 'next/headers';\nexport async function signIn(value: string) {\n  (await cookies()).set({ name: 'session', value, httpOnly: true, secure: true, sameSite: 'lax', path: '/' });\n}",
      },
      {
        file: 'src/auth.ts',
        code: "import { AUTH_COOKIE_OPTIONS } from './config';\nres.cookie('token', token, AUTH_COOKIE_OPTIONS);\nres.clearCookie('token');",
      },
      {
        file: 'src/session.js',
        code: "const session = require('express-session');\nconst base = { secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false };\napp.use(session(Object.assign({}, base, { cookie: { httpOnly: true, secure: true, sameSite: 'strict' } })));",
      },
      // Shared options (from elsewhere) with a lifetime of its own: the flags are theirs to set.
      {
        file: 'src/auth/refresh.ts',
        code: "import { AUTH_COOKIE } from './cookie-options';\nexport function refresh(res: Response, token: string) {\n  res.cookie('refresh_token', token, { ...AUTH_COOKIE, maxAge: 7 * 24 * 3600 * 1000 });\n}",
      },
      // Part of the options come from elsewhere: not ours to guess.
      {
        file: 'src/session.js',
        code: "const session = require('express-session');\napp.use(session(Object.assign({}, config.session, { secret: process.env.SESSION_SECRET })));",
      },
      // SameSite=None on a cookie that carries no session or token.
      {
        file: 'src/embed.js',
        code: "app.get('/widget', (req, res) => {\n  res.cookie('consent', 'yes', { secure: true, sameSite: 'none' });\n  res.render('widget');\n});",
      },
      // Set-Cookie written by hand with every flag; a preference cookie; the auth cookie cleared on logout.
      {
        file: 'src/controllers/users.js',
        code: "module.exports = {\n  login: async (req, res) => {\n    const token = await signIn(req.body);\n    res.setHeader('Set-Cookie', [`auth_token=${token}; Path=/; HttpOnly; Secure; SameSite=Lax`, 'theme=dark; Path=/']);\n    res.json({ ok: true });\n  },\n  logout: (req, res) => {\n    res.setHeader('Set-Cookie', 'auth_token=; Path=/; Max-Age=0');\n    res.end();\n  },\n};",
      },
    ],
  },
  check: codeCheck(cookieHits, [], COOKIE_HINT),
});
