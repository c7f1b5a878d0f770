/**
 * Scopes and bindings of one module, in one walk: every name is declared in
 * its scope as it is met; references and writes (assignments, `+=`, property
 * writes, for-in/of) are resolved after the walk, when every scope is
 * complete, so hoisting and use-before-declaration resolve. The walk also
 * records each node's parent and indexes nodes by type. What data flow and
 * callee resolution need, no more.
 */
import { isTypeOnly, keyName, TYPE_FIELDS, type Node } from './nodes.js';

export type BindingKind = 'var' | 'let' | 'const' | 'param' | 'function' | 'class' | 'import' | 'catch';

/** One step into a destructured value: a property name, an array index, or the rest of an object/array. */
export type PathStep = string | number | '...';

/** A way a binding gets a value. */
export interface Def {
  kind: 'init' | 'assign' | 'compound' | 'for-in' | 'for-of' | 'param' | 'function' | 'import' | 'catch' | 'update';
  /** The expression whose value (at `path`) the binding takes; null when unknown (a parameter, a catch). */
  value: Node | null;
  path: PathStep[];
  /** The node that performs it (declarator, assignment, loop, function). */
  node: Node;
  /** For parameters: the function and the parameter's index. */
  fn?: Node;
  index?: number;
  /** The parameter node itself (decorators and type annotation live there). */
  param?: Node;
}

export interface Binding {
  name: string;
  kind: BindingKind;
  /** The declaring identifier. */
  id: Node;
  scope: Scope;
  defs: Def[];
  /** `b.x = v` writes, by property name (`*` for computed names). */
  props: Map<string, Node[]>;
  /** For imports: the module (without `node:`) and the imported name (`default`, `*` or a name). */
  import?: { module: string; name: string };
}

export interface Scope {
  node: Node;
  parent: Scope | null;
  /** True for function and module scopes (where `var` lands). */
  functional: boolean;
  bindings: Map<string, Binding>;
}

export interface ScopeInfo {
  module: Scope;
  /** Identifier node (reference or declaration) → its binding. */
  refs: Map<Node, Binding>;
  parents: Map<Node, Node>;
  byType: Map<string, Node[]>;
  /** Identifier references to each binding, in source order. */
  uses: Map<Binding, Node[]>;
  /** How many levels deep the tree goes (the program is 1). */
  depth: number;
}

const SCOPE_NODES = new Set([
  'BlockStatement',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'SwitchStatement',
  'CatchClause',
  'StaticBlock',
  'ClassBody',
]);

export const normaliseModule = (name: string) => name.replace(/^node:/, '');

/** Identifiers a pattern binds, with the path into the destructured value. */
export function patternNames(
  pattern: Node,
  path: PathStep[] = [],
  out: Array<{ id: Node; path: PathStep[]; defaultValue?: Node }> = [],
) {
  switch (pattern.type) {
    case 'Identifier':
      out.push({ id: pattern, path });
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties) {
        if (p.type === 'RestElement') patternNames(p.argument, [...path, '...'], out);
        else patternNames(p.value, [...path, keyName(p) ?? '*'], out);
      }
      break;
    case 'ArrayPattern':
      pattern.elements.forEach((e: Node | null, i: number) => {
        if (!e) return;
        if (e.type === 'RestElement') patternNames(e.argument, [...path, '...'], out);
        else patternNames(e, [...path, i], out);
      });
      break;
    case 'AssignmentPattern': {
      const before = out.length;
      patternNames(pattern.left, path, out);
      for (let i = before; i < out.length; i++) out[i]!.defaultValue ??= pattern.right;
      break;
    }
    case 'RestElement':
      patternNames(pattern.argument, [...path, '...'], out);
      break;
    case 'TSParameterProperty':
      patternNames(pattern.parameter, path, out);
      break;
  }
  return out;
}

/** Globals of the browser or Node whose assignment is not a new variable (`location = url` navigates). */
const HOST_GLOBALS = new Set([
  'window',
  'self',
  'global',
  'globalThis',
  'document',
  'location',
  'name',
  'status',
  'module',
  'exports',
  'require',
  'process',
  'undefined',
]);

/** The visitor keys of a node type without the type-only fields, once per key table and type (undefined: no keys known). */
const childFieldsOf = new WeakMap<Record<string, string[]>, Map<string, readonly string[] | undefined>>();
function childFields(keys: Record<string, string[]>, type: string): readonly string[] | undefined {
  let byType = childFieldsOf.get(keys);
  if (!byType) childFieldsOf.set(keys, (byType = new Map()));
  let fields = byType.get(type);
  if (fields === undefined && !byType.has(type)) {
    fields = keys[type]?.filter((f) => !TYPE_FIELDS.has(f));
    byType.set(type, fields);
  }
  return fields;
}

export function analyseScopes(program: Node, keys: Record<string, string[]>): ScopeInfo {
  const refs = new Map<Node, Binding>();
  const parents = new Map<Node, Node>();
  const byType = new Map<string, Node[]>();
  const uses = new Map<Binding, Node[]>();
  const moduleScope: Scope = { node: program, parent: null, functional: true, bindings: new Map() };
  // One walk: declarations go into their scopes as they are met; references and writes are
  // resolved after the walk, when every scope is complete (so hoisting and use-before-declaration work).
  const pendingRefs: Array<[Node, Scope]> = [];
  const pendingWrites: Array<[Node, Node | null, Def['kind'], Node, Scope]> = [];
  const pendingLoops: Array<[Node, Scope]> = [];

  const declare = (scope: Scope, id: Node, kind: BindingKind, def: Def | null, imp?: Binding['import']): Binding => {
    let b = scope.bindings.get(id.name);
    if (!b) {
      // No conditional spread (a binding per declared name of every file): the same keys, in the same order.
      b = imp
        ? { name: id.name, kind, id, scope, defs: [], props: new Map(), import: imp }
        : { name: id.name, kind, id, scope, defs: [], props: new Map() };
      scope.bindings.set(id.name, b);
    }
    if (def) b.defs.push(def);
    refs.set(id, b);
    return b;
  };
  const functionScope = (s: Scope) => {
    let f = s;
    while (!f.functional && f.parent) f = f.parent;
    return f;
  };
  const lookup = (scope: Scope | null, name: string): Binding | undefined => {
    for (let s = scope; s; s = s.parent) {
      const b = s.bindings.get(name);
      if (b) return b;
    }
    return undefined;
  };

  // Iterative (an explicit stack, children pushed in reverse so the order is the source's): a 10,000-term
  // concatenation is a tree 10,000 levels deep, and a recursive walk would overflow the call stack on it.
  let depth = 0;
  let level = 0;
  const stack: Array<{ node: Node; parent: Node | null; scope: Scope; level: number }> = [
    { node: program, parent: null, scope: moduleScope, level: 1 },
  ];
  const visit = (node: Node, parent: Node | null, scope: Scope): void => {
    if (parent) parents.set(node, parent);
    const list = byType.get(node.type);
    if (list) list.push(node);
    else byType.set(node.type, [node]);
    let inner = scope;
    const type = node.type;
    if (type === 'FunctionDeclaration' || type === 'FunctionExpression' || type === 'ArrowFunctionExpression') {
      inner = { node, parent: scope, functional: true, bindings: new Map() };
      if (type === 'FunctionDeclaration' && node.id)
        declare(scope, node.id, 'function', { kind: 'function', value: node, path: [], node });
      if (type === 'FunctionExpression' && node.id)
        declare(inner, node.id, 'function', { kind: 'function', value: node, path: [], node });
      const params = node.params as Node[];
      for (let index = 0; index < params.length; index++) {
        const param = params[index]!;
        for (const { id, path, defaultValue } of patternNames(param)) {
          const b = declare(inner, id, 'param', { kind: 'param', value: null, path, node, fn: node, index, param });
          if (defaultValue) b.defs.push({ kind: 'init', value: defaultValue, path: [], node: param });
        }
      }
    } else if (SCOPE_NODES.has(type)) {
      inner = { node, parent: scope, functional: false, bindings: new Map() };
      if (type === 'CatchClause' && node.param)
        for (const { id, path } of patternNames(node.param))
          declare(inner, id, 'catch', { kind: 'catch', value: null, path, node });
    }
    switch (type) {
      case 'Identifier':
        pendingRefs.push([node, scope]);
        return;
      case 'VariableDeclaration': {
        const kind: BindingKind = node.kind === 'var' ? 'var' : node.kind === 'let' ? 'let' : 'const';
        const target = kind === 'var' ? functionScope(scope) : scope;
        for (const d of node.declarations) {
          for (const { id, path, defaultValue } of patternNames(d.id)) {
            const b = declare(target, id, kind, d.init ? { kind: 'init', value: d.init, path, node: d } : null);
            if (defaultValue) b.defs.push({ kind: 'init', value: defaultValue, path: [], node: d });
          }
        }
        break;
      }
      case 'ClassDeclaration':
        if (node.id) declare(scope, node.id, 'class', { kind: 'init', value: node, path: [], node });
        break;
      case 'ImportDeclaration': {
        if (node.importKind !== 'type') {
          const module = normaliseModule(node.source.value);
          for (const s of node.specifiers) {
            parents.set(s, node);
            parents.set(s.local, s);
            if (s.importKind === 'type') continue;
            const name =
              s.type === 'ImportDefaultSpecifier'
                ? 'default'
                : s.type === 'ImportNamespaceSpecifier'
                  ? '*'
                  : (keyName({ type: 'Property', start: 0, end: 0, key: s.imported, computed: false }) ?? '*');
            declare(moduleScope, s.local, 'import', { kind: 'import', value: null, path: [], node }, { module, name });
          }
        }
        return;
      }
      case 'TSEnumDeclaration':
      case 'TSModuleDeclaration':
        if (node.id?.type === 'Identifier') declare(scope, node.id, 'const', null);
        return;
      case 'MemberExpression':
        go(node.object, node, inner);
        if (node.computed) go(node.property, node, inner);
        else parents.set(node.property, node);
        return;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
      case 'AccessorProperty':
        if (node.computed) go(node.key, node, inner);
        else parents.set(node.key, node);
        if (node.decorators) for (const d of node.decorators) go(d, node, inner);
        go(node.value, node, inner);
        return;
      case 'LabeledStatement':
        go(node.body, node, inner);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
      case 'ExportSpecifier':
        return;
      case 'ExportNamedDeclaration':
        if (node.declaration) go(node.declaration, node, inner);
        if (!node.source) for (const s of node.specifiers) go(s.local, node, inner);
        return;
      case 'AssignmentExpression':
        pendingWrites.push([
          node.left,
          node.operator === '=' ? node.right : node,
          node.operator === '=' ? 'assign' : 'compound',
          node,
          scope,
        ]);
        break;
      case 'UpdateExpression':
        pendingWrites.push([node.argument, null, 'update', node, scope]);
        break;
      case 'ForInStatement':
      case 'ForOfStatement':
        pendingLoops.push([node, inner]);
        break;
    }
    const fields = childFields(keys, type) ?? Object.keys(node).filter((f) => !TYPE_FIELDS.has(f));
    for (let i = 0; i < fields.length; i++) {
      const v = node[fields[i]!];
      if (Array.isArray(v)) for (let j = 0; j < v.length; j++) go(v[j], node, inner);
      else if (v && typeof v === 'object') go(v, node, inner);
    }
  };
  const go = (c: Node | null | undefined, parent: Node, scope: Scope) => {
    if (c && typeof c.type === 'string' && !isTypeOnly(c)) stack.push({ node: c, parent, scope, level: level + 1 });
  };
  for (let top = stack.pop(); top; top = stack.pop()) {
    level = top.level;
    if (level > depth) depth = level;
    const from = stack.length;
    visit(top.node, top.parent, top.scope);
    // The children were pushed in source order; reversed, the first is popped first.
    for (let i = from, j = stack.length - 1; i < j; i++, j--) [stack[i], stack[j]] = [stack[j]!, stack[i]!];
  }

  // `code = '…'` with no declaration anywhere (a sloppy script): an implicit global, a var of the module that
  // later reads of the name see. Not for the host's own globals, whose assignment means something else.
  for (const [target, , kind, , scope] of pendingWrites)
    if (
      kind === 'assign' &&
      target.type === 'Identifier' &&
      !HOST_GLOBALS.has(target.name) &&
      !lookup(scope, target.name)
    )
      declare(moduleScope, target, 'var', null);
  for (const [id, scope] of pendingRefs) {
    const b = refs.get(id) ?? lookup(scope, id.name);
    if (!b) continue;
    refs.set(id, b);
    const list = uses.get(b);
    if (list) list.push(id);
    else uses.set(b, [id]);
  }
  for (const [target, value, kind, node, scope] of pendingWrites) {
    const t =
      target.type === 'ParenthesizedExpression' ||
      target.type === 'TSAsExpression' ||
      target.type === 'TSNonNullExpression'
        ? target.expression
        : target;
    if (t.type === 'MemberExpression') {
      let obj = t.object;
      while (obj.type === 'MemberExpression') obj = obj.object; // a.b.c = v writes into a
      if (obj.type === 'Identifier' && value) {
        const b = lookup(scope, obj.name);
        if (b) {
          const name = t.object.type === 'Identifier' ? (t.computed ? '*' : t.property.name) : '*';
          const list = b.props.get(name);
          if (list) list.push(value);
          else b.props.set(name, [value]);
        }
      }
      continue;
    }
    for (const { id, path } of patternNames(t)) {
      const b = lookup(scope, id.name);
      if (b) {
        refs.set(id, b);
        b.defs.push({ kind, value, path, node });
      }
    }
  }
  for (const [node, scope] of pendingLoops) {
    const left = node.left.type === 'VariableDeclaration' ? node.left.declarations[0].id : node.left;
    const kind = node.type === 'ForInStatement' ? 'for-in' : 'for-of';
    for (const { id, path } of patternNames(left)) {
      const b = lookup(scope, id.name);
      if (b) b.defs.push({ kind, value: node.right, path, node });
    }
  }
  return { module: moduleScope, refs, parents, byType, uses, depth };
}
