/**
 * A large change set checked on several cores: worker threads (worker.ts) are
 * handed the main thread's listing of the change set and check the files they
 * are handed, largest first, a few at a time, so a thread that got a slow file
 * does not hold the others up. What their project views ask about the whole
 * repository (its files, a search over them) the main thread answers, once
 * for all of them. The outcomes go back to the engine, which merges them in
 * the change set's order: the report is the same whatever the number of workers.
 *
 * A worker that crashes or does not answer in time is replaced; the files it
 * was checking are checked again one by one, and a file that brings a worker
 * down on its own becomes that file's analysis error. No file is lost: what no
 * worker can take any more is checked on the main thread.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChangeSet, ChangeSetRequest, ChangedFile, Listing, TreeEntry } from '../changeset/changeset.js';
import { projectView } from '../changeset/project.js';
import type { ProjectView } from '../kit/atom.js';
import { git } from '../git/git.js';
import { timing, type Taken } from '../timing.js';
import type { Policy } from '../policy/policy.js';
import type { Routed } from './batches.js';
import { fileUnchecked } from './analysis-error.js';
import { Budgets, type Exhausted } from './budget.js';
import { checkFiles, type Checking, type FileChecks, type FileOutcome } from './check-files.js';
import { poolSize, type PoolRequest } from './pool-size.js';
import type { Selection } from './select.js';
import { SourceFiles } from './source-file.js';

/** What a worker is started with. */
export interface WorkerInput {
  root: string;
  request: ChangeSetRequest;
  /** The main thread's listing: a worker lists nothing again. */
  listing: Listing;
  selection: Selection;
  policy: Policy;
  online: boolean;
  resultCache: boolean;
  baseline: Checking['filtering']['baseline'];
  fingerprints: boolean;
  /** Read once by the main thread (Checking.linguist). */
  linguist: Checking['linguist'];
}

/** What a worker's project view asks the main thread (the same view over the same listing answers it, once). */
export type Question =
  | { what: 'tree'; commit: string | undefined }
  | { what: 'grep'; commit: string | undefined; globs: readonly string[]; pattern: RegExp };
export type Answer = TreeEntry[] | string[];

export type ToWorker =
  | { type: 'check'; indices: number[] }
  | { type: 'answer'; id: number; value: Answer }
  | { type: 'answer'; id: number; error: string }
  | { type: 'close' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'ask'; id: number; question: Question }
  | { type: 'checked'; outcomes: FileOutcome[]; exhausted: Exhausted[]; timing?: Taken }
  | { type: 'failed'; message: string };

/** A worker is handed at most this much at a time. */
const CHUNK_FILES = 16;
const CHUNK_BYTES = 400_000;
/** Chunks a worker holds at once: the one it checks and the next. */
const IN_FLIGHT = 2;

/** The worker script beside the bundle (dist/worker.js), or null when running from source. */
function workerScript(): URL | null {
  for (const relative of ['../worker.js', './worker.js']) {
    const url = new URL(relative, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

/** Checks `routed` in a pool of workers; null when the pool is not worth it here (the caller checks on the main thread). */
export async function checkInPool(
  changes: ChangeSet,
  routed: readonly Routed[],
  policy: Policy,
  checking: Checking,
  pool: PoolRequest,
): Promise<FileChecks | null> {
  const script = workerScript();
  if (!script || routed.length < 2) return null;
  const sizes = await sizesOf(pool.root, routed);
  const total = sizes.reduce((a, b) => a + b, 0);
  const size = Math.min(poolSize(pool.workers, routed.length, total), routed.length);
  if (size < 2) return null;

  const indexOf = new Map(changes.files.map((file, index) => [file, index]));
  // Largest first: the long files start early, the small ones fill the gaps at the end.
  const order = routed.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  const queue: number[][] = [];
  for (let i = 0; i < order.length; ) {
    const chunk: number[] = [];
    for (
      let bytes = 0;
      i < order.length && chunk.length < CHUNK_FILES && (chunk.length === 0 || bytes < CHUNK_BYTES);
      i++
    ) {
      chunk.push(order[i]!);
      bytes += sizes[order[i]!]!;
    }
    queue.push(chunk);
  }
  // No more threads than chunks to hand out: a thread with nothing to check would cost its start for nothing.
  const threads = Math.min(size, queue.length);
  if (threads < 2) return null;

  // The main thread checks files too (smallest first, between answering the workers), unless the test seam that
  // crashes workers is set: its file must land in a worker. One thread fewer to start, load and warm up.
  const mainTakesPart = !process.env.RALPH_GUARD_TEST_WORKER_CRASH;
  const workers = mainTakesPart ? threads - 1 : threads;
  timing.phase(
    `${workers} worker thread${workers === 1 ? '' : 's'}${mainTakesPart ? ' and the main thread' : ''} start on ${routed.length} files`,
  );

  const input: WorkerInput = {
    root: pool.root,
    request: pool.request,
    // notes and skipped files are the main thread's to report; a worker needs the files
    listing: { files: changes.files, notes: [], skipped: [] },
    selection: pool.selection,
    policy,
    online: checking.online,
    resultCache: checking.resultCache,
    baseline: checking.filtering.baseline,
    fingerprints: checking.filtering.fingerprinting !== null,
    linguist: checking.linguist,
  };
  // The main thread's own project views answer the workers' questions: the repository is listed, and searched for
  // each pattern, once.
  const views = new Map<string, ProjectView>();
  const searches = new Map<string, Promise<string[]>>();
  const answer = (q: Question): Promise<Answer> => {
    if (q.what === 'tree') return changes.tree(q.commit);
    const key = JSON.stringify([q.commit ?? '', q.globs, q.pattern.source, q.pattern.flags]);
    let found = searches.get(key);
    if (!found) searches.set(key, (found = search(q.commit, q.globs, q.pattern)));
    return found;
  };
  const search = (commit: string | undefined, globs: readonly string[], pattern: RegExp) => {
    let view = views.get(commit ?? '');
    if (!view)
      views.set(
        commit ?? '',
        (view = projectView(changes, commit, {
          maxFileBytes: policy.maxFileBytes,
          ignore: policy.ignore,
          source: () => {
            throw new Error('a worker parses its modules itself');
          },
        })),
      );
    return view.grep(globs, pattern);
  };
  const outcomes: FileOutcome[] = [];
  const exhaustedBy = new Map<Worker, Exhausted[]>();
  const failed = (positions: number[], message: string) => {
    for (const p of positions) {
      const file = routed[p]!.file;
      outcomes.push(failedOutcome(indexOf.get(file)!, file, message));
    }
  };
  // Files of a worker that crashed or hung, to be checked again one by one: by workers only, never the main thread,
  // which a file that brings a thread down would bring down too.
  const suspects: number[][] = [];
  // A worker may be replaced this many times before what is left goes to the main thread.
  let spawnsLeft = workers + CHUNK_FILES;
  const watchdogMs = 60_000 + policy.atomTimeoutMs * new Set(routed.flatMap((r) => r.atoms.map((a) => a.id))).size;

  // The main thread's lane: budgets and source files for all the chunks it takes, as a worker has.
  const here: Checking = {
    ...checking,
    budgets: new Budgets(policy.atomTimeoutMs),
    sources: new SourceFiles(changes, policy),
  };
  /** Checks files on the main thread, in the change set's order. */
  const checkHere = async (positions: number[]) => {
    const checked = await checkFiles(
      changes,
      positions.sort((a, b) => a - b).map((p) => routed[p]!),
      policy,
      here,
    );
    outcomes.push(...checked.outcomes);
  };
  const mainLane = async () => {
    // From the end of the queue: the smallest files, so the workers' messages wait little between its batches.
    for (let chunk = queue.pop(); chunk; chunk = queue.pop()) await checkHere(chunk);
  };

  const pooled = new Promise<void>((resolve) => {
    let running = 0;
    const start = () => {
      if (spawnsLeft <= 0 || (!queue.length && !suspects.length)) return;
      spawnsLeft--;
      running++;
      const worker = new Worker(script, { workerData: input, stdout: false, stderr: false });
      // Chunks handed to the worker and not answered yet, oldest first: it has the next one at hand when it finishes
      // one, even while the main thread is busy with a batch of its own. A suspect file is handed alone.
      const inFlight: Array<{ files: number[]; suspect: boolean }> = [];
      let ready = false;
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        running--;
        if (!running) resolve(); // with files still queued when no worker can be started: the main thread takes them
      };
      const hand = (files: number[], suspect: boolean) => {
        inFlight.push({ files, suspect });
        worker.postMessage({
          type: 'check',
          indices: files.map((p) => indexOf.get(routed[p]!.file)!),
        } satisfies ToWorker);
      };
      const next = () => {
        clearTimeout(timer);
        if (!inFlight.length && suspects.length) hand(suspects.shift()!, true);
        else if (!suspects.length && !inFlight.some((c) => c.suspect))
          while (inFlight.length < IN_FLIGHT && queue.length) hand(queue.shift()!, false);
        if (!inFlight.length) {
          worker.postMessage({ type: 'close' } satisfies ToWorker);
          return;
        }
        timer = setTimeout(() => lost(`did not finish within ${Math.round(watchdogMs / 1000)} s`), watchdogMs);
      };
      // A worker that crashed or hung: its files are checked again one by one; a file that alone brings a worker down is its error.
      const lost = (why: string) => {
        if (done) return;
        const files = inFlight.splice(0).flatMap((c) => c.files);
        void worker.terminate();
        if (!ready) spawnsLeft = 0; // a worker that cannot even start: the next would not either
        if (files.length > 1) suspects.push(...files.map((p) => [p]));
        else if (files.length)
          failed(files, `the worker thread checking it stopped (${why}); the file was not checked`);
        start(); // before finish(), so the pool is never seen empty while a replacement starts
        finish();
      };
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          ready = true;
          next();
        } else if (message.type === 'ask') {
          answer(message.question)
            .then(
              (value) => ({ type: 'answer', id: message.id, value }) satisfies ToWorker,
              (e: unknown) =>
                ({
                  type: 'answer',
                  id: message.id,
                  error: e instanceof Error ? e.message : String(e),
                }) satisfies ToWorker,
            )
            .then((reply) => {
              if (!done) worker.postMessage(reply);
            });
        } else if (message.type === 'checked') {
          outcomes.push(...message.outcomes);
          exhaustedBy.set(worker, message.exhausted);
          if (message.timing) timing.merge(message.timing);
          inFlight.shift(); // a worker checks its chunks in the order it was handed them
          next();
        } else lost(message.message);
      });
      worker.on('error', (error) => lost(error.message));
      worker.on('exit', (code) => {
        if (inFlight.length) lost(`exited with code ${code}`);
        else finish();
      });
    };
    for (let i = 0; i < workers; i++) start();
    if (!running) resolve();
  });
  // Should the main thread's checks fail, the workers are handed nothing more: they close after the chunks they hold.
  const lane = mainTakesPart
    ? mainLane().catch((error: unknown) => {
        queue.length = 0;
        throw error;
      })
    : null;
  await Promise.all([pooled, lane]);

  // What no worker could take: checked here, so no file is ever left out.
  const rest = [...suspects, ...queue].flat();
  if (rest.length) await checkHere(rest);
  return { outcomes, exhausted: [...[...exhaustedBy.values()].flat(), ...here.budgets!.exhausted()] };
}

function failedOutcome(index: number, file: ChangedFile, message: string): FileOutcome {
  return {
    index,
    findings: [fileUnchecked(file, message)],
    suppressed: [],
    failures: [{ atom: '*', file: file.path, message }],
    notes: [],
    scanned: false,
  };
}

/** Each routed file's size in bytes: one `git cat-file --batch-check` for blobs, the disk for the working tree. */
async function sizesOf(root: string, routed: readonly Routed[]): Promise<number[]> {
  const blobs = routed.flatMap((r) => (r.file.blob ? [r.file.blob] : []));
  const sizes = new Map<string, number>();
  if (blobs.length) {
    const out = await git(['cat-file', '--batch-check=%(objectname) %(objectsize)'], {
      cwd: root,
      input: `${blobs.join('\n')}\n`,
    });
    for (const line of out.split('\n')) {
      const [id, size] = line.split(' ');
      if (id && size && /^\d+$/.test(size)) sizes.set(id, Number(size));
    }
  }
  return routed.map(({ file }) => {
    if (file.blob) return sizes.get(file.blob) ?? 0;
    try {
      return statSync(join(root, file.path)).size;
    } catch {
      return 0;
    }
  });
}
