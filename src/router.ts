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
  const lower = text.toLowerCase();
  return atoms.filter((a) => a.keywords.length === 0 || a.keywords.some((k) => lower.includes(k)));
}
