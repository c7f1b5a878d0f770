/**
 * `ralph-guard approve [--staged | --worktree]`: a person acknowledges the
 * high-risk areas of a change (DESIGN §10). It shows the high-risk hunks,
 * asks for confirmation on a terminal (it refuses without one: an assistant
 * cannot approve its own work), and records the reviewed blob ids, the
 * areas, the reviewer (git user.name/user.email) and the time in
 * `.ralph-reviews.json`, so the same content is not asked again and any later
 * edit of it is. It writes that file and nothing else.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';
import { type CommandSpec, parseCommand } from './args.js';

export const APPROVE: CommandSpec = {
  name: 'approve',
  usage: '[--staged | --worktree]',
  summary:
    'A person acknowledges the high-risk areas of a change: shows each area, its criterion and the diff, asks for "yes" at a terminal (refuses without one), and records the reviewed blob ids, areas, reviewer (git user.name/user.email) and time in .ralph-reviews.json. Default: the staged change when something is staged, else the working change.',
  options: {
    staged: { type: 'boolean', help: 'the staged change' },
    worktree: { type: 'boolean', help: 'the working change against HEAD, untracked files included' },
    config: { type: 'string', short: 'c', value: 'FILE', help: 'this policy file instead of the one found' },
  },
};

export async function approveCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(APPROVE, argv);
  if (!parsed) return 0;
  const values = parsed.values as Partial<Record<'staged' | 'worktree', boolean>> & { config?: string };
  if (values.staged && values.worktree) throw new UsageError('approve: choose one of --staged, --worktree');
  const [{ findRoot, git }, { loadPolicy }, review, { REVIEWS_FILE, readReviews }] = await Promise.all([
    import('../git/git.js'),
    import('../policy/load.js'),
    import('../review/run.js'),
    import('../review/acknowledgement.js'),
  ]);
  const root = await findRoot(process.cwd());
  // Default: the staged change when something is staged, else the working change.
  const somethingStaged = (await git(['diff', '--cached', '--name-only', '-z'], { cwd: root })).length > 0;
  const mode =
    values.staged || (!values.worktree && somethingStaged)
      ? ({ kind: 'staged' } as const)
      : ({ kind: 'worktree' } as const);
  const policy = await loadPolicy({
    cwd: process.cwd(),
    root,
    ...(values.config ? { configFile: values.config } : {}),
  });
  // Areas, and the findings of atoms at level review.
  const atomReport = await review.reviewAtomReport(process.cwd(), policy, mode.kind, values.config);
  const reviews = (
    atomReport ? await review.judgeReviews(root, policy, atomReport, mode) : await review.reviewsFor(root, policy, mode)
  ).filter((r) => !r.acknowledged);
  const out = process.stdout;
  if (!reviews.length) {
    out.write(`ralph-guard approve: the ${mode.kind} change touches no high-risk area that waits for a review.\n`);
    return 0;
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write(
      'ralph-guard approve: a person must confirm this at a terminal, and there is none (stdin or stdout is not a TTY). ' +
        'Run it yourself in a terminal, or have the reviewer add "Security-Reviewed-by: Name <email>" to the commit message.\n',
    );
    return 2;
  }
  const name = (await git(['config', 'user.name'], { cwd: root, okCodes: [1] })).trim();
  const email = (await git(['config', 'user.email'], { cwd: root, okCodes: [1] })).trim();
  if (!name || !email)
    throw new UsageError('approve: set git user.name and user.email first: the record names the reviewer');

  // The high-risk hunks: each touched file's diff, for the person to read before saying yes.
  const files = [...new Set(reviews.flatMap((r) => r.places.map((p) => p.file)))];
  out.write(`High-risk areas in the ${mode.kind} change:\n`);
  for (const r of reviews) out.write(`  ${r.area}: ${r.title}\n    pass when: ${r.criterion}\n`);
  out.write('\n');
  const diff = await git(
    ['diff', '--no-color', '--no-ext-diff', ...(mode.kind === 'staged' ? ['--cached'] : []), 'HEAD', '--', ...files],
    { cwd: root, okCodes: [128] },
  ).catch(() => '');
  out.write(diff || files.map((f) => `(new file) ${f}\n`).join(''));
  for (const f of files) {
    if (!diff.includes(`b/${f}`))
      out.write(`\n--- ${f} (new, not yet tracked)\n${readFileSync(join(root, f), 'utf8')}`);
  }
  const answer = await ask(`\nApprove ${reviews.map((r) => r.area).join(', ')} as ${name} <${email}>? Type "yes": `);
  if (answer.trim().toLowerCase() !== 'yes') {
    out.write('Not approved; nothing recorded.\n');
    return 1;
  }
  const record = readReviews(root);
  const at = new Date().toISOString();
  for (const r of reviews)
    for (const p of r.places) {
      const existing = record.reviews.find((x) => x.path === p.file && x.blob === p.blob);
      if (existing) {
        existing.areas = [...new Set([...existing.areas, r.area])].sort();
        existing.reviewer = { name, email };
        existing.at = at;
      } else record.reviews.push({ path: p.file, blob: p.blob, areas: [r.area], reviewer: { name, email }, at });
    }
  const file = join(root, REVIEWS_FILE);
  const indent = existsSync(file) ? (readFileSync(file, 'utf8').match(/^[ \t]+(?=")/m)?.[0] ?? '  ') : '  ';
  writeFileSync(file, JSON.stringify(record, null, indent) + '\n');
  out.write(
    `Recorded in ${REVIEWS_FILE}: ${files.length} file${files.length === 1 ? '' : 's'} as they are now. ` +
      'Commit it with the change so CI sees the approval; a later edit of these files asks again.\n',
  );
  return 0;
}

function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((resolve) =>
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    }),
  );
}
