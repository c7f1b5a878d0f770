/**
 * `ralph-guard doctor`: is the guard really switched on here? One line per
 * fact, ok / warn / fail, each failure with its fix: node and git versions,
 * the hook manager, whether git's pre-commit, pre-push and commit-msg hooks exist, are
 * executable and reach ralph-guard, the binary they resolve, the policy,
 * the baseline, the advisory database and the assistant hooks.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { NotARepository, PolicyError, PolicyNotRun, UsageError } from '../errors.js';
import { formatBytes } from '../changeset/text.js';
import { git, repoInfo, type RepoInfo } from '../git/git.js';
import { CHAINED, CHECK_HOOKS as HOOKS, hooksDir } from './git-hooks.js';
import { huskyMajor } from './husky.js';
import { findOurCommand, withDryRun } from './hook-lines.js';
import { spawnSync } from 'node:child_process';
import { misplacedPolicyKey, readPackageJson } from '../package-json.js';
import { detectManager, LEFTHOOK_FILES } from './detect.js';

export type Status = 'ok' | 'warn' | 'fail';
export interface Check {
  status: Status;
  text: string;
  fix?: string;
}

const MIN_NODE = [20, 19];
const MIN_GIT = [2, 25];

function atLeast(version: string, min: number[]): boolean {
  const parts = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < min.length; i++) {
    if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) > min[i]!;
  }
  return true;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** The `ralph-guard` a hook would run: the project's, else one on PATH. */
export function resolveBinary(root: string): string | null {
  const local = join(root, 'node_modules', '.bin', 'ralph-guard');
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ralph-guard');
    if (existsSync(candidate) && executable(candidate)) return candidate;
  }
  return null;
}

export async function doctor(cwd: string): Promise<Check[]> {
  const checks: Check[] = [];
  const node = process.versions.node;
  checks.push(
    atLeast(node, MIN_NODE)
      ? { status: 'ok', text: `node ${node}` }
      : {
          status: 'fail',
          text: `node ${node} is older than ${MIN_NODE.join('.')}`,
          fix: 'install Node.js 20.19 or later',
        },
  );

  const gitVersion = await git(['--version'], { cwd }).then(
    (v) => v.match(/(\d+\.\d+(?:\.\d+)?)/)?.[1] ?? '?',
    () => null,
  );
  if (!gitVersion) {
    checks.push({ status: 'fail', text: 'git was not found', fix: 'install git and put it on PATH' });
    return checks;
  }
  checks.push(
    atLeast(gitVersion, MIN_GIT)
      ? { status: 'ok', text: `git ${gitVersion}` }
      : { status: 'warn', text: `git ${gitVersion} is older than ${MIN_GIT.join('.')}: untested`, fix: 'upgrade git' },
  );

  let repo: RepoInfo;
  try {
    repo = await repoInfo(cwd);
  } catch (e) {
    if (e instanceof NotARepository) throw e; // a usage error, exit 2, like every command run outside a repository
    checks.push({ status: 'fail', text: 'not inside a git working tree', fix: 'run doctor in the repository' });
    return checks;
  }
  const root = repo.root;
  let pkg = null;
  try {
    pkg = readPackageJson(root);
  } catch (e) {
    checks.push({ status: 'fail', text: (e as Error).message });
  }
  const misplaced = misplacedPolicyKey(pkg);
  if (misplaced) checks.push({ status: 'warn', text: misplaced, fix: 'rename the key to "ralph" in package.json' });
  const manager = detectManager(root, pkg);
  checks.push({ status: 'ok', text: `hook manager: ${manager}` });
  checks.push(...(await hookChecks(repo, manager)));

  const binary = resolveBinary(root);
  if (binary)
    checks.push({
      status: 'ok',
      text: `hooks run ${relative(root, binary).startsWith('..') ? binary : relative(root, binary)}`,
    });
  else
    checks.push({
      status: 'warn',
      text: 'no ralph-guard binary for hooks to run (node_modules/.bin or PATH): they will let commits through',
      fix: pkg ? 'npm install --save-dev ralph-guard' : 'npm install --global ralph-guard',
    });

  checks.push(...(await policyChecks(repo)));
  checks.push(await advisoryDatabase());
  checks.push(...claudeChecks(root, binary));
  return checks;
}

async function hookChecks(repo: RepoInfo, manager: string): Promise<Check[]> {
  const checks: Check[] = [];
  const root = repo.root;
  const hooksPath = (await git(['config', '--get', 'core.hooksPath'], { cwd: root, okCodes: [1] })).trim();
  const dir = await hooksDir(repo);
  const shownDir = relative(root, dir) || dir;
  const fix =
    manager === 'lefthook'
      ? 'npx ralph-guard init --hooks lefthook, then npx lefthook install'
      : 'npx ralph-guard init';

  if (manager === 'husky' && !/^\.husky(?:\/_)?\/?$/.test(hooksPath)) {
    checks.push({
      status: 'fail',
      text: `husky is used but core.hooksPath is ${hooksPath ? `"${hooksPath}"` : 'not set'}: git does not run .husky/ hooks`,
      fix: 'npm install (its "prepare": "husky" sets it up) or npx husky',
    });
  }
  for (const hook of [...HOOKS, 'commit-msg'] as const) {
    const file = join(dir, hook);
    const shown = `${shownDir}/${hook}`;
    // Without commit-msg the checks still run; only a review trailer waits for the push or CI.
    const missing: Status = hook === 'commit-msg' ? 'warn' : 'fail';
    const why =
      hook === 'commit-msg' ? ' (high-risk areas at level review are then checked only at push and in CI)' : '';
    if (!existsSync(file)) {
      checks.push({ status: missing, text: `${hook}: no hook at ${shown}${why}`, fix });
      continue;
    }
    if (!statSync(file).isFile() || !executable(file)) {
      checks.push({
        status: 'fail',
        text: `${hook}: ${shown} is not executable, so git skips it`,
        fix: `chmod +x ${shown}`,
      });
      continue;
    }
    const text = read(file);
    const reach = reaches(root, dir, hook, text);
    if (!reach) {
      checks.push({ status: missing, text: `${hook}: ${shown} does not run ralph-guard${why}`, fix });
      continue;
    }
    const started = probe(root, reach);
    if (started.ok) checks.push({ status: 'ok', text: `${hook}: ${reach.how}${started.detail}` });
    else
      checks.push({
        status: 'fail',
        text: `${hook}: ${reach.how}${started.detail}`,
        fix: `npx ralph-guard init (it writes the command so that it resolves${manager === 'husky' ? ' for your husky version' : ''}), then npx ralph-guard doctor`,
      });
  }
  // Our script in .git/hooks while core.hooksPath points elsewhere never runs.
  if (hooksPath) {
    const plain = join(repo.commonDir, 'hooks');
    for (const hook of HOOKS) {
      if (plain !== dir && read(join(plain, hook)).includes('ralph-guard git hook')) {
        checks.push({
          status: 'warn',
          text: `${relative(root, join(plain, hook))} is ralph-guard's, but core.hooksPath ("${hooksPath}") makes git ignore it`,
          fix: 'npx ralph-guard uninstall, then npx ralph-guard init',
        });
      }
    }
  }
  return checks;
}

/** How a hook reaches ralph-guard: in words, and the command to start with --dry-run (null: nothing to start). */
interface Reach {
  how: string;
  /** A shell command line, run from the root as the hook would; or our hook script, run with RALPH_GUARD_DRY_RUN=1. */
  probe: { command: string; binOnPath: boolean } | { script: string } | null;
}

/** How a hook file gets to ralph-guard, or null when it does not. */
function reaches(
  root: string,
  dir: string,
  hook: 'pre-commit' | 'pre-push' | 'commit-msg',
  text: string,
): Reach | null {
  if (text.includes('ralph-guard git hook'))
    return {
      how: `ralph-guard's hook script${existsSync(join(dir, hook + CHAINED)) ? ' (chaining the previous hook)' : ''}`,
      probe: { script: join(dir, hook) },
    };
  const pkg = (() => {
    try {
      return readPackageJson(root);
    } catch {
      return null;
    }
  })();
  const husky4 = (pkg?.husky as { hooks?: Record<string, unknown> } | undefined)?.hooks?.[hook];
  if (/husky/.test(text) && /husky-run|husky\.sh/.test(text) && typeof husky4 === 'string' && !/\.husky/.test(dir)) {
    const ours = findOurCommand(husky4);
    // husky 4 runs the command through npx (or yarn/pnpm), which put node_modules/.bin on PATH.
    return ours
      ? {
          how: `husky 4 runs \`${ours.text}\` (package.json "husky.hooks.${hook}")`,
          probe: { command: ours.text, binOnPath: true },
        }
      : null;
  }
  if (/\.husky(?:\/_)?\/?$/.test(dir) || /husky/.test(text)) {
    const major = huskyMajor(root, pkg);
    const own = read(join(root, '.husky', hook));
    const ours = own.split('\n').map(findOurCommand).find(Boolean);
    return ours
      ? {
          how: `husky ${major} runs \`${ours.text}\` (.husky/${hook})`,
          probe: { command: ours.text, binOnPath: major >= 9 },
        }
      : null;
  }
  if (/lefthook/.test(text)) {
    const config = LEFTHOOK_FILES.map((f) => read(join(root, f))).join('\n');
    const section = config.split(/^(?=\S)/m).find((s) => s.startsWith(`${hook}:`)) ?? '';
    // As lefthook runs it: `{1}` is git's first argument (here, like husky's "$1", empty), file templates go away.
    const asRun = (written: string) => written.replace(/\{(\d+)\}/g, '"$$$1"').replace(/\{[a-z_]+\}/g, '');
    const run = section
      .split('\n')
      .map((l) => l.match(/^\s*-?\s*run:\s*["']?(.*?)["']?\s*$/)?.[1] ?? '')
      .map((written) => ({ written, ours: findOurCommand(asRun(written)) }))
      .find((r) => r.ours);
    return run
      ? { how: `lefthook runs \`${run.written}\``, probe: { command: run.ours!.text, binOnPath: false } }
      : null;
  }
  if (/pre-commit/.test(text) && /generated by pre-commit/i.test(text)) {
    return /ralph-guard/.test(read(join(root, '.pre-commit-config.yaml')))
      ? { how: 'the pre-commit framework runs ralph-guard', probe: null }
      : null;
  }
  const line = text.split('\n').map(findOurCommand).find(Boolean);
  return line ? { how: `the hook runs \`${line.text}\``, probe: { command: line.text, binOnPath: false } } : null;
}

/**
 * Starts the hook's ralph-guard command with --dry-run, from the root, with
 * the PATH the hook would get (the manager's own additions, never the
 * node_modules/.bin that `npx ralph-guard doctor` itself put there): proof
 * that the command resolves, rather than a guess from the file's text.
 */
function probe(root: string, reach: Reach): { ok: boolean; detail: string } {
  if (!reach.probe) return { ok: true, detail: '' };
  const clean = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !/node_modules[\\/]\.bin[\\/]?$/.test(d));
  const onPath =
    'script' in reach.probe || !reach.probe.binOnPath ? clean : [join(root, 'node_modules', '.bin'), ...clean];
  const env = { ...process.env, PATH: onPath.join(delimiter), RALPH_GUARD_DRY_RUN: '1' };
  const run =
    'script' in reach.probe
      ? spawnSync(reach.probe.script, [], { cwd: root, env, encoding: 'utf8', input: '', timeout: 30_000 })
      : spawnSync('sh', ['-c', withDryRun(reach.probe.command)], {
          cwd: root,
          env,
          encoding: 'utf8',
          input: '',
          timeout: 30_000,
        });
  if (run.status === 0 && /dry run/.test(run.stdout))
    return { ok: true, detail: '; the command starts (tried with --dry-run)' };
  const said = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').at(-1) ?? '';
  return {
    ok: false,
    detail:
      run.status === 127
        ? ': the command is not found when the hook runs (exit 127)'
        : `: the command did not run (exit ${run.status ?? run.signal})${said ? `: ${said}` : ''}`,
  };
}

/**
 * The policy the hooks judge with (committed at HEAD), its baseline, and what
 * an uncommitted change to either would do. Nothing here runs repository
 * code: a JavaScript policy is named, not evaluated.
 */
async function policyChecks(repo: RepoInfo): Promise<Check[]> {
  const checks: Check[] = [];
  const { loadJudge } = await import('../policy/load.js');
  try {
    const judge = await loadJudge({
      cwd: repo.root,
      root: repo.root,
      request: { mode: 'worktree', paths: [] },
      runPrograms: false,
    });
    const file = judge.policy.file;
    checks.push({
      status: 'ok',
      text: file
        ? `policy ${file} is valid (as committed: the hooks judge every change with the committed policy)`
        : 'no policy file: the recommended policy applies',
    });
    const { findPolicyFile } = await import('../policy/load.js');
    const onDisk = findPolicyFile(repo.root, repo.root);
    const shown = onDisk && relative(repo.root, onDisk).split('\\').join('/');
    if (shown && shown !== file)
      checks.push({
        status: 'ok',
        text: `policy ${shown} is not committed yet: changes are judged with ${file ?? 'the recommended policy'} until it is`,
      });
    for (const finding of judge.review.findings)
      checks.push({
        status: 'warn',
        text: `uncommitted change to ${finding.file} (${finding.rule}): ${finding.message}`,
        fix: 'the hooks keep judging with the committed policy; a change that weakens it is refused',
      });
    for (const note of judge.review.notes) checks.push({ status: 'ok', text: `uncommitted ${note}` });
    try {
      const { parseBaseline } = await import('../baseline.js');
      const baseline = judge.baseline ? parseBaseline(judge.baseline.file, judge.baseline.text) : null;
      checks.push({
        status: 'ok',
        text: baseline
          ? `baseline ${baseline.file}: ${baseline.entries.length} accepted finding(s)`
          : 'no baseline: every finding counts',
      });
    } catch (e) {
      checks.push({ status: 'fail', text: (e as Error).message, fix: 'ralph-guard baseline' });
    }
  } catch (e) {
    if (e instanceof PolicyNotRun) {
      checks.push({ status: 'ok', text: `policy ${e.message}` });
    } else if (e instanceof PolicyError) {
      checks.push({
        status: 'fail',
        text: `policy is invalid:\n${e.problems.map((p) => `        ${p}`).join('\n')}`,
        fix: 'correct the keys named above (ralph-guard explain ATOM shows the options)',
      });
    } else if (e instanceof UsageError) checks.push({ status: 'fail', text: e.message });
    else throw e;
  }
  return checks;
}

/** The local advisory database the dependencies atom checks offline. */
async function advisoryDatabase(): Promise<Check> {
  const { AdvisoryDb, advisoryDbPath } = await import('../deps/advisories.js');
  const path = advisoryDbPath();
  let db;
  try {
    db = AdvisoryDb.open(path);
  } catch (e) {
    return {
      status: 'fail',
      text: `advisory database ${path} is unreadable: ${(e as Error).message}`,
      fix: 'ralph-guard db update',
    };
  }
  if (!db)
    return {
      status: 'warn',
      text: 'advisory database: none, so dependencies are checked without known advisories',
      fix: 'ralph-guard db update',
    };
  const days = Math.floor(db.ageDays());
  const summary = `advisory database: ${db.meta.advisories} advisories, ${formatBytes(db.size)}, updated ${days === 0 ? 'today' : `${days} day(s) ago`}`;
  return days > 7 ? { status: 'warn', text: summary, fix: 'ralph-guard db update' } : { status: 'ok', text: summary };
}

function claudeChecks(root: string, binary: string | null): Check[] {
  const file = join(root, '.claude', 'settings.json');
  if (!existsSync(file)) {
    return [{ status: 'ok', text: 'Claude Code hooks: not set up (optional: ralph-guard init --agent claude)' }];
  }
  let settings: { hooks?: Record<string, Array<{ hooks?: Array<{ command?: string }> }>> };
  try {
    settings = JSON.parse(read(file));
  } catch (e) {
    return [
      {
        status: 'fail',
        text: `.claude/settings.json is not valid JSON (${(e as Error).message})`,
        fix: 'fix the file; Claude Code ignores it as it is',
      },
    ];
  }
  const commands = Object.values(settings.hooks ?? {}).flatMap((groups) =>
    (Array.isArray(groups) ? groups : []).flatMap((g) => g.hooks ?? []).map((h) => h.command ?? ''),
  );
  const has = (name: string) => commands.some((c) => c.includes(`hook claude-${name}`));
  const present = ['post-edit', 'stop', 'pre-tool'].filter(has);
  if (!present.length)
    return [
      {
        status: 'warn',
        text: 'Claude Code is set up here but without ralph-guard hooks',
        fix: 'npx ralph-guard init --agent claude',
      },
    ];
  if (present.length < 3)
    return [
      {
        status: 'warn',
        text: `Claude Code hooks: only ${present.join(', ')} is set up`,
        fix: 'npx ralph-guard init --agent claude',
      },
    ];
  const local = commands.some((c) => c.includes('node_modules/.bin/ralph-guard'));
  if (local && !existsSync(join(root, 'node_modules', '.bin', 'ralph-guard'))) {
    return [
      {
        status: 'fail',
        text: 'Claude Code hooks run node_modules/.bin/ralph-guard, which is not installed',
        fix: 'npm install --save-dev ralph-guard',
      },
    ];
  }
  if (!local && !binary)
    return [
      {
        status: 'fail',
        text: 'Claude Code hooks run ralph-guard from PATH, which has none',
        fix: 'npm install --global ralph-guard',
      },
    ];
  return [
    { status: 'ok', text: 'Claude Code hooks: PostToolUse (edits), Stop and PreToolUse (Bash, edits) are set up' },
  ];
}
