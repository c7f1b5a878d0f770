/**
 * `init --agent claude`: wires the assistant loop into Claude Code's project
 * settings (`.claude/settings.json`): a PostToolUse hook on Edit|Write|MultiEdit,
 * a Stop hook and a PreToolUse hook on Bash and edits, all running
 * `ralph-guard hook …`. It merges: other keys and
 * other hooks stay as they are, and a second run changes nothing. Our entries
 * are recognised by their command (`ralph-guard hook claude-…`), which is
 * also how `uninstall` removes exactly them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { PackageJson } from '../package-json.js';
import type { InitResult } from './detect.js';

export const CLAUDE_SETTINGS = '.claude/settings.json';
export const EDIT_MATCHER = 'Edit|Write|MultiEdit';
export const PRE_TOOL_MATCHER = 'Bash|Edit|Write|MultiEdit|NotebookEdit';
const MARK = /\bralph-guard(?:\.js)?["']?\s+hook\s+claude-(post-edit|stop|pre-tool)\b/;

interface CommandHook {
  type: string;
  command?: string;
  timeout?: number;
  [key: string]: unknown;
}
interface MatcherGroup {
  matcher?: string;
  hooks?: CommandHook[];
  [key: string]: unknown;
}
type Settings = { hooks?: Record<string, MatcherGroup[]>; [key: string]: unknown };

/** The commands Claude Code runs: the project's own install when it has a package.json, else one on PATH. */
export function claudeCommands(pkg: PackageJson | null): { postEdit: string; stop: string; preTool: string } {
  const bin = pkg ? '"$CLAUDE_PROJECT_DIR"/node_modules/.bin/ralph-guard' : 'ralph-guard';
  return {
    postEdit: `${bin} hook claude-post-edit`,
    stop: `${bin} hook claude-stop`,
    preTool: `${bin} hook claude-pre-tool`,
  };
}

function readSettings(file: string): { settings: Settings; text: string | null } {
  if (!existsSync(file)) return { settings: {}, text: null };
  const text = readFileSync(file, 'utf8');
  if (!text.trim()) return { settings: {}, text };
  let settings: unknown;
  try {
    settings = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${CLAUDE_SETTINGS}: not valid JSON (${(e as Error).message}); fix it, then run init again`);
  }
  if (!settings || typeof settings !== 'object' || Array.isArray(settings))
    throw new UsageError(`${CLAUDE_SETTINGS}: expected a JSON object`);
  const hooks = (settings as Settings).hooks;
  if (hooks !== undefined && (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks)))
    throw new UsageError(`${CLAUDE_SETTINGS}: hooks: expected an object of events`);
  for (const [event, groups] of Object.entries(hooks ?? {})) {
    if (!Array.isArray(groups))
      throw new UsageError(`${CLAUDE_SETTINGS}: hooks.${event}: expected an array of matcher groups`);
  }
  return { settings: settings as Settings, text };
}

function writeSettings(file: string, settings: Settings, previous: string | null) {
  const indent = previous?.match(/^[ \t]+(?=")/m)?.[0] ?? '  ';
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(settings, null, indent) + '\n');
}

/** Our entries in the settings, by hook name. */
export function ourClaudeHooks(settings: Settings): Set<string> {
  const found = new Set<string>();
  for (const groups of Object.values(settings.hooks ?? {})) {
    for (const group of groups)
      for (const hook of group.hooks ?? []) {
        const m = typeof hook.command === 'string' ? MARK.exec(hook.command) : null;
        if (m) found.add(m[1]!);
      }
  }
  return found;
}

export function readClaudeSettings(root: string): Settings | null {
  try {
    return readSettings(join(root, CLAUDE_SETTINGS)).settings;
  } catch {
    return null;
  }
}

export function installClaude(root: string, pkg: PackageJson | null, result: InitResult): void {
  const file = join(root, CLAUDE_SETTINGS);
  const { settings, text } = readSettings(file);
  const present = ourClaudeHooks(settings);
  const commands = claudeCommands(pkg);
  const hooks = (settings.hooks ??= {});
  let changed = false;
  if (!present.has('post-edit')) {
    (hooks.PostToolUse ??= []).push({
      matcher: EDIT_MATCHER,
      hooks: [{ type: 'command', command: commands.postEdit, timeout: 60 }],
    });
    result.actions.push(
      `added a PostToolUse hook (${EDIT_MATCHER}) to ${CLAUDE_SETTINGS}: each edit is checked and a failing atom is reported to Claude at once`,
    );
    changed = true;
  }
  if (!present.has('stop')) {
    (hooks.Stop ??= []).push({ hooks: [{ type: 'command', command: commands.stop, timeout: 180 }] });
    result.actions.push(
      `added a Stop hook to ${CLAUDE_SETTINGS}: Claude cannot end its turn while the working change fails a blocking atom`,
    );
    changed = true;
  }
  if (!present.has('pre-tool')) {
    (hooks.PreToolUse ??= []).push({
      matcher: PRE_TOOL_MATCHER,
      hooks: [{ type: 'command', command: commands.preTool, timeout: 30 }],
    });
    result.actions.push(
      `added a PreToolUse hook (${PRE_TOOL_MATCHER}) to ${CLAUDE_SETTINGS}: Claude cannot skip or disable the hooks, and asks you before it edits the policy, the baseline, the hooks or adds a suppression`,
    );
    changed = true;
  }
  if (!changed) return;
  if (text === null) result.changes.createdFiles = [...(result.changes.createdFiles ?? []), CLAUDE_SETTINGS];
  writeSettings(file, settings, text);
  if (pkg)
    result.todo.push(
      'Claude Code runs node_modules/.bin/ralph-guard: keep ralph-guard in devDependencies and installed',
    );
}

/** Removes our entries; groups, events and `hooks` left empty go too, and the file if init created it and nothing else is left. */
export function uninstallClaude(root: string, removed: string[], created: boolean): void {
  const file = join(root, CLAUDE_SETTINGS);
  if (!existsSync(file)) return;
  const { settings, text } = readSettings(file);
  if (!ourClaudeHooks(settings).size) return;
  for (const [event, groups] of Object.entries(settings.hooks ?? {})) {
    const kept: MatcherGroup[] = [];
    for (const group of groups) {
      const before = group.hooks?.length ?? 0;
      const hooks = (group.hooks ?? []).filter((h) => !(typeof h.command === 'string' && MARK.test(h.command)));
      if (hooks.length === before) kept.push(group);
      else if (hooks.length) kept.push({ ...group, hooks });
    }
    if (kept.length) settings.hooks![event] = kept;
    else delete settings.hooks![event];
  }
  if (settings.hooks && !Object.keys(settings.hooks).length) delete settings.hooks;
  if (created && !Object.keys(settings).length) {
    rmSync(file);
    const dir = join(root, '.claude');
    if (existsSync(dir) && !readdirSync(dir).length) rmdirSync(dir);
    removed.push(`removed ${CLAUDE_SETTINGS} (init had created it)`);
  } else {
    writeSettings(file, settings, text);
    removed.push(`removed the ralph-guard hooks from ${CLAUDE_SETTINGS}`);
  }
}
