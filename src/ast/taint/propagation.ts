/**
 * Data flow inside one module, shared by every code atom: where a value may
 * come from a request (or an upload's file name, argv, the page URL), through
 * assignments, destructuring, templates, `+`, object properties, string and
 * array methods, and calls to helpers of the same module (both ways: a
 * helper's return value, and a helper's parameter fed by a tainted argument).
 *
 * Sanitisers cut the flow: numbers and booleans (`parseInt`, `Number`, …),
 * schema parse results (zod, joi, yup, valibot, …), escape/sanitize/encode
 * functions, `path.basename`, and guards that dominate the use: an `if` that
 * leaves unless the value is in an allow-list, matches an anchored pattern,
 * stays inside a root (`startsWith`), or is a string (`typeof`, which only
 * cuts object injection). The analysis is flow-insensitive except that a
 * plain reassignment before the use replaces earlier values.
 *
 * It also answers "is this constant?" and "is this text built here from
 * dynamic parts?", which the injection atoms ask of SQL, shell lines, code.
 */
import { isFunction, keyName, propertyName, stringLiteral, unwrap, type Node } from './nodes.js';
import type { CodeModule } from './module.js';
import type { Binding, Def, PathStep } from './scope.js';

/** Where tainted data comes from: the request, an uploaded file's name, the command line, the page's URL (browser code). */
export type TaintKind = 'request' | 'upload' | 'argv' | 'dom';

export interface Taint {
  kind: TaintKind;
  /** The source as written (`req.query.url`, `@Body() dto`), for messages. */
  label: string;
  /** The source expression. */
  node: Node;
  /** The value may be an object or array (JSON body, parsed query), not only a string: what NoSQL and prototype pollution need. */
  structured: boolean;
  /** Lines the value passed through on its way (source, assignments, call sites). */
  lines: number[];
  /** Call sites in this module through which the value reached a helper's parameter, outermost first. */
  via: Node[];
}

type Env = Map<Binding, Taint[]>;
/** What a guard protects: a binding (`name`), or a member chain by its text (`req.query.to`). */
type Target = Binding | { text: string; root: Binding };
type Strength = 'safe' | 'string';
interface Guard {
  polarity: 'pos' | 'neg';
  strength: Strength;
}

/** Request objects by flavour: which of their properties carry client data, and whether it may be structured. */
const EXPRESS_PROPS: Record<string, boolean> = {
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
const EXPRESS_CALLS: Record<string, boolean> = {
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
const KOA_PROPS: Record<string, boolean> = {
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
const LAMBDA_PROPS: Record<string, boolean> = {
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
type Flavour = 'express' | 'koa' | 'lambda';
const REQUEST_TYPES: Record<string, Flavour> = {
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
const NEST_DECORATORS: Record<string, boolean> = {
  Body: true,
  Query: true,
  Param: false,
  Headers: false,
  Cookies: true,
  UploadedFile: true,
  UploadedFiles: true,
};
const ROUTE_METHODS = new Set([
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
const HTTP_HANDLER_EXPORTS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const DOM_LOCATION = new Set(['search', 'hash', 'href', 'pathname']);
const DOM_DOCUMENT = new Set(['URL', 'documentURI', 'referrer', 'baseURI']);
const UPLOAD_NAMES = new Set(['originalname', 'originalFilename']);

/** Keys that change an object's prototype: comparing a key with one of them is a pollution guard, not an allow-list. */
const PROTO_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Calls whose result is a number or boolean, or otherwise carries none of the input's text. */
const SCALAR_FUNCTIONS = new Set(['parseInt', 'parseFloat', 'Number', 'Boolean', 'BigInt', 'isNaN', 'isFinite']);
const SCALAR_ROOTS = new Set(['Math', 'Date', 'Number']);
const SCALAR_METHODS = new Set([
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
const SANITISER_NAME =
  /^(?!un)\w*(?:escape|sanitiz|sanitis|purify|encode(?!d)|quote|xss|strip_?tags|stripTags|slugify|filterXSS)\w*$/i;
const SANITISER_CALLS = new Set([
  'basename',
  'extname',
  'uuid',
  'randomUUID',
  'nanoid',
  'matchedData',
  'ObjectId',
  'toObjectId',
]);
/** Schema libraries: a value they parse is validated. */
const SCHEMA_MODULES = new Set([
  'zod',
  'joi',
  '@hapi/joi',
  'yup',
  'valibot',
  'superstruct',
  '@sinclair/typebox',
  'ajv',
  'class-validator',
  'class-transformer',
  'io-ts',
  'runtypes',
  'arktype',
  '@effect/schema',
  'effect',
]);
const SCHEMA_METHODS = new Set([
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
const SCHEMA_ROOTS = new Set(['z', 'Joi', 'joi', 'yup', 'v', 'Yup', 't', 'S', 's']);
/** Parsers whose `.parse` passes data through rather than validating it. */
const PASS_THROUGH_PARSERS = new Set([
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
/** Free functions and module functions that pass their arguments' data into their result. */
const PASSING_GLOBALS = new Set([
  'String',
  'decodeURIComponent',
  'decodeURI',
  'unescape',
  'encodeURI',
  'structuredClone',
  'Array.from',
  'Buffer.from',
  'Object.assign',
  'Object.keys',
  'Object.values',
  'Object.entries',
  'Object.fromEntries',
  'JSON.parse',
  'JSON.stringify',
  'atob',
  'btoa',
]);
const PASSING_MODULES = new Set([
  'path',
  'url',
  'querystring',
  'qs',
  'util',
  'lodash',
  'underscore',
  'minimist',
  'mri',
  'yargs-parser',
  'deepmerge',
  'lodash.merge',
  'lodash.clonedeep',
  'upath',
  'slash',
]);
const STRUCTURE_KEEPING = new Set(['JSON.parse', 'Object.assign', 'structuredClone', 'Object.fromEntries']);
/** Array methods whose callback's first parameter is an element of the receiver (reduce: the second). */
const ELEMENT_CALLBACKS = new Set(['forEach', 'map', 'filter', 'find', 'findLast', 'some', 'every', 'flatMap', 'sort']);
const VALIDATOR_NAME =
  /^(?:is|has|check)?(?:valid|safe|allowed|permitted|trusted|whitelisted|allowlisted|known|supported)|(?:valid(?:ate)?|allowed|whitelist|allowlist|isMongoId|isUUID|isInt|isNumeric|isAlphanumeric|isSlug|isObjectId|isValidObjectId)$|^(?:isUUID|isMongoId|isInt|isNumeric|isAlphanumeric|isAlpha|isEmail|isHexadecimal|isSlug|isObjectIdOrHexString)$/i;
const ASSERT_NAME = /^(?:assert|ensure|validate|check|verify|invariant)\w*$/i;
const NUMBER_TYPES = new Set(['TSNumberKeyword', 'TSBooleanKeyword', 'TSBigIntKeyword']);

const MAX_DEPTH = 8;

export class Flow {
  private readonly memo = new Map<Node, Taint[]>();
  private readonly active = new Set<Node>();
  private readonly constMemo = new Map<Node, boolean>();

  constructor(private readonly m: CodeModule) {}

  // ── Taint ────────────────────────────────────────────────────────────

  taints(expr: Node): Taint[] {
    return this.eval(expr, undefined, 0);
  }

  private eval(expr: Node, env: Env | undefined, depth: number): Taint[] {
    const n = unwrap(expr);
    if (!env) {
      const cached = this.memo.get(n);
      if (cached) return cached;
    }
    if (this.active.has(n) || depth > MAX_DEPTH) return [];
    this.active.add(n);
    let result: Taint[];
    try {
      result = this.evalNode(n, env, depth);
    } finally {
      this.active.delete(n);
    }
    if (result.length > 4) result = result.slice(0, 4);
    if (!env) this.memo.set(n, result);
    return result;
  }

  private evalNode(n: Node, env: Env | undefined, depth: number): Taint[] {
    const result = this.evalUnguarded(n, env, depth);
    if (result.length && n.type === 'MemberExpression') {
      // A guard on the member chain itself: `if (!ALLOWED.includes(req.query.to)) return; … req.query.to`.
      const target = this.chainTarget(n);
      if (target && this.guardAt(n, target) === 'safe') return [];
    }
    return result;
  }

  private evalUnguarded(n: Node, env: Env | undefined, depth: number): Taint[] {
    const src = this.source(n);
    if (src) return [src];
    const ev = (x: Node | null | undefined) => (x ? this.eval(x, env, depth + 1) : []);
    switch (n.type) {
      case 'Identifier':
        return this.evalIdentifier(n, env, depth);
      case 'MemberExpression': {
        const name = propertyName(n);
        if (name === 'length' || name === 'size') return [];
        const obj = unwrap(n.object);
        const literal = this.m.objectLiteral(obj);
        if (literal && name !== null) {
          const prop = this.m.property(literal, name);
          const writes = obj.type === 'Identifier' ? (this.m.binding(obj)?.props.get(name) ?? []) : [];
          return union([prop ? ev(prop) : [], ...writes.map(ev)]);
        }
        if (literal && name === null)
          return [...this.literalTaints(literal, env, depth), ...ev(n.property).filter(() => false)];
        const writes = obj.type === 'Identifier' && name !== null ? (this.m.binding(obj)?.props.get(name) ?? []) : [];
        return union([ev(obj).map((t) => member(t, name)), ...writes.map(ev)]);
      }
      case 'CallExpression':
        return this.evalCall(n, env, depth);
      case 'NewExpression': {
        const callee = this.m.callee(n.callee);
        const a = n.arguments as Node[];
        if (callee.name === 'URL' && !callee.module) {
          if (a[0] && this.isConstant(a[0])) return [];
          return union([ev(a[0]), ev(a[1])]).map(stringy);
        }
        if (['URLSearchParams', 'String', 'Buffer'].includes(callee.name) && !callee.module) return union(a.map(ev));
        return [];
      }
      case 'TemplateLiteral':
        return union(n.expressions.map(ev)).map(stringy);
      case 'BinaryExpression':
        return n.operator === '+' ? union([ev(n.left), ev(n.right)]).map(stringy) : [];
      case 'LogicalExpression':
        return union([ev(n.left), ev(n.right)]);
      case 'ConditionalExpression':
        return union([ev(n.consequent), ev(n.alternate)]);
      case 'AwaitExpression':
      case 'YieldExpression':
      case 'SpreadElement':
        return ev(n.argument);
      case 'AssignmentExpression':
        return ev(n.right);
      case 'SequenceExpression':
        return ev(n.expressions.at(-1));
      case 'ObjectExpression':
        return this.literalTaints(n, env, depth);
      case 'ArrayExpression':
        return union(n.elements.map((e: Node | null) => ev(e))).map(structured);
      case 'TaggedTemplateExpression': {
        const tag = this.m.callee(n.tag).path.join('.');
        return tag === 'String.raw' ? union(n.quasi.expressions.map(ev)) : [];
      }
      default:
        return [];
    }
  }

  private literalTaints(literal: Node, env: Env | undefined, depth: number): Taint[] {
    const parts: Taint[][] = [];
    for (const p of literal.properties) {
      if (p.type === 'SpreadElement') parts.push(this.eval(p.argument, env, depth + 1));
      else if (p.kind === 'init' && !isFunction(unwrap(p.value))) parts.push(this.eval(p.value, env, depth + 1));
      if (p.computed) parts.push(this.eval(p.key, env, depth + 1));
    }
    return union(parts).map(structured);
  }

  private evalIdentifier(id: Node, env: Env | undefined, depth: number): Taint[] {
    const b = this.m.binding(id);
    if (!b) return [];
    let result: Taint[];
    if (env?.has(b)) result = env.get(b)!;
    else {
      const parts: Taint[][] = [];
      for (const def of this.reachingDefs(b, id))
        parts.push(this.evalDef(b, def, env, depth).map((t) => addLine(t, this.m.line(def.node))));
      result = union(parts);
    }
    if (!result.length) return result;
    const guard = this.guardAt(id, b);
    if (guard === 'safe') return [];
    return guard === 'string' ? result.map(stringy) : result;
  }

  private evalDef(b: Binding, def: Def, env: Env | undefined, depth: number): Taint[] {
    switch (def.kind) {
      case 'param':
        return this.paramTaints(b, def, depth);
      case 'init':
      case 'assign':
      case 'for-of':
        if (!def.value) return [];
        return this.evalPath(def.value, def.kind === 'for-of' ? [0, ...def.path] : def.path, env, depth);
      case 'for-in':
        return def.value ? this.eval(def.value, env, depth + 1).map(stringy) : [];
      case 'compound':
        return def.value ? this.eval(def.value.right, env, depth + 1) : [];
      default:
        return [];
    }
  }

  /** The taint of `value` destructured along `path`. */
  private evalPath(value: Node, path: PathStep[], env: Env | undefined, depth: number): Taint[] {
    if (!path.length) return this.eval(value, env, depth + 1);
    const v = unwrap(value);
    const [step, ...rest] = path;
    if (typeof step === 'string' && step !== '...' && step !== '*') {
      // `const { body } = req`: the member is the source.
      const flavour = v.type === 'Identifier' ? this.requestFlavour(v) : null;
      if (flavour) {
        const props = flavour === 'koa' ? KOA_PROPS : flavour === 'lambda' ? LAMBDA_PROPS : EXPRESS_PROPS;
        if (step in props) return [taint('request', `${this.m.source(v)}.${step}`, v, props[step]!, this.m.line(v))];
        if (flavour === 'koa' && step === 'request')
          return rest.length && typeof rest[0] === 'string' && rest[0] in EXPRESS_PROPS
            ? [taint('request', `${this.m.source(v)}.request.${rest[0]}`, v, EXPRESS_PROPS[rest[0]]!, this.m.line(v))]
            : [];
        return [];
      }
      const literal = this.m.objectLiteral(v);
      if (literal) {
        const prop = this.m.property(literal, step);
        return prop ? this.evalPath(prop, rest, env, depth + 1) : [];
      }
    }
    if (typeof step === 'number' && v.type === 'ArrayExpression') {
      const el = v.elements[step];
      return el ? this.evalPath(el, rest, env, depth + 1) : [];
    }
    return this.eval(v, env, depth + 1).map((t) =>
      typeof step === 'string' && step !== '...' && step !== '*' ? member(t, step) : t,
    );
  }

  /** What a parameter receives: a request, or the arguments its callers in this module pass. */
  private paramTaints(b: Binding, def: Def, depth: number): Taint[] {
    const fn = def.fn!;
    const param = def.param!;
    const index = def.index!;
    const label = this.m.source(param).slice(0, 60);
    // NestJS: @Body(), @Query('x'), @Param('id') …
    for (const d of param.decorators ?? []) {
      const expr = unwrap(d.expression);
      const name =
        expr.type === 'CallExpression' ? this.m.callee(expr.callee).name : expr.type === 'Identifier' ? expr.name : '';
      if (name in NEST_DECORATORS)
        return [taint('request', `${this.m.source(d)} ${b.name}`, param, NEST_DECORATORS[name]!, this.m.line(param))];
    }
    const parent = this.m.parent(fn);
    // Next.js: the second argument of a route handler ({ params }), a page's searchParams/params, and server actions.
    const exported = this.exportedName(fn);
    if (exported && HTTP_HANDLER_EXPORTS.has(exported) && index === 1)
      return [taint('request', label, param, false, this.m.line(param))];
    if (
      exported === 'default' &&
      index === 0 &&
      (def.path[0] === 'searchParams' || def.path[0] === 'params') &&
      /(?:^|\/)(?:page|layout|route)\.[jt]sx?$/.test(this.m.path)
    ) {
      return [taint('request', label, param, false, this.m.line(param))];
    }
    if (exported && this.isServerAction(fn)) return [taint('request', label, param, true, this.m.line(param))];
    // Busboy-style upload callbacks: `.on('file', (name, stream, info) => …)`.
    if (
      parent?.type === 'CallExpression' &&
      this.m.callee(parent.callee).name === 'on' &&
      stringLiteral(parent.arguments[0]) === 'file' &&
      index !== 1
    ) {
      return [taint('upload', label, param, false, this.m.line(param))];
    }
    // Array callbacks: `tainted.forEach(k => …)`, `Object.keys(tainted).map(k => …)`.
    if (parent?.type === 'CallExpression' && parent.callee.type === 'MemberExpression' && parent.arguments[0] === fn) {
      const method = propertyName(parent.callee);
      const elementIndex = method === 'reduce' ? 1 : method !== null && ELEMENT_CALLBACKS.has(method) ? 0 : -1;
      if (index === elementIndex) return this.eval(parent.callee.object, undefined, depth + 1);
      if (elementIndex >= 0) return [];
    }
    // A helper of this module: what its callers pass.
    if (depth > MAX_DEPTH - 2) return [];
    const parts: Taint[][] = [];
    for (const site of this.m.callSitesOf(fn)) {
      const arg = site.args[index];
      if (!arg || arg.type === 'SpreadElement') continue;
      const argTaints = this.evalPath(arg, def.path, undefined, depth + 1);
      parts.push(
        argTaints.map((t) => ({ ...t, via: [...t.via, site.node], lines: [...t.lines, this.m.line(site.node)] })),
      );
    }
    return union(parts);
  }

  private exportedName(fn: Node): string | undefined {
    let node: Node = fn;
    let parent = this.m.parent(node);
    if (parent?.type === 'VariableDeclarator') {
      const name = parent.id.type === 'Identifier' ? parent.id.name : undefined;
      const decl = this.m.parent(parent);
      const exp = decl && this.m.parent(decl);
      if (exp?.type === 'ExportNamedDeclaration') return name;
      // exports.handler = …, module.exports.GET = …
      return undefined;
    }
    if (parent?.type === 'ExportDefaultDeclaration') return 'default';
    if (parent?.type === 'ExportNamedDeclaration') return fn.id?.name;
    if (parent?.type === 'AssignmentExpression' && parent.left.type === 'MemberExpression') {
      const path = this.m.callee(parent.left).path;
      if (path[0] === 'exports' || (path[0] === 'module' && path[1] === 'exports')) return path.at(-1);
    }
    node = fn;
    return undefined;
  }

  private isServerAction(fn: Node): boolean {
    if (this.m.directives.includes('use server')) return true;
    const body = fn.body;
    return (
      body?.type === 'BlockStatement' &&
      body.body.some((s: Node) => s.type === 'ExpressionStatement' && s.directive === 'use server')
    );
  }

  /** The request flavour of an identifier that names a request object: a parameter called `req`/`ctx`/`event`, typed as one, or a route handler's first parameter. */
  requestFlavour(id: Node): Flavour | null {
    const b = this.m.binding(id);
    if (!b || b.kind !== 'param' || b.defs[0]?.path.length) return null;
    const def = b.defs[0]!;
    const param = def.param!;
    for (const d of param.decorators ?? []) {
      const expr = unwrap(d.expression);
      const name = expr.type === 'CallExpression' ? this.m.callee(expr.callee).name : '';
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
    const parent = this.m.parent(def.fn!);
    if (
      parent?.type === 'CallExpression' &&
      def.fn!.params.length >= 2 &&
      def.index === (def.fn!.params.length === 4 ? 1 : 0)
    ) {
      const callee = this.m.callee(parent.callee);
      if (
        ROUTE_METHODS.has(callee.name) &&
        (callee.name === 'createServer' || stringLiteral(parent.arguments[0]) !== undefined)
      )
        return 'express';
    }
    return null;
  }

  /** The source an expression is, if it is one: `req.body`, `ctx.request.query`, `event.body`, `await request.json()`, `process.argv`, `location.hash`, `file.originalname`. */
  source(expr: Node): Taint | null {
    const n = unwrap(expr);
    const line = () => this.m.line(n);
    const label = () => this.m.source(n).replace(/\s+/g, ' ').slice(0, 60);
    if (n.type === 'MemberExpression') {
      const name = propertyName(n);
      if (name === null) return null;
      const obj = unwrap(n.object);
      if (UPLOAD_NAMES.has(name)) return taint('upload', label(), n, false, line());
      if (obj.type === 'Identifier') {
        const flavour = this.requestFlavour(obj);
        if (flavour === 'express' && name in EXPRESS_PROPS)
          return taint('request', label(), n, EXPRESS_PROPS[name]!, line());
        if (flavour === 'koa' && name in KOA_PROPS) return taint('request', label(), n, KOA_PROPS[name]!, line());
        if (flavour === 'lambda' && name in LAMBDA_PROPS)
          return taint('request', label(), n, LAMBDA_PROPS[name]!, line());
        if (!this.m.binding(obj)) {
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
          this.requestFlavour(root) === 'koa' &&
          name in EXPRESS_PROPS
        )
          return taint('request', label(), n, EXPRESS_PROPS[name]!, line());
        if (
          root.type === 'Identifier' &&
          !this.m.binding(root) &&
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
          const flavour = this.requestFlavour(obj);
          if ((flavour === 'express' || flavour === 'koa') && name in EXPRESS_CALLS)
            return taint('request', label(), n, EXPRESS_CALLS[name]!, line());
        }
      }
      const c = this.m.callee(n.callee);
      if (c.module === 'next/headers' && (c.name === 'headers' || c.name === 'cookies') && c.path.length === 1)
        return taint('request', label(), n, false, line());
      if ((c.name === 'useSearchParams' || c.name === 'useParams' || c.name === 'useQuery') && c.path.length === 1)
        return taint('dom', label(), n, false, line());
    }
    return null;
  }

  private evalCall(n: Node, env: Env | undefined, depth: number): Taint[] {
    const ev = (x: Node | null | undefined) => (x ? this.eval(x, env, depth + 1) : []);
    const callee = this.m.callee(n.callee);
    const name = callee.name;
    const dotted = callee.path.join('.');
    const a = n.arguments as Node[];
    if (this.isSanitiserCall(n)) return [];
    // A helper of this module: its return values, with its parameters bound to these arguments.
    const fn = this.m.localFunction(n.callee);
    if (fn) {
      if (depth > MAX_DEPTH - 2) return [];
      const inner: Env = new Map();
      fn.params.forEach((param: Node, i: number) => {
        const arg = a[i];
        if (!arg) return;
        const argTaints = this.eval(arg, env, depth + 1);
        for (const id of collectParamIds(param)) {
          const b = this.m.binding(id);
          if (b) inner.set(b, argTaints);
        }
      });
      return union(returnedExpressions(fn).map((r) => this.eval(r, inner, depth + 1)));
    }
    if (!callee.module && PASSING_GLOBALS.has(dotted)) {
      const out = union(a.map(ev));
      return STRUCTURE_KEEPING.has(dotted) ? out.map(structured) : out.map(stringy);
    }
    if (!callee.module && callee.path.length === 1 && PASSING_GLOBALS.has(name)) return union(a.map(ev)).map(stringy);
    if (callee.module && PASSING_MODULES.has(callee.module.split('/')[0]!)) {
      if (name === 'basename' || name === 'extname') return [];
      return union(a.map(ev));
    }
    const c = unwrap(n.callee);
    if (c.type === 'MemberExpression') {
      if (name === 'replace' || name === 'replaceAll') {
        if (isAllowOnlyPattern(this.m, a[0])) return [];
      }
      if (name === 'then' || name === 'catch' || name === 'finally') return [];
      return ev(c.object).map((t) =>
        name === 'get' ||
        name === 'getAll' ||
        /^(?:to\w*Case|trim\w*|slice|substring|substr|replace\w*|padStart|padEnd|normalize|toString|concat|join|at|charAt|repeat)$/.test(
          name,
        )
          ? stringy(t)
          : t,
      );
    }
    return [];
  }

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

  // ── Reaching definitions and guards ──────────────────────────────────

  /** The definitions of a binding that may reach a use: a plain assignment before the use, in a block around it, replaces earlier ones. */
  private reachingDefs(b: Binding, use: Node): Def[] {
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
  private chainTarget(n: Node): Target | null {
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
      if (this.isConstant(other!)) return { polarity: polarity(true), strength: 'safe' };
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
      if (VALIDATOR_NAME.test(callee.name) && !/url/i.test(callee.name)) return { polarity: 'pos', strength: 'safe' };
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
    if ('text' in b) return this.m.source(node).replace(/\s+/g, '').includes(b.text);
    const uses = this.m.uses(b);
    return uses.some((u) => u.start >= node.start && u.end <= node.end);
  }

  // ── Constants and built strings ──────────────────────────────────────

  isConstant(expr: Node, depth = 0): boolean {
    const n = unwrap(expr);
    const cached = this.constMemo.get(n);
    if (cached !== undefined) return cached;
    if (depth > MAX_DEPTH || this.active.has(n)) return false;
    this.active.add(n);
    let result = false;
    try {
      result = this.constant(n, depth);
    } finally {
      this.active.delete(n);
    }
    this.constMemo.set(n, result);
    return result;
  }

  private constant(n: Node, depth: number): boolean {
    const c = (x: Node | null | undefined) => !x || this.isConstant(x, depth + 1);
    switch (n.type) {
      case 'Literal':
        return true;
      case 'TemplateLiteral':
        return n.expressions.every(c);
      case 'BinaryExpression':
        return c(n.left) && c(n.right);
      case 'UnaryExpression':
        return n.operator === 'typeof' || n.operator === 'void' || c(n.argument);
      case 'LogicalExpression':
        return c(n.left) && c(n.right);
      case 'ConditionalExpression':
        return c(n.consequent) && c(n.alternate);
      case 'ArrayExpression':
        return n.elements.every((e: Node | null) => c(e));
      case 'ObjectExpression':
        return n.properties.every((p: Node) =>
          p.type === 'SpreadElement'
            ? c(p.argument)
            : (!p.computed || c(p.key)) && (isFunction(unwrap(p.value)) || c(p.value)),
        );
      case 'SpreadElement':
      case 'AwaitExpression':
        return c(n.argument);
      case 'Identifier': {
        const b = this.m.binding(n);
        if (!b) return ['undefined', 'NaN', 'Infinity', '__dirname', '__filename'].includes(n.name);
        if (b.kind === 'import') return /^[A-Z][A-Z0-9_]*$/.test(b.name);
        if (b.kind === 'function' || b.kind === 'class') return true;
        const byDefs =
          b.kind !== 'param' &&
          b.kind !== 'catch' &&
          b.defs.length > 0 &&
          this.reachingDefs(b, n).every(
            (d) =>
              d.kind !== 'param' &&
              d.kind !== 'for-in' &&
              d.kind !== 'catch' &&
              d.kind !== 'update' &&
              d.value !== null &&
              (d.kind === 'compound' ? c(d.value.right) : c(d.value)),
          );
        // A value checked against an allow-list is one of its constants.
        return byDefs || (this.guardAt(n, b) === 'safe' && this.taints(n).length === 0);
      }
      case 'MemberExpression': {
        const obj = unwrap(n.object);
        const path = this.m.callee(n).path;
        if (obj.type === 'MetaProperty') return true;
        if (path[0] === 'process' && path[1] === 'env' && !this.m.topLevel('process')) return true;
        if (path[0] === 'Math' || path[0] === 'Number' || path[0] === 'Symbol') return true;
        // COLUMNS[key] where COLUMNS is a constant table: one of its values whatever the key.
        return (
          c(obj) &&
          (!n.computed ||
            this.m.objectLiteral(obj) !== undefined ||
            unwrap(obj).type === 'ArrayExpression' ||
            c(n.property) ||
            this.isConstantTable(obj))
        );
      }
      case 'CallExpression': {
        const callee = this.m.callee(n.callee);
        const dotted = callee.path.join('.');
        if (
          !callee.module &&
          ['process.cwd', 'require.resolve', 'Date.now', 'Symbol', 'String', 'Number', 'JSON.stringify'].includes(
            dotted,
          )
        )
          return n.arguments.every(c);
        if (callee.module === 'path' || callee.module === 'url' || callee.module === 'os') return n.arguments.every(c);
        const fn = unwrap(n.callee);
        if (
          fn.type === 'MemberExpression' &&
          /^(?:join|toUpperCase|toLowerCase|trim|toString|slice|replace|replaceAll|concat|map|filter|padStart|padEnd|repeat|split|at|toFixed)$/.test(
            propertyName(fn) ?? '',
          )
        )
          return c(fn.object) && n.arguments.every((x: Node) => isFunction(unwrap(x)) || c(x));
        return this.isSanitiserCall(n) && SCALAR_FUNCTIONS.has(callee.name) && n.arguments.every(c);
      }
      case 'ClassExpression':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        return true;
      default:
        return false;
    }
  }

  private isConstantTable(obj: Node): boolean {
    const n = unwrap(obj);
    if (n.type !== 'Identifier') return false;
    const b = this.m.binding(n);
    return (
      !!b &&
      b.kind === 'const' &&
      b.defs.length === 1 &&
      !!b.defs[0]!.value &&
      (unwrap(b.defs[0]!.value).type === 'ObjectExpression' ||
        unwrap(b.defs[0]!.value).type === 'ArrayExpression' ||
        unwrap(b.defs[0]!.value).type === 'NewExpression') &&
      this.isConstant(
        b.defs[0]!.value.type === 'NewExpression'
          ? (b.defs[0]!.value.arguments[0] ?? b.defs[0]!.value)
          : b.defs[0]!.value,
      )
    );
  }

  /** Numbers and booleans: safe to put into SQL, a shell line or code. */
  isScalar(expr: Node, depth = 0): boolean {
    const n = unwrap(expr);
    if (depth > 6) return false;
    switch (n.type) {
      case 'BinaryExpression':
        return n.operator !== '+' || (this.isScalar(n.left, depth + 1) && this.isScalar(n.right, depth + 1));
      case 'UnaryExpression':
        return n.operator !== 'void';
      case 'UpdateExpression':
        return true;
      case 'Literal':
        return typeof n.value === 'number' || typeof n.value === 'boolean' || n.value === null;
      case 'CallExpression':
        return this.isSanitiserCall(n) && !SANITISER_NAME.test(this.m.callee(n.callee).name);
      case 'MemberExpression':
        return propertyName(n) === 'length' || propertyName(n) === 'size';
      case 'ConditionalExpression':
        return this.isScalar(n.consequent, depth + 1) && this.isScalar(n.alternate, depth + 1);
      case 'LogicalExpression':
        return this.isScalar(n.left, depth + 1) && this.isScalar(n.right, depth + 1);
      case 'AwaitExpression':
        return this.isScalar(n.argument, depth + 1);
      case 'Identifier': {
        const b = this.m.binding(n);
        if (!b) return false;
        if (b.kind === 'param') {
          const type = b.defs[0]?.param?.typeAnnotation?.typeAnnotation;
          return !!type && NUMBER_TYPES.has(type.type) && b.defs[0]!.path.length === 0;
        }
        return (
          b.defs.length > 0 &&
          b.defs.every(
            (d) =>
              (d.kind === 'init' || d.kind === 'assign') &&
              d.path.length === 0 &&
              d.value !== null &&
              this.isScalar(d.value, depth + 1),
          )
        );
      }
      default:
        return false;
    }
  }

  /** A part of built text that cannot inject: constant, a number, escaped or validated, or guarded by an allow-list. */
  isSafePart(expr: Node): boolean {
    const n = unwrap(expr);
    if (this.isConstant(n) || this.isScalar(n) || this.isSanitiserCall(n)) return true;
    if (n.type === 'Identifier') {
      const b = this.m.binding(n);
      if (b && this.guardAt(n, b) === 'safe') return true;
      if (
        b &&
        b.defs.length > 0 &&
        b.kind !== 'param' &&
        b.defs.every(
          (d) =>
            d.value &&
            d.path.length === 0 &&
            (d.kind === 'init' || d.kind === 'assign') &&
            this.isSanitiserCall(d.value),
        )
      )
        return true;
    }
    // A ternary between safe parts: `order === 'asc' ? 'ASC' : 'DESC'`.
    if (n.type === 'ConditionalExpression') return this.isSafePart(n.consequent) && this.isSafePart(n.alternate);
    return false;
  }

  /** Parts of text built here (template, `+`, `+=`, `.concat`, `[...].join`) that are not safe; empty when it is not built text. */
  dynamicParts(expr: Node, depth = 0): Node[] {
    const n = unwrap(expr);
    if (depth > 6) return [];
    const partsOf = (pieces: Node[]): Node[] => {
      const out: Node[] = [];
      for (const p of pieces) {
        const u = unwrap(p);
        if (this.isSafePart(u)) continue;
        const inner = this.builtText(u) ? this.dynamicParts(u, depth + 1) : [];
        if (inner.length) out.push(...inner);
        else if (!this.builtText(u)) out.push(u);
      }
      return out;
    };
    switch (n.type) {
      case 'TemplateLiteral':
        return partsOf(n.expressions);
      case 'BinaryExpression': {
        if (n.operator !== '+') return [];
        const operands = flattenPlus(n);
        if (
          !operands.some(
            (o) =>
              this.stringValue(o) !== undefined || unwrap(o).type === 'TemplateLiteral' || this.builtText(unwrap(o)),
          )
        )
          return [];
        return partsOf(operands);
      }
      case 'CallExpression': {
        const c = unwrap(n.callee);
        const name = c.type === 'MemberExpression' ? propertyName(c) : null;
        if (name === 'concat' && this.stringValue(c.object) !== undefined) return partsOf([c.object, ...n.arguments]);
        if (name === 'join' && unwrap(c.object).type === 'ArrayExpression')
          return partsOf(unwrap(c.object).elements.filter(Boolean));
        return [];
      }
      case 'Identifier': {
        const b = this.m.binding(n);
        if (!b || b.kind === 'param' || b.kind === 'import') return [];
        if (this.guardAt(n, b) === 'safe') return [];
        const out: Node[] = [];
        let built = false;
        for (const d of this.reachingDefs(b, n)) {
          if (!d.value || d.path.length) continue;
          const v = d.kind === 'compound' ? d.value.right : d.value;
          if (d.kind === 'compound') {
            built = true;
            if (!this.isSafePart(v))
              out.push(...(this.builtText(unwrap(v)) ? this.dynamicParts(v, depth + 1) : [unwrap(v)]));
          } else if (this.builtText(unwrap(v))) {
            built = true;
            out.push(...this.dynamicParts(v, depth + 1));
          }
        }
        return built ? out : [];
      }
      default:
        return [];
    }
  }

  /** The expression is text built from pieces (not a lone value). */
  builtText(n: Node): boolean {
    const u = unwrap(n);
    if (u.type === 'TemplateLiteral') return u.expressions.length > 0;
    if (u.type === 'BinaryExpression' && u.operator === '+') return true;
    if (u.type === 'Identifier') {
      const b = this.m.binding(u);
      return (
        !!b &&
        b.kind !== 'param' &&
        b.defs.some(
          (d) =>
            d.kind === 'compound' ||
            (d.value !== null &&
              d.path.length === 0 &&
              !this.active.has(unwrap(d.value)) &&
              (unwrap(d.value).type === 'TemplateLiteral' ||
                (unwrap(d.value).type === 'BinaryExpression' && unwrap(d.value).operator === '+'))),
        )
      );
    }
    if (u.type === 'CallExpression') {
      const c = unwrap(u.callee);
      const name = c.type === 'MemberExpression' ? propertyName(c) : null;
      return (
        (name === 'concat' && this.stringValue(c.object) !== undefined) ||
        (name === 'join' && unwrap(c.object).type === 'ArrayExpression')
      );
    }
    return false;
  }

  /** The constant text of an expression, folding literals, templates, `+` and constant bindings. */
  stringValue(expr: Node, depth = 0): string | undefined {
    const n = unwrap(expr);
    if (depth > MAX_DEPTH) return undefined;
    switch (n.type) {
      case 'Literal':
        return typeof n.value === 'string' || typeof n.value === 'number' || typeof n.value === 'boolean'
          ? String(n.value)
          : undefined;
      case 'TemplateLiteral': {
        let s = '';
        for (let i = 0; i < n.quasis.length; i++) {
          s += n.quasis[i].value.cooked ?? '';
          if (i < n.expressions.length) {
            const v = this.stringValue(n.expressions[i], depth + 1);
            if (v === undefined) return undefined;
            s += v;
          }
        }
        return s;
      }
      case 'BinaryExpression': {
        if (n.operator !== '+') return undefined;
        const l = this.stringValue(n.left, depth + 1);
        const r = l === undefined ? undefined : this.stringValue(n.right, depth + 1);
        return l === undefined || r === undefined ? undefined : l + r;
      }
      case 'Identifier': {
        const b = this.m.binding(n);
        if (!b || b.kind !== 'const' || b.defs.length !== 1 || b.defs[0]!.path.length || !b.defs[0]!.value)
          return undefined;
        return this.stringValue(b.defs[0]!.value, depth + 1);
      }
      case 'MemberExpression': {
        const name = propertyName(n);
        const prop = name !== null ? this.m.property(n.object, name) : undefined;
        return prop ? this.stringValue(prop, depth + 1) : undefined;
      }
      default:
        return undefined;
    }
  }

  /** The text an expression builds, with `${…}` for every part not known: what atoms read to tell SQL, a shell line or a URL. */
  shape(expr: Node, depth = 0): string | undefined {
    const n = unwrap(expr);
    const HOLE = '${…}';
    if (depth > 6) return undefined;
    const known = this.stringValue(n);
    if (known !== undefined) return known;
    const sub = (x: Node) => this.shape(x, depth + 1) ?? HOLE;
    switch (n.type) {
      case 'TemplateLiteral': {
        let s = '';
        for (let i = 0; i < n.quasis.length; i++) {
          s += n.quasis[i].value.cooked ?? '';
          if (i < n.expressions.length) s += sub(n.expressions[i]);
        }
        return s;
      }
      case 'BinaryExpression':
        return n.operator === '+' ? sub(n.left) + sub(n.right) : undefined;
      case 'ConditionalExpression': {
        const a = this.shape(n.consequent, depth + 1);
        return a !== undefined ? a : undefined;
      }
      case 'CallExpression': {
        const c = unwrap(n.callee);
        const name = c.type === 'MemberExpression' ? propertyName(c) : null;
        if (name === 'concat') return [c.object, ...n.arguments].map(sub).join('');
        if (name === 'join' && unwrap(c.object).type === 'ArrayExpression')
          return unwrap(c.object)
            .elements.filter(Boolean)
            .map(sub)
            .join(this.stringValue(n.arguments[0] ?? { type: 'Literal', value: ',', start: 0, end: 0 }) ?? ',');
        return undefined;
      }
      case 'Identifier': {
        const b = this.m.binding(n);
        if (!b || b.kind === 'param' || b.kind === 'import') return undefined;
        let s: string | undefined;
        for (const d of this.reachingDefs(b, n)) {
          if (!d.value || d.path.length) continue;
          if (d.kind === 'compound') s = (s ?? '') + sub(d.value.right);
          else if (d.kind === 'init' || d.kind === 'assign') s = s === undefined ? this.shape(d.value, depth + 1) : s;
        }
        return s;
      }
      default:
        return undefined;
    }
  }
}

// ── Helpers ────────────────────────────────────────────────────────────

function taint(kind: TaintKind, label: string, node: Node, isStructured: boolean, line: number): Taint {
  return { kind, label, node, structured: isStructured, lines: [line], via: [] };
}

const stringy = (t: Taint): Taint => (t.structured ? { ...t, structured: false } : t);
const structured = (t: Taint): Taint => t;
/** `req.query` read as `.name`: say so in messages. */
const member = (t: Taint, name: string | null): Taint =>
  name && t.via.length === 0 && t.label.length < 50 && /^[\w$.@()' ]+$/.test(t.label) && !t.label.endsWith(')')
    ? { ...t, label: `${t.label}.${name}` }
    : t;
const addLine = (t: Taint, line: number): Taint => (t.lines.includes(line) ? t : { ...t, lines: [...t.lines, line] });

function union(parts: Taint[][]): Taint[] {
  const out: Taint[] = [];
  for (const list of parts) {
    for (const t of list) {
      const same = out.findIndex(
        (o) => o.node === t.node && o.via.length === t.via.length && o.via.every((v, i) => v === t.via[i]),
      );
      if (same < 0) out.push(t);
      else if (t.structured && !out[same]!.structured) out[same] = t;
    }
  }
  return out;
}

const pos = (g: Guard | null): Guard | null => (g?.polarity === 'pos' ? g : null);
const neg = (g: Guard | null): Guard | null =>
  g?.polarity === 'neg' ? { polarity: 'pos', strength: g.strength } : null;
const flip = (g: Guard | null): Guard | null =>
  g ? { polarity: g.polarity === 'pos' ? 'neg' : 'pos', strength: g.strength } : null;

function isMinusOne(n: Node): boolean {
  const u = unwrap(n);
  return (
    (u.type === 'UnaryExpression' && u.operator === '-' && unwrap(u.argument).value === 1) ||
    (u.type === 'Literal' && u.value === -1)
  );
}

function isStatementList(n: Node): boolean {
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

function flattenPlus(n: Node): Node[] {
  const u = unwrap(n);
  if (u.type === 'BinaryExpression' && u.operator === '+') return [...flattenPlus(u.left), ...flattenPlus(u.right)];
  return [u];
}

function collectParamIds(param: Node): Node[] {
  const out: Node[] = [];
  const walk = (p: Node) => {
    if (p.type === 'Identifier') out.push(p);
    else if (p.type === 'AssignmentPattern') walk(p.left);
    else if (p.type === 'RestElement') walk(p.argument);
    else if (p.type === 'TSParameterProperty') walk(p.parameter);
    else if (p.type === 'ObjectPattern')
      p.properties.forEach((x: Node) => walk(x.type === 'RestElement' ? x : x.value));
    else if (p.type === 'ArrayPattern') p.elements.forEach((x: Node | null) => x && walk(x));
  };
  walk(param);
  return out;
}

/** The expressions a function returns (its body, for an arrow with an expression body), not those of nested functions. */
export function returnedExpressions(fn: Node): Node[] {
  if (fn.body && fn.body.type !== 'BlockStatement') return [fn.body];
  const out: Node[] = [];
  const walk = (n: Node) => {
    if (!n || typeof n !== 'object') return;
    if (n.type === 'ReturnStatement') {
      if (n.argument) out.push(n.argument);
      return;
    }
    if (isFunction(n) || n.type === 'ClassBody') return;
    for (const key of Object.keys(n)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const v = n[key];
      if (Array.isArray(v)) v.forEach((c) => c && typeof c.type === 'string' && walk(c));
      else if (v && typeof v.type === 'string') walk(v);
    }
  };
  if (fn.body) for (const s of fn.body.body) walk(s);
  return out;
}

/** `.replace(/[^a-z0-9_-]/g, '')`: keeps only characters that cannot inject anything. */
function isAllowOnlyPattern(m: CodeModule, arg: Node | undefined): boolean {
  if (!arg) return false;
  const n = unwrap(arg);
  if (n.type !== 'Literal' || !n.regex || !n.regex.flags.includes('g')) return false;
  const match = /^\[\^([^\]]*)\]\+?$/.exec(n.regex.pattern);
  if (!match) return false;
  const allowed = match[1]!.replace(/a-z|A-Z|0-9|\\w|\\d|_|\\-|-$|^-| /g, '');
  void m;
  return allowed === '' || allowed === '\\.' || allowed === '.';
}

export { keyName };
