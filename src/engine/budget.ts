/**
 * Time budgets for atoms (DESIGN §3: a check that runs out of its time budget
 * reports itself, never hangs). Each atom may spend `atomTimeoutMs` per run,
 * summed over every file it checks; one that runs out is stopped, reported as
 * a failure of that atom, and not run on the files after it. The other atoms
 * go on.
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
 * stoppable.
 *
 * A stopped check may leave half-built state behind in the file it was
 * reading: the caller's `reset` gives the following checks of that file a
 * fresh one.
 */
import { Script } from 'node:vm';

export const DEFAULT_ATOM_TIMEOUT_MS = 10_000;

export interface Task {
  atom: string;
  file: string;
}

export type Outcome<T> =
  | { kind: 'done'; value: T }
  | { kind: 'error'; error: unknown }
  /** The atom ran out of its budget on this check (its result is lost) or before it. */
  | { kind: 'stopped' };

/** The atom ran out of time: what to tell the user. */
export interface Exhausted {
  atom: string;
  /** The file it was checking when the budget ran out. */
  file: string;
  /** How many of its checks were not run because of it. */
  skipped: number;
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
  private readonly spent = new Map<string, number>();
  private readonly out = new Map<string, Exhausted>();

  constructor(readonly limitMs: number) {}

  remaining(atom: string): number {
    return this.limitMs - (this.spent.get(atom) ?? 0);
  }

  private charge(atom: string, ms: number) {
    this.spent.set(atom, (this.spent.get(atom) ?? 0) + ms);
  }

  private exhaust(task: Task) {
    if (!this.out.has(task.atom)) this.out.set(task.atom, { atom: task.atom, file: task.file, skipped: 0 });
  }

  /** Atoms that ran out of time, in the order they did. */
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
        const out = this.out.get(task.atom);
        if (out) {
          out.skipped++;
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
        this.charge(task.atom, performance.now() - startedAt);
        // Finished, but over its budget: the files after this one go without it.
        if (this.remaining(task.atom) <= 0) this.exhaust(task);
      }
    };
    /** Runs [from, to) inside one vm call; the index of the check V8 stopped, or -1 when all finished. */
    const attempt = (from: number, to: number, timeout: number): number => {
      if (runStoppable(runRange(from, to), timeout) || running >= to) return -1;
      this.charge(tasks[running]!.atom, performance.now() - startedAt);
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
      if (this.remaining(task.atom) > 1) {
        // Stopped by another atom's smaller budget: this check runs again under its own.
        await reset(task);
        again = attempt(first, first + 1, this.remaining(task.atom));
      }
      if (again >= 0) {
        this.exhaust(task);
        results[first] = { kind: 'stopped' };
        // Only a check still to run on this file needs it fresh (a reset may mean parsing it again).
        if (tasks.some((t, i) => i > first && t.file === task.file && !this.out.has(t.atom))) await reset(task);
      }
      next = first + 1;
    }

    // Asynchronous parts: each may take what its atom has left.
    for (let i = 0; i < tasks.length; i++) {
      const r = results[i]!;
      if (r.kind !== 'pending') continue;
      const task = tasks[i]!;
      const out = this.out.get(task.atom);
      if (out) {
        out.skipped++; // started, but its atom ran out of time meanwhile: given up
        results[i] = { kind: 'stopped' };
        continue;
      }
      const start = performance.now();
      const settled = await deadline(r.promise, this.remaining(task.atom));
      this.charge(task.atom, performance.now() - start);
      if (settled === TIMED_OUT) {
        this.exhaust(task);
        results[i] = { kind: 'stopped' };
      } else {
        results[i] = settled;
        // It finished, but late (synchronous work after an await cannot be stopped): later files go without it.
        if (this.remaining(task.atom) <= 0) this.exhaust(task);
      }
    }
    return results as Array<Outcome<T>>;
  }

  /** The smallest budget left among the atoms of tasks[from…] still running (Infinity: none is). */
  private smallestRemaining(tasks: readonly Task[], from: number): number {
    let min = Infinity;
    const seen = new Set<string>();
    for (let i = from; i < tasks.length; i++) {
      const atom = tasks[i]!.atom;
      if (seen.has(atom)) continue;
      seen.add(atom);
      if (!this.out.has(atom)) min = Math.min(min, this.remaining(atom));
    }
    return min;
  }
}

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
