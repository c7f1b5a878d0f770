/**
 * lefthook: a `ralph-guard` command in `pre-commit`, `pre-push` and `commit-msg` of the
 * project's lefthook.yml, edited through the `yaml` document model so the
 * user's comments, order and other commands stay as they were. A hook that
 * uses lefthook's `jobs:` list gets a job; one with `commands:` (or a new
 * hook) gets a command. The pre-push one sets `use_stdin: true`, since
 * lefthook only passes git's list of pushed refs to commands that ask.
 * lefthook reads its configuration when a hook runs; a hook type it has not
 * installed yet needs `lefthook install`, which init leaves to the user.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { PackageJson } from '../package-json.js';
import { LEFTHOOK_FILES, type InitResult } from './detect.js';
/** Formats lefthook also reads that we do not edit: we say what to add instead. */
const OTHER_FORMATS = [
  'lefthook.json',
  'lefthook.toml',
  '.lefthook.json',
  '.lefthook.toml',
  'lefthook.jsonc',
  '.lefthook.jsonc',
];
export const NAME = 'ralph-guard';

export function lefthookFile(root: string): string | null {
  return LEFTHOOK_FILES.find((f) => existsSync(join(root, f))) ?? null;
}

export function lefthookCommands(
  pkg: PackageJson | null,
): Record<'pre-commit' | 'pre-push' | 'commit-msg', { run: string; use_stdin?: boolean }> {
  // lefthook runs commands from the repository root and does not add node_modules/.bin to PATH.
  const bin = pkg ? './node_modules/.bin/ralph-guard' : 'ralph-guard';
  return {
    'pre-commit': { run: `${bin} check --staged` },
    // {1}: git's first argument, the remote pushed to (only what it lacks is checked).
    'pre-push': { run: `${bin} check --push --remote {1}`, use_stdin: true },
    // lefthook puts git's first argument, the message file, in place of {1}.
    'commit-msg': { run: `${bin} check --commit-msg {1}` },
  };
}

type YamlModule = typeof import('yaml');

async function loadDocument(file: string) {
  // Bundled, the CommonJS build of yaml arrives as the namespace's default export.
  const loaded = (await import('yaml')) as YamlModule & { default?: YamlModule };
  const YAML: YamlModule = loaded.default ?? loaded;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = YAML.parseDocument(text);
  if (doc.errors.length)
    throw new UsageError(
      `${file}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); fix it, then run init again`,
    );
  return { YAML, doc, text };
}

export async function installLefthook(root: string, pkg: PackageJson | null, result: InitResult): Promise<void> {
  const other = OTHER_FORMATS.find((f) => existsSync(join(root, f)));
  const name = lefthookFile(root) ?? (other ? null : 'lefthook.yml');
  const commands = lefthookCommands(pkg);
  if (!name) {
    result.todo.push(
      `${other} is not edited by init: add a "${NAME}" command running \`${commands['pre-commit'].run}\` to pre-commit, one running \`${commands['pre-push'].run}\` with use_stdin: true to pre-push and one running \`${commands['commit-msg'].run}\` to commit-msg`,
    );
    return;
  }
  const file = join(root, name);
  const created = !existsSync(file);
  const { YAML, doc, text } = await loadDocument(file);
  let changed = false;
  for (const [hook, command] of Object.entries(commands)) {
    const jobs = doc.getIn([hook, 'jobs']);
    if (YAML.isSeq(jobs)) {
      const has = jobs.items.some(
        (item) =>
          YAML.isMap(item) &&
          (item.get('name') === NAME || String(item.get('run') ?? '').includes('ralph-guard check')),
      );
      if (has) continue;
      jobs.add(doc.createNode({ name: NAME, ...command }));
    } else {
      const existing = doc.getIn([hook, 'commands']);
      if (
        YAML.isMap(existing) &&
        existing.items.some(
          (pair) =>
            String(YAML.isScalar(pair.key) ? pair.key.value : pair.key) === NAME ||
            String((YAML.isMap(pair.value) && pair.value.get('run')) ?? '').includes('ralph-guard check'),
        )
      )
        continue;
      doc.setIn([hook, 'commands', NAME], doc.createNode(command));
    }
    changed = true;
    result.actions.push(`added a "${NAME}" ${YAML.isSeq(jobs) ? 'job' : 'command'} to ${hook} in ${name}`);
  }
  if (!changed) return;
  const next = created
    ? `# Git hooks run by lefthook (https://lefthook.dev); ralph-guard init added the ralph-guard commands.\n${doc.toString()}`
    : doc.toString();
  writeFileSync(file, next === text ? text : next);
  if (created) result.changes.createdFiles = [...(result.changes.createdFiles ?? []), name];
  result.todo.push(
    "run `npx lefthook install` (once per clone) so git runs lefthook's pre-commit, pre-push and commit-msg hooks",
  );
}

/** Removes our commands and jobs; hooks and the file left empty by that go too. */
export async function uninstallLefthook(
  root: string,
  removed: string[],
  createdFiles: readonly string[],
): Promise<void> {
  const name = lefthookFile(root);
  if (!name) return;
  const file = join(root, name);
  const { YAML, doc } = await loadDocument(file);
  let changed = false;
  for (const hook of ['pre-commit', 'pre-push', 'commit-msg']) {
    const jobs = doc.getIn([hook, 'jobs']);
    if (YAML.isSeq(jobs)) {
      const before = jobs.items.length;
      jobs.items = jobs.items.filter((item) => !(YAML.isMap(item) && item.get('name') === NAME));
      if (jobs.items.length !== before) changed = true;
      if (!jobs.items.length && jobs.items.length !== before) doc.deleteIn([hook, 'jobs']);
    }
    if (doc.hasIn([hook, 'commands', NAME])) {
      doc.deleteIn([hook, 'commands', NAME]);
      changed = true;
      const rest = doc.getIn([hook, 'commands']);
      if (YAML.isMap(rest) && !rest.items.length) doc.deleteIn([hook, 'commands']);
    }
    const left = doc.get(hook);
    if (YAML.isMap(left) && !left.items.length) doc.delete(hook);
  }
  if (!changed) return;
  const empty = !doc.contents || (YAML.isMap(doc.contents) && !doc.contents.items.length);
  if (empty && createdFiles.includes(name)) {
    rmSync(file);
    removed.push(`removed ${name} (init had created it)`);
  } else {
    writeFileSync(file, doc.toString());
    removed.push(`removed the ralph-guard commands from ${name}`);
  }
}
