/**
 * RALPH_GUARD_TIMING=1 prints where a run's time went to stderr: phases since
 * the process started, and the time spent in each atom (parsing apart), as
 * ESLint's TIMING does for rules; with worker threads, summed over all of them. Off, it costs one branch per call.
 */
const enabled = process.env.RALPH_GUARD_TIMING === '1';
const totals = new Map<string, number>();
/** Things counted (parses, helper analyses): how often work was done, beside how long it took. */
const counts = new Map<string, number>();
/** What a worker thread sends the main thread: its totals and counts since it last sent them. */
export interface Taken {
  ms: Record<string, number>;
  counts: Record<string, number>;
}
const phases: Array<[string, number, number]> = [];

export const timing = {
  enabled,
  /** Adds `ms` to a named total (an atom, parsing). */
  add(label: string, ms: number): void {
    if (enabled) totals.set(label, (totals.get(label) ?? 0) + ms);
  },
  /** Counts one more of `label` (a parse, a helper analysed). */
  count(label: string, n = 1): void {
    if (enabled) counts.set(label, (counts.get(label) ?? 0) + n);
  },
  /** The totals and counts so far, which start again from zero: a worker thread sends its own to the main thread (pool.ts). */
  take(): Taken {
    const taken = { ms: Object.fromEntries(totals), counts: Object.fromEntries(counts) };
    totals.clear();
    counts.clear();
    return taken;
  },
  /** Adds what a worker thread took. */
  merge(taken: Taken): void {
    for (const [label, ms] of Object.entries(taken.ms)) timing.add(label, ms);
    for (const [label, n] of Object.entries(taken.counts)) timing.count(label, n);
  },
  /** Records that a phase ended now: milliseconds since the process started, and of CPU the process used (a busy machine stretches the first, not the second). */
  phase(label: string): void {
    if (enabled) {
      const cpu = process.cpuUsage();
      phases.push([label, performance.now(), (cpu.user + cpu.system) / 1000]);
    }
  },
  print(): void {
    if (!enabled) return;
    const out = [
      'ralph-guard timing (ms since start, CPU ms):',
      ...phases.map(([label, at, cpu]) => `  ${at.toFixed(1).padStart(8)}  ${cpu.toFixed(0).padStart(6)}  ${label}`),
      'time in atoms and parsing (ms):',
    ];
    for (const [label, ms] of [...totals].sort((a, b) => b[1] - a[1]))
      out.push(`  ${ms.toFixed(1).padStart(8)}  ${label}`);
    if (counts.size) out.push('counted:');
    for (const [label, n] of [...counts].sort((a, b) => a[0].localeCompare(b[0])))
      out.push(`  ${String(n).padStart(8)}  ${label}`);
    process.stderr.write(out.join('\n') + '\n');
  },
};
