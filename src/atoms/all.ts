/**
 * Every built-in atom, loaded: for the commands that show or validate all of
 * them (explain, atoms, skills, the policy schema, reports that list rules).
 * The hot path uses the lazy registry instead.
 */
import type { AnyAtom } from '../kit/atom.js';
import { BUILTIN_IDS, loadAtom } from './index.js';

export const BUILTIN_ATOMS: readonly AnyAtom[] = await Promise.all(BUILTIN_IDS.map(loadAtom));

export function builtinAtom(id: string): AnyAtom | undefined {
  return BUILTIN_ATOMS.find((a) => a.id === id);
}
