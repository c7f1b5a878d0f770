/** `ralph-guard doctor`: one ok/warn/fail line per fact, with the fix; exit 1 when something fails. */
import { UsageError } from '../errors.js';
import { plural } from '../words.js';

export async function doctorCommand(argv: string[]): Promise<number> {
  if (argv.length) throw new UsageError(`doctor: unexpected ${argv.join(' ')}`);
  const { doctor } = await import('../init/doctor.js');
  const checks = await doctor(process.cwd());
  const out = process.stdout;
  out.write('ralph-guard doctor\n');
  for (const c of checks) {
    out.write(`  ${c.status.padEnd(4)}  ${c.text}\n`);
    if (c.fix && c.status !== 'ok') out.write(`        fix: ${c.fix}\n`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  out.write(
    failed ? `${plural(failed, 'problem')} to fix.\n` : `All set${warned ? ` (${plural(warned, 'warning')})` : ''}.\n`,
  );
  return failed ? 1 : 0;
}
