/**
 * The cold path of policy loading: each layer's text (read from git by
 * `load.ts`, never from the working tree) is parsed with cosmiconfig's own
 * loaders (JSON, YAML, package.json "ralph"), zod validates every layer of
 * `extends`, and the layers merge into a resolved Policy. Runs only when the
 * policy's text is new; `load.ts` caches the result.
 *
 * `extends` names a `ralph-guard:*` preset, a file inside the repository (a
 * relative path, read from the same tree as the policy), or a package in
 * node_modules (read from disk: installed code is trusted as ralph-guard's own
 * binary is). Absolute paths and paths that leave the repository are refused.
 * JavaScript and TypeScript layers are programs: they run only when the
 * caller passes `runProgram` (the hooks and `check`), never for `doctor`,
 * `atoms`, `explain`, `skills` or `baseline`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cacheDir, makeCacheDir } from '../cache.js';
import { join, posix } from 'node:path';
import { defaultLoaders } from 'cosmiconfig';
import { compileGlobs } from '../globs.js';
import * as z from 'zod';
import { DEFAULT_ATOM_TIMEOUT_MS } from '../engine/budget.js';
import { checkLinearRegex } from './linear-regex.js';
import { PolicyError, PolicyNotRun } from '../errors.js';
import { BUILTIN_ATOMS } from '../atoms/all.js';
import { RECOMMENDED, isProgram, type AtomSettings, type CustomAtom, type Policy } from './policy.js';
import { formatIssues, policySchema, type RawPolicy } from './schema.js';
import { didYouMean } from '../suggest.js';
import { readLayer, type FoundFile, type PolicyTree } from './source.js';

export const DEFAULTS = {
  failOn: 'block',
  failClosed: false,
  maxFileBytes: 5_000_000,
  atomTimeoutMs: DEFAULT_ATOM_TIMEOUT_MS,
  workers: 'auto',
  baseline: '.ralph-baseline.json',
} as const;

/** Built-in presets by name. */
const PRESETS: Record<string, () => Record<string, unknown>> = {
  [RECOMMENDED]: () => ({ atoms: Object.fromEntries(BUILTIN_ATOMS.map((a) => [a.id, { level: a.defaultLevel }])) }),
};

interface Layer {
  file: string;
  raw: RawPolicy;
}

/** A file a policy was built from and the text it had; `disk`: a package in node_modules, read from disk. */
export interface Source {
  path: string;
  text: string;
  disk?: true;
}

export interface Validated {
  policy: Policy;
  /** Every file read, with its text, for the cache to compare. */
  sources: Source[];
}

export interface ValidateOptions {
  /** The repository root (node_modules packages are found under it). */
  root: string;
  /** Where the policy and its relative `extends` are read. */
  tree: PolicyTree;
  /** Runs a JavaScript or TypeScript layer and returns its export; absent: such a layer is not run (PolicyNotRun). */
  runProgram?: (path: string, text: string, onDisk: string | null) => Promise<unknown>;
  /** How a path is named in problems (default: as it is, relative to the root). */
  display?: (path: string) => string;
}

/** Loads, validates and resolves the policy in `file` (null: the recommended policy). */
export async function validatePolicy(file: FoundFile | null, opts: ValidateOptions): Promise<Validated> {
  const problems: string[] = [];
  const layers: Layer[] = [];
  const sources: Source[] = [];
  const display = opts.display ?? ((f: string) => f);

  async function loadLayer(path: string | null, data: unknown, chain: string[], inPackage: boolean) {
    const name = path ? display(path) : RECOMMENDED;
    const raw = validateLayer(name, data, problems);
    if (!raw) return;
    const parents =
      raw.extends === undefined
        ? path
          ? [RECOMMENDED]
          : []
        : typeof raw.extends === 'string'
          ? [raw.extends]
          : raw.extends;
    for (const parent of parents) {
      if (PRESETS[parent]) {
        layers.push({ file: parent, raw: PRESETS[parent]() as RawPolicy });
        continue;
      }
      if (parent.startsWith('ralph-guard:')) {
        problems.push(
          `${name}: extends: unknown preset "${parent}"; expected "${RECOMMENDED}" or a relative path to a policy file${didYouMean(parent, Object.keys(PRESETS))}`,
        );
        continue;
      }
      const targets = extendsTargets(path, parent, inPackage);
      if ('refused' in targets) {
        problems.push(`${name}: extends: "${parent}": ${targets.refused}`);
        continue;
      }
      const cycle = targets.find((t) => chain.includes(t.path));
      if (cycle) {
        problems.push(
          `${name}: extends: "${parent}" extends itself (cycle: ${[...chain, cycle.path].map(display).join(' → ')})`,
        );
        continue;
      }
      let loaded: Source | null = null;
      for (const target of targets) {
        loaded = target.disk ? readPackage(opts.root, target.path) : await readTree(target.path);
        if (loaded) break;
      }
      if (!loaded) {
        problems.push(
          `${name}: extends: "${parent}": file not found (looked for ${targets.map((t) => `${display(t.path)}${t.disk ? ' on disk' : ` in ${opts.tree.label}`}`).join(', then ')})`,
        );
        continue;
      }
      const data = await parseLayer(loaded, loaded.disk === true);
      if (data !== undefined) await loadLayer(loaded.path, data, [...chain, loaded.path], loaded.disk === true);
    }
    layers.push({ file: name, raw });
  }

  async function readTree(path: string): Promise<Source | null> {
    const text = await readLayer(opts.tree, path);
    return text === null ? null : { path, text };
  }

  /** A layer's text parsed by its file type, recorded as a source; undefined (and a problem) when it cannot be. */
  async function parseLayer(source: Source, onDisk: boolean): Promise<unknown> {
    sources.push(source);
    const shown = display(source.path);
    if (!source.text.trim()) {
      problems.push(`${shown}: the file is empty; expected a policy object (or delete the file to use ${RECOMMENDED})`);
      return undefined;
    }
    try {
      if (isProgram(source.path)) {
        if (!opts.runProgram) throw new PolicyNotRun(shown);
        return await opts.runProgram(source.path, source.text, onDisk ? join(opts.root, source.path) : null);
      }
      if (source.path === 'package.json' || source.path.endsWith('/package.json')) return JSON.parse(source.text);
      const ext = posix.extname(source.path);
      if (ext === '.json') return defaultLoaders['.json'](shown, source.text);
      return defaultLoaders['.yaml'](shown, source.text); // .yaml, .yml, and no extension (.ralphrc) are YAML
    } catch (e) {
      if (e instanceof PolicyNotRun) throw e;
      const message = isProgram(source.path) ? String((e as Error)?.message ?? e) : parseMessage(e, source.text);
      problems.push(`${shown}: cannot be read: ${message}`);
      return undefined;
    }
  }

  if (file) {
    const data = await parseLayer({ path: file.path, text: file.text }, false);
    if (data !== undefined) await loadLayer(file.path, data, [file.path], false);
  } else {
    layers.push({ file: RECOMMENDED, raw: PRESETS[RECOMMENDED]!() as RawPolicy });
  }
  if (problems.length) throw new PolicyError(problems);

  const policy = resolvePolicy(layers, file?.path ?? null, file ? display(file.path) : RECOMMENDED, problems);
  if (problems.length) throw new PolicyError(problems);
  return { policy, sources };
}

/**
 * Where an `extends` entry may point: a file of the repository (relative to
 * the extending file; `./x.json`, `base.json`), else, for a bare name, a
 * package under node_modules; refused when absolute or outside the repository.
 * Inside a package, relative paths stay in node_modules.
 */
function extendsTargets(
  from: string | null,
  parent: string,
  inPackage: boolean,
): Array<{ path: string; disk?: true }> | { refused: string } {
  const spec = parent.split('\\').join('/');
  if (posix.isAbsolute(spec) || /^[A-Za-z]:\//.test(spec) || spec.includes('\0'))
    return {
      refused:
        'an absolute path is refused; expected a file inside the repository (a relative path), a package in node_modules or a ralph-guard: preset',
    };
  const local = posix.normalize(posix.join(from ? posix.dirname(from) : '.', spec));
  if (inPackage) {
    return local.startsWith('node_modules/') && !local.split('/').includes('..')
      ? [{ path: local, disk: true }]
      : { refused: 'outside its package in node_modules' };
  }
  if (local === '..' || local.startsWith('../'))
    return {
      refused: 'outside the repository; expected a file inside it, a package in node_modules or a ralph-guard: preset',
    };
  if (spec.startsWith('.')) return [{ path: local }];
  const pkg = posix.normalize(`node_modules/${spec}`);
  return pkg.startsWith('node_modules/') && !pkg.split('/').includes('..')
    ? [{ path: local }, { path: pkg, disk: true }]
    : [{ path: local }];
}

/** A package's policy from node_modules: the file named, or the package's "ralph" key, or its main file. */
function readPackage(root: string, path: string): Source | null {
  const read = (p: string) => {
    try {
      return readFileSync(join(root, p), 'utf8');
    } catch {
      return null;
    }
  };
  if (/\.(?:json|ya?ml|[cm]?js|ts)$/.test(path) && existsSync(join(root, path)) && !path.endsWith('/package.json')) {
    const text = read(path);
    return text === null ? null : { path, text, disk: true };
  }
  const manifest = read(`${path}/package.json`);
  if (manifest === null) return null;
  let pkg: { ralph?: unknown; main?: unknown };
  try {
    pkg = JSON.parse(manifest) as typeof pkg;
  } catch {
    return null;
  }
  if (pkg.ralph !== undefined) return { path: `${path}/package.json`, text: JSON.stringify(pkg.ralph), disk: true };
  const main = posix.normalize(posix.join(path, typeof pkg.main === 'string' ? pkg.main : 'index.json'));
  if (!main.startsWith(`${path}/`)) return null;
  const text = read(main);
  return text === null ? null : { path: main, text, disk: true };
}

/**
 * Runs a committed JavaScript or TypeScript policy: its text, as git has it,
 * is written to a private temporary directory in the cache (0700) and
 * imported from there, so what runs is what was committed, never the working
 * tree's copy. It cannot import other files of the repository by a relative
 * path: a JS policy stands alone (JSON and YAML policies can extend files).
 * A package in node_modules (onDisk) is imported where it is installed.
 */
export async function runCommittedProgram(path: string, text: string, onDisk: string | null): Promise<unknown> {
  const ext = path.slice(path.lastIndexOf('.')) as '.js' | '.mjs' | '.cjs' | '.ts';
  if (onDisk) return defaultLoaders[ext](onDisk, readFileSync(onDisk, 'utf8'));
  const parent = join(cacheDir(), 'policy-programs');
  makeCacheDir(parent);
  const dir = mkdtempSync(join(parent, 'run-'));
  try {
    const file = join(dir, posix.basename(path));
    writeFileSync(file, text, { mode: 0o600 });
    return await defaultLoaders[ext](file, text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The parser's whole message; JSON's "end of input" gets the line and column it lacks. */
function parseMessage(e: unknown, text: string): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/line \d+|\(\d+:\d+\)|\n\s*>?\s*\d+ \|/.test(message)) return message;
  const lines = text.split('\n');
  return `${message} (at line ${lines.length}, column ${(lines.at(-1) ?? '').length + 1}: the end of the file)`;
}

function validateLayer(name: string, data: unknown, problems: string[]): RawPolicy | null {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push(
      `${name}: (top level): expected a policy object, got ${Array.isArray(data) ? 'an array' : typeof data}`,
    );
    return null;
  }
  // An unknown atom id without the parts of a custom atom is most likely a misspelt built-in: say that once.
  const atoms = (data as { atoms?: unknown }).atoms;
  let input = data;
  if (atoms && typeof atoms === 'object' && !Array.isArray(atoms)) {
    const known = BUILTIN_ATOMS.map((a) => a.id);
    const kept: Record<string, unknown> = {};
    for (const [id, value] of Object.entries(atoms)) {
      const custom = value && typeof value === 'object' && ('checks' in value || 'title' in value);
      if (!known.includes(id) && !custom) {
        problems.push(
          `${name}: atoms.${id}: unknown atom; expected a built-in id${didYouMean(id, known)} or a custom atom with title, criteria and checks`,
        );
      } else kept[id] = value;
    }
    input = { ...data, atoms: kept };
  }
  const result = policySchema(BUILTIN_ATOMS).safeParse(input, { reportInput: true });
  if (!result.success) {
    problems.push(...formatIssues(name, result.error.issues, BUILTIN_ATOMS));
    return null;
  }
  return result.data;
}

/** A level as written, as the engine runs it: `review` runs at `warn` and waits for a person (src/review/). */
function atLevel(level: AtomSettings['level'] | 'review'): { level: AtomSettings['level']; review?: true } {
  return level === 'review' ? { level: 'warn', review: true } : { level };
}

/** Merges the layers (later wins; atom settings merge key by key) and applies every default. */
/** `shown`: the policy file as problems name it (relative to the root, like every other problem). */
function resolvePolicy(layers: Layer[], file: string | null, shown: string, problems: string[]): Policy {
  const builtinSettings: Record<
    string,
    {
      level?: AtomSettings['level'] | 'review';
      rules?: AtomSettings['rules'];
      files?: string[];
      ignore?: string[];
      options: Record<string, unknown>;
    }
  > = {};
  const custom = new Map<string, CustomAtom>();
  const policy: Policy = {
    file,
    ...DEFAULTS,
    ignore: [],
    atoms: {},
    custom: [],
    skills: {},
    highRisk: {},
    globs: {},
  };

  for (const { raw } of layers) {
    if (raw.failOn !== undefined) policy.failOn = raw.failOn;
    if (raw.failClosed !== undefined) policy.failClosed = raw.failClosed;
    if (raw.maxFileBytes !== undefined) policy.maxFileBytes = raw.maxFileBytes;
    if (raw.atomTimeoutMs !== undefined) policy.atomTimeoutMs = raw.atomTimeoutMs;
    if (raw.workers !== undefined) policy.workers = raw.workers;
    if (raw.baseline !== undefined) policy.baseline = raw.baseline;
    if (raw.ignore) policy.ignore = [...policy.ignore, ...raw.ignore];
    Object.assign(policy.skills, raw.skills ?? {});
    for (const [id, area] of Object.entries(raw.highRisk ?? {}))
      policy.highRisk![id] = { ...policy.highRisk![id], ...(area as NonNullable<Policy['highRisk']>[string]) };
    for (const [id, settings] of Object.entries(raw.atoms ?? {})) {
      if (!settings) continue;
      if ('checks' in settings) {
        const { level, ...rest } = settings as Omit<CustomAtom, 'id' | 'level'> & {
          level: CustomAtom['level'] | 'review';
        };
        custom.set(id, { id, ...rest, ...atLevel(level) });
        continue;
      }
      const s = settings as {
        level?: AtomSettings['level'] | 'review';
        rules?: AtomSettings['rules'];
        files?: string[];
        ignore?: string[];
        options?: Record<string, unknown>;
      };
      const previous = builtinSettings[id] ?? { options: {} };
      builtinSettings[id] = {
        ...previous,
        ...(s.level ? { level: s.level } : {}),
        // Rule levels merge rule by rule: a later layer sets the rules it names.
        ...(s.rules ? { rules: { ...previous.rules, ...s.rules } } : {}),
        ...(s.files ? { files: s.files } : {}),
        ...(s.ignore ? { ignore: s.ignore } : {}),
        options: { ...previous.options, ...(s.options ?? {}) },
      };
    }
  }

  for (const atom of BUILTIN_ATOMS) {
    const s = builtinSettings[atom.id];
    const schema = atom.options?.(z, { regexProblem: checkLinearRegex });
    const parsed = schema
      ? schema.safeParse(s?.options ?? {}, { reportInput: true })
      : { success: true as const, data: {} };
    if (!parsed.success) {
      problems.push(
        ...formatIssues(
          shown,
          parsed.error.issues.map((i) => ({ ...i, path: ['atoms', atom.id, 'options', ...i.path] })),
          BUILTIN_ATOMS,
        ),
      );
      continue;
    }
    policy.atoms[atom.id] = {
      ...atLevel(s?.level ?? 'off'),
      options: parsed.data as Record<string, unknown>,
      ...(s?.rules && Object.keys(s.rules).length ? { rules: s.rules } : {}),
      ...(s?.files ? { files: s.files } : {}),
      ...(s?.ignore ? { ignore: s.ignore } : {}),
    };
  }
  policy.custom = [...custom.values()];
  policy.globs = compileGlobs([
    ...policy.ignore,
    ...Object.values(policy.atoms).flatMap((a) => [...(a.files ?? []), ...(a.ignore ?? [])]),
    ...policy.custom.flatMap((c) => [...c.files, ...c.ignore]),
    ...Object.values(policy.highRisk ?? {}).flatMap((a) => a.files ?? []),
  ]);

  const ids = new Set([...BUILTIN_ATOMS.map((a) => a.id), ...custom.keys()]);
  for (const [name, skill] of Object.entries(policy.skills)) {
    for (const id of skill.atoms)
      if (!ids.has(id))
        problems.push(`${shown}: skills.${name}.atoms: unknown atom "${id}"${didYouMean(id, [...ids])}`);
  }
  return policy;
}
