/**
 * The atom model. An atom is one security-critical unit with binary criteria;
 * `src/atoms/<id>.ts` holds everything about it (criteria, rules, examples,
 * check) in one `defineAtom({...})`.
 */
import type * as z from 'zod';
import type { Parsed } from '../ast/parse.js';
import type { Hit } from './hit.js';

export type { Hit };

export type Level = 'block' | 'warn' | 'off';
export type Severity = 'error' | 'warning';

export interface Rule {
  /** What is wrong, in one sentence a developer acts on. */
  message: string;
  /**
   * The rule's specific messages by id, with `{name}` placeholders a hit fills from its `data`
   * (ESLint's meta.messages): every text an atom can say is declared with its rule.
   */
  messages?: Record<string, string>;
  /** How to fix it. */
  fix: string;
}

export interface Example {
  /** Path the example is checked as (its extension decides routing). */
  file: string;
  code: string;
  /** Only for `bad`: the 1-based lines that must be flagged. Defaults to the lines marked with `✗`. */
  lines?: number[];
  /**
   * Other files of the repository around the example, by path (a helper module, a model): a shape
   * that takes two files. The example's own file is the one checked and flagged.
   */
  others?: Record<string, string>;
  /** Options to check the example with, when it shows an option at work. */
  options?: Record<string, unknown>;
  /**
   * Only for `good`: why this example never reaches the check (its path is outside the atom's files, or
   * its text holds none of the keywords). Every other good example must reach the check, so it tests it.
   */
  unrouted?: string;
}

/** What an atom sees of one file. */
export interface SourceFile {
  /** Repository-relative path with forward slashes. */
  path: string;
  text: string;
  /** Lines of `text` (without terminators), computed once per file. */
  lines(): string[];
  /** `lines()[n - 1]` without splitting the whole text: for a few lines of a large file (a modified lockfile). */
  line(n: number): string | undefined;
  /** True when the whole file is new (or `--all`): every line counts as added. */
  allAdded: boolean;
  /** 1-based line numbers added by the change (ascending); meaningless when `allAdded`. */
  added: readonly number[];
  isAdded(line: number): boolean;
  /** 1-based line and column of an offset in `text`. */
  position(offset: number): { line: number; column: number };
  /**
   * The parsed module (src/ast), parsed on first call and shared by every atom
   * checking this file; the parser is loaded only then. A file the parser
   * rejects gives `{ ok: false, reason }`: run a reduced check and say so.
   */
  ast(): Promise<Parsed>;
  /**
   * The parse when it is already done, else undefined. The engine parses a
   * file before calling a check marked with `parsesFirst`, so that check can
   * analyse synchronously, where its time budget can stop it (src/engine/budget.ts).
   */
  parsedNow?(): Parsed | undefined;
}

/**
 * The repository around the change, for atoms judged over a whole app rather
 * than one line: the index in staged mode, the commit's tree in push and
 * range mode, the disk in worktree mode. Nothing is listed or read until an
 * atom asks; the listing is made once per run (per commit), each file is
 * read once, binary and over-size files read as null, the policy's ignored
 * paths are left out.
 */
export interface ProjectView {
  /** Repository-relative paths matching the globs (picomatch; `!` excludes). */
  files(globs: readonly string[]): Promise<string[]>;
  /** Of `files(globs)`, those whose text matches the pattern (read in one pipelined pass). */
  grep(globs: readonly string[], pattern: RegExp): Promise<string[]>;
  /** A file's text as it is on the same side of the change (index, commit or disk); null when it is absent, binary or larger than the policy's maxFileBytes. Does not list the repository. */
  read(path: string): Promise<string | null>;
  /** A file as a SourceFile with no added lines; its `ast()` shares the parse cache of the change's own files. */
  source(path: string): Promise<SourceFile | null>;
}

/** What the rest of the change (and the repository) looks like, for atoms that judge more than one file. */
export interface CheckContext<O> {
  options: O;
  /** Which change set this is: staged, push, range, all or worktree. */
  mode: string;
  /** True with `check --online`: an atom may ask the network (with timeouts); otherwise it must not. */
  online: boolean;
  /** The old version of this file before the change (lockfiles compare both); null for new files. */
  readOld(): Promise<string | null>;
  /** True when the change set also changes `path` (a package.json and its lockfile). */
  changes(path: string): boolean;
  /** Adds a note to the report (once per distinct text): missing data, reduced checks. */
  note(text: string): void;
  /** The other modules of the repository, read lazily through git (see ProjectView). */
  project: ProjectView;
}

export interface AtomDefinition<O = Record<string, never>> {
  id: string;
  title: string;
  criteria: { pass: string; fail: string };
  /** Globs (picomatch) of the files the atom applies to; `!`-prefixed ones exclude. */
  files: string[];
  /** Cheap pre-filter: a file whose text holds none of these (case-insensitive) is not checked. Empty: always checked. */
  keywords: string[];
  defaultLevel: Level;
  rules: Record<string, Rule>;
  examples: { bad: Example[]; good: Example[] };
  /**
   * The options schema, built by the policy validator with the zod it loaded,
   * so that zod is never imported on the hot path (nor is the regex checker,
   * handed in the same way). Defaults live here only.
   */
  options?: (zod: typeof z, checks: OptionChecks) => z.ZodType<O>;
  check(file: SourceFile, ctx: CheckContext<O>): Hit[] | Promise<Hit[]>;
  /**
   * Optional: findings for a file whose content is not read (binary, or over
   * `maxFileBytes`), from its path alone, such as a committed keystore.
   */
  checkSkipped?(file: Pick<SourceFile, 'path'>, ctx: CheckContext<O>): Hit[];
  /**
   * Optional: reads a file over `maxFileBytes` a segment at a time (src/engine/oversized.ts), finding what
   * `check` finds in the whole file. Only the secrets atom does.
   */
  stream?(file: Pick<SourceFile, 'path' | 'allAdded' | 'added'>, ctx: CheckContext<O>): SegmentReader;
}

/** A part of a file too large to hold, as an atom's stream reads it. */
export interface FileSegment {
  /** The segment's text; its line 1 is line `firstLine` of the file, and `added` is relative to it. */
  source: SourceFile;
  firstLine: number;
  /** Characters of the file's line `firstLine` before the segment starts (a line cut in two). */
  firstColumn: number;
  /** [from, to): the offsets of `source.text` this segment answers for (segments overlap; each place has one owner). */
  owned: [number, number];
  /** Characters at the start of `source.text` that the segment before also held. */
  overlap: number;
}

/** An atom's reader of one file's segments: the hits, each batch with the segment its lines count from. */
export interface SegmentReader {
  segment(part: FileSegment): Array<{ part: FileSegment; hits: Hit[] }>;
  /** What could be decided only once the whole file was read. */
  end(): Array<{ part: FileSegment; hits: Hit[] }>;
}

export type AnyAtom = AtomDefinition<any>;

/** Identity with types: one place to hang the atom contract. */
export function defineAtom<O = Record<string, never>>(atom: AtomDefinition<O>): AtomDefinition<O> {
  return atom;
}

/** Validation helpers the policy validator lends to an atom's options schema. */
export interface OptionChecks {
  /** Why a regex from the policy is unsafe to run on every line (src/policy/linear-regex.ts), or null. */
  regexProblem(source: string, flags?: string): string | null;
}

/** `compute` once per file: a predicate both the engine (should it parse first?) and the check ask. */
export function perFile<T>(compute: (file: SourceFile) => T): (file: SourceFile) => T {
  const known = new WeakMap<SourceFile, T>();
  return (file) => {
    if (!known.has(file)) known.set(file, compute(file));
    return known.get(file)!;
  };
}

const PARSES_FIRST = Symbol('parsesFirst');

/**
 * Marks a check that reads `file.ast()` on the files `when` accepts: the engine
 * parses such a file before calling it (see `SourceFile.parsedNow`).
 */
export function parsesFirst<F extends AnyAtom['check']>(check: F, when: (file: SourceFile) => boolean = () => true): F {
  return Object.assign(check, { [PARSES_FIRST]: when });
}

export function wantsParse(check: AnyAtom['check'], file: SourceFile): boolean {
  const when = (check as { [PARSES_FIRST]?: (file: SourceFile) => boolean })[PARSES_FIRST];
  return when ? when(file) : false;
}

/** Lines flagged in a bad example: explicit `lines`, else every line holding the ✗ marker. */
export function expectedLines(example: Example): number[] {
  if (example.lines) return example.lines;
  const lines: number[] = [];
  example.code.split('\n').forEach((text, i) => {
    if (text.includes('✗')) lines.push(i + 1);
  });
  return lines;
}

/** The messages of `CodeModule.flowHit`: a rule that reports a flow declares them (`messages: { ...FLOW_MESSAGES }`). */
export const FLOW_MESSAGES = {
  reaches: '{source} (line {line}) reaches {sink}.',
  reachesThrough: '{source} (line {line}) reaches {sink} at line {sinkLine} through {helper}().',
  /** A helper of another module (src/kit/summaries.ts): reported at the call that passes it the data. */
  across: '{source} (line {line}) is passed to {helper}(), which sends it to {sink} in {file} (line {sinkLine}).',
  /** The reduced line check of `codeCheck` (src/kit/code.ts), for files the parser rejects. */
  reduced: 'Request data and a sink on one line (reduced check: the file could not be parsed or analysed in full).',
} as const;

/** `{name}` placeholders of a message. */
export const PLACEHOLDER = /\{(\w+)\}/g;

/** A message with its placeholders filled; a placeholder without a value stays as written. */
export function fillMessage(template: string, data: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(data, name) ? String(data[name]) : whole,
  );
}

/** What a hit says: its rule's message `messageId` filled from `data`, else the rule's message (else the fail criterion). */
export function messageOf(atom: AnyAtom, hit: Hit): string {
  const rule = atom.rules[hit.rule];
  const template = hit.messageId === undefined ? rule?.message : rule?.messages?.[hit.messageId];
  return template === undefined ? (rule?.message ?? atom.criteria.fail) : fillMessage(template, hit.data);
}
