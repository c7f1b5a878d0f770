/**
 * Time budgets for atoms (DESIGN §3: a check that runs out of its time budget
 * reports itself, never hangs). Each atom may spend `atomTimeoutMs` on each
 * file, so a slow file cannot starve the same atom's check of another file;
 * a check that runs out is stopped and reported for that file (the engine
 * makes it an `<atom>/analysis-error` finding that blocks). Over a whole run
 * an atom may spend TOTAL_FACTOR times that: beyond, its remaining checks are
 * not run, and each is reported the same way, so nothing passes unchecked.
 * The other atoms go on.
 *
 * Synchronous JavaScript cannot be stopped by a timer: the event loop is
 * blocked. V8 can stop it, though: node's `vm` timeout arms a watchdog thread
 * that calls TerminateExecution, which ends whatever runs inside
 * `script.runInThisContext({ timeout })`, functions defined elsewhere and
 * regex matching included. A call starts and joins a thread (about 0.4 ms on
 * a slow machine), so the engine does not make one per check: it hands
 * `runTasks` every check of a batch of files, and one vm call runs them all
 * in turn, charging each atom the time its checks took. Its timeout is the
 * smallest budget left among those atoms; when it fires during an atom that
 * still had time (another atom's smaller budget set the timeout), that check
 * is run again alone under its own budget.
 *
 * Work a check does after an `await` runs later, outside any vm call: it is
 * bounded by a deadline (Promise.race) and measured, and a check that took
 * longer than its budget is reported the same way. Code atoms get their parse
 * before they are called (`parsesFirst`), so their analysis is synchronous and
 * stoppable. The data-flow atoms' analysis of the file is too; only when it
 * passes request data to a function of a local module do they await that
 * module (src/kit/summaries.ts): that follow-up is raced and measured like any
 * asynchronous part, and bounded by the number of calls it follows per file.
 *
 * A stopped check may leave half-built state behind in the file it was
 * reading: the caller's `reset` gives the following checks of that file a
 * fresh one.
 */
import { Script } from 'node:vm';

export const DEFAULT_ATOM_TIMEOUT_MS = 10_000;
/** What an atom may spend over a whole run, in per-file budgets. */
export const TOTAL_FACTOR = 3;

export interface Task {
  atom: string;
  file: string;
}

export type Outcome<T> =
  | { kind: 'done'; value: T }
  | { kind: 'error'; error: unknown }
  /** The atom ran out of its budget on this check (its result is lost) or before it. */
  | { kind: 'stopped' };

/** A check that ran out of time, or was not run because its atom had spent its whole run's budget. */
export interface Exhausted {
  atom: string;
  file: string;
  why: 'file' | 'run';
}

const SLOT = Symbol.for('ralph-guard.budget.task');
let script: Script | undefined;

/** Runs `body` synchronously, stopped by V8 after `timeoutMs`. Returns false when it was stopped. */
export function runStoppable(body: () => void, timeoutMs: number): boolean {
  const slot = globalThis as unknown as Record<symbol, (() => void) | undefined>;
  script ??= new Script('globalThis[Symbol.for("ralph-guard.budget.task")]()', { filename: 'ralph-guard:budget' });
  slot[SLOT] = body;
  try {
    script.runInThisContext({ timeout: Math.max(1, Math.ceil(timeoutMs)) });
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return false;
    throw e;
  } finally {
    slot[SLOT] = undefined;
  }
}

export class Budgets {
  /** Time spent per atom and file (by atom, then file: no key string built per check), and per atom over the run. */
  private readonly spent = new Map<string, Map<string, number>>();
  private readonly spentByAtom = new Map<string, number>();
  /** Checks out of time (by `atom\0file`), and atoms out of their run's budget. */
  private readonly out = new Map<string, Exhausted>();
  private readonly atomsOut = new Set<string>();

  constructor(readonly limitMs: number) {}

  get totalMs(): number {
    return this.limitMs * TOTAL_FACTOR;
  }

  /** What the check of `task` may still spend: its file's budget, within what its atom has left for the run. */
  remaining(task: Task): number {
    const file = this.limitMs - this.spentOn(task);
    return Math.min(file, this.totalMs - (this.spentByAtom.get(task.atom) ?? 0));
  }

  private spentOn(task: Task): number {
    return this.spent.get(task.atom)?.get(task.file) ?? 0;
  }

  private charge(task: Task, ms: number) {
    let byFile = this.spent.get(task.atom);
    if (!byFile) this.spent.set(task.atom, (byFile = new Map()));
    byFile.set(task.file, (byFile.get(task.file) ?? 0) + ms);
    this.spentByAtom.set(task.atom, (this.spentByAtom.get(task.atom) ?? 0) + ms);
  }

  private exhaust(task: Task) {
    const fileLeft = this.limitMs - this.spentOn(task);
    const runLeft = this.totalMs - (this.spentByAtom.get(task.atom) ?? 0);
    if (runLeft <= 0) this.atomsOut.add(task.atom);
    // Which budget stopped it: the run's, when the file still had more time than the run.
    const why = runLeft < fileLeft - 1 ? 'run' : 'file';
    if (!this.out.has(key(task))) this.out.set(key(task), { atom: task.atom, file: task.file, why });
  }

  /** The check of `task` is not to run: its file's budget or its atom's is spent. */
  private isOut(task: Task): boolean {
    return this.atomsOut.has(task.atom) || (this.out.size > 0 && this.out.has(key(task)));
  }

  /** A check not run because its atom's run budget was spent. */
  private skip(task: Task) {
    if (!this.out.has(key(task))) this.out.set(key(task), { atom: task.atom, file: task.file, why: 'run' });
  }

  /** Checks that ran out of time or were not run for lack of it, in the order they did. */
  exhausted(): Exhausted[] {
    return [...this.out.values()];
  }

  /**
   * Runs `call` for every task, synchronous parts inside vm calls and
   * asynchronous results under a deadline; outcomes come back in task order.
   * `reset` runs after a check was stopped, before the next check of the same file.
   */
  async runTasks<T, K extends Task>(
    tasks: readonly K[],
    call: (task: K) => T | Promise<T>,
    reset: (task: K) => Promise<void>,
  ): Promise<Array<Outcome<T>>> {
    const results: Array<Outcome<T> | { kind: 'pending'; promise: Promise<T> }> = new Array(tasks.length);
    let running = -1;
    let startedAt = 0;
    /** Runs tasks [from, to); `running` says where it was when V8 stopped it. */
    const runRange = (from: number, to: number) => () => {
      for (running = from; running < to; running++) {
        const task = tasks[running]!;
        if (this.isOut(task)) {
          this.skip(task);
          results[running] = { kind: 'stopped' };
          continue;
        }
        startedAt = performance.now();
        try {
          const value = call(task);
          if (value instanceof Promise) {
            value.catch(() => {}); // a result given up on must not reject unhandled later
            results[running] = { kind: 'pending', promise: value };
          } else results[running] = { kind: 'done', value };
        } catch (error) {
          results[running] = { kind: 'error', error };
        }
        this.charge(task, performance.now() - startedAt);
        // Finished, but over its budget: reported (its result is kept; the atom's run budget may be spent).
        if (this.remaining(task) <= 0) this.exhaust(task);
      }
    };
    /** Runs [from, to) inside one vm call; the index of the check V8 stopped, or -1 when all finished. */
    const attempt = (from: number, to: number, timeout: number): number => {
      if (runStoppable(runRange(from, to), timeout) || running >= to) return -1;
      this.charge(tasks[running]!, performance.now() - startedAt);
      return running;
    };

    let next = 0;
    while (next < tasks.length) {
      const timeout = this.smallestRemaining(tasks, next);
      if (timeout === Infinity) {
        runRange(next, tasks.length)(); // every atom left is out of time: this only marks their checks
        break;
      }
      const first = attempt(next, tasks.length, timeout);
      if (first < 0) break;
      const task = tasks[first]!;
      let again = first;
      if (this.remaining(task) > 1) {
        // Stopped by another check's smaller budget: this check runs again under its own.
        await reset(task);
        again = attempt(first, first + 1, this.remaining(task));
      }
      if (again >= 0) {
        this.exhaust(task);
        results[first] = { kind: 'stopped' };
        // Only a check still to run on this file needs it fresh (a reset may mean parsing it again).
        if (tasks.some((t, i) => i > first && t.file === task.file && !this.isOut(t))) await reset(task);
      }
      next = first + 1;
    }

    // Asynchronous parts: each may take what its atom has left.
    for (let i = 0; i < tasks.length; i++) {
      const r = results[i]!;
      if (r.kind !== 'pending') continue;
      const task = tasks[i]!;
      if (this.isOut(task)) {
        this.skip(task); // started, but its atom ran out of its run's time meanwhile: given up
        results[i] = { kind: 'stopped' };
        continue;
      }
      const start = performance.now();
      const settled = await deadline(r.promise, this.remaining(task));
      this.charge(task, performance.now() - start);
      if (settled === TIMED_OUT) {
        this.exhaust(task);
        results[i] = { kind: 'stopped' };
      } else {
        results[i] = settled;
        // It finished, but late (synchronous work after an await cannot be stopped): reported.
        if (this.remaining(task) <= 0) this.exhaust(task);
      }
    }
    return results as Array<Outcome<T>>;
  }

  /** The smallest budget left among the checks of tasks[from…] still to run (Infinity: none is). */
  private smallestRemaining(tasks: readonly Task[], from: number): number {
    let min = Infinity;
    for (let i = from; i < tasks.length; i++) {
      const task = tasks[i]!;
      if (!this.isOut(task)) min = Math.min(min, this.remaining(task));
    }
    return min;
  }
}

const key = (task: Task) => `${task.atom}\0${task.file}`;

const TIMED_OUT = Symbol('timed out');

async function deadline<T>(promise: Promise<T>, ms: number): Promise<Outcome<T> | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = promise.then(
    (value): Outcome<T> => ({ kind: 'done', value }),
    (error: unknown): Outcome<T> => ({ kind: 'error', error }),
  );
  if (ms <= 0) return Promise.race([outcome, Promise.resolve(TIMED_OUT)]);
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.ceil(ms));
  });
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
