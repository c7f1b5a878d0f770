/**
 * Lexical helpers for atoms that read code without a parser: find calls by
 * name, split their arguments, and follow an identifier back to the
 * expression it was initialised with. They skip strings and brackets
 * correctly, which is all a single-statement check needs.
 */

export interface Call {
  name: string;
  /** Offset of the callee name. */
  start: number;
  /** Offset just after the opening parenthesis. */
  argsStart: number;
}

export interface Argument {
  text: string;
  start: number;
  end: number;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Method or function calls `.name(` / `name(` for any of the names. */
export function findCalls(text: string, names: string[]): Call[] {
  const pattern = new RegExp(`(?<![\\w$])(${names.map(escapeRegex).join('|')})\\s*\\(`, 'g');
  const calls: Call[] = [];
  for (const m of text.matchAll(pattern)) calls.push({ name: m[1]!, start: m.index, argsStart: m.index + m[0].length });
  return calls;
}

/** The top-level arguments of a call whose parenthesis opened just before `from`. */
export function callArguments(text: string, from: number): Argument[] {
  const args: Argument[] = [];
  let depth = 0;
  let quote: string | null = null;
  const templateDepth: number[] = [];
  let start = from;
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (quote === '`' && ch === '$' && text[i + 1] === '{') {
        templateDepth.push(depth);
        quote = null;
        depth++;
        i++;
      } else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i);
      i = newline < 0 ? text.length : newline;
    } else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      if (depth === 0) {
        push(args, text, start, i);
        return args;
      }
      depth--;
      if (ch === '}' && templateDepth.at(-1) === depth) {
        templateDepth.pop();
        quote = '`';
      }
    } else if (ch === ',' && depth === 0) {
      push(args, text, start, i);
      start = i + 1;
    }
  }
  return args;
}

/** The text with the comments before its first token blanked (same length, so offsets hold). */
function blankLeadingComments(text: string): string {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith('//', i)) {
      const newline = text.indexOf('\n', i);
      i = newline < 0 ? text.length : newline + 1;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else break;
  }
  return ' '.repeat(i) + text.slice(i);
}

function push(args: Argument[], text: string, start: number, end: number) {
  // Comments before the argument are not part of it.
  const raw = blankLeadingComments(text.slice(start, end));
  const lead = raw.length - raw.trimStart().length;
  const body = raw.trim();
  if (body) args.push({ text: body, start: start + lead, end: start + lead + body.length });
}

/** The initialiser of `const|let|var name = …` closest before `before`, or null. */
export function resolveIdentifier(text: string, name: string, before: number): string | null {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return null;
  const pattern = new RegExp(`(?<![\\w$])(?:const|let|var)\\s+${escapeRegex(name)}\\s*(?::[^=]+)?=\\s*`, 'g');
  let found: number | null = null;
  for (const m of text.slice(0, before).matchAll(pattern)) found = m.index + m[0].length;
  if (found === null) return null;
  // The initialiser runs to the statement's end: reuse the argument splitter on a virtual call.
  const [init] = callArguments(
    text.slice(0, found) + text.slice(found).replace(/;|\n(?=\s*(?:const|let|var|await|return|\w+\s*\())/, ')'),
    found,
  );
  return init?.text ?? null;
}
