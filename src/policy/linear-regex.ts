import { analyseRegex } from '../ast/regex.js';

/**
 * A conservative check that a policy's regex cannot backtrack catastrophically
 * on a long line: it must compile, and it may not use backreferences,
 * lookarounds, or a quantified group that itself contains a quantifier or an
 * alternation of overlapping branches — the shapes behind exponential and
 * polynomial blow-ups. Then the redos atom's automaton analysis
 * (src/ast/regex.ts) looks for what those rules cannot see: two repetitions
 * in a row that compete for the same characters (`\w*\w*`, `(?:a+){2}`,
 * `.+ *`), n² or worse. Safe patterns that trip it can be rewritten (a
 * character class instead of an alternation, one quantifier instead of two).
 *
 * What "linear" means here: one match attempt, at one position of a line,
 * takes time proportional to the line's length (test/property-regex.test.ts
 * times it on 50,000-character adversarial lines). A search tries every
 * position, so a line of a few MB with no match can still take long: the
 * atom's time budget (`atomTimeoutMs`, src/engine/budget.ts) bounds that.
 */
export function checkLinearRegex(source: string, flags = '', bounded = 8): string | null {
  return syntaxProblem(source, flags) ?? automatonProblem(source, flags, bounded);
}

/** `bounded`: repetitions of at most this many count as finite (each costs a constant per position, not a factor of the line). */
function automatonProblem(source: string, flags: string, bounded: number): string | null {
  let verdict;
  try {
    verdict = analyseRegex(source, flags, 4000, true, bounded);
  } catch (e) {
    return `the regex could not be analysed for catastrophic backtracking (${(e as Error).message}); simplify it`;
  }
  if (!verdict) return null;
  return verdict.kind === 'exponential'
    ? `it can match a run of "${verdict.char}" in exponentially many ways (overlapping repetitions): a line that almost matches takes seconds to hours; use one repetition or a character class`
    : `two repetitions next to each other both match "${verdict.char}" (like \\w*\\w* or .+ *): a long run of it takes quadratic time or worse; merge them into one, or make their characters disjoint`;
}

function syntaxProblem(source: string, flags: string): string | null {
  try {
    new RegExp(source, flags);
  } catch (e) {
    return `expected a valid regular expression: ${(e as Error).message}`;
  }
  if (/\\[1-9]|\\k</.test(source)) return 'backreferences can take exponential time; use a regex without them';
  if (/\(\?<?[=!]/.test(source))
    return 'lookarounds are not allowed in policy regexes (they can hide super-linear matching)';

  // Walk groups: remember whether each open group contains a quantifier.
  interface Group {
    quantified: boolean;
    alternation: boolean;
    /** First character of each branch ('*' when not a plain literal), to tell overlapping branches apart. */
    firsts: string[];
    expectFirst: boolean;
  }
  const open = (): Group => ({ quantified: false, alternation: false, firsts: [], expectFirst: true });
  const stack: Group[] = [open()];
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    const top = stack.at(-1)!;
    if (top.expectFirst && ch !== '(' && ch !== '|' && ch !== ')') {
      top.firsts.push(/[\\.[^$]/.test(ch) ? '*' : ch);
      top.expectFirst = false;
    }
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      // Skip a character class.
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (ch === '(') {
      if (top.expectFirst) {
        top.firsts.push('*');
        top.expectFirst = false;
      }
      stack.push(open());
      if (source[i + 1] === '?') i += source[i + 2] === ':' ? 2 : 1;
      continue;
    }
    if (ch === '|') {
      top.alternation = true;
      top.expectFirst = true;
    }
    if (ch === ')') {
      const group = stack.pop()!;
      if (stack.length === 0) return 'unbalanced parenthesis';
      const quantifier = source.slice(i + 1).match(/^(?:[*+]|\{\d+,\d*\})/);
      if (quantifier && group.quantified)
        return `a repeated group contains another quantifier ("…)${quantifier[0]}"): nested quantifiers can take exponential time`;
      const overlapping = group.firsts.includes('*') || new Set(group.firsts).size < group.firsts.length;
      if (quantifier && group.alternation && overlapping)
        return `a repeated group contains alternatives ("(a|b)${quantifier[0]}"): use a character class or branches that start with different characters`;
      if (group.quantified || quantifier) stack.at(-1)!.quantified = true;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?' || (ch === '{' && /^\{\d+(?:,\d*)?\}/.test(source.slice(i))))
      top.quantified = true;
  }
  return null;
}
