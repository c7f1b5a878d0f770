import type { CallInfo, CodeModule, Node } from '../ast/module.js';
import { keyName, propertyName, stringLiteral, unwrap } from '../ast/nodes.js';
import { defineAtom, type CheckContext, type Hit, type SourceFile } from '../kit/atom.js';
import { codeCheck } from '../kit/code.js';
import { type Declared, declaredFields, type Fields, importedFields } from '../kit/declared-types.js';
import { CODE_FILES, TEST_FILES } from '../kit/files.js';
import { words } from '../kit/names.js';

const LEVELS = new Set([
  'log',
  'info',
  'warn',
  'warning',
  'error',
  'debug',
  'trace',
  'fatal',
  'verbose',
  'silly',
  'http',
  'dir',
  'table',
  'notice',
  'critical',
  'crit',
  'alert',
  'emerg',
]);
const LOGGER_MODULES = new Set([
  'pino',
  'winston',
  'bunyan',
  'loglevel',
  'log4js',
  'signale',
  'consola',
  'roarr',
  'tslog',
  '@nestjs/common',
  'npmlog',
  'debug',
]);
/** Words that make a name a secret: `password`, `refreshToken`, `authorization`, `ssn`, `cardNumber`. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'authorization',
  'cookie',
  'cookies',
  'jwt',
  'bearer',
  'apikey',
  'ssn',
  'cvv',
  'cvc',
  'otp',
  'credential',
  'credentials',
  'creditcard',
  'cardnumber',
  'privatekey',
  'accesskey',
]);
const SECRET_PAIRS = [
  'apikey',
  'privatekey',
  'accesskey',
  'secretkey',
  'cardnumber',
  'creditcard',
  'ccnumber',
  'authheader',
  'authtoken',
  'clientsecret',
  'setcookie',
  'socialsecurity',
  'cardcvc',
  'cardcvv',
];
/** Words that make a name about a secret, not the secret: `tokenCount`, `passwordPolicy`, `cookieName`, `maxTokens`. */
const ABOUT_WORDS = new Set([
  'count',
  'length',
  'len',
  'max',
  'min',
  'total',
  'num',
  'prompt',
  'completion',
  'usage',
  'limit',
  'expiry',
  'expires',
  'expiration',
  'expired',
  'ttl',
  'type',
  'name',
  'url',
  'uri',
  'endpoint',
  'path',
  'policy',
  'strength',
  'hint',
  'field',
  'label',
  'exists',
  'present',
  'valid',
  'invalid',
  'required',
  'changed',
  'updated',
  'sent',
  'id',
  'ids',
  'arn',
  'version',
  'provided',
  'missing',
  'enabled',
  'rule',
  'rules',
  'regex',
  'pattern',
  'error',
  'message',
  'options',
  'config',
  'header',
  'headers',
  'prefix',
  'format',
  'at',
  'date',
  'time',
  'count',
  'status',
  'result',
  'is',
  'has',
  'should',
  'validator',
  'schema',
  'key',
]);
const LOGGER_FACTORIES = new Set(['pino', 'winston', 'bunyan', 'pino-http', 'express-pino-logger', 'nestjs-pino']);
const REQUEST_PARTS = new Set([
  'body',
  'headers',
  'header',
  'cookies',
  'signedCookies',
  'rawHeaders',
  'rawBody',
  'multiValueHeaders',
]);
/** Calls that redact or reduce a value before it is logged. */
const REDACTING =
  /mask|redact|sanitiz|sanitis|scrub|censor|obfuscat|omit|hash|anonymi|truncat|safe|strip|clean|filter|pick|without|hide|digest|fingerprint|last4|lastfour|count|length|keys/i;
/** A quick look before parsing: something sensitive must be named in the file. */
const SENSITIVE_HINT =
  /pass(?:word|wd|phrase)?|pwd|secret|token|authorization|cookie|ssn|card|cvv|cvc|otp|credential|api[_-]?key|private[_-]?key|bearer|jwt|\.body\b|\.headers?\b|process\.env\b|\(\s*(?:req|request|ctx)\s*[,)]|\{\s*(?:req|request)\s*[,}]|\bjson\s*\(\s*\)/i;

/** A log call, as the reduced check (files the parser rejects) sees it. */
const LOG_CALL = /\b(?:console|logger|log)\.(?:log|info|warn|error|debug|trace)\s*\(/;

const SECRET_HINT = /pass|pwd|secret|token|auth|cookie|jwt|bearer|key|ssn|cvv|cvc|otp|credential|card/i;
const secretNames = new Map<string, boolean>();

export function isSecretName(name: string | undefined): boolean {
  if (!name || !SECRET_HINT.test(name)) return false;
  let known = secretNames.get(name);
  if (known === undefined) {
    known = secretName(name);
    if (secretNames.size > 5000) secretNames.clear();
    secretNames.set(name, known);
  }
  return known;
}

function secretName(name: string): boolean {
  const w = words(name);
  if (!w.length) return false;
  const joined = w.join('');
  const pair = SECRET_PAIRS.some((p) => joined.includes(p));
  if (!pair && w.some((x) => ABOUT_WORDS.has(x))) return false;
  if (pair && w.some((x) => x !== 'key' && x !== 'id' && x !== 'header' && ABOUT_WORDS.has(x))) return false;
  return (
    pair ||
    w.some(
      (x) =>
        SECRET_WORDS.has(x) ||
        (x.endsWith('token') && x !== 'tokens') ||
        x.endsWith('password') ||
        x.endsWith('secret'),
    )
  );
}

interface Part {
  what: string;
  request: boolean;
  /** For a request body: the request it is the body of (its declared type may say what the body holds). */
  bodyOf?: Node;
  /** The type the code gives that body itself: `req.body as UpdateBody`, `const body: UpdateBody = req.body`. */
  bodyType?: Node;
}

/** Request bodies found in `found` get the type the code gives them there. */
function typedBodies(found: Part[], type: Node | undefined): void {
  if (type && type.type !== 'TSAnyKeyword' && type.type !== 'TSUnknownKeyword')
    for (const p of found) if (p.bodyOf && !p.bodyType) p.bodyType = type;
}

type Logger = 'console' | 'library';

function loggerOf(m: CodeModule, call: CallInfo, usesDebug: boolean): Logger | null {
  const { callee } = call;
  const path = callee.path;
  if (call.isNew) return null;
  if (path.length === 1 && !callee.module && usesDebug) {
    // const log = debug('app:auth'); log(…)
    const b =
      m.topLevel(path[0]!) ??
      (unwrap(call.node.callee).type === 'Identifier' ? m.binding(unwrap(call.node.callee)) : undefined);
    const v = b?.defs.length === 1 ? b.defs[0]!.value : null;
    const c = v && unwrap(v).type === 'CallExpression' ? m.callee(unwrap(v).callee) : null;
    return c?.module === 'debug' ? 'library' : null;
  }
  if (!LEVELS.has(callee.name) || path.length < 2) return null;
  if (path[0] === 'console') return path.length === 2 && !m.topLevel('console') ? 'console' : null;
  if (callee.module && LOGGER_MODULES.has(callee.module)) return 'library';
  const receiver = path.at(-2)!.replace(/\(\)$/, '');
  const w = words(receiver);
  if (w.includes('logger') || w.at(-1) === 'log' || w.at(-1) === 'logging' || receiver === 'Logger') return 'library';
  return null;
}

/** A logger built in this module with pino `redact`/serializers, or winston/bunyan serializers: its calls are redacted. */
function redactingLogger(m: CodeModule): boolean {
  for (const call of m.calls()) {
    const mod = call.callee.module;
    if (!mod || !LOGGER_FACTORIES.has(mod)) continue;
    for (const a of call.args) {
      const o = m.objectLiteral(a);
      if (
        o &&
        (m.hasProperty(o, 'redact') ||
          m.hasProperty(o, 'serializers') ||
          (m.property(o, 'pinoHttp') && m.hasProperty(m.property(o, 'pinoHttp'), 'redact')))
      )
        return true;
    }
  }
  return false;
}

/** A parser's token (`token.type`, `token.value`, `token.start`), not a credential. */
function lexicalToken(m: CodeModule, id: Node): boolean {
  if (!/token$/i.test(id.name)) return false;
  const b = m.binding(id);
  return (
    !!b &&
    m.uses(b).some((u) => {
      const p = m.parent(u);
      return p?.type === 'MemberExpression' && p.object === u && LEXICAL_PROPS.has(propertyName(p) ?? '');
    })
  );
}
const LEXICAL_PROPS = new Set([
  'type',
  'kind',
  'loc',
  'range',
  'offset',
  'start',
  'end',
  'line',
  'column',
  'source',
  'raw',
  'indent',
  'tokens',
]);

function harmless(m: CodeModule, v: Node): boolean {
  const n = unwrap(v);
  if (
    n.type === 'Literal' ||
    (n.type === 'TemplateLiteral' && n.expressions.length === 0) ||
    n.type === 'UnaryExpression' ||
    (n.type === 'BinaryExpression' && n.operator !== '+')
  )
    return true;
  if (n.type === 'Identifier' && n.name === 'undefined') return true;
  // token.slice(-4), key.substring(0, 6): a few characters to tell values apart.
  if (
    n.type === 'CallExpression' &&
    unwrap(n.callee).type === 'MemberExpression' &&
    /^(?:slice|substring|substr|at|charAt)$/.test(propertyName(unwrap(n.callee)) ?? '')
  )
    return true;
  return m.isScalar(n);
}

function requestFlavour(m: CodeModule, id: Node): string | null {
  const f = m.flow.requestFlavour(id);
  return f === 'lambda' ? null : f;
}

function parts(m: CodeModule, expr: Node, out: Part[], depth = 0): void {
  if (depth > 6 || out.length > 2) return;
  const before = out.length;
  if (expr.type === 'TSAsExpression') {
    parts(m, expr.expression, out, depth);
    return typedBodies(out.slice(before), expr.typeAnnotation);
  }
  const n = unwrap(expr);
  const visit = (x: Node | null | undefined) => x && parts(m, x, out, depth + 1);
  switch (n.type) {
    case 'Identifier': {
      if (isSecretName(n.name)) {
        if (!lexicalToken(m, n)) out.push({ what: `\`${n.name}\``, request: false });
        return;
      }
      if (requestFlavour(m, n)) {
        out.push({ what: `the whole request \`${n.name}\` (headers and cookies included)`, request: true });
        return;
      }
      const b = m.binding(n);
      const def = b && (b.kind === 'const' || b.kind === 'let') && b.defs.length === 1 ? b.defs[0] : undefined;
      if (def?.value && def.kind === 'init' && def.path.length === 0) {
        visit(def.value);
        typedBodies(out.slice(before), def.node.id?.typeAnnotation?.typeAnnotation);
      } else if (
        def?.value &&
        def.kind === 'init' &&
        def.path.length === 1 &&
        def.path[0] === 'body' &&
        unwrap(def.value).type === 'Identifier' &&
        requestFlavour(m, unwrap(def.value))
      )
        out.push({ what: `the request body \`${n.name}\``, request: true, bodyOf: unwrap(def.value) });
      return;
    }
    case 'MemberExpression': {
      const prop = propertyName(n);
      const obj = unwrap(n.object);
      if (isSecretName(prop ?? undefined)) {
        out.push({ what: `\`${m.source(n).replace(/\s+/g, '').slice(0, 50)}\``, request: false });
        return;
      }
      if (prop && REQUEST_PARTS.has(prop)) {
        const root = obj.type === 'MemberExpression' && propertyName(obj) === 'request' ? unwrap(obj.object) : obj;
        const isEvent =
          root.type === 'Identifier' &&
          root.name === 'event' &&
          m.binding(root)?.kind === 'param' &&
          m.flow.requestFlavour(root) === 'lambda';
        if (root.type === 'Identifier' && (requestFlavour(m, root) || isEvent))
          out.push({
            what: `\`${m.source(n).replace(/\s+/g, '')}\``,
            request: true,
            ...(prop === 'body' ? { bodyOf: root } : {}),
          });
        return;
      }
      if (prop === 'env' && obj.type === 'Identifier' && obj.name === 'process' && !m.binding(obj))
        out.push({ what: 'the whole environment (process.env)', request: true });
      return;
    }
    case 'CallExpression': {
      const c = m.callee(n.callee);
      const dotted = c.path.join('.');
      if (REDACTING.test(c.name)) return;
      const recv = unwrap(n.callee).type === 'MemberExpression' ? unwrap(unwrap(n.callee).object) : null;
      const label = stringLiteral(n.arguments[0]);
      if (recv?.type === 'Identifier' && requestFlavour(m, recv) && /^(?:json|formData|text)$/.test(c.name))
        out.push({ what: `the request body (\`${m.source(n)}\`)`, request: true });
      else if (
        (c.name === 'get' || c.name === 'header' || c.name === 'getHeader') &&
        label !== undefined &&
        isSecretName(label)
      )
        out.push({ what: `the ${label} header`, request: true });
      else if (
        /^(?:JSON\.stringify|String|Object\.assign|structuredClone|util\.inspect|inspect|util\.format|format)$/.test(
          dotted,
        ) &&
        !c.module?.startsWith('.')
      )
        for (const a of n.arguments) visit(a);
      else if (/^(?:toString|trim|toLowerCase|toUpperCase)$/.test(c.name) && recv) visit(recv);
      return;
    }
    case 'TemplateLiteral':
      for (const e of n.expressions) visit(e);
      return;
    case 'BinaryExpression':
      if (n.operator === '+') {
        visit(n.left);
        visit(n.right);
      }
      return;
    case 'LogicalExpression':
      visit(n.left);
      visit(n.right);
      return;
    case 'ConditionalExpression':
      visit(n.consequent);
      visit(n.alternate);
      return;
    case 'AwaitExpression':
      visit(n.argument);
      return;
    case 'ArrayExpression':
      for (const e of n.elements) visit(e);
      return;
    case 'ObjectExpression':
      for (const p of n.properties) {
        if (p.type === 'SpreadElement') visit(p.argument);
        else if (p.kind === 'init') {
          const key = keyName(p) ?? undefined;
          if (
            isSecretName(key) &&
            !harmless(m, p.value) &&
            !(unwrap(p.value).type === 'CallExpression' && REDACTING.test(m.callee(unwrap(p.value).callee).name))
          )
            out.push({ what: `\`${key}\``, request: false });
          // pino, fastify and bunyan log a `req` key through their request serializer (method, url, ids).
          else if (
            key &&
            /^(?:req|request)$/.test(key) &&
            unwrap(p.value).type === 'Identifier' &&
            requestFlavour(m, unwrap(p.value))
          )
            continue;
          else visit(p.value);
        }
      }
      return;
    default:
      return;
  }
}

/**
 * The type a request's body is declared with: `req: Request<Params, ResBody, Body>` (Express, and the
 * request types apps build on it, `IAuthRequest<P, R, Body>`), `req: FastifyRequest<{ Body: Body }>`.
 */
function declaredBody(m: CodeModule, request: Node): Node | undefined {
  const def = request.type === 'Identifier' ? m.binding(request)?.defs[0] : undefined;
  const type = def?.kind === 'param' ? def.param?.typeAnnotation?.typeAnnotation : undefined;
  if (type?.type !== 'TSTypeReference') return undefined;
  const name: string = type.typeName.type === 'TSQualifiedName' ? type.typeName.right.name : type.typeName.name;
  const args: Node[] = type.typeArguments?.params ?? [];
  if (!/Request$/.test(name)) return undefined;
  if (args.length >= 3) return args[2];
  const generic = /^Fastify/.test(name) && args[0]?.type === 'TSTypeLiteral' ? args[0].members : [];
  return (generic as Node[]).find((p) => keyName(p) === 'Body')?.typeAnnotation?.typeAnnotation;
}

/** Declared fields of bodies typed in other modules, by `spec\0name`: null when unknown. */
type KnownTypes = Map<string, Fields>;

/**
 * A request body whose declared type names every field it holds, none of them a secret (`{ expiresAt }`):
 * logging it writes no credential. A type from another module is looked up first (`asked`, then `known`).
 */
function bodyHoldsNoSecret(m: CodeModule, part: Part, known: KnownTypes, asked: Declared[]): boolean {
  const declared = part.bodyOf && declaredFields(m, part.bodyType ?? declaredBody(m, part.bodyOf));
  if (!declared) return false;
  let fields: Fields;
  if ('fields' in declared) fields = declared.fields;
  else {
    const key = `${declared.spec}\0${declared.name}`;
    if (!known.has(key)) {
      asked.push(declared);
      return false;
    }
    fields = known.get(key)!;
  }
  return fields !== null && fields.length > 0 && !fields.some(isSecretName);
}

/** The analysis, after looking up the body types declared in other modules that it asked about. */
function check(m: CodeModule, file: SourceFile, ctx: CheckContext<Record<string, never>>): Hit[] | Promise<Hit[]> {
  const asked: Declared[] = [];
  const hits = analyse(m, new Map(), asked);
  if (!asked.length) return hits;
  return (async () => {
    const known: KnownTypes = new Map();
    for (const q of asked.slice(0, 8))
      if ('spec' in q) known.set(`${q.spec}\0${q.name}`, await importedFields(ctx.project, file.path, q.spec, q.name));
    return analyse(m, known, []);
  })();
}

function analyse(m: CodeModule, known: KnownTypes, asked: Declared[]): Hit[] {
  const hits: Hit[] = [];
  /** The first hit of each rule in each function: the function's later log calls of that rule join it. */
  const firsts = new Map<string, Hit>();
  let redacted: boolean | undefined;
  const usesDebug = /['"]debug['"]/.test(m.text);
  for (const call of m.calls()) {
    const logger = loggerOf(m, call, usesDebug);
    if (!logger) continue;
    if (logger === 'library' && (redacted ??= redactingLogger(m))) continue;
    const all: Part[] = [];
    for (const a of call.args) parts(m, a, all);
    const found = all.filter((p) => !bodyHoldsNoSecret(m, p, known, asked));
    if (!found.length) continue;
    const request = found.find((p) => p.request);
    const list = [...new Set(found.map((p) => p.what))].slice(0, 2).join(' and ');
    const rule = request ? 'request-data' : 'secret-value';
    // One cause, one fix: a function that logs such values in several places is one finding, the other calls its lines.
    const fn = m.enclosingFunction(call.node);
    const key = `${rule}\0${fn?.start ?? -1}`;
    const first = fn && firsts.get(key);
    if (first) {
      first.flow = [...(first.flow ?? []), m.line(call.node)];
      first.messageId = 'writesMany';
      first.data = { ...first.data, count: first.flow.length + 1, lines: first.flow.join(', ') };
      continue;
    }
    const hit = m.hit(rule, call.node, {
      messageId: 'writes',
      data: { call: m.source(call.node.callee).replace(/\s+/g, '').slice(0, 30), what: list },
    });
    firsts.set(key, hit);
    hits.push(hit);
  }
  return hits;
}

export default defineAtom({
  id: 'sensitive-logging',
  title: 'Logs hold no credentials or raw request data',
  criteria: {
    pass: 'Logs name what happened with ids and safe fields (userId, route, status); request bodies, headers and cookies are logged only through a redacting logger (pino redact, serializers) or a sanitising helper (a body whose declared type, here or in another module, lists only fields that hold no secret may be logged), and passwords, tokens, secrets, authorization headers, SSNs and card numbers never reach a log.',
    fail: 'console.*, pino, winston, bunyan, debug or a Nest Logger is called with a request body, headers or cookies, the whole request or process.env, or a value named password, token, secret, authorization, cookie, API key, SSN or card number, without redaction.',
  },
  files: [...CODE_FILES, ...TEST_FILES],
  keywords: ['console.', 'logger', 'log.', '.log(', 'pino', 'winston', 'bunyan', 'debug('],
  // warn in the recommended policy: on the production corpus (npm run bench -- detection) 7 of its 11
  // findings were strictly true: just below 2 in 3 (whole request bodies logged that hold no secret).
  defaultLevel: 'warn',
  rules: {
    'request-data': {
      message: 'A request body, headers, cookies or the environment are written to the logs.',
      messages: {
        reduced:
          'A log call names a secret or request data on this line (reduced check: the file could not be parsed or analysed in full).',
        writes: '{call}() writes {what} to the logs, where everyone with log access reads it.',
        writesMany:
          '{call}() writes {what} to the logs, where everyone with log access reads it; {count} log calls of this function do so (also lines {lines}).',
      },
      fix: "Log chosen fields (logger.info({ userId, route: req.path }, 'signup')), or configure redaction: pino({ redact: ['req.headers.authorization', 'req.headers.cookie', '*.password'] }).",
    },
    'secret-value': {
      message: 'A password, token, secret or card value is written to the logs.',
      messages: {
        reduced:
          'A log call names a secret or request data on this line (reduced check: the file could not be parsed or analysed in full).',
        writes: '{call}() writes {what} to the logs, where everyone with log access reads it.',
        writesMany:
          '{call}() writes {what} to the logs, where everyone with log access reads it; {count} log calls of this function do so (also lines {lines}).',
      },
      fix: 'Leave it out, or log a safe trace of it (a boolean, the last 4 characters, a hash) through a helper such as mask(token); with pino add the path to redact.',
    },
  },
  examples: {
    bad: [
      {
        file: 'src/login.js',
        code: "app.post('/login', (req, res) => {\n  console.log('login attempt', req.body); // ✗\n});",
      },
      {
        file: 'src/auth.ts',
        code: 'export async function login(email: string, password: string) {\n  logger.debug(`login ${email} with ${password}`); // ✗\n}',
      },
      {
        file: 'src/mw.js',
        code: "app.use((req, res, next) => {\n  logger.info({ headers: req.headers }, 'incoming'); // ✗\n  next();\n});",
      },
      {
        file: 'src/token.ts',
        code: "import pino from 'pino';\nconst log = pino();\nexport function issue(user: User) {\n  const accessToken = sign(user);\n  log.info({ userId: user.id, accessToken }, 'issued'); // ✗\n}",
      },
      {
        file: 'src/boot.js',
        code: "const winston = require('winston');\nconst logger = winston.createLogger({ transports: [new winston.transports.Console()] });\nlogger.info('config', process.env); // ✗",
      },
      {
        file: 'src/pay.ts',
        code: "router.post('/pay', async (ctx) => {\n  const { cardNumber, cvv } = ctx.request.body;\n  console.info('charging card', cardNumber, cvv); // ✗\n});",
      },
      {
        file: 'app/api/hook/route.ts',
        code: "export async function POST(request: Request) {\n  const payload = await request.json();\n  console.log('webhook', payload); // ✗\n  return new Response('ok');\n}",
      },
      {
        // One handler that logs its body in two places: one finding, the second call is among its lines.
        file: 'src/pages/api/login.ts',
        code: 'export default async function handler(req, res) {\n  logger.debug(`body(${JSON.stringify(req.body)})`); // ✗\n  const ok = await check(req.body.password);\n  logger.debug(`body(${JSON.stringify(req.body)}) => ${ok}`);\n  res.json({ ok });\n}',
      },
      // The body's type, declared in another module, holds a password.
      {
        file: 'src/routes/users.ts',
        code: "import type { Request, Response } from 'express';\nimport type { CreateUserBody } from '../schemas/user.js';\nexport function createUser(req: Request<{}, unknown, CreateUserBody>, res: Response) {\n  logger.info('new user', req.body); // ✗\n  res.sendStatus(201);\n}",
        others: {
          'src/schemas/user.ts': 'export interface CreateUserBody {\n  email: string;\n  password: string;\n}',
        },
      },
      // The type the code gives the body names a password.
      {
        file: 'src/routes/login.ts',
        code: "router.post('/login', async (ctx) => {\n  const body = ctx.request.body as { email: string; password: string };\n  console.log('login', body); // ✗\n});",
      },
      // A field that holds an object: what it holds is not listed (here a password).
      {
        file: 'src/routes/invite.ts',
        code: "import type { Request } from 'express';\ninterface InviteBody {\n  team: string;\n  user: { email: string; password: string };\n}\nexport function invite(req: Request<{}, unknown, InviteBody>) {\n  console.log('invite', req.body); // ✗\n}",
      },
      // A type that extends another does not list every field: judged as any body.
      {
        file: 'src/routes/signup.ts',
        code: "import type { Request } from 'express';\ninterface SignupBody extends BaseBody {\n  plan: string;\n}\nexport function signup(req: Request<{}, unknown, SignupBody>) {\n  console.log('signup', req.body); // ✗\n}",
      },
    ],
    good: [
      {
        file: 'src/login.js',
        code: "app.post('/login', (req, res) => {\n  console.log('login attempt', { email: req.body.email, ip: req.ip });\n});",
      },
      {
        file: 'src/auth.ts',
        code: "logger.info('password reset requested', { userId: user.id });\nlogger.debug({ hasToken: Boolean(token), tokenLength: token.length, maxTokens: 4096 });",
      },
      {
        file: 'src/logger.ts',
        code: "import pino from 'pino';\nconst logger = pino({ redact: ['req.headers.authorization', 'req.headers.cookie', '*.password'] });\nexport function audit(req: Request) {\n  logger.info({ headers: req.headers, body: req.body }, 'request');\n}",
      },
      {
        file: 'src/mw.js',
        code: "app.use((req, res, next) => {\n  logger.info({ body: sanitize(req.body), ua: req.headers['user-agent'] }, 'incoming');\n  next();\n});",
      },
      {
        file: 'src/token.ts',
        code: "console.log(`token ${mask(accessToken)} issued for ${userId}`);\nlogger.info({ userId, token: accessToken.slice(-4) }, 'token rotated');\nconsole.log('tokens used:', usage.totalTokens, 'of', maxTokens);",
      },
      {
        file: 'src/boot.js',
        code: "console.log('listening on', process.env.PORT);\nconsole.log('secret loaded:', !!process.env.JWT_SECRET);\nconsole.error('password policy failed:', err.message);",
      },
      {
        file: 'src/math.js',
        code: 'const t = Math.log(token.length);\nconst credentials = loadCredentials();\nemitter.emit(credentials.name);',
      },
      // The type the code gives the body (an assertion) lists only harmless fields.
      {
        file: 'src/routes/koa-flags.ts',
        code: "router.post('/flags', async (ctx) => {\n  const body = ctx.request.body as { name: string; enabled: boolean };\n  console.log('flag update', body);\n});",
      },
      // A rejected body whose type (json-schema-to-ts, re-exported by an index of another folder) holds only expiresAt.
      {
        file: 'src/routes/api-token.ts',
        code: "import type { Response } from 'express';\nimport type { IAuthRequest } from './types.js';\nimport type { UpdateTokenSchema } from '../openapi/index.js';\nexport async function updateToken(req: IAuthRequest<{ token: string }, void, UpdateTokenSchema>, res: Response) {\n  if (!req.body.expiresAt) {\n    logger.error(req.body);\n    return res.status(400).send();\n  }\n}",
        others: {
          'src/openapi/index.ts': "export * from './spec/update-token-schema.js';",
          'src/openapi/spec/update-token-schema.ts':
            "import type { FromSchema } from 'json-schema-to-ts';\nexport const updateTokenSchema = {\n  type: 'object',\n  properties: { expiresAt: { type: 'string', format: 'date-time' } },\n} as const;\nexport type UpdateTokenSchema = FromSchema<typeof updateTokenSchema>;",
        },
      },
      {
        file: 'src/routes/toggle.ts',
        code: "import { z } from 'zod';\nimport type { Request } from 'express';\nconst Toggle = z.object({ enabled: z.boolean(), expiresAt: z.string() }).strict();\ntype ToggleBody = z.infer<typeof Toggle>;\nexport function toggle(req: Request<{ id: string }, unknown, ToggleBody>) {\n  console.warn('rejected toggle', req.body);\n}",
      },
      {
        file: 'src/routes/flags.ts',
        code: "import type { FastifyRequest } from 'fastify';\nexport async function setFlag(req: FastifyRequest<{ Body: { name: string; enabled: boolean } }>) {\n  console.log('flag update', req.body);\n}",
      },
    ],
  },
  check: codeCheck(
    check,
    // A log call followed on its line by request data or a secret's name.
    [
      { rule: 'request-data', find: LOG_CALL, after: /\breq(?:uest)?\.(?:body|headers|cookies)\b/ },
      { rule: 'secret-value', find: LOG_CALL, after: /\b(?:password|passwd|secret|token|authorization)\b/i },
    ],
    SENSITIVE_HINT,
  ),
});
