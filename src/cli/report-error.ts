import { GitError, PolicyError, UsageError } from '../errors.js';

/** Exit code and message for an error that escaped a command. */
export function reportError(error: unknown): number {
  const debug = process.env.RALPH_GUARD_DEBUG === '1';
  if (error instanceof PolicyError) {
    process.stderr.write(`ralph-guard: invalid policy\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 2;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`ralph-guard: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof GitError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`ralph-guard: internal error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  else process.stderr.write('  (set RALPH_GUARD_DEBUG=1 for details)\n');
  return 3;
}
