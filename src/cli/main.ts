/**
 * The command line: parse, call the core, print, exit. Each command is loaded
 * only when asked for, so a commit pays for `check` and nothing else.
 */
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { cacheDir, makeCacheDir } from '../cache.js';
import { UsageError } from '../errors.js';
import { startStagedCheck } from '../git/early.js';
import { closeEarly } from '../git/spawn.js';
import { FORMAT_NAMES, REPORTERS } from '../report/index.js';
import { reportError } from './report-error.js';

declare const RALPH_GUARD_VERSION: string;
export const VERSION = typeof RALPH_GUARD_VERSION === 'string' ? RALPH_GUARD_VERSION : 'dev';

const HELP = `ralph-guard ${VERSION}: security atoms with pass/fail criteria, checked in your git hooks

Usage:
  ralph-guard init      [--hooks auto|husky|git|lefthook] [--agent claude]
  ralph-guard check     [--staged | --push [--remote NAME] | --range A..B | --worktree | --all] [PATH...]
                        [--format ${FORMAT_NAMES.join('|')}] [--atoms a,b] [--skill NAME]
                        [--config FILE] [--no-baseline] [--no-cache] [--online | --offline] [--no-color]
                        [--fail-on block|warn]
  ralph-guard harden    [--since REF | --staged | --worktree] [--format markdown|json]
                        the two-pass rule's pass 2: the change's failing atoms as a task list
  ralph-guard approve   [--staged | --worktree]
                        a person acknowledges the change's high-risk areas (at a terminal)
  ralph-guard atoms     list the atoms: id, level, title
  ralph-guard explain ATOM
                        criteria, files, rules, and bad and good examples
  ralph-guard skills [export [--agent claude] [DIR]]
                        bundles of atoms; export them as Markdown for an assistant
  ralph-guard baseline  [--prune]   record today's findings so only new ones block
  ralph-guard db update [--url URL|PATH] [--no-registry]
                        download the advisory database (OSV, npm) for offline dependency checks
  ralph-guard db status  the advisory database's source, age and size
  ralph-guard doctor    hooks, binary, policy, versions: ok/warn/fail with fixes
  ralph-guard uninstall remove what init added
  ralph-guard hook claude-post-edit|claude-stop|claude-pre-tool
                        Claude Code hook entry points (JSON on stdin)

Formats (check --format):
${Object.entries(REPORTERS)
  .map(([name, r]) => `  ${name.padEnd(8)}${r.description}`)
  .join('\n')}

\`ralph-guard COMMAND --help\` shows a command's options.
Exit codes: 0 pass, 1 blocked by a finding, 2 usage or policy error, 3 internal error.
Docs: https://github.com/ralph-guard/ralph-guard#readme`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  check: async () => (await import('./check.js')).checkCommand,
  harden: async () => (await import('./harden.js')).hardenCommand,
  approve: async () => (await import('./approve.js')).approveCommand,
  init: async () => (await import('./init.js')).initCommand,
  uninstall: async () => (await import('./init.js')).uninstallCommand,
  hook: async () => (await import('./hook.js')).hookCommand,
  skills: async () => (await import('./skills.js')).skillsCommand,
  baseline: async () => (await import('./baseline.js')).baselineCommand,
  doctor: async () => (await import('./doctor.js')).doctorCommand,
  atoms: async () => (await import('./atoms.js')).atomsCommand,
  explain: async () => (await import('./atoms.js')).explainCommand,
  db: async () => (await import('./db.js')).dbCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  // A staged check's first git commands run while its code loads (src/git/early.ts).
  if (name === 'check') startStagedCheck(args);
  const load = COMMANDS[name];
  if (!load) {
    const { didYouMean } = await import('../suggest.js');
    throw new UsageError(
      `unknown command "${name}"${didYouMean(name, Object.keys(COMMANDS))}; run \`ralph-guard --help\` for the list`,
    );
  }
  return (await load())(args);
}

// Node 22.1+ keeps the compiled code of the chunks each command loads: later runs skip compiling them
// (node 20 has no such cache; the call is then skipped). Off with NODE_DISABLE_COMPILE_CACHE=1.
try {
  // Compiled code is trusted as it is read: the directory is the user's own (0700), like every cache entry.
  const compileCache = (nodeModule as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (compileCache) {
    makeCacheDir(join(cacheDir(), 'v8'));
    compileCache(join(cacheDir(), 'v8'));
  }
} catch {
  // A cache that cannot be written only costs speed.
}

// A reader that stopped early (`ralph-guard atoms | head`) is not an error: the rest of the output is
// dropped quietly, and the exit code still says what the command found.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
});

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = reportError(error);
    },
  )
  .finally(closeEarly);
