/** Atom selection: the atoms the policy enables, built-in and custom, narrowed by --atoms or --skill. None is loaded here. */
import { atomHeaders, loadAtom } from '../atoms/index.js';
import { UsageError } from '../errors.js';
import { useCompiledGlobs } from '../globs.js';
import type { AnyAtom, Level } from '../kit/atom.js';
import type { Policy } from '../policy/policy.js';
import { activate, headerOf, type ActiveAtom, type AtomHeader } from '../router.js';

export interface Selection {
  /** Only these atom ids. */
  atoms?: string[];
  /** Only the atoms of this skill. */
  skill?: string;
}

export async function selectAtoms(policy: Policy, options: Selection): Promise<ActiveAtom[]> {
  const { headers, globs } = await atomHeaders();
  useCompiledGlobs(globs);
  useCompiledGlobs(policy.globs);
  type Candidate = {
    header: AtomHeader;
    load: () => Promise<AnyAtom>;
    level: 'block' | 'warn' | 'off';
    rules?: Record<string, Level | 'review'>;
    options: Record<string, unknown>;
    files?: string[];
    ignore?: string[];
  };
  const candidates: Candidate[] = [];
  for (const header of headers) {
    const s = policy.atoms[header.id];
    if (s) candidates.push({ header, load: () => loadAtom(header.id), ...s });
  }
  if (policy.custom.length) {
    const { customAtom } = await import('../custom/pattern.js');
    for (const def of policy.custom) {
      const atom = customAtom(def);
      candidates.push({
        header: headerOf(atom),
        load: async () => atom,
        level: def.level,
        options: {},
        ignore: def.ignore,
      });
    }
  }

  let wanted: string[] | null = options.atoms?.length ? options.atoms : null;
  if (options.skill) {
    const { findSkill } = await import('../skills/skills.js');
    wanted = findSkill(policy, options.skill).atoms;
  }
  if (wanted) {
    const known = new Set(candidates.map((c) => c.header.id));
    const unknown = wanted.filter((id) => !known.has(id));
    if (unknown.length)
      throw new UsageError(
        `--atoms: unknown atom ${unknown.map((u) => `"${u}"`).join(', ')}; run \`ralph-guard atoms\` for the list`,
      );
  }
  return candidates
    .filter((c) => (wanted ? wanted.includes(c.header.id) : c.level !== 'off' || onRules(c.rules).length > 0))
    .map((c) => {
      const on = onRules(c.rules);
      // An atom at off with rules on runs for those rules only, at the highest of their levels.
      const othersOff = c.level === 'off' && on.length > 0;
      const level = othersOff ? (on.includes('block') ? 'block' : 'warn') : c.level === 'off' ? 'warn' : c.level;
      const active = activate(c.header, c.load, level, c.options, c.files, [...policy.ignore, ...(c.ignore ?? [])]);
      if (c.rules) active.rules = runLevels(c.rules);
      if (othersOff) active.othersOff = true;
      return active;
    });
}

/** The levels of the rules the policy turns on (a rule at `review` runs at `warn`). */
const onRules = (rules: Record<string, Level | 'review'> | undefined): Level[] =>
  Object.values(rules ?? {}).flatMap((l) => (l === 'off' ? [] : [l === 'review' ? 'warn' : l]));

/** Rule levels as the engine runs them: `review` is a warning (the review step makes it wait for a person). */
const runLevels = (rules: Record<string, Level | 'review'>): Record<string, Level> =>
  Object.fromEntries(Object.entries(rules).map(([rule, l]) => [rule, l === 'review' ? 'warn' : l]));
