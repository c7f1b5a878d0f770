// Acknowledging high-risk changes as a person does in the tests: a commit trailer, or `ralph-guard approve` at a terminal.
import { spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';
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

/**
 * An edit of a file whose finding waits for a person: the commit is refused, `approve` at a terminal says
 * `approveSays` and records the new content (tied to its blob) for `area`, then the commit goes.
 */
export function approveEditAndCommit(
  repo: Repo,
  path: string,
  content: string,
  area: string,
  approveSays: string,
): void {
  repo.write(path, content);
  repo.stage();
  assert.is(repo.tryGit(['commit', '-m', 'edit']).code, 1, 'an edit asks again');
  const approved = approveAtTerminal(repo, 'yes');
  assert.is(approved.code, 0, approved.out);
  assert.match(approved.out, approveSays);
  const record = JSON.parse(repo.read('.ralph-reviews.json')).reviews;
  assert.equal(
    record.map((r: { path: string; blob: string; areas: string[] }) => [r.path, r.blob, r.areas]),
    [[path, repo.git('rev-parse', `:${path}`).trim(), [area]]],
  );
  repo.stage('.ralph-reviews.json');
  const accepted = repo.tryGit(['commit', '-m', 'edit']);
  assert.is(accepted.code, 0, accepted.stdout + accepted.stderr);
}
