/** `ralph-guard harden [--since REF | --staged | --worktree] [--format markdown|json]`: pass 2's task list (DESIGN §10). */
import { UsageError } from '../errors.js';
import type { ChangedFile, HardenMode } from '../harden/plan.js';
import { type CommandSpec, parseCommand } from './args.js';

export const HARDEN: CommandSpec = {
  name: 'harden',
  usage: '[--since REF | --staged | --worktree] [--format markdown|json]',
  summary:
    "Print pass 2's task list for a fresh assistant session: the files of pass 1, one task per failing atom (its pass criterion, the findings, the secure pattern and the check command that proves it), one per high-risk area the change touches (a person reviews it), then the whole change. Default: the working change against HEAD.",
  options: {
    since: { type: 'string', value: 'REF', help: 'the files changed since REF, judged whole as they are now' },
    staged: { type: 'boolean', help: 'the staged change' },
    worktree: { type: 'boolean', help: 'the working change against HEAD, untracked files included (the default)' },
    format: { type: 'string', short: 'f', value: 'FMT', help: 'markdown (default) or json' },
    config: { type: 'string', short: 'c', value: 'FILE', help: 'this policy file instead of the one found' },
  },
};

export async function hardenCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(HARDEN, argv);
  if (!parsed) return 0;
  const v = parsed.values as Partial<Record<'since' | 'format' | 'config', string>> &
    Partial<Record<'staged' | 'worktree', boolean>>;
  const chosen = [v.since !== undefined && '--since', v.staged && '--staged', v.worktree && '--worktree'].filter(
    Boolean,
  );
  if (chosen.length > 1)
    throw new UsageError(`harden: choose one of --since REF, --staged, --worktree (got ${chosen.join(' and ')})`);
  const format = v.format ?? 'markdown';
  if (format !== 'markdown' && format !== 'json')
    throw new UsageError(`harden --format ${format}: expected markdown or json`);
  const mode: HardenMode =
    v.since !== undefined ? { kind: 'since', ref: v.since } : v.staged ? { kind: 'staged' } : { kind: 'worktree' };

  const [{ findRoot }, { run }, harden] = await Promise.all([
    import('../git/git.js'),
    import('../engine/engine.js'),
    import('../harden/plan.js'),
  ]);
  const root = await findRoot(process.cwd());
  const files = await changedFiles(root, mode);
  const present = files.filter((f) => f.status !== 'deleted').map((f) => `:(top,literal)${f.path}`);
  const result = await run({
    cwd: process.cwd(),
    mode: mode.kind === 'since' ? 'all' : mode.kind,
    // --since judges the pass-1 files whole, as they are now; with none, an empty path list would mean all files.
    paths: mode.kind === 'since' ? (present.length ? present : [':(top,literal).ralph-guard-nothing']) : [],
    ...(v.config ? { configFile: v.config } : {}),
    // Only the atoms that ran on the change are "touched"; a result cache would hide the ones that found nothing.
    resultCache: false,
    commands: true,
  });
  // The high-risk areas pass 1 touched: tasks for a person (--since: the commits since REF and the working change).
  const review = await import('../review/run.js');
  result.report.reviews =
    mode.kind === 'since'
      ? [
          ...(await review.reviewsFor(root, result.policy, { kind: 'range', range: `${mode.ref}..HEAD` })),
          ...(await review.reviewsFor(root, result.policy, { kind: 'worktree' })),
        ]
      : await review.reviewsFor(root, result.policy, { kind: mode.kind });
  const plan = harden.buildPlan(result.report, mode, files);
  process.stdout.write(format === 'json' ? harden.formatPlanJson(plan) : harden.formatPlanMarkdown(plan));
  return 0;
}

const STATUS: Record<string, ChangedFile['status']> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'added',
  T: 'modified',
};

/** The files of pass 1: what git lists as changed in `mode`, untracked files included outside --staged. */
async function changedFiles(root: string, mode: HardenMode): Promise<ChangedFile[]> {
  const { git, splitNul, EMPTY_TREE } = await import('../git/git.js');
  const hasHead = (await git(['rev-parse', '--verify', '-q', 'HEAD'], { cwd: root, okCodes: [1] })).trim() !== '';
  const base = mode.kind === 'since' ? mode.ref : hasHead ? 'HEAD' : EMPTY_TREE;
  if (mode.kind === 'since') {
    const ok = (await git(['rev-parse', '--verify', '-q', `${mode.ref}^{commit}`], { cwd: root, okCodes: [1] })).trim();
    if (!ok)
      throw new UsageError(
        `harden --since ${mode.ref}: git cannot resolve it to a commit; \`git log --oneline\` lists the commits and \`git branch -a\` the branches`,
      );
  }
  const args = [
    'diff',
    '--name-status',
    '-z',
    '--no-renames',
    ...(mode.kind === 'staged' ? ['--cached'] : []),
    base,
    '--',
  ];
  const fields = splitNul(await git(args, { cwd: root }));
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2)
    files.push({ path: fields[i + 1]!, status: STATUS[fields[i]![0]!] ?? 'modified' });
  if (mode.kind !== 'staged') {
    for (const path of splitNul(await git(['ls-files', '-z', '--others', '--exclude-standard'], { cwd: root })))
      files.push({ path, status: 'untracked' });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
