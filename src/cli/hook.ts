/**
 * `ralph-guard hook <name>`: entry points that other programs call with their
 * own protocol. `claude-post-edit`, `claude-stop` and `claude-pre-tool` are
 * Claude Code's PostToolUse, Stop and PreToolUse hooks (src/agent/claude.ts,
 * src/agent/pre-tool.ts); `init --agent claude` wires them into
 * .claude/settings.json.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

const HOOKS = ['claude-post-edit', 'claude-stop', 'claude-pre-tool'] as const;

export async function hookCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { 'max-rounds': { type: 'string' } } });
  } catch (e) {
    throw new UsageError(`hook: ${(e as Error).message}`);
  }
  const name = parsed.positionals[0];
  if (!name || !HOOKS.includes(name as (typeof HOOKS)[number]))
    throw new UsageError(`hook: expected one of ${HOOKS.join(', ')}${name ? `, got "${name}"` : ''}`);
  const maxRounds = parsed.values['max-rounds'] === undefined ? undefined : Number(parsed.values['max-rounds']);
  if (maxRounds !== undefined && !(Number.isInteger(maxRounds) && maxRounds >= 1))
    throw new UsageError('hook: --max-rounds expects a whole number ≥ 1');

  const claude = await import('../agent/claude.js');
  let result;
  try {
    const input = claude.parseHookInput(await readStdin());
    if (name === 'claude-pre-tool') result = await (await import('../agent/pre-tool.js')).preToolUse(input);
    else if (name === 'claude-post-edit') result = await claude.postEdit(input);
    else result = await claude.stop(input, maxRounds === undefined ? {} : { maxRounds });
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
