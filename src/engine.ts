/**
 * The pipeline of DESIGN §3: git → ChangeSet → Router → Checks → Findings →
 * Filter → Report. Reporters and exit codes are the CLI's business.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { wantsParse, type AnyAtom, type Hit, type SourceFile } from './atoms/atom.js';
import type { Parsed } from './ast/parse.js';
import { BUILTIN_ATOMS } from './atoms/registry.js';
import { Budgets } from './budget.js';
import { secretSpans } from './atoms/secrets.js';
import { collectChangeSet, type ChangedFile, type ChangeSet, type ChangeSetRequest } from './changeset/changeset.js';
import { UsageError } from './errors.js';
import { suppressionFor, touchesAddedLine } from './filter.js';
import type { AtomFailure, Finding, Report, Suppressed } from './findings.js';
import { findRoot } from './git/git.js';
import { loadPolicy } from './policy/load.js';
import type { CommandCheck, Policy } from './policy/policy.js';
import type { Baseline, LocatedFinding } from './baseline.js';
import { activate, routeByKeywords, routeByPath, type ActiveAtom } from './router.js';
import { decode, excerpt, lineStarts, maskSpans, positionAt, splitLines } from './text.js';

export interface RunOptions extends ChangeSetRequest {
  cwd: string;
  /** Only these atom ids. */
  atoms?: string[];
  /** Only the atoms of this skill. */
  skill?: string;
  configFile?: string;
  /** Atoms may use the network (check --online). */
  online?: boolean;
  /** Drop findings the baseline file accepts (default true). */
  baseline?: boolean;
  /** Give every finding a fingerprint (SARIF, `ralph-guard baseline`). */
  fingerprints?: boolean;
  /** Run the policy's `command` checks (default true; the per-edit assistant hook skips them). */
  commands?: boolean;
}

export interface Run {
  root: string;
  policy: Policy;
  report: Report;
}

export async function run(options: RunOptions): Promise<Run> {
  const started = performance.now();
  const root = await findRoot(options.cwd);
  const [policy, changes] = await Promise.all([
    loadPolicy({ cwd: options.cwd, root, configFile: options.configFile }),
    collectChangeSet(root, options),
  ]);
  try {
    const atoms = await selectAtoms(policy, options);
    const baseline = options.baseline === false ? null : await loadBaselineIfAny(root, policy.baseline);
    const report = await checkChangeSet(changes, atoms, policy, {
      online: options.online ?? false,
      root,
      baseline,
      fingerprints: options.fingerprints ?? false,
      commands: options.commands ?? true,
    });
    report.summary.durationMs = Math.round(performance.now() - started);
    return { root, policy, report };
  } finally {
    changes.close();
  }
}

/** The atoms to run: enabled in the policy, narrowed by --atoms or --skill. */
export async function selectAtoms(policy: Policy, options: Pick<RunOptions, 'atoms' | 'skill'>): Promise<ActiveAtom[]> {
  const candidates: Array<{ atom: AnyAtom; level: 'block' | 'warn' | 'off'; options: Record<string, unknown>; files?: string[]; ignore?: string[] }> = [];
  for (const atom of BUILTIN_ATOMS) {
    const s = policy.atoms[atom.id];
    if (s) candidates.push({ atom, ...s });
  }
  if (policy.custom.length) {
    const { customAtom } = await import('./atoms/custom.js');
    for (const def of policy.custom) candidates.push({ atom: customAtom(def), level: def.level, options: {}, ignore: def.ignore });
  }

  let wanted: string[] | null = options.atoms?.length ? options.atoms : null;
  if (options.skill) {
    const { findSkill } = await import('./skills/skills.js');
    wanted = findSkill(policy, options.skill).atoms;
  }
  if (wanted) {
    const known = new Set(candidates.map((c) => c.atom.id));
    const unknown = wanted.filter((id) => !known.has(id));
    if (unknown.length) throw new UsageError(`--atoms: unknown atom ${unknown.map((u) => `"${u}"`).join(', ')}; run \`ralph-guard atoms\` for the list`);
  }
  return candidates
    .filter((c) => (wanted ? wanted.includes(c.atom.id) : c.level !== 'off'))
    .map((c) => activate(c.atom, c.level === 'off' ? 'warn' : c.level, c.options, c.files, [...policy.ignore, ...(c.ignore ?? [])]));
}

/** The baseline, read only when its file exists (a plain commit in a project without one pays nothing). */
async function loadBaselineIfAny(root: string, configured: string): Promise<Baseline | null> {
  if (!existsSync(isAbsolute(configured) ? configured : join(root, configured))) return null;
  const { loadBaseline } = await import('./baseline.js');
  return loadBaseline(root, configured);
}

/** Files whose checks share one stoppable call: few enough bytes that their parses fit in memory together. */
const BATCH_FILES = 256;
const BATCH_BYTES = 2_000_000;

export interface CheckSettings {
  online: boolean;
  /** The repository root (command checks run there). */
  root?: string;
  baseline?: Baseline | null;
  fingerprints?: boolean;
  commands?: boolean;
}

/** Runs the routed atoms over every file of the change set and filters what they find. */
export async function checkChangeSet(changes: ChangeSet, atoms: ActiveAtom[], policy: Policy, settings: CheckSettings): Promise<Report> {
  const findings: Finding[] = [];
  const suppressed: Suppressed[] = [];
  const failures: AtomFailure[] = [];
  const notes = [...changes.notes];
  const note = (text: string) => {
    if (!notes.includes(text)) notes.push(text);
  };
  let scanned = 0;
  const fingerprinting = settings.baseline || settings.fingerprints ? await import('./baseline.js') : null;

  const changedPaths = new Set(changes.files.map((f) => f.path));
  const decodeText = (bytes: Buffer | null) => {
    if (!bytes) return null;
    const d = decode(bytes, policy.maxFileBytes);
    return 'text' in d ? d.text : null;
  };
  const routed = changes.files.map((file) => ({ file, atoms: routeByPath(atoms, file.path) })).filter((r) => r.atoms.length > 0);
  // Ask git for every blob up front: cat-file streams them while we check the first ones.
  const contents = routed.map((r) => changes.read(r.file).catch((e: unknown) => e as Error));
  const budgets = new Budgets(policy.atomTimeoutMs);

  interface Prepared {
    file: ChangedFile;
    text: string | null;
    source: SourceFile;
    runnable: ActiveAtom[];
  }
  /** A file ready for its checks: read, decoded, routed by keywords, and parsed when a check wants the parse. */
  const prepare = async (file: ChangedFile, bytes: Buffer, pathAtoms: ActiveAtom[]): Promise<Prepared> => {
    const decoded = decode(bytes, policy.maxFileBytes);
    const text = 'text' in decoded ? decoded.text : null;
    if ('skip' in decoded) notes.push(`${file.path}: skipped, ${decoded.skip}`);
    else scanned++;
    // A skipped file (binary, too large) is still judged by atoms that need only its name: a committed keystore.
    const runnable = text === null ? pathAtoms.filter((a) => a.atom.checkSkipped) : routeByKeywords(pathAtoms, text);
    const prepared = { file, text, source: sourceFile(file, text ?? ''), runnable };
    await parseIfWanted(prepared);
    return prepared;
  };
  // Parsed before the checks are called, so code atoms analyse synchronously, inside their time budget.
  const parseIfWanted = async (p: Prepared) => {
    if (p.text !== null && p.runnable.some((a) => wantsParse(a.atom.check))) await p.source.ast().catch(() => {});
  };

  for (let next = 0; next < routed.length; ) {
    // A batch of files whose checks run in one stoppable call (see budget.ts).
    const batch: Prepared[] = [];
    for (let size = 0; next < routed.length && batch.length < BATCH_FILES && size < BATCH_BYTES; next++) {
      const { file, atoms: pathAtoms } = routed[next]!;
      const bytes = await contents[next]!;
      contents[next] = Promise.resolve(null); // let the bytes go once decoded
      if (bytes instanceof Error) {
        failures.push({ atom: '*', file: file.path, message: bytes.message });
        continue;
      }
      if (bytes === null) continue;
      size += bytes.length;
      batch.push(await prepare(file, bytes, pathAtoms));
    }
    const tasks = batch.flatMap((prepared) => prepared.runnable.map((active) => ({ atom: active.atom.id, file: prepared.file.path, prepared, active })));
    const outcomes = await budgets.runTasks(
      tasks,
      ({ prepared: { file, text, source }, active }) => {
        const context = {
          options: active.options,
          mode: changes.mode,
          online: settings.online,
          note,
          readOld: async () => decodeText(file.oldBlob ? await changes.readBlob(file.oldBlob) : null),
          readFile: async (path: string) => decodeText(await changes.readPath(path, file.commit)),
          changes: (path: string) => changedPaths.has(path),
        };
        return text === null ? active.atom.checkSkipped!(source, context) : active.atom.check(source, context);
      },
      // A stopped check may have left the file's shared state (its parse) half-built: the next checks get a fresh one.
      async ({ prepared }) => {
        prepared.source = sourceFile(prepared.file, prepared.text ?? '');
        await parseIfWanted(prepared);
      },
    );

    const located = new Map<Prepared, LocatedFinding[]>();
    outcomes.forEach((outcome, i) => {
      const { prepared, active } = tasks[i]!;
      if (outcome.kind === 'stopped') return;
      if (outcome.kind === 'error') {
        const e = outcome.error;
        failures.push({ atom: active.atom.id, file: prepared.file.path, message: e instanceof Error ? e.message : String(e) });
        return;
      }
      const { file, source } = prepared;
      for (const hit of outcome.value) {
        if (!touchesAddedLine(source, hit.line, hit.endLine ?? hit.line) && !hit.flow?.some((n) => source.isAdded(n))) continue;
        const raw = source.lines()[hit.line - 1] ?? '';
        const masked = maskSpans(raw, [...(hit.mask ?? []), ...secretSpans(file.path, raw)]);
        const list = located.get(prepared) ?? [];
        list.push({ finding: toFinding(active, hit, masked, file), raw, masked });
        located.set(prepared, list);
      }
    });
    for (const [{ source }, found] of located) {
      if (fingerprinting) fingerprinting.fingerprintFile(found, source.lines());
      const open: LocatedFinding[] = [];
      for (const item of found) {
        const suppression = suppressionFor(source, item.finding.rule, item.finding.line);
        if (suppression) suppressed.push({ ...item.finding, suppression: { kind: 'inline', ...(suppression.reason ? { reason: suppression.reason } : {}) } });
        else open.push(item);
      }
      const inBaseline = settings.baseline && fingerprinting ? fingerprinting.baselined(settings.baseline, open, source.lines(), source.isAdded) : null;
      for (const { finding } of open) {
        if (inBaseline?.has(finding)) suppressed.push({ ...finding, suppression: { kind: 'baseline', reason: `accepted in ${settings.baseline!.file}` } });
        else findings.push(finding);
      }
    }
  }
  for (const out of budgets.exhausted()) {
    const seconds = budgets.limitMs / 1000;
    const rest = out.skipped ? `; it did not check ${out.skipped} more file${out.skipped === 1 ? '' : 's'}` : '';
    failures.push({ atom: out.atom, file: out.file, message: `ran out of its ${seconds} s time budget and was stopped${rest}. Raise "atomTimeoutMs" in the policy, or exclude the file (ignore, or the atom's ignore)` });
  }

  if (settings.commands !== false && settings.root) {
    const commandAtoms = atoms.flatMap((active) => {
      const def = policy.custom.find((c) => c.id === active.atom.id);
      const checks = def?.checks.filter((c): c is CommandCheck => c.type === 'command') ?? [];
      return checks.length ? [{ active, checks }] : [];
    });
    if (commandAtoms.length) {
      const { runCommandChecks } = await import('./atoms/command.js');
      await runCommandChecks(commandAtoms, changes, policy, settings.root, { findings, suppressed, failures });
    }
  }

  const blocked = findings.some((f) => f.severity === 'error' || policy.failOn === 'warn');
  return {
    findings: sortFindings(findings),
    suppressed,
    failures,
    notes,
    summary: { mode: changes.mode, files: scanned, atoms: atoms.length, blocked, suppressed: suppressed.length, durationMs: 0 },
    atoms: atoms.map((a) => a.atom),
    levels: Object.fromEntries(atoms.map((a) => [a.atom.id, a.level])),
  };
}

/** A hit as a finding; `masked` is the hit's line with every secret masked. */
export function toFinding(active: ActiveAtom, hit: Hit, masked: string, file: Pick<ChangedFile, 'path' | 'commit'>): Finding {
  const { atom } = active;
  const rule = atom.rules[hit.rule];
  return {
    atom: atom.id,
    rule: `${atom.id}/${hit.rule}`,
    severity: active.level === 'block' && hit.severity !== 'warning' ? 'error' : 'warning',
    file: file.path,
    line: hit.line,
    column: hit.column,
    ...(hit.endLine && hit.endLine !== hit.line ? { endLine: hit.endLine } : {}),
    message: hit.message ?? rule?.message ?? atom.criteria.fail,
    criterion: atom.criteria.fail,
    ...(rule?.fix ? { fix: rule.fix } : {}),
    excerpt: excerpt(masked, hit.column),
    ...(file.commit ? { commit: file.commit } : {}),
  };
}

export function sourceFile(file: Pick<ChangedFile, 'path' | 'allAdded' | 'added'>, text: string): SourceFile {
  let lines: string[] | undefined;
  let starts: number[] | undefined;
  let added: Set<number> | undefined;
  let parsed: Promise<Parsed> | undefined;
  let ready: Parsed | undefined;
  return {
    path: file.path,
    text,
    allAdded: file.allAdded,
    added: file.added,
    lines: () => (lines ??= splitLines(text)),
    isAdded: (n) => file.allAdded || (added ??= new Set(file.added)).has(n),
    position: (offset) => positionAt((starts ??= lineStarts(text)), offset),
    // Parsed once for all atoms, and only when one asks: the parser is loaded lazily.
    ast: () => (parsed ??= import('./ast/parse.js').then((m) => m.parseModule(file.path, text)).then((p) => (ready = p))),
    parsedNow: () => ready,
  };
}

/** Most severe first, then by file and line, so the first thing a reader sees is what blocks. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.atom.localeCompare(b.atom) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column,
  );
}
