/**
 * What the app-level atoms share (security-headers, csrf, rate-limiting,
 * and the parts of input-validation and file-upload that depend on the rest
 * of the app): the Express/Fastify/Koa/Nest apps a module creates, whether
 * the change edits one, and questions about the other modules of the same
 * package asked through `ctx.project` ("is helmet registered anywhere?").
 *
 * Costs are kept where they belong: a module is asked about only when the
 * change touches an app or a route there, the package is listed once per
 * project view, other modules are searched as text first and parsed only
 * when their text matches, and every answer is kept for the run.
 * Only types come from src/ast, so nothing of the parser loads from here.
 */
import type { CallInfo, CodeModule, Node } from '../ast/module.js';
import { propertyName, unwrap } from '../ast/nodes.js';
import type { ProjectView, SourceFile } from './atom.js';
import { CODE_FILES } from './files.js';

export type Framework = 'express' | 'fastify' | 'koa' | 'nest';

/**
 * The first answer a configuration callback gives through its Node-style callback, `cb(null, value)`,
 * inside `fn` (whose `value` passes `test`): multer's destination and filename, cors' origin.
 */
export function callbackAnswer(
  m: CodeModule,
  fn: Node,
  test: (value: Node) => boolean = () => true,
): CallInfo | undefined {
  return m
    .calls()
    .find((c) => c.node.start > fn.start && c.node.end <= fn.end && c.args.length >= 2 && test(c.args[1]!));
}

export interface App {
  framework: Framework;
  /** Nest apps run on Express unless created with a FastifyAdapter. */
  platform: 'express' | 'fastify' | 'koa';
  /** The call that creates it: `express()`, `Fastify()`, `new Koa()`, `NestFactory.create()`. */
  node: Node;
  /** Calls on the app in this module (`app.use`, `app.register`, `app.set`…) and calls that are handed the app. */
  setup: Node[];
  /** The app leaves the module's view: exported, returned, stored elsewhere, or never held in a variable. */
  escapes: boolean;
  /** Names another module imports it by: `export { app as handlers }` → 'handlers'; '*' for a default export or `module.exports = app`. */
  exports: string[];
}

/** Tests, fixtures, mocks, build output and declarations: not the code of the app that ships. */
export const NOT_APP_CODE = [
  '!**/*.{test,spec,e2e-spec,stories}.*',
  '!**/{test,tests,__tests__,__mocks__,mocks,spec,specs,e2e,fixtures,__fixtures__,cypress,playwright,benchmark,benchmarks}/**',
  '!**/node_modules/**',
  '!**/{dist,build,built,coverage,out,.next}/**',
  '!**/*.d.{ts,mts,cts}',
  '!**/*.min.js',
];

/** A module that may create an app, as text: what is worth parsing for apps. */
export const CREATES_APP =
  /\bexpress\s*\(\s*\)|require\(\s*['"]express['"]\s*\)\s*\(|\b[Ff]astify\s*\(|require\(\s*['"]fastify['"]\s*\)\s*\(|new\s+Koa\s*\(|NestFactory\s*\.\s*create/;

/** The modules an app is made of. */
export const APP_FILES = [...CODE_FILES, ...NOT_APP_CODE];

/** The apps a module creates. */
export function appsIn(m: CodeModule): App[] {
  const apps: App[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    const path = callee.path.join('.');
    let framework: Framework | undefined;
    if (callee.module === 'express' && path === '' && !call.isNew) framework = 'express';
    else if (callee.module === 'fastify' && (path === '' || path === 'fastify' || path === 'default'))
      framework = 'fastify';
    else if (callee.module === 'koa' && call.isNew && (path === '' || path === 'default' || path === 'Koa'))
      framework = 'koa';
    else if (callee.module === '@nestjs/core' && path === 'NestFactory.create') framework = 'nest';
    if (!framework) continue;
    const platform =
      framework === 'nest'
        ? call.args.some((a) => /FastifyAdapter/.test(m.source(a)))
          ? 'fastify'
          : 'express'
        : framework;
    apps.push({ framework, platform, node: call.node, ...setupCalls(m, call.node) });
  }
  return apps;
}

/** Calls on the variable an app is stored in, and calls it is passed to; whether it escapes the module's view. */
function setupCalls(m: CodeModule, creation: Node): { setup: Node[]; escapes: boolean; exports: string[] } {
  let holder: Node = creation;
  for (
    let p = m.parent(holder);
    p && (p.type === 'AwaitExpression' || p.type === 'ParenthesizedExpression' || p.type.startsWith('TS'));
    p = m.parent(holder)
  )
    holder = p;
  let parent = m.parent(holder);
  const exports: string[] = [];
  // var app = module.exports = express()
  while (
    parent?.type === 'AssignmentExpression' &&
    parent.right === holder &&
    unwrap(parent.left).type === 'MemberExpression'
  ) {
    const target = m.source(parent.left);
    if (/^(?:module\.)?exports$/.test(target)) exports.push('*');
    else if (/^(?:module\.)?exports\.\w+$/.test(target)) exports.push(target.slice(target.lastIndexOf('.') + 1));
    holder = parent;
    parent = m.parent(holder);
  }
  let id: Node | undefined;
  if (parent?.type === 'VariableDeclarator' && parent.init === holder && parent.id.type === 'Identifier')
    id = parent.id;
  else if (
    parent?.type === 'AssignmentExpression' &&
    parent.right === holder &&
    unwrap(parent.left).type === 'Identifier'
  )
    id = unwrap(parent.left);
  const binding = id && m.binding(id);
  if (!binding)
    return { setup: [], escapes: true, exports: parent?.type === 'ExportDefaultDeclaration' ? ['*'] : exports };
  const calls: Node[] = [];
  const exported =
    parent?.type === 'VariableDeclarator' && m.parent(m.parent(parent) ?? parent)?.type === 'ExportNamedDeclaration';
  if (exported) exports.push(binding.name);
  let escapes = parent?.type === 'AssignmentExpression' || exported || exports.length > 0;
  for (const use of m.uses(binding)) {
    if (use === id) continue;
    const p = m.parent(use);
    if (p?.type === 'ExportSpecifier' || p?.type === 'ExportNamedDeclaration') {
      const spec =
        p.type === 'ExportSpecifier'
          ? p
          : (p.specifiers as Node[]).find((x) => x.local === use || x.local?.name === binding.name);
      exports.push(spec?.exported?.name ?? spec?.exported?.value ?? binding.name);
      escapes = true;
    } else if (p?.type === 'ExportDefaultDeclaration') {
      exports.push('*');
      escapes = true;
    } else if (p?.type === 'AssignmentExpression' && p.right === use) {
      const target = m.source(p.left);
      if (/^(?:module\.)?exports$/.test(target)) exports.push('*');
      else if (/^(?:module\.)?exports\.\w+$/.test(target)) exports.push(target.slice(target.lastIndexOf('.') + 1));
      escapes = true;
    }
    if (p?.type === 'MemberExpression' && p.object === use) {
      // app.use(…), app.register(…), also chained: app.use(a).use(b)
      let call = m.parent(p);
      if (call?.type === 'CallExpression' && call.callee === p) calls.push(call);
      while (
        call &&
        m.parent(call)?.type === 'MemberExpression' &&
        m.parent(m.parent(call)!)?.type === 'CallExpression'
      ) {
        call = m.parent(m.parent(call)!)!;
        calls.push(call);
      }
    } else if (p?.type === 'CallExpression' && p.arguments.includes(use)) calls.push(p);
    else escapes = true;
  }
  return { setup: calls, escapes, exports };
}

/**
 * The app is mounted into another app of the package (`app.use('/sync', syncApp.handlers)`):
 * a sub-app, whose responses pass through the parent's middleware, so the parent is the one judged.
 */
export async function mountedElsewhere(project: ProjectView, file: SourceFile, app: App): Promise<boolean> {
  if (!app.exports.length) return false;
  const base = file.path
    .slice(file.path.lastIndexOf('/') + 1)
    .replace(/\.[^.]+$/, '')
    .replace(/[^\w-]/g, '\\$&');
  if (base === 'index') return false;
  for (const path of await otherModulesMatching(project, file, /\.use\s*\(/)) {
    const text = await project.read(path);
    if (!text) continue;
    const imported = new RegExp(
      `(?:import\\s+(?:\\*\\s+as\\s+)?(\\w+)\\s+from|(?:const|let|var)\\s+(\\w+)\\s*=\\s*require\\()\\s*['"][^'"]*\\b${base}(?:\\.[cm]?[jt]s)?['"]`,
    ).exec(text);
    const local = imported?.[1] ?? imported?.[2];
    if (!local && !text.includes(base)) continue;
    for (const name of app.exports) {
      const ref = name === '*' ? local : `(?:${local ?? '\\w+'}\\.)?${name}`;
      if (ref && new RegExp(`\\.use\\s*\\([^;]*?\\b${ref}\\b`).test(text)) return true;
    }
  }
  return false;
}

/**
 * The added lines that belong to an app: its creation and the calls that
 * set it up. Empty when the change does not touch the app (then an
 * app-level atom has nothing to say, and asks the project nothing).
 */
export function editedLines(file: SourceFile, m: CodeModule, app: App): number[] {
  const lines: number[] = [];
  for (const node of [app.node, ...app.setup]) {
    const from = m.line(node);
    const to = m.position(node.end).line;
    for (let n = from; n <= to; n++) if (file.isAdded(n)) lines.push(n);
  }
  return [...new Set(lines)].sort((a, b) => a - b);
}

// ── The other modules of the app ───────────────────────────────────────

interface ProjectMemo {
  packages?: Promise<string[]>;
  answers: Map<string, Promise<unknown>>;
}
const memos = new WeakMap<ProjectView, ProjectMemo>();
function memoOf(project: ProjectView): ProjectMemo {
  let memo = memos.get(project);
  if (!memo) memos.set(project, (memo = { answers: new Map() }));
  return memo;
}

/** Keeps one answer per project view and key for the whole run. */
export function remember<T>(project: ProjectView, key: string, compute: () => Promise<T>): Promise<T> {
  const { answers } = memoOf(project);
  let answer = answers.get(key) as Promise<T> | undefined;
  if (!answer) answers.set(key, (answer = compute()));
  return answer;
}

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/** The directory of the package a file belongs to: the nearest one above it holding a package.json ('' for the root). */
export async function packageOf(project: ProjectView, path: string): Promise<string> {
  const memo = memoOf(project);
  const dirs = await (memo.packages ??= project
    .files(['**/package.json', '!**/node_modules/**'])
    .then((list) => list.map(dirOf)));
  let best = '';
  for (const d of dirs) if ((d === '' || path.startsWith(d + '/')) && d.length > best.length) best = d;
  return best;
}

const escapeGlob = (dir: string) => dir.replace(/[*?[\]{}()!+@\\]/g, '\\$&');

/** Modules of a package (no tests) whose text matches `pattern`: one search per package and pattern for the run. */
function packageModulesMatching(project: ProjectView, pkg: string, pattern: RegExp): Promise<string[]> {
  return remember(project, `grep\0${pkg}\0${pattern.source}\0${pattern.flags}`, async () => {
    const globs = pkg ? [...CODE_FILES.map((g) => `${escapeGlob(pkg)}/${g}`), ...NOT_APP_CODE] : APP_FILES;
    const mine: string[] = [];
    for (const p of await project.grep(globs, pattern)) if ((await packageOf(project, p)) === pkg) mine.push(p);
    return mine;
  });
}

/** Modules of the app around `file` (same package, no tests) other than `file` itself whose text matches `pattern`. */
export async function otherModulesMatching(project: ProjectView, file: SourceFile, pattern: RegExp): Promise<string[]> {
  const paths = await packageModulesMatching(project, await packageOf(project, file.path), pattern);
  return paths.filter((p) => p !== file.path);
}

/**
 * The first module of the app (this one first, then the others whose text
 * matches `pattern`, parsed) for which `confirm` holds; null when none does.
 * `key` names the question: each module is asked it once per run.
 */
export async function findInApp(
  project: ProjectView,
  file: SourceFile,
  m: CodeModule,
  pattern: RegExp,
  confirm: (m: CodeModule) => boolean,
  key: string,
): Promise<string | null> {
  if (pattern.test(file.text) && confirm(m)) return file.path;
  for (const path of await otherModulesMatching(project, file, pattern)) {
    const yes = await remember(project, `confirm\0${key}\0${path}`, async () => {
      const parsed = await (await project.source(path))?.ast();
      return parsed?.ok === true && confirm(parsed);
    });
    if (yes) return path;
  }
  return null;
}

/** True when this module's text or another module of the app matches (text only, no parse). */
export async function appMentions(project: ProjectView, file: SourceFile, pattern: RegExp): Promise<boolean> {
  return pattern.test(file.text) || (await otherModulesMatching(project, file, pattern)).length > 0;
}

// ── Small shared readings ──────────────────────────────────────────────

/** Inside a branch that runs only in development (`if (process.env.NODE_ENV !== 'production')`, `isDev ? … : …`). */
export function inDevelopmentBranch(m: CodeModule, node: Node): boolean {
  let child = node;
  for (const a of m.ancestors(node)) {
    if (a.type === 'IfStatement' || a.type === 'ConditionalExpression') {
      const test = m.source(a.test);
      const dev =
        /(?:(?<!!)===?\s*['"`](?:dev|development|local|test)['"`]|!==?\s*['"`](?:prod|production)['"`]|\b(?:is)?(?:Dev|DEV|dev|Development|Local|local)\b|\bdev(?:elopment)?Mode\b)/.test(
          test,
        );
      const prod =
        /(?:(?<!!)===?\s*['"`](?:prod|production)['"`]|!==?\s*['"`](?:dev|development)['"`]|\b(?:is)?(?:Prod|PROD|prod|Production)\b)/.test(
          test,
        );
      if (child === a.consequent && dev && !prod) return true;
      if (child === a.alternate && prod && !dev) return true;
    }
    child = a;
  }
  return false;
}

/** A route registration: `app.post('/login', …handlers)`, `router.route('/x').post(…)`, with its path, method and handler arguments. */
export interface Route {
  node: Node;
  method: string;
  path: string;
  /** Arguments after the path: middleware then the handler. */
  handlers: Node[];
}

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all']);
/** Receivers that are HTTP clients or test agents, never routers. */
const CLIENTS =
  /^(?:\$|jQuery|axios|ky|got|superagent|request|http|this\.http|this\.httpClient|httpClient|api|client|fetch|agent|supertest|nock|msw|rest|cy)$/;
const CLIENT_MODULES = new Set([
  'axios',
  'ky',
  'got',
  'superagent',
  'supertest',
  'node-fetch',
  'undici',
  'msw',
  'nock',
  '@angular/common/http',
]);
const ROUTER_NAME = /^(?:app|router|\w*[Rr]outer|routes|fastify|server|instance|api[A-Z]\w*|v\d)$/;
const SERVER_MODULES = [
  'express',
  'koa',
  '@koa/router',
  'koa-router',
  'fastify',
  'restify',
  'express-promise-router',
  'polka',
  'hono',
];

/** Route registrations of Express, Koa routers and Fastify shorthand methods in a module. */
export function routesIn(m: CodeModule): Route[] {
  const serverModule = m.imports(...SERVER_MODULES);
  const routes: Route[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    if (!ROUTE_METHODS.has(callee.name) || callee.path.length < 2 || !call.args.length) continue;
    if (callee.module && CLIENT_MODULES.has(callee.module)) continue;
    const receiver = callee.path.slice(0, -1).join('.');
    if (CLIENTS.test(receiver)) continue;
    // router.route('/x').post(…).get(…): each method's arguments are all handlers, one is enough.
    const chained = routeChainPath(m, call.node);
    if (chained !== undefined) {
      routes.push({ node: call.node, method: callee.name, path: chained, handlers: call.args });
      continue;
    }
    if (call.args.length < 2) continue;
    const path = m.stringValue(call.args[0]!);
    if (path === undefined || (!path.startsWith('/') && path !== '*')) continue;
    const last = unwrap(call.args.at(-1)!);
    const handlerLike =
      last.type === 'ArrowFunctionExpression' ||
      last.type === 'FunctionExpression' ||
      last.type === 'Identifier' ||
      last.type === 'MemberExpression' ||
      last.type === 'CallExpression' ||
      last.type === 'ArrayExpression';
    if (!handlerLike || !(serverModule || ROUTER_NAME.test(callee.path[0]!))) continue;
    routes.push({ node: call.node, method: callee.name, path, handlers: call.args.slice(1) });
  }
  return routes;
}

/** The path of `router.route('/x')` under a method call chained on it (`.post(h)`, `.post(h).get(h2)`). */
function routeChainPath(m: CodeModule, call: Node): string | undefined {
  let inner = unwrap(unwrap(call.callee).object);
  while (inner.type === 'CallExpression' && unwrap(inner.callee).type === 'MemberExpression') {
    const method = propertyName(unwrap(inner.callee));
    if (method === 'route') return inner.arguments[0] ? m.stringValue(inner.arguments[0]) : undefined;
    if (!method || !ROUTE_METHODS.has(method)) return undefined;
    inner = unwrap(unwrap(inner.callee).object);
  }
  return undefined;
}

/** The function that handles a route: its last argument when that is a function (Fastify: also `{ handler }` options). */
export function handlerFunction(m: CodeModule, route: Route): Node | undefined {
  const last = route.handlers.at(-1);
  if (!last) return undefined;
  const n = unwrap(last);
  if (n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression') return n;
  return m.localFunction(n) ?? undefined;
}

/** NestJS route methods: `@Post('login')` in a `@Controller('auth')` class. */
export interface NestRoute {
  method: Node;
  cls: Node;
  verb: string;
  path: string;
  decorator: Node;
}

const NEST_VERBS = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete', 'All']);

export function decoratorName(m: CodeModule, d: Node): string {
  const e = unwrap(d.expression);
  return e.type === 'CallExpression' ? m.callee(e.callee).name : e.type === 'Identifier' ? e.name : '';
}

export function nestRoutesIn(m: CodeModule): NestRoute[] {
  const routes: NestRoute[] = [];
  for (const cls of [...m.nodes('ClassDeclaration'), ...m.nodes('ClassExpression')]) {
    const controller = (cls.decorators ?? []).find((d: Node) => decoratorName(m, d) === 'Controller');
    if (!controller) continue;
    const prefixArg = unwrap(controller.expression).arguments?.[0];
    const prefix = prefixArg
      ? (m.stringValue(prefixArg) ?? m.stringValue(m.property(prefixArg, 'path') ?? prefixArg) ?? '')
      : '';
    for (const member of cls.body.body as Node[]) {
      if (member.type !== 'MethodDefinition') continue;
      for (const d of member.decorators ?? []) {
        const verb = decoratorName(m, d);
        if (!NEST_VERBS.has(verb)) continue;
        const arg = unwrap(d.expression).arguments?.[0];
        const sub = arg ? (m.stringValue(arg) ?? '') : '';
        routes.push({
          method: member,
          cls,
          verb: verb.toLowerCase(),
          path: `/${prefix}/${sub}`.replace(/\/+/g, '/'),
          decorator: d,
        });
      }
    }
  }
  return routes;
}
