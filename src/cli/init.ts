/** `ralph-guard init` and `ralph-guard uninstall`: set up (or take away) the hooks and a policy, and say exactly what changed. */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import type { InitOptions } from '../init/init.js';

const MANAGERS = ['auto', 'husky', 'git', 'lefthook'] as const;
const AGENTS = ['claude'] as const;

export async function initCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { hooks: { type: 'string' }, agent: { type: 'string' }, yes: { type: 'boolean', short: 'y' } },
    }));
  } catch (e) {
    throw new UsageError(`init: ${(e as Error).message}`);
  }
  const hooks = (values.hooks ?? 'auto') as InitOptions['hooks'];
  if (!MANAGERS.includes(hooks)) throw new UsageError(`--hooks ${hooks}: expected one of ${MANAGERS.join(', ')}`);
  if (values.agent !== undefined && !AGENTS.includes(values.agent as 'claude'))
    throw new UsageError(`--agent ${values.agent}: expected one of ${AGENTS.join(', ')}`);

  const { init } = await import('../init/init.js');
  const result = await init({
    cwd: process.cwd(),
    hooks,
    ...(values.agent ? { agent: values.agent as 'claude' } : {}),
  });
  const out = process.stdout;
  out.write(`ralph-guard init (${result.manager}${values.agent ? ` + ${values.agent}` : ''})\n`);
  if (!result.actions.length) out.write('  everything was already in place; nothing changed\n');
  for (const action of result.actions) out.write(`  ✔ ${action}\n`);
  for (const todo of result.todo) out.write(`  → ${todo}\n`);
  if (['husky', 'git', 'lefthook'].includes(result.manager))
    out.write(
      'Commits are now checked with `ralph-guard check --staged`, pushes with `ralph-guard check --push`. `ralph-guard doctor` checks the set-up.\n',
    );
  else
    out.write(
      `ralph-guard does not edit ${result.manager}'s configuration: add the lines above, then run \`ralph-guard doctor\`.\n`,
    );
  return 0;
}

export async function uninstallCommand(argv: string[]): Promise<number> {
  if (argv.length) throw new UsageError(`uninstall: unexpected ${argv.join(' ')}`);
  const { uninstall } = await import('../init/init.js');
  const result = await uninstall(process.cwd());
  const out = process.stdout;
  out.write('ralph-guard uninstall\n');
  if (!result.removed.length) out.write('  nothing of ralph-guard was installed here\n');
  for (const line of result.removed) out.write(`  ✔ ${line}\n`);
  for (const line of result.kept) out.write(`  → ${line}\n`);
  return 0;
}
