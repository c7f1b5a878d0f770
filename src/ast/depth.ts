/**
 * How deep a script nests, measured before the parser sees it. oxc-parser
 * recurses on its native stack for every nesting construct (brackets, but also
 * `a ? b : a ? …`, `a = b = …`, `x => x => …`, `else if` chains, `new new …`,
 * prefix operators, JSX, type arguments), and at some 6,000 levels it
 * overflows: a segfault that takes the whole process down, which no try/catch
 * can stop. So a file is parsed only when this cheap, linear, deliberately
 * generous count stays under a limit no hand-written code reaches.
 *
 * The count: every open bracket (`(`, `[`, `{`, `${`) is a level, and inside
 * one, every token that can nest without brackets (`?`, `:`, `=`, `=>`, `<`,
 * `**`, a prefix `!` `~` `-` `+`, keywords such as `if`, `new`, `typeof`) is
 * a level too until the next `;` or `,` of that bracket, which ends the chain.
 * An `else` is a quarter level that `;` does not end (a chain of `else if …;`).
 */

/** Beyond this many levels a file is not parsed; code atoms run their reduced line checks on it. */
export const MAX_NESTING = 1000;

const NESTING_WORDS = new Set([
  'if',
  'for',
  'while',
  'do',
  'with',
  'new',
  'typeof',
  'void',
  'delete',
  'await',
  'yield',
  'keyof',
]);
/** Words after which a `/` starts a regular expression, not a division. */
const BEFORE_EXPRESSION = new Set([
  ...NESTING_WORDS,
  'else',
  'return',
  'throw',
  'case',
  'in',
  'of',
  'instanceof',
  'extends',
  'export',
  'default',
]);

/** ASCII characters of names (1) and digits (2); anything beyond ASCII counts as a name character. */
const CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) CHAR[c] = /[A-Za-z_$\\]/.test(String.fromCharCode(c)) ? 1 : c >= 48 && c <= 57 ? 2 : 0;
const isIdentStart = (c: number) => c > 127 || CHAR[c] === 1;
const isIdentPart = (c: number) => c > 127 || CHAR[c] !== 0;

/**
 * The nesting level at which `text` first goes beyond `limit`, or null when it
 * never does. Strings, comments, regular expressions and template text are
 * skipped roughly (a mistake there only moves the count a little).
 */
export function nestingBeyond(text: string, limit = MAX_NESTING): number | null {
  return fewNesters(text, limit) ? null : countNesting(text, limit);
}

/**
 * Every level the count adds is at its own one of these characters or words (strings and comments hold
 * more of them, which only loosens the bound), so a text with at most `limit` of them cannot go beyond it:
 * most files are answered by one native regex pass instead of the character loop (20 files: ~25 → ~3 ms).
 */
const NESTERS = /[([{$?=<:*!~+-]|\b(?:if|for|while|do|with|new|typeof|void|delete|await|yield|keyof|else)\b/g;
function fewNesters(text: string, limit: number): boolean {
  let levels = 1; // the count starts at 1
  NESTERS.lastIndex = 0;
  while (levels <= limit && NESTERS.exec(text)) levels++;
  return levels <= limit;
}

/** The count itself (exported for the test that the bound above never changes its answer). */
export function countNesting(text: string, limit: number): number | null {
  // The open brackets, innermost last: the chain inside each, its `else`s, and whether `${` opened it
  // (its `}` goes back into template text).
  const chains = [0];
  const elses = [0];
  const templates = [false];
  let total = 1;
  /** The last token ended a value (a name, literal, `)`): a `/` after it divides, a `-` is binary. */
  let afterValue = false;
  const n = text.length;
  let i = 0;

  const level = () => {
    chains[chains.length - 1]!++;
    total++;
  };
  /** Skips template text from `i` (after the backtick or a substitution's `}`); true when it stopped at a `${`. */
  const templateText = (): boolean => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 96) {
        i++;
        return false;
      } else if (c === 36 && text.charCodeAt(i + 1) === 123) {
        i += 2;
        return true;
      } else i++;
    }
    return false;
  };
  const open = (template: boolean) => {
    chains.push(0);
    elses.push(0);
    templates.push(template);
    total++;
  };

  while (i < n) {
    if (total > limit) return Math.floor(total);
    const c = text.charCodeAt(i);
    // Space.
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      i++;
      continue;
    }
    // Comments, regular expressions, division.
    if (c === 47) {
      const next = text.charCodeAt(i + 1);
      if (next === 47) {
        const end = text.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (next === 42) {
        const end = text.indexOf('*/', i + 2);
        i = end < 0 ? n : end + 2;
      } else if (!afterValue) {
        // A regular expression: to the closing `/` outside a class, on this line.
        let inClass = false;
        for (i++; i < n; i++) {
          const r = text.charCodeAt(i);
          if (r === 92) i++;
          else if (r === 10) break;
          else if (r === 91) inClass = true;
          else if (r === 93) inClass = false;
          else if (r === 47 && !inClass) break;
        }
        i++;
        afterValue = true;
      } else {
        i++;
        afterValue = false;
      }
      continue;
    }
    // Strings: to the closing quote, or the end of the line (JSX text with an apostrophe).
    if (c === 34 || c === 39) {
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === 92) i++;
        else if (s === c || s === 10) break;
      }
      i++;
      afterValue = true;
      continue;
    }
    if (c === 96) {
      i++;
      if (templateText()) open(true);
      else afterValue = true;
      continue;
    }
    if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      // Only short lower-case words can be keywords: no string is made for the others.
      const word = i - start <= 10 && c >= 97 ? text.slice(start, i) : '';
      if (word === 'else') {
        elses[elses.length - 1]!++;
        total += 0.25;
      } else if (NESTING_WORDS.has(word)) level();
      afterValue = !BEFORE_EXPRESSION.has(word);
      continue;
    }
    if (c >= 48 && c <= 57) {
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      afterValue = true;
      continue;
    }
    i++;
    const next = text.charCodeAt(i);
    switch (c) {
      case 40: // (
      case 91: // [
      case 123: // {
        open(false);
        afterValue = false;
        break;
      case 41: // )
      case 93: // ]
      case 125: {
        // }
        afterValue = true;
        if (chains.length === 1) break; // more closed than opened: not ours to judge
        total -= 1 + chains.pop()! + elses.pop()! / 4;
        if (templates.pop() && templateText()) open(true);
        break;
      }
      case 59: // ;
      case 44: {
        // ,
        total -= chains[chains.length - 1]!;
        chains[chains.length - 1] = 0;
        afterValue = false;
        break;
      }
      case 63: // ? (not ?. or ??)
        if (next === 46 || next === 63) i++;
        else level();
        afterValue = false;
        break;
      case 61: // = == === =>
        if (next === 61) i += text.charCodeAt(i + 1) === 61 ? 2 : 1;
        else {
          if (next === 62) i++;
          level();
        }
        afterValue = false;
        break;
      case 60: // < (JSX, type arguments, comparison); not << or <=
        if (next === 60 || next === 61) i++;
        else level();
        afterValue = false;
        break;
      case 58: // :
        level();
        afterValue = false;
        break;
      case 42: // * **
        if (next === 42) {
          i++;
          level();
        }
        afterValue = false;
        break;
      case 33: // ! != !==
      case 126: // ~
      case 45: // -
      case 43: // +
        if ((c === 45 || c === 43) && next === c)
          i++; // ++ --: no change of afterValue
        else {
          if (next === 61)
            i += text.charCodeAt(i + 1) === 61 ? 2 : 1; // != !== -= +=
          else if (!afterValue) level(); // a prefix operator nests
          afterValue = false;
        }
        break;
      default:
        afterValue = c === 41 || c === 93;
    }
  }
  return total > limit ? Math.floor(total) : null;
}
