/**
 * One parsed module and everything atoms ask of it: nodes by type, parents,
 * bindings, who a call calls (through imports, requires and aliases), object
 * literal properties, constant values, and data flow from request sources to
 * sinks (`taint.ts`). Built once per file, shared by every code atom.
 */
import type { Hit } from '../kit/hit.js';
import { lineStarts, positionAt } from '../changeset/text.js';
import { isFunction, isLocalModule, keyName, propertyName, stringLiteral, unwrap, type Node } from './nodes.js';
import { analyseScopes, normaliseModule, type Binding, type ScopeInfo } from './scope.js';
import type { DataFlow, Taint, TaintKind } from './taint/model.js';

export type { Node } from './nodes.js';
export type { Binding, Def } from './scope.js';
export type { Taint, TaintKind } from './taint/model.js';

/** Who a call calls, as far as the module tells. */
export interface Callee {
  /** The module the root name was imported or required from (`child_process`, `fs/promises`), `node:` dropped. */
  module?: string;
  /**
   * Member chain after the module (for imports) or from the root name: `['exec']` for
   * `cp.exec` with `cp = require('child_process')`, `['db', 'query']` for a local `db`,
   * `['this', 'repo', 'find']`. A call inside the chain ends its segment with `()`:
   * `db.collection('u').find` → `['db', 'collection()', 'find']`; an unknown part is `?`.
   */
  path: string[];
  /** The last segment: the function or method name. */
  name: string;
  /**
   * For a root imported whole from a local module (`import db from './db'`, `const pool = require('./pool')`):
   * how (`default` or `*`). Its path then starts with the local name, so that `pool.query` keeps its receiver.
   */
  imported?: 'default' | '*';
}

/** A function of another module: its module and its node there. */
export interface ImportedFunction {
  module: CodeModule;
  fn: Node;
}

export interface CallInfo {
  node: Node;
  callee: Callee;
  args: Node[];
  isNew: boolean;
}

const GLOBAL_ROOTS = new Set(['window', 'globalThis', 'self', 'global']);
/** Node built-ins used without an import in this module (a REPL habit, or an import elsewhere): taken as the module. */
const BUILTIN_NAMES = new Set([
  'path',
  'fs',
  'url',
  'querystring',
  'util',
  'os',
  'http',
  'https',
  'vm',
  'crypto',
  'child_process',
]);

export class CodeModule {
  readonly ok = true;
  private readonly scope: ScopeInfo;
  private starts: number[] | undefined;
  private callList: CallInfo[] | undefined;
  private flowEngine: DataFlow | undefined;
  private readonly callees = new Map<Node, Callee>();
  /** `localFunction`'s answers, by callee node; `callSitesOf`'s, by function (made once, from every call). */
  private readonly locals = new Map<Node, Node | undefined>();
  private sites: Map<Node, CallInfo[]> | undefined;
  private readonly puts = new Map<Binding, readonly Node[]>();
  /** The object each `Object.assign(…)` call builds, made once so that it keeps one identity. */
  private readonly assigned = new Map<Node, Node>();
  /**
   * Calls to functions of local modules whose answer an analysis needed (their return value, or whether they
   * guard): what `withImports` should be given. Shared by the module's views (they inherit this set).
   */
  readonly askedImports = new Set<Node>();
  /** Functions of other modules that calls of this one call, where an atom looked them up (see `withImports`). */
  private imported: ReadonlyMap<Node, ImportedFunction | undefined> | undefined;
  /** What callers in other modules pass to functions of this one, by function and parameter index (see `withArguments`). */
  private passed: ReadonlyMap<Node, ReadonlyArray<Taint[] | undefined>> | undefined;
  /** The line the parser rejected and the file was parsed without (parse.ts, withoutBadLine), and why. */
  skipped?: { line: number; reason: string };

  constructor(
    readonly path: string,
    readonly text: string,
    readonly program: Node,
    readonly comments: ReadonlyArray<{ value: string; start: number; end: number }>,
    /** Directives at the top of the module (`'use server'`, `'use strict'`). */
    readonly directives: readonly string[],
    readonly visitorKeys: Record<string, string[]>,
    /** Builds the module's data flow on first use (src/ast/taint/propagation.ts, wired by parse.ts). */
    private readonly dataFlow: (module: CodeModule) => DataFlow,
  ) {
    this.scope = analyseScopes(program, visitorKeys);
  }

  /** How many levels deep the syntax tree goes. */
  get depth(): number {
    return this.scope.depth;
  }

  /**
   * The binding holds one value: it is defined once, or each time by the same `require` (`var exe =
   * require('child_process')` repeated further down a long script).
   */
  private oneValue(b: Binding): boolean {
    if (b.defs.length === 1) return true;
    const first = b.defs[0];
    if (!first?.value || first.path.length || this.requiredModule(unwrap(first.value)) === undefined) return false;
    const text = this.source(first.value);
    return b.defs.every((d) => d.value && !d.path.length && this.source(d.value) === text);
  }

  // ── Nodes ────────────────────────────────────────────────────────────

  /** Every node of an ESTree type, in source order. */
  nodes(type: string): readonly Node[] {
    return this.scope.byType.get(type) ?? [];
  }

  parent(node: Node): Node | undefined {
    return this.scope.parents.get(node);
  }

  /** Parents from the nearest outwards. */
  *ancestors(node: Node): Generator<Node> {
    for (let p = this.parent(node); p; p = this.parent(p)) yield p;
  }

  /** The innermost function around a node, or undefined at module level. */
  enclosingFunction(node: Node): Node | undefined {
    for (const a of this.ancestors(node)) if (isFunction(a)) return a;
    return undefined;
  }

  source(node: Node): string {
    return this.text.slice(node.start, node.end);
  }

  position(offset: number): { line: number; column: number } {
    return positionAt((this.starts ??= lineStarts(this.text)), offset);
  }

  line(node: Node): number {
    return this.position(node.start).line;
  }

  /** A hit spanning a node, with the lines a flow passed through. */
  hit(rule: string, node: Node, extra: Pick<Hit, 'messageId' | 'data' | 'flow'> = {}): Hit {
    // A method call is placed at its method name, not at the start of a long chain.
    const callee = (node.type === 'CallExpression' || node.type === 'NewExpression') && unwrap(node.callee);
    const from = callee && callee.type === 'MemberExpression' ? callee.property.start : node.start;
    const start = this.position(from);
    const end = this.position(node.end);
    const flow = extra.flow?.filter((l) => l < start.line || l > end.line);
    return {
      rule,
      ...start,
      ...(end.line !== start.line ? { endLine: end.line } : {}),
      ...(extra.messageId ? { messageId: extra.messageId, data: extra.data ?? {} } : {}),
      ...(flow?.length ? { flow: [...new Set(flow)].sort((a, b) => a - b) } : {}),
    };
  }

  /**
   * A hit for tainted data reaching a sink, with message `reaches` (or
   * `reachesThrough`) of FLOW_MESSAGES, which a rule using it declares. When
   * the data entered through a helper's parameter, the hit is on the outermost
   * call site (that is where the request meets the helper), and names the sink.
   */
  flowHit(rule: string, sink: Node, t: Taint, what: string, extraLines: number[] = []): Hit {
    const sinkLine = this.line(sink);
    const data = { source: t.label, line: t.lines[0]!, sink: what };
    if (t.via.length) {
      const site = t.via[0]!;
      return this.hit(rule, site, {
        messageId: 'reachesThrough',
        data: { ...data, sinkLine, helper: this.callee(site.callee).name },
        flow: [...t.lines, sinkLine, ...extraLines],
      });
    }
    return this.hit(rule, sink, { messageId: 'reaches', data, flow: [...t.lines, ...extraLines] });
  }

  // ── Names ────────────────────────────────────────────────────────────

  /** The binding an identifier refers to (or declares), if it is declared in this module. */
  binding(id: Node): Binding | undefined {
    return id.type === 'Identifier' ? this.scope.refs.get(id) : undefined;
  }

  /** References to a binding, in source order. */
  uses(binding: Binding): readonly Node[] {
    return this.scope.uses.get(binding) ?? [];
  }

  /**
   * What the code puts into the array `binding` holds: `rows.push(v)`, `rows.unshift(v)`, `rows[i] = v`. The
   * array then carries it (`rows.join('')`, `rows[0]`), as an array literal holding `v` would.
   */
  putInto(binding: Binding): readonly Node[] {
    const known = this.puts.get(binding);
    if (known) return known;
    const put = [...(binding.props.get('*') ?? [])];
    for (const use of this.uses(binding)) {
      const member = this.parent(use);
      if (member?.type !== 'MemberExpression' || member.object !== use) continue;
      if (!/^(?:push|unshift)$/.test(propertyName(member) ?? '')) continue;
      const call = this.parent(member);
      if (call?.type === 'CallExpression' && call.callee === member) put.push(...call.arguments);
    }
    this.puts.set(binding, put);
    return put;
  }

  /** True when the value `binding` names is passed as argument `index` of a call whose function name matches `callee`. */
  passedTo(binding: Binding | undefined, index: number, callee: RegExp): boolean {
    if (!binding) return false;
    return this.uses(binding).some((use) => {
      const call = this.parent(use);
      return (
        call?.type === 'CallExpression' && call.arguments[index] === use && callee.test(this.callee(call.callee).name)
      );
    });
  }

  /** A module-level binding by name (what `import`, `require` or a top-level declaration made). */
  topLevel(name: string): Binding | undefined {
    return this.scope.module.bindings.get(name);
  }

  /** True when the module imports or requires any of these modules (`node:` ignored; `fs` also matches `fs/promises`). */
  imports(...modules: string[]): boolean {
    const want = (m: string) => modules.some((x) => m === x || m.startsWith(x + '/'));
    for (const d of this.nodes('ImportDeclaration')) if (want(normaliseModule(d.source.value))) return true;
    for (const c of this.nodes('CallExpression')) {
      const m = this.requiredModule(c);
      if (m && want(m)) return true;
    }
    return false;
  }

  /** `require('x')` or `import('x')` → `x`. */
  requiredModule(node: Node): string | undefined {
    const n = unwrap(node.type === 'AwaitExpression' ? node.argument : node);
    if (n.type === 'ImportExpression')
      return stringLiteral(n.source) !== undefined ? normaliseModule(stringLiteral(n.source)!) : undefined;
    if (
      n.type !== 'CallExpression' ||
      n.callee.type !== 'Identifier' ||
      n.callee.name !== 'require' ||
      this.binding(n.callee)
    )
      return undefined;
    const s = stringLiteral(n.arguments[0]);
    return s === undefined ? undefined : normaliseModule(s);
  }

  // ── Calls ────────────────────────────────────────────────────────────

  /** Every call and `new` in the module with its resolved callee. */
  calls(): readonly CallInfo[] {
    if (!this.callList) {
      const list: CallInfo[] = [];
      for (const type of ['CallExpression', 'NewExpression']) {
        for (const node of this.nodes(type))
          list.push({ node, callee: this.callee(node.callee), args: node.arguments, isNew: type === 'NewExpression' });
      }
      this.callList = list.sort((a, b) => a.node.start - b.node.start);
    }
    return this.callList;
  }

  /** Calls whose callee is `module` + one of `names` (e.g. `child_process`, `['exec', 'execSync']`), however imported. */
  callsTo(module: string, names: readonly string[]): CallInfo[] {
    return this.calls().filter(
      (c) =>
        c.callee.module !== undefined &&
        (c.callee.module === module || c.callee.module === `${module}/promises`) &&
        c.callee.path.length > 0 &&
        names.includes(c.callee.path.join('.')),
    );
  }

  /** Resolves an expression used as a callee (or any member chain) to its module and path. */
  callee(expr: Node, depth = 0): Callee {
    let c = this.callees.get(expr);
    if (!c) this.callees.set(expr, (c = this.resolveCallee(expr, depth)));
    return c;
  }

  private resolveCallee(expr: Node, depth: number): Callee {
    const segments: string[] = [];
    let n = unwrap(expr);
    for (;;) {
      if (n.type === 'MemberExpression') {
        segments.unshift(propertyName(n) ?? '?');
        n = unwrap(n.object);
      } else if (n.type === 'CallExpression' && segments.length > 0) {
        const inner = unwrap(n.callee);
        if (this.requiredModule(n)) break;
        segments.unshift('()');
        n = inner;
      } else break;
    }
    // Fold `x()` markers into the preceding segment: ['db', 'collection', '()', 'find'] → ['db', 'collection()', 'find'].
    const path: string[] = [];
    for (const s of segments) {
      if (s === '()' && path.length) path[path.length - 1] += '()';
      else if (s === '()') path.push('?()');
      else path.push(s);
    }
    // Built without spreads (every call of every file comes here): the same keys, in the same order.
    const done = (module: string | undefined, p: string[], imported?: Callee['imported']): Callee => {
      let name = p.at(-1) ?? module?.split('/').at(-1) ?? '?';
      if (name.endsWith('()')) name = name.slice(0, -2);
      if (module === undefined) return imported ? { path: p, name, imported } : { path: p, name };
      return imported ? { module, path: p, name, imported } : { module, path: p, name };
    };

    const required = this.requiredModule(n);
    if (required) return done(required, path);
    if (n.type === 'ThisExpression') return done(undefined, ['this', ...path]);
    if (n.type === 'Super') return done(undefined, ['super', ...path]);
    if (n.type !== 'Identifier') return done(undefined, ['?', ...path]);
    const b = this.binding(n);
    if (!b) {
      if (GLOBAL_ROOTS.has(n.name) && path.length) return done(undefined, path);
      if (BUILTIN_NAMES.has(n.name) && path.length) return done(n.name, path);
      return done(undefined, [n.name, ...path]);
    }
    if (b.import) {
      const whole = b.import.name === 'default' || b.import.name === '*';
      if (whole && isLocalModule(b.import.module))
        return done(b.import.module, [n.name, ...path], b.import.name as Callee['imported']);
      return done(b.import.module, whole ? path : [b.import.name, ...path]);
    }
    // A const alias of a module or of a member: `const cp = require('cp')`, `const { exec } = require('cp')`, `const run = util.promisify(cp.exec)`.
    if (depth < 4 && this.oneValue(b) && (b.kind === 'const' || b.kind === 'var' || b.kind === 'let')) {
      const def = b.defs[0]!;
      let value = def.value ? unwrap(def.value) : null;
      if (value?.type === 'AwaitExpression') value = unwrap(value.argument);
      if (
        value &&
        value.type === 'CallExpression' &&
        /^(?:util\.)?promisify$/.test(this.callee(value.callee, depth + 1).path.join('.')) &&
        value.arguments[0]
      )
        value = unwrap(value.arguments[0]);
      if (value && def.path.every((s) => typeof s === 'string' && s !== '...' && s !== '*')) {
        const base =
          this.requiredModule(value) !== undefined || value.type === 'MemberExpression' || value.type === 'Identifier'
            ? this.callee(value, depth + 1)
            : null;
        if (base && (base.module !== undefined || value.type !== 'Identifier' || this.binding(value)?.import)) {
          // `const pool = require('./pool')`: a local module keeps its local name, as an import does.
          if (base.module !== undefined && isLocalModule(base.module) && !base.path.length && !def.path.length)
            return done(base.module, [n.name, ...path], 'default');
          return done(base.module, [...base.path, ...(def.path as string[]), ...path], base.imported);
        }
      }
    }
    return done(undefined, [n.name, ...path]);
  }

  /** The function a callee refers to when it is declared in this module (`function f`, `const f = () => …`, `const o = { m() {} }; o.m`). */
  localFunction(calleeExpr: Node): Node | undefined {
    // Asked again and again of the same callees (every call site, for every parameter a flow reaches): found once.
    if (this.locals.has(calleeExpr)) return this.locals.get(calleeExpr);
    const fn = this.findLocalFunction(calleeExpr);
    this.locals.set(calleeExpr, fn);
    return fn;
  }

  private findLocalFunction(calleeExpr: Node): Node | undefined {
    const n = unwrap(calleeExpr);
    if (n.type === 'Identifier') {
      const b = this.binding(n);
      if (!b || b.kind === 'import' || b.kind === 'param') return undefined;
      if (b.defs.length !== 1) return undefined;
      const v = b.defs[0]!.value;
      return v && b.defs[0]!.path.length === 0 && isFunction(unwrap(v)) ? unwrap(v) : undefined;
    }
    if (n.type === 'MemberExpression') {
      const name = propertyName(n);
      const obj = unwrap(n.object);
      if (!name) return undefined;
      if (obj.type === 'ThisExpression') {
        // A method of the enclosing class.
        for (const a of this.ancestors(n)) {
          if (a.type === 'ClassBody') {
            const m = a.body.find(
              (e: Node) => (e.type === 'MethodDefinition' || e.type === 'PropertyDefinition') && keyName(e) === name,
            );
            const v = m?.value && unwrap(m.value);
            return v && isFunction(v) ? v : undefined;
          }
        }
        return undefined;
      }
      const literal = this.objectLiteral(obj);
      const v = literal && this.property(literal, name);
      if (v) return isFunction(unwrap(v)) ? unwrap(v) : undefined;
      return this.ownExport(n);
    }
    return undefined;
  }

  /** `module.exports.get(…)` / `exports.get(…)`: the one function this module assigns there. */
  private ownExport(member: Node): Node | undefined {
    const target = this.source(member).replace(/\s+/g, '');
    if (!/^(?:module\.)?exports\.[\w$]+$/.test(target)) return undefined;
    const found = this.nodes('AssignmentExpression').filter(
      (a) => a.operator === '=' && this.source(a.left).replace(/\s+/g, '') === target,
    );
    const fn = found.length === 1 ? unwrap(found[0]!.right) : undefined;
    return fn && isFunction(fn) ? fn : undefined;
  }

  /** Call sites in this module of a locally declared function. */
  callSitesOf(fn: Node): CallInfo[] {
    if (!this.sites) {
      // Kept only once complete: a check stopped by its budget half-way must not leave a partial index behind.
      const sites = new Map<Node, CallInfo[]>();
      for (const c of this.calls()) {
        const local = this.localFunction(c.node.callee);
        if (!local) continue;
        const list = sites.get(local);
        if (list) list.push(c);
        else sites.set(local, [c]);
      }
      this.sites = sites;
    }
    return [...(this.sites.get(fn) ?? [])];
  }

  // ── Values ───────────────────────────────────────────────────────────

  /**
   * The object literal an expression is or is bound to (through `const` identifiers), if any.
   * `Object.assign({}, DEFAULTS, { … })` whose parts are all object literals (or bound to them) is read as the
   * literal it builds, `{ ...{}, ...DEFAULTS, … }`: each argument a spread, the later winning, as at run time.
   */
  objectLiteral(expr: Node | null | undefined): Node | undefined {
    if (!expr) return undefined;
    const n = unwrap(expr);
    if (n.type === 'ObjectExpression') return n;
    if (
      n.type === 'CallExpression' &&
      n.arguments.length >= 2 &&
      this.source(n.callee) === 'Object.assign' &&
      // Only when every part is written here: a part from elsewhere may set anything, so the whole is unknown.
      n.arguments.every((a: Node) => a.type !== 'SpreadElement' && this.objectLiteral(a))
    ) {
      let built = this.assigned.get(n);
      if (!built) {
        const properties = n.arguments.map((a: Node) => ({
          type: 'SpreadElement',
          argument: a,
          start: a.start,
          end: a.end,
        }));
        built = { type: 'ObjectExpression', properties, start: n.start, end: n.end } as Node;
        this.assigned.set(n, built);
      }
      return built;
    }
    if (n.type === 'Identifier') {
      const b = this.binding(n);
      const def = b?.defs.length === 1 ? b.defs[0] : undefined;
      if (def?.value && def.path.length === 0 && def.kind === 'init') return this.objectLiteral(def.value);
    }
    return undefined;
  }

  /** The value of a property of an object literal (or of an identifier bound to one); the last one wins, as at run time. */
  property(obj: Node | null | undefined, name: string): Node | undefined {
    const literal = this.objectLiteral(obj);
    if (!literal) return undefined;
    let found: Node | undefined;
    for (const p of literal.properties) {
      if (p.type === 'Property' && keyName(p) === name) found = p.kind === 'init' ? p.value : undefined;
      else if (p.type === 'SpreadElement') {
        const inner = this.property(p.argument, name);
        if (inner) found = inner;
      }
    }
    return found;
  }

  /** True when an object literal (or the identifier bound to one) has a property of that name. */
  hasProperty(obj: Node | null | undefined, name: string): boolean {
    return this.property(obj, name) !== undefined;
  }

  // ── Data flow (taint/) ───────────────────────────────────────────────

  /**
   * This module as a caller in another module sees it: the parameters of `fn` hold the taints
   * of the arguments passed (by index), so that an atom's analysis of it says what the helper does
   * with that data. Shares the parse, scopes and callees; only the data flow is its own.
   */
  withArguments(fn: Node, args: ReadonlyArray<Taint[] | undefined>): CodeModule {
    const view = Object.create(this) as CodeModule;
    Object.assign(view, { passed: new Map([[fn, args]]), flowEngine: undefined });
    return view;
  }

  /**
   * This module with the functions of other modules some of its calls call (by call node): guards
   * then judge an imported helper by its code, not only by its name. Only the data flow is its own.
   */
  withImports(functions: ReadonlyMap<Node, ImportedFunction | undefined>): CodeModule {
    const view = Object.create(this) as CodeModule;
    Object.assign(view, { imported: functions, flowEngine: undefined });
    return view;
  }

  /**
   * The function of another module this call calls, when it was looked up (`withImports`); otherwise the
   * call is noted in `askedImports` when it calls a local module's function (looked up for the next pass).
   */
  importedFunction(call: Node): ImportedFunction | undefined {
    const found = this.imported?.get(call);
    if (!found && !this.imported?.has(call)) {
      const { module, path } = this.callee(call.callee);
      // A function of a local module, or a method of an injected service (`this.usersService.find`, see kit/summaries.ts).
      if (
        (module !== undefined && isLocalModule(module)) ||
        (module === undefined && path.length === 3 && path[0] === 'this')
      )
        this.askedImports.add(call);
    }
    return found;
  }

  /** The taints a caller in another module passes to parameter `index` of `fn`, if this is such a view. */
  argumentsPassed(fn: Node, index: number): Taint[] | undefined {
    return this.passed?.get(fn)?.[index];
  }

  get flow(): DataFlow {
    return (this.flowEngine ??= this.dataFlow(this));
  }

  /** Where an expression's value may come from a request (or argv, an upload name, the page URL): the sources found, nearest first. */
  taints(expr: Node, kinds: readonly TaintKind[] = ['request', 'upload']): Taint[] {
    return this.flow.taints(expr).filter((t) => kinds.includes(t.kind));
  }

  /** The expression itself is a request source (`req.body.x`, `ctx.query`, `await request.json()`, an `@Body()` parameter). */
  isRequestSource(expr: Node): boolean {
    return this.flow.source(expr) !== null;
  }

  /** True when the value never depends on input: literals, constants, configuration (`process.env`, `__dirname`), or one of a fixed set. */
  isConstant(expr: Node): boolean {
    return this.flow.isConstant(expr);
  }

  /** A number or boolean (arithmetic, comparisons, parseInt, .length, a parameter typed number). */
  isScalar(expr: Node): boolean {
    return this.flow.isScalar(expr);
  }

  /** A call that escapes, sanitises, validates or reduces its input to a number. */
  isSanitiserCall(expr: Node): boolean {
    return this.flow.isSanitiserCall(expr);
  }

  /** The string an expression folds to, when it does. */
  stringValue(expr: Node): string | undefined {
    return this.flow.stringValue(expr);
  }

  /**
   * When the expression (or the value an identifier holds) is text built by a template or `+`:
   * the parts that are neither constant, numeric, nor escaped. Empty when it is not built here,
   * or built only of safe parts.
   */
  dynamicParts(expr: Node): Node[] {
    return this.flow.dynamicParts(expr);
  }

  /** The constant text of a built string with dynamic parts replaced by `${…}`, for judging what the text is (SQL, a shell line, a URL). */
  shape(expr: Node): string | undefined {
    return this.flow.shape(expr);
  }
}
