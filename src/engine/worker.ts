/**
 * A worker thread of the pool (pool.ts): it lists the change set as the main
 * thread did, selects the same atoms, and checks the files it is handed,
 * answering with their outcomes. Its time budgets last as long as it does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { collectChangeSet } from '../changeset/changeset.js';
import { routeByPath } from '../router.js';
import { Budgets } from './budget.js';
import { checkFiles, type FileOutcome } from './check-files.js';
import type { FromWorker, ToWorker, WorkerInput } from './pool.js';
import { selectAtoms } from './select.js';

const input = workerData as WorkerInput;
const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);

try {
  const changes = await collectChangeSet(input.root, input.request);
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
  };
  port.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      changes.close();
      port.close();
      return;
    }
    // The same listing as the main thread's, or the files are reported unchecked rather than mixed up.
    const moved: FileOutcome[] = [];
    const routed = message.indices.flatMap((index, k) => {
      const file = changes.files[index];
      if (file && file.path === message.paths[k]) return [{ file, atoms: routeByPath(atoms, file.path) }];
      moved.push({
        index,
        findings: [],
        suppressed: [],
        failures: [{ atom: '*', file: message.paths[k]!, message: 'the change set changed while it was checked' }],
        notes: [],
        scanned: false,
      });
      return [];
    });
    // A test seam: the tests bring a worker down on one file to see that file reported, not lost.
    const crashOn = process.env.RALPH_GUARD_TEST_WORKER_CRASH;
    if (crashOn && routed.some((r) => r.file.path === crashOn)) process.exit(70);
    checkFiles(changes, routed, input.policy, checking).then(
      ({ outcomes, exhausted }) => send({ type: 'checked', outcomes: [...outcomes, ...moved], exhausted }),
      (e: unknown) => send({ type: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
  });
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
}
