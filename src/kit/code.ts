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

export interface Reduced {
  /** The rule a reduced finding is reported under; it declares the `reduced` message (FLOW_MESSAGES has it). */
  rule: string;
  /** A sink on the line; it is a finding when request data is on the same line. */
  sink: RegExp;
  /** Set when a sink alone (without request data on the line) is enough, e.g. built SQL. */
  alone?: RegExp;
}

/**
 * `hint`, when given, is a cheaper pre-filter than parsing: a file whose text
 * it rejects is not parsed for this atom (keywords say "may concern", the
 * hint says "holds the construct the atom reads").
 */
export function codeCheck<O>(
  analyse: (m: CodeModule, file: SourceFile, ctx: CheckContext<O>) => Hit[] | Promise<Hit[]>,
  reduced: Reduced | ((file: SourceFile, ctx: CheckContext<O>) => Hit[]),
  hint?: RegExp | ((file: SourceFile) => boolean),
): AtomDefinition<O>['check'] {
  const relevant = perFile((file) => !hint || (typeof hint === 'function' ? hint(file) : hint.test(file.text)));
  const finish = (parsed: Parsed, file: SourceFile, ctx: CheckContext<O>): Hit[] | Promise<Hit[]> => {
    if (parsed.ok) return analyse(parsed, file, ctx);
    ctx.note(
      parsed.incomplete
        ? `${file.path}: analysis-incomplete: ${parsed.reason}; code atoms ran a reduced line-by-line check on it`
        : `${file.path}: the parser rejected it (${parsed.reason}); code atoms ran a reduced line-by-line check on it`,
    );
    if (typeof reduced === 'function') return reduced(file, ctx);
    const hits: Hit[] = [];
    file.lines().forEach((text, i) => {
      const sink = reduced.sink.exec(text);
      if (!sink) return;
      if (REQUEST_ON_LINE.test(text) || reduced.alone?.test(text)) {
        hits.push({
          rule: reduced.rule,
          line: i + 1,
          column: sink.index + 1,
          messageId: 'reduced', // declared with FLOW_MESSAGES
        });
      }
    });
    return hits;
  };
  // Synchronous when the engine parsed the file first: the analysis then runs where its time budget can stop it.
  return parsesFirst((file, ctx) => {
    if (!relevant(file)) return [];
    const ready = file.parsedNow?.();
    return ready ? finish(ready, file, ctx) : file.ast().then((parsed) => finish(parsed, file, ctx));
  }, relevant);
}
