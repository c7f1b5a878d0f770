/**
 * The resolved policy: plain data, produced once by the validator (zod) and
 * cached, so the hot path only reads JSON. Types here mirror the schema in
 * `schema.ts`, which is the single source of what a policy may contain.
 */
import type { Level } from '../kit/atom.js';

export interface AtomSettings {
  /** The level the atom runs at; an atom at `review` runs at `warn` with `review` set. */
  level: Level;
  /** Level `review`: its findings are reported as warnings and refuse the change until a person acknowledges them (src/review/). */
  review?: true;
  /** Levels of single rules (rule name as in `ralph-guard explain`), as written; they override the atom's level for that rule's findings. */
  rules?: Record<string, Level | 'review'>;
  options: Record<string, unknown>;
  /** Extra globs that narrow (or, with `!`, exclude from) the atom's own files. */
  files?: string[];
  ignore?: string[];
}

export interface PatternCheck {
  type: 'pattern';
  name: string;
  regex: string;
  flags: string;
  message: string;
  fix?: string;
}

export interface CommandCheck {
  type: 'command';
  name: string;
  command: string;
  timeoutMs: number;
  message?: string;
  fix?: string;
}

export interface CustomAtom {
  id: string;
  title: string;
  criteria: { pass: string; fail: string };
  level: Level;
  review?: true;
  files: string[];
  ignore: string[];
  keywords: string[];
  checks: Array<PatternCheck | CommandCheck>;
}

export interface Policy {
  /** The policy file, or null for the built-in recommended policy. */
  file: string | null;
  failOn: 'block' | 'warn';
  failClosed: boolean;
  ignore: string[];
  maxFileBytes: number;
  /** Milliseconds one atom may spend on a run, over all its files (src/engine/budget.ts). */
  atomTimeoutMs: number;
  /** Threads checking a large change set (the main thread and workers): a count (1: the main thread alone), or `auto` (the cores, above a measured size). */
  workers?: number | 'auto';
  atoms: Record<string, AtomSettings>;
  custom: CustomAtom[];
  skills: Record<string, { description?: string; atoms: string[] }>;
  /** High-risk areas: levels of the built-in ones and the policy's own (src/review/areas.ts). */
  highRisk?: Record<
    string,
    { level?: 'review' | 'warn' | 'block' | 'off'; files?: string[]; tags?: string[]; title?: string }
  >;
  baseline: string;
  /** Regex sources of every glob above, compiled once at validation so a commit needs no glob compiler. */
  globs: Record<string, string>;
}

/** Where cosmiconfig looks for the `ralph` module's policy, in its order (cosmiconfig 9 defaults). */
export const SEARCH_PLACES = [
  'package.json',
  '.ralphrc',
  '.ralphrc.json',
  '.ralphrc.yaml',
  '.ralphrc.yml',
  '.ralphrc.js',
  '.ralphrc.ts',
  '.ralphrc.mjs',
  '.ralphrc.cjs',
  '.config/ralphrc',
  '.config/ralphrc.json',
  '.config/ralphrc.yaml',
  '.config/ralphrc.yml',
  '.config/ralphrc.js',
  '.config/ralphrc.ts',
  '.config/ralphrc.mjs',
  '.config/ralphrc.cjs',
  'ralph.config.js',
  'ralph.config.ts',
  'ralph.config.mjs',
  'ralph.config.cjs',
];

export const RECOMMENDED = 'ralph-guard:recommended';

/** The level a policy gives an atom, as written: `review` is `warn` plus the review flag. */
export const levelOf = (s: { level: Level; review?: true } | undefined): Level | 'review' =>
  s?.review ? 'review' : (s?.level ?? 'off');

/** The level a policy gives one rule of an atom: the rule's own entry, else its atom's level. */
export function ruleLevelOf(policy: Policy, atomId: string, rule: string): Level | 'review' {
  const builtin = policy.atoms[atomId];
  if (builtin) return builtin.rules?.[rule] ?? levelOf(builtin);
  return levelOf(policy.custom.find((c) => c.id === atomId));
}

/** The atoms (built-in and custom) with findings that wait for a person: the atom, or one of its rules, at `review`. */
export function reviewAtoms(policy: Policy): string[] {
  return [
    ...Object.entries(policy.atoms).flatMap(([id, s]) =>
      s.review || Object.values(s.rules ?? {}).includes('review') ? [id] : [],
    ),
    ...policy.custom.filter((c) => c.review).map((c) => c.id),
  ];
}

/** JS and TS policies are programs: read from git like any policy, but run only by the commands that judge (never by doctor, atoms, explain, skills, baseline). */
export const isProgram = (file: string) => /\.(?:[cm]?js|ts)$/.test(file);
