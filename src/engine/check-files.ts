/**
 * Checking files, file by file: what each file's checks found, filtered, with
 * its own failures and notes. The main thread runs it over the whole change
 * set, or each worker of the pool (pool.ts) over the files it is given; the
 * engine then merges the outcomes in the change set's order, so a report does
 * not depend on which thread checked which file.
 */
import type { ChangeSet, ChangedFile } from '../changeset/changeset.js';
import type { LinguistKind } from '../changeset/attributes.js';
import { lfsPointer } from '../changeset/lfs.js';
import { decode, readLimit } from '../changeset/text.js';
import { TooLarge } from '../git/git.js';
import { filterHits, type Filtering } from '../filter.js';
import type { AtomFailure, Finding, Suppressed } from '../findings.js';
import type { Hit } from '../kit/atom.js';
import type { Policy } from '../policy/policy.js';
import type { ActiveAtom } from '../router.js';
import { batches, runBatch, type Routed } from './batches.js';
import { analysisError, fileUnchecked } from './analysis-error.js';
import { Budgets, type Exhausted } from './budget.js';
import type { Oversized } from './oversized.js';
import { prepare, type Prepared } from './prepare.js';
import { removedControls } from './removed-controls.js';
import { ResultCache, resultKey } from './result-cache.js';
import { SourceFiles } from './source-file.js';
import { suppressionWarnings } from './suppression-warnings.js';
import { MARK } from '../suppressions.js';

/** What the checks of one file of the change set produced. */
export interface FileOutcome {
  /** The file's place in `ChangeSet.files`. */
  index: number;
  findings: Finding[];
  suppressed: Suppressed[];
  failures: AtomFailure[];
  /** Notes of its checks, and why it was skipped, in the order they came. */
  notes: string[];
  /** Its text was read (not skipped as binary), or streamed for secrets (over maxFileBytes). */
  scanned: boolean;
  /** Why it was not checked, or only in part (also in `notes`). */
  skipped?: { reason: string; note: string };
  /** `path (minified|generated|vendored…)` when its parsing checks were left out (generated.ts, prepare.ts). */
  machineMade?: string;
}

export interface FileChecks {
  outcomes: FileOutcome[];
  /** Atoms that ran out of their time budget in this thread. */
  exhausted: Exhausted[];
}

export interface Checking {
  online: boolean;
  resultCache: boolean;
  filtering: Filtering;
  /** Budgets that outlast this call (a worker's, over all the files it is handed); else this call's own. */
  budgets?: Budgets;
  /** Paths the base's .gitattributes mark generated or vendored (src/changeset/attributes.ts). */
  linguist: Readonly<Record<string, LinguistKind>>;
  /**
   * Source files that outlast this call (a worker's, over all the files it is handed): its project views remember
   * what they learnt (helper modules parsed, imports resolved) from one chunk of files to the next.
   */
  sources?: SourceFiles;
}

/** Checks `routed` (files of `changes` with the atoms their paths route to); one outcome per file, in their order. */
export async function checkFiles(
  changes: ChangeSet,
  routed: readonly Routed[],
  policy: Policy,
  how: Checking,
): Promise<FileChecks> {
  const { indexOf, changedPaths } = lookups(changes);
  const outcomes = new Map<ChangedFile, FileOutcome>();
  for (const { file } of routed)
    outcomes.set(file, {
      index: indexOf.get(file)!,
      findings: [],
      suppressed: [],
      failures: [],
      notes: [],
      scanned: false,
    });
  const outcomeOf = (file: ChangedFile) => outcomes.get(file)!;
  const noteOn = (file: ChangedFile, text: string) => {
    const notes = outcomeOf(file).notes;
    if (!notes.includes(text)) notes.push(text);
  };

  const sources = how.sources ?? new SourceFiles(changes, policy);
  const allAtoms = [...new Set(routed.flatMap((r) => r.atoms))];
  const budgets = how.budgets ?? new Budgets(policy.atomTimeoutMs);
  const resultCache = how.resultCache ? ResultCache.open() : null;
  const customIds = new Set(policy.custom.map((c) => c.id));
  const keyOf = (file: ChangedFile, active: ActiveAtom) => resultKey(file, active, customIds.has(active.id));
  const oldText = async (file: ChangedFile) =>
    decodeText(
      file.oldBlob ? await changes.readBlob(file.oldBlob, readLimit(file.path, policy.maxFileBytes)) : null,
      policy.maxFileBytes,
      file.path,
    );
  const context = ({ file, project }: Prepared, active: ActiveAtom) => ({
    options: active.options,
    mode: changes.mode,
    online: how.online,
    note: (text: string) => noteOn(file, text),
    project,
    readOld: () => oldText(file),
    changes: (path: string) => changedPaths.has(path),
  });

  /** A file not checked, or only in part: listed in every report format. */
  const skip = (file: ChangedFile, reason: string, text: string) => {
    outcomeOf(file).skipped = { reason, note: text };
    noteOn(file, text);
  };
  /** A file's content; for a Git LFS pointer, the content it names from the local store, judged whole (lfs.ts). */
  const readContent = async (file: ChangedFile) => {
    const limit = readLimit(file.path, policy.maxFileBytes);
    const bytes = await changes.read(file, limit);
    const pointer = bytes instanceof Buffer ? lfsPointer(bytes) : null;
    if (!pointer) return bytes;
    const content = await changes.readLfs(pointer, limit);
    if (content instanceof Buffer) {
      file.allAdded = true; // git's diff is of pointers: every line of the content is the change's
      return content;
    }
    const why = content
      ? 'a Git LFS file whose content is larger than maxFileBytes: only its pointer was checked'
      : 'a Git LFS file whose content is not in the local LFS store: only its pointer was checked';
    skip(file, why, `${file.path}: ${why}`);
    return bytes;
  };
  const oversized: Oversized[] = [];
  const prepared = batches(
    routed,
    readContent,
    (file, bytes, pathAtoms) =>
      prepare(file, bytes, pathAtoms, {
        maxFileBytes: policy.maxFileBytes,
        sources,
        resultCache,
        keyOf,
        linguist: (file) => (Object.hasOwn(how.linguist, file.path) ? how.linguist[file.path] : undefined),
        decoded: (file, why) =>
          why ? skip(file, why, `${file.path}: skipped, ${why}`) : (outcomeOf(file).scanned = true),
        generated: (file, kind) => (outcomeOf(file).machineMade = `${file.path} (${kind})`),
      }),
    (file, error) => {
      outcomeOf(file).failures.push({ atom: '*', file: file.path, message: error.message });
      outcomeOf(file).findings.push(fileUnchecked(file, `it could not be read (${error.message})`));
    },
    (file, size, atoms) => oversized.push({ file, size, atoms }),
  );
  for await (const batch of prepared) {
    const results = await runBatch(batch, {
      budgets,
      sources,
      context,
      resultCache,
      keyOf,
      note: (text, { file }) => noteOn(file, text),
    });
    const hitsOf = new Map<Prepared, Array<{ active: ActiveAtom; hit: Hit }>>();
    for (const { outcome, prepared, active } of results) {
      if (outcome.kind === 'error') {
        const e = outcome.error;
        const message = e instanceof Error ? e.message : String(e);
        outcomeOf(prepared.file).failures.push({ atom: active.id, file: prepared.file.path, message });
        outcomeOf(prepared.file).findings.push(analysisError(active, prepared.file, `it failed: ${message}`));
      }
      if (outcome.kind !== 'done') continue;
      const list = hitsOf.get(prepared) ?? [];
      for (const hit of outcome.value) list.push({ active, hit });
      hitsOf.set(prepared, list);
    }
    for (const prepared of batch) if (!hitsOf.has(prepared)) hitsOf.set(prepared, []);
    for (const [prepared, hits] of hitsOf) {
      const { source, file } = prepared;
      // A control deleted from a file is a finding even when no line was added (removed-controls.ts).
      const removed = await removedControls(
        source,
        file,
        [...prepared.runnable, ...prepared.known.map((k) => k.active)],
        hits,
        {
          budgets,
          oldText,
          context: (active) => context(prepared, active),
        },
      );
      await filterHits(source, file, [...hits, ...removed], how.filtering, outcomeOf(file));
    }
    for (const { source, file, text } of batch)
      if (text?.includes(MARK))
        outcomeOf(file).findings.push(...(await suppressionWarnings(source, file, allAtoms, policy)));
  }
  if (oversized.length) {
    const { checkOversized } = await import('./oversized.js');
    for (const big of oversized) {
      const outcome = outcomeOf(big.file);
      const streaming = {
        changes,
        maxFileBytes: policy.maxFileBytes,
        context: (file: ChangedFile, active: ActiveAtom) =>
          context({ file, project: sources.project(file.commit) } as Prepared, active),
        filtering: how.filtering,
        skip: (_file: string, reason: string, text: string) => skip(big.file, reason, text),
      };
      try {
        await checkOversized(big, streaming, outcome);
        outcome.scanned = true;
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        outcome.failures.push({ atom: '*', file: big.file.path, message });
        outcome.findings.push(fileUnchecked(big.file, `its streamed scan failed (${message})`));
      }
    }
  }
  return { outcomes: [...outcomes.values()], exhausted: budgets.exhausted() };
}

/**
 * Where each file of a change set is, and its paths: made once per change set, not per call (a pool's thread is
 * handed 16 files at a time of a change set that may hold thousands).
 */
const lookupsOf = new WeakMap<ChangeSet, { indexOf: Map<ChangedFile, number>; changedPaths: Set<string> }>();
function lookups(changes: ChangeSet) {
  let found = lookupsOf.get(changes);
  if (!found)
    lookupsOf.set(
      changes,
      (found = {
        indexOf: new Map(changes.files.map((file, index) => [file, index])),
        changedPaths: new Set(changes.files.map((f) => f.path)),
      }),
    );
  return found;
}

function decodeText(bytes: Buffer | TooLarge | null, maxFileBytes: number, path: string): string | null {
  if (!bytes || bytes instanceof TooLarge) return null;
  const d = decode(bytes, maxFileBytes, path);
  return 'text' in d ? d.text : null;
}
