/**
 * The assistant loop (DESIGN §7) for Claude Code's command hooks. Claude
 * Code runs a hook with one JSON object on stdin (session_id, cwd,
 * hook_event_name, and per event tool_name/tool_input or stop_hook_active).
 * Exit code 2 blocks: stderr goes to the model, which acts on it. Exit 0
 * lets things go on; JSON on stdout may add a `systemMessage` for the user.
 * Any other exit code is a non-blocking error the user sees.
 *
 * - PostToolUse on Edit|Write|MultiEdit: the edited file, as it is on disk,
 *   judged by its lines that differ from HEAD (the whole file if untracked),
 *   like `check --worktree FILE` without the slow command checks. A blocking
 *   finding exits 2 with the agent report, so the model fixes it at once.
 * - Stop: the whole working change (`check --worktree`). While a blocking
 *   finding remains, the model may not end its turn; it is told what to fix.
 *   `stop_hook_active` says the model is already continuing because of a Stop
 *   hook: rounds are counted per session from the first stop of a turn, and
 *   after `maxRounds` blocked stops in a row the hook gives up with a message
 *   to the user (the commit hook still guards the commit). The counter lives
 *   in the user cache directory, keyed by repository and session, never in
 *   the repository, the index or refs.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { cacheDir, readCacheFile, writeCacheFile, writeFileAtomic } from '../cache.js';
import { PolicyError, UsageError } from '../errors.js';
import type { Report } from '../findings.js';
import { plural } from '../words.js';

export interface HookInput {
  session_id?: string;
  transcript_path?: string;
  cwd?: string;
  hook_event_name?: string;
  tool_name?: string;
  tool_input?: { file_path?: string; [key: string]: unknown };
  tool_response?: { filePath?: string; [key: string]: unknown };
  stop_hook_active?: boolean;
}

export interface HookResult {
  code: number;
  stdout?: string;
  stderr?: string;
}

export const EDIT_TOOLS = ['Edit', 'Write', 'MultiEdit'];
export const DEFAULT_MAX_ROUNDS = 5;

export function parseHookInput(text: string): HookInput {
  try {
    const data = JSON.parse(text) as unknown;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not a JSON object');
    return data as HookInput;
  } catch (e) {
    throw new UsageError(`hook: expected Claude Code's hook JSON on stdin (${(e as Error).message})`);
  }
}

function projectDir(input: HookInput): string {
  return input.cwd || process.env.CLAUDE_PROJECT_DIR || process.cwd();
}

/** PostToolUse on an edit: check the edited file. */
export async function postEdit(input: HookInput): Promise<HookResult> {
  if (input.tool_name && !EDIT_TOOLS.includes(input.tool_name)) return { code: 0 };
  const target = input.tool_input?.file_path ?? input.tool_response?.filePath;
  if (typeof target !== 'string' || !target) return { code: 0 };
  const cwd = projectDir(input);
  const { repoInfo } = await import('../git/git.js');
  const repo = await repoInfo(cwd).catch(() => null);
  if (!repo) return { code: 0 }; // not a git repository: nothing we guard
  const path = relative(repo.root, isAbsolute(target) ? target : resolve(cwd, target));
  if (!path || path.startsWith('..') || isAbsolute(path)) return { code: 0 }; // outside the repository
  const report = await check(repo.root, { paths: [`:(top,literal)${path.split('\\').join('/')}`], commands: false });
  if (!report.summary.blocked) return warningsOnly(report, 'PostToolUse');
  const { formatAgent } = await import('../report/agent.js');
  return {
    code: 2,
    stderr: formatAgent(report, {
      outcome: `Fix ${report.findings.length === 1 ? 'it' : 'them'} in ${path} before going on`,
      verify: `npx ralph-guard check --worktree --format agent ${quoteArg(path)}`,
    }),
  };
}

/** Stop: check the working change; block the end of the turn while a blocking atom fails. */
export async function stop(input: HookInput, opts: { maxRounds?: number } = {}): Promise<HookResult> {
  const maxRounds = opts.maxRounds ?? DEFAULT_MAX_ROUNDS;
  const cwd = projectDir(input);
  const { repoInfo } = await import('../git/git.js');
  const repo = await repoInfo(cwd).catch(() => null);
  if (!repo) return { code: 0 };
  const state = roundsFiles(repo, input.session_id ?? 'no-session');
  const previous = input.stop_hook_active === true ? readRounds(state) : 0;

  const report = await check(repo.root, { paths: [], commands: true });
  const waiting = await pendingReviews(repo.root, report);
  if (!report.summary.blocked) {
    clearRounds(state);
    // A pending review is unfinished work only a person can finish: stop and hand it over, do not loop on it.
    if (waiting) return { code: 0, stdout: JSON.stringify({ systemMessage: waiting }) + '\n', stderr: waiting + '\n' };
    return warningsOnly(report, 'Stop');
  }
  const blocking = report.findings.filter((f) => f.severity === 'error').length;
  if (previous >= maxRounds) {
    clearRounds(state);
    const message =
      `ralph-guard: ${plural(blocking, 'blocking finding')} still fail after ${maxRounds} rounds of fixes; ` +
      'letting the assistant stop so it does not loop. The commit hook will still refuse them: run `npx ralph-guard check --worktree` to see them.';
    return { code: 0, stdout: JSON.stringify({ systemMessage: message }) + '\n', stderr: message + '\n' };
  }
  writeRounds(state, previous + 1);
  const { formatAgent } = await import('../report/agent.js');
  return {
    code: 2,
    stderr: formatAgent(report, {
      outcome: 'Do not finish yet',
      preface: `Round ${previous + 1} of ${maxRounds}: the working change fails these atoms. Fix every blocking finding, then finish your turn (this hook checks again).${waiting ? ` Separately: ${waiting}` : ''}`,
      verify: 'npx ralph-guard check --worktree --format agent',
    }),
  };
}

/** High-risk areas at level review that no person has acknowledged yet, as a sentence for the user and the model; null when none. */
async function pendingReviews(root: string, report: Report): Promise<string | null> {
  const [{ loadPolicy }, review] = await Promise.all([import('../policy/load.js'), import('../review/run.js')]);
  // Areas, atoms at level review, and guard findings a person acknowledged (the report's verdict follows).
  const reviews = await review.judgeReviews(root, await loadPolicy({ cwd: root, root }), report, { kind: 'worktree' });
  const waiting = review.stopping(reviews, 'final');
  if (!waiting.length) return null;
  return (
    `ralph-guard: the working change touches high-risk areas that a person must review (${waiting
      .map((r) => `${r.area}: ${r.places.map((p) => p.file).join(', ')}`)
      .join('; ')}). ` +
    'Stop here and ask your human to review them: they run `ralph-guard approve` at a terminal, or commit with a Security-Reviewed-by: Name <email> trailer. Do not try to acknowledge it yourself.'
  );
}

/** Runs the engine in worktree mode; a policy error becomes a finding-like message for the model. */
async function check(root: string, opts: { paths: string[]; commands: boolean }): Promise<Report> {
  const { run } = await import('../engine/engine.js');
  const result = await run({ cwd: root, mode: 'worktree', paths: opts.paths, commands: opts.commands, allAtoms: true });
  return result.report;
}

/** Warnings do not block; they reach the model as additional context. */
function warningsOnly(report: Report, event: 'PostToolUse' | 'Stop'): HookResult {
  if (!report.findings.length || event === 'Stop') return { code: 0 };
  const lines = report.findings
    .slice(0, 10)
    .map((f) => `- ${f.file}:${f.line} ${f.rule}: ${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`);
  const context = `ralph-guard warnings (not blocking):\n${lines.join('\n')}`;
  return {
    code: 0,
    stdout: JSON.stringify({ hookSpecificOutput: { hookEventName: event, additionalContext: context } }) + '\n',
  };
}

function quoteArg(arg: string): string {
  return /^[\w./@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Where the round counter of a session lives: the cache (signed), else the
 * repository's git directory. A counter that cannot be stored would say
 * "Round 1" forever, so when the cache cannot be written the git directory holds it.
 */
export function roundsFiles(repo: { root: string; commonDir: string }, session: string): string[] {
  const name = createHash('sha1').update(`${repo.root}\0${session}`).digest('hex') + '.json';
  return [join(cacheDir(), 'claude-stop', name), join(repo.commonDir, 'ralph-guard', 'claude-stop', name)];
}

function readRounds(files: string[]): number {
  const [cache, fallback] = files;
  let text: string | null = null;
  try {
    text = readCacheFile(cache!) ?? (fallback ? readFileSync(fallback, 'utf8') : null);
  } catch {
    text = null;
  }
  try {
    const data = JSON.parse(text ?? '{}') as { rounds?: number; at?: number };
    // A counter from another day is a stale session, not a loop.
    if (typeof data.rounds !== 'number' || Date.now() - (data.at ?? 0) > 24 * 3600_000) return 0;
    return data.rounds;
  } catch {
    return 0;
  }
}

function writeRounds(files: string[], rounds: number) {
  const [cache, fallback] = files;
  const text = JSON.stringify({ rounds, at: Date.now() });
  try {
    writeCacheFile(cache!, text);
  } catch {
    try {
      if (fallback) writeFileAtomic(fallback, text);
    } catch {
      // Neither is writable: the loop guard falls back to Claude Code's own.
    }
  }
}

function clearRounds(files: string[]) {
  for (const file of files) rmSync(file, { force: true });
}

/** Errors: a broken policy is the model's business too (it may have broken it); anything else is a non-blocking error. */
export function hookError(error: unknown): HookResult {
  if (error instanceof PolicyError) {
    return {
      code: 2,
      stderr: `ralph-guard cannot check your change: the policy is invalid.\n${error.problems.map((p) => `  ${p}`).join('\n')}\nFix the policy file, or ask the user.\n`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 1, stderr: `ralph-guard hook: ${message}\n` };
}
