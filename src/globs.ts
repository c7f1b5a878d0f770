/**
 * Glob matching for routing. Compiling a glob to a regex is a visible part of
 * a commit's start-up, so regexes are compiled ahead of time where the globs
 * are known — the built-in atoms' at build time, the policy's when it is
 * validated — and picomatch compiles only what an atom asks at run time.
 */
import { createRequire } from 'node:module';
import type picomatchType from 'picomatch';

export type Matcher = (path: string) => boolean;

/** Regex sources by glob, compiled ahead of time. */
export type GlobTable = Record<string, string>;

const OPTIONS = { dot: true };
const regexes = new Map<string, RegExp>();

/** picomatch, loaded on the first glob that was not compiled ahead of time (a runtime dependency kept out of the bundle for that). */
let compiler: typeof picomatchType | undefined;
const picomatch = () => (compiler ??= createRequire(import.meta.url)('picomatch') as typeof picomatchType);

/** The regex source of a glob (dotfiles match, as everywhere in ralph-guard). */
export function compileGlob(glob: string): string {
  return picomatch().makeRe(glob, OPTIONS).source;
}

/** Regex sources for every glob of a list, `!` negations included (as their positive glob). */
export function compileGlobs(globs: Iterable<string>): GlobTable {
  const table: GlobTable = {};
  for (const g of globs) {
    const glob = g.startsWith('!') ? g.slice(1) : g;
    if (glob !== '**') table[glob] ??= compileGlob(glob);
  }
  return table;
}

/** Makes compiled globs available to every matcher built afterwards. */
export function useCompiledGlobs(table: GlobTable): void {
  for (const [glob, source] of Object.entries(table)) if (!regexes.has(glob)) regexes.set(glob, new RegExp(source));
}

function regexFor(glob: string): RegExp {
  let regex = regexes.get(glob);
  if (!regex) regexes.set(glob, (regex = picomatch().makeRe(glob, OPTIONS)));
  return regex;
}

/** Matches any of the globs; `**` matches everything. */
export function anyGlob(globs: readonly string[]): Matcher {
  if (globs.includes('**')) return () => true;
  const list = globs.map(regexFor);
  return (path) => list.some((r) => r.test(path));
}

/** Globs where `!glob` excludes: matched when any positive glob matches and no negative one does. */
export function globMatcher(globs: readonly string[]): Matcher {
  const positive = globs.filter((g) => !g.startsWith('!'));
  const negative = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const yes = positive.length ? anyGlob(positive) : () => true;
  const no = negative.length ? anyGlob(negative) : () => false;
  return (path) => yes(path) && !no(path);
}
