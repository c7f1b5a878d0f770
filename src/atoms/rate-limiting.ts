import type { CodeModule, Node } from '../ast/module.js';
import { isFunction, keyName, propertyName, unwrap } from '../ast/nodes.js';
import { defineAtom, type CheckContext, type Hit, type SourceFile } from '../kit/atom.js';
import {
  APP_FILES,
  decoratorName,
  handlerFunction,
  inDevelopmentBranch,
  nestRoutesIn,
  otherModulesMatching,
  routesIn,
} from '../kit/app.js';
import { codeCheck } from '../kit/code.js';
import { exportedFunction, exportName, IMPORTS_LOCAL } from '../kit/summaries.js';

/** Paths of routes that guess or spend credentials: a path segment that is (or ends in) a word like login, register, reset-password, otp, token. */
const AUTH_PATH =
  /(?:^|[/_.-])(?:log-?in|sign-?in|sign-?up|register|registration|password|passwd|reset|forgot|otp|2fa|mfa|totp|tokens?|verify|verification|magic-?link|passcode|one-?time|authenticate)(?=$|[/.:])|(?:^|\/)sessions?(?=$|\/)/i;
/** A path segment naming one resource (`/users/:userId/password`): routes under it change what a signed-in caller owns or administers. */
const RESOURCE_PARAM = /\/(?::(?!token|code|key|secret|otp|hash)\w+|\[(?!token|code|key|secret)\w+\])\//i;
/** Paths under a signed-in area: the caller's own account, settings, the admin console. */
const SIGNED_IN_AREA = /^\/(?:api\/)?(?:v\d+\/)?(?:admin|me|account|settings|configs?|profile|dashboard)(?=\/|$)/i;
/** Modules of an admin API by their folder (`routes/admin-api/…`): mounted behind the admin's sign-in. */
const ADMIN_MODULE = /(?:^|\/)(?:admin|admin[-_]api|management[-_]api)\//i;

/** The route may be reached before sign-in and tries a credential: its path names one, not under a signed-in resource or area. */
function authPath(path: string): boolean {
  const match = AUTH_PATH.exec(path);
  if (!match) return false;
  return !RESOURCE_PARAM.test(path.slice(0, match.index + 1)) && !SIGNED_IN_AREA.test(path);
}

const CHANGING = new Set(['post', 'put', 'patch', 'all']);
/** A limiter by name: express-rate-limit instances, rate-limiter-flexible middleware, slow-down, brute-force guards. */
const LIMITER = /limiter|rate-?limit|rate_limit|throttl|slow-?down|brute/i;
/** Middleware that lets only signed-in callers through: such a route is not where credentials are guessed (the login itself authenticates with 'local'). */
const SIGNED_IN =
  /\b(?:require|ensure|is|check|must)_?(?:Auth|Login|LoggedIn|User|Admin|Session|Authenticated|Authed)\w*|\bauth(?:enticated|Admin\w*|Member\w*|Required|Guard|orize\w*)\b|\bprotect(?:ed)?\b|\bverifyToken\b|\bjwtAuth\b|\bloggedIn\b|\bneedsPermission\b|\bauthenticate\(\s*['"](?:jwt|bearer|session|api-?key)['"]/i;
/** Rate-limiting packages. */
const LIMITER_PACKAGE =
  /['"](?:express-rate-limit|rate-limiter-flexible|@fastify\/rate-limit|fastify-rate-limit|koa-ratelimit|koa2-ratelimit|koa-simple-ratelimit|@nestjs\/throttler|nestjs-throttler|express-slow-down|express-brute|express-limiter|@upstash\/ratelimit|hono-rate-limiter|limiter|rate-limit-redis|express-rate-limiter|@arcjet\/[\w-]+)['"]/;
/** A limiter registered for the whole app (or a mount path): .use(limiter), .register(rateLimit), a global Nest guard, Next.js middleware. */
const APP_WIDE =
  /\.(?:use|register)\s*\([^;]*?(?:limiter|rate-?limit|rate_limit|throttl|slow-?down|brute)|provide\s*:\s*APP_GUARD\s*,\s*useClass\s*:\s*\w*(?:Throttl|Limit)|useGlobalGuards\s*\([^)]*(?:Throttl|Limit)|export\s+(?:async\s+)?function\s+middleware|export\s+(?:const|default)\s+middleware/i;

/** What a module must hold to be parsed: a route registration, and an auth word in a string (or a Next.js route file). */
const ROUTE_HINT =
  /\.(?:post|put|patch|all|route)\s*\(|@(?:Post|Put|Patch|All)\s*\(|export\s+(?:async\s+)?(?:function|const)\s+(?:POST|PUT|PATCH)\b/;
const AUTH_TEXT =
  /['"`][^'"`\n]*(?:log-?in|sign-?in|sign-?up|register|password|passwd|reset|forgot|otp|2fa|mfa|totp|token|verif|magic|passcode|one-?time|authenticat|session)/i;
const NEXT_ROUTE = /(?:^|\/)app\/.*\/route\.[jt]sx?$/;

interface Candidate {
  node: Node;
  label: string;
  /** Names the handler goes by, to find a limiter applied where it is defined. */
  names: string[];
}

/** A router typed as one only signed-in callers reach (`<T extends ManagementApiRouter>`, `AuthedRouter`): every route of the module is behind sign-in. */
const SIGNED_IN_ROUTER = /\b(?:Authed|Authenticated|Management|Admin|Protected|Private|Secured)\w*Router\b/;

function candidates(m: CodeModule, file: SourceFile): Candidate[] {
  const found: Candidate[] = [];
  if (SIGNED_IN_ROUTER.test(file.text) || ADMIN_MODULE.test(file.path)) return found;
  // A limiter the module registers for all its routes: router.use(loginLimiter), fastify.register(rateLimit)
  const moduleWide = m
    .calls()
    .some(
      (c) => (c.callee.name === 'use' || c.callee.name === 'register') && c.args.some((a) => LIMITER.test(m.source(a))),
    );
  if (moduleWide) return [];

  for (const route of routesIn(m)) {
    if (!CHANGING.has(route.method) || !authPath(route.path)) continue;
    // Any middleware, option or handler body that limits: rateLimit({…}), loginLimiter, limiter.consume(req.ip), { config: { rateLimit } }
    if (route.handlers.some((h) => LIMITER.test(m.source(h)))) continue;
    if (route.handlers.slice(0, -1).some((h) => SIGNED_IN.test(m.source(h)))) continue;
    const last = route.handlers.at(-1)!;
    const fn = m.localFunction(last);
    if (fn && LIMITER.test(m.source(fn))) continue;
    found.push({
      node: route.node,
      label: `${route.method.toUpperCase()} ${route.path}`,
      names: [...handlerNames(m, last), ...enclosingClass(m, route.node)],
    });
  }
  // fastify.route({ method: 'POST', url: '/login', config: { rateLimit: … }, handler })
  for (const call of m.calls()) {
    if (call.callee.name !== 'route' || call.callee.path.length < 2) continue;
    const opts = m.objectLiteral(call.args[0]);
    const url = opts && (m.property(opts, 'url') ?? m.property(opts, 'path'));
    const method = opts && m.property(opts, 'method');
    const path = url && m.stringValue(url);
    if (!opts || !path || !method || !/POST|PUT|PATCH/i.test(m.source(method)) || !authPath(path)) continue;
    if (LIMITER.test(m.source(opts))) continue;
    found.push({
      node: call.node,
      label: `${/PUT|PATCH/i.test(m.source(method)) && !/POST/i.test(m.source(method)) ? 'PUT' : 'POST'} ${path}`,
      names: enclosingClass(m, call.node),
    });
  }
  // NestJS: @Post('login') without @Throttle / a throttler guard on the method or the controller.
  for (const r of nestRoutesIn(m)) {
    if (!CHANGING.has(r.verb) || !authPath(r.path)) continue;
    const decorators = [...(r.method.decorators ?? []), ...(r.cls.decorators ?? [])] as Node[];
    const skip = (r.method.decorators ?? []).find((d: Node) => decoratorName(m, d) === 'SkipThrottle');
    if (skip) {
      found.push({ node: skip, label: `${r.verb.toUpperCase()} ${r.path} (@SkipThrottle)`, names: ['@SkipThrottle'] });
      continue;
    }
    if (decorators.some((d) => LIMITER.test(m.source(d)))) continue;
    // @UseGuards(AuthGuard('jwt')) on the method or the controller: only signed-in callers get here.
    if (decorators.some((d) => decoratorName(m, d) === 'UseGuards' && SIGNED_IN.test(m.source(d)))) continue;
    found.push({ node: r.decorator, label: `${r.verb.toUpperCase()} ${r.path}`, names: [] });
  }
  // GraphQL: a mutation resolver named like a login (Mutation: { userLogin: async (parent, args) => … }).
  if (graphqlServer(file.text)) {
    for (const p of m.nodes('Property')) {
      const resolvers = keyName(p) === 'Mutation' ? m.objectLiteral(p.value) : undefined;
      for (const r of (resolvers?.properties ?? []) as Node[]) {
        const name = r.type === 'Property' ? keyName(r) : null;
        // userLogin → /user-login, resetPassword → /reset-password: the path words of a REST route.
        if (!name || !authPath(`/${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`)) continue;
        if (!isFunction(unwrap(r.value)) || LIMITER.test(m.source(r))) continue;
        found.push({ node: r, label: `GraphQL mutation ${name}`, names: [name] });
      }
    }
  }
  // Next.js route handlers: app/api/auth/login/route.ts exporting POST
  const next = /(?:^|\/)app\/(.*)\/route\.[jt]sx?$/.exec(file.path);
  if (next && authPath('/' + next[1]!.replace(/\([^)]*\)\/?/g, '')) && !LIMITER.test(file.text)) {
    for (const d of m.nodes('ExportNamedDeclaration')) {
      const decl = d.declaration;
      const name =
        decl?.type === 'FunctionDeclaration'
          ? decl.id?.name
          : decl?.type === 'VariableDeclaration'
            ? decl.declarations[0]?.id?.name
            : undefined;
      if (name === 'POST' || name === 'PUT' || name === 'PATCH')
        found.push({ node: d, label: `${name} /${next[1]}`, names: [] });
    }
  }
  return found;
}

/** The class a route is registered in (`class LoginController { constructor() { this.route({…}) } }`): mounted elsewhere by that name. */
function enclosingClass(m: CodeModule, node: Node): string[] {
  const cls = [...m.ancestors(node)].find((a) => a.type === 'ClassDeclaration' || a.type === 'ClassExpression');
  return cls?.id?.name ? [cls.id.name] : [];
}

/** `authController.login` → ['login'], `login` → ['login'], `(req, res) => auth.login(req, res)` → ['login']. */
function handlerNames(m: CodeModule, last: Node): string[] {
  const n = unwrap(last);
  if (n.type === 'Identifier' || n.type === 'MemberExpression') return [m.callee(n).name];
  if (n.type === 'CallExpression') return [m.callee(n.callee).name];
  return [];
}

/** A password checked against a stored hash: bcrypt.compare(plain, hash), argon2.verify(hash, plain). */
const PASSWORD_VERIFY: Record<string, { names: string[]; plain: number }> = {
  bcrypt: { names: ['compare', 'compareSync'], plain: 0 },
  bcryptjs: { names: ['compare', 'compareSync'], plain: 0 },
  argon2: { names: ['verify'], plain: 1 },
};
/** The handler works on the signed-in caller's own account (re-authentication before a change), not on any account. */
const OWN_ACCOUNT = /\b(?:req|request)\.(?:user|session|auth)\b|\bctx\.state\.user\b|\bres\.locals\.user\b/;

/** The handler checks a password the request sends, for an account the request names: a login by another path. */
function checksPassword(m: CodeModule, fn: Node): boolean {
  if (OWN_ACCOUNT.test(m.source(fn))) return false;
  return m.calls().some((call) => {
    const spec = call.callee.module ? PASSWORD_VERIFY[call.callee.module] : undefined;
    const plain = spec?.names.includes(call.callee.name) ? call.args[spec.plain] : undefined;
    return !!plain && call.node.start >= fn.start && call.node.end <= fn.end && m.taints(plain).length > 0;
  });
}

/**
 * Routes whatever their path whose handler checks a password from the request (`POST /v2/export` that
 * bcrypt.compares the body's password for the body's username): a way to guess passwords that the login's limiter
 * does not cover. The handler is written inline, or exported by a local module (`router.post('/x', users.export)`).
 */
async function passwordRoutes(
  m: CodeModule,
  file: SourceFile,
  ctx: CheckContext<Record<string, never>>,
  known: readonly Candidate[],
): Promise<Candidate[]> {
  const found: Candidate[] = [];
  if (SIGNED_IN_ROUTER.test(file.text) || ADMIN_MODULE.test(file.path)) return found;
  for (const route of routesIn(m)) {
    if (!CHANGING.has(route.method) || known.some((c) => c.node === route.node)) continue;
    if (route.handlers.some((h) => LIMITER.test(m.source(h)))) continue;
    const last = route.handlers.at(-1)!;
    const local = handlerFunction(m, route);
    let checks = local ? checksPassword(m, local) : false;
    if (!local && IMPORTS_LOCAL.test(file.text)) {
      const callee = m.callee(unwrap(last));
      const name = exportName({ callee, isNew: false } as Parameters<typeof exportName>[0]);
      const fn = name && (await exportedFunction(ctx.project, file.path, callee.module!, name, ['compare', 'verify']));
      checks = !!fn && checksPassword(fn.module, fn.fn);
    }
    if (checks)
      found.push({
        node: route.node,
        label: `${route.method.toUpperCase()} ${route.path} (it checks a password)`,
        names: handlerNames(m, last),
      });
  }
  return found;
}

async function limits(m: CodeModule, file: SourceFile, ctx: CheckContext<Record<string, never>>): Promise<Hit[]> {
  const hits: Hit[] = [];
  const byPath = candidates(m, file);
  const found = [...byPath, ...(await passwordRoutes(m, file, ctx, byPath))].filter(
    (c) => file.allAdded || file.isAdded(m.line(c.node)) || file.isAdded(m.position(c.node.end).line),
  );
  if (!found.length) return hits;
  // A limiter elsewhere in the app: registered app-wide, or applied where the handler is defined.
  const modules = await otherModulesMatching(ctx.project, file, LIMITER_PACKAGE);
  const texts = await Promise.all(modules.map((p) => ctx.project.read(p)));
  const appWide = modules.find((_, i) => APP_WIDE.test(texts[i] ?? ''));
  const open: Candidate[] = [];
  for (const c of found) {
    if (c.names[0] === '@SkipThrottle') {
      hits.push(m.hit('skipped-limit', c.node, { messageId: 'optsOut', data: { route: c.label } }));
      continue;
    }
    if (appWide) continue;
    // Applied where the handler or its router class is mounted: router.post('/login', limiter, auth.login),
    // app.use('/auth', rateLimit(…), new LoginController().router) — the name and a limiter in one statement.
    if (
      c.names.some((name) => {
        if (!name) return false;
        const word = new RegExp(`\\b${name.replace(/\W/g, '')}\\b`);
        return texts.some((t) => t !== null && t.split(';').some((s) => word.test(s) && LIMITER.test(s)));
      })
    )
      continue;
    open.push(c);
  }
  // One cause, one finding: the routes of a module that lack a limiter share one fix.
  if (open.length) {
    const [first, ...more] = open;
    const lines = open.map((c) => m.line(c.node));
    hits.push(
      m.hit('no-rate-limit', first!.node, {
        ...(more.length
          ? {
              messageId: 'many',
              data: { count: open.length, routes: open.map((c, i) => `${c.label} (line ${lines[i]})`).join(', ') },
            }
          : { messageId: 'none', data: { route: first!.label } }),
        flow: lines.slice(1),
      }),
    );
  }
  return hits;
}

// ── Keys the client chooses ────────────────────────────────────────────

/** Headers a client can send itself: a proxy appends to X-Forwarded-For, it does not replace what the client wrote. */
const CLIENT_HEADER =
  /['"`](x-forwarded-for|x-real-ip|x-client-ip|true-client-ip|forwarded)['"`]|\bheaders\.(forwarded)\b/i;
/** The entry a trusted proxy appended: the last one of the list, not the first the client wrote. */
const LAST_ENTRY = /\.pop\s*\(|\.at\s*\(\s*-\s*1\s*\)|length\s*-\s*1\s*\]|\.slice\s*\(\s*-\s*1\s*\)/;
/** What a module must hold to be read for client-chosen keys. */
const KEY_HINT = /keyGenerator|\.consume\s*\(|trust proxy|trustProxy|\.proxy\s*=\s*true|\b429\b|too many requests/i;
/** The limiter keys on the caller's IP (the default of express-rate-limit, @fastify/rate-limit and koa-ratelimit). */
const IP_KEYED = (text: string) =>
  !/keyGenerator|\bid\s*:\s*(?:\(|async|function|\w+\s*=>)/.test(text) ||
  /(?:keyGenerator|\bid)\b[\s\S]{0,400}?\.ip\b/.test(text);

/** A limiter's key function (`keyGenerator`, koa-ratelimit's `id`) or a `limiter.consume(key)` that reads a header the client writes. */
function headerKeys(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  const judge = (node: Node, fn: Node | undefined) => {
    const text = m.source(fn ?? node);
    const header = CLIENT_HEADER.exec(text);
    if (!header || LAST_ENTRY.test(text)) return;
    hits.push(
      m.hit('spoofable-key', node, {
        messageId: 'header',
        data: { header: (header[1] ?? header[2]!).toLowerCase() },
      }),
    );
  };
  for (const p of m.nodes('Property')) {
    const key = p.type === 'Property' ? keyName(p) : null;
    if (key !== 'keyGenerator' && !(key === 'id' && LIMITER.test(m.source(m.parent(m.parent(p)!) ?? p)))) continue;
    const v = unwrap(p.value);
    judge(p, isFunction(v) ? v : (m.localFunction(v) ?? undefined));
  }
  for (const call of m.calls())
    if (call.callee.name === 'consume' && LIMITER.test(call.callee.path.join('.')) && call.args[0])
      judge(call.node, call.args[0]);
  hits.push(...handWrittenLimiters(m));
  return hits;
}

/** A response that refuses for too many requests: status 429 or its text. */
const TOO_MANY = /\bstatus\s*\(\s*429\s*\)|\bstatus(?:Code)?\s*=\s*429\b|\bwriteHead\s*\(\s*429\b|too many requests/i;

/**
 * A limiter written by hand: a middleware (req, res, next) that answers 429 and reads the caller's address from a
 * header the client writes (`const ip = req.headers['x-forwarded-for'] || req.socket.remoteAddress`). The hit is on
 * the read of the header.
 */
function handWrittenLimiters(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const fn of [
    ...m.nodes('ArrowFunctionExpression'),
    ...m.nodes('FunctionExpression'),
    ...m.nodes('FunctionDeclaration'),
  ]) {
    if (fn.params.length !== 3) continue;
    const text = m.source(fn);
    if (!TOO_MANY.test(text) || LAST_ENTRY.test(text)) continue;
    // req.headers['x-forwarded-for'], req.headers.forwarded, req.get('x-real-ip'), req.header('x-forwarded-for')
    const reads = [...m.nodes('MemberExpression'), ...m.nodes('CallExpression')].filter((read) => {
      if (read.start < fn.start || read.end > fn.end) return false;
      if (read.type === 'CallExpression') return /^\w+\.(?:get|header)$/.test(m.source(read.callee));
      return /^\w+\.headers$/.test(m.source(read.object)) && (read.computed || propertyName(read) === 'forwarded');
    });
    for (const read of reads) {
      const header = CLIENT_HEADER.exec(m.source(read));
      if (!header) continue;
      hits.push(
        m.hit('spoofable-key', read, {
          messageId: 'header',
          data: { header: (header[1] ?? header[2]!).toLowerCase() },
        }),
      );
      break;
    }
  }
  return hits;
}

/**
 * `app.set('trust proxy', true)` (Express), `Fastify({ trustProxy: true })`, `app.proxy = true` (Koa) in an app whose
 * rate limiter keys on the IP: the IP is then the first X-Forwarded-For entry, which the client writes.
 */
async function trustEveryProxy(
  m: CodeModule,
  file: SourceFile,
  ctx: CheckContext<Record<string, never>>,
): Promise<Hit[]> {
  const found: Node[] = [];
  for (const call of m.calls()) {
    if (
      call.callee.name === 'set' &&
      call.args[0] &&
      m.stringValue(call.args[0]) === 'trust proxy' &&
      call.args[1] &&
      m.source(unwrap(call.args[1])) === 'true'
    )
      found.push(call.node);
    if (/^(?:fastify|Fastify|default)$/.test(call.callee.name) && call.callee.module === 'fastify') {
      const opts = m.objectLiteral(call.args[0]);
      const trust = opts && m.property(opts, 'trustProxy');
      if (trust && m.source(unwrap(trust)) === 'true') found.push(trust);
    }
  }
  for (const a of m.nodes('AssignmentExpression'))
    if (/^\w+\.proxy$/.test(m.source(a.left)) && m.source(unwrap(a.right)) === 'true' && /['"]koa['"]/.test(m.text))
      found.push(a);
  const open = found.filter(
    (n) =>
      !inDevelopmentBranch(m, n) && (file.allAdded || file.isAdded(m.line(n)) || file.isAdded(m.position(n.end).line)),
  );
  if (!open.length) return [];
  const modules = await otherModulesMatching(ctx.project, file, LIMITER_PACKAGE);
  const texts = [
    ...(LIMITER_PACKAGE.test(file.text) ? [file.text] : []),
    ...(await Promise.all(modules.map((p) => ctx.project.read(p)))).filter((t): t is string => t !== null),
  ];
  const keyed = texts.filter((t) => LIMITER_CALL.test(t));
  if (!keyed.length || !keyed.some(IP_KEYED)) return [];
  return open.map((n) => m.hit('spoofable-key', n, { messageId: 'trustAll' }));
}

/** A limiter made in the text (not only imported): rateLimit({…}), new RateLimiterRedis({…}), ratelimit({…}). */
const LIMITER_CALL =
  /\b(?:rateLimit|expressRateLimit|ratelimit|RateLimit|slowDown|new\s+RateLimiter\w*|register\s*\(\s*(?:rateLimit|fastifyRateLimit|import\(\s*['"]@fastify\/rate-limit))\s*\(?/;

/** A module of a GraphQL server with mutations. */
const GRAPHQL_IMPORT =
  /['"](?:graphql|@graphql-tools\/schema|graphql-tools|apollo-server[\w-]*|@apollo\/server|graphql-yoga|mercurius|express-graphql)['"]/;
const graphqlServer = (text: string): boolean => GRAPHQL_IMPORT.test(text) && /\bMutation\b/.test(text);

/** A module with routes that may guess credentials: auth words, a Next.js route, handlers of another module, or a password check. */
const routeModule = (file: SourceFile): boolean =>
  graphqlServer(file.text) ||
  (ROUTE_HINT.test(file.text) &&
    (AUTH_TEXT.test(file.text) ||
      NEXT_ROUTE.test(file.path) ||
      IMPORTS_LOCAL.test(file.text) ||
      /['"](?:bcrypt|bcryptjs|argon2)['"]/.test(file.text)));

async function check(m: CodeModule, file: SourceFile, ctx: CheckContext<Record<string, never>>): Promise<Hit[]> {
  const hits: Hit[] = [];
  if (routeModule(file)) hits.push(...(await limits(m, file, ctx)));
  if (KEY_HINT.test(file.text)) {
    // A keyGenerator of something else (a cache key) is no limiter's: the module must make or import one.
    // (a hand-written limiter is recognised by its 429 answer.)
    if (LIMITER_PACKAGE.test(file.text) || LIMITER_CALL.test(file.text) || TOO_MANY.test(file.text))
      hits.push(...headerKeys(m).filter((h) => file.allAdded || file.isAdded(h.line)));
    hits.push(...(await trustEveryProxy(m, file, ctx)));
  }
  return hits;
}

export default defineAtom({
  id: 'rate-limiting',
  title: 'Login, sign-up, reset and token routes are rate limited',
  criteria: {
    pass: "Every login, sign-up, password-reset, OTP/2FA and token route that callers reach before they are signed in has a rate limiter: on the route (express-rate-limit, rate-limiter-flexible, @fastify/rate-limit config, @Throttle / ThrottlerGuard), on its router, or registered for the whole app in any of its modules (app.use(limiter), fastify.register(rateLimit), a global ThrottlerGuard, Next.js middleware). Limiters count by the address the app's own proxy saw (trust proxy set to the number or addresses of the proxies) or by account, never by a header the client writes.",
    fail: 'A POST/PUT/PATCH route whose path names login, sign-in, sign-up, register, password, reset, forgot, OTP, 2FA/MFA, verify or token, and that no sign-in middleware guards, has no rate limiter on the route, its router or the app, or opts out with @SkipThrottle(); a GraphQL mutation named like one (userLogin, resetPassword) has none; a route by any path whose handler (inline or exported by a local module) checks a password the request sends for an account the request names (bcrypt.compare, argon2.verify) has no limiter either; or a limiter is keyed on X-Forwarded-For / X-Real-IP read by hand, or on req.ip in an app that trusts every proxy (trust proxy: true), where the client writes the address.',
  },
  files: APP_FILES,
  keywords: [
    'login',
    'signin',
    'sign-in',
    'signup',
    'sign-up',
    'register',
    'password',
    'reset',
    'forgot',
    'otp',
    '2fa',
    'mfa',
    'totp',
    'token',
    'verif',
    'magic',
    'passcode',
    'authenticate',
    'session',
    'keygenerator',
    'consume(',
    'proxy',
    // a route that checks a password, whatever its path
    'bcrypt',
    'argon2',
    // a hand-written limiter keyed on a client header
    'forwarded',
    'x-real-ip',
    'x-client-ip',
  ],
  // warn in the recommended policy: on the production corpus (npm run bench -- detection) 4 of its 7
  // findings were strictly true: below 2 in 3 (where a route sits behind sign-in is often decided elsewhere).
  defaultLevel: 'warn',
  rules: {
    'no-rate-limit': {
      message: 'An authentication route has no rate limiter.',
      messages: {
        none: '{route} has no rate limiter on the route, and none is registered for the whole app: passwords, codes and sign-ups can be tried at full speed.',
        many: '{count} routes here have no rate limiter, and none is registered for the whole app: {routes}. Passwords, codes and sign-ups can be tried at full speed.',
      },
      fix: "Limit it: const authLimiter = rateLimit({ windowMs: 15 * 60 * 1000, limit: 10 }); router.post('/login', authLimiter, login) (express-rate-limit); config: { rateLimit: { max: 5, timeWindow: '1 minute' } } on a Fastify route with @fastify/rate-limit registered; @UseGuards(ThrottlerGuard) @Throttle({ default: { limit: 5, ttl: 60000 } }) in NestJS. Count by account as well as by IP where you can.",
    },
    'spoofable-key': {
      message: 'The rate limiter counts requests by a value the client chooses.',
      messages: {
        header:
          'The rate limiter is keyed on the {header} header, which the client writes itself: a new value per request starts a new count, so the limit never bites.',
        trustAll:
          "Every proxy is trusted, so the client's IP becomes the first X-Forwarded-For entry, which the client writes itself: the app's IP-keyed rate limiter starts a new count for each invented address.",
      },
      fix: "Key on the address your own proxy saw: app.set('trust proxy', 1) (the number of proxies in front) or their addresses ('loopback', '10.0.0.0/8'), then the default key (req.ip); never read X-Forwarded-For yourself, or take its last entry when exactly one proxy appends to it. Count by account as well where you can.",
    },
    'skipped-limit': {
      message: 'An authentication route opts out of the rate limit.',
      messages: {
        optsOut: "{route} opts out of the app's rate limit.",
      },
      fix: 'Remove @SkipThrottle() from the route, or give it a stricter @Throttle({ default: { limit: 5, ttl: 60000 } }).',
    },
  },
  examples: {
    bad: [
      // GraphQL: a login mutation is a login route.
      {
        file: 'src/graphql/resolvers.js',
        code: "const { ApolloServer } = require('@apollo/server');\nconst resolvers = {\n  Query: { me: (_, __, ctx) => ctx.user },\n  Mutation: {\n    userLogin: async (_, { username, password }) => signIn(username, password), // ✗\n    createNote: async (_, { text }, ctx) => Note.create({ text, owner: ctx.user.id }),\n  },\n};\nmodule.exports = new ApolloServer({ typeDefs, resolvers });",
      },
      // A route by another name that checks any account's password: a login without the login's limiter.
      {
        file: 'src/routes/passphrase.js',
        code: "const controller = require('../controllers/passphrase');\nconst loginLimiter = require('../utils/rateLimiter')({ max: 10 });\nmodule.exports = (router) => {\n  router.route('/v2/login').post(loginLimiter, controller.login);\n  router.route('/v2/export').post(validateToken, controller.export); // ✗\n};",
        others: {
          'src/controllers/passphrase.js':
            "const bcrypt = require('bcrypt');\nmodule.exports = {\n  login: async (req, res) => res.json(await signIn(req.body)),\n  export: async (req, res) => {\n    const { username, password } = req.body;\n    const user = await User.findOne({ username: String(username) });\n    if (!user || !(await bcrypt.compare(password, user.password))) return res.sendStatus(401);\n    res.json(await exportAll(user));\n  },\n};",
        },
      },
      {
        file: 'src/routes/vault.ts',
        code: "import argon2 from 'argon2';\nrouter.post('/vault/open', async (req, res) => { // ✗\n  const vault = await db.vault.findUnique({ where: { id: String(req.body.vaultId) } });\n  if (!vault || !(await argon2.verify(vault.hash, String(req.body.passphrase)))) return res.sendStatus(403);\n  res.json(vault.items);\n});",
      },
      // Limiters written by hand (a middleware that answers 429), keyed on an address header the client writes.
      {
        file: 'src/utils/rateLimiter.js',
        code: "const hits = new Map();\nmodule.exports = ({ windowMs = 30000, max = 100 } = {}) => (req, res, next) => {\n  const ip = req.headers['x-forwarded-for'] || req.socket.remoteAddress; // ✗\n  const now = Date.now();\n  const recent = (hits.get(ip) ?? []).filter((t) => t > now - windowMs);\n  if (recent.length >= max) return res.status(429).json({ error: 'Too many requests' });\n  hits.set(ip, [...recent, now]);\n  next();\n};",
      },
      {
        file: 'src/middleware/throttle.ts',
        code: "export function throttle(req: Request, res: Response, next: NextFunction) {\n  const key = req.get('x-real-ip') ?? req.ip; // ✗\n  if (counter.incr(key) > 20) {\n    res.statusCode = 429;\n    return res.end();\n  }\n  next();\n}",
      },
      {
        file: 'src/routes/auth.js',
        code: "const router = require('express').Router();\nrouter.post('/login', async (req, res) => { // ✗\n  const user = await authenticate(req.body.email, req.body.password);\n  res.json({ token: sign(user) });\n});",
      },
      {
        file: 'src/routes/account.ts',
        code: "import { Router } from 'express';\nexport const account = Router();\naccount.post('/forgot-password', requestReset); // ✗\naccount.post('/reset-password/:token', resetPassword);",
      },
      {
        file: 'src/auth.ts',
        code: "export default async function auth(fastify) {\n  fastify.post('/api/auth/signup', async (request, reply) => createUser(request.body)); // ✗\n}",
      },
      {
        file: 'src/auth.controller.ts',
        code: "@Controller('auth')\nexport class AuthController {\n  @Post('login') // ✗\n  login(@Body() dto: LoginDto) { return this.auth.login(dto); }\n}",
      },
      {
        file: 'src/otp.js',
        code: "router.post('/verify-otp', authenticateUser, (ctx) => verifyOtp(ctx)); // ✗\nconst router = new Router();",
      },
      {
        file: 'app/api/auth/login/route.ts',
        code: "import { NextResponse } from 'next/server';\nexport async function POST(request: Request) { // ✗\n  const { email, password } = await request.json();\n  return NextResponse.json(await signIn(email, password));\n}",
      },
      {
        file: 'src/auth.controller.ts',
        code: "@UseGuards(ThrottlerGuard)\n@Controller('auth')\nexport class AuthController {\n  @SkipThrottle() // ✗\n  @Post('token')\n  token(@Body() dto: TokenDto) { return this.auth.token(dto); }\n}",
      },
      {
        file: 'src/limits.js',
        code: "const rateLimit = require('express-rate-limit');\nexports.loginLimiter = rateLimit({\n  windowMs: 15 * 60 * 1000,\n  limit: 10,\n  keyGenerator: (req) => req.headers['x-forwarded-for'] || req.ip, // ✗\n});",
      },
      {
        file: 'src/login.ts',
        code: "import { RateLimiterMemory } from 'rate-limiter-flexible';\nconst limiter = new RateLimiterMemory({ points: 5, duration: 60 });\nexport async function login(req, res) {\n  await limiter.consume(req.get('X-Real-IP')); // ✗\n  res.json(await signIn(req.body));\n}",
      },
      // Two files: every proxy trusted in the app, an IP-keyed limiter on the login routes.
      {
        file: 'src/app.ts',
        code: "import express from 'express';\nexport const app = express();\napp.set('trust proxy', true); // ✗\napp.use('/auth', authRoutes);",
        others: {
          'src/routes/auth.ts':
            "import rateLimit from 'express-rate-limit';\nexport const authRoutes = Router();\nauthRoutes.post('/login', rateLimit({ windowMs: 60000, limit: 5 }), login);",
        },
      },
    ],
    good: [
      // The same mutation counted by a limiter wrapper; mutations that guess nothing.
      {
        file: 'src/graphql/resolvers.js',
        code: "const { ApolloServer } = require('@apollo/server');\nconst resolvers = {\n  Mutation: {\n    userLogin: withRateLimit({ max: 5, window: '1m' }, async (_, { username, password }) => signIn(username, password)),\n    createNote: async (_, { text }, ctx) => Note.create({ text, owner: ctx.user.id }),\n    updateProfile: async (_, { name }, ctx) => User.updateOne({ _id: ctx.user.id }, { name }),\n  },\n};\nmodule.exports = new ApolloServer({ typeDefs, resolvers });",
      },
      // Re-authentication of the signed-in caller's own account; the same export route behind a limiter.
      {
        file: 'src/routes/account.js',
        code: "const bcrypt = require('bcrypt');\nrouter.post('/account/email', requireUser, async (req, res) => {\n  const user = await User.findById(req.user.id);\n  if (!(await bcrypt.compare(req.body.currentPassword, user.password))) return res.sendStatus(403);\n  await user.updateOne({ email: String(req.body.email) });\n  res.sendStatus(204);\n});",
      },
      {
        file: 'src/routes/passphrase.js',
        code: "const controller = require('../controllers/passphrase');\nconst exportLimiter = require('../utils/rateLimiter')({ max: 5 });\nmodule.exports = (router) => {\n  router.route('/v2/export').post(validateToken, exportLimiter, controller.export);\n  router.route('/v2/notes').post(validateToken, controller.save);\n};",
        others: {
          'src/controllers/passphrase.js':
            "const bcrypt = require('bcrypt');\nmodule.exports = {\n  save: async (req, res) => res.json(await Note.create({ text: String(req.body.text) })),\n  export: async (req, res) => {\n    const user = await User.findOne({ username: String(req.body.username) });\n    if (!user || !(await bcrypt.compare(req.body.password, user.password))) return res.sendStatus(401);\n    res.json(await exportAll(user));\n  },\n};",
        },
      },
      // The same limiter keyed on the address Express resolved (trust proxy decides it), or on the entry the one
      // proxy appended; a logger that reads the header in a module that also answers 429 elsewhere.
      {
        file: 'src/utils/rateLimiter.js',
        code: "const hits = new Map();\nmodule.exports = ({ windowMs = 30000, max = 100 } = {}) => (req, res, next) => {\n  const now = Date.now();\n  const recent = (hits.get(req.ip) ?? []).filter((t) => t > now - windowMs);\n  if (recent.length >= max) return res.status(429).json({ error: 'Too many requests' });\n  hits.set(req.ip, [...recent, now]);\n  next();\n};",
        unrouted: 'keyed on req.ip: no header word, so the pre-filter skips it',
      },
      {
        file: 'src/middleware/throttle.js',
        code: "module.exports = (req, res, next) => {\n  const ip = String(req.headers['x-forwarded-for'] ?? '').split(',').pop().trim() || req.socket.remoteAddress;\n  if (counter.incr(ip) > 20) return res.status(429).end();\n  next();\n};",
      },
      {
        file: 'src/middleware/log.js',
        code: "const accessLog = (req, res, next) => {\n  log.info({ path: req.path, forwardedFor: req.headers['x-forwarded-for'] });\n  next();\n};\nfunction tooMany(req, res) {\n  res.status(429).send('Too many requests');\n}\nmodule.exports = { accessLog, tooMany };",
      },
      // One proxy in front: req.ip is the address it saw, not what the client wrote.
      {
        file: 'src/app.ts',
        code: "import express from 'express';\nimport rateLimit from 'express-rate-limit';\nexport const app = express();\napp.set('trust proxy', 1);\napp.use('/auth', rateLimit({ windowMs: 60000, limit: 5 }));",
      },
      // A cache keyed by the forwarded address is not a limiter.
      {
        file: 'src/cache.js',
        code: "const apicache = require('apicache');\nexports.cache = apicache.options({ keyGenerator: (req) => req.headers['x-forwarded-for'] + req.originalUrl }).middleware('5 minutes');",
      },
      // The last X-Forwarded-For entry is the one the app's own proxy appended; an account key is the server's choice.
      {
        file: 'src/limits.js',
        code: "const rateLimit = require('express-rate-limit');\nexports.loginLimiter = rateLimit({\n  limit: 10,\n  keyGenerator: (req) => String(req.headers['x-forwarded-for'] ?? '').split(',').pop().trim(),\n});\nexports.resetLimiter = rateLimit({ limit: 3, keyGenerator: (req) => `reset:${req.body.email}` });",
      },
      // Every proxy trusted, but nothing in the app counts by IP.
      {
        file: 'src/app.ts',
        code: "import express from 'express';\nexport const app = express();\napp.set('trust proxy', true);\napp.get('/health', (req, res) => res.json({ ok: true }));",
      },
      {
        file: 'src/server.js',
        code: "const rateLimit = require('express-rate-limit');\nconst app = require('express')();\nif (config.env === 'production') {\n  app.use(rateLimit({ windowMs: 60000, limit: 100 }));\n}\napp.post('/login', login);",
      },
      {
        file: 'src/lib/routes/admin-api/user.ts',
        code: "export class UserController extends Controller {\n  constructor() {\n    super();\n    this.route({ method: 'post', path: '/change-password', handler: this.changePassword });\n  }\n}",
      },
      {
        file: 'src/routes/one-time-tokens.ts',
        code: "import type { ManagementApiRouter, RouterInitArgs } from './types.js';\nexport default function oneTimeTokenRoutes<T extends ManagementApiRouter>(...[router]: RouterInitArgs<T>) {\n  router.post('/one-time-tokens/verify', koaGuard({ body: verifyBody }), verifyToken);\n}",
      },
      {
        file: 'src/routes/user.controller.ts',
        code: "@UseGuards(AuthGuard('jwt'))\n@Controller('user')\nexport class UserController {\n  @Post('access-token')\n  rotate() { return this.users.rotateAccessToken(); }\n  @Post(':id/change-password')\n  change(@Body() dto: ChangePasswordDto) { return this.users.changePassword(dto); }\n}",
      },
      {
        file: 'src/routes/admin.js',
        code: "router.post('/users/:userId/password', setUserPassword);\nrouter.post('/api/me/password', changeOwnPassword);\nrouter.patch('/sign-in-exp', updateSignInExperience);\nrouter.post('/subscription/checkout-session', checkout);",
      },
      {
        file: 'src/routes/auth.js',
        code: "const rateLimit = require('express-rate-limit');\nconst router = require('express').Router();\nconst loginLimiter = rateLimit({ windowMs: 15 * 60 * 1000, limit: 10 });\nrouter.post('/login', loginLimiter, login);",
      },
      {
        file: 'src/routes/account.ts',
        code: "import { Router } from 'express';\nexport const account = Router();\naccount.use(authLimiter);\naccount.post('/forgot-password', requestReset);",
      },
      {
        file: 'src/auth.ts',
        code: "export default async function auth(fastify) {\n  fastify.post('/signup', { config: { rateLimit: { max: 5, timeWindow: '1 minute' } } }, createUser);\n}",
      },
      {
        file: 'src/auth.controller.ts',
        code: "@Controller('auth')\nexport class AuthController {\n  @Throttle({ default: { limit: 5, ttl: 60000 } })\n  @Post('login')\n  login(@Body() dto: LoginDto) { return this.auth.login(dto); }\n}",
      },
      {
        file: 'src/routes/users.js',
        code: "router.get('/login', renderLoginPage);\nrouter.post('/users/:id/avatar', uploadAvatar);\nrouter.post('/catalog/registers', listRegisters);\nrouter.put('/users/:id/token', requireAuth, regenerateApiToken);",
      },
      {
        file: 'src/client.js',
        code: "export const signIn = (email, password) => axios.post('/api/auth/login', { email, password });\nexport const reset = (email) => api.post('/password/reset', { email });",
      },
      {
        file: 'src/server.js',
        code: "const rateLimit = require('express-rate-limit');\nconst app = require('express')();\napp.use(rateLimit({ windowMs: 60000, limit: 100 }));\napp.post('/login', login);",
      },
      {
        file: 'src/login.js',
        code: "const { RateLimiterMemory } = require('rate-limiter-flexible');\nconst limiter = new RateLimiterMemory({ points: 5, duration: 60 });\nrouter.post('/login', async (req, res) => {\n  await limiter.consume(req.ip);\n  res.json(await login(req.body));\n});",
      },
    ],
  },
  check: codeCheck(check, [], (file) => routeModule(file) || KEY_HINT.test(file.text)),
});
