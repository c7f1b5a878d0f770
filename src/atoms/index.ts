/**
 * The built-in atoms, in the order reports and `ralph-guard atoms` list them:
 * one line per atom. A module is imported only when a changed file routes to
 * its atom, so a commit pays for the atoms its files need.
 */
import type { AnyAtom } from '../kit/atom.js';
import { headerOf, type AtomHeader } from '../router.js';
import type { GlobTable } from '../globs.js';

const MODULES: Record<string, () => Promise<{ default: AnyAtom }>> = {
  secrets: () => import('./secrets.js'),
  dependencies: () => import('./dependencies.js'),
  'sql-injection': () => import('./sql-injection.js'),
  'nosql-injection': () => import('./nosql-injection.js'),
  'command-injection': () => import('./command-injection.js'),
  'code-injection': () => import('./code-injection.js'),
  'path-traversal': () => import('./path-traversal.js'),
  xss: () => import('./xss.js'),
  ssrf: () => import('./ssrf.js'),
  'open-redirect': () => import('./open-redirect.js'),
  'prototype-pollution': () => import('./prototype-pollution.js'),
  'unsafe-deserialization': () => import('./unsafe-deserialization.js'),
  redos: () => import('./redos.js'),
  'password-hashing': () => import('./password-hashing.js'),
  jwt: () => import('./jwt.js'),
  'weak-crypto': () => import('./weak-crypto.js'),
  'insecure-random': () => import('./insecure-random.js'),
  tls: () => import('./tls.js'),
  'error-exposure': () => import('./error-exposure.js'),
  'sensitive-logging': () => import('./sensitive-logging.js'),
  'security-headers': () => import('./security-headers.js'),
  cors: () => import('./cors.js'),
  cookies: () => import('./cookies.js'),
  csrf: () => import('./csrf.js'),
  'input-validation': () => import('./input-validation.js'),
  'rate-limiting': () => import('./rate-limiting.js'),
  'file-upload': () => import('./file-upload.js'),
  'insecure-config': () => import('./insecure-config.js'),
};

export const BUILTIN_IDS: readonly string[] = Object.keys(MODULES);

const loaded = new Map<string, Promise<AnyAtom>>();

export function loadAtom(id: string): Promise<AnyAtom> {
  let atom = loaded.get(id);
  if (!atom) loaded.set(id, (atom = MODULES[id]!().then((m) => m.default)));
  return atom;
}

/** Every atom's header and the regexes of their globs, written by the build (scripts/atom-headers.ts) so routing loads no atom. */
declare const RALPH_GUARD_ATOM_HEADERS: { headers: AtomHeader[]; globs: GlobTable } | undefined;

export async function atomHeaders(): Promise<{ headers: AtomHeader[]; globs: GlobTable }> {
  if (typeof RALPH_GUARD_ATOM_HEADERS !== 'undefined') return RALPH_GUARD_ATOM_HEADERS;
  // Unbuilt (tests run the sources): read them off the atoms themselves.
  const atoms = await Promise.all(BUILTIN_IDS.map(loadAtom));
  return { headers: atoms.map(headerOf), globs: {} };
}
