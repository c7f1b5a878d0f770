// Acknowledging high-risk changes as a person does in the tests: a commit trailer, or `ralph-guard approve` at a terminal.
import { spawnSync } from 'node:child_process';
import type { Repo } from './repo.js';

export const TRAILER = 'Security-Reviewed-by: Ann Reviewer <ann@example.com>';

/** `ralph-guard approve` at a terminal (script(1) gives it one), answering `answer`. */
export function approveAtTerminal(repo: Repo, answer: string): { code: number; out: string } {
  const r = spawnSync('script', ['-qec', 'ralph-guard approve', '/dev/null'], {
    cwd: repo.dir,
    input: `${answer}\n`,
    encoding: 'utf8',
  });
  return { code: r.status ?? 1, out: r.stdout + r.stderr };
}
