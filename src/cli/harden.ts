/** `ralph-guard harden [--since REF | --staged | --worktree] [--format markdown|json]`: pass 2's task list (DESIGN §10). */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import type { ChangedFile, HardenMode } from '../harden/plan.js';

export async function hardenCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        since: { type: 'string' },
        staged: { type: 'boolean' },
        worktree: { type: 'boolean' },
        format: { type: 'string', short: 'f' },
        config: { type: 'string', short: 'c' },
      },
    });
  } catch (e) {
    throw new UsageError(`harden: ${(e as Error).message}`);
  }
  const v = parsed.values;
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
