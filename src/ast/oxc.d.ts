// oxc-parser's native parse and its JSON reader, paths in its exports map that its own parseSync wraps (parse.ts).
declare module 'oxc-parser/src-js/bindings' {
  import type { Comment, OxcError, ParserOptions } from 'oxc-parser';
  /** Each getter moves its value out of the native result: `program` is the AST as JSON. */
  export function parseSync(
    filename: string,
    sourceText: string,
    options?: ParserOptions,
  ): { readonly program: string; readonly comments: Comment[]; readonly errors: OxcError[] };
}
declare module 'oxc-parser/src-js/wrap' {
  import type { Program } from '@oxc-project/types';
  export function jsonParseAst(json: string): Program;
}
