/**
 * `ralph-guard hook <name>`: entry points that other programs call with their
 * own protocol. `claude-post-edit` and `claude-stop` are Claude Code's
 * PostToolUse and Stop hooks (see src/agent/claude.ts); `init --agent claude`
 * wires them into .claude/settings.json.
 */
import { UsageError } from '../errors.js';

import { parseCommand, type CommandSpec } from './args.js';

const HOOKS = ['claude-post-edit', 'claude-stop'] as const;

const HOOK: CommandSpec = {
  name: 'hook',
  usage: 'claude-post-edit|claude-stop',
  summary:
    'Entry points that Claude Code calls with its hook JSON on stdin (`ralph-guard init --agent claude` wires them): claude-post-edit after each edit, claude-stop when the assistant would end its turn.',
  positionals: 1,
  options: {
    'max-rounds': { type: 'string', value: 'N', help: 'claude-stop: give up blocking after N rounds (default 5)' },
  },
};

export async function hookCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(HOOK, argv);
  if (!parsed) return 0;
  const name = parsed.positionals[0];
  if (!name || !HOOKS.includes(name as (typeof HOOKS)[number]))
    throw new UsageError(`hook: expected one of ${HOOKS.join(', ')}${name ? `, got "${name}"` : ''}`);
  const maxRounds =
    parsed.values['max-rounds'] === undefined ? undefined : Number(parsed.values['max-rounds'] as string);
  if (maxRounds !== undefined && !(Number.isInteger(maxRounds) && maxRounds >= 1))
    throw new UsageError('hook: --max-rounds expects a whole number ≥ 1');

  const claude = await import('../agent/claude.js');
  let result;
  try {
    const input = claude.parseHookInput(await readStdin());
    result =
      name === 'claude-post-edit'
        ? await claude.postEdit(input)
        : await claude.stop(input, maxRounds === undefined ? {} : { maxRounds });
  } catch (error) {
    result = claude.hookError(error);
  }
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  return result.code;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
