/**
 * Recognising ralph-guard's own hook commands in every form init or a user
 * may have written them: `ralph-guard check --staged`,
 * `./node_modules/.bin/ralph-guard …`, `npx [--no] ralph-guard …`,
 * `npm exec [--] ralph-guard …`, `pnpm [exec] ralph-guard …`,
 * `yarn [run] ralph-guard …`, `bunx ralph-guard …`, with environment
 * assignments in front. init uses it not to add a second line, uninstall to
 * remove ours, doctor to find the command to run with --dry-run.
 */

/** Words that only start a program: package-manager launchers and their flags. */
const LAUNCHERS = new Set(['npx', 'bunx', 'npm', 'pnpm', 'yarn', 'bun', 'exec', 'run', 'x', 'dlx', '--']);
const LAUNCHER_FLAG = /^--?(?:no|no-install|yes|y|quiet|q|silent|s|offline|prefer-offline)$/;

export interface OurCommand {
  /** The command as written (one part of a line joined by `&&`, `;`…). */
  text: string;
  mode: 'staged' | 'push' | 'commit-msg' | 'other';
  /** Written as a bare `ralph-guard …`, which needs node_modules/.bin on PATH. */
  bare: boolean;
}

/** Splits a shell line into the commands joined by `&&`, `||`, `;` or `|` (quotes are not parsed: hook lines are simple). */
export function commandParts(line: string): string[] {
  return line
    .split(/&&|\|\||;|\|/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Our check in one command, or null. */
export function ourCommand(command: string): OurCommand | null {
  const text = command.trim();
  if (text.startsWith('#')) return null;
  const tokens = text.split(/\s+/).map((t) => t.replace(/^["']|["']$/g, ''));
  let i = 0;
  while (i < tokens.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[i]!)) i++; // FOO=1 ralph-guard …
  const start = i;
  while (i < tokens.length && (LAUNCHERS.has(tokens[i]!) || LAUNCHER_FLAG.test(tokens[i]!))) i++;
  if (!/(?:^|\/)ralph-guard(?:@[\w.^~<>=-]+)?$/.test(tokens[i] ?? '')) return null;
  const bare = i === start && tokens[i] === 'ralph-guard';
  i++;
  if (tokens[i] === '--') i++;
  if (tokens[i] !== 'check') return null;
  const flags = tokens.slice(i + 1);
  const mode = flags.includes('--push')
    ? 'push'
    : flags.includes('--commit-msg')
      ? 'commit-msg'
      : flags.some((f) => /^--(?:all|worktree|range)/.test(f))
        ? 'other'
        : 'staged';
  return { text, mode, bare };
}

/** Our check among the commands of a line (or a husky 4 / lefthook command string). */
export function findOurCommand(line: string): OurCommand | null {
  for (const part of commandParts(line)) {
    const found = ourCommand(part);
    if (found) return found;
  }
  return null;
}

/** The same command with `--dry-run` after `check`: it resolves the program and runs nothing. */
export function withDryRun(command: string): string {
  return command.replace(/(ralph-guard["']?(?:\s+--)?\s+check)\b/, '$1 --dry-run');
}
