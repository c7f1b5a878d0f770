/**
 * Constant evaluation and text shape: whether an expression is a constant
 * (or a number, or built only of safe parts), its string value when known,
 * the dynamic parts of a string built here, and its shape with holes, which
 * the injection atoms ask of SQL, shell lines and code.
 */
import { isFunction, propertyName, unwrap, type Node } from '../nodes.js';
import type { CodeModule } from '../module.js';
import { SANITISER_NAME, SCALAR_FUNCTIONS } from './guards.js';
import { MAX_DEPTH, type Links } from './model.js';

export const NUMBER_TYPES = new Set(['TSNumberKeyword', 'TSBooleanKeyword', 'TSBigIntKeyword']);

export class Constants {
  private readonly constMemo = new Map<Node, boolean>();

  constructor(
    private readonly m: CodeModule,
    private readonly links: Links,
  ) {}

  isConstant(expr: Node, depth = 0): boolean {
    const n = unwrap(expr);
    const cached = this.constMemo.get(n);
    if (cached !== undefined) return cached;
    if (depth > MAX_DEPTH || this.links.active.has(n)) return false;
    this.links.active.add(n);
    let result = false;
    try {
      result = this.constant(n, depth);
    } finally {
      this.links.active.delete(n);
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
          this.links
            .reachingDefs(b, n)
            .every(
              (d) =>
                d.kind !== 'param' &&
                d.kind !== 'for-in' &&
                d.kind !== 'catch' &&
                d.kind !== 'update' &&
                d.value !== null &&
                (d.kind === 'compound' ? c(d.value.right) : c(d.value)),
            ) &&
          this.m.putInto(b).every((v) => v.type !== 'SpreadElement' && c(v));
        // A value checked against an allow-list is one of its constants.
        return byDefs || (this.links.guardAt(n, b) === 'safe' && this.links.taints(n).length === 0);
      }
      case 'MemberExpression': {
        // `req.body` is never constant, even where `req` passed a check of one of its fields.
        if (this.m.isRequestSource(n)) return false;
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
        return this.links.isSanitiserCall(n) && SCALAR_FUNCTIONS.has(callee.name) && n.arguments.every(c);
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
        return this.links.isSanitiserCall(n) && !SANITISER_NAME.test(this.m.callee(n.callee).name);
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
    if (this.isConstant(n) || this.isScalar(n) || this.links.isSanitiserCall(n)) return true;
    if (n.type === 'Identifier') {
      const b = this.m.binding(n);
      if (b && this.links.guardAt(n, b) === 'safe') return true;
      if (
        b &&
        b.defs.length > 0 &&
        b.kind !== 'param' &&
        b.defs.every(
          (d) =>
            d.value &&
            d.path.length === 0 &&
            (d.kind === 'init' || d.kind === 'assign') &&
            this.links.isSanitiserCall(d.value),
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
        if (this.links.guardAt(n, b) === 'safe') return [];
        const out: Node[] = [];
        let built = false;
        for (const d of this.links.reachingDefs(b, n)) {
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
              !this.links.active.has(unwrap(d.value)) &&
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
      case 'BinaryExpression': {
        if (n.operator !== '+') return undefined;
        // a + b + c … nests to the left: walked flat, so that a long INSERT's first words stay in its shape.
        const terms: Node[] = [];
        let left: Node = n;
        while (left.type === 'BinaryExpression' && left.operator === '+' && this.stringValue(left) === undefined) {
          terms.unshift(left.right);
          left = unwrap(left.left);
        }
        return [left, ...terms].map(sub).join('');
      }
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
        for (const d of this.links.reachingDefs(b, n)) {
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

function flattenPlus(n: Node): Node[] {
  const u = unwrap(n);
  if (u.type === 'BinaryExpression' && u.operator === '+') return [...flattenPlus(u.left), ...flattenPlus(u.right)];
  return [u];
}
