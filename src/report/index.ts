/**
 * The output formats: one module each, all with the signature of format.ts, and
 * what each needs of the run declared here. `check --format` accepts exactly
 * these names and the help lists them; a new format is one module and one entry.
 * A format's module is loaded only when it is asked for.
 */
import type { Format } from './format.js';

export interface Reporter {
  /** One line for the help. */
  description: string;
  /** Every finding needs a fingerprint (stable across edits). */
  fingerprints?: boolean;
  /** Every selected atom is loaded for the report, not only those that ran (to list all rules, or show secure patterns). */
  allAtoms?: boolean;
  load(): Promise<Format>;
}

export const REPORTERS = {
  pretty: {
    description: 'for a person at a terminal (the default)',
    load: async () => (await import('./pretty.js')).formatPretty,
  },
  json: {
    description: 'findings, suppressed findings, failures and notes as JSON',
    load: async () => (await import('./json.js')).formatJson,
  },
  sarif: {
    description: 'SARIF 2.1.0 for code scanning (GitHub, GitLab)',
    fingerprints: true,
    allAtoms: true,
    load: async () => (await import('./sarif.js')).formatSarif,
  },
  agent: {
    description: 'short Markdown for an AI coding assistant: what failed, the fix, the secure pattern',
    allAtoms: true,
    load: async () => (await import('./agent.js')).formatAgent,
  },
} satisfies Record<string, Reporter>;

export type FormatName = keyof typeof REPORTERS;

export const FORMAT_NAMES = Object.keys(REPORTERS) as FormatName[];

export function isFormat(name: string): name is FormatName {
  return Object.hasOwn(REPORTERS, name);
}

/** The reporter of a format name (checked with `isFormat`). */
export function reporter(name: FormatName): Reporter {
  return REPORTERS[name];
}
