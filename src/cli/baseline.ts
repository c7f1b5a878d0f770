/**
 * `ralph-guard baseline [--prune]`: record today's findings (every tracked
 * file, every line) so that only new ones block. `--prune` only drops entries
 * whose finding is gone, and records nothing new.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseCommand, type CommandSpec } from './args.js';

const BASELINE: CommandSpec = {
  name: 'baseline',
  usage: '[--prune]',
  summary:
    "Record today's findings (every tracked file as staged, every line) in the baseline file so that only new ones block.",
  options: {
    prune: { type: 'boolean', help: 'only drop entries whose finding is gone; record nothing new' },
    config: { type: 'string', short: 'c', value: 'FILE', help: 'this policy file instead of the one found' },
  },
};

export async function baselineCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(BASELINE, argv);
  if (!parsed) return 0;
  const values = parsed.values as { prune?: boolean; config?: string };
  const [{ run }, baseline] = await Promise.all([import('../engine/engine.js'), import('../baseline.js')]);
  const { root, policy, report } = await run({
    cwd: process.cwd(),
    mode: 'all',
    index: true, // what commits will judge: the staged content
    paths: [],
    baseline: false,
    fingerprints: true,
    commands: false,
    // Reading is not running: a JavaScript policy is not evaluated here (it exits 2 saying so).
    runPrograms: false,
    ...(values.config ? { configFile: values.config } : {}),
  });
  const current = report.findings
    .filter((f) => f.fingerprint)
    .map((f) => ({ rule: f.rule, file: f.file, fingerprint: f.fingerprint! }));
  const previous = baseline.loadBaseline(root, policy.baseline);
  const path = baseline.baselinePath(root, policy.baseline);
  const shown = previous?.file ?? policy.baseline;
  const before = new Set(previous?.entries.map((e) => e.fingerprint) ?? []);
  const now = new Set(current.map((e) => e.fingerprint));
  let entries;
  if (values.prune) {
    if (!previous) {
      process.stdout.write(`ralph-guard baseline --prune: there is no ${shown} to prune\n`);
      return 0;
    }
    entries = previous.entries.filter((e) => now.has(e.fingerprint));
    process.stdout.write(
      `ralph-guard baseline --prune: dropped ${previous.entries.length - entries.length} fixed finding(s); ${entries.length} remain in ${shown}\n`,
    );
  } else {
    entries = current;
    const added = current.filter((e) => !before.has(e.fingerprint)).length;
    const dropped = [...before].filter((f) => !now.has(f)).length;
    process.stdout.write(
      `ralph-guard baseline: ${entries.length} finding(s) recorded in ${shown}${previous ? ` (${added} new, ${dropped} gone)` : ''}. They no longer block; new ones do.\n`,
    );
    if (report.failures.length)
      process.stdout.write(
        `  note: ${report.failures.length} atom run(s) failed, so their findings are not in the baseline\n`,
      );
  }
  // A baseline the policy put in a folder of its own (config/accepted.json) may be the folder's first file.
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, baseline.serialiseBaseline(entries));
  return 0;
}
