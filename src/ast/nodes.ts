/**
 * ESTree nodes as oxc-parser produces them, loosely typed: atoms read a few
 * fields of many node types, and a precise union would cost more casts than
 * it saves. Helpers here are pure functions over nodes.
 */

export interface Node {
  type: string;
  start: number;
  end: number;
  [field: string]: any;
}

/** Strips what does not change a value: parentheses, TypeScript assertions, `!`, `satisfies`, `await` is kept. */
export function unwrap(node: Node): Node {
  let n = node;
  for (;;) {
    switch (n.type) {
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'TSInstantiationExpression':
      case 'ChainExpression':
        n = n.expression;
        continue;
      default:
        return n;
    }
  }
}

export const isFunction = (n: Node | null | undefined): boolean =>
  !!n && (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression');

/** The static name of a member's property (`a.b`, `a['b']`), or null when computed from data. */
export function propertyName(member: Node): string | null {
  if (member.type !== 'MemberExpression') return null;
  const p = member.property;
  if (!member.computed) return p.type === 'Identifier' || p.type === 'PrivateIdentifier' ? p.name : null;
  const v = unwrap(p);
  if (v.type === 'Literal' && (typeof v.value === 'string' || typeof v.value === 'number')) return String(v.value);
  if (v.type === 'TemplateLiteral' && v.expressions.length === 0) return v.quasis[0].value.cooked;
  return null;
}

/** The static key of an object property, or null when computed from data. */
export function keyName(prop: Node): string | null {
  const k = prop.key;
  if (!k) return null;
  if (!prop.computed) {
    if (k.type === 'Identifier' || k.type === 'PrivateIdentifier') return k.name;
    if (k.type === 'Literal') return String(k.value);
    return null;
  }
  const v = unwrap(k);
  return v.type === 'Literal' && (typeof v.value === 'string' || typeof v.value === 'number') ? String(v.value) : null;
}

/** A string literal's value (plain or template without substitutions), else undefined. */
export function stringLiteral(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const n = unwrap(node);
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral' && n.expressions.length === 0)
    return n.quasis[0].value.cooked ?? n.quasis[0].value.raw;
  return undefined;
}

/** The argument list of a call or `new` (spread elements included as such). */
/** A module specifier that names a file of the repository: relative, or a usual path alias (`@/lib/db`, `~/db`, `#db`). */
export const isLocalModule = (spec: string): boolean => /^(?:\.{1,2}\/|@\/|~\/?|#)/.test(spec);

export const args = (call: Node): Node[] => call.arguments ?? [];

/** Node types that never hold runtime values: types, interfaces, declarations for the checker. */
export function isTypeOnly(n: Node): boolean {
  return (
    n.type.startsWith('TS') &&
    n.type !== 'TSAsExpression' &&
    n.type !== 'TSSatisfiesExpression' &&
    n.type !== 'TSNonNullExpression' &&
    n.type !== 'TSTypeAssertion' &&
    n.type !== 'TSInstantiationExpression' &&
    n.type !== 'TSParameterProperty' &&
    n.type !== 'TSExportAssignment' &&
    n.type !== 'TSEnumDeclaration' &&
    n.type !== 'TSModuleDeclaration' &&
    n.type !== 'TSModuleBlock'
  );
}

/** Fields that hold types, never values: skipped by every walk. */
export const TYPE_FIELDS = new Set([
  'typeAnnotation',
  'returnType',
  'typeParameters',
  'typeArguments',
  'superTypeArguments',
  'superTypeParameters',
  'implements',
]);
