/** The built-in atoms, in the order reports and `ralph-guard atoms` list them. One line per atom. */
import type { AnyAtom } from './atom.js';
import secrets from './secrets.js';
import sqlInjection from './sql-injection.js';
import passwordHashing from './password-hashing.js';
import dependencies from './dependencies.js';

export const BUILTIN_ATOMS: readonly AnyAtom[] = [secrets, sqlInjection, passwordHashing, dependencies];

export function builtinAtom(id: string): AnyAtom | undefined {
  return BUILTIN_ATOMS.find((a) => a.id === id);
}
