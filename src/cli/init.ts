/** `ralph-guard init` and `ralph-guard uninstall`: set up (or take away) the hooks and a policy, and say exactly what changed. */
import { UsageError } from '../errors.js';
import { parseCommand, type CommandSpec } from './args.js';
import type { InitOptions } from '../init/init.js';

const MANAGERS = ['auto', 'husky', 'git', 'lefthook'] as const;
const AGENTS = ['claude'] as const;

const INIT: CommandSpec = {
  name: 'init',
  usage: '[--hooks auto|husky|git|lefthook] [--agent claude]',
  summary:
    "Add ralph-guard to the repository's pre-commit and pre-push hooks (husky 4 to 9, lefthook or plain git hooks; the lines to add for other managers) and write the recommended policy if there is none. It never clobbers: a second run changes nothing.",
  options: {
    hooks: { type: 'string', value: 'MANAGER', help: 'auto (default: the one in use), husky, git or lefthook' },
    agent: { type: 'string', value: 'claude', help: "also wire Claude Code's hooks (.claude/settings.json)" },
    yes: { type: 'boolean', short: 'y', help: 'ask nothing (init asks nothing today)' },
  },
};
const UNINSTALL: CommandSpec = {
  name: 'uninstall',
  usage: '',
  summary:
    'Remove what init added: its hook lines and scripts, package.json entries, and the policy while it is unchanged.',
  options: {},
};

export async function initCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(INIT, argv);
  if (!parsed) return 0;
  const values = parsed.values as { hooks?: string; agent?: string; yes?: boolean };
  const hooks = (values.hooks ?? 'auto') as InitOptions['hooks'];
  if (!MANAGERS.includes(hooks))
    throw new UsageError(
      `init: --hooks ${hooks}: expected one of ${MANAGERS.join(', ')}; run \`ralph-guard init --help\``,
    );
  if (values.agent !== undefined && !AGENTS.includes(values.agent as 'claude'))
    throw new UsageError(
      `init: --agent ${values.agent}: expected one of ${AGENTS.join(', ')}; run \`ralph-guard init --help\``,
    );

  const { init } = await import('../init/init.js');
  const result = await init({
    cwd: process.cwd(),
    hooks,
    ...(values.agent ? { agent: values.agent as 'claude' } : {}),
  });
  const out = process.stdout;
  out.write(`ralph-guard init (${result.label ?? result.manager}${values.agent ? ` + ${values.agent}` : ''})\n`);
  if (!result.actions.length) out.write('  everything was already in place; nothing changed\n');
  for (const action of result.actions) out.write(`  ✔ ${action}\n`);
  for (const todo of result.todo) out.write(`  → ${todo}\n`);
  if (['husky', 'git', 'lefthook'].includes(result.manager))
    out.write(
      'Commits and pushes are now checked by ralph-guard (check --staged, check --push). `ralph-guard doctor` checks the set-up.\n',
    );
  else
    out.write(
      `ralph-guard does not edit ${result.manager}'s configuration: add the lines above, then run \`ralph-guard doctor\`.\n`,
    );
  return policyStillValid();
}

/**
 * A policy on disk that init kept but that is invalid makes the set-up useless
 * once committed: exit 2 naming the problems, not "everything was already in place".
 */
async function policyStillValid(): Promise<number> {
  const [{ findRoot }, { findPolicyFile, loadPolicy }, { PolicyError }, { readPackageJson, misplacedPolicyKey }] =
    await Promise.all([
      import('../git/git.js'),
      import('../policy/load.js'),
      import('../errors.js'),
      import('../package-json.js'),
    ]);
  const root = await findRoot(process.cwd());
  const misplaced = misplacedPolicyKey(readPackageJson(root));
  if (misplaced) process.stderr.write(`ralph-guard: ${misplaced}\n`);
  const file = findPolicyFile(root, root);
  if (!file) return 0;
  try {
    // The file as it is on disk (the one the user will commit); a JavaScript policy is not run here.
    await loadPolicy({ cwd: process.cwd(), root, configFile: file, runPrograms: false });
    return 0;
  } catch (e) {
    if (!(e instanceof PolicyError)) return 0;
    process.stderr.write(
      `ralph-guard: the hooks are set up, but the policy is invalid, so every check will stop with exit 2:\n${e.problems.map((p) => `  ${p}`).join('\n')}\nFix it, then run \`ralph-guard doctor\`.\n`,
    );
    return 2;
  }
}

export async function uninstallCommand(argv: string[]): Promise<number> {
  if (!parseCommand(UNINSTALL, argv)) return 0;
  const { uninstall } = await import('../init/init.js');
  const result = await uninstall(process.cwd());
  const out = process.stdout;
  out.write('ralph-guard uninstall\n');
  if (!result.removed.length) out.write('  nothing of ralph-guard was installed here\n');
  for (const line of result.removed) out.write(`  ✔ ${line}\n`);
  for (const line of result.kept) out.write(`  → ${line}\n`);
  return 0;
}
