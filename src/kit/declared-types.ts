/**
 * The fields a TypeScript type declares for an object, followed across modules: a request body typed
 * `Request<Params, Res, UpdateTokenBody>` whose `UpdateTokenBody` another module declares as an
 * interface, a type literal, `FromSchema<typeof schema>` (json-schema-to-ts) or `z.infer<typeof schema>`.
 * An atom asks what such a value can hold without running the code: a body declared to hold only
 * `expiresAt` holds no password. Every answer is null when the declaration cannot say (an `extends`,
 * an index signature, a union, a type from a package): unknown, judge as before.
 */
import type { CodeModule, Node } from '../ast/module.js';
import { isLocalModule, keyName, propertyName, unwrap } from '../ast/nodes.js';
import type { ProjectView } from './atom.js';
import { remember } from './app.js';
import { resolveImport } from './imports.js';

/**
 * The field names, or null when the declaration does not tell them all, or when a field holds an object or
 * an array (what that holds is not listed: it may be a nested password).
 */
export type Fields = string[] | null;

/** What a module says of a type: its fields, or the other module that declares it. */
export type Declared = { fields: Fields } | { spec: string; name: string };

const UNKNOWN: Declared = { fields: null };

/** Wrappers that turn a runtime schema into its type: the schema's own keys are the fields. */
const JSON_SCHEMA_TYPE = /^FromSchema$/; // json-schema-to-ts: FromSchema<typeof schema>, keys under `properties`
const BUILDER_TYPE = /^(?:infer|input|output|Infer|InferType|TypeOf|Static)$/; // zod, yup, valibot, TypeBox: keys of object({ … })

const SCALAR_TYPES = new Set([
  'TSStringKeyword',
  'TSNumberKeyword',
  'TSBooleanKeyword',
  'TSBigIntKeyword',
  'TSNullKeyword',
  'TSUndefinedKeyword',
  'TSLiteralType',
]);
/** JSON schema `type`s of a single value. */
const SCALAR_SCHEMA = new Set(['string', 'number', 'integer', 'boolean', 'null']);
/** Schema builders of a single value: z.string(), yup.number(), Type.Boolean(), z.coerce.date(), z.enum([…]). */
const SCALAR_BUILDER = /^(?:string|number|boolean|bigint|date|enum|nativeEnum|literal|integer|null)$/i;

/** A TypeScript type of a single value: a keyword, a literal, a Date, or a union of them. */
function scalarType(t: Node | undefined): boolean {
  if (!t) return false;
  if (SCALAR_TYPES.has(t.type)) return true;
  if (t.type === 'TSUnionType') return (t.types as Node[]).every(scalarType);
  return t.type === 'TSTypeReference' && t.typeName.type === 'Identifier' && t.typeName.name === 'Date';
}

/** A JSON schema (`{ type: 'string', format: 'date-time' }`, an enum) of a single value. */
function scalarSchema(m: CodeModule, value: Node): boolean {
  const typeNode = m.property(value, 'type');
  const type = typeNode && m.stringValue(typeNode);
  return (type !== undefined && SCALAR_SCHEMA.has(type)) || m.property(value, 'enum') !== undefined;
}

/** A builder chain whose first call makes a single value: `z.string().min(1).optional()`. */
function scalarBuilder(_m: CodeModule, value: Node): boolean {
  let call = unwrap(value);
  while (call.type === 'CallExpression' && unwrap(call.callee).type === 'MemberExpression') {
    const inner = unwrap(unwrap(call.callee).object);
    if (inner.type !== 'CallExpression') return SCALAR_BUILDER.test(propertyName(unwrap(call.callee)) ?? '');
    call = inner;
  }
  return false;
}

/** The keys of an object literal, or null when a spread or a computed key hides some, or a value is not `scalar`. */
function literalKeys(m: CodeModule, node: Node | undefined, scalar: (m: CodeModule, value: Node) => boolean): Fields {
  const literal = m.objectLiteral(node);
  if (!literal) return null;
  const keys: string[] = [];
  for (const p of literal.properties as Node[]) {
    const key = p.type === 'Property' && !p.computed ? keyName(p) : null;
    if (!key || !scalar(m, p.value)) return null;
    keys.push(key);
  }
  return keys;
}

/** The keys of the members of an interface or type literal, or null when one is not a named property of a single value. */
function memberKeys(members: Node[]): Fields {
  const keys: string[] = [];
  for (const p of members) {
    const key = p.type === 'TSPropertySignature' && !p.computed ? keyName(p) : null;
    if (!key || !scalarType(p.typeAnnotation?.typeAnnotation)) return null;
    keys.push(key);
  }
  return keys;
}

/** A top-level interface or type alias of the module, exported or not. */
function declaration(m: CodeModule, name: string): Node | undefined {
  for (const s of m.program.body as Node[]) {
    const d = s.type === 'ExportNamedDeclaration' ? s.declaration : s;
    if ((d?.type === 'TSInterfaceDeclaration' || d?.type === 'TSTypeAliasDeclaration') && d.id?.name === name) return d;
  }
  return undefined;
}

/** The local module and name a type is imported under `name` from, if it is. */
function importOf(m: CodeModule, name: string): { spec: string; name: string } | undefined {
  for (const s of m.program.body as Node[]) {
    if (s.type !== 'ImportDeclaration' || !isLocalModule(s.source.value)) continue;
    for (const spec of s.specifiers ?? []) {
      if (spec.local?.name !== name || spec.type === 'ImportNamespaceSpecifier') continue;
      const imported =
        spec.type === 'ImportDefaultSpecifier' ? 'default' : (spec.imported?.name ?? spec.imported?.value);
      return { spec: s.source.value, name: imported };
    }
  }
  return undefined;
}

/** The keys of the schema a `typeof schema` names: `properties` of a JSON schema literal, or of `z.object({ … })` (builder). */
function schemaKeys(m: CodeModule, query: Node, builder: boolean): Fields {
  const name = query.type === 'TSTypeQuery' && query.exprName?.type === 'Identifier' ? query.exprName.name : undefined;
  const b = name ? m.topLevel(name) : undefined;
  const def = b?.defs.length === 1 ? b.defs[0] : undefined;
  if (!def?.value || def.path.length) return null;
  if (!builder) return literalKeys(m, m.property(def.value, 'properties'), scalarSchema);
  // z.object({ … }) (also with .strict() / .describe(…) after it), yup.object, Type.Object
  let call = unwrap(def.value);
  while (call.type === 'CallExpression' && unwrap(call.callee).type === 'MemberExpression') {
    if (/^(?:object|Object)$/.test(propertyName(unwrap(call.callee)) ?? ''))
      return literalKeys(m, call.arguments[0], scalarBuilder);
    call = unwrap(unwrap(call.callee).object);
  }
  return null;
}

/** What module `m` says of the type written as `type` (an annotation, an alias's right side). */
export function declaredFields(m: CodeModule, type: Node | null | undefined, depth = 0): Declared {
  if (!type || depth > 4) return UNKNOWN;
  if (type.type === 'TSTypeLiteral') return { fields: memberKeys(type.members) };
  if (type.type !== 'TSTypeReference') return UNKNOWN;
  const args: Node[] = type.typeArguments?.params ?? [];
  const typeName = type.typeName;
  const last = typeName.type === 'TSQualifiedName' ? typeName.right.name : typeName.name;
  if (args.length === 1 && JSON_SCHEMA_TYPE.test(last)) return { fields: schemaKeys(m, args[0]!, false) };
  if (args.length === 1 && BUILDER_TYPE.test(last)) return { fields: schemaKeys(m, args[0]!, true) };
  return typeName.type === 'Identifier' && !args.length ? namedFields(m, typeName.name, depth) : UNKNOWN;
}

/** What module `m` says of the type it calls `name`: declared here, or imported from a local module. */
function namedFields(m: CodeModule, name: string, depth = 0): Declared {
  const d = declaration(m, name);
  if (d?.type === 'TSInterfaceDeclaration')
    return d.extends?.length || d.typeParameters ? UNKNOWN : { fields: memberKeys(d.body.body) };
  if (d?.type === 'TSTypeAliasDeclaration')
    return d.typeParameters ? UNKNOWN : declaredFields(m, d.typeAnnotation, depth + 1);
  return importOf(m, name) ?? UNKNOWN;
}

const RE_EXPORTS = /\bexport\s+(?:type\s+)?(?:\*|\{([^}]*)\})\s*from\s*['"]([^'"]+)['"]/g;
/** Modules an index re-exports at most, before the answer is "unknown" rather than slow. */
const MAX_RE_EXPORTS = 400;
/** Modules read at most to answer one question (indexes of indexes fan out). */
const MAX_MODULES = 1000;

/**
 * The fields of the type `name` that module `spec` (imported from `from`) exports, followed through
 * imports and re-exports (`export * from`, `export { X } from`, index files). Only modules whose text
 * declares the name are parsed. Remembered for the run.
 */
export function importedFields(project: ProjectView, from: string, spec: string, name: string): Promise<Fields> {
  return fieldsAcross(project, from, spec, name, 0, { left: MAX_MODULES });
}

/** importedFields, one step: `budget` counts the modules this question may still read. */
function fieldsAcross(
  project: ProjectView,
  from: string,
  spec: string,
  name: string,
  depth: number,
  budget: { left: number },
): Promise<Fields> {
  return remember(project, `declared-types\0${from}\0${spec}\0${name}`, async () => {
    if (--budget.left < 0) return null;
    const path = await resolveImport(project, from, spec);
    const text = path ? await project.read(path) : null;
    if (!path || !text || depth > 3) return null;
    if (new RegExp(`\\b(?:interface|type)\\s+${name.replace(/\$/g, '\\$')}\\b`).test(text)) {
      const m = await (await project.source(path))?.ast();
      if (!m?.ok) return null;
      const declared = namedFields(m, name);
      return 'fields' in declared
        ? declared.fields
        : fieldsAcross(project, path, declared.spec, declared.name, depth + 1, budget);
    }
    let followed = 0;
    for (const match of text.matchAll(RE_EXPORTS)) {
      if (++followed > MAX_RE_EXPORTS) return null;
      const [, names, next] = match;
      let inner = name;
      if (names !== undefined) {
        // export { A as B } from './x': B is A there
        const entry = names
          .split(',')
          .map((n) =>
            n
              .trim()
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/),
          )
          .find((n) => (n[1] ?? n[0]) === name);
        if (!entry) continue;
        inner = entry[0]!;
      }
      if (!isLocalModule(next!)) continue;
      const found = await fieldsAcross(project, path, next!, inner, depth + 1, budget);
      if (found) return found;
    }
    return null;
  });
}
