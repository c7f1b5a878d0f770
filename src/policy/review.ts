/**
 * What a change does to the policy and the baseline (DESIGN §9.1). The
 * change is judged under the policy it starts from; this says what it would
 * leave behind. Anything that makes the guard see less — an atom turned off
 * or lowered, an ignore glob or allowlist widened, a minimum lowered, a
 * failOn or failClosed loosened, baseline entries added — is a blocking
 * finding naming what weakened, until a person acknowledges the file's new
 * content as a `guard` review (src/review/: `ralph-guard approve`, or a
 * Security-Reviewed-by trailer where the message is known). Changes that
 * only make the guard stricter are notes.
 *
 * Rule ids: `guard/policy-weakened`, `guard/policy-unreadable` (the new
 * policy is invalid, or is a program that is not run to compare it),
 * `guard/baseline-grown`.
 */
import { PolicyError, PolicyNotRun } from '../errors.js';
import type { Finding } from '../findings.js';
import { type AtomSettings, type CustomAtom, levelOf, type Policy } from './policy.js';
import { BUILTIN_AREAS } from '../review/areas.js';
import type { FoundFile, PolicyTree } from './source.js';
import { validatePolicy } from './validate.js';

export interface ChangeToReview {
  root: string;
  /** Where the change leaves the repository. */
  tree: PolicyTree;
  before: Policy;
  /** The policy file the change leaves (null: none, the recommended policy), or 'unchanged'. */
  after: FoundFile | null | 'unchanged';
  baseline: { file: string; before: string | null; after: string | null };
}

const CRITERION = 'A change does not weaken the policy or the baseline that judge it.';
const FIX =
  'Have a person review it: they run `ralph-guard approve` at their terminal before committing (it records the reviewed content of the policy or baseline file), or the commit carries a `Security-Reviewed-by: Name <email>` trailer, which the pre-push hook and `check --range` in CI accept (the pre-commit hook cannot see the message: commit it past that hook). Without that, commit it on its own and have a maintainer land it.';

export async function reviewChange(change: ChangeToReview): Promise<{ findings: Finding[]; notes: string[] }> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const shownBefore = change.before.file ?? 'the recommended policy';

  if (change.after !== 'unchanged') {
    const file = change.after?.path ?? change.before.file ?? '.ralphrc.json';
    const text = change.after?.text ?? '';
    let after: Policy | null = null;
    try {
      after = (await validatePolicy(change.after, { root: change.root, tree: change.tree })).policy;
    } catch (e) {
      const why =
        e instanceof PolicyNotRun
          ? 'it is a JavaScript or TypeScript policy, which the guard does not run from a change to compare it with the one committed'
          : e instanceof PolicyError
            ? `it is not valid: ${e.problems.join('; ')}`
            : `it cannot be read: ${(e as Error).message}`;
      findings.push(
        finding(
          'policy-unreadable',
          file,
          1,
          `The change leaves a policy that cannot be compared with ${shownBefore}: ${why}.`,
        ),
      );
    }
    if (after) {
      const { weaker: all, stricter } = comparePolicies(change.before, after);
      const weaker = groupLevels(all);
      if (weaker.length)
        findings.push(
          finding(
            'policy-weakened',
            file,
            lineOf(text, weaker[0]!.key),
            `The change weakens the policy (${change.after ? change.after.path : 'policy file removed: the recommended policy would apply'}): ${weaker.map((w) => w.text).join('; ')}.`,
          ),
        );
      if (stricter.length)
        notes.push(
          `policy change (judged under ${shownBefore}; it applies from the next change on): ${stricter.map((s) => s.text).join('; ')}`,
        );
    }
  }

  const { before, after, file } = change.baseline;
  if (before !== after) {
    const old = fingerprints(before);
    const now = fingerprints(after);
    const added = [...now].filter((f) => !old.has(f));
    if (added.length)
      findings.push(
        finding(
          'baseline-grown',
          file,
          1,
          `The change adds ${added.length} entr${added.length === 1 ? 'y' : 'ies'} to the baseline ${file}: findings it accepts would no longer block.`,
        ),
      );
    const dropped = [...old].filter((f) => !now.has(f)).length;
    if (dropped) notes.push(`baseline ${file}: the change drops ${dropped} accepted finding(s)`);
  }
  return { findings, notes };
}

/** `atoms.a.level: block → off; atoms.b.level: block → off` as `atoms a, b: level block → off`, so a wholesale switch-off reads in one line. */
function groupLevels(differences: Difference[]): Difference[] {
  const groups = new Map<string, string[]>();
  const rest: Difference[] = [];
  for (const d of differences) {
    const m = /^atoms\.([^.]+)\.level: (.*)$/.exec(d.text);
    if (!m) {
      rest.push(d);
      continue;
    }
    groups.set(m[2]!, [...(groups.get(m[2]!) ?? []), m[1]!]);
  }
  const grouped = [...groups].map(([change, ids]) => ({
    key: `atoms.${ids[0]}.level`,
    text: `${ids.length === 1 ? `atoms.${ids[0]}.level` : `level of ${ids.length} atoms (${ids.join(', ')})`}: ${change}`,
  }));
  return [...grouped, ...rest];
}

function finding(name: string, file: string, line: number, message: string): Finding {
  return {
    atom: 'guard',
    rule: `guard/${name}`,
    severity: 'error',
    file,
    line,
    column: 1,
    message,
    criterion: CRITERION,
    fix: FIX,
    excerpt: '',
  };
}

/** The line of the policy text that first mentions the last part of a key path (1 when none does). */
function lineOf(text: string, key: string): number {
  const last = key.split('.').at(-1) ?? key;
  const index = text.split('\n').findIndex((line) => line.includes(last));
  return index < 0 ? 1 : index + 1;
}

/** Fingerprints of a baseline file's text (an unreadable file has none). */
function fingerprints(text: string | null): Set<string> {
  if (text === null) return new Set();
  try {
    const data = JSON.parse(text) as { findings?: Array<{ fingerprint?: unknown }> };
    return new Set(
      (Array.isArray(data?.findings) ? data.findings : []).flatMap((f) =>
        typeof f?.fingerprint === 'string' ? [f.fingerprint] : [],
      ),
    );
  } catch {
    return new Set();
  }
}

interface Difference {
  key: string;
  text: string;
}

/** `review` lets a finding through once a person acknowledges it: between warn and block. */
const LEVEL_RANK = { off: 0, warn: 1, review: 2, block: 3 } as const;
/** The dependencies atom's failOn: a higher threshold lets more through. */
const SEVERITY_RANK: Record<string, number> = { low: 3, moderate: 2, high: 1, critical: 0 };

const show = (value: unknown) => (value === undefined ? '(unset)' : JSON.stringify(value));

/**
 * Every difference between two resolved policies, sorted into what lets more
 * through (weaker) and what does not. Where the direction cannot be told (a
 * changed regex, a changed `files` narrowing), the change counts as weaker.
 */
export function comparePolicies(before: Policy, after: Policy): { weaker: Difference[]; stricter: Difference[] } {
  const weaker: Difference[] = [];
  const stricter: Difference[] = [];
  const weak = (key: string, text: string) => weaker.push({ key, text: `${key}: ${text}` });
  const strict = (key: string, text: string) => stricter.push({ key, text: `${key}: ${text}` });

  if (before.failOn !== after.failOn)
    (after.failOn === 'block' ? weak : strict)('failOn', `${before.failOn} → ${after.failOn}`);
  if (before.failClosed !== after.failClosed)
    (after.failClosed ? strict : weak)('failClosed', `${before.failClosed} → ${after.failClosed}`);
  if (before.maxFileBytes !== after.maxFileBytes)
    (after.maxFileBytes < before.maxFileBytes ? weak : strict)(
      'maxFileBytes',
      `${before.maxFileBytes} → ${after.maxFileBytes}`,
    );
  if (before.atomTimeoutMs !== after.atomTimeoutMs)
    (after.atomTimeoutMs < before.atomTimeoutMs ? weak : strict)(
      'atomTimeoutMs',
      `${before.atomTimeoutMs} → ${after.atomTimeoutMs}`,
    );
  if (before.baseline !== after.baseline) weak('baseline', `${show(before.baseline)} → ${show(after.baseline)}`);
  compareLists('ignore', before.ignore, after.ignore, 'widen', weak, strict);

  for (const id of new Set([...Object.keys(before.atoms), ...Object.keys(after.atoms)])) {
    compareAtom(`atoms.${id}`, before.atoms[id], after.atoms[id], weak, strict);
  }
  compareHighRisk(before.highRisk ?? {}, after.highRisk ?? {}, weak, strict);
  const customBefore = new Map(before.custom.map((c) => [c.id, c]));
  const customAfter = new Map(after.custom.map((c) => [c.id, c]));
  for (const [id, old] of customBefore) {
    const now = customAfter.get(id);
    if (!now) weak(`atoms.${id}`, 'custom atom removed');
    else compareCustom(`atoms.${id}`, old, now, weak, strict);
  }
  for (const [id, now] of customAfter) {
    if (customBefore.has(id)) continue;
    const commands = now.checks.filter((c) => c.type === 'command').map((c) => (c as { command: string }).command);
    strict(
      `atoms.${id}`,
      `custom atom added${commands.length ? ` (its command${commands.length > 1 ? 's' : ''} ${commands.map((c) => JSON.stringify(c)).join(', ')} will run on later commits)` : ''}`,
    );
  }
  return { weaker, stricter };
}

type Report = (key: string, text: string) => void;

/** High-risk areas: a lower level, or changed globs of the policy's own areas (which may cover less), let more through. */
function compareHighRisk(
  before: NonNullable<Policy['highRisk']>,
  after: NonNullable<Policy['highRisk']>,
  weak: Report,
  strict: Report,
) {
  const builtin = new Map(BUILTIN_AREAS.map((a) => [a.id, a.level]));
  for (const id of new Set([...Object.keys(before), ...Object.keys(after), ...builtin.keys()])) {
    // An area the policy does not name has its built-in level, or none at all (off) when it is the policy's own.
    const levelBefore = before[id]?.level ?? builtin.get(id) ?? (before[id] ? 'review' : 'off');
    const levelAfter = after[id]?.level ?? builtin.get(id) ?? (after[id] ? 'review' : 'off');
    const key = `highRisk.${id}`;
    if (levelBefore !== levelAfter)
      (LEVEL_RANK[levelAfter] < LEVEL_RANK[levelBefore] ? weak : strict)(
        `${key}.level`,
        `${levelBefore} → ${levelAfter}`,
      );
    if (levelAfter !== 'off' && JSON.stringify(before[id]?.files ?? []) !== JSON.stringify(after[id]?.files ?? []))
      weak(`${key}.files`, `${show(before[id]?.files)} → ${show(after[id]?.files)}`);
  }
}

function compareAtom(
  key: string,
  before: AtomSettings | undefined,
  after: AtomSettings | undefined,
  weak: Report,
  strict: Report,
) {
  const levelBefore = levelOf(before);
  const levelAfter = levelOf(after);
  if (levelBefore !== levelAfter)
    (LEVEL_RANK[levelAfter] < LEVEL_RANK[levelBefore] ? weak : strict)(
      `${key}.level`,
      `${levelBefore} → ${levelAfter}`,
    );
  // A rule's level is its own entry, else its atom's: an entry below the atom, or a rule lowered, is weaker.
  for (const rule of new Set([...Object.keys(before?.rules ?? {}), ...Object.keys(after?.rules ?? {})])) {
    const ruleBefore = before?.rules?.[rule] ?? levelBefore;
    const ruleAfter = after?.rules?.[rule] ?? levelAfter;
    if (ruleBefore !== ruleAfter)
      (LEVEL_RANK[ruleAfter] < LEVEL_RANK[ruleBefore] ? weak : strict)(
        `${key}.rules.${rule}`,
        `${ruleBefore} → ${ruleAfter}`,
      );
  }
  if (levelAfter === 'off' && levelBefore === 'off') return;
  if (JSON.stringify(before?.files ?? []) !== JSON.stringify(after?.files ?? []))
    weak(`${key}.files`, `${show(before?.files)} → ${show(after?.files)} (narrowing the files an atom checks)`);
  compareLists(`${key}.ignore`, before?.ignore ?? [], after?.ignore ?? [], 'widen', weak, strict);
  const options = new Set([...Object.keys(before?.options ?? {}), ...Object.keys(after?.options ?? {})]);
  for (const name of options)
    compareOption(`${key}.options.${name}`, name, before?.options[name], after?.options[name], weak, strict);
}

/** One atom option: minimums, thresholds, allowlists and blocklists each have a direction; anything else changed counts as weaker. */
function compareOption(key: string, name: string, before: unknown, after: unknown, weak: Report, strict: Report) {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const change = `${show(before)} → ${show(after)}`;
  if (typeof before === 'number' && typeof after === 'number') {
    if (/min/i.test(name)) return (after < before ? weak : strict)(key, change);
    if (/max/i.test(name)) return (after > before ? weak : strict)(key, change);
    return weak(key, change);
  }
  if (name === 'failOn' && typeof before === 'string' && typeof after === 'string')
    return ((SEVERITY_RANK[after] ?? -1) < (SEVERITY_RANK[before] ?? -1) ? weak : strict)(key, change);
  const allows = /^(?:allow|ignore)/i.test(name);
  if (Array.isArray(before) && Array.isArray(after))
    return compareLists(key, before, after, allows ? 'widen' : 'narrow', weak, strict);
  if (isRecord(before) && isRecord(after)) {
    const added = Object.keys(after).filter((k) => !(k in before));
    const removed = Object.keys(before).filter((k) => !(k in after));
    const changed = Object.keys(after).filter(
      (k) => k in before && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
    );
    if (allows) {
      if (added.length || changed.length) weak(key, `added or changed ${[...added, ...changed].join(', ')}`);
      if (removed.length) strict(key, `removed ${removed.join(', ')}`);
    } else {
      if (removed.length || changed.length) weak(key, `removed or changed ${[...removed, ...changed].join(', ')}`);
      if (added.length) strict(key, `added ${added.join(', ')}`);
    }
    return;
  }
  weak(key, change);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A list where adding entries lets more through ('widen': ignore globs, allowlists) or removing them does ('narrow'). */
function compareLists(
  key: string,
  before: readonly unknown[],
  after: readonly unknown[],
  direction: 'widen' | 'narrow',
  weak: Report,
  strict: Report,
) {
  const seen = new Set(before.map((v) => JSON.stringify(v)));
  const now = new Set(after.map((v) => JSON.stringify(v)));
  const added = [...now].filter((v) => !seen.has(v));
  const removed = [...seen].filter((v) => !now.has(v));
  if (added.length) (direction === 'widen' ? weak : strict)(key, `added ${added.join(', ')}`);
  if (removed.length) (direction === 'widen' ? strict : weak)(key, `removed ${removed.join(', ')}`);
}

function compareCustom(key: string, before: CustomAtom, after: CustomAtom, weak: Report, strict: Report) {
  if (levelOf(before) !== levelOf(after))
    (LEVEL_RANK[levelOf(after)] < LEVEL_RANK[levelOf(before)] ? weak : strict)(
      `${key}.level`,
      `${levelOf(before)} → ${levelOf(after)}`,
    );
  if (JSON.stringify(before.files) !== JSON.stringify(after.files))
    weak(`${key}.files`, `${show(before.files)} → ${show(after.files)}`);
  compareLists(`${key}.ignore`, before.ignore, after.ignore, 'widen', weak, strict);
  // A keyword pre-filter decides when the checks run at all: any change may skip them.
  if (JSON.stringify(before.keywords) !== JSON.stringify(after.keywords))
    weak(`${key}.keywords`, `${show(before.keywords)} → ${show(after.keywords)}`);
  compareLists(`${key}.checks`, before.checks, after.checks, 'narrow', weak, strict);
}
