/**
 * Custom `command` checks (DESIGN §4): a program from the policy, run in the
 * repository root with a timeout and the changed files as arguments. The file
 * names never pass through a shell: the command runs as
 * `sh -c '<command> "$@"' ralph-guard FILE…`, so the shell sees only the
 * policy's text and the names arrive as separate arguments; a name that
 * starts with "-" arrives as "./-name", so no program takes it for an option
 * (`-rf.js`, `--config=x.js`). A command that
 * places the files itself (mentions `$@`, `$*` or `$1`) gets no `"$@"`
 * appended. Long argument lists run in batches. A non-zero exit fails the
 * atom; a missing program is an error of the check, not a finding, and a program
 * that ran out of time or could not be started is its atom's analysis error.
 * Loaded only when the policy has command checks.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { reallyInside, type ChangeSet } from '../changeset/changeset.js';
import { analysisError } from '../engine/analysis-error.js';
import { sourceFile } from '../engine/source-file.js';
import { filterHits, type Filtered, type Filtering } from '../filter.js';
import type { AtomFailure } from '../findings.js';
import type { Hit } from '../kit/atom.js';
import type { CommandCheck, Policy } from '../policy/policy.js';
import type { ActiveAtom } from '../router.js';
import { decode, maskSpans } from '../changeset/text.js';
import { secretSpans } from '../atoms/secrets.js';

export type CommandOutcome =
  | { kind: 'pass' }
  | { kind: 'fail'; code: number; output: string }
  | { kind: 'missing'; output: string }
  | { kind: 'timeout'; seconds: number }
  | { kind: 'error'; message: string };

/** Bytes of arguments per batch: far below any ARG_MAX (Linux 2 MB, macOS 1 MB, Windows 32 k chars). */
const BATCH_BYTES = 24_000;
/** Output kept from a program (the report shows less). */
const OUTPUT_CAP = 256_000;

export function shellScript(command: string): string {
  return /\$(?:[@*1-9]|\{[@*1-9]\})/.test(command) ? command : `${command} "$@"`;
}

/** A repository-relative path as a program's argument: never one that looks like an option. */
export function asOperand(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

export function batches(files: string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const file of files) {
    const bytes = Buffer.byteLength(file) + 1;
    if (current.length && size + bytes > BATCH_BYTES) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(file);
    size += bytes;
  }
  if (current.length || !out.length) out.push(current);
  return out;
}

/** Runs the check over `files` (repository-relative) in `root`; the first failing batch decides. */
export async function runCommandCheck(check: CommandCheck, files: string[], root: string): Promise<CommandOutcome> {
  const deadline = Date.now() + check.timeoutMs;
  for (const batch of batches(files.map(asOperand))) {
    const left = deadline - Date.now();
    if (left <= 0) return { kind: 'timeout', seconds: check.timeoutMs / 1000 };
    const outcome = await runOnce(shellScript(check.command), batch, root, left, check.timeoutMs);
    if (outcome.kind !== 'pass') return outcome;
  }
  return { kind: 'pass' };
}

function runOnce(
  script: string,
  args: string[],
  root: string,
  timeoutMs: number,
  budgetMs: number,
): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn('sh', ['-c', script, 'ralph-guard', ...args], {
      cwd: root,
      // Its own process group, so a timeout ends the program and everything it started.
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RALPH_GUARD_COMMAND_CHECK: '1' },
    });
    const collect = (chunk: Buffer) => {
      if (output.length < OUTPUT_CAP) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 2000).unref();
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ kind: 'error', message: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ kind: 'timeout', seconds: budgetMs / 1000 });
      if (code === 0) return resolve({ kind: 'pass' });
      // POSIX shells: 127 = command not found, 126 = found but not executable.
      if (code === 127 || code === 126) return resolve({ kind: 'missing', output });
      resolve({ kind: 'fail', code: code ?? (signal ? 128 : 1), output });
    });
  });
}

/** The output as a report shows it: the head and the tail, with what was cut counted. */
export function cutOutput(output: string, maxLines = 30, maxChars = 2000): string {
  const lines = output
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .replace(/\s+$/, '')
    .split(/\r?\n/);
  let kept = lines;
  if (lines.length > maxLines) {
    const head = lines.slice(0, maxLines - 5);
    const tail = lines.slice(-4);
    kept = [...head, `… ${lines.length - head.length - tail.length} more lines …`, ...tail];
  }
  let text = kept.join('\n');
  if (text.length > maxChars)
    text = text.slice(0, maxChars - 40) + `\n… ${text.length - maxChars + 40} more characters`;
  return text;
}

export interface OutputLocation {
  file: string;
  line: number;
  column: number;
  text: string;
}

/**
 * Places in the output that name one of the files given to the program, in
 * the two shapes linters print: `path:line[:col]…` on one line, or a path on
 * its own line followed by indented `line:col  message` lines (eslint's
 * default). Paths may be relative to the root or absolute.
 */
export function locationsIn(output: string, files: readonly string[], root: string, limit = 50): OutputLocation[] {
  const known = new Set(files);
  const asRelative = (p: string) => {
    const rel = isAbsolute(p) ? relative(root, p) : p.replace(/^\.\//, '');
    return known.has(rel) ? rel : null;
  };
  const found: OutputLocation[] = [];
  const seen = new Set<string>();
  let current: string | null = null;
  for (const raw of output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split(/\r?\n/)) {
    if (found.length >= limit) break;
    const line = raw.trimEnd();
    const own = asRelative(line.trim());
    if (own) {
      current = own;
      continue;
    }
    let location: OutputLocation | null = null;
    const inline = /(?:^|[\s(])((?:[A-Za-z]:)?[^\s:()'"]+):(\d+)(?::(\d+))?/.exec(line);
    const file = inline ? asRelative(inline[1]!) : null;
    if (inline && file) location = { file, line: Number(inline[2]), column: Number(inline[3] ?? 1), text: line.trim() };
    else if (current) {
      const indented = /^\s+(\d+):(\d+)\s+(\S.*)?$/.exec(line);
      if (indented)
        location = {
          file: current,
          line: Number(indented[1]),
          column: Number(indented[2]),
          text: (indented[3] ?? '').trim(),
        };
      else if (!line.trim()) current = null;
    }
    if (!location || location.line < 1) continue;
    const key = `${location.file}:${location.line}:${location.column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push(location);
  }
  return found;
}

/** Secrets in a program's output are masked like everywhere else. */
function maskOutput(output: string): string {
  return output
    .split('\n')
    .map((line) => maskSpans(line, secretSpans('output.txt', line)))
    .join('\n');
}

/** The file as the program saw it on disk, for the excerpt; never through a symlink (it may point outside the repository). */
function readDisk(root: string, path: string, maxBytes: number): string | null {
  if (!reallyInside(root, path)) return null;
  try {
    const decoded = decode(readFileSync(join(root, path)), maxBytes);
    return 'text' in decoded ? decoded.text : null;
  } catch {
    return null;
  }
}

/**
 * Runs the command checks of the selected atoms over the files routed to each
 * and turns their outcome into findings. Where a finding is: each place the
 * output names (`file:line[:col]`, or eslint's grouped form) in one of the
 * files given to the program; when the output names none, the first of those
 * files at its first added line (line 1 for a new file), with the program's
 * output in the message. The exit code decides, so these findings are not
 * limited to added lines; they pass the same Filter as every finding (an
 * inline `ralph-guard-ignore` comment or the baseline sets a place aside).
 */
export async function runCommandChecks(
  items: Array<{ active: ActiveAtom; checks: CommandCheck[] }>,
  changes: ChangeSet,
  policy: Policy,
  root: string,
  filtering: Filtering,
  out: Filtered & { failures: AtomFailure[] },
): Promise<void> {
  const where = policy.file ?? 'the policy';
  for (const { active, checks } of items) {
    const files = changes.files.filter((f) => active.matches(f.path));
    if (!files.length) continue;
    const paths = files.map((f) => f.path);
    for (const check of checks) {
      const outcome = await runCommandCheck(check, paths, root);
      const failure = (message: string) => out.failures.push({ atom: active.id, file: where, message });
      switch (outcome.kind) {
        case 'pass':
          continue;
        case 'missing':
          failure(
            `\`${check.command}\`: the program was not found or cannot run (${cutOutput(maskOutput(outcome.output), 3, 300) || 'exit 127'}); install it or fix "command" in ${where}`,
          );
          continue;
        case 'timeout':
          failure(
            `\`${check.command}\` ran out of its ${outcome.seconds} s and was stopped; raise "timeoutMs" in ${where} or narrow the atom's files`,
          );
          // The program started and did not judge the files: that is never a pass (DESIGN §9.6).
          out.findings.push(
            analysisError(active, files[0]!, `\`${check.command}\` ran out of its ${outcome.seconds} s`),
          );
          continue;
        case 'error':
          failure(`\`${check.command}\` could not be started: ${outcome.message}`);
          out.findings.push(analysisError(active, files[0]!, `\`${check.command}\` could not be started`));
          continue;
        case 'fail': {
          const output = maskOutput(outcome.output);
          const program = check.command.trim().split(/\s+/)[0] ?? check.command;
          const located = locationsIn(output, paths, root);
          // Each file the output names, with the hits on it; the first file at its first added line when it names none.
          const byFile = new Map<string, Hit[]>();
          for (const loc of located)
            byFile.set(loc.file, [
              ...(byFile.get(loc.file) ?? []),
              {
                rule: check.name,
                line: loc.line,
                column: loc.column,
                messageId: 'located',
                data: { program, text: loc.text },
              },
            ]);
          if (!byFile.size) {
            const first = files[0]!;
            byFile.set(first.path, [
              {
                rule: check.name,
                line: first.allAdded ? 1 : (first.added[0] ?? 1),
                column: 1,
                messageId: output.trim() ? 'exited' : 'exitedSilently',
                data: { command: check.command, code: outcome.code, output: cutOutput(output) },
              },
            ]);
          }
          for (const [path, hits] of byFile) {
            const text = readDisk(root, path, policy.maxFileBytes) ?? '';
            // The exit code decides, so every line counts as the change's.
            const source = sourceFile({ path, allAdded: true, added: [] }, text);
            const file = files.find((f) => f.path === path) ?? { path };
            await filterHits(
              source,
              file,
              hits.map((hit) => ({ active, hit })),
              filtering,
              out,
            );
          }
        }
      }
    }
  }
}
