/**
 * Scopes and bindings of one module, in two walks: the first declares every
 * name in its scope (so hoisting and use-before-declaration resolve), the
 * second resolves references, records every write to a binding (assignments,
 * `+=`, property writes, for-in/of) and each node's parent, and indexes nodes
 * by type. What data flow and callee resolution need, no more.
 */
import { isFunction, isTypeOnly, keyName, TYPE_FIELDS, type Node } from './nodes.js';

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
}

const SCOPE_NODES = new Set(['BlockStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement', 'SwitchStatement', 'CatchClause', 'StaticBlock', 'ClassBody']);

export const normaliseModule = (name: string) => name.replace(/^node:/, '');

/** Children of a node in source order, skipping types. */
export function children(node: Node, keys: Record<string, string[]>): Node[] {
  const out: Node[] = [];
  const fields = keys[node.type] ?? Object.keys(node);
  for (const f of fields) {
    if (TYPE_FIELDS.has(f)) continue;
    const v = node[f];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === 'string' && !isTypeOnly(c)) out.push(c);
    } else if (v && typeof v === 'object' && typeof v.type === 'string' && !isTypeOnly(v)) out.push(v);
  }
  return out;
}

/** Identifiers a pattern binds, with the path into the destructured value. */
export function patternNames(pattern: Node, path: PathStep[] = [], out: Array<{ id: Node; path: PathStep[]; defaultValue?: Node }> = []) {
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

export function analyseScopes(program: Node, keys: Record<string, string[]>): ScopeInfo {
  const scopes = new Map<Node, Scope>();
  const refs = new Map<Node, Binding>();
  const moduleScope: Scope = { node: program, parent: null, functional: true, bindings: new Map() };
  scopes.set(program, moduleScope);

  const declare = (scope: Scope, id: Node, kind: BindingKind, def: Def | null, imp?: Binding['import']): Binding => {
    let b = scope.bindings.get(id.name);
    if (!b) {
      b = { name: id.name, kind, id, scope, defs: [], props: new Map(), ...(imp ? { import: imp } : {}) };
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

  // Walk 1: scopes and declarations.
  const declareWalk = (node: Node, scope: Scope) => {
    let inner = scope;
    if (isFunction(node)) {
      inner = { node, parent: scope, functional: true, bindings: new Map() };
      scopes.set(node, inner);
      if (node.type === 'FunctionDeclaration' && node.id) declare(scope, node.id, 'function', { kind: 'function', value: node, path: [], node });
      if (node.type === 'FunctionExpression' && node.id) declare(inner, node.id, 'function', { kind: 'function', value: node, path: [], node });
      node.params.forEach((param: Node, index: number) => {
        for (const { id, path, defaultValue } of patternNames(param)) {
          declare(inner, id, 'param', { kind: 'param', value: null, path, node, fn: node, index, param });
          if (defaultValue) refs.get(id)!.defs.push({ kind: 'init', value: defaultValue, path: [], node: param });
        }
      });
    } else if (SCOPE_NODES.has(node.type)) {
      inner = { node, parent: scope, functional: false, bindings: new Map() };
      scopes.set(node, inner);
      if (node.type === 'CatchClause' && node.param) for (const { id, path } of patternNames(node.param)) declare(inner, id, 'catch', { kind: 'catch', value: null, path, node });
    }
    switch (node.type) {
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
        if (node.importKind === 'type') break;
        const module = normaliseModule(node.source.value);
        for (const s of node.specifiers) {
          if (s.importKind === 'type') continue;
          const name = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportNamespaceSpecifier' ? '*' : keyName({ type: 'Property', start: 0, end: 0, key: s.imported, computed: false }) ?? '*';
          declare(moduleScope, s.local, 'import', { kind: 'import', value: null, path: [], node }, { module, name });
        }
        break;
      }
      case 'TSEnumDeclaration':
      case 'TSModuleDeclaration':
        if (node.id?.type === 'Identifier') declare(scope, node.id, 'const', null);
        break;
    }
    for (const c of children(node, keys)) declareWalk(c, inner);
  };
  declareWalk(program, moduleScope);

  // Walk 2: references, writes, parents, index.
  const parents = new Map<Node, Node>();
  const byType = new Map<string, Node[]>();
  const uses = new Map<Binding, Node[]>();
  const lookup = (scope: Scope | null, name: string): Binding | undefined => {
    for (let s = scope; s; s = s.parent) {
      const b = s.bindings.get(name);
      if (b) return b;
    }
    return undefined;
  };
  const reference = (id: Node, scope: Scope) => {
    const b = refs.get(id) ?? lookup(scope, id.name);
    if (!b) return undefined;
    refs.set(id, b);
    let list = uses.get(b);
    if (!list) uses.set(b, (list = []));
    list.push(id);
    return b;
  };
  /** Records writes into the names of an assignment target pattern. */
  const write = (target: Node, value: Node | null, kind: Def['kind'], node: Node, scope: Scope) => {
    const t = target.type === 'ParenthesizedExpression' || target.type === 'TSAsExpression' || target.type === 'TSNonNullExpression' ? target.expression : target;
    if (t.type === 'MemberExpression') {
      let obj = t.object;
      while (obj.type === 'MemberExpression') obj = obj.object; // a.b.c = v writes into a
      if (obj.type === 'Identifier') {
        const b = lookup(scope, obj.name);
        if (b && value) {
          const name = t.object.type === 'Identifier' ? (t.computed ? '*' : t.property.name) : '*';
          let list = b.props.get(name);
          if (!list) b.props.set(name, (list = []));
          list.push(value);
        }
      }
      return;
    }
    for (const { id, path } of patternNames(t)) {
      const b = lookup(scope, id.name);
      if (b) {
        refs.set(id, b);
        b.defs.push({ kind, value, path, node });
      }
    }
  };

  const visit = (node: Node, parent: Node | null, scope: Scope) => {
    if (parent) parents.set(node, parent);
    let list = byType.get(node.type);
    if (!list) byType.set(node.type, (list = []));
    list.push(node);
    const inner = scopes.get(node) ?? scope;
    const go = (c: Node | null | undefined) => {
      if (c && typeof c.type === 'string' && !isTypeOnly(c)) visit(c, node, inner);
    };
    switch (node.type) {
      case 'Identifier':
        reference(node, scope);
        return;
      case 'MemberExpression':
        go(node.object);
        if (node.computed) go(node.property);
        else parents.set(node.property, node);
        return;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
      case 'AccessorProperty':
        if (node.computed) go(node.key);
        else parents.set(node.key, node);
        (node.decorators ?? []).forEach(go);
        go(node.value);
        return;
      case 'LabeledStatement':
        go(node.body);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
        return;
      case 'ImportDeclaration':
        for (const s of node.specifiers) {
          parents.set(s, node);
          parents.set(s.local, s);
        }
        return;
      case 'ExportNamedDeclaration':
        if (node.declaration) go(node.declaration);
        if (!node.source) for (const s of node.specifiers) go(s.local);
        return;
      case 'ExportSpecifier':
        return;
      case 'AssignmentExpression':
        write(node.left, node.operator === '=' ? node.right : node, node.operator === '=' ? 'assign' : 'compound', node, scope);
        break;
      case 'UpdateExpression':
        write(node.argument, null, 'update', node, scope);
        break;
      case 'ForInStatement':
      case 'ForOfStatement': {
        const left = node.left.type === 'VariableDeclaration' ? node.left.declarations[0].id : node.left;
        const kind = node.type === 'ForInStatement' ? 'for-in' : 'for-of';
        for (const { id, path } of patternNames(left)) {
          const b = lookup(inner, id.name);
          if (b) b.defs.push({ kind, value: node.right, path, node });
        }
        break;
      }
    }
    for (const c of children(node, keysRef)) go(c);
  };
  const keysRef = keys;
  visit(program, null, moduleScope);
  return { module: moduleScope, refs, parents, byType, uses };
}
