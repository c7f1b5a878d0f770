/** `ralph-guard init`: set up the hooks and a policy, and say exactly what changed. */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { init, type InitOptions } from '../init/init.js';

const MANAGERS = ['auto', 'husky', 'git', 'lefthook'] as const;

export async function initCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { hooks: { type: 'string' }, agent: { type: 'string' }, yes: { type: 'boolean', short: 'y' } } }));
  } catch (e) {
    throw new UsageError(`init: ${(e as Error).message}`);
  }
  const hooks = (values.hooks ?? 'auto') as InitOptions['hooks'];
  if (!MANAGERS.includes(hooks)) throw new UsageError(`--hooks ${hooks}: expected one of ${MANAGERS.join(', ')}`);
  if (values.agent !== undefined) throw new UsageError(`--agent ${values.agent}: not supported yet`);

  const result = await init({ cwd: process.cwd(), hooks });
  const out = process.stdout;
  out.write(`ralph-guard init (${result.manager} hooks)\n`);
  if (!result.actions.length) out.write('  everything was already in place; nothing changed\n');
  for (const action of result.actions) out.write(`  ✔ ${action}\n`);
  for (const todo of result.todo) out.write(`  → ${todo}\n`);
  out.write('Commits are now checked with `ralph-guard check --staged`, pushes with `ralph-guard check --push`.\n');
  return 0;
}
