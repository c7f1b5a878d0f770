/** What a check returns: plain data, imported by the parser layer without the atom contract. */

/** A place in a file where a rule failed, as an atom reports it. */
export interface Hit {
  /** Short rule name, a key of the atom's `rules`. */
  rule: string;
  line: number;
  /** 1-based column. */
  column: number;
  endLine?: number;
  endColumn?: number;
  /**
   * Which of the rule's `messages` to say (as ESLint's messageId), its `{placeholders}` filled from
   * `data`; without it, the finding says the rule's `message`.
   */
  messageId?: string;
  /** Values for the message's placeholders: names, code, counts (never a secret value). */
  data?: Record<string, string | number>;
  /** Spans [startColumn, endColumn) on `line` that hold a secret and must be masked in any excerpt. */
  mask?: Array<[number, number]>;
  /** Other lines the flowing data passed through (source, assignments, a helper's call site): the hit touches the change when one of them is added. */
  flow?: number[];
  /** `warning`: reported but never blocking, even when the atom's level is block (a low-severity advisory). */
  severity?: 'warning';
  /** Set by the engine, not atoms: the hit appeared because the change deleted a control, so it counts off the added lines. */
  removedControl?: true;
}
