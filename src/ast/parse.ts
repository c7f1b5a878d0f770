/**
 * The parse layer: oxc-parser, loaded on first use (never on a commit whose
 * files hold no keyword of a code atom), one parse per file shared by every
 * atom. Component and page files (.vue, .svelte, .html) are parsed through
 * their `<script>` blocks; everything outside them is blanked (newlines
 * kept), so offsets, lines and columns are those of the file itself.
 */
import type { Node } from './nodes.js';
import { MAX_NESTING, nestingBeyond } from './depth.js';
import { CodeModule } from './module.js';
import { Flow } from './taint/propagation.js';

/** A file the parser rejected, or one too deep to analyse: atoms run a reduced check and say so. */
export interface ParseFailure {
  ok: false;
  /** `line:column message` of the first error, or why the file was not analysed. */
  reason: string;
  /**
   * Not a syntax error: the file was not analysed in full (an `analysis-incomplete` note): it nests too deeply to be
   * given to the parser or walked, or it says it is machine-made but is written in ordinary lines (prepare.ts).
   */
  incomplete?: true;
}

/**
 * Levels of syntax tree the analyses are given at most. The parser's input is kept under MAX_NESTING (depth.ts),
 * but a chain of binary operators (`'a' + 'b' + …` 10,000 times) is parsed without nesting and still makes a tree
 * that deep, too deep for the recursive data-flow walks.
 */
export const MAX_TREE_DEPTH = 400;

const tooDeep = (what: string): ParseFailure => ({
  ok: false,
  reason: `${what}, too deep to analyse safely`,
  incomplete: true,
});

export type Parsed = CodeModule | ParseFailure;

type Lang = 'js' | 'jsx' | 'ts' | 'tsx' | 'dts';

let oxc: Promise<typeof import('oxc-parser')> | undefined;
/**
 * oxc's native parse and its JSON reader, used directly: its `parseSync` also builds the result's `module` (every
 * import and export as JS objects), which nothing here reads: ~0.5 ms of a 12 kB file's ~10 ms parse.
 */
let native:
  | Promise<
      | [typeof import('oxc-parser/src-js/bindings').parseSync, typeof import('oxc-parser/src-js/wrap').jsonParseAst]
      | readonly [undefined, undefined]
    >
  | undefined;

const SCRIPT_EXT = /\.(?:vue|svelte|html?)$/i;

function langOf(path: string): Lang | null {
  if (/\.d\.[cm]?ts$/i.test(path)) return 'dts';
  const m = /\.([cm]?[jt]sx?)$/i.exec(path);
  if (!m) return null;
  const ext = m[1]!.toLowerCase();
  if (ext === 'tsx') return 'tsx';
  if (ext.endsWith('ts')) return 'ts';
  return 'jsx'; // .js files often hold JSX; JSX mode accepts all plain JavaScript but `<` casts, which are TS-only
}

export interface ScriptBlock {
  /** Offset of the block's content in the file. */
  start: number;
  end: number;
  lang: Lang;
}

/** The `<script>` blocks of a component or page that hold JavaScript or TypeScript (not JSON, templates or external files). */
export function scriptBlocks(text: string): ScriptBlock[] {
  const blocks: ScriptBlock[] = [];
  const open = /<script\b([^>]*)>/gi;
  for (let m = open.exec(text); m; m = open.exec(text)) {
    const attrs = m[1]!;
    const start = m.index + m[0].length;
    const close = text.toLowerCase().indexOf('</script', start);
    const end = close < 0 ? text.length : close;
    open.lastIndex = end;
    if (/\bsrc\s*=/i.test(attrs)) continue;
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attrs)?.[1]?.toLowerCase();
    if (type && !/^(?:module|text\/javascript|application\/javascript|text\/babel|text\/typescript|ts|tsx)$/.test(type))
      continue;
    const lang = /\blang\s*=\s*["']?(tsx?|jsx?)/i.exec(attrs)?.[1]?.toLowerCase() as Lang | undefined;
    blocks.push({ start, end, lang: lang === 'js' ? 'jsx' : (lang ?? 'jsx') });
  }
  return blocks;
}

/** The text with everything outside [start, end) blanked, newlines kept, so offsets stay those of the file. */
function only(text: string, start: number, end: number): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return blank(text.slice(0, start)) + text.slice(start, end) + blank(text.slice(end));
}

export async function parseModule(path: string, text: string): Promise<Parsed> {
  const { visitorKeys, parseSync: publicParse } = await (oxc ??= import('oxc-parser'));
  // Internals of oxc-parser (in its exports map, but not its documented API): if a release moves them, the
  // documented parseSync parses instead, a little slower, rather than every file failing to parse.
  const [parseSync, jsonParseAst] = await (native ??= Promise.all([
    import('oxc-parser/src-js/bindings').then((m) => m.parseSync),
    import('oxc-parser/src-js/wrap').then((m) => m.jsonParseAst),
  ]).catch(() => [undefined, undefined] as const));
  const parse = (source: string, lang: Lang, sourceType: 'unambiguous' | 'commonjs' = 'unambiguous') => {
    const name = `file.${lang === 'dts' ? 'd.ts' : lang}`;
    const options = { lang, sourceType, preserveParens: false } as const;
    const result = parseSync?.(name, source, options);
    // Taken now, so the native result holds no large string; the JSON is read only when the parse succeeded.
    const json = result?.program;
    if (!result || typeof json !== 'string' || typeof jsonParseAst !== 'function')
      return publicParse(name, source, options);
    return {
      get program() {
        return jsonParseAst(json);
      },
      comments: result.comments,
      errors: result.errors,
    };
  };

  let body: Node[] = [];
  let comments: Array<{ value: string; start: number; end: number }> = [];
  let directives: string[] = [];
  let skipped: CodeModule['skipped'];
  const fail = (error: { message: string; labels: Array<{ start: number }> }, source: string): ParseFailure => {
    const at = error.labels[0]?.start ?? 0;
    const before = source.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    return { ok: false, reason: `${line}:${column} ${error.message}` };
  };

  // oxc-parser overflows its native stack (a segfault: the process dies) on input nested some 6,000 levels deep.
  const nesting = (source: string) => nestingBeyond(source, MAX_NESTING);
  if (SCRIPT_EXT.test(path)) {
    for (const block of scriptBlocks(text)) {
      const source = only(text, block.start, block.end);
      if (nesting(source) !== null) return tooDeep(`nested more than ${MAX_NESTING} levels`);
      const result = parse(source, block.lang);
      if (result.errors.length) return fail(result.errors[0]!, source);
      body = body.concat(result.program.body as unknown as Node[]);
      comments = comments.concat(result.comments);
    }
  } else {
    const lang = langOf(path) ?? 'jsx';
    if (nesting(text) !== null) return tooDeep(`nested more than ${MAX_NESTING} levels`);
    const parseFile = (source: string) => {
      let result = parse(source, lang);
      // A .js file may be plain script with a `<` a JSX parse dislikes; a .ts file may be TSX-free but use JSX in .ts by mistake.
      // A CommonJS script may `return` at top level.
      for (const [l, type] of [
        ['js', 'unambiguous'],
        ['js', 'commonjs'],
      ] as const) {
        if (!result.errors.length || lang !== 'jsx') break;
        const retry = parse(source, l, type);
        if (!retry.errors.length) result = retry;
      }
      return result;
    };
    let result = parseFile(text);
    if (result.errors.some((e) => !TREE_INTACT.test(e.message))) {
      const failure = fail(result.errors[0]!, text);
      const repaired = text.length <= MAX_REPAIRED ? withoutBadLine(text, result.errors[0]!, parseFile) : undefined;
      if (!repaired) return failure;
      result = repaired.result;
      skipped = { line: repaired.line, reason: failure.reason };
    }
    body = result.program.body as unknown as Node[];
    comments = result.comments;
  }
  directives = body
    .filter((s) => s.type === 'ExpressionStatement' && typeof s.directive === 'string')
    .map((s) => s.directive as string);
  const program: Node = { type: 'Program', start: 0, end: text.length, body, sourceType: 'module' };
  const module = new CodeModule(
    path,
    text,
    program,
    comments,
    directives,
    visitorKeys as Record<string, string[]>,
    (m) => new Flow(m),
  );
  module.skipped = skipped;
  return module.depth > MAX_TREE_DEPTH ? tooDeep(`a syntax tree ${module.depth} levels deep`) : module;
}

/**
 * Errors after which the parser's tree is still the file's code: a construct in a place the language forbids it,
 * parsed as what it is (`await` in a function not marked async). The file is analysed as written.
 */
const TREE_INTACT = /^`await` is only allowed within async functions/;

/** Files up to this size get a second and third parse when their first fails (see withoutBadLine). */
const MAX_REPAIRED = 512 * 1024;

/**
 * One bad line (a half-typed edit, a stray paste) need not cost the whole file its analysis: the file is parsed
 * again with the rest of the first error's line blanked, then with the whole line blanked (newlines and offsets
 * kept). The first that parses is analysed in full; the note says which line was left out. Anything worse keeps
 * the reduced line check.
 */
function withoutBadLine<R extends { errors: readonly unknown[] }>(
  text: string,
  error: { labels: Array<{ start: number }> },
  parse: (source: string) => R,
): { result: R; line: number } | undefined {
  const at = Math.min(error.labels[0]?.start ?? 0, text.length);
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const newline = text.indexOf('\n', at);
  const lineEnd = newline < 0 ? text.length : newline;
  const line = text.slice(0, lineStart).split('\n').length;
  for (const from of new Set([at, lineStart])) {
    if (from >= lineEnd) continue;
    const source = text.slice(0, from) + text.slice(from, lineEnd).replace(/[^\r]/g, ' ') + text.slice(lineEnd);
    const result = parse(source);
    if (!result.errors.length) return { result, line };
  }
  return undefined;
}
