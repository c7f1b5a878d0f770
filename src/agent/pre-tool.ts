/**
 * Claude Code's PreToolUse hook (DESIGN §10): the assistant cannot switch the
 * guard off, and the human decides what only a human should.
 *
 * Claude Code sends, before a tool runs, `{session_id, transcript_path, cwd,
 * permission_mode, hook_event_name: "PreToolUse", tool_name, tool_input,
 * tool_use_id}`; `tool_input` is `{command, description?, timeout?}` for Bash,
 * `{file_path, content}` for Write, `{file_path, old_string, new_string,
 * replace_all?}` for Edit and `{file_path, edits: [{old_string, new_string}]}`
 * for MultiEdit. The answer is exit 0 with
 * `{"hookSpecificOutput": {"hookEventName": "PreToolUse",
 * "permissionDecision": "deny" | "ask", "permissionDecisionReason": "…"}}`:
 * a deny reason goes to the model, an ask reason is shown to the user in the
 * permission prompt. Nothing at all means "no opinion": Claude Code's own
 * permission rules decide (we never answer "allow", which would skip them).
 *
 * - Bash: deny commands that skip or disable hooks (`--no-verify` in any
 *   spelling, `-n` on commit, `RALPH_GUARD=0`/`HUSKY=0`/`LEFTHOOK=0` and
 *   friends, `core.hooksPath`, `update-index --assume-unchanged`/
 *   `--skip-worktree`, deleting or overwriting hook files, `git clean -x`
 *   while husky's ignored runner is there); ask for `ralph-guard approve`,
 *   `baseline` and `uninstall`, for commands that mention a
 *   `Security-Reviewed-by` trailer, and for shell writes to the policy, the
 *   baseline, the review record or Claude's settings.
 * - Edit/Write/MultiEdit: ask before an edit of those files or a hook script,
 *   and before an edit that adds a `ralph-guard-ignore` comment.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import type { HookInput, HookResult } from './claude.js';
import { type Command, parseCommands, programName, UNKNOWN, type Word } from './shell.js';

export type Decision = { decision: 'deny' | 'ask'; reason: string } | null;

/** Environment variables that switch hooks off (ralph-guard's, husky's 4–9, lefthook's, pre-commit's, git's config). */
const HOOK_ENV =
  /^(RALPH_GUARD|HUSKY|HUSKY_SKIP_HOOKS|HUSKY_SKIP_INSTALL|LEFTHOOK|LEFTHOOK_EXCLUDE|LEFTHOOK_SKIP|SKIP|PRE_COMMIT_ALLOW_NO_CONFIG|GIT_CONFIG_PARAMETERS|GIT_CONFIG_COUNT|GIT_CONFIG_KEY_\d+|GIT_CONFIG_VALUE_\d+|GIT_CONFIG|GIT_CONFIG_GLOBAL|GIT_CONFIG_SYSTEM|GIT_CONFIG_NOSYSTEM|GIT_DIR|GIT_WORK_TREE|GIT_INDEX_FILE)$/;

/** Git commands whose `--no-verify` skips a hook. */
const VERIFYING = new Set(['commit', 'push', 'merge', 'am', 'rebase', 'cherry-pick', 'revert', 'pull', 'stash']);

/** `git commit` short options that take a value (the rest of a cluster is the value). */
const COMMIT_VALUE_SHORT = 'mFCctSu';
const COMMIT_VALUE_LONG =
  /^--(message|file|reuse-message|reedit-message|fixup|squash|author|date|template|trailer|cleanup|gpg-sign|untracked-files|pathspec-from-file)$/;

/** Programs that only read their arguments: mentioning a guarded path is fine. */
const READ_ONLY = new Set([
  'cat',
  'head',
  'tail',
  'less',
  'more',
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'ls',
  'stat',
  'file',
  'wc',
  'diff',
  'cmp',
  'test',
  '[',
  'echo',
  'printf',
  'realpath',
  'readlink',
  'bat',
  'jq',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'tree',
  'du',
  'basename',
  'dirname',
  'true',
  'false',
  'cd',
  'pwd',
  'which',
  'type',
  'hexdump',
  'xxd',
  'od',
  'sort',
  'uniq',
  'cut',
  'tr',
  'column',
  'nl',
  'fd',
  'ralph-guard',
]);

/** Files a human decides about: the policy, the baseline, the review record, the assistant's own settings. */
const GUARD_FILE =
  /^(\.ralphrc(\.(json|ya?ml|js|cjs|mjs|ts))?|ralph\.config\.(js|cjs|mjs|ts)|\.config\/ralphrc(\.(json|ya?ml|js|cjs|mjs|ts))?|\.ralph-baseline\.json|\.ralph-reviews\.json|\.claude\/settings(\.local)?\.json)$/;
/** Hook scripts and what decides which ones run. */
const HOOK_FILE =
  /^(\.husky(\/.*)?|\.git(\/hooks(\/.*)?|\/config)?|\.?lefthook(-local)?\.(ya?ml|json|toml)|\.pre-commit-config\.yaml|\.simple-git-hooks\.(c?js|json)|\.?simple-git-hooks\.json)$/;
/** The same files as text inside a script (`node -e "…"`), or behind a path the guard cannot resolve. */
const HOOK_MENTION = /\.husky\b|\.git\/hooks|\bhooksPath\b|lefthook|\.git\/config\b/i;
const GUARD_MENTION = /\.ralphrc|ralph\.config|\.ralph-baseline|\.ralph-reviews|\.claude\/settings/;
const TRAILER = /security-reviewed-by/i;
const SUPPRESS = /ralph-guard-ignore/g;

interface Context {
  /** Repository root, or the session's directory outside a repository. */
  root: string;
  /** core.hooksPath relative to the root, when set. */
  hooksPath: string | null;
  /** Why-not-allowed, strongest first. */
  denies: string[];
  asks: string[];
}

export async function preToolUse(input: HookInput): Promise<HookResult> {
  const decision = decide(input);
  if (!decision) return { code: 0 };
  const output = {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: decision.decision,
      permissionDecisionReason: decision.reason,
    },
  };
  return { code: 0, stdout: JSON.stringify(output) + '\n' };
}

export function decide(input: HookInput): Decision {
  const cwd = input.cwd || process.env.CLAUDE_PROJECT_DIR || process.cwd();
  const ctx: Context = { root: repoRoot(cwd), hooksPath: null, denies: [], asks: [] };
  ctx.hooksPath = hooksPathOf(ctx.root);
  const tool = input.tool_name ?? '';
  const ti = (input.tool_input ?? {}) as Record<string, unknown>;
  if (tool === 'Bash' && typeof ti.command === 'string') bash(ti.command, cwd, ctx);
  else if (tool === 'Edit' || tool === 'Write' || tool === 'MultiEdit' || tool === 'NotebookEdit')
    edit(tool, ti, cwd, ctx);
  if (ctx.denies.length)
    return {
      decision: 'deny',
      reason: `ralph-guard: ${unique(ctx.denies).join('; ')}. The hooks are the security check of this repository: do not skip or disable them. Fix what they report, or ask the user to decide.`,
    };
  if (ctx.asks.length)
    return { decision: 'ask', reason: `ralph-guard: ${unique(ctx.asks).join('; ')}. A human decides this one.` };
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Bash

function bash(line: string, cwd: string, ctx: Context) {
  let commands: Command[];
  try {
    commands = parseCommands(line, { cwd });
  } catch {
    ctx.denies.push('the command could not be read');
    return;
  }
  for (const c of commands) checkCommand(c, ctx);
  if (TRAILER.test(line))
    ctx.asks.push('the command carries a Security-Reviewed-by trailer, which only the reviewer may add');
  // A backstop for spellings no parser sees (code in another language, a name built at run time): the
  // telltale words, quotes and backslashes removed, when a program the guard does not read runs (git and
  // read-only programs it judges by their arguments above).
  const flat = line.replace(/['"\\]/g, '');
  const opaque = commands.some((c) => {
    const name = programName(c.argv[0]);
    return c.argv.length > 0 && (c.argv[0]!.dynamic || (!READ_ONLY.has(name) && name !== 'git'));
  });
  if (opaque) {
    if (/--no-veri/.test(flat)) ctx.denies.push('the command mentions --no-verify');
    if (/core\.hookspath/i.test(flat)) ctx.denies.push('the command mentions core.hooksPath');
    if (/\b(RALPH_GUARD|HUSKY|LEFTHOOK)=/.test(flat))
      ctx.denies.push('the command sets a variable that switches hooks off');
    if (/--(assume-unchanged|skip-worktree)\b/.test(flat)) ctx.denies.push('the command hides files from git');
  }
}

function checkCommand(c: Command, ctx: Context) {
  for (const a of c.assigns) if (HOOK_ENV.test(a.name)) ctx.denies.push(`${a.name}=… switches hooks off`);
  for (const r of c.redirects) if (writes(r)) target(r.target, c.cwd, ctx, `writing to`);
  const argv = c.argv;
  if (!argv.length) return;
  if (argv[0]!.dynamic) {
    // `$CMD …`: the program is not known; refuse only if the rest looks like what we guard.
    if (argv.some((w) => /^--no-veri/.test(w.text) || HOOK_MENTION.test(w.text)))
      ctx.denies.push('a program named at run time with hook-related arguments');
    return;
  }
  const name = programName(argv[0]);
  const args = argv.slice(1);
  if (name === 'git') return gitCommand(args, c.cwd, ctx, 0);
  if (isRalphGuard(argv)) return ralphGuard(argv, ctx);
  switch (name) {
    case 'rm':
    case 'unlink':
    case 'shred':
    case 'rmdir':
    case 'mv':
    case 'tee':
    case 'truncate':
    case 'chmod':
    case 'chown':
    case 'chgrp':
    case 'chattr':
      return operands(args).forEach((w) => target(w, c.cwd, ctx, name === 'tee' ? 'writing to' : `${name} on`));
    case 'cp':
    case 'install':
    case 'ln':
    case 'rsync':
    case 'scp': {
      const t = optionValue(args, ['-t', '--target-directory']);
      const ops = operands(args);
      const dest = t ?? ops.at(-1);
      if (dest) target(dest, c.cwd, ctx, `${name} onto`);
      return;
    }
    case 'sed':
    case 'perl':
    case 'ruby': {
      if (!args.some((w) => /^-[a-zA-Z]*i/.test(w.text) || w.text.startsWith('--in-place'))) break;
      operands(args).forEach((w) => target(w, c.cwd, ctx, `${name} -i on`));
      return;
    }
    case 'dd': {
      const of = args.find((w) => w.text.startsWith('of='));
      if (of) target({ text: of.text.slice(3), dynamic: of.dynamic }, c.cwd, ctx, 'dd onto');
      return;
    }
    case 'find':
      if (args.some((w) => /^-(delete|exec|execdir|ok|okdir|fprint.*)$/.test(w.text)))
        args
          .filter((w) => !w.text.startsWith('-'))
          .slice(0, 1)
          .forEach((w) => target(w, c.cwd, ctx, 'find -delete/-exec in'));
      return;
    case 'curl':
    case 'wget': {
      const o = optionValue(args, ['-o', '--output', '-O', '--output-document']);
      if (o) target(o, c.cwd, ctx, `${name} output to`);
      return;
    }
  }
  if (READ_ONLY.has(name)) return;
  // Anything else (an editor, an interpreter, a build tool): naming a guarded file is as good as editing it.
  for (const w of args) {
    if (!w.text.startsWith('-') || w.text.includes('/')) target(w, c.cwd, ctx, `${name} on`, true);
  }
}

function gitCommand(args: Word[], cwd: string, ctx: Context, depth: number) {
  let i = 0;
  // Global options: -C dir, -c key=value, --config-env=key=ENV, --git-dir, --work-tree, …
  for (; i < args.length; i++) {
    const a = args[i]!.text;
    if (a === '-C') cwd = resolve(cwd, args[++i]?.text ?? '.');
    else if (a === '-c' || a === '--config-env') configKey(args[++i], ctx);
    else if (a.startsWith('--config-env=')) configKey({ text: a.slice(13), dynamic: args[i]!.dynamic }, ctx);
    else if (a === '--git-dir' || a === '--work-tree' || a === '--namespace' || a === '--exec-path') i++;
    else if (!a.startsWith('-')) break;
  }
  const sub = args[i];
  if (!sub) return;
  if (sub.dynamic) {
    ctx.denies.push('git with a subcommand chosen at run time');
    return;
  }
  const rest = args.slice(i + 1);
  const s = sub.text;
  if (VERIFYING.has(s)) {
    for (const w of rest) {
      if (isNoVerify(w.text)) ctx.denies.push(`git ${s} ${w.text} skips the hooks`);
      else if (w.dynamic && w.text.startsWith('-') && s !== 'commit')
        ctx.denies.push(`git ${s} with an option chosen at run time`);
    }
  }
  if (s === 'commit') commitOptions(rest, ctx);
  else if (s === 'config') gitConfig(rest, ctx);
  else if (s === 'update-index') {
    if (rest.some((w) => /^--(assume-unchanged|skip-worktree)$/.test(w.text)))
      ctx.denies.push('git update-index --assume-unchanged/--skip-worktree hides changes from the hooks');
    if (rest.some((w) => w.text.startsWith('--chmod')))
      operands(rest).forEach((w) => target(w, cwd, ctx, 'git update-index --chmod on'));
  } else if (s === 'rm' || s === 'mv') operands(rest).forEach((w) => target(w, cwd, ctx, `git ${s} on`));
  else if (s === 'clean') {
    const x = rest.some((w) => /^-[a-zA-Z]*[xX]/.test(w.text));
    if (x && existsSync(join(ctx.root, '.husky', '_')))
      ctx.denies.push("git clean -x deletes husky's hook runner (.husky/_)");
  } else if (s === 'sparse-checkout') ctx.denies.push('git sparse-checkout hides files from the hooks');
  else if (!KNOWN_GIT.has(s) && depth < 3) {
    // An alias: what it stands for is in the repository's config.
    const alias = gitAlias(cwd, s);
    if (alias === undefined) return;
    if (alias.startsWith('!')) {
      for (const c of parseCommands(alias.slice(1) + ' ' + rest.map((w) => shellQuote(w.text)).join(' '), { cwd }))
        checkCommand(c, ctx);
    } else {
      const expanded = parseCommands(alias, { cwd })[0]?.argv ?? [];
      gitCommand([...expanded, ...rest], cwd, ctx, depth + 1);
    }
  }
}

/** `--no-verify`, and the prefixes git accepts for it (`--no-veri`). */
function isNoVerify(text: string): boolean {
  const name = text.split('=')[0]!;
  return name.length >= 7 && '--no-verify'.startsWith(name);
}

function commitOptions(rest: Word[], ctx: Context) {
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    const t = w.text;
    if (t === '--') break;
    if (t.startsWith('--')) {
      if (COMMIT_VALUE_LONG.test(t)) i++;
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      for (let k = 1; k < t.length; k++) {
        const ch = t[k]!;
        if (ch === 'n') ctx.denies.push(`git commit ${t} (-n is --no-verify) skips the hooks`);
        if (ch === UNKNOWN) ctx.denies.push('git commit with an option chosen at run time');
        if (COMMIT_VALUE_SHORT.includes(ch)) {
          if (k === t.length - 1 && 'mFCct'.includes(ch)) i++;
          break;
        }
      }
      continue;
    }
    // A word whose value the guard cannot know, where an option could stand: err on the side of refusing.
    if (w.dynamic && t.startsWith(UNKNOWN))
      ctx.denies.push(
        'git commit with an argument chosen at run time (spell the options out; pass the message with -m or -F)',
      );
  }
}

function configKey(w: Word | undefined, ctx: Context) {
  if (!w) return;
  const key = w.text.split('=')[0]!.toLowerCase();
  if (key === 'core.hookspath' || w.dynamic)
    ctx.denies.push(`git -c ${w.dynamic ? '(a value chosen at run time)' : key} can point git away from the hooks`);
  else if (key.startsWith('alias.')) ctx.denies.push('git -c alias.… defines a command the guard cannot see');
}

function gitConfig(rest: Word[], ctx: Context) {
  const texts = rest.map((w) => w.text);
  const reading = texts.some((t) => /^(--get(-all|-regexp|-urlmatch)?|-l|--list|get|list)$/.test(t));
  if (reading) return;
  const key = rest.find(
    (w, i) =>
      !w.text.startsWith('-') &&
      !/^(set|unset|edit|rename-section|remove-section)$/.test(w.text) &&
      !(i > 0 && /^(-f|--file|--blob|--type)$/.test(rest[i - 1]!.text)),
  );
  const k = key?.text.toLowerCase() ?? '';
  if (texts.some((t) => t === '-e' || t === '--edit' || t === 'edit'))
    ctx.denies.push('git config --edit can change which hooks run');
  else if (k === 'core.hookspath' || key?.dynamic) ctx.denies.push('git config core.hooksPath changes which hooks run');
  else if (k.startsWith('alias.')) {
    const value = rest
      .slice(rest.indexOf(key!) + 1)
      .map((w) => w.text)
      .join(' ');
    if (value.startsWith('!') || /(^|\s)(commit|push|merge)\b/.test(value))
      ctx.denies.push('git config alias.… with a commit, push or shell command hides what runs from the guard');
  } else if (
    /^(remove-section|--remove-section|rename-section|--rename-section)$/.test(texts[0] ?? '') &&
    rest.some((w) => /^core$/i.test(w.text))
  )
    ctx.denies.push('removing the core section of git config changes which hooks run');
}

const KNOWN_GIT = new Set(
  (
    'add status diff log show branch checkout switch restore reset fetch tag init clone remote stash blame grep ' +
    'rev-parse rev-list ls-files ls-tree cat-file describe shortlog reflog worktree submodule bisect notes format-patch ' +
    'apply mergetool difftool archive gc fsck prune help version var for-each-ref symbolic-ref show-ref merge-base ' +
    'name-rev cherry range-diff whatchanged count-objects hash-object write-tree read-tree commit-tree mktree ' +
    'interpret-trailers check-ignore check-attr column credential maintenance bundle lfs'
  ).split(' '),
);

function gitAlias(cwd: string, name: string): string | undefined {
  if (!/^[A-Za-z0-9][\w-]*$/.test(name)) return undefined;
  try {
    return execFileSync('git', ['config', '--get', `alias.${name}`], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

function isRalphGuard(argv: Word[]): boolean {
  const names = argv.slice(0, 4).map((w) => programName(w));
  return names.includes('ralph-guard') || argv.slice(0, 3).some((w) => /ralph-guard\/dist\/cli\.js$/.test(w.text));
}

function ralphGuard(argv: Word[], ctx: Context) {
  const at = argv.findIndex((w) => programName(w) === 'ralph-guard' || /ralph-guard\/dist\/cli\.js$/.test(w.text));
  const sub = argv.slice(at + 1).find((w) => !w.text.startsWith('-'))?.text;
  if (sub === 'approve') ctx.asks.push('ralph-guard approve records a human security review');
  else if (sub === 'baseline') ctx.asks.push('ralph-guard baseline accepts today’s findings so they no longer block');
  else if (sub === 'uninstall') ctx.asks.push('ralph-guard uninstall removes the hooks');
  else if (sub === 'init' && argv.some((w) => w.text === '--force'))
    ctx.asks.push('ralph-guard init --force rewrites the hooks');
}

function writes(r: { op: string }): boolean {
  return /[>]/.test(r.op) && !/>&$/.test(r.op) && !/^\d*<>?$/.test(r.op);
}

function operands(args: Word[]): Word[] {
  const out: Word[] = [];
  let dashdash = false;
  for (const w of args) {
    if (!dashdash && w.text === '--') dashdash = true;
    else if (dashdash || !w.text.startsWith('-')) out.push(w);
  }
  return out;
}

function optionValue(args: Word[], names: string[]): Word | undefined {
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.text;
    if (names.includes(t)) return args[i + 1];
    const eq = names.find((n) => n.startsWith('--') && t.startsWith(n + '='));
    if (eq) return { text: t.slice(eq.length + 1), dynamic: args[i]!.dynamic };
  }
  return undefined;
}

/** Records a deny for a hook file, an ask for a guard file, at the path `w` names. */
function target(w: Word, cwd: string, ctx: Context, what: string, loose = false) {
  const kind = classify(w, cwd, ctx, loose);
  const shown = w.text.replaceAll(UNKNOWN, '…');
  if (kind === 'hook') ctx.denies.push(`${what} ${shown} changes the git hooks`);
  else if (kind === 'guard') ctx.asks.push(`${what} ${shown} changes the security policy or its records`);
}

/** Hook file, guard file or neither. Globs and run-time parts are matched against every guarded path. */
export function classify(
  w: Word,
  cwd: string,
  ctx: Pick<Context, 'root' | 'hooksPath'>,
  loose = false,
): 'hook' | 'guard' | null {
  const text = w.text;
  if (!text) return null;
  const wild = /[*?[]/.test(text) || text.includes(UNKNOWN);
  if (!wild) {
    const rel = relativeTo(ctx.root, resolve(cwd, text));
    if (rel === null) return loose ? mention(text) : null;
    if (rel === '' || rel === '..' || rel.startsWith('../'))
      return rel === '' || isAncestor(resolve(cwd, text), ctx.root) ? 'hook' : null;
    if (HOOK_FILE.test(rel) || (ctx.hooksPath && (rel === ctx.hooksPath || rel.startsWith(ctx.hooksPath + '/'))))
      return 'hook';
    if (GUARD_FILE.test(rel)) return 'guard';
    return loose ? mention(text) : null;
  }
  // A pattern: does it match any guarded path?
  const pattern = globRegex(text, cwd, ctx.root);
  for (const candidate of guardedPaths(ctx)) if (pattern.test(candidate.path)) return candidate.kind;
  return mention(text);
}

function mention(text: string): 'hook' | 'guard' | null {
  if (HOOK_MENTION.test(text)) return 'hook';
  if (GUARD_MENTION.test(text)) return 'guard';
  return null;
}

function guardedPaths(ctx: Pick<Context, 'root' | 'hooksPath'>): Array<{ path: string; kind: 'hook' | 'guard' }> {
  const hooks = [
    'pre-commit',
    'pre-push',
    'commit-msg',
    'prepare-commit-msg',
    'pre-merge-commit',
    'post-checkout',
    '_/h',
    '_/pre-commit',
  ];
  const dirs = ['.husky', '.git/hooks', ...(ctx.hooksPath ? [ctx.hooksPath] : [])];
  const out: Array<{ path: string; kind: 'hook' | 'guard' }> = [];
  for (const d of dirs) {
    out.push({ path: d, kind: 'hook' });
    for (const h of hooks) out.push({ path: `${d}/${h}`, kind: 'hook' });
  }
  for (const f of ['.git', '.git/config', 'lefthook.yml', '.lefthook.yml', 'lefthook-local.yml', 'lefthook.json'])
    out.push({ path: f, kind: 'hook' });
  for (const f of [
    '.ralphrc',
    '.ralphrc.json',
    '.ralphrc.yaml',
    '.ralphrc.yml',
    '.ralphrc.js',
    'ralph.config.js',
    'ralph.config.mjs',
    'ralph.config.ts',
    '.ralph-baseline.json',
    '.ralph-reviews.json',
    '.claude/settings.json',
    '.claude/settings.local.json',
  ])
    out.push({ path: f, kind: 'guard' });
  return out.map((c) => ({ ...c, path: join(ctx.root, c.path) }));
}

function globRegex(text: string, cwd: string, root: string): RegExp {
  const abs = isAbsolute(text) || text.startsWith(UNKNOWN) ? text : join(cwd, text);
  let re = '';
  for (const ch of abs) {
    if (ch === UNKNOWN) re += '.*';
    else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') re += '[^/]';
    else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  void root;
  // `rm -rf $DIR/.husky` and `rm .hus*`: a match of the whole path, or of a directory above it.
  return new RegExp(`^${re}$`);
}

function relativeTo(root: string, abs: string): string | null {
  const rel = relative(root, abs).split('\\').join('/');
  if (isAbsolute(rel)) return null;
  return posix.normalize(rel || '.') === '.' ? '' : posix.normalize(rel);
}

function isAncestor(dir: string, of: string): boolean {
  const rel = relative(dir, of);
  return !rel.startsWith('..') && !isAbsolute(rel);
}

function repoRoot(cwd: string): string {
  try {
    return (
      execFileSync('git', ['rev-parse', '--show-toplevel'], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || cwd
    );
  } catch {
    return cwd;
  }
}

function hooksPathOf(root: string): string | null {
  try {
    const value = execFileSync('git', ['config', '--get', 'core.hooksPath'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (!value) return null;
    const rel = relativeTo(root, resolve(root, value));
    return rel || null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Edit, Write, MultiEdit

function edit(tool: string, ti: Record<string, unknown>, cwd: string, ctx: Context) {
  const path =
    typeof ti.file_path === 'string' ? ti.file_path : typeof ti.notebook_path === 'string' ? ti.notebook_path : '';
  if (!path) return;
  const abs = resolve(cwd, path);
  const rel = relativeTo(ctx.root, abs);
  const kind = classify({ text: abs, dynamic: false }, cwd, ctx);
  if (kind === 'hook') ctx.asks.push(`${tool} ${rel ?? path}: a git hook script or hook configuration`);
  else if (kind === 'guard')
    ctx.asks.push(`${tool} ${rel ?? path}: the security policy, its baseline or review record, or Claude's settings`);

  const pairs: Array<{ before: string; after: string }> = [];
  if (tool === 'Write') pairs.push({ before: readOr(abs), after: String(ti.content ?? '') });
  else if (tool === 'Edit') pairs.push({ before: String(ti.old_string ?? ''), after: String(ti.new_string ?? '') });
  else if (tool === 'MultiEdit' && Array.isArray(ti.edits))
    for (const e of ti.edits as Array<Record<string, unknown>>)
      pairs.push({ before: String(e.old_string ?? ''), after: String(e.new_string ?? '') });
  else if (tool === 'NotebookEdit') pairs.push({ before: '', after: String(ti.new_source ?? '') });

  const added = pairs.reduce((n, p) => n + count(p.after, SUPPRESS) - count(p.before, SUPPRESS), 0);
  if (added > 0) ctx.asks.push(`${tool} ${rel ?? path} adds a ralph-guard-ignore comment (a suppressed finding)`);
  if (rel === 'package.json') {
    const ralph = (t: string) => /"ralph"\s*:/.test(t);
    const changed =
      tool === 'Write'
        ? JSON.stringify(jsonKey(pairs[0]!.before, 'ralph')) !== JSON.stringify(jsonKey(pairs[0]!.after, 'ralph'))
        : pairs.some((p) => ralph(p.before) || ralph(p.after));
    if (changed) ctx.asks.push(`${tool} package.json changes the "ralph" policy`);
  }
}

function jsonKey(text: string, key: string): unknown {
  try {
    return (JSON.parse(text) as Record<string, unknown>)[key];
  } catch {
    return text.includes(`"${key}"`) ? text : undefined;
  }
}

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
