/**
 * Batches and budgets: the change's files are read from git a little ahead of
 * the checks (not all at once: a commit of 50 MB would sit in memory), cut
 * into batches whose checks share one stoppable call (see budget.ts), and each
 * batch's checks run under the atoms' time budgets. Results known from an
 * earlier run join those that just ran; new ones are kept for the next run.
 */
import type { ChangedFile } from '../changeset/changeset.js';
import { TooLarge } from '../git/git.js';
import type { AnyAtom, CheckContext, Hit } from '../kit/atom.js';
import type { ActiveAtom } from '../router.js';
import { timing } from '../timing.js';
import type { Budgets, Outcome } from './budget.js';
import { parseIfWanted, type Prepared } from './prepare.js';
import { observe, type Key, type ResultCache } from './result-cache.js';
import type { SourceFiles } from './source-file.js';

/**
 * Files whose checks share one stoppable call (a vm call costs ~0.05 ms CPU): a few small files, or one larger.
 * Each file's parse lives until its batch is done, and what lives that long outlives the young generation: V8
 * promotes it, and old-generation garbage is collected late. An AST is tens of times its source: 500 kB batches
 * let the heap grow to ~250 MB before a full collection on a commit of 12 kB files whose parses held ~30 MB live.
 * 5,000 files / 59 MB, 2 workers: 366–395 MB peak RSS with 500 kB batches, 302–321 MB with one file a batch.
 */
const BATCH_FILES = 256;
const BATCH_BYTES = 16_000;
/** Files whose blobs are asked of git ahead of the one being prepared. */
const READ_AHEAD = 64;

export interface Routed {
  file: ChangedFile;
  /** The atoms its path routes to. */
  atoms: ActiveAtom[];
}

/**
 * The routed files, read and prepared, in batches; a file git could not read goes to `unreadable`, one larger
 * than the reader's limit (its content left unread) to `tooLarge`.
 */
export async function* batches(
  routed: readonly Routed[],
  read: (file: ChangedFile) => Promise<Buffer | TooLarge | null>,
  prepare: (file: ChangedFile, bytes: Buffer, atoms: ActiveAtom[]) => Promise<Prepared>,
  unreadable: (file: ChangedFile, error: Error) => void,
  tooLarge: (file: ChangedFile, size: number, atoms: ActiveAtom[]) => void,
): AsyncGenerator<Prepared[]> {
  const contents: Array<Promise<Buffer | TooLarge | null | Error>> = [];
  const readAhead = (upTo: number) => {
    for (let i = contents.length; i < Math.min(upTo, routed.length); i++)
      contents.push(read(routed[i]!.file).catch((e: unknown) => e as Error));
  };
  for (let next = 0; next < routed.length; ) {
    const batch: Prepared[] = [];
    for (let size = 0; next < routed.length && batch.length < BATCH_FILES; next++) {
      const { file, atoms } = routed[next]!;
      readAhead(next + READ_AHEAD);
      const bytes = await contents[next]!;
      // A file that would take the batch over its bytes starts the next one (a larger file is a batch of its own).
      if (bytes instanceof Buffer && batch.length && size + bytes.length > BATCH_BYTES) break;
      contents[next] = Promise.resolve(null); // let the bytes go once decoded
      if (bytes instanceof Error) {
        unreadable(file, bytes);
        continue;
      }
      if (bytes === null) continue;
      if (bytes instanceof TooLarge) {
        tooLarge(file, bytes.size, atoms);
        continue;
      }
      size += bytes.length;
      batch.push(await prepare(file, bytes, atoms));
    }
    yield batch;
    // The event loop turns between batches: native memory of the parses (oxc's results, freed by finalizers that run
    // only then) would otherwise pile up over a whole commit of loose objects, which never waits for I/O.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface Result {
  outcome: Outcome<Hit[]>;
  prepared: Prepared;
  active: ActiveAtom & { atom: AnyAtom };
}

export interface Running {
  budgets: Budgets;
  sources: SourceFiles;
  /** The context a check gets on a file. */
  context: (prepared: Prepared, active: ActiveAtom) => CheckContext<unknown>;
  resultCache: ResultCache | null;
  keyOf: (file: ChangedFile, active: ActiveAtom) => Key | null;
  /** A note of a result known from an earlier run, with the file it belongs to. */
  note: (text: string, prepared: Prepared) => void;
}

/** Runs every check of a batch under the budgets; returns their outcomes, then the results known from earlier runs. */
export async function runBatch(batch: readonly Prepared[], how: Running): Promise<Result[]> {
  const tasks = batch.flatMap((prepared) =>
    prepared.runnable.map((active) => ({
      atom: active.id,
      file: prepared.file.path,
      prepared,
      active,
      watched: undefined as ReturnType<typeof observe> | undefined,
    })),
  );
  const outcomes = await how.budgets.runTasks(
    tasks,
    (task) => {
      const { prepared, active } = task;
      const full = how.context(prepared, active);
      // Watched when the result may be kept: what the check reads decides whether it can be.
      if (how.resultCache && prepared.text !== null && how.keyOf(prepared.file, active)) task.watched = observe(full);
      const context = task.watched?.context ?? full;
      const began = timing.enabled ? performance.now() : 0;
      const hits =
        prepared.text === null
          ? active.atom.checkSkipped!(prepared.source, context)
          : active.atom.check(prepared.source, context);
      if (timing.enabled) timing.add(active.id, performance.now() - began);
      return hits;
    },
    // A stopped check may have left the file's shared state (its parse) half-built: the next checks get a fresh one.
    async ({ prepared }) => {
      prepared.source = how.sources.fresh(prepared.file, prepared.text ?? '');
      await parseIfWanted(prepared);
    },
  );

  // Results to keep, then results known from earlier runs, which count as if they had just run.
  outcomes.forEach((outcome, i) => {
    const { prepared, active, watched } = tasks[i]!;
    const key =
      outcome.kind === 'done' && watched && !watched.readBeyondFile() ? how.keyOf(prepared.file, active) : null;
    if (key && outcome.kind === 'done') how.resultCache!.put(key, { hits: outcome.value, notes: watched!.notes });
  });
  how.resultCache?.flush();
  return [
    ...outcomes.map((outcome, i) => ({ outcome, prepared: tasks[i]!.prepared, active: tasks[i]!.active })),
    ...batch.flatMap((prepared) =>
      prepared.known.map(({ active, stored }) => {
        for (const text of stored.notes) how.note(text, prepared);
        return {
          outcome: { kind: 'done' as const, value: stored.hits },
          prepared,
          active: active as ActiveAtom & { atom: AnyAtom },
        };
      }),
    ),
  ];
}
