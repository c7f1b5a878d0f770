/** `ralph-guard doctor`: one ok/warn/fail line per fact, with the fix; exit 1 when something fails. */
import { parseCommand, type CommandSpec } from './args.js';

const DOCTOR: CommandSpec = {
  name: 'doctor',
  usage: '',
  summary:
    'Is the guard really switched on here? Node and git versions, the hook manager, whether the hooks exist and their command runs (each is started with --dry-run), the policy, the baseline, the advisory database and the assistant hooks: ok, warn or fail, each with its fix. Exit 1 when something fails.',
  options: {},
};
import { plural } from '../words.js';

export async function doctorCommand(argv: string[]): Promise<number> {
  if (!parseCommand(DOCTOR, argv)) return 0;
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
