/**
 * Glue between code atoms and the parser: `codeCheck` hands an atom the
 * parsed module (parsed once per file, parser loaded lazily) and, when the
 * parser rejects the file, runs a reduced line check instead and says so in
 * the report. Only types are imported from src/ast, so this stays off the
 * hot path until a file needs parsing.
 */
import type { CodeModule } from '../ast/module.js';
import type { Parsed } from '../ast/parse.js';
import { parsesFirst, perFile, type AtomDefinition, type CheckContext, type Hit, type SourceFile } from './atom.js';

/** Request data on a line, as the reduced check sees it. */
const REQUEST_ON_LINE =
  /\b(?:req|request|ctx|context|event)\s*\.\s*(?:body|query|params|headers|cookies|request|queryStringParameters|pathParameters|json\s*\(|get\s*\(|param\s*\()|\bprocess\.argv\b|\boriginal(?:name|Filename)\b|\blocation\.(?:search|hash|href)\b/;

/**
 * One line of an atom's reduced check: where `find` matches (and the line
 * passes `onLine` and `after`), the line is reported under `rule`. The rule
 * declares the `reduced` message (FLOW_MESSAGES has it).
 */
export interface LineRule {
  rule: string;
  /** What the line is searched for; the finding's column is where it starts. */
  find: RegExp;
  /** Must be on the same line too (anywhere on it). */
  onLine?: RegExp;
  /** Must be on the line from where `find` matched to its end. */
  after?: RegExp;
  /** Must not be on the line (another rule reports it instead). */
  unless?: RegExp;
}

/** The common reduced check of a flow atom: a sink on a line that holds request data too (or `alone`, which needs none). */
export function sinkWithRequest(rule: string, sink: RegExp, alone?: RegExp): LineRule[] {
  return [{ rule, find: sink, onLine: REQUEST_ON_LINE }, ...(alone ? [{ rule, find: sink, onLine: alone }] : [])];
}

/**
 * The reduced check: at most one hit per line, from the line rule whose `find`
 * matches leftmost (on a tie the one declared first), as if the finds were the
 * alternatives of one regular expression.
 */
export function reducedLines(file: SourceFile, rules: readonly LineRule[]): Hit[] {
  const hits: Hit[] = [];
  file.lines().forEach((text, i) => {
    let first: { rule: string; index: number } | undefined;
    for (const { rule, find, onLine, after, unless } of rules) {
      const found = find.exec(text);
      if (!found || (first && found.index >= first.index)) continue;
      if ((onLine && !onLine.test(text)) || unless?.test(text)) continue;
      if (after && !after.test(text.slice(found.index))) continue;
      first = { rule, index: found.index };
    }
    if (first) hits.push({ rule: first.rule, line: i + 1, column: first.index + 1, messageId: 'reduced' });
  });
  return hits;
}

/**
 * `reduced` is the atom's line rules for files the parser rejects (or, where
 * the atom has a lexical analysis of its own, a function). `hint`, when given,
 * is a cheaper pre-filter than parsing: a file whose text it rejects is not
 * parsed for this atom (keywords say "may concern", the hint says "holds the
 * construct the atom reads").
 */
export function codeCheck<O>(
  analyse: (m: CodeModule, file: SourceFile, ctx: CheckContext<O>) => Hit[] | Promise<Hit[]>,
  reduced: readonly LineRule[] | ((file: SourceFile, ctx: CheckContext<O>) => Hit[]),
  hint?: RegExp | ((file: SourceFile) => boolean),
): AtomDefinition<O>['check'] {
  const relevant = perFile((file) => !hint || (typeof hint === 'function' ? hint(file) : hint.test(file.text)));
  const reducedCheck = (file: SourceFile, ctx: CheckContext<O>) =>
    typeof reduced === 'function' ? reduced(file, ctx) : reducedLines(file, reduced);
  const finish = (parsed: Parsed, file: SourceFile, ctx: CheckContext<O>): Hit[] | Promise<Hit[]> => {
    if (parsed.ok) {
      if (!parsed.skipped) return analyse(parsed, file, ctx);
      const { line, reason } = parsed.skipped;
      ctx.note(
        `${file.path}: the parser rejected line ${line} (${reason}); code atoms analysed the file without that line, and that line by a reduced line check`,
      );
      // The left-out line may hold the flaw itself (a second copy of a declaration, say): the line rules still read it.
      const onSkipped = reducedCheck(file, ctx).filter((hit) => hit.line === line);
      const hits = analyse(parsed, file, ctx);
      return hits instanceof Promise ? hits.then((h) => [...h, ...onSkipped]) : [...hits, ...onSkipped];
    }
    ctx.note(
      parsed.incomplete
        ? `${file.path}: analysis-incomplete: ${parsed.reason}; code atoms ran a reduced line-by-line check on it`
        : `${file.path}: the parser rejected it (${parsed.reason}); code atoms ran a reduced line-by-line check on it`,
    );
    return reducedCheck(file, ctx);
  };
  // Synchronous when the engine parsed the file first: the analysis then runs where its time budget can stop it.
  return parsesFirst((file, ctx) => {
    if (!relevant(file)) return [];
    const ready = file.parsedNow?.();
    return ready ? finish(ready, file, ctx) : file.ast().then((parsed) => finish(parsed, file, ctx));
  }, relevant);
}
