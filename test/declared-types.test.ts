// The fields a type declares, followed across modules (src/kit/declared-types.ts): what an atom may
// conclude about a value typed with it (a request body that holds only `expiresAt`), and where it must not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseModule } from '../src/ast/parse.js';
import { importedFields } from '../src/kit/declared-types.js';
import { memoryProject } from './helpers/project.js';

/** The fields of the type `name` imported from `spec` by src/routes/r.ts. */
async function fieldsOf(spec: string, name: string, files: Record<string, string>) {
  const route = `import type { ${name} } from '${spec}';`;
  const project = memoryProject({ ...files, 'src/routes/r.ts': route });
  const m = await parseModule('src/routes/r.ts', route);
  if (!m.ok) throw new Error(m.reason);
  return importedFields(project, m.path, spec, name);
}

test('interfaces, type literals, json-schema-to-ts and zod schemas name their fields', async () => {
  assert.equal(
    await fieldsOf('../types', 'Body', { 'src/types.ts': 'export interface Body { a: string; "b"?: number }' }),
    ['a', 'b'],
  );
  assert.equal(
    await fieldsOf('../types', 'Body', {
      'src/types.ts': "export interface Body { at: Date; kind: 'a' | 'b' | null; n?: number }",
    }),
    ['at', 'kind', 'n'],
  );
  assert.equal(await fieldsOf('../types', 'Body', { 'src/types.ts': 'export type Body = { c: string };' }), ['c']);
  assert.equal(
    await fieldsOf('../types', 'Body', {
      'src/types.ts':
        "const s = { type: 'object', properties: { expiresAt: { type: 'string' } } } as const;\nexport type Body = FromSchema<typeof s>;",
    }),
    ['expiresAt'],
  );
  assert.equal(
    await fieldsOf('../types', 'Body', {
      'src/types.ts': 'const s = z.object({ enabled: z.boolean() }).strict();\nexport type Body = z.infer<typeof s>;',
    }),
    ['enabled'],
  );
});

test('followed through an index (export *), a renaming re-export and a second import', async () => {
  assert.equal(
    await fieldsOf('../openapi/index.js', 'Body', {
      'src/openapi/index.ts': "export * from './other.js';\nexport * from './spec/body.js';",
      'src/openapi/other.ts': 'export interface Other { password: string }',
      'src/openapi/spec/body.ts': 'export interface Body { name: string }',
    }),
    ['name'],
  );
  assert.equal(
    await fieldsOf('../types', 'Body', {
      'src/types.ts': "export type { Inner as Body } from './inner';",
      'src/inner.ts': 'export interface Inner { x: string }',
    }),
    ['x'],
  );
  assert.equal(
    await fieldsOf('../types', 'Body', {
      'src/types.ts': "import type { Shape } from './shape';\nexport type Body = Shape;",
      'src/shape.ts': 'export interface Shape { y: string }',
    }),
    ['y'],
  );
});

test('unknown (null) where the declaration does not list every field', async () => {
  const cases: Record<string, string> = {
    extends: 'export interface Body extends Base { a: string }',
    'index signature': 'export interface Body { [key: string]: string }',
    union: 'export type Body = { a: string } | { b: string };',
    generic: 'export type Body<T> = { a: T };',
    spread: 'const s = { properties: { ...common, a: {} } };\nexport type Body = FromSchema<typeof s>;',
    package: "export type { Body } from 'some-package';",
    missing: 'export interface Other { a: string }',
    'nested object': 'export interface Body { name: string; user: { password: string } }',
    array: 'export interface Body { tags: string[] }',
    'nested zod object':
      'const s = z.object({ user: z.object({ password: z.string() }) });\nexport type Body = z.infer<typeof s>;',
    'nested JSON schema':
      "const s = { properties: { user: { type: 'object' } } } as const;\nexport type Body = FromSchema<typeof s>;",
  };
  for (const [what, text] of Object.entries(cases))
    assert.is(await fieldsOf('../types', 'Body', { 'src/types.ts': text }), null, what);
  assert.is(await fieldsOf('../nowhere', 'Body', {}), null, 'a module that is not there');
});

test.run();
