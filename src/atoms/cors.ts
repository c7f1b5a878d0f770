import type { CodeModule, Node } from '../ast/module.js';
import { isFunction, keyName, unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit, FLOW_MESSAGES } from '../kit/atom.js';
import { callbackAnswer } from '../kit/app.js';
import { codeCheck } from '../kit/code.js';
import { CODE_FILES } from '../kit/files.js';

/** CORS middleware packages; the value says what an absent `origin` means. */
const CORS_MODULES: Record<string, 'any' | 'reflect'> = {
  cors: 'any',
  '@fastify/cors': 'any',
  'fastify-cors': 'any',
  'hono/cors': 'any',
  // @koa/cors before v5, kcors and koa2-cors answer with the request's own Origin when none is configured.
  '@koa/cors': 'reflect',
  kcors: 'reflect',
  'koa2-cors': 'reflect',
};
const ALLOW_ORIGIN = /^access-control-allow-origin$/i;
const ALLOW_CREDENTIALS = /^access-control-allow-credentials$/i;
const HEADER_SETTERS = /^(?:setHeader|header|set|append|writeHead)$/;

interface Options {
  /** The options object, when written here. */
  literal: Node | undefined;
  /** Where a missing `origin` is reported. */
  at: Node;
  absent: 'any' | 'reflect';
}

/** The CORS configurations written in a module: cors(…), register(cors, …), enableCors(…), `{ cors: { … } }`. */
function configurations(m: CodeModule): Options[] {
  const found: Options[] = [];
  const corsModule = (n: Node | undefined) => {
    if (!n) return undefined;
    const c = m.callee(n);
    return c.module &&
      c.module in CORS_MODULES &&
      (c.path.length === 0 || c.path.join('.') === 'cors' || c.path.join('.') === 'default')
      ? c.module
      : undefined;
  };
  for (const call of m.calls()) {
    const own =
      call.callee.module &&
      call.callee.module in CORS_MODULES &&
      (call.callee.path.length === 0 || call.callee.path.join('.') === 'cors')
        ? call.callee.module
        : undefined;
    if (own) {
      found.push(options(m, call.args[0], call.node, CORS_MODULES[own]!));
    } else if ((call.callee.name === 'register' || call.callee.name === 'use') && corsModule(call.args[0])) {
      // fastify.register(cors, { … })
      found.push(options(m, call.args[1], call.node, CORS_MODULES[corsModule(call.args[0])!]!));
    } else if (call.callee.name === 'enableCors' && call.args[0]) {
      found.push(options(m, call.args[0], call.node, 'any'));
    }
  }
  // NestFactory.create(AppModule, { cors: { … } }), new Server(http, { cors: { … } }) (socket.io), ApolloServer …
  for (const obj of m.nodes('ObjectExpression')) {
    for (const p of obj.properties as Node[]) {
      if (p.type !== 'Property' || keyName(p) !== 'cors') continue;
      const literal = m.objectLiteral(p.value);
      if (literal) found.push({ literal, at: p, absent: 'any' });
    }
  }
  return found;
}

function options(m: CodeModule, arg: Node | undefined, at: Node, absent: 'any' | 'reflect'): Options {
  return { literal: arg ? m.objectLiteral(arg) : undefined, at, absent: arg && !m.objectLiteral(arg) ? 'any' : absent };
}

/** The value behind a `const` name (a regex, an array, a function), or the node itself. */
function resolved(m: CodeModule, node: Node): Node {
  const n = unwrap(node);
  if (n.type !== 'Identifier') return n;
  const b = m.binding(n);
  const def = b?.defs.length === 1 ? b.defs[0] : undefined;
  if (b?.kind === 'function' && def) return def.node;
  return def?.value && def.path.length === 0 && def.kind === 'init' ? unwrap(def.value) : n;
}

/** What is wrong with a regex that is meant to match whole origins, if anything. */
function regexProblem(pattern: string): string | null {
  if (!/(?<!\\)\$\)?$/.test(pattern)) return 'is not anchored at the end ($), so https://example.com.evil.net matches';
  if (!pattern.startsWith('^') && !pattern.startsWith('\\.'))
    return 'is not anchored at the start (^), so https://evil-example.com matches';
  if (/[\w)](?<!\\)\.(?=[a-z])/i.test(pattern.replace(/\\\\/g, '')))
    return 'leaves a dot unescaped, so it matches any character (exampleXcom)';
  if (/\.[*+](?=[a-z0-9])/i.test(pattern))
    return 'lets anything stand before the domain name, so https://evilexample.com matches';
  return null;
}

/** How a function decides on an origin: allows any, matches a fragment, or really checks. */
function functionVerdict(
  m: CodeModule,
  fn: Node,
): { kind: 'any' | 'fragment'; node: Node; messageId?: string; data?: Record<string, string> } | null {
  const origin = fn.params[0];
  const originName = origin?.type === 'Identifier' ? origin.name : undefined;
  const body = m.source(fn.body);
  // A test on a fragment of the origin: origin.includes('example.com'), origin.endsWith('example.com'), origin.indexOf(…) !== -1, /example/.test(origin)
  for (const call of m.calls()) {
    if (call.node.start < fn.start || call.node.end > fn.end) continue;
    const c = unwrap(call.node.callee);
    const name = call.callee.name;
    if (c.type !== 'MemberExpression') continue;
    const recv = unwrap(c.object);
    const onOrigin = originName !== undefined && recv.type === 'Identifier' && recv.name === originName;
    const lit = call.args[0] ? m.stringValue(call.args[0]) : undefined;
    if (
      onOrigin &&
      (name === 'includes' || name === 'indexOf' || name === 'match' || name === 'search') &&
      lit !== undefined
    )
      return {
        kind: 'fragment',
        node: call.node,
        messageId: 'checkContains',
        data: { method: name, text: lit },
      };
    if (onOrigin && name === 'endsWith' && lit !== undefined && !/^[./]/.test(lit))
      return { kind: 'fragment', node: call.node, messageId: 'checkEndsWith', data: { text: lit } };
    if (
      (name === 'test' || name === 'exec') &&
      call.args.some(
        (a) => originName !== undefined && unwrap(a).type === 'Identifier' && unwrap(a).name === originName,
      )
    ) {
      const re = resolved(m, c.object);
      if (re.type === 'Literal' && re.regex) {
        const problem = regexProblem(re.regex.pattern);
        if (problem)
          return {
            kind: 'fragment',
            node: call.node,
            messageId: 'checkPattern',
            data: { pattern: re.regex.pattern, problem },
          };
      }
    }
  }
  const tests =
    /\bif\s*\(|[?]|&&|\|\||===|!==|==|!=|\.(?:includes|indexOf|has|test|some|find|match|startsWith|endsWith)\s*\(|\bswitch\s*\(/.test(
      body,
    );
  if (tests) return null;
  // cb(null, true), cb(null, origin), return origin, return ctx.get('Origin')
  const allows = callbackAnswer(
    m,
    fn,
    (value) => m.source(value) === 'true' || (originName !== undefined && m.source(value) === originName),
  );
  if (allows) return { kind: 'any', node: allows.node };
  const returnsOrigin =
    fn.body.type !== 'BlockStatement'
      ? fn.body
      : (fn.body.body as Node[]).find((s) => s.type === 'ReturnStatement')?.argument;
  if (returnsOrigin && (m.source(returnsOrigin) === originName || /\borigin\b/i.test(m.source(returnsOrigin))))
    return { kind: 'any', node: returnsOrigin };
  return null;
}

function corsHits(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const conf of configurations(m)) {
    const credentialsNode = conf.literal && m.property(conf.literal, 'credentials');
    const credentials = credentialsNode !== undefined && m.source(credentialsNode) === 'true';
    const flow = credentialsNode ? [m.line(credentialsNode)] : [];
    const originNode = conf.literal ? m.property(conf.literal, 'origin') : undefined;
    if (!originNode) {
      if (!credentials) continue;
      hits.push(
        conf.absent === 'reflect'
          ? m.hit('reflected-origin', conf.at, {
              messageId: 'middlewareReflects',
              flow,
            })
          : m.hit('wildcard-credentials', conf.at, {
              messageId: 'noOriginConfigured',
              flow,
            }),
      );
      continue;
    }
    const value = resolved(m, originNode);
    const judge = (v: Node, where: Node) => {
      const s = m.stringValue(v);
      if (s === '*' && credentials)
        hits.push(
          m.hit('wildcard-credentials', where, {
            messageId: 'wildcard',
            flow,
          }),
        );
      else if (s === 'null') hits.push(m.hit('null-origin', where, { flow }));
      else if (v.type === 'Literal' && v.regex) {
        const problem = regexProblem(v.regex.pattern);
        if (problem)
          hits.push(
            m.hit('unanchored-origin', where, {
              messageId: 'pattern',
              data: { pattern: v.regex.pattern, problem },
              flow,
            }),
          );
      }
    };
    if (value.type === 'Literal' && value.value === true) {
      if (credentials)
        hits.push(
          m.hit('reflected-origin', originNode, {
            messageId: 'originTrue',
            flow,
          }),
        );
    } else if (value.type === 'ArrayExpression') {
      for (const el of value.elements as Array<Node | null>) if (el) judge(resolved(m, el), el);
    } else if (isFunction(value) || value.type === 'FunctionDeclaration') {
      const verdict = functionVerdict(m, value);
      if (verdict?.kind === 'fragment')
        hits.push(
          m.hit('unanchored-origin', verdict.node, { messageId: verdict.messageId!, data: verdict.data ?? {}, flow }),
        );
      else if (verdict?.kind === 'any' && (credentials || conf.absent === 'reflect'))
        hits.push(
          m.hit('reflected-origin', originNode, {
            messageId: 'functionAllowsAll',
            flow,
          }),
        );
    } else judge(value, originNode);
  }
  hits.push(...manualHeaders(m));
  return hits;
}

/** Whether `a` and `b` sit in the two branches of one if/else or conditional, so only one of them runs. */
function otherBranch(m: CodeModule, a: Node, b: Node): boolean {
  const around = new Set(m.ancestors(a));
  let child = b;
  for (const p of m.ancestors(b)) {
    if (around.has(p)) {
      if (p.type !== 'IfStatement' && p.type !== 'ConditionalExpression') return false;
      const aIn = (branch: Node | null) => branch !== null && (branch === a || around.has(branch));
      return (child === p.consequent && aIn(p.alternate)) || (child === p.alternate && aIn(p.consequent));
    }
    child = p;
  }
  return false;
}

/** `res.setHeader('Access-Control-Allow-Origin', req.headers.origin)` with `Access-Control-Allow-Credentials: true`. */
function manualHeaders(m: CodeModule): Hit[] {
  const origins: Array<{ value: Node; at: Node }> = [];
  const allCredentials: Node[] = [];
  for (const call of m.calls()) {
    if (!HEADER_SETTERS.test(call.callee.name)) continue;
    const name = call.args[0] ? m.stringValue(call.args[0]) : undefined;
    if (name !== undefined && call.args[1]) {
      if (ALLOW_ORIGIN.test(name)) origins.push({ value: call.args[1], at: call.node });
      if (ALLOW_CREDENTIALS.test(name) && /^['"`]?true['"`]?$/.test(m.source(call.args[1])))
        allCredentials.push(call.node);
    }
    for (const a of call.args) {
      const obj = m.objectLiteral(a);
      for (const p of (obj?.properties ?? []) as Node[]) {
        if (p.type !== 'Property') continue;
        const key = keyName(p) ?? '';
        if (ALLOW_ORIGIN.test(key)) origins.push({ value: p.value, at: p });
        if (ALLOW_CREDENTIALS.test(key) && /^['"`]?true['"`]?$/.test(m.source(p.value))) allCredentials.push(p);
      }
    }
  }
  const hits: Hit[] = [];
  for (const { value, at } of origins) {
    // `if (allowed) { origin; credentials } else { '*' }`: the branches never send both headers together.
    const credentials = allCredentials.find((c) => !otherBranch(m, c, at));
    if (!credentials) continue;
    const flow = [m.line(credentials)];
    if (m.stringValue(value) === '*')
      hits.push(
        m.hit('wildcard-credentials', at, {
          messageId: 'headers',
          flow,
        }),
      );
    else {
      const [t] = m.taints(value, ['request']);
      if (t)
        hits.push(m.flowHit('reflected-origin', at, t, 'Access-Control-Allow-Origin, with credentials allowed,', flow));
    }
  }
  return hits;
}

export default defineAtom({
  id: 'cors',
  title: 'Only named origins may make credentialed cross-origin requests',
  criteria: {
    pass: 'Responses that allow credentials name their origins: a fixed list, an allow-list check of the whole origin, or a regex anchored at both ends with escaped dots; public APIs that allow any origin do not allow credentials.',
    fail: "CORS allows credentials together with origin '*', origin: true, an origin function that accepts anything, or the request’s own Origin echoed back; or an origin is matched by an unanchored regex or a substring (includes/endsWith), or 'null' is allowed.",
  },
  files: CODE_FILES,
  keywords: ['cors', 'access-control-allow-origin'],
  defaultLevel: 'block',
  rules: {
    'wildcard-credentials': {
      message: "CORS allows every origin ('*') together with credentials.",
      messages: {
        noOriginConfigured: 'CORS allows every origin (no origin is configured, so "*") together with credentials.',
        wildcard: "CORS allows origin '*' together with credentials: true.",
        headers: 'Access-Control-Allow-Origin: * is sent together with Access-Control-Allow-Credentials: true.',
      },
      fix: "Name the origins that may send credentials: cors({ origin: ['https://app.example.com'], credentials: true }). A public API allows '*' without credentials.",
    },
    'reflected-origin': {
      message: 'CORS answers any Origin with itself while allowing credentials.',
      messages: {
        ...FLOW_MESSAGES,
        middlewareReflects:
          'This CORS middleware answers any Origin with itself (no origin is configured) and allows credentials: any site can read responses with the user’s cookies.',
        originTrue:
          'origin: true answers every Origin with itself, and credentials: true lets any site read responses with the user’s cookies.',
        functionAllowsAll:
          'The origin function allows every Origin, with credentials: any site can read responses with the user’s cookies.',
      },
      fix: "Check the whole origin against an allow-list before allowing it: origin: (origin, cb) => cb(null, ALLOWED_ORIGINS.includes(origin)), or origin: ['https://app.example.com'].",
    },
    'unanchored-origin': {
      message: 'An allowed-origin pattern matches more origins than intended.',
      messages: {
        pattern: 'The allowed-origin pattern /{pattern}/ {problem}.',
        checkContains: "The origin check {method}('{text}') accepts any origin that contains the text.",
        checkEndsWith: "The origin check endsWith('{text}') also accepts https://evil{text}.",
        checkPattern: 'The origin check the pattern /{pattern}/ {problem}.',
      },
      fix: 'Compare whole origins (ALLOWED_ORIGINS.includes(origin)), or anchor the regex at both ends and escape its dots: /^https:\\/\\/([a-z0-9-]+\\.)*example\\.com$/.',
    },
    'null-origin': {
      message: "The origin 'null' is allowed: sandboxed iframes and local files send it, so any attacker can.",
      fix: "Remove 'null' from the allowed origins.",
    },
  },
  examples: {
    bad: [
      // Credentials set before the branch reach both of them, '*' included.
      {
        file: 'src/middleware/cors-open.js',
        code: "app.use((req, res, next) => {\n  res.setHeader('Access-Control-Allow-Credentials', 'true');\n  if (ALLOWED_ORIGINS.includes(req.headers.origin)) res.setHeader('Access-Control-Allow-Origin', req.headers.origin);\n  else res.setHeader('Access-Control-Allow-Origin', '*'); // ✗\n  next();\n});",
      },
      {
        file: 'src/app.js',
        code: "const cors = require('cors');\napp.use(cors({\n  origin: '*', // ✗\n  credentials: true,\n}));",
      },
      {
        file: 'src/app.ts',
        code: "import cors from 'cors';\napp.use(cors({ origin: true, credentials: true })); // ✗",
      },
      {
        file: 'src/server.ts',
        code: "import cors from '@fastify/cors';\nawait fastify.register(cors, {\n  origin: (origin, cb) => cb(null, true), // ✗\n  credentials: true,\n});",
      },
      {
        file: 'src/cors.js',
        code: "app.use((req, res, next) => {\n  res.setHeader('Access-Control-Allow-Origin', req.headers.origin); // ✗\n  res.setHeader('Access-Control-Allow-Credentials', 'true');\n  next();\n});",
      },
      {
        file: 'src/app.js',
        code: "app.use(cors({\n  origin: /example\\.com$/, // ✗\n  credentials: true,\n}));\nconst cors = require('cors');",
      },
      {
        file: 'src/main.ts',
        code: "const app = await NestFactory.create(AppModule);\napp.enableCors({\n  origin: (origin, callback) => callback(null, !origin || origin.includes('example.com')), // ✗\n  credentials: true,\n});",
      },
      { file: 'src/index.js', code: "const cors = require('@koa/cors');\napp.use(cors({ credentials: true })); // ✗" },
      {
        file: 'src/app.js',
        code: "const cors = require('cors');\napp.use(cors({ origin: ['https://app.example.com', 'null'] })); // ✗",
      },
    ],
    good: [
      // Credentials only for allowed origins; everyone else gets '*' without them (the branches never meet).
      {
        file: 'src/middleware/cors.js',
        code: "app.use((req, res, next) => {\n  const origin = req.headers.origin;\n  if (ALLOWED_ORIGINS.includes(origin)) {\n    res.setHeader('Access-Control-Allow-Origin', origin);\n    res.setHeader('Access-Control-Allow-Credentials', 'true');\n  } else {\n    res.setHeader('Access-Control-Allow-Origin', '*');\n  }\n  next();\n});",
      },
      {
        file: 'src/app.js',
        code: "const cors = require('cors');\napp.use(cors({ origin: ['https://app.example.com', 'https://admin.example.com'], credentials: true }));",
      },
      {
        file: 'src/public-api.js',
        code: "const cors = require('cors');\napp.use(cors());\napp.use('/public', cors({ origin: '*' }));",
      },
      {
        file: 'src/server.ts',
        code: "import cors from '@fastify/cors';\nconst ALLOWED = new Set(process.env.ORIGINS!.split(','));\nawait fastify.register(cors, {\n  origin: (origin, cb) => cb(null, !origin || ALLOWED.has(origin)),\n  credentials: true,\n});",
      },
      {
        file: 'src/cors.js',
        code: "const ALLOWED = ['https://app.example.com'];\napp.use((req, res, next) => {\n  const origin = req.headers.origin;\n  if (ALLOWED.includes(origin)) {\n    res.setHeader('Access-Control-Allow-Origin', origin);\n    res.setHeader('Access-Control-Allow-Credentials', 'true');\n  }\n  next();\n});",
      },
      {
        file: 'src/app.js',
        code: "const cors = require('cors');\napp.use(cors({ origin: /^https:\\/\\/([a-z0-9-]+\\.)*example\\.com$/, credentials: true }));",
      },
      {
        file: 'src/main.ts',
        code: 'const app = await NestFactory.create(AppModule, { cors: { origin: process.env.WEB_ORIGIN, credentials: true } });',
      },
      {
        file: 'src/api.js',
        code: "app.use((req, res, next) => {\n  res.setHeader('Access-Control-Allow-Origin', '*');\n  next();\n});",
      },
      {
        file: 'src/sub.js',
        code: "const cors = require('cors');\napp.use(cors({ origin: (origin, cb) => cb(null, origin === undefined || origin.endsWith('.example.com')), credentials: true }));",
      },
    ],
  },
  check: codeCheck(corsHits, []),
});
