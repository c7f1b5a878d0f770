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
import { isFunction, propertyName, stringLiteral, unwrap, type Node } from '../nodes.js';
import type { CodeModule } from '../module.js';
import type { Binding, Def, PathStep } from '../scope.js';
import { Constants } from './constants.js';
import { Guards } from './guards.js';
import {
  addLine,
  MAX_DEPTH,
  member,
  stringy,
  structured,
  taint,
  union,
  type DataFlow,
  type Flavour,
  type Env,
  type Links,
  type Strength,
  type Taint,
  type Target,
} from './model.js';
import {
  EXPRESS_PROPS,
  exportedName,
  HTTP_HANDLER_EXPORTS,
  isResolver,
  isServerAction,
  KOA_PROPS,
  LAMBDA_PROPS,
  NEST_DECORATORS,
  requestFlavour,
  sourceOf,
} from './sources.js';

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

/** The data flow of one module: propagation here; guards and sanitisers, constant evaluation and request sources in their modules. */
export class Flow implements Links, DataFlow {
  private readonly memo = new Map<Node, Taint[]>();
  /** Counts evaluations cut short by the depth limit (see `shallow`). */
  private cutoffs = 0;
  /**
   * Results that depended on a cut-off, with the depth they were reached at. They answer a visit as deep or
   * deeper (it would be cut as short), not a nearer one: the same node reached from nearer its source (another
   * call site of a recursive helper) may be tainted. So each node is evaluated again only when reached nearer,
   * at most MAX_DEPTH times, instead of at every visit (which made `--all` 30 % slower).
   */
  private readonly shallow = new Map<Node, { depth: number; result: Taint[] }>();
  readonly active = new Set<Node>();
  private readonly guards: Guards;
  private readonly constants: Constants;

  constructor(private readonly m: CodeModule) {
    this.guards = new Guards(m, this);
    this.constants = new Constants(m, this);
  }

  taints(expr: Node): Taint[] {
    return this.eval(expr, undefined, 0);
  }

  private eval(expr: Node, env: Env | undefined, depth: number): Taint[] {
    const n = unwrap(expr);
    if (!env) {
      const cached = this.memo.get(n);
      if (cached) return cached;
      const cut = this.shallow.get(n);
      if (cut && cut.depth <= depth) {
        this.cutoffs++; // what uses it depends on a cut-off too
        return cut.result;
      }
    }
    if (this.active.has(n)) return [];
    if (depth > MAX_DEPTH) return this.cutOff();
    const cutoffsBefore = this.cutoffs;
    this.active.add(n);
    let result: Taint[];
    try {
      result = this.evalNode(n, env, depth);
    } finally {
      this.active.delete(n);
    }
    if (result.length > 4) result = result.slice(0, 4);
    if (!env) {
      if (this.cutoffs === cutoffsBefore) this.memo.set(n, result);
      else this.shallow.set(n, { depth, result });
    }
    return result;
  }

  private cutOff(): Taint[] {
    this.cutoffs++;
    return [];
  }

  private evalNode(n: Node, env: Env | undefined, depth: number): Taint[] {
    const result = this.evalUnguarded(n, env, depth);
    if (result.length && n.type === 'MemberExpression') {
      // A guard on the member chain itself: `if (!ALLOWED.includes(req.query.to)) return; … req.query.to`.
      const target = this.guards.chainTarget(n);
      if (target && this.guards.guardAt(n, target) === 'safe') return [];
    }
    return result;
  }

  private evalUnguarded(n: Node, env: Env | undefined, depth: number): Taint[] {
    const src = sourceOf(this.m, n);
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
          if (a[0] && this.constants.isConstant(a[0])) return [];
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
      for (const def of this.guards.reachingDefs(b, id))
        parts.push(this.evalDef(b, def, env, depth).map((t) => addLine(t, this.m.line(def.node))));
      for (const put of this.m.putInto(b))
        parts.push(this.eval(put, env, depth + 1).map((t) => addLine(structured(t), this.m.line(put))));
      result = union(parts);
    }
    if (!result.length) return result;
    const guard = this.guards.guardAt(id, b);
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
      const flavour = v.type === 'Identifier' ? requestFlavour(this.m, v) : null;
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
  /** `server.on(name, handler)` where `server` holds `xmlrpc.createServer(…)` (or createSecureServer). */
  private xmlRpcServer(call: Node): boolean {
    const callee = unwrap(call.callee);
    if (callee.type !== 'MemberExpression' || propertyName(callee) !== 'on') return false;
    const receiver = unwrap(callee.object);
    const b = receiver.type === 'Identifier' ? this.m.binding(receiver) : undefined;
    const value = b?.defs.length === 1 ? b.defs[0]!.value : undefined;
    const made = value && unwrap(value).type === 'CallExpression' ? this.m.callee(unwrap(value).callee) : undefined;
    return made?.module === 'xmlrpc' && /^create(?:Secure)?Server$/.test(made.name);
  }

  private paramTaints(b: Binding, def: Def, depth: number): Taint[] {
    const fn = def.fn!;
    const param = def.param!;
    const index = def.index!;
    const label = this.m.source(param).slice(0, 60);
    // A call from another module (CodeModule.withArguments): what it passes.
    const passed = this.m.argumentsPassed(fn, index);
    if (passed) {
      const step = def.path[0];
      return passed.map((t) => (typeof step === 'string' && step !== '...' && step !== '*' ? member(t, step) : t));
    }
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
    const exported = exportedName(this.m, fn);
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
    if (exported && isServerAction(this.m, fn)) return [taint('request', label, param, true, this.m.line(param))];
    // Busboy-style upload callbacks: `.on('file', (name, stream, info) => …)`.
    if (
      parent?.type === 'CallExpression' &&
      this.m.callee(parent.callee).name === 'on' &&
      stringLiteral(parent.arguments[0]) === 'file' &&
      index !== 1
    ) {
      return [taint('upload', label, param, false, this.m.line(param))];
    }
    // A GraphQL resolver's arguments taken apart in its parameter list: `(parent, { filePath }) => …` (as text).
    if (index === 1 && def.path.length && isResolver(this.m, fn))
      return [taint('request', `args.${def.path.join('.')}`, param, false, this.m.line(param))];
    // An XML-RPC method handler: `server.on('ns.method', (err, params, callback) => …)` on an xmlrpc server.
    if (index === 1 && parent?.type === 'CallExpression' && parent.arguments[1] === fn && this.xmlRpcServer(parent))
      return [taint('request', label, param, true, this.m.line(param))];
    // Array callbacks: `tainted.forEach(k => …)`, `Object.keys(tainted).map(k => …)`.
    if (parent?.type === 'CallExpression' && parent.callee.type === 'MemberExpression' && parent.arguments[0] === fn) {
      const method = propertyName(parent.callee);
      const elementIndex = method === 'reduce' ? 1 : method !== null && ELEMENT_CALLBACKS.has(method) ? 0 : -1;
      if (index === elementIndex) return this.eval(parent.callee.object, undefined, depth + 1);
      if (elementIndex >= 0) return [];
    }
    // A helper of this module: what its callers pass.
    if (depth > MAX_DEPTH - 2) return this.cutOff();
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

  private evalCall(n: Node, env: Env | undefined, depth: number): Taint[] {
    const ev = (x: Node | null | undefined) => (x ? this.eval(x, env, depth + 1) : []);
    const callee = this.m.callee(n.callee);
    const name = callee.name;
    const dotted = callee.path.join('.');
    const a = n.arguments as Node[];
    if (this.guards.isSanitiserCall(n)) return [];
    // A helper of another module the atom looked up (src/kit/summaries.ts): what it returns of its arguments or of the request.
    const imported = this.m.importedFunction(n);
    if (imported) {
      if (depth > MAX_DEPTH - 2) return this.cutOff();
      const passed = a.map((x) => (x.type === 'SpreadElement' ? undefined : this.eval(x, env, depth + 1)));
      const view = imported.module.withArguments(
        imported.fn,
        passed.map((ts) => (ts?.length ? ts : undefined)),
      );
      const line = this.m.line(n);
      return union(returnedExpressions(imported.fn).map((r) => view.flow.taints(r))).map((t) => {
        const given = passed.flat().find((p) => p?.node === t.node);
        return { ...t, node: given?.node ?? n, lines: [...(given?.lines ?? []), line], via: [] };
      });
    }
    // A helper of this module: its return values, with its parameters bound to these arguments.
    const fn = this.m.localFunction(n.callee);
    if (fn) {
      if (depth > MAX_DEPTH - 2) return this.cutOff();
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

  // ── What the module and the other parts ask ──────────────────────────

  source(expr: Node): Taint | null {
    return sourceOf(this.m, expr);
  }
  requestFlavour(id: Node): Flavour | null {
    return requestFlavour(this.m, id);
  }
  isSanitiserCall(call: Node): boolean {
    return this.guards.isSanitiserCall(call);
  }
  guardAt(use: Node, b: Target): Strength | null {
    return this.guards.guardAt(use, b);
  }
  reachingDefs(b: Binding, use: Node): Def[] {
    return this.guards.reachingDefs(b, use);
  }
  isConstant(expr: Node, depth = 0): boolean {
    return this.constants.isConstant(expr, depth);
  }
  isScalar(expr: Node): boolean {
    return this.constants.isScalar(expr);
  }
  stringValue(expr: Node): string | undefined {
    return this.constants.stringValue(expr);
  }
  dynamicParts(expr: Node): Node[] {
    return this.constants.dynamicParts(expr);
  }
  shape(expr: Node): string | undefined {
    return this.constants.shape(expr);
  }
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
