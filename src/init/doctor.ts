/**
 * `ralph-guard doctor`: is the guard really switched on here? One line per
 * fact, ok / warn / fail, each failure with its fix: node and git versions,
 * the hook manager, whether git's pre-commit and pre-push hooks exist, are
 * executable and reach ralph-guard, the binary they resolve, the policy,
 * the baseline, the advisory database and the assistant hooks.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { PolicyError, PolicyNotRun, UsageError } from '../errors.js';
import { formatBytes } from '../changeset/text.js';
import { git, repoInfo, type RepoInfo } from '../git/git.js';
import { CHAINED, HOOKS, hooksDir } from './git-hooks.js';
import { HUSKY_LINES } from './husky.js';
import { detectManager, LEFTHOOK_FILES, readPackageJson } from './detect.js';

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
  } catch {
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
  for (const hook of HOOKS) {
    const file = join(dir, hook);
    const shown = `${shownDir}/${hook}`;
    if (!existsSync(file)) {
      checks.push({ status: 'fail', text: `${hook}: no hook at ${shown}`, fix });
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
    if (reach) checks.push({ status: 'ok', text: `${hook}: ${reach}` });
    else checks.push({ status: 'fail', text: `${hook}: ${shown} does not run ralph-guard`, fix });
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

/** How a hook file gets to ralph-guard, or null when it does not. */
function reaches(root: string, dir: string, hook: 'pre-commit' | 'pre-push', text: string): string | null {
  if (text.includes('ralph-guard git hook'))
    return `ralph-guard's hook script${existsSync(join(dir, hook + CHAINED)) ? ' (chaining the previous hook)' : ''}`;
  if (/\.husky\/_\/?$/.test(dir) || /husky/.test(text)) {
    const own = read(join(root, '.husky', hook));
    return own.split('\n').some((l) => l.trim() === HUSKY_LINES[hook] || /\bralph-guard\s+check\b/.test(l))
      ? `husky runs \`${HUSKY_LINES[hook]}\` (.husky/${hook})`
      : null;
  }
  if (/lefthook/.test(text)) {
    const config = LEFTHOOK_FILES.map((f) => read(join(root, f))).join('\n');
    const section = config.split(/^(?=\S)/m).find((s) => s.startsWith(`${hook}:`)) ?? '';
    return /ralph-guard\b.*\bcheck\b/.test(section) ? 'lefthook runs ralph-guard' : null;
  }
  if (/pre-commit/.test(text) && /generated by pre-commit/i.test(text)) {
    return /ralph-guard/.test(read(join(root, '.pre-commit-config.yaml')))
      ? 'the pre-commit framework runs ralph-guard'
      : null;
  }
  return /\bralph-guard\b/.test(text) ? 'the hook runs ralph-guard' : null;
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
  const present = ['post-edit', 'stop'].filter(has);
  if (!present.length)
    return [
      {
        status: 'warn',
        text: 'Claude Code is set up here but without ralph-guard hooks',
        fix: 'npx ralph-guard init --agent claude',
      },
    ];
  if (present.length < 2)
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
  return [{ status: 'ok', text: 'Claude Code hooks: PostToolUse (edits) and Stop are set up' }];
}
