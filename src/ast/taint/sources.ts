/**
 * Where request data enters a module, framework by framework: the request
 * objects of Express, Koa and Lambda and which of their properties carry
 * client data (and whether it may be structured), Nest decorators, route
 * handler registrations, Next.js route handlers and server actions, uploads'
 * file names and the page URL in browser code.
 */
import { keyName, propertyName, stringLiteral, unwrap, type Node } from '../nodes.js';
import type { CodeModule } from '../module.js';
import { taint, type Flavour, type Taint } from './model.js';

/** Request objects by flavour: which of their properties carry client data, and whether it may be structured. */
export const EXPRESS_PROPS: Record<string, boolean> = {
  body: true,
  query: true,
  params: false,
  headers: false,
  cookies: true,
  signedCookies: true,
  url: false,
  originalUrl: false,
  path: false,
  hostname: false,
  host: false,
  file: true,
  files: true,
  raw: false,
  nextUrl: false,
  searchParams: false,
};
export const EXPRESS_CALLS: Record<string, boolean> = {
  get: false,
  header: false,
  param: false,
  json: true,
  formData: true,
  text: false,
  file: true,
  files: true,
  parts: true,
  arrayBuffer: false,
  blob: false,
};
export const KOA_PROPS: Record<string, boolean> = {
  query: true,
  params: false,
  headers: false,
  header: false,
  url: false,
  originalUrl: false,
  path: false,
  querystring: false,
  search: false,
  host: false,
  hostname: false,
  href: false,
  cookies: false,
  req: false,
  files: true,
  file: true,
};
export const LAMBDA_PROPS: Record<string, boolean> = {
  body: false,
  queryStringParameters: false,
  multiValueQueryStringParameters: false,
  pathParameters: false,
  headers: false,
  multiValueHeaders: false,
  rawQueryString: false,
  rawPath: false,
  cookies: false,
};
export const REQUEST_TYPES: Record<string, Flavour> = {
  Request: 'express',
  NextRequest: 'express',
  FastifyRequest: 'express',
  IncomingMessage: 'express',
  Http2ServerRequest: 'express',
  Context: 'koa',
  ParameterizedContext: 'koa',
  RouterContext: 'koa',
  APIGatewayProxyEvent: 'lambda',
  APIGatewayProxyEventV2: 'lambda',
  ALBEvent: 'lambda',
  LambdaFunctionURLEvent: 'lambda',
};
export const NEST_DECORATORS: Record<string, boolean> = {
  Body: true,
  Query: true,
  Param: false,
  Headers: false,
  Cookies: true,
  UploadedFile: true,
  UploadedFiles: true,
};
export const ROUTE_METHODS = new Set([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'del',
  'all',
  'use',
  'options',
  'head',
  'route',
  'createServer',
]);
export const HTTP_HANDLER_EXPORTS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
export const DOM_LOCATION = new Set(['search', 'hash', 'href', 'pathname']);
export const DOM_DOCUMENT = new Set(['URL', 'documentURI', 'referrer', 'baseURI']);
export const UPLOAD_NAMES = new Set(['originalname', 'originalFilename']);

export function exportedName(m: CodeModule, fn: Node): string | undefined {
  let node: Node = fn;
  let parent = m.parent(node);
  if (parent?.type === 'VariableDeclarator') {
    const name = parent.id.type === 'Identifier' ? parent.id.name : undefined;
    const decl = m.parent(parent);
    const exp = decl && m.parent(decl);
    if (exp?.type === 'ExportNamedDeclaration') return name;
    // exports.handler = …, module.exports.GET = …
    return undefined;
  }
  if (parent?.type === 'ExportDefaultDeclaration') return 'default';
  if (parent?.type === 'ExportNamedDeclaration') return fn.id?.name;
  if (parent?.type === 'AssignmentExpression' && parent.left.type === 'MemberExpression') {
    const path = m.callee(parent.left).path;
    if (path[0] === 'exports' || (path[0] === 'module' && path[1] === 'exports')) return path.at(-1);
  }
  node = fn;
  return undefined;
}

export function isServerAction(m: CodeModule, fn: Node): boolean {
  if (m.directives.includes('use server')) return true;
  const body = fn.body;
  return (
    body?.type === 'BlockStatement' &&
    body.body.some((s: Node) => s.type === 'ExpressionStatement' && s.directive === 'use server')
  );
}

/** The request flavour of an identifier that names a request object: a parameter called `req`/`ctx`/`event`, typed as one, or a route handler's first parameter. */
export function requestFlavour(m: CodeModule, id: Node): Flavour | null {
  const b = m.binding(id);
  if (!b || b.kind !== 'param' || b.defs[0]?.path.length) return null;
  const def = b.defs[0]!;
  const param = def.param!;
  for (const d of param.decorators ?? []) {
    const expr = unwrap(d.expression);
    const name = expr.type === 'CallExpression' ? m.callee(expr.callee).name : '';
    if (name === 'Req' || name === 'Request') return 'express';
    if (name === 'Ctx') return 'koa';
  }
  const type =
    param.typeAnnotation?.typeAnnotation ??
    (param.type === 'AssignmentPattern' ? param.left.typeAnnotation?.typeAnnotation : undefined);
  if (type?.type === 'TSTypeReference') {
    const typeName = type.typeName.type === 'Identifier' ? type.typeName.name : type.typeName.right?.name;
    if (typeName && typeName in REQUEST_TYPES) return REQUEST_TYPES[typeName]!;
  }
  const name = b.name;
  if (name === 'req' || name === 'request' || name === 'httpRequest') return 'express';
  if (name === 'ctx' || name === 'context') return 'koa';
  if (name === 'event' && def.index === 0) return 'lambda';
  // A route handler's request parameter, whatever its name: app.get('/x', (r, s) => …).
  const parent = m.parent(def.fn!);
  if (
    parent?.type === 'CallExpression' &&
    def.fn!.params.length >= 2 &&
    def.index === (def.fn!.params.length === 4 ? 1 : 0)
  ) {
    const callee = m.callee(parent.callee);
    if (
      ROUTE_METHODS.has(callee.name) &&
      (callee.name === 'createServer' || stringLiteral(parent.arguments[0]) !== undefined)
    )
      return 'express';
  }
  return null;
}

/**
 * `event` is the first parameter of a 'message' listener (`addEventListener('message', fn)`, `onmessage = fn`)
 * that never looks at the event's origin: its `data` is whatever any other window posted.
 */
function postedMessage(m: CodeModule, id: Node): boolean {
  const b = m.binding(id);
  const def = b?.kind === 'param' ? b.defs[0] : undefined;
  if (!def?.fn || def.index !== 0 || def.path.length) return false;
  return listensToMessages(m, def.fn) && !/\borigin\b/.test(m.source(def.fn));
}

function listensToMessages(m: CodeModule, fn: Node): boolean {
  const registers = (ref: Node) => {
    const p = m.parent(ref);
    if (p?.type === 'CallExpression' && p.arguments[1] === ref && p.callee.type === 'MemberExpression')
      return propertyName(p.callee) === 'addEventListener' && stringLiteral(p.arguments[0]) === 'message';
    return p?.type === 'AssignmentExpression' && p.right === ref && propertyName(unwrap(p.left)) === 'onmessage';
  };
  if (registers(fn)) return true;
  // function receiveMessage(e) {…} … addEventListener('message', receiveMessage)
  const parent = m.parent(fn);
  const name = fn.type === 'FunctionDeclaration' ? fn.id : parent?.type === 'VariableDeclarator' ? parent.id : null;
  const b = name ? m.binding(name) : undefined;
  return !!b && m.uses(b).some((use) => use !== name && registers(use));
}

/**
 * `args` of a GraphQL resolver — the second parameter of a function under `Query`, `Mutation` or `Subscription` in
 * a resolver map, or of a field's `resolve(parent, args)`: the arguments the client's query passed.
 */
function resolverArgs(m: CodeModule, id: Node): boolean {
  const b = m.binding(id);
  const def = b?.kind === 'param' ? b.defs[0] : undefined;
  return !!def?.fn && def.index === 1 && !def.path.length && isResolver(m, def.fn);
}

/** A GraphQL resolver: a function under `Query`/`Mutation`/`Subscription` in a resolver map, or a field's `resolve`. */
export function isResolver(m: CodeModule, fn: Node): boolean {
  const prop = m.parent(fn);
  if (prop?.type !== 'Property' || prop.value !== fn) return false;
  if (keyName(prop) === 'resolve') return true;
  const map = m.parent(prop);
  const outer = map?.type === 'ObjectExpression' ? m.parent(map) : undefined;
  return outer?.type === 'Property' && /^(?:Query|Mutation|Subscription)$/.test(keyName(outer) ?? '');
}

/** The source an expression is, if it is one: `req.body`, `ctx.request.query`, `event.body`, `await request.json()`, `process.argv`, `location.hash`, `file.originalname`. */
export function sourceOf(m: CodeModule, expr: Node): Taint | null {
  const n = unwrap(expr);
  const line = () => m.line(n);
  const label = () => m.source(n).replace(/\s+/g, ' ').slice(0, 60);
  if (n.type === 'MemberExpression') {
    const name = propertyName(n);
    if (name === null) return null;
    const obj = unwrap(n.object);
    if (UPLOAD_NAMES.has(name)) return taint('upload', label(), n, false, line());
    if (obj.type === 'Identifier') {
      const flavour = requestFlavour(m, obj);
      if (flavour === 'express' && name in EXPRESS_PROPS)
        return taint('request', label(), n, EXPRESS_PROPS[name]!, line());
      if (flavour === 'koa' && name in KOA_PROPS) return taint('request', label(), n, KOA_PROPS[name]!, line());
      if (flavour === 'lambda' && name in LAMBDA_PROPS)
        return taint('request', label(), n, LAMBDA_PROPS[name]!, line());
      if (name === 'data' && postedMessage(m, obj)) return taint('dom', label(), n, true, line());
      // Typed by the schema (String, ID, Int…): text, not an object a filter could take as operators.
      if (resolverArgs(m, obj)) return taint('request', label(), n, false, line());
      if (!m.binding(obj)) {
        if (obj.name === 'process' && name === 'argv') return taint('argv', label(), n, false, line());
        if (obj.name === 'location' && DOM_LOCATION.has(name)) return taint('dom', label(), n, false, line());
        if (obj.name === 'document' && DOM_DOCUMENT.has(name)) return taint('dom', label(), n, false, line());
        if (obj.name === 'window' && name === 'name') return taint('dom', label(), n, false, line());
      }
    }
    if (obj.type === 'MemberExpression') {
      const inner = propertyName(obj);
      const root = unwrap(obj.object);
      if (
        root.type === 'Identifier' &&
        inner === 'request' &&
        requestFlavour(m, root) === 'koa' &&
        name in EXPRESS_PROPS
      )
        return taint('request', label(), n, EXPRESS_PROPS[name]!, line());
      if (
        root.type === 'Identifier' &&
        !m.binding(root) &&
        (root.name === 'window' || root.name === 'document') &&
        inner === 'location' &&
        DOM_LOCATION.has(name)
      )
        return taint('dom', label(), n, false, line());
    }
    return null;
  }
  if (n.type === 'CallExpression') {
    const callee = unwrap(n.callee);
    if (callee.type === 'MemberExpression') {
      const name = propertyName(callee);
      const obj = unwrap(callee.object);
      if (name && obj.type === 'Identifier') {
        const flavour = requestFlavour(m, obj);
        if ((flavour === 'express' || flavour === 'koa') && name in EXPRESS_CALLS)
          return taint('request', label(), n, EXPRESS_CALLS[name]!, line());
      }
    }
    const c = m.callee(n.callee);
    if (c.module === 'next/headers' && (c.name === 'headers' || c.name === 'cookies') && c.path.length === 1)
      return taint('request', label(), n, false, line());
    if ((c.name === 'useSearchParams' || c.name === 'useParams' || c.name === 'useQuery') && c.path.length === 1)
      return taint('dom', label(), n, false, line());
  }
  return null;
}
