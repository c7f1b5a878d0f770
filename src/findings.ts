/** Findings are data: atoms produce them, the filter drops some, reporters print them. */
import type { Severity } from './kit/atom.js';

export interface Finding {
  atom: string;
  /** `<atom>/<name>`. */
  rule: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine?: number;
  message: string;
  /** The atom's fail criterion: what this finding means. */
  criterion: string;
  fix?: string;
  /** The line, trimmed, with any secret masked. */
  excerpt: string;
  /** The commit that added it (push and range mode). */
  commit?: string;
  /**
   * `<hash>:<occurrence>` of the rule, the file and the normalised (masked)
   * line text: stable across edits elsewhere in the file (baseline, SARIF).
   * Computed only when a baseline or a format needs it.
   */
  fingerprint?: string;
}

export interface Suppressed extends Finding {
  suppression: { kind: 'inline' | 'baseline'; reason?: string };
}

/** An atom that failed to run on a file: reported, never fatal for the others. */
export interface AtomFailure {
  atom: string;
  file: string;
  message: string;
}

export interface Summary {
  mode: string;
  /** Which version of the files was judged: "as staged", "on disk", "in the commits pushed"… (set by the CLI). */
  judged?: string;
  files: number;
  atoms: number;
  blocked: boolean;
  suppressed: number;
  durationMs: number;
}

export interface Report {
  findings: Finding[];
  suppressed: Suppressed[];
  failures: AtomFailure[];
  /** Things the user should know that are not findings (skipped files, missing data); each skip is one of them. */
  notes: string[];
  /** Files, or atoms on a file, not checked, and why (each also in `notes`, as its `note`). */
  skipped?: Skip[];
  summary: Summary;
  /** For reporters: the atoms that ran, to print criteria, examples and rules. */
  atoms: ReadonlyArray<import('./kit/atom.js').AnyAtom>;
  /** The high-risk areas the change touches and whether a person acknowledged each (src/review/). */
  reviews?: import('./review/acknowledgement.js').Review[];
  /** The level each atom ran at, and each rule the policy gives a level of its own (`<atom>/<rule>`): SARIF's default configuration. */
  levels?: Record<string, 'block' | 'warn'>;
}

/** A file not checked, or checked only in part: `reason` groups alike skips, `note` is its line in `notes`. */
export interface Skip {
  file: string;
  reason: string;
  note: string;
}
