import type { Binding, CallInfo, CodeModule, Node } from '../ast/module.js';
import { keyName, propertyName, stringLiteral, unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit } from '../kit/atom.js';
import { codeCheck } from '../kit/code.js';
import { CODE_FILES, TEST_FILES } from '../kit/files.js';
import { nameOf, numberValue, words } from '../kit/names.js';

type Kind = 'stack' | 'object' | 'message';
interface Part {
  kind: Kind;
  node: Node;
  /** The error comes from a handler of every error (an Express/Fastify error handler, a catch-all filter). */
  handler: boolean;
}

const RESPONSE_NAMES = new Set(['res', 'response', 'reply', 'resp', 'rep', 'h', 'httpResponse']);
const SEND_METHODS = new Set(['send', 'json', 'jsonp', 'end', 'write', 'render', 'response', 'sendFile']);
/** The first parameter of a Node-style callback that holds an error (`e` is too often an event). */
const CALLBACK_ERROR_NAMES = /^(?:err|error|exception|ex|exc|er)$/;
/** Properties that classify an error: testing one of them means the error was expected. */
const CLASSIFYING = new Set([
  'status',
  'statusCode',
  'expose',
  'code',
  'name',
  'type',
  'isOperational',
  'isJoi',
  'isBoom',
  'isAxiosError',
  'details',
  'kind',
  'httpCode',
  'errno',
  'isClientError',
  'isHttpError',
  'httpStatus',
  'getStatus',
]);
const ENV_WORDS = new Set([
  'env',
  'dev',
  'development',
  'debug',
  'prod',
  'production',
  'expose',
  'verbose',
  'local',
  'staging',
  'test',
]);
/** …and something that holds an error: a catch clause or an error parameter. */
const ERROR_HINT = /\bcatch\b|[(,]\s*(?:err|error|e|ex|exc|exception|er)\s*[,):=]/;
const SINK_HINT =
  /\.(?:send|json|jsonp|end|write|render)\s*\(|\bbody\s*[=:]|Response\b|\.response\s*\(|\blocals\.|Exception\s*\(/;
/** A response on a line, as the reduced check (files the parser rejects) sees it. */
const RESPONSE_ON_LINE = /\b(?:res|reply|ctx|response)\b/;

/** How a binding holds an error (the whole object, its message or its stack), if it does. */
function errorKind(
  m: CodeModule,
  b: Binding | undefined,
  depth = 0,
): { kind: Kind; handler: boolean; expected: boolean } | null {
  if (!b || depth > 4 || b.defs.length !== 1) return null;
  const def = b.defs[0]!;
  const step = def.path.at(-1);
  const kindOf = (base: Kind): Kind | null =>
    def.path.length === 0 ? base : step === 'stack' ? 'stack' : step === 'message' ? 'message' : null;
  if (def.kind === 'catch') {
    const k = kindOf('object');
    return k ? { kind: k, handler: false, expected: false } : null;
  }
  if (def.kind === 'param') {
    const fn = def.fn!;
    const index = def.index!;
    const param = def.param!;
    const type = param.typeAnnotation?.typeAnnotation;
    const typeName = type?.type === 'TSTypeReference' ? (type.typeName.name ?? type.typeName.right?.name) : undefined;
    // A parameter typed as one error class (HttpException, ZodError) holds errors the code expects.
    const expected = !!typeName && /(?:Exception|Error)$/.test(typeName) && typeName !== 'Error';
    const parent = m.parent(fn);
    const methodOf = parent?.type === 'MethodDefinition' ? keyName(parent) : null;
    const callee = parent?.type === 'CallExpression' ? m.callee(parent.callee).name : '';
    let handler = false;
    let isError = false;
    if (index === 0 && fn.params.length === 4)
      isError = handler = true; // (err, req, res, next)
    else if (index === 0 && (callee === 'setErrorHandler' || callee === 'onError')) isError = handler = true;
    else if (index === 0 && methodOf === 'catch') {
      isError = true;
      handler = !catchesSpecific(m, parent!);
    } else if (parent?.type === 'CallExpression' && parent.arguments.includes(fn)) {
      isError =
        (callee === 'catch' && index === 0) ||
        (callee === 'then' && parent.arguments[1] === fn && index === 0) ||
        (index === 0 && CALLBACK_ERROR_NAMES.test(b.name));
    } else isError = (index === 0 && CALLBACK_ERROR_NAMES.test(b.name)) || /^(?:err|exception)$/.test(b.name);
    const k = isError ? kindOf('object') : null;
    return k ? { kind: k, handler, expected } : null;
  }
  if ((def.kind === 'init' || def.kind === 'assign') && def.value && (b.kind === 'const' || b.kind === 'let')) {
    const v = unwrap(def.value);
    if (v.type === 'Identifier') {
      const inner = errorKind(m, m.binding(v), depth + 1);
      if (!inner) return null;
      const k = def.path.length === 0 ? inner.kind : inner.kind === 'object' ? kindOf('object') : null;
      return k ? { ...inner, kind: k } : null;
    }
    if (v.type === 'MemberExpression' && def.path.length === 0) {
      const obj = unwrap(v.object);
      const prop = propertyName(v);
      const inner = obj.type === 'Identifier' ? errorKind(m, m.binding(obj), depth + 1) : null;
      if (inner?.kind === 'object' && (prop === 'stack' || prop === 'message')) return { ...inner, kind: prop };
    }
  }
  return null;
}

/** A NestJS filter with `@Catch(HttpException)` handles expected errors; `@Catch()` handles every error. */
function catchesSpecific(m: CodeModule, method: Node): boolean {
  for (const a of m.ancestors(method)) {
    if (a.type !== 'ClassDeclaration' && a.type !== 'ClassExpression') continue;
    return (a.decorators ?? []).some((d: Node) => {
      const e = unwrap(d.expression);
      return e.type === 'CallExpression' && m.callee(e.callee).name === 'Catch' && e.arguments.length > 0;
    });
  }
  return false;
}

/** The error parts inside a response payload: `err`, `{ error: err.message }`, `` `${err}` ``, `JSON.stringify(err)`. */
function errorParts(m: CodeModule, payload: Node, out: Part[], mode: 'value' | 'string' = 'value', depth = 0): void {
  if (depth > 6) return;
  const n = unwrap(payload);
  const visit = (x: Node | null | undefined, md: 'value' | 'string' = mode) =>
    x && errorParts(m, x, out, md, depth + 1);
  switch (n.type) {
    case 'Identifier': {
      const b = m.binding(n);
      const e = errorKind(m, b);
      if (e) {
        if (!e.expected || e.kind === 'stack')
          out.push({
            kind: e.kind === 'object' && mode === 'string' ? 'message' : e.kind,
            node: n,
            handler: e.handler,
          });
        return;
      }
      const def = b && (b.kind === 'const' || b.kind === 'let') && b.defs.length === 1 ? b.defs[0] : undefined;
      if (def?.value && def.path.length === 0 && def.kind === 'init') visit(def.value);
      return;
    }
    case 'MemberExpression': {
      const prop = propertyName(n);
      if (prop !== 'stack' && prop !== 'message') return;
      let root = unwrap(n.object);
      while (root.type === 'MemberExpression' && prop === 'stack') root = unwrap(root.object);
      const e = root.type === 'Identifier' ? errorKind(m, m.binding(root)) : null;
      if (e?.kind === 'object' && (!e.expected || prop === 'stack'))
        out.push({ kind: prop, node: n, handler: e.handler });
      return;
    }
    case 'ObjectExpression':
      for (const p of n.properties) visit(p.type === 'SpreadElement' ? p.argument : p.value);
      return;
    case 'ArrayExpression':
      for (const e of n.elements) visit(e);
      return;
    case 'TemplateLiteral':
      for (const e of n.expressions) visit(e, 'string');
      return;
    case 'BinaryExpression':
      if (n.operator === '+') {
        visit(n.left, 'string');
        visit(n.right, 'string');
      }
      return;
    case 'LogicalExpression':
      visit(n.left);
      visit(n.right);
      return;
    case 'ConditionalExpression':
      if (classifies(m, n.test)) return;
      visit(n.consequent);
      visit(n.alternate);
      return;
    case 'AwaitExpression':
      visit(n.argument);
      return;
    case 'CallExpression': {
      const c = m.callee(n.callee);
      const dotted = c.path.join('.');
      if (dotted === 'JSON.stringify' || dotted === 'Object.assign') for (const a of n.arguments) visit(a);
      else if (dotted === 'String') visit(n.arguments[0], 'string');
      else if (c.name === 'toString' && unwrap(n.callee).type === 'MemberExpression')
        visit(unwrap(n.callee).object, 'string');
      else if (c.name === 'inspect' || c.name === 'serializeError' || (c.name === 'format' && c.module === 'util')) {
        const before = out.length;
        visit(n.arguments[0]);
        for (let i = before; i < out.length; i++) if (out[i]!.kind === 'object') out[i] = { ...out[i]!, kind: 'stack' };
      }
      return;
    }
    default:
      return;
  }
}

/** A test that tells expected errors from unexpected ones, or development from production. */
function classifies(m: CodeModule, test: Node | null | undefined): boolean {
  if (!test) return false;
  let found = false;
  const walk = (x: Node) => {
    if (found || !x || typeof x !== 'object') return;
    const n = unwrap(x);
    // `err instanceof Error` only narrows the type; a subclass (HttpError, ZodError) classifies.
    if (
      n.type === 'BinaryExpression' &&
      n.operator === 'instanceof' &&
      !/^(?:Error|Object)$/.test(nameOf(n.right) ?? '')
    )
      found = true;
    else if (n.type === 'MemberExpression' && CLASSIFYING.has(propertyName(n) ?? '')) found = true;
    else if (n.type === 'Identifier' && CLASSIFYING.has(n.name)) found = true;
    else if (
      n.type === 'CallExpression' &&
      /^is[A-Z]|^instanceOf$|^get$/.test(m.callee(n.callee).name) &&
      (m.callee(n.callee).name !== 'get' || /^env$/i.test(stringLiteral(n.arguments[0]) ?? ''))
    )
      found = true;
    else if (
      (n.type === 'Identifier' || n.type === 'MemberExpression') &&
      words(nameOf(n) ?? '').some((w) => ENV_WORDS.has(w))
    )
      found = true;
    else if (/^(?:development|production|dev|prod)$/.test(stringLiteral(n) ?? '')) found = true;
    if (found) return;
    for (const k of ['left', 'right', 'argument', 'object', 'test', 'expressions', 'arguments', 'callee']) {
      const v = n[k];
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v.type === 'string') walk(v);
    }
  };
  walk(test);
  return found;
}

/** The part sits in a branch chosen by a classifying test, or after one that leaves: `if (!(err instanceof HttpError)) return …`. */
function guarded(m: CodeModule, node: Node, boundary: Node | undefined): boolean {
  let child = node;
  for (const a of m.ancestors(node)) {
    if (
      (a.type === 'IfStatement' || a.type === 'ConditionalExpression') &&
      (child === a.consequent || child === a.alternate) &&
      classifies(m, a.test)
    )
      return true;
    if (a.type === 'LogicalExpression' && child === a.right && classifies(m, a.left)) return true;
    if (a.type === 'SwitchCase') {
      const sw = m.parent(a);
      if (sw && classifies(m, sw.discriminant)) return true;
    }
    if (a.type === 'BlockStatement' || a.type === 'SwitchCase') {
      for (const s of (a.type === 'SwitchCase' ? a.consequent : a.body) as Node[]) {
        if (s === child || s.start >= child.start) break;
        if (s.type === 'IfStatement' && classifies(m, s.test) && leaves(s.consequent)) return true;
      }
    }
    if (a === boundary) break;
    child = a;
  }
  return false;
}

function leaves(s: Node | null | undefined): boolean {
  if (!s) return false;
  if (s.type === 'ReturnStatement' || s.type === 'ThrowStatement') return true;
  if (s.type === 'BlockStatement') return s.body.some(leaves);
  return false;
}

/** The status a response was given on the way to the sink: `res.status(400).json(…)`, `reply.code(404).send(…)`, `ctx.status = 400`. */
function statusOf(m: CodeModule, sink: Node): number | undefined {
  let n = unwrap(sink.callee ?? sink);
  for (let i = 0; i < 6 && n.type === 'MemberExpression'; i++) {
    const obj = unwrap(n.object);
    if (obj.type !== 'CallExpression') break;
    const c = unwrap(obj.callee);
    const name = c.type === 'MemberExpression' ? propertyName(c) : null;
    if (name === 'status' || name === 'code' || name === 'writeHead') return statusValue(m, obj.arguments[0]);
    n = c;
  }
  // ctx.status = 400; ctx.body = …  /  res.statusCode = 400; res.end(…)
  const stmt = m.parent(sink)?.type === 'ExpressionStatement' ? m.parent(sink) : m.parent(m.parent(sink) ?? sink);
  const block = stmt && m.parent(stmt);
  if (block?.type === 'BlockStatement' || block?.type === 'SwitchCase') {
    let status: number | undefined;
    for (const s of (block.type === 'SwitchCase' ? block.consequent : block.body) as Node[]) {
      if (s === stmt) break;
      const e = s.type === 'ExpressionStatement' ? unwrap(s.expression) : null;
      if (
        e?.type === 'AssignmentExpression' &&
        e.left.type === 'MemberExpression' &&
        /^(?:status|statusCode)$/.test(propertyName(e.left) ?? '')
      )
        status = numberValue(m, e.right);
      if (e?.type === 'CallExpression' && /^(?:status|code)$/.test(m.callee(e.callee).name))
        status = numberValue(m, e.arguments[0]);
    }
    return status;
  }
  return undefined;
}

/**
 * A status taken from the error itself, with no fallback (`res.status(err.statusCode)`), marks an
 * HTTP error the code created on purpose: it is treated as a client error (400).
 */
function statusValue(m: CodeModule, arg: Node | undefined): number | undefined {
  if (!arg) return undefined;
  const n = unwrap(arg);
  if (
    n.type === 'MemberExpression' &&
    /^(?:status|statusCode)$/.test(propertyName(n) ?? '') &&
    unwrap(n.object).type === 'Identifier' &&
    errorKind(m, m.binding(unwrap(n.object)))
  )
    return 400;
  return numberValue(m, n);
}

/** Some function takes a parameter that may hold an error: `(err, …)`, `(e) =>` in .catch, a 4-argument handler. */
function hasErrorParam(m: CodeModule): boolean {
  for (const type of ['ArrowFunctionExpression', 'FunctionExpression', 'FunctionDeclaration']) {
    for (const fn of m.nodes(type)) {
      const first = fn.params[0];
      if (
        fn.params.length === 4 ||
        (first?.type === 'Identifier' && /^(?:e|err|error|exception|ex|exc|er)$/.test(first.name)) ||
        fn.params.some((p: Node) => p.type === 'Identifier' && /^(?:err|exception)$/.test(p.name))
      )
        return true;
    }
  }
  return false;
}

function isResponseRoot(m: CodeModule, call: CallInfo): boolean {
  const path = call.callee.path;
  if (path[0] === 'this') return path[1] === 'res' || path[1] === 'response';
  if (path[0] === 'ctx' && (path[1] === 'res' || path[1] === 'response')) return true;
  const root = unwrap(call.node.callee);
  let id = root;
  while (id.type === 'MemberExpression' || id.type === 'CallExpression')
    id = unwrap(id.type === 'CallExpression' ? id.callee : id.object);
  if (id.type !== 'Identifier') return false;
  if (RESPONSE_NAMES.has(id.name)) return true;
  const b = m.binding(id);
  const def = b?.kind === 'param' && b.defs[0]?.path.length === 0 ? b.defs[0] : undefined;
  if (!def) return false;
  const fn = def.fn!;
  if (fn.params.length === 4 && def.index === 2) return true;
  const first = fn.params[0];
  return def.index === 1 && first?.type === 'Identifier' && m.flow.requestFlavour(first) !== null;
}

function analyse(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  /** The module's first Nest exception built from an error object: the others join it (one habit, one fix). */
  let firstNest: Hit | undefined;
  const report = (
    sink: Node,
    payload: Node | undefined,
    opts: { status?: () => number | undefined; locals?: boolean; nest?: boolean } = {},
  ) => {
    if (!payload) return;
    const parts: Part[] = [];
    errorParts(m, payload, parts);
    if (!parts.length) return;
    const boundary = m.enclosingFunction(sink);
    const status = opts.status?.();
    const expected = status !== undefined && status >= 400 && status < 500;
    const part = parts.find(
      (p) =>
        !guarded(m, p.node, boundary) && (p.kind === 'stack' || (!expected && !(opts.locals && p.kind === 'message'))),
    );
    if (!part) return;
    const rule =
      part.kind === 'stack'
        ? 'stack-trace'
        : part.handler
          ? 'error-handler'
          : part.kind === 'object'
            ? 'error-object'
            : 'error-message';
    const kind = part.kind === 'stack' ? 'Stack' : part.kind === 'object' ? 'Object' : 'Message';
    // new InternalServerErrorException(error): Nest serialises the error object as the body, which is {}
    // for a plain Error; only own enumerable fields (a driver error's code, meta) reach the client.
    const nestObject = opts.nest === true && part.kind === 'object';
    // A message alone is one sentence a library chose (ghostfolio's WebAuthn verification errors): worth
    // fixing, rarely a disclosure; a warning (measured 0 of 2 strictly true). Stacks and objects block.
    const messageOnly = rule === 'error-message';
    if (nestObject && firstNest) {
      const count = Number(firstNest.data?.count ?? 1) + 1;
      firstNest.flow = [...new Set([...(firstNest.flow ?? []), m.line(sink), m.line(part.node)])];
      firstNest.messageId = 'nestObjectMany';
      firstNest.data = {
        ...firstNest.data,
        count,
        lines: [firstNest.data?.lines, m.line(sink)].filter(Boolean).join(', '),
      };
      return;
    }
    hits.push({
      ...m.hit(rule, sink, {
        messageId: nestObject ? 'nestObject' : `${part.handler ? 'handler' : 'response'}${kind}`,
        data: { code: m.source(part.node).slice(0, part.kind === 'object' ? 30 : 40) },
        flow: [m.line(part.node)],
      }),
      ...(nestObject || messageOnly ? { severity: 'warning' as const } : {}),
    });
    if (nestObject) firstNest = hits.at(-1);
  };

  // Without a catch clause or a parameter that may hold an error, nothing here can send one.
  if (!m.nodes('CatchClause').length && !hasErrorParam(m)) return hits;
  for (const call of m.calls()) {
    const { callee } = call;
    const name = callee.name;
    if (!call.isNew && SEND_METHODS.has(name) && callee.path.length >= 2 && isResponseRoot(m, call)) {
      // res.send(body), and Express 3's res.send(status, body)
      const payload =
        name === 'render'
          ? call.args[1]
          : call.args.length > 1 &&
              unwrap(call.args[0]!).type === 'Literal' &&
              typeof unwrap(call.args[0]!).value === 'number'
            ? call.args[1]
            : call.args[0];
      // Fastify: reply.send(err) hands the error to the error handler, which is judged where it is set.
      if (
        name === 'send' &&
        /^(?:reply|rep)$/.test(callee.path[0] ?? '') &&
        payload &&
        unwrap(payload).type === 'Identifier' &&
        errorKind(m, m.binding(unwrap(payload)))?.kind === 'object'
      )
        continue;
      report(call.node, payload, { status: () => statusOf(m, call.node) });
    } else if (
      (callee.path.join('.') === 'NextResponse.json' ||
        callee.path.join('.') === 'Response.json' ||
        (call.isNew && /^(?:Next)?Response$/.test(name))) &&
      !callee.module?.startsWith('.')
    ) {
      const init = call.args[1] && m.objectLiteral(call.args[1]);
      report(call.node, call.args[0], {
        status: () => (init ? numberValue(m, m.property(init, 'status')) : undefined),
      });
    } else if (call.isNew && callee.module === '@nestjs/common' && /Exception$/.test(name)) {
      if (name === 'HttpException') {
        const status =
          numberValue(m, call.args[1]) ??
          (call.args[1] &&
          /(?:BAD_REQUEST|UNAUTHORIZED|FORBIDDEN|NOT_FOUND|CONFLICT|UNPROCESSABLE|TOO_MANY|GONE|PAYLOAD|METHOD_NOT_ALLOWED|NOT_ACCEPTABLE|PRECONDITION)/.test(
            m.source(call.args[1]),
          )
            ? 400
            : undefined);
        report(call.node, call.args[0], { status: () => status, nest: true });
      } else if (
        /^(?:InternalServerError|NotImplemented|BadGateway|ServiceUnavailable|GatewayTimeout)Exception$/.test(name)
      )
        report(call.node, call.args[0], { status: () => 500, nest: true });
    }
  }
  for (const a of m.nodes('AssignmentExpression')) {
    const left = unwrap(a.left);
    if (left.type !== 'MemberExpression' || a.operator !== '=') continue;
    const last = propertyName(left);
    if (
      last !== 'body' &&
      !(unwrap(left.object).type === 'MemberExpression' && propertyName(unwrap(left.object)) === 'locals')
    )
      continue;
    const chain = m.callee(left).path;
    const prop = chain.at(-1);
    // ctx.body = …, ctx.response.body = …, this.body = … (Koa)
    if (
      prop === 'body' &&
      (chain[0] === 'ctx' || chain[0] === 'context' || chain[0] === 'this') &&
      (chain.length === 2 || chain[1] === 'response')
    )
      report(a, a.right, { status: () => statusOf(m, a) });
    // res.locals.error = err (rendered by the error template)
    else if (chain.length === 3 && chain[1] === 'locals' && RESPONSE_NAMES.has(chain[0]!))
      report(a, a.right, { locals: true });
  }
  // AWS Lambda: return { statusCode: 500, body: JSON.stringify({ error: err.message }) }
  for (const obj of m.nodes('ObjectExpression')) {
    if (
      !obj.properties.some(
        (p: Node) => p.type === 'Property' && !p.computed && p.key.type === 'Identifier' && p.key.name === 'statusCode',
      )
    )
      continue;
    const status = m.property(obj, 'statusCode');
    const body = status && m.property(obj, 'body');
    if (body) report(obj, body, { status: () => numberValue(m, status) });
  }
  return hits;
}

export default defineAtom({
  id: 'error-exposure',
  title: 'Errors reach clients as generic messages',
  criteria: {
    pass: 'Unexpected errors are logged on the server and the client gets a generic message with a status (and a request id); only errors the code classified (instanceof HttpError, status < 500, err.expose) or development-only branches send their message; stacks never leave the server.',
    fail: 'A response (res.send/json/render, ctx.body, reply.send, Response.json, a Lambda body, a NestJS 5xx exception) carries err.stack, a whole error object, or the message of an error caught without classifying it; or an Express/Fastify error handler replies with the error it received. The message alone, and a NestJS exception built from the error object, are warnings.',
  },
  files: [...CODE_FILES, ...TEST_FILES],
  keywords: ['catch', 'err', 'exception'],
  defaultLevel: 'block',
  rules: {
    'stack-trace': {
      message: 'A stack trace is sent to the client.',
      messages: {
        reduced: 'An error is sent on this line (reduced check: the file could not be parsed or analysed in full).',
        responseStack:
          'The response carries the stack trace (`{code}`): it tells an attacker about files, queries and dependencies.',
        handlerStack:
          'An error handler sends the stack trace (`{code}`): it tells an attacker about files, queries and dependencies.',
      },
      fix: "Log the stack on the server (logger.error({ err }, 'request failed')) and send { error: 'Internal Server Error', requestId }; show stacks only behind an explicit development check.",
    },
    'error-object': {
      message: 'A whole error object is sent to the client.',
      messages: {
        reduced: 'An error is sent on this line (reduced check: the file could not be parsed or analysed in full).',
        responseObject:
          'The response carries the error object `{code}`: it tells an attacker about files, queries and dependencies.',
        nestObject:
          "The exception's body is the error object `{code}`: Nest sends its own enumerable fields (a database error's code and meta, a client's request details), not its message or stack, so this is a warning.",
        nestObjectMany:
          "The exception's body is the error object `{code}`, and so in {count} places of this module (also lines {lines}): Nest sends its own enumerable fields (a database error's code and meta, a client's request details), not its message or stack, so this is a warning.",
      },
      fix: "Send a chosen shape instead: res.status(500).json({ error: 'Internal Server Error', requestId }); log the error itself on the server.",
    },
    'error-message': {
      message: 'The message of an unexpected error is sent to the client.',
      messages: {
        responseMessage:
          'The response carries the message of an unexpected error (`{code}`): it tells an attacker about files, queries and dependencies.',
      },
      fix: 'Only send messages of errors you classified: if (err instanceof HttpError) return res.status(err.status).json({ error: err.message }); otherwise log it and send a generic 500 message.',
    },
    'error-handler': {
      message: 'An error handler replies with the error it received.',
      messages: {
        handlerObject:
          'An error handler sends the error object `{code}`: it tells an attacker about files, queries and dependencies.',
        handlerMessage:
          'An error handler sends the message of an unexpected error (`{code}`): it tells an attacker about files, queries and dependencies.',
        nestObject:
          "The exception's body is the error object `{code}`: Nest sends its own enumerable fields (a database error's code and meta, a client's request details), not its message or stack, so this is a warning.",
      },
      fix: "In the handler, log err, then send err.message only when err.expose (or status < 500) and a generic 'Internal Server Error' otherwise: res.status(status).json({ error: status < 500 ? err.message : 'Internal Server Error' }).",
    },
  },
  examples: {
    bad: [
      {
        file: 'src/users.js',
        code: "app.get('/users/:id', async (req, res) => {\n  try {\n    res.json(await db.users.find(req.params.id));\n  } catch (err) {\n    res.status(500).send(err.stack); // ✗\n  }\n});",
      },
      {
        file: 'src/orders.ts',
        code: "router.post('/orders', async (req, res) => {\n  try {\n    res.json(await orders.create(req.body));\n  } catch (error) {\n    res.status(500).json({ message: 'Order failed', error }); // ✗\n  }\n});",
      },
      {
        file: 'src/app.js',
        code: 'app.use((err, req, res, next) => {\n  res.status(err.status || 500).json({ message: err.message }); // ✗\n});',
      },
      {
        file: 'src/files.js',
        code: "app.get('/report', (req, res) => {\n  fs.readFile(REPORT, (err, data) => {\n    if (err) return res.status(500).send(err); // ✗\n    res.type('pdf').send(data);\n  });\n});",
      },
      {
        file: 'src/koa.js',
        code: "router.get('/items', async (ctx) => {\n  try {\n    ctx.body = await items.list();\n  } catch (e) {\n    ctx.status = 500;\n    ctx.body = { error: e.message }; // ✗\n  }\n});",
      },
      {
        file: 'src/lambda.js',
        code: 'exports.handler = async (event) => {\n  try {\n    return { statusCode: 200, body: JSON.stringify(await work(event)) };\n  } catch (err) {\n    return { statusCode: 500, body: JSON.stringify({ error: err.message, stack: err.stack }) }; // ✗\n  }\n};',
      },
      {
        file: 'src/api.ts',
        code: "app.post('/api/items', async (req, res) => {\n  try {\n    res.json(await items.create(req.body));\n  } catch (error) {\n    res.status(500).json({ error: error instanceof Error ? error.message : 'Unknown error' }); // ✗\n  }\n});",
      },
      {
        file: 'app/api/pay/route.ts',
        code: 'export async function POST(request: Request) {\n  try {\n    return Response.json(await charge(await request.json()));\n  } catch (e) {\n    return Response.json({ error: String(e) }, { status: 500 }); // ✗\n  }\n}',
      },
    ],
    good: [
      {
        file: 'src/users.js',
        code: "app.get('/users/:id', async (req, res) => {\n  try {\n    res.json(await db.users.find(req.params.id));\n  } catch (err) {\n    logger.error({ err }, 'user lookup failed');\n    res.status(500).json({ error: 'Internal Server Error', requestId: req.id });\n  }\n});",
      },
      {
        file: 'src/app.js',
        code: "app.use((err, req, res, next) => {\n  const status = err.status || 500;\n  res.status(status).json({ error: status < 500 ? err.message : 'Internal Server Error' });\n});",
      },
      {
        file: 'src/handler.ts',
        code: "app.use((err: Error, req: Request, res: Response, next: NextFunction) => {\n  if (err instanceof HttpError) return res.status(err.status).json({ error: err.message });\n  logger.error(err);\n  res.status(500).json({ error: 'Internal Server Error' });\n});",
      },
      {
        file: 'src/validate.js',
        code: "router.post('/signup', async (req, res) => {\n  try {\n    await schema.validateAsync(req.body);\n  } catch (err) {\n    return res.status(400).json({ error: err.message });\n  }\n});",
      },
      {
        file: 'src/dev.js',
        code: "app.use(function (err, req, res, next) {\n  res.locals.message = err.message;\n  res.locals.error = req.app.get('env') === 'development' ? err : {};\n  res.status(err.status || 500);\n  res.render('error');\n});",
      },
      {
        file: 'src/next.js',
        code: "app.get('/x', async (req, res, next) => {\n  try {\n    res.json(await work());\n  } catch (err) {\n    next(err);\n  }\n});\nconst e = new Error('Not found');\nres.status(404).json({ message: e.message });",
      },
      {
        file: 'src/filter.ts',
        code: '@Catch(HttpException)\nexport class HttpErrorFilter implements ExceptionFilter {\n  catch(exception: HttpException, host: ArgumentsHost) {\n    const response = host.switchToHttp().getResponse();\n    response.status(exception.getStatus()).json({ message: exception.message });\n  }\n}',
      },
    ],
  },
  check: codeCheck(
    analyse,
    // An error or its stack sent on a line that names a response.
    [
      { rule: 'stack-trace', find: /\.(?:send|json)\s*\(\s*(?:err|error|e)\.stack\s*\)/, onLine: RESPONSE_ON_LINE },
      { rule: 'error-object', find: /\.(?:send|json)\s*\(\s*(?:err|error|e)\s*\)/, onLine: RESPONSE_ON_LINE },
      { rule: 'stack-trace', find: /\.stack\b.*\)/, onLine: RESPONSE_ON_LINE },
      { rule: 'error-object', find: /body\s*=\s*(?:err|error)\b/, onLine: RESPONSE_ON_LINE },
    ],
    (file) => SINK_HINT.test(file.text) && ERROR_HINT.test(file.text),
  ),
});
