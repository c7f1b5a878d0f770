import type { CodeModule, Node } from '../ast/module.js';
import { keyName, propertyName, unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit, FLOW_MESSAGES } from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { followCalls, followHint, LOCAL_IMPORTS } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';

const RESPONSE = /^(?:res|response|reply|ctx|context|h|resp|NextResponse|Response|this\.res)$/;

function redirects(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  const judge = (sink: Node, target: Node | undefined, what: string) => {
    if (!target || target.type === 'SpreadElement' || m.isConstant(target) || safePrefix(m, target)) return;
    const [t] = m.taints(target, ['request', 'dom']);
    if (t) hits.push(m.flowHit('request-redirect', sink, t, what));
  };
  for (const call of m.calls()) {
    const { callee } = call;
    const receiver = callee.path.slice(0, -1).join('.');
    const name = callee.name;
    if (
      name === 'redirect' &&
      (RESPONSE.test(receiver) || callee.module === 'next/navigation' || callee.module === 'next/server')
    ) {
      // res.redirect(301, url) / reply.redirect(url, 301) / redirect(url)
      const target = call.args.find((a) => !m.isScalar(a));
      judge(call.node, target, `${callee.path.join('.') || name}()`);
    } else if (name === 'location' && RESPONSE.test(receiver)) {
      judge(call.node, call.args[0], `${receiver}.location()`);
    } else if (
      (name === 'setHeader' || name === 'header' || name === 'set' || name === 'append') &&
      RESPONSE.test(receiver.replace(/\.headers$/, '')) &&
      /^location$/i.test(m.stringValue(call.args[0] ?? call.node) ?? '')
    ) {
      judge(call.node, call.args[1], 'the Location header');
    } else if (name === 'writeHead' && RESPONSE.test(receiver)) {
      const headers = call.args.find((a, i) => i > 0 && m.objectLiteral(a));
      const literal = headers && m.objectLiteral(headers);
      const loc = literal?.properties.find((p: Node) => p.type === 'Property' && /^location$/i.test(keyName(p) ?? ''));
      judge(call.node, loc?.value, 'the Location header');
    } else if (
      (name === 'assign' || name === 'replace') &&
      /^(?:window\.|document\.)?location$/.test(receiver) &&
      !m.topLevel('location')
    ) {
      judge(call.node, call.args[0], `location.${name}()`);
    }
  }
  // location.href = x, window.location = x
  for (const a of m.nodes('AssignmentExpression')) {
    const left = unwrap(a.left);
    if (left.type !== 'MemberExpression') continue;
    const chain = m.callee(left).path.join('.');
    if (/^(?:window\.|document\.)?location(?:\.href)?$/.test(chain) && chain !== 'href') judge(a, a.right, chain);
  }
  // AWS Lambda / plain objects: { statusCode: 302, headers: { Location: x } }
  for (const obj of m.nodes('ObjectExpression')) {
    const status = obj.properties.find((p: Node) => p.type === 'Property' && keyName(p) === 'statusCode');
    if (!status || !/^30[12378]$/.test(m.stringValue(status.value) ?? '')) continue;
    const headers = obj.properties.find((p: Node) => p.type === 'Property' && keyName(p) === 'headers');
    const literal = headers && m.objectLiteral(headers.value);
    const loc = literal?.properties.find((p: Node) => p.type === 'Property' && /^location$/i.test(keyName(p) ?? ''));
    if (loc) judge(loc, loc.value, 'the Location header');
  }
  return hits;
}

/** The target starts with a constant relative path (`/x…`, not `//`) or a constant `scheme://host/`: only the path is chosen by the client. */
function safePrefix(m: CodeModule, target: Node): boolean {
  const u = unwrap(target);
  // new URL('/login', request.url): the path is constant.
  if (u.type === 'NewExpression' && m.callee(u.callee).name === 'URL' && u.arguments[0] && m.isConstant(u.arguments[0]))
    return true;
  // new URL(`/s/${id}`, config.origin).href: a path with a fixed first segment keeps the host of a base the code chose.
  const url = urlBuilt(m, u);
  if (url && safePrefix(m, url.arguments[0]) && !m.taints(url.arguments[1], ['request', 'dom']).length) return true;
  if (ownRoutePath(m, target)) return true;
  const shape = m.shape(target);
  if (shape === undefined) return false;
  const prefix = shape.split('${…}')[0]!;
  return /^\/[^/\\]/.test(prefix) || /^[a-z][\w+.-]*:\/\/[^/?#]+[/?#]/i.test(prefix);
}

/** `new URL(path, base)`, its `.href` or `.toString()`: the construction, when it has both arguments. */
function urlBuilt(m: CodeModule, target: Node): Node | undefined {
  let u = unwrap(target);
  if (u.type === 'CallExpression' && u.arguments.length === 0 && propertyName(unwrap(u.callee)) === 'toString')
    u = unwrap(unwrap(u.callee).object);
  else if (u.type === 'MemberExpression' && propertyName(u) === 'href') u = unwrap(u.object);
  return u.type === 'NewExpression' && m.callee(u.callee).name === 'URL' && u.arguments.length === 2 ? u : undefined;
}

/**
 * `ctx.request.path + '?' + query` in a handler of `router.post('/callback/:id', …)`: the request's own path,
 * which the route matched, so it starts with `/callback` and the host cannot change. (In middleware without a
 * route, `req.path` may be `//evil.example`, so the route must start with a literal segment.)
 */
function ownRoutePath(m: CodeModule, target: Node): boolean {
  let left = unwrap(target);
  for (;;) {
    if (left.type === 'BinaryExpression' && left.operator === '+') left = unwrap(left.left);
    else if (left.type === 'TemplateLiteral' && left.quasis[0]?.value.cooked === '' && left.expressions[0])
      left = unwrap(left.expressions[0]);
    else break;
  }
  if (left.type !== 'MemberExpression' || !/^(?:ctx|context|req|request)(?:\.request)?\.path$/.test(m.source(left)))
    return false;
  const handler = m.enclosingFunction(target);
  const route = handler && m.parent(handler);
  return (
    route?.type === 'CallExpression' &&
    route.arguments.includes(handler) &&
    /^\/[^/\\:*(]/.test(m.stringValue(route.arguments[0] ?? route) ?? '')
  );
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = ['redirect', 'location'];

export default defineAtom({
  id: 'open-redirect',
  title: 'Redirects stay on this site or go to allowed hosts',
  criteria: {
    pass: 'A redirect target from the request is a relative path (starts with one "/" and not "//" or "/\\"), or its host is in an allow-list, or the client only picks from fixed targets; otherwise a constant target is used.',
    fail: 'res.redirect, ctx.redirect, reply.redirect, Response/NextResponse.redirect, a Location header, or location.href gets a URL taken from the request (returnTo, next, url) without a relative-path or allow-list check.',
  },
  files: CODE_FILES,
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'request-redirect': {
      message: 'A redirect goes to a URL taken from the request.',
      messages: FLOW_MESSAGES,
      fix: "Accept only local paths: if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\\\')) to = '/'; or check new URL(to, base).origin === base.origin, or map a key to fixed targets.",
    },
  },
  examples: {
    bad: [
      // Two files: a helper of another module returns the query's target, and the route redirects to what it returns.
      {
        file: 'src/routes/login.js',
        code: "const { nextUrl } = require('../lib/next');\nrouter.post('/login', (req, res) => {\n  res.redirect(nextUrl(req)); // ✗\n});",
        others: { 'src/lib/next.js': "exports.nextUrl = (req) => req.query.next || '/';" },
      },
      // A check named "allowed" that only asks whether the URL contains an allowed host: https://evil.io/?app.example.com passes.
      {
        file: 'src/out.js',
        code: "function isRedirectAllowed(url) {\n  return ALLOWED_HOSTS.some((host) => url.includes(host));\n}\napp.get('/out', (req, res) => {\n  const url = req.query.url;\n  if (!isRedirectAllowed(url)) return res.sendStatus(400);\n  res.redirect(url); // ✗\n});",
      },
      // Two files: the same check in a module of its own.
      {
        file: 'src/routes/out.js',
        code: "import { isRedirectAllowed } from '../lib/redirects';\napp.get('/out', (req, res) => {\n  const url = req.query.url;\n  if (!isRedirectAllowed(url)) return res.sendStatus(400);\n  res.redirect(url); // ✗\n});",
        others: {
          'src/lib/redirects.js':
            'export function isRedirectAllowed(url) {\n  return ALLOWED_HOSTS.some((host) => url.includes(host));\n}',
        },
      },
      // Two files: a helper redirects wherever it is told; the route tells it the query's target.
      {
        file: 'src/routes/auth.js',
        code: "const { goBack } = require('../lib/navigation');\nrouter.get('/done', (req, res) => {\n  goBack(res, req.query.returnTo); // ✗\n});",
        others: { 'src/lib/navigation.js': 'exports.goBack = (res, target) => res.redirect(target);' },
      },
      // A check of one field of the body says nothing about another.
      {
        file: 'routes/login.js',
        code: 'exports.login = function (req, res) {\n  if (validator.isEmail(req.body.username)) {\n    const target = req.body.next;\n    return res.redirect(target); // ✗\n  }\n};',
      },
      // Middleware without a route: `GET //evil.example` makes req.path `//evil.example`.
      {
        file: 'src/trailing-slash.js',
        code: "app.use((req, res, next) => {\n  if (!req.path.endsWith('/')) return res.redirect(301, req.path + '/'); // ✗\n  next();\n});",
      },
      {
        file: 'src/login.js',
        code: "app.post('/login', (req, res) => {\n  // … authenticate …\n  res.redirect(req.query.next); // ✗\n});",
      },
      {
        file: 'src/auth.js',
        code: "router.get('/callback', async (ctx) => {\n  ctx.redirect(ctx.query.returnTo); // ✗\n});",
      },
      {
        file: 'src/go.ts',
        code: "fastify.get('/go', async (request, reply) => {\n  return reply.redirect(request.query.url); // ✗\n});",
      },
      {
        file: 'app/login/route.ts',
        code: "export async function GET(request: NextRequest) {\n  const to = request.nextUrl.searchParams.get('to') ?? '/';\n  return NextResponse.redirect(new URL(to, request.url)); // ✗\n}",
      },
      {
        file: 'src/server.js',
        code: "http.createServer((req, res) => {\n  const target = new URL(req.url, 'http://localhost').searchParams.get('u');\n  res.writeHead(302, { Location: target }); // ✗\n  res.end();\n});",
      },
      {
        file: 'src/lambda.js',
        code: 'exports.handler = async (event) => ({\n  statusCode: 302,\n  headers: { Location: event.queryStringParameters.redirect }, // ✗\n});',
      },
      {
        file: 'src/client.js',
        code: "const next = new URLSearchParams(location.search).get('next');\nwindow.location.href = next; // ✗",
      },
      // The base's host is kept only for a relative path: an absolute `next` replaces it.
      {
        file: 'src/routes/share.ts',
        code: "router.get('/go', async (ctx) => {\n  ctx.redirect(new URL(ctx.query.next, config.origin).href); // ✗\n});",
      },
    ],
    good: [
      // Two files: the same helper returns the target only when it is one of the allowed paths.
      {
        file: 'src/routes/login.js',
        code: "const { nextUrl } = require('../lib/next');\nrouter.post('/login', (req, res) => {\n  res.redirect(nextUrl(req));\n});",
        others: {
          'src/lib/next.js':
            "const ALLOWED = ['/home', '/settings'];\nexports.nextUrl = (req) => (ALLOWED.includes(req.query.next) ? req.query.next : '/');",
        },
      },
      // Two files: the check compares the URL's host with an allow-list.
      {
        file: 'src/routes/out.js',
        code: "import { isRedirectAllowed } from '../lib/redirects';\napp.get('/out', (req, res) => {\n  const url = req.query.url;\n  if (!isRedirectAllowed(url)) return res.sendStatus(400);\n  res.redirect(url);\n});",
        others: {
          'src/lib/redirects.js':
            "export function isRedirectAllowed(url) {\n  return ALLOWED_HOSTS.includes(new URL(url, 'https://app.example.com').host);\n}",
        },
      },
      // A path with a fixed first segment on a base the code chose: the host is the base's.
      {
        file: 'src/routes/share.ts',
        code: "router.get('/share/:id', async (ctx) => {\n  ctx.redirect(new URL(`/s/${ctx.params.id}`, config.origin).href);\n});",
      },
      // Two files: the same helper, told a fixed path.
      {
        file: 'src/routes/auth.js',
        code: "const { goBack } = require('../lib/navigation');\nrouter.get('/done', (req, res) => {\n  goBack(res, '/account');\n});",
        others: { 'src/lib/navigation.js': 'exports.goBack = (res, target) => res.redirect(target);' },
      },
      // The request's own path, under a route that starts with a literal segment: the host cannot change.
      {
        file: 'src/routes/callback.ts',
        code: "router.post('/callback/:connectorId', koaBody(), async (ctx) => {\n  const parsed = z.record(z.string()).parse(ctx.request.body);\n  ctx.status = 303;\n  ctx.set('Location', ctx.request.path + '?' + new URLSearchParams(parsed).toString());\n});",
      },
      {
        file: 'src/login.js',
        code: "app.post('/login', (req, res) => {\n  const next = req.query.next;\n  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) return res.redirect('/');\n  res.redirect(next);\n});",
      },
      {
        file: 'src/allow.js',
        code: "const TARGETS = ['/home', '/settings'];\napp.get('/go', (req, res) => {\n  const to = TARGETS.includes(req.query.to) ? req.query.to : '/home';\n  res.redirect(to);\n});",
      },
      {
        file: 'src/search.js',
        code: "app.get('/s', (req, res) => {\n  res.redirect('/search?q=' + encodeURIComponent(req.query.q));\n});",
      },
      { file: 'src/users.js', code: "app.get('/u/:id', (req, res) => res.redirect(301, `/users/${req.params.id}`));" },
      {
        file: 'middleware.ts',
        code: "export function middleware(request: NextRequest) {\n  return NextResponse.redirect(new URL('/login', request.url));\n}",
      },
      {
        file: 'src/back.js',
        code: "router.post('/logout', async (ctx) => {\n  ctx.redirect('back');\n});\napp.get('/old', (req, res) => res.redirect(303, '/orders'));",
      },
      {
        file: 'src/sso.js',
        code: "app.get('/login', (req, res) => {\n  res.redirect(`https://accounts.example.com/login?next=${encodeURIComponent(req.originalUrl)}`);\n});",
      },
    ],
  },
  check: codeCheck(
    followCalls(redirects, SINK_WORDS),
    sinkWithRequest('request-redirect', /\bredirect\s*\(|\blocation(?:\.href)?\s*=/),
    followHint(SINK_WORDS),
  ),
});
