/** The few typed errors a user can meet. Each carries a message that stands on its own: no stack trace reaches a user unless RALPH_GUARD_DEBUG=1. */

/** An invalid policy or command line: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A policy with one or more problems, each already phrased as `file: key.path: expected …, got …`. */
export class PolicyError extends UsageError {
  override name = 'PolicyError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Run outside a git working tree: a usage error (exit 2), not a failure of the guard. */
export class NotARepository extends UsageError {
  override name = 'NotARepository';
  constructor(readonly cwd: string) {
    super(
      `${cwd} is not inside a git repository; run ralph-guard from your project's folder (or \`git init\` to start one)`,
    );
  }
}

/** A JavaScript or TypeScript policy met by a command that only reads: it is not run. */
export class PolicyNotRun extends UsageError {
  override name = 'PolicyNotRun';
  constructor(readonly file: string) {
    super(`${file}: JavaScript policy: runs when hooks run; not evaluated here`);
  }
}

/** git refused or failed; keeps git's own message. */
export class GitError extends Error {
  override name = 'GitError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `git ${args.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || 'no message'}`,
    );
  }
}

/** An atom that threw or ran out of time; the other atoms still run. */
export class AtomError extends Error {
  override name = 'AtomError';
  constructor(
    readonly atom: string,
    message: string,
  ) {
    super(message);
  }
}
