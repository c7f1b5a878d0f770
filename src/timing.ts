/**
 * RALPH_GUARD_TIMING=1 prints where a run's time went to stderr: phases since
 * the process started, and the time spent in each atom (parsing apart), as
 * ESLint's TIMING does for rules; with worker threads, summed over all of them. Off, it costs one branch per call.
 */
const enabled = process.env.RALPH_GUARD_TIMING === '1';
const totals = new Map<string, number>();
const phases: Array<[string, number, number]> = [];

export const timing = {
  enabled,
  /** Adds `ms` to a named total (an atom, parsing). */
  add(label: string, ms: number): void {
    if (enabled) totals.set(label, (totals.get(label) ?? 0) + ms);
  },
  /** The totals added so far, which start again from zero: a worker thread sends its own to the main thread (pool.ts). */
  take(): Record<string, number> {
    const taken = Object.fromEntries(totals);
    totals.clear();
    return taken;
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
    process.stderr.write(out.join('\n') + '\n');
  },
};
