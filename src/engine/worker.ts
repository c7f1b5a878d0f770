/**
 * A worker thread of the pool (pool.ts): it is handed the main thread's
 * listing of the change set (it lists nothing itself), selects the same atoms,
 * and checks the files it is handed, answering with their outcomes. What the
 * project view asks about the whole repository (its files, a search over
 * them) is answered by the main thread, once for all workers. Its time
 * budgets last as long as it does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { changeSetOf, type TreeEntry } from '../changeset/changeset.js';
import { routeByPath } from '../router.js';
import { timing } from '../timing.js';
import { Budgets } from './budget.js';
import { checkFiles } from './check-files.js';
import type { Answer, FromWorker, Question, ToWorker, WorkerInput } from './pool.js';
import { selectAtoms } from './select.js';
import { SourceFiles } from './source-file.js';

const input = workerData as WorkerInput;
const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);

/** Questions to the main thread waiting for their answer, by id. */
const waiting = new Map<number, { resolve: (value: Answer) => void; reject: (error: Error) => void }>();
let asked = 0;
const ask = (question: Question): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const id = asked++;
    waiting.set(id, { resolve, reject });
    send({ type: 'ask', id, question });
  });

try {
  const changes = changeSetOf(
    input.root,
    input.request,
    input.listing,
    undefined,
    (commit) => ask({ what: 'tree', commit }) as Promise<TreeEntry[]>,
  );
  const atoms = await selectAtoms(input.policy, input.selection);
  const filtering = {
    fingerprinting: input.fingerprints || input.baseline ? await import('../baseline.js') : null,
    baseline: input.baseline,
  };
  const budgets = new Budgets(input.policy.atomTimeoutMs);
  const checking = {
    online: input.online,
    resultCache: input.resultCache,
    filtering,
    budgets,
    linguist: input.linguist,
    // One set of source files for the worker's life: what its project views learn serves every chunk it is handed.
    sources: new SourceFiles(changes, input.policy, {
      grep: (commit, globs, pattern) => ask({ what: 'grep', commit, globs, pattern }) as Promise<string[]>,
    }),
  };
  // The chunks are checked one after the other, in the order they came (pool.ts counts on it).
  const chunks: number[][] = [];
  let busy = false;
  const work = () => {
    const indices = busy ? undefined : chunks.shift();
    if (!indices) return;
    busy = true;
    const routed = indices.map((index) => {
      const file = changes.files[index]!;
      return { file, atoms: routeByPath(atoms, file.path) };
    });
    // A test seam: the tests bring a worker down on one file to see that file reported, not lost.
    const crashOn = process.env.RALPH_GUARD_TEST_WORKER_CRASH;
    if (crashOn && routed.some((r) => r.file.path === crashOn)) process.exit(70);
    checkFiles(changes, routed, input.policy, checking)
      .then(
        ({ outcomes, exhausted }) =>
          send({ type: 'checked', outcomes, exhausted, ...(timing.enabled ? { timing: timing.take() } : {}) }),
        (e: unknown) => send({ type: 'failed', message: e instanceof Error ? e.message : String(e) }),
      )
      .finally(() => {
        busy = false;
        work();
      });
  };
  port.on('message', (message: ToWorker) => {
    if (message.type === 'answer') {
      const question = waiting.get(message.id)!;
      waiting.delete(message.id);
      if ('error' in message) question.reject(new Error(message.error));
      else question.resolve(message.value);
      return;
    }
    if (message.type === 'close') {
      changes.close();
      port.close();
      return;
    }
    chunks.push(message.indices);
    work();
  });
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
}
