/**
 * Inline suppressions, and what makes one count. `ralph-guard-ignore
 * <atom>[/<rule>][, …] -- <reason>` suppresses a finding on its own line or the
 * line below only when it is a real comment of the file's language (found by
 * a small lexer for JavaScript and TypeScript, `#` for YAML, shell, .env,
 * Python, `<!-- -->` for markup and documents; none in JSON), begins that comment, gives a
 * reason, and sits where a reader sees it (not pushed off-screen to the
 * right). A mark that fails any of these suppresses nothing and is reported.
 */
import type { SourceFile } from './kit/atom.js';

export const MARK = 'ralph-guard-ignore';
/** A comment starting further right than this is off-screen in a review: it does not count. */
export const MAX_COLUMN = 120;

export interface Suppression {
  targets: string[];
  reason: string;
  /** 1-based line of the comment. */
  line: number;
}

/** A mark that does not count, and why (reported as a warning). */
export interface IgnoredMark {
  line: number;
  column: number;
  why: string;
}

type Style = 'js' | 'hash' | 'markup' | 'prose' | 'sql' | 'none';

const JS = /\.(?:[cm]?[jt]sx?|jsonc|json5|java|kt|kts|scala|go|rs|c|cc|cpp|h|hpp|cs|swift|dart|php|groovy|gradle)$/i;
const HASH =
  /(?:^|\/)(?:\.env[^/]*|Dockerfile[^/]*|Makefile|Gemfile|Procfile|\.gitignore|\.npmrc|\.yarnrc|CODEOWNERS)$|\.(?:ya?ml|sh|bash|zsh|fish|ps1|py|rb|pl|toml|ini|cfg|conf|properties|env|tf|hcl|r|dockerfile|mk)$/i;
const MARKUP = /\.(?:html?|xml|svg|vue|svelte|astro)$/i;
/** Documents: a mark is written in an HTML comment; anywhere else it is the text talking about marks. */
const PROSE = /\.(?:md|mdx|markdown|txt|rst|adoc)$/i;
const NONE = /\.(?:json|lock|ipynb)$/i;

export function commentStyle(path: string): Style {
  if (NONE.test(path)) return 'none';
  if (JS.test(path)) return 'js';
  if (MARKUP.test(path)) return 'markup';
  if (PROSE.test(path)) return 'prose';
  if (HASH.test(path)) return 'hash';
  if (/\.sql$/i.test(path)) return 'sql';
  return 'hash';
}

/** Comment bodies of a file as 0-based [start, end) offsets (after the opener, before the closer). */
export function commentBodies(text: string, style: Style): Array<[number, number]> {
  switch (style) {
    case 'none':
      return [];
    case 'js':
      return jsComments(text);
    case 'markup':
      // Markup comments, and the script blocks' own comments (a rough lexer over the whole file is enough to find them).
      return [...delimited(text, '<!--', '-->'), ...jsComments(text)];
    case 'prose':
      return delimited(text, '<!--', '-->');
    case 'sql':
      return [...lineComments(text, '--'), ...delimited(text, '/*', '*/')];
    case 'hash':
      return lineComments(text, '#');
  }
}

/** Comments that open with `open` at the start of a line or after a space, outside quotes, and run to the end of the line. */
function lineComments(text: string, open: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let quote = '';
    for (let i = lineStart; i < lineEnd; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (text.startsWith(open, i) && (i === lineStart || /\s/.test(text[i - 1]!))) {
        out.push([i + open.length, lineEnd]);
        break;
      }
    }
    lineStart = lineEnd + 1;
  }
  return out;
}

function delimited(text: string, open: string, close: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let at = text.indexOf(open); at >= 0; ) {
    const end = text.indexOf(close, at + open.length);
    out.push([at + open.length, end < 0 ? text.length : end]);
    if (end < 0) break;
    at = text.indexOf(open, end + close.length);
  }
  return out;
}

/**
 * The comments of JavaScript or TypeScript, skipping strings, template text (with nested substitutions) and
 * regular expressions, so a mark inside a string literal is not a comment.
 */
function jsComments(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const braces: number[] = []; // per open template substitution, the depth of `{` inside it
  let afterValue = false;
  const n = text.length;
  let i = 0;
  const templateText = () => {
    // From after a backtick or a substitution's `}` to the closing backtick or the next `${`.
    while (i < n) {
      const c = text[i];
      if (c === '\\') i += 2;
      else if (c === '`') {
        i++;
        afterValue = true;
        return;
      } else if (c === '$' && text[i + 1] === '{') {
        i += 2;
        braces.push(0);
        afterValue = false;
        return;
      } else i++;
    }
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      out.push([i + 2, end < 0 ? n : end]);
      i = end < 0 ? n : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      out.push([i + 2, end < 0 ? n : end]);
      i = end < 0 ? n : end + 2;
    } else if (c === '/' && !afterValue) {
      let inClass = false;
      for (i++; i < n && text[i] !== '\n'; i++) {
        const r = text[i];
        if (r === '\\') i++;
        else if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
      }
      i++;
      afterValue = true;
    } else if (c === '"' || c === "'") {
      for (i++; i < n && text[i] !== c && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
      i++;
      afterValue = true;
    } else if (c === '`') {
      i++;
      templateText();
    } else if (c === '{') {
      if (braces.length) braces[braces.length - 1]!++;
      i++;
      afterValue = false;
    } else if (c === '}') {
      i++;
      if (braces.length && braces[braces.length - 1] === 0) {
        braces.pop();
        templateText();
      } else {
        if (braces.length) braces[braces.length - 1]!--;
        afterValue = true;
      }
    } else if (/[\w$\])]/.test(c)) {
      const start = i;
      while (i < n && /[\w$]/.test(text[i]!)) i++;
      if (i === start) i++;
      const word = text.slice(start, i);
      afterValue = !/^(?:return|typeof|case|do|else|in|of|instanceof|new|delete|void|throw|yield|await)$/.test(word);
    } else {
      if (!/\s/.test(c)) afterValue = false;
      i++;
    }
  }
  return out;
}

/** What the marks of a file say, computed once per file. */
interface FileMarks {
  /** Line → the suppression that counts there. */
  valid: Map<number, Suppression>;
  ignored: IgnoredMark[];
}

const cache = new WeakMap<SourceFile, FileMarks>();

/** Every `ralph-guard-ignore` of a file: those that count, by line, and those that do not, with why. */
export function marksOf(file: SourceFile): FileMarks {
  let marks = cache.get(file);
  if (marks) return marks;
  marks = { valid: new Map(), ignored: [] };
  cache.set(file, marks);
  if (!file.text.includes(MARK)) return marks;
  const style = commentStyle(file.path);
  const bodies = commentBodies(file.text, style);
  const lines = file.lines();
  let offset = 0;
  for (let n = 1; n <= lines.length; n++) {
    const line = lines[n - 1]!;
    const lineStart = offset;
    offset += line.length + 1;
    for (let col = line.indexOf(MARK); col >= 0; col = line.indexOf(MARK, col + MARK.length)) {
      const at = lineStart + col;
      // Written as a mark (`ralph-guard-ignore <atom> …`) it was meant to suppress, and is told why it does not;
      // a word in a sentence, a string or prose only talks about marks, and is left alone.
      const meant = style !== 'prose' && parseSuppression(line.slice(col)) !== null;
      const ignore = (why: string) => {
        if (meant) marks!.ignored.push({ line: n, column: col + 1, why });
      };
      if (style === 'none') {
        ignore('this file type has no comments (suppress with the baseline instead)');
        continue;
      }
      const body = bodies.find(([s, e]) => s <= at && at < e);
      if (!body) {
        ignore('it is not in a comment');
        continue;
      }
      // Only the comment's opener (and, in a block comment, a leading `*`) may come before the mark.
      const from = Math.max(body[0], lineStart);
      if (!/^[\s*!-]*$/.test(file.text.slice(from, at))) {
        ignore(`it does not begin the comment (write the comment as \`${MARK} <atom>[/<rule>] -- <reason>\`)`);
        continue;
      }
      const opener = body[0] >= lineStart ? body[0] - lineStart : 0;
      if (opener > MAX_COLUMN) {
        ignore(`its comment starts at column ${opener}, beyond column ${MAX_COLUMN}: put it on the line above`);
        continue;
      }
      const parsed = parseMark(file.text.slice(at, Math.min(body[1], lineStart + line.length)));
      if (typeof parsed === 'string') {
        marks.ignored.push({ line: n, column: col + 1, why: parsed }); // it begins a comment: it was meant
        continue;
      }
      if (!marks.valid.has(n)) marks.valid.set(n, { ...parsed, line: n });
    }
  }
  return marks;
}

/** `ralph-guard-ignore <targets> -- <reason>` from the mark to the end of its comment on the line; a string says what is wrong. */
export function parseMark(text: string): Omit<Suppression, 'line'> | string {
  const parsed = parseSuppression(text);
  if (!parsed) return 'it names no rule as `<atom>` or `<atom>/<rule>`';
  if (!parsed.reason) return 'it gives no reason (add `-- <why this is safe>`)';
  return { targets: parsed.targets, reason: parsed.reason };
}

/** `atom[/rule]` targets separated by commas; sticky, and each repetition starts with a comma, so it cannot backtrack far. */
const TARGETS = /[\w\-/]+(?:\s*,\s*[\w\-/]+)*/y;

/**
 * The syntax of a mark on a line: `ralph-guard-ignore <targets> [-- <reason>]` ending the line, optionally closed
 * by `*\/` or `-->`. Parsed by hand, in time linear in the line (the regex this replaces took hours on a line of
 * spaces after "--"). Where the mark may stand, and that a reason is required, is `marksOf`'s business.
 */
export function parseSuppression(line: string): { targets: string[]; reason?: string } | null {
  let end = trimEnd(line, line.length);
  if (line.endsWith('*/', end)) end = trimEnd(line, end - 2);
  else if (line.endsWith('-->', end)) end = trimEnd(line, end - 3);
  const head = line.slice(0, end); // targets must not run into the closing marker
  for (let at = line.indexOf(MARK); at >= 0 && at < end; at = line.indexOf(MARK, at + 1)) {
    let i = at + MARK.length;
    if (!isSpace(line, i)) continue;
    while (isSpace(line, i)) i++;
    TARGETS.lastIndex = i;
    const targets = TARGETS.exec(head);
    if (!targets) continue;
    i = TARGETS.lastIndex;
    if (i === end) return { targets: splitTargets(targets[0]) };
    if (!isSpace(line, i)) continue;
    while (isSpace(line, i)) i++;
    if (!line.startsWith('--', i) || i + 2 > end) continue;
    const reason = line.slice(i + 2, end).trim();
    return { targets: splitTargets(targets[0]), ...(reason ? { reason } : {}) };
  }
  return null;
}

const isSpace = (text: string, i: number) => i < text.length && /\s/.test(text[i]!);

function trimEnd(text: string, end: number): number {
  while (end > 0 && isSpace(text, end - 1)) end--;
  return end;
}

function splitTargets(list: string): string[] {
  return list.split(',').map((t) => t.trim());
}

/** The suppression that covers a finding of `rule` (`atom/name`) on `line`: on that line or the line above. */
export function suppressionFor(file: SourceFile, rule: string, line: number): Suppression | null {
  if (!file.text.includes(MARK)) return null;
  const { valid } = marksOf(file);
  const atom = rule.slice(0, rule.indexOf('/'));
  for (const n of [line, line - 1]) {
    const s = valid.get(n);
    if (s?.targets.some((t) => t === atom || t === rule)) return s;
  }
  return null;
}

/** A problem with a mark, for the report: where, and what to do. */
export interface MarkWarning {
  line: number;
  column: number;
  message: string;
}

/**
 * What is wrong with the marks of a file: marks that do not count (and why), and targets that name no atom or
 * rule (`check(target)` returns what to say, with a "did you mean", or null for a known target).
 */
export async function markWarnings(
  file: SourceFile,
  check: (target: string) => Promise<string | null>,
): Promise<MarkWarning[]> {
  const { valid, ignored } = marksOf(file);
  const out: MarkWarning[] = ignored.map((m) => ({
    line: m.line,
    column: m.column,
    message: `This ${MARK} suppresses nothing: ${m.why}.`,
  }));
  for (const s of valid.values())
    for (const target of s.targets) {
      const problem = await check(target);
      if (problem) out.push({ line: s.line, column: 1, message: `This ${MARK} names ${problem}.` });
    }
  return out.sort((a, b) => a.line - b.line);
}
