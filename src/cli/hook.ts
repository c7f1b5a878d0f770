/**
 * `ralph-guard hook <name>`: entry points that other programs call with their
 * own protocol. `claude-post-edit`, `claude-stop` and `claude-pre-tool` are
 * Claude Code's PostToolUse, Stop and PreToolUse hooks (src/agent/claude.ts,
 * src/agent/pre-tool.ts); `init --agent claude` wires them into
 * .claude/settings.json.
 */
import { spawnSync } from 'node:child_process';
import { UsageError } from '../errors.js';

import { parseCommand, type CommandSpec } from './args.js';

const HOOKS = ['claude-post-edit', 'claude-stop', 'claude-pre-tool'] as const;

const HOOK: CommandSpec = {
  name: 'hook',
  usage: 'claude-post-edit|claude-stop|claude-pre-tool',
  summary:
    'Entry points that Claude Code calls with its hook JSON on stdin (`ralph-guard init --agent claude` wires them): claude-post-edit after each edit, claude-stop when the assistant would end its turn, claude-pre-tool before a shell command or an edit.',
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

  // The check runs in a child process: if it dies (a native crash in the parser, memory exhausted), Claude Code
  // still gets exit 2 and the reason, not a signal's exit code it would ignore. (claude-pre-tool reads a shell
  // command, not code: it parses nothing that could crash, and runs before every command, so it runs here.)
  if (name !== 'claude-pre-tool' && process.env[CHILD] !== '1') return supervise(argv, await readStdin());

  const claude = await import('../agent/claude.js');
  let input;
  try {
    input = claude.parseHookInput(await readStdin());
  } catch (error) {
    return write(claude.hookError(error)); // not Claude Code's hook JSON: a non-blocking error
  }
  let result;
  try {
    if (name === 'claude-pre-tool') result = await (await import('../agent/pre-tool.js')).preToolUse(input);
    else if (name === 'claude-post-edit') result = await claude.postEdit(input);
    else result = await claude.stop(input, maxRounds === undefined ? {} : { maxRounds });
  } catch (error) {
    result = claude.hookError(error);
    // The change could not be checked: that blocks, with the reason, so the assistant does not carry on unchecked.
    if (result.code !== 2)
      result = { code: 2, stderr: `ralph-guard could not check the change: ${result.stderr ?? String(error)}` };
  }
  return write(result);
}

const CHILD = 'RALPH_GUARD_HOOK_CHILD';

function write(result: { code: number; stdout?: string; stderr?: string }): number {
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  return result.code;
}

/** Runs this hook again in a child process and passes its answer on; a child that crashed is exit 2 with why. */
function supervise(argv: string[], input: string): number {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, 'hook', ...argv], {
    input,
    env: { ...process.env, [CHILD]: '1' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (child.stdout) process.stdout.write(child.stdout);
  if (child.stderr) process.stderr.write(child.stderr);
  if (child.status === 0 || child.status === 1 || child.status === 2) return child.status;
  const how = child.signal
    ? `it was killed by ${child.signal}`
    : child.error
      ? child.error.message
      : `it exited with code ${child.status}`;
  process.stderr.write(
    `ralph-guard could not check the change: the analysis crashed (${how}). Nothing was checked; tell the user, and do not treat the change as checked.\n`,
  );
  return 2;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
