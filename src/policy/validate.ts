/**
 * The cold path of policy loading: cosmiconfig reads the file (JSON, YAML,
 * JS, TS, package.json "ralph"), zod validates every layer of `extends`, and
 * the layers merge into a resolved Policy. Runs only when the policy file is
 * new or changed; `load.ts` caches the result.
 */
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { compileGlobs } from '../globs.js';
import * as z from 'zod';
import { DEFAULT_ATOM_TIMEOUT_MS } from '../engine/budget.js';
import { checkLinearRegex } from './linear-regex.js';
import { PolicyError } from '../errors.js';
import { BUILTIN_ATOMS } from '../atoms/all.js';
import { RECOMMENDED, SEARCH_PLACES, type AtomSettings, type CustomAtom, type Policy } from './policy.js';
import { formatIssues, policySchema, type RawPolicy } from './schema.js';
import { didYouMean } from '../suggest.js';

export const DEFAULTS = {
  failOn: 'block',
  failClosed: false,
  maxFileBytes: 5_000_000,
  atomTimeoutMs: DEFAULT_ATOM_TIMEOUT_MS,
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

export interface Validated {
  policy: Policy;
  /** Every file read, for the cache to watch. */
  sources: string[];
}

/** Loads, validates and resolves the policy in `file` (null: the recommended policy). */
export async function validatePolicy(file: string | null, root: string): Promise<Validated> {
  const problems: string[] = [];
  const layers: Layer[] = [];
  const sources: string[] = [];
  const display = (f: string) => relative(root, f) || f;

  async function loadLayer(path: string | null, data: unknown, chain: string[]) {
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
      const target = resolve(path ? dirname(path) : root, parent);
      if (chain.includes(target)) {
        problems.push(
          `${name}: extends: "${parent}" extends itself (cycle: ${[...chain, target].map(display).join(' → ')})`,
        );
        continue;
      }
      if (!existsSync(target)) {
        problems.push(`${name}: extends: "${parent}": file not found (looked for ${display(target)})`);
        continue;
      }
      const loaded = await readPolicyFile(target, problems, display);
      if (loaded !== undefined) {
        sources.push(target);
        await loadLayer(target, loaded, [...chain, target]);
      }
    }
    layers.push({ file: name, raw });
  }

  if (file) {
    sources.push(file);
    const data = await readPolicyFile(file, problems, display);
    if (data !== undefined) await loadLayer(file, data, [file]);
  } else {
    layers.push({ file: RECOMMENDED, raw: PRESETS[RECOMMENDED]!() as RawPolicy });
  }
  if (problems.length) throw new PolicyError(problems);

  const policy = resolvePolicy(layers, file, file ? display(file) : RECOMMENDED, problems);
  if (problems.length) throw new PolicyError(problems);
  return { policy, sources };
}

async function readPolicyFile(file: string, problems: string[], display: (f: string) => string): Promise<unknown> {
  const explorer = cosmiconfig('ralph', { searchPlaces: SEARCH_PLACES, cache: false });
  try {
    const result = await explorer.load(file);
    if (!result) {
      problems.push(
        `${display(file)}: the file is empty; expected a policy object (or delete the file to use ${RECOMMENDED})`,
      );
      return undefined;
    }
    return result.config;
  } catch (e) {
    const message = e instanceof Error ? e.message.replace(file, display(file)) : String(e);
    const what =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot be read: ${message.split('\n')[0]}`;
    problems.push(`${display(file)}: ${what}`);
    return undefined;
  }
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

/** Merges the layers (later wins; atom settings merge key by key) and applies every default. */
/** `shown`: the policy file as problems name it (relative to the root, like every other problem). */
function resolvePolicy(layers: Layer[], file: string | null, shown: string, problems: string[]): Policy {
  const builtinSettings: Record<
    string,
    { level?: AtomSettings['level']; files?: string[]; ignore?: string[]; options: Record<string, unknown> }
  > = {};
  const custom = new Map<string, CustomAtom>();
  const policy: Policy = { file, ...DEFAULTS, ignore: [], atoms: {}, custom: [], skills: {}, globs: {} };

  for (const { raw } of layers) {
    if (raw.failOn !== undefined) policy.failOn = raw.failOn;
    if (raw.failClosed !== undefined) policy.failClosed = raw.failClosed;
    if (raw.maxFileBytes !== undefined) policy.maxFileBytes = raw.maxFileBytes;
    if (raw.atomTimeoutMs !== undefined) policy.atomTimeoutMs = raw.atomTimeoutMs;
    if (raw.baseline !== undefined) policy.baseline = raw.baseline;
    if (raw.ignore) policy.ignore = [...policy.ignore, ...raw.ignore];
    Object.assign(policy.skills, raw.skills ?? {});
    for (const [id, settings] of Object.entries(raw.atoms ?? {})) {
      if (!settings) continue;
      if ('checks' in settings) {
        custom.set(id, { id, ...(settings as Omit<CustomAtom, 'id'>) });
        continue;
      }
      const s = settings as {
        level?: AtomSettings['level'];
        files?: string[];
        ignore?: string[];
        options?: Record<string, unknown>;
      };
      const previous = builtinSettings[id] ?? { options: {} };
      builtinSettings[id] = {
        ...previous,
        ...(s.level ? { level: s.level } : {}),
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
      level: s?.level ?? 'off',
      options: parsed.data as Record<string, unknown>,
      ...(s?.files ? { files: s.files } : {}),
      ...(s?.ignore ? { ignore: s.ignore } : {}),
    };
  }
  policy.custom = [...custom.values()];
  policy.globs = compileGlobs([
    ...policy.ignore,
    ...Object.values(policy.atoms).flatMap((a) => [...(a.files ?? []), ...(a.ignore ?? [])]),
    ...policy.custom.flatMap((c) => [...c.files, ...c.ignore]),
  ]);

  const ids = new Set([...BUILTIN_ATOMS.map((a) => a.id), ...custom.keys()]);
  for (const [name, skill] of Object.entries(policy.skills)) {
    for (const id of skill.atoms)
      if (!ids.has(id))
        problems.push(`${shown}: skills.${name}.atoms: unknown atom "${id}"${didYouMean(id, [...ids])}`);
  }
  return policy;
}
