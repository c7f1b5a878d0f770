/**
 * The schema libraries: a value one of them parses is validated. One list for the
 * data-flow guards (src/ast/taint/guards.ts: what cuts a flow of request data) and
 * the input-validation atom (what counts as validating a request); each adds the
 * modules that count only for it.
 */
export const SCHEMA_LIBRARIES = [
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
] as const;
