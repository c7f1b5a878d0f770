/**
 * Decides which atoms look at which file: the atom's globs, the policy's
 * narrowing and ignore globs, then a keyword pre-filter on the text (no
 * keyword, no check).
 */
import picomatch from 'picomatch';
import type { AnyAtom, Level } from './atoms/atom.js';

/** An atom ready to run: built-in or made from the policy. */
export interface ActiveAtom {
  atom: AnyAtom;
  level: Exclude<Level, 'off'>;
  options: Record<string, unknown>;
  matches(path: string): boolean;
  /** Lower-case keywords; empty means every routed file is checked. */
  keywords: string[];
}

type Matcher = (path: string) => boolean;

/** Globs where `!glob` excludes: matched when any positive glob matches and no negative one does. */
export function globMatcher(globs: readonly string[]): Matcher {
  const positive = globs.filter((g) => !g.startsWith('!'));
  const negative = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const yes = positive.length ? compile(positive) : () => true;
  const no = negative.length ? compile(negative) : () => false;
  return (path) => yes(path) && !no(path);
}

/** Compiling globs is a visible part of start-up: each distinct list once, and `**` needs no regex. */
const compiled = new Map<string, Matcher>();
function compile(globs: readonly string[]): Matcher {
  if (globs.includes('**')) return () => true;
  const key = globs.join('\0');
  let matcher = compiled.get(key);
  if (!matcher) compiled.set(key, (matcher = picomatch([...globs], { dot: true })));
  return matcher;
}

export function activate(atom: AnyAtom, level: Exclude<Level, 'off'>, options: Record<string, unknown>, narrow: string[] | undefined, ignore: string[]): ActiveAtom {
  const own = globMatcher(atom.files);
  const narrowed = narrow?.length ? globMatcher(narrow) : () => true;
  const ignored = ignore.length ? compile(ignore) : () => false;
  return {
    atom,
    level,
    options,
    matches: (path) => own(path) && narrowed(path) && !ignored(path),
    keywords: atom.keywords.map((k) => k.toLowerCase()),
  };
}

/** The atoms that apply to a path, before looking at its content. */
export function routeByPath(atoms: readonly ActiveAtom[], path: string): ActiveAtom[] {
  return atoms.filter((a) => a.matches(path));
}

/** Of the atoms routed to a file, those whose keywords appear in its text. */
export function routeByKeywords(atoms: readonly ActiveAtom[], text: string): ActiveAtom[] {
  if (atoms.every((a) => a.keywords.length === 0)) return [...atoms];
  const lower = text.toLowerCase();
  return atoms.filter((a) => a.keywords.length === 0 || a.keywords.some((k) => lower.includes(k)));
}
