/**
 * Decides which atoms look at which file: the atom's globs, the policy's
 * narrowing and ignore globs, then a keyword pre-filter on the text (no
 * keyword, no check). Routing works from each atom's header (its id, globs
 * and keywords), so an atom's module is loaded only when a file needs it.
 */
import type { AnyAtom, Level } from './kit/atom.js';
import { anyGlob, globMatcher } from './globs.js';

/** What routing needs to know of an atom, without loading it. */
export interface AtomHeader {
  id: string;
  defaultLevel: Level;
  files: string[];
  keywords: string[];
  /** The atom judges files it cannot read (binary, too large) by their name. */
  checksSkipped: boolean;
}

export function headerOf(atom: AnyAtom): AtomHeader {
  return {
    id: atom.id,
    defaultLevel: atom.defaultLevel,
    files: atom.files,
    keywords: atom.keywords,
    checksSkipped: Boolean(atom.checkSkipped),
  };
}

/** An atom ready to run: built-in or made from the policy. */
export interface ActiveAtom {
  id: string;
  level: Exclude<Level, 'off'>;
  /** Levels the policy gives single rules (`review` runs as `warn`); a rule not named here is at `level`, or off with `othersOff`. */
  rules?: Record<string, Level>;
  /** The atom is off and only the rules named in `rules` run. */
  othersOff?: true;
  options: Record<string, unknown>;
  matches(path: string): boolean;
  /** Lower-case keywords; empty means every routed file is checked. */
  keywords: string[];
  checksSkipped: boolean;
  /** The atom's module, loaded on first use and then kept in `atom`. */
  load(): Promise<AnyAtom>;
  atom?: AnyAtom;
}

export function activate(
  header: AtomHeader,
  load: () => Promise<AnyAtom>,
  level: Exclude<Level, 'off'>,
  options: Record<string, unknown>,
  narrow: string[] | undefined,
  ignore: string[],
): ActiveAtom {
  const own = globMatcher(header.files);
  const narrowed = narrow?.length ? globMatcher(narrow) : () => true;
  const ignored = ignore.length ? anyGlob(ignore) : () => false;
  let loading: Promise<AnyAtom> | undefined;
  const active: ActiveAtom = {
    id: header.id,
    level,
    options,
    matches: (path) => own(path) && narrowed(path) && !ignored(path),
    keywords: header.keywords.map((k) => k.toLowerCase()),
    checksSkipped: header.checksSkipped,
    load: () => (loading ??= load().then((atom) => (active.atom = atom))),
  };
  return active;
}

/** The level a hit of `rule` is reported at: the rule's own level in the policy, else its atom's. */
export function ruleLevel(active: ActiveAtom, rule: string): Level {
  return active.rules?.[rule] ?? (active.othersOff ? 'off' : active.level);
}

/** The atoms that apply to a path, before looking at its content. */
export function routeByPath(atoms: readonly ActiveAtom[], path: string): ActiveAtom[] {
  return atoms.filter((a) => a.matches(path));
}

/** Of the atoms routed to a file, those whose keywords appear in its text. */
export function routeByKeywords(atoms: readonly ActiveAtom[], text: string): ActiveAtom[] {
  if (atoms.every((a) => a.keywords.length === 0)) return [...atoms];
  const found = keywordsIn(text.toLowerCase(), keywordSearch(atoms));
  return atoms.filter((a) => a.keywords.length === 0 || a.keywords.some((k) => found.has(k)));
}

/** A search for a set of keywords: one pass over a text finds which of them it holds. */
interface KeywordSearch {
  /** At every position, the longest keyword that starts there (a zero-width match, so overlapping ones are seen too). */
  longest: RegExp;
  /** The keywords a keyword starts with: found wherever it is (computed for the keywords met). */
  prefixes: (keyword: string) => string[];
}

/** Searches by the atoms they are for (each atom known by a serial number: a file's atoms are one of few sets). */
const searches = new Map<string, KeywordSearch>();
const serials = new WeakMap<ActiveAtom, number>();
let nextSerial = 0;
const serialOf = (atom: ActiveAtom) => {
  let serial = serials.get(atom);
  if (serial === undefined) serials.set(atom, (serial = nextSerial++));
  return serial;
};

function keywordSearch(atoms: readonly ActiveAtom[]): KeywordSearch {
  const key = atoms.map(serialOf).join();
  let search = searches.get(key);
  if (!search) {
    const keywords = [...new Set(atoms.flatMap((a) => a.keywords))].sort((a, b) => b.length - a.length);
    const escaped = keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    // A keyword's prefixes start with its first character: only those keywords are compared.
    const byFirst = new Map<string, string[]>();
    for (const k of keywords) byFirst.set(k[0] ?? '', [...(byFirst.get(k[0] ?? '') ?? []), k]);
    const prefixes = new Map<string, string[]>();
    search = {
      longest: new RegExp(`(?=(${escaped.join('|')}))`, 'g'),
      prefixes: (keyword) => {
        let list = prefixes.get(keyword);
        if (!list) {
          const sameFirst = [...(byFirst.get(keyword[0] ?? '') ?? []), ...(byFirst.get('') ?? [])];
          prefixes.set(keyword, (list = sameFirst.filter((k) => keyword.startsWith(k))));
        }
        return list;
      },
    };
    if (searches.size > 32) searches.clear(); // a long-lived process that sees many policies (tests)
    searches.set(key, search);
  }
  return search;
}

/**
 * The keywords that occur in `lower`, in one pass over it: asking `includes` for each of the ~200 keywords
 * read every file ~200 times (15 ms of a 20-file commit, seconds of a 5,000-file one).
 */
function keywordsIn(lower: string, { longest, prefixes }: KeywordSearch): Set<string> {
  const found = new Set<string>();
  for (const match of lower.matchAll(longest)) for (const k of prefixes(match[1]!)) found.add(k);
  return found;
}
