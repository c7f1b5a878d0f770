/** `ralph-guard check`: run the pipeline on a change set, print a report, exit 0/1/2/3. */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import type { Mode } from '../changeset/changeset.js';
import { FORMAT_NAMES, isFormat, reporter } from '../report/index.js';
import { reportError } from './report-error.js';

export async function checkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCheckArgs(argv);
  const modes = (['staged', 'push', 'all', 'worktree'] as const).filter((m) => values[m]);
  if (values.range !== undefined) modes.push('range' as never);
  if (modes.length > 1)
    throw new UsageError(
      `choose one of --staged, --push, --range, --worktree, --all (got ${modes.map((m) => `--${m}`).join(' and ')})`,
    );
  const mode: Mode = (modes[0] as Mode | undefined) ?? 'staged';
  const format = values.format ?? 'pretty';
  if (!isFormat(format)) throw new UsageError(`--format ${format}: expected one of ${FORMAT_NAMES.join(', ')}`);
  const output = reporter(format);
  const hookMode = mode === 'staged' || mode === 'push';

  const { run } = await import('../engine/engine.js');
  let failClosed = false;
  try {
    const result = await run({
      cwd: process.cwd(),
      mode,
      paths: positionals,
      ...(values.range !== undefined ? { range: values.range } : {}),
      ...(mode === 'push' ? { pushInput: await readPushInput(), ...pushRemote(values.remote) } : {}),
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
    const outcome = mode === 'staged' ? 'Commit refused' : mode === 'push' ? 'Push refused' : 'Check failed';
    const color = values['no-color'] !== true && process.stdout.isTTY === true && !('NO_COLOR' in process.env);
    process.stdout.write((await output.load())(result.report, { color, outcome }));
    const { timing } = await import('../timing.js');
    timing.phase('report printed');
    timing.print();
    if (result.report.summary.blocked) return 1;
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

function parseCheckArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        staged: { type: 'boolean' },
        push: { type: 'boolean' },
        range: { type: 'string' },
        remote: { type: 'string' },
        worktree: { type: 'boolean' },
        all: { type: 'boolean' },
        format: { type: 'string', short: 'f' },
        atoms: { type: 'string' },
        skill: { type: 'string' },
        'no-baseline': { type: 'boolean' },
        'no-cache': { type: 'boolean' },
        config: { type: 'string', short: 'c' },
        online: { type: 'boolean' },
        offline: { type: 'boolean' },
        'no-color': { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError(`check: ${(e as Error).message}`);
  }
}

const NEW_BRANCH = 'HEAD HEAD refs/heads/HEAD 0000000000000000000000000000000000000000\n';

/**
 * The pre-push hook's stdin. Under the pre-commit framework (which keeps
 * stdin to itself) the same facts come as PRE_COMMIT_FROM_REF/TO_REF; run by
 * hand (a terminal), it is "push HEAD to a new branch".
 */
async function readPushInput(): Promise<string> {
  const env = process.env;
  if (env.PRE_COMMIT_TO_REF) {
    const from = env.PRE_COMMIT_FROM_REF || '0'.repeat(40);
    return `${env.PRE_COMMIT_LOCAL_BRANCH || 'HEAD'} ${env.PRE_COMMIT_TO_REF} ${env.PRE_COMMIT_REMOTE_BRANCH || 'refs/heads/HEAD'} ${from}\n`;
  }
  if (process.stdin.isTTY) return NEW_BRANCH;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The remote a push goes to: `--remote` (the git hook passes its first argument), or what the pre-commit framework says. */
function pushRemote(option: string | undefined): { pushRemote?: string } {
  const remote = option || process.env.PRE_COMMIT_REMOTE_NAME;
  return remote ? { pushRemote: remote } : {};
}

async function policyFailsClosed(): Promise<boolean> {
  try {
    const [{ findRoot }, { loadPolicy }] = await Promise.all([import('../git/git.js'), import('../policy/load.js')]);
    return (await loadPolicy({ cwd: process.cwd(), root: await findRoot(process.cwd()) })).failClosed;
  } catch {
    return false;
  }
}
