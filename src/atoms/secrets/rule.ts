/**
 * The shape of a secrets rule as data, and the small helpers the rule tables
 * are written with. A provider rule is a gitleaks-style entry: id,
 * description, a linear regex, keywords for the pre-filter, an optional
 * entropy floor and structure check, and its own true- and false-positive
 * samples (built at run time: no real-looking key is stored anywhere).
 */

/** What a rule's check sees besides the matched value. */
export interface MatchContext {
  /** The whole line the value is on. */
  line: string;
  path: string;
  /** The regex match (for rules whose check looks at other groups, such as a URL's user and host). */
  match: RegExpExecArray;
}

export interface ProviderRule {
  /** Stable kebab-case rule name: findings are `secrets/<id>`. */
  id: string;
  /** What the credential is, as a noun phrase: "Stripe live secret key". */
  description: string;
  /** Where the owner revokes or rolls it: "the Stripe dashboard (Developers → API keys)". */
  rotate: string;
  /** Lower-case literals; the rule runs only on lines holding one of them. */
  keywords: string[];
  /** Only in files whose path matches (a tool's own configuration file). */
  paths?: RegExp;
  /** A linear regex: bounded repetition, no nested quantifiers, no lookarounds. Group 1, if any, is the secret. */
  regex: RegExp;
  /** The capture group holding the secret; default: the first group that matched (or the whole match). */
  secretGroup?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /**
   * Reported only in a file that also holds each of these patterns somewhere (a kubeconfig's `kind: Config`), or
   * whose path matches `orPath`. The marker may come after the value: decided once the whole file was scanned.
   */
  marker?: { all: RegExp[]; orPath?: RegExp };
  /** Checksum or structure check; false means a look-alike. */
  validate?(secret: string, context: MatchContext): boolean;
  /** A failed `validate` proves the text is not a credential (a checksum, a structure), so the generic rule stays silent on it too. */
  conclusive?: boolean;
  /** Overrides the generated message. */
  message?: string;
  samples(): Samples;
}

export interface Sample {
  /** The code (one or more lines) holding the secret. */
  code: string;
  /** The secret in it: found by the rule, and never printed by any output. */
  secret: string;
  /** The path the code is checked as (default `src/config.ts`). */
  file?: string;
}

export interface NegativeSample {
  code: string;
  file?: string;
}

export interface Samples {
  tp: Sample[];
  fp: Array<string | NegativeSample>;
}

export const DEFAULT_SAMPLE_FILE = 'src/config.ts';

/** A true positive: `code` is built around `secret`. */
export function tp(secret: string, code: (s: string) => string, file?: string): Sample {
  return { code: code(secret), secret, ...(file ? { file } : {}) };
}

/** Common ways a key lands in code. */
export const as = {
  code: (name: string) => (s: string) => `const ${name} = '${s}';`,
  json: (name: string) => (s: string) => `{ "${name}": "${s}" }`,
  env: (name: string) => (s: string) => `${name}=${s}`,
  yaml: (name: string) => (s: string) => `  ${name}: ${s}`,
  header: (scheme: string) => (s: string) => `headers: { Authorization: \`${scheme} ${s}\` },`,
  arg: (s: string) => `client.login("${s}");`,
};

/** A case-insensitive literal without the `i` flag, so the value part of a regex keeps its case: `ci('aws')` → `[Aa][Ww][Ss]`. */
export function ci(word: string): string {
  return word.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
}

/**
 * A value assigned to a name that mentions the provider: `HEROKU_API_KEY=…`,
 * `herokuToken: "…"`, `"heroku_key": "…"`, `new Heroku("…")`,
 * `new HerokuClient({ token: "…" })`. `name` is a regex
 * source (use `ci()` for words); `value` is the secret's own pattern. Every
 * repetition is bounded, so the regex is linear on any line.
 */
export function named(name: string, value: string): RegExp {
  return new RegExp(
    `(?:${name})[\\w.-]{0,40}["'\`\\]]{0,2}[ \\t]{0,4}(?:=|:=|=>|:|,|\\?\\?|\\|\\||\\()[ \\t]{0,4}(?:["'\`]|[\\w.]{1,20}\\(["'\`]|\\{[ \\t]{0,4}[\\w'"]{1,30}[ \\t]{0,4}:[ \\t]{0,4}["'\`])?(${value})(?:[^\\w+/=-]|$)`,
  );
}

export const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
