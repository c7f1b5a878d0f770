/** `ralph-guard check`: run the pipeline on a change set, print a report, exit 0/1/2/3. */
import { UsageError } from '../errors.js';
import type { Mode } from '../changeset/changeset.js';
// Small modules a check loads anyway, imported statically: each dynamic import costs a module load of its own.
import { unstagedHintArgs } from '../git/early.js';
import { findRoot, git, headCommit, splitNul } from '../git/git.js';
import { misplacedPolicyKey, readPackageJson } from '../package-json.js';
import { FORMAT_NAMES, isFormat, reporter } from '../report/index.js';
import { timing } from '../timing.js';
import { reportError } from './report-error.js';
import { parseCommand, type CommandSpec } from './args.js';
import { colorWanted } from './color.js';

type CheckValues = Partial<
  Record<'staged' | 'push' | 'worktree' | 'all' | 'index' | 'online' | 'offline' | 'dry-run', boolean>
> &
  Partial<Record<'range' | 'remote' | 'format' | 'atoms' | 'skill' | 'config' | 'fail-on' | 'commit-msg', string>> &
  Partial<Record<'no-baseline' | 'no-cache' | 'no-color', boolean>>;

export async function checkCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(CHECK, argv);
  if (!parsed) return 0;
  const values = parsed.values as CheckValues;
  const { positionals } = parsed;
  const modes = (['staged', 'push', 'all', 'worktree'] as const).filter((m) => values[m]);
  if (values.range !== undefined) modes.push('range' as never);
  if (modes.length > 1)
    throw new UsageError(
      `check: choose one of --staged, --push, --range, --worktree, --all (got ${modes.map((m) => `--${m}`).join(' and ')}); run \`ralph-guard check --help\` for what each checks`,
    );
  const mode: Mode = (modes[0] as Mode | undefined) ?? 'staged';
  const format = values.format ?? 'pretty';
  if (!isFormat(format))
    throw new UsageError(
      `check: --format ${format}: expected one of ${FORMAT_NAMES.join(', ')}; run \`ralph-guard check --help\``,
    );
  const output = reporter(format);
  const hookMode = mode === 'staged' || mode === 'push';
  if (values.index && mode !== 'all')
    throw new UsageError('--index goes with --all (`ralph-guard check --all --index`)');

  if (values['fail-on'] !== undefined && values['fail-on'] !== 'warn' && values['fail-on'] !== 'block')
    throw new UsageError(`check: --fail-on ${values['fail-on']}: expected block or warn`);
  if (values['dry-run']) return dryRun(values['commit-msg'] !== undefined ? 'commit-msg' : mode);
  if (values['commit-msg'] !== undefined) return commitMsgCheck(values['commit-msg'], values.config);

  // The switch the README documents, honoured whatever runs the hook (husky, lefthook, the pre-commit framework).
  if (hookMode && process.env.RALPH_GUARD === '0') {
    process.stderr.write(`ralph-guard: RALPH_GUARD=0, so the ${mode} check is skipped\n`);
    return 0;
  }
  const { run } = await import('../engine/engine.js');
  let failClosed = false;
  try {
    await findRootOrSay();
    const push = mode === 'push' ? await pushInput() : null;
    // Started beside the check: what a staged check leaves out is said, not judged.
    const unstaged = mode === 'staged' ? unstagedFiles(positionals) : null;
    const result = await run({
      cwd: process.cwd(),
      mode,
      paths: positionals,
      ...(values.range !== undefined ? { range: values.range } : {}),
      ...(values.index ? { index: true } : {}),
      ...(push ? { pushInput: push.input, ...pushRemote(values.remote) } : {}),
      ...(values.atoms
        ? {
            atoms: values.atoms
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean),
          }
        : {}),
      ...(values.skill ? { skill: values.skill } : {}),
      ...(values.config ? { configFile: values.config } : {}),
      online: values.online === true && values.offline !== true,
      baseline: values['no-baseline'] !== true,
      resultCache: values['no-cache'] !== true,
      fingerprints: output.fingerprints === true,
      allAtoms: output.allAtoms === true,
    });
    failClosed = result.policy.failClosed;
    // The high-risk areas the change touches, and whether a person acknowledged each (not for --all: no change to review).
    if (mode !== 'all') {
      const review = await import('../review/run.js');
      // Areas, atoms at level review, and guard findings a person acknowledged (which then no longer block).
      const reviews = await review.judgeReviews(
        result.root,
        result.policy,
        result.report,
        mode === 'range'
          ? { kind: 'range', range: values.range ?? '' }
          : mode === 'push'
            ? { kind: 'push', input: push?.input ?? '', remote: pushRemote(values.remote).pushRemote }
            : mode === 'staged'
              ? { kind: mode, listing: result.stagedListing }
              : { kind: mode },
      );
      if (review.stopping(reviews, mode === 'staged' ? 'pre-commit' : 'final').length)
        result.report.summary.blocked = true;
    }
    const { summary, notes } = result.report;
    summary.judged = judged(mode, values.index === true, values.range);
    if (push?.range) notes.unshift(push.range);
    const misplaced = await misplacedKeyNote();
    if (misplaced) notes.push(misplaced);
    if (mode === 'push') {
      const secret = result.report.findings.find((f) => f.atom === 'secrets' && f.commit && f.severity === 'error');
      if (secret) notes.push(rewriteAdvice(secret.commit!.slice(0, 10)));
    }
    const left = await unstaged;
    if (left?.length)
      notes.push(
        `${plural(left.length, 'tracked file')} ${left.length === 1 ? 'has' : 'have'} unstaged changes that were not checked (${left.slice(0, 3).join(', ')}${left.length > 3 ? ', …' : ''}): \`git add\` them, or \`ralph-guard check --all\` judges the files on disk`,
      );
    const outcome = mode === 'staged' ? 'Commit refused' : mode === 'push' ? 'Push refused' : 'Check failed';
    const color = colorWanted(values['no-color'] === true);
    const width = (process.stdout.isTTY && process.stdout.columns) || Number(process.env.COLUMNS) || 80;
    process.stdout.write((await output.load())(result.report, { color, outcome, width }));
    timing.phase('report printed');
    timing.print();
    if (result.report.summary.blocked) return 1;
    // CI without any advisory source for changed packages (see the dependencies atom's requireAdvisories).
    if (result.report.findings.some((f) => f.rule === 'dependencies/advisories-required')) return 3;
    // --fail-on warn: a warning fails too (the binary check of a `harden` task on a warn-level atom).
    if (values['fail-on'] === 'warn' && result.report.findings.length) return 1;
    if (result.report.failures.length && (failClosed || !hookMode)) return 3;
    return 0;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = reportError(error);
    // A hook must not stand in the way because the guard itself broke, unless the policy says so.
    if (hookMode && !failClosed && !(await policyFailsClosed())) {
      process.stderr.write(
        'ralph-guard: letting this through (set "failClosed": true in the policy to block instead)\n',
      );
      return 0;
    }
    return code;
  }
}

export const CHECK: CommandSpec = {
  name: 'check',
  usage: '[--staged | --push [--remote NAME] | --range A..B | --worktree | --all [--index]] [PATH...]',
  summary:
    'Check a change against the atoms of the policy and exit 0 (pass), 1 (blocked), 2 (usage or policy error) or 3 (internal error). Without a mode flag it checks what is staged, as the pre-commit hook does. PATHs narrow any mode.',
  positionals: Number.POSITIVE_INFINITY,
  options: {
    staged: { type: 'boolean', help: 'what is staged for the next commit (the default; the pre-commit hook)' },
    push: {
      type: 'boolean',
      help: "the commits being pushed (the pre-push hook's input; without it, those the upstream lacks)",
    },
    range: { type: 'string', value: 'A..B', help: 'the commits of a range, for CI (origin/main..HEAD)' },
    remote: {
      type: 'string',
      value: 'NAME',
      help: 'with --push: the remote pushed to (the git hook passes it); only what it lacks is checked',
    },
    worktree: { type: 'boolean', help: 'changes on disk against HEAD, untracked files included' },
    all: { type: 'boolean', help: 'every tracked file as it is on disk, every line' },
    index: { type: 'boolean', help: 'with --all: every tracked file as staged' },
    format: { type: 'string', short: 'f', value: 'FMT', help: `${FORMAT_NAMES.join(', ')} (default: pretty)` },
    atoms: { type: 'string', value: 'a,b', help: 'only these atoms' },
    skill: { type: 'string', value: 'NAME', help: 'only the atoms of this skill (ralph-guard skills)' },
    config: { type: 'string', short: 'c', value: 'FILE', help: 'this policy file instead of the one found' },
    'no-baseline': { type: 'boolean', help: 'report findings the baseline accepts too' },
    'no-cache': { type: 'boolean', help: 'do not reuse results of earlier runs' },
    online: { type: 'boolean', help: 'let atoms ask the network (the npm registry, OSV)' },
    offline: { type: 'boolean', help: 'never use the network (the default)' },
    'no-color': { type: 'boolean', help: 'no colour (also NO_COLOR=1; FORCE_COLOR=1 forces it)' },
    'fail-on': { type: 'string', value: 'LEVEL', help: 'warn: a warning fails the check too (block: the default)' },
    'commit-msg': {
      type: 'string',
      value: 'FILE',
      help: 'the commit-msg hook: high-risk areas at level review need a Security-Reviewed-by trailer in FILE or an approval',
    },
    'dry-run': {
      type: 'boolean',
      help: 'check nothing: say what would be checked and exit 0 (doctor runs the hooks with it)',
    },
  },
};

const ZERO = '0'.repeat(40);

/**
 * What push mode checks. The pre-push hook's stdin (`<local ref> <local sha>
 * <remote ref> <remote sha>` per ref) when there is one; under the
 * pre-commit framework, which keeps stdin to itself, the same facts from its
 * PRE_COMMIT_* variables. Run by hand or from a script (a terminal, or stdin
 * empty), the commits the current branch's upstream lacks, and without an
 * upstream those on no remote; `range` says which.
 */
async function pushInput(): Promise<{ input: string; range?: string }> {
  const env = process.env;
  // husky 4 reads the hook's stdin itself and hands it on in HUSKY_GIT_STDIN.
  if (env.HUSKY_GIT_STDIN?.trim()) return { input: env.HUSKY_GIT_STDIN };
  if (env.PRE_COMMIT_TO_REF) {
    const from = env.PRE_COMMIT_FROM_REF || ZERO;
    return {
      input: `${env.PRE_COMMIT_LOCAL_BRANCH || 'HEAD'} ${env.PRE_COMMIT_TO_REF} ${env.PRE_COMMIT_REMOTE_BRANCH || 'refs/heads/HEAD'} ${from}\n`,
    };
  }
  const fromFramework = Boolean(env.PRE_COMMIT_REMOTE_NAME); // the pre-commit framework keeps stdin to itself
  if (!fromFramework && !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim()) return { input: text };
  }
  const cwd = process.cwd();
  const head = await headCommit(cwd);
  if (!head) throw new UsageError('check --push: there are no commits yet; commit first (`git commit`), then push');
  if (fromFramework) {
    // Pushing a branch whose new commits reach a root commit, the framework sets no TO_REF (it would
    // pass every file instead): check the commits of that branch that no remote has.
    const branch = env.PRE_COMMIT_LOCAL_BRANCH || 'HEAD';
    const local = (await git(['rev-parse', '--verify', '-q', `${branch}^{commit}`], { cwd, okCodes: [1] })).trim();
    return {
      input: `${branch} ${local || head} ${env.PRE_COMMIT_REMOTE_BRANCH || 'refs/heads/HEAD'} ${ZERO}\n`,
      range: `push: the commits of ${branch} that are on no remote (the pre-commit framework gave no range: a first push)`,
    };
  }
  const upstream = (
    await git(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}'], { cwd, okCodes: [128] }).catch(
      () => '',
    )
  ).trim();
  const upstreamSha = upstream
    ? (await git(['rev-parse', '--verify', '-q', `${upstream}^{commit}`], { cwd, okCodes: [1] })).trim()
    : '';
  if (upstreamSha)
    return {
      input: `HEAD ${head} refs/heads/HEAD ${upstreamSha}\n`,
      range: `push: the commits ${upstream}..HEAD (what the upstream lacks; no pre-push input was given)`,
    };
  return {
    input: `HEAD ${head} refs/heads/HEAD ${ZERO}\n`,
    range: 'push: the commits of HEAD that are on no remote (this branch has no upstream; no pre-push input was given)',
  };
}

/** The remote a push goes to: `--remote` (the git hook passes its first argument), or what the pre-commit framework says. */
function pushRemote(option: string | undefined): { pushRemote?: string } {
  const remote = option || process.env.PRE_COMMIT_REMOTE_NAME;
  return remote ? { pushRemote: remote } : {};
}

/**
 * Tracked files whose content on disk differs from the index, relative to the root; narrowed by the paths given.
 * `git diff-files` compares only the index with the disk (no HEAD side, no rename detection): it lstats every
 * tracked file, about 60 ms of CPU at 50,000 files, and runs beside the check (DESIGN §8: staged time must not
 * grow with the repository; the check itself takes longer, so nobody waits for this).
 */
async function unstagedFiles(paths: string[]): Promise<string[]> {
  try {
    return splitNul(await git(unstagedHintArgs(paths), { cwd: process.cwd() }));
  } catch {
    return []; // a hint, never a reason to fail the check
  }
}

/**
 * A secret in a commit that is not pushed yet can still be kept out of the
 * remote's history: a later commit that deletes it cannot. Said once, after the findings.
 */
function rewriteAdvice(commit: string): string {
  return `A secret is in commit ${commit}, which is not pushed yet: a new commit that deletes it leaves it in history. Rewrite the unpushed commits instead: \`git rebase -i ${commit}^\` (\`--root\` for the first commit), mark ${commit} as "edit", remove the secret, \`git commit --amend\`, \`git rebase --continue\`; then push, and revoke the secret anyway if it ever left this machine.`;
}

/** A policy in package.json under "ralph-guard" is ignored: say so rather than let the user think it applies. */
async function misplacedKeyNote(): Promise<string | null> {
  try {
    return misplacedPolicyKey(readPackageJson(await findRoot(process.cwd())));
  } catch {
    return null; // an unreadable package.json is not this hint's business
  }
}

/** Which version of the files a report judged, in words. */
function judged(mode: Mode, index: boolean, range: string | undefined): string {
  switch (mode) {
    case 'staged':
      return 'as staged';
    case 'all':
      return index ? 'as staged' : 'on disk';
    case 'worktree':
      return 'on disk';
    case 'push':
      return 'in the commits pushed';
    case 'range':
      return `in the commits of ${range}`;
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Outside a repository, a usage error before anything else (findRoot walks up without starting git when it can). */
async function findRootOrSay(): Promise<string> {
  return findRoot(process.cwd());
}

/** `--dry-run`: the command resolved and runs in a repository; nothing is read or checked. */
async function dryRun(mode: Mode | 'commit-msg'): Promise<number> {
  const root = await findRootOrSay();
  const version = typeof RALPH_GUARD_VERSION === 'string' ? RALPH_GUARD_VERSION : 'dev';
  process.stdout.write(`ralph-guard ${version}: would check --${mode} in ${root} (dry run: nothing checked)\n`);
  return 0;
}

declare const RALPH_GUARD_VERSION: string;

async function policyFailsClosed(): Promise<boolean> {
  try {
    const { loadPolicy } = await import('../policy/load.js');
    return (await loadPolicy({ cwd: process.cwd(), root: await findRoot(process.cwd()) })).failClosed;
  } catch {
    return false;
  }
}

/**
 * `check --commit-msg FILE`, the commit-msg hook: the staged change's high-risk areas at level
 * `review` need a `Security-Reviewed-by: Name <email>` trailer in FILE or a `ralph-guard approve`
 * record of the exact content; otherwise the commit is refused, naming the areas and places.
 */
async function commitMsgCheck(file: string, configFile: string | undefined): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const [{ loadPolicy }, review] = await Promise.all([import('../policy/load.js'), import('../review/run.js')]);
  const root = await findRoot(process.cwd());
  const policy = await loadPolicy({ cwd: process.cwd(), root, ...(configFile ? { configFile } : {}) });
  let message = '';
  try {
    message = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--commit-msg ${file}: cannot read the message (${(e as Error).message})`);
  }
  const mode = { kind: 'staged', message } as const;
  // Atoms at level review: their findings on the staged change (cached from the pre-commit run) wait for the same trailer.
  const atomReport = await review.reviewAtomReport(process.cwd(), policy, 'staged', configFile);
  const reviews = atomReport
    ? await review.judgeReviews(root, policy, atomReport, mode)
    : await review.reviewsFor(root, policy, mode);
  const stopped = review.stopping(reviews, 'final');
  const acknowledged = reviews.filter((r) => r.acknowledged);
  if (acknowledged.length)
    process.stderr.write(
      `ralph-guard: high-risk areas ${acknowledged.map((r) => `${r.area} acknowledged by ${r.by}`).join('; ')}.\n`,
    );
  if (!stopped.length) return 0;
  process.stderr.write(
    `ralph-guard: this commit touches high-risk areas that a person must review:\n${review.pendingLines(stopped)}\n` +
      'A reviewer acknowledges it with a trailer in the message (Security-Reviewed-by: Name <email>), ' +
      'or runs `ralph-guard approve` at a terminal before committing. Commit refused.\n',
  );
  return 1;
}
