/**
 * The pipeline of DESIGN §3: git → ChangeSet → Router → Checks → Findings →
 * Filter → Report. Reporters and exit codes are the CLI's business. The steps
 * live in modules of their own: atom selection (select.ts), the source-file
 * model and parse cache (source-file.ts), preparing a file for its checks
 * (prepare.ts), batches under time budgets (batches.ts, budget.ts), the result
 * cache (result-cache.ts), and the Filter (../filter.ts).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Baseline } from '../baseline.js';
import { collectChangeSet, type ChangeSet, type ChangeSetRequest, type StagedListing } from '../changeset/changeset.js';
import { UsageError } from '../errors.js';
import type { Filtered, Filtering } from '../filter.js';
import type { AtomFailure, Finding, Report, Skip } from '../findings.js';
import { BlobReader, findRoot, looseObjectsDir } from '../git/git.js';
import { linguistMarks, type LinguistKind } from '../changeset/attributes.js';
import { loadJudge } from '../policy/load.js';
import type { CommandCheck, Policy } from '../policy/policy.js';
import { routeByPath, type ActiveAtom } from '../router.js';
import { timing } from '../timing.js';
import type { Routed } from './batches.js';
import type { Exhausted } from './budget.js';
import { analysisError, outOfTime, outOfTimeReason } from './analysis-error.js';
import { checkFiles, type Checking, type FileChecks } from './check-files.js';
import { POOL_MIN_FILES, workersSetting, type PoolRequest } from './pool-size.js';
import { selectAtoms, type Selection } from './select.js';

export interface RunOptions extends ChangeSetRequest, Selection {
  cwd: string;
  configFile?: string;
  /** Atoms may use the network (check --online). */
  online?: boolean;
  /** Drop findings the baseline file accepts (default true). */
  baseline?: boolean;
  /** Give every finding a fingerprint (SARIF, `ralph-guard baseline`). */
  fingerprints?: boolean;
  /** Run the policy's `command` checks (default true; the per-edit assistant hook skips them). */
  commands?: boolean;
  /** Put every selected atom in the report, loaded (see CheckSettings.allAtoms). */
  allAtoms?: boolean;
  /** Reuse what atoms found in file contents already checked (default true; see src/engine/result-cache.ts). */
  resultCache?: boolean;
  /** Whether a JavaScript policy may run (default true; `ralph-guard baseline` only reads). */
  runPrograms?: boolean;
}

export interface Run {
  root: string;
  policy: Policy;
  report: Report;
  /** What git listed of a staged change, for the review step of the same check (ChangeSet.stagedListing). */
  stagedListing?: StagedListing;
}

export async function run(options: RunOptions): Promise<Run> {
  const started = performance.now();
  timing.phase('engine loaded');
  const root = await findRoot(options.cwd);
  const paths = options.paths.map((path) => fromRoot(root, options.cwd, path));
  // One cat-file process reads the policy and the change's blobs (a commit pays for every process); the change set closes it.
  const reader = new BlobReader(root, looseObjectsDir(root));
  // The policy committed where the change starts judges it (src/policy/load.ts), never the change's own.
  const [judge, changes] = await Promise.all([
    loadJudge({
      cwd: options.cwd,
      root,
      configFile: options.configFile,
      request: { ...options, paths },
      runPrograms: options.runPrograms ?? true,
      reader,
    }).finally(() => timing.phase('policy loaded')),
    collectChangeSet(root, { ...options, paths }, reader).finally(() => timing.phase('change set listed')),
  ]).catch((error: unknown) => {
    reader.close();
    throw error;
  });
  try {
    const policy = judge.policy;
    const atoms = await selectAtoms(policy, options);
    const baseline =
      options.baseline === false || !judge.baseline
        ? null
        : (await import('../baseline.js')).parseBaseline(judge.baseline.file, judge.baseline.text);
    const report = await checkChangeSet(changes, atoms, policy, {
      online: options.online ?? false,
      root,
      baseline,
      fingerprints: options.fingerprints ?? false,
      allAtoms: options.allAtoms ?? false,
      commands: options.commands ?? true,
      resultCache: options.resultCache ?? true,
      attributesAt: judge.base,
      pool: {
        root,
        request: { ...options, paths }, // what the change set was listed with, so every worker lists the same
        selection: { atoms: options.atoms, skill: options.skill },
        workers: workersSetting(policy.workers ?? 'auto'),
      },
    });
    // What the change does to the policy and the baseline: a weakening blocks (src/policy/review.ts).
    report.findings.unshift(...judge.review.findings);
    report.notes.push(...judge.review.notes);
    if (judge.review.findings.length) report.summary.blocked = true;
    report.summary.durationMs = Math.round(performance.now() - started);
    timing.phase('checks done');
    return { root, policy, report, ...(changes.stagedListing ? { stagedListing: changes.stagedListing } : {}) };
  } finally {
    changes.close();
  }
}

/** A path given on the command line, relative to where ralph-guard runs (as git takes it), made relative to the root; pathspec magic (`:(glob)…`) is left as is. */
function fromRoot(root: string, cwd: string, path: string): string {
  if (path.startsWith(':')) return path;
  const inRoot = relative(root, resolve(cwd, path)).split(sep).join('/');
  if (inRoot === '..' || inRoot.startsWith('../') || isAbsolute(inRoot))
    throw new UsageError(`${path}: outside the repository (${root})`);
  return inRoot || '.';
}

export interface CheckSettings {
  online: boolean;
  /** The repository root (command checks run there). */
  root?: string;
  baseline?: Baseline | null;
  fingerprints?: boolean;
  commands?: boolean;
  /** Load every selected atom for the report, not only those that ran (SARIF lists all rules; the agent report shows secure patterns). */
  allAtoms?: boolean;
  /** Reuse and keep results of atoms on file contents (result-cache.ts). */
  resultCache?: boolean;
  /** Where a pool of worker threads finds the change set again (pool.ts); without it, one thread checks. */
  pool?: PoolRequest;
  /** The commit whose .gitattributes classify files as generated or vendored (attributes.ts); none: no file is. */
  attributesAt?: string | null;
}

/** Runs the routed atoms over every file of the change set and filters what they find. */
export async function checkChangeSet(
  changes: ChangeSet,
  atoms: ActiveAtom[],
  policy: Policy,
  settings: CheckSettings,
): Promise<Report> {
  const filtering = {
    fingerprinting: settings.baseline || settings.fingerprints ? await import('../baseline.js') : null,
    baseline: settings.baseline ?? null,
  };
  const routed = changes.files
    .map((file) => ({ file, atoms: routeByPath(atoms, file.path) }))
    .filter((r) => r.atoms.length > 0);
  const checking = {
    online: settings.online,
    resultCache: settings.resultCache ?? false,
    filtering,
    linguist: await linguistOf(changes, routed, settings.attributesAt),
  };
  // A large change set is spread over worker threads (pool.ts); the outcomes are the same either way.
  const pooled = settings.pool ? await checkInPool(changes, routed, policy, checking, settings.pool) : null;
  const checked = pooled ?? (await checkFiles(changes, routed, policy, checking));
  const { out, notes, skipped, scanned } = mergeOutcomes(changes, checked, atoms, policy);
  if (settings.commands !== false && settings.root)
    await runCommandAtoms(changes, atoms, policy, settings.root, filtering, out);

  return {
    findings: sortFindings(out.findings),
    suppressed: out.suppressed,
    failures: out.failures,
    notes,
    skipped,
    summary: {
      mode: changes.mode,
      files: scanned,
      atoms: atoms.length,
      blocked: out.findings.some((f) => f.severity === 'error' || policy.failOn === 'warn'),
      suppressed: out.suppressed.length,
      durationMs: 0,
    },
    // Reports that list every rule (SARIF) or show secure patterns (agent) load all selected atoms; others need only those that ran.
    atoms: settings.allAtoms
      ? await Promise.all(atoms.map((a) => a.load()))
      : atoms.flatMap((a) => (a.atom ? [a.atom] : [])),
    levels: Object.fromEntries(
      atoms.flatMap((a) => [
        [a.id, a.level],
        ...Object.entries(a.rules ?? {}).flatMap(([rule, level]) =>
          level === 'off' ? [] : [[`${a.id}/${rule}`, level]],
        ),
      ]),
    ),
  };
}

type Merged = Filtered & { failures: AtomFailure[] };

/**
 * The files' outcomes merged in the change set's order, whichever thread checked which file, so the report is the
 * same byte for byte; every check out of time becomes its file's analysis error; notes said once.
 */
function mergeOutcomes(
  changes: ChangeSet,
  { outcomes, exhausted }: FileChecks,
  atoms: ActiveAtom[],
  policy: Policy,
): { out: Merged; notes: string[]; skipped: Skip[]; scanned: number } {
  outcomes.sort((a, b) => a.index - b.index);
  const out: Merged = { findings: [], suppressed: [], failures: [] };
  const notes = [...changes.notes];
  const note = (text: string) => {
    if (!notes.includes(text)) notes.push(text);
  };
  // Files not checked, or only in part: listed in every report format.
  const skipped: Skip[] = [];
  for (const { file, reason } of changes.skipped) {
    skipped.push({ file, reason, note: `${file}: ${reason}` });
    note(`${file}: ${reason}`);
  }
  for (const outcome of outcomes) {
    if (outcome.skipped) skipped.push({ file: changes.files[outcome.index]!.path, ...outcome.skipped });
    out.findings.push(...outcome.findings);
    out.suppressed.push(...outcome.suppressed);
    out.failures.push(...outcome.failures);
    for (const text of outcome.notes) note(text);
  }
  for (const e of mergeExhausted(exhausted)) {
    out.failures.push(outOfTime(e, policy.atomTimeoutMs));
    const active = atoms.find((a) => a.id === e.atom);
    const file = changes.files.find((f) => f.path === e.file);
    if (active)
      out.findings.push(analysisError(active, file ?? { path: e.file }, outOfTimeReason(e, policy.atomTimeoutMs)));
  }
  const machineMade = outcomes.flatMap((o) => (o.machineMade ? [o.machineMade] : []));
  if (machineMade.length) notes.push(machineMadeNote(machineMade));
  return { out, notes, skipped, scanned: outcomes.filter((o) => o.scanned).length };
}

/** The policy's `command` checks (custom atoms that run a program), after the file checks. */
async function runCommandAtoms(
  changes: ChangeSet,
  atoms: ActiveAtom[],
  policy: Policy,
  root: string,
  filtering: Filtering,
  out: Merged,
): Promise<void> {
  const commandAtoms = atoms.flatMap((active) => {
    const def = policy.custom.find((c) => c.id === active.id);
    const checks = def?.checks.filter((c): c is CommandCheck => c.type === 'command') ?? [];
    return checks.length ? [{ active, checks }] : [];
  });
  if (!commandAtoms.length) return;
  const { runCommandChecks } = await import('../custom/command.js');
  await runCommandChecks(commandAtoms, changes, policy, root, filtering, out);
}

/** The pool, loaded only for a change set large enough to be worth it (most commits never load it). */
async function checkInPool(
  changes: ChangeSet,
  routed: Routed[],
  policy: Policy,
  checking: Checking,
  pool: PoolRequest,
): Promise<FileChecks | null> {
  if (pool.workers === 'auto' ? routed.length < POOL_MIN_FILES : pool.workers < 2) return null;
  return (await import('./pool.js')).checkInPool(changes, routed, policy, checking, pool);
}

/** The routed files the base's `.gitattributes` mark generated or vendored, read once for every thread. */
async function linguistOf(
  changes: ChangeSet,
  routed: Routed[],
  base: string | null | undefined,
): Promise<Record<string, LinguistKind>> {
  if (!base || !routed.length) return {};
  const marks = await linguistMarks(
    routed.map((r) => r.file.path),
    async (path) => {
      if (/[\n\r]/.test(path)) return null; // cat-file --batch reads one object name per line
      const bytes = await changes.readBlob(`${base}:${path}`, 1_000_000);
      return bytes instanceof Buffer ? bytes.toString('utf8') : null;
    },
  );
  return Object.fromEntries(marks);
}

/** One entry per atom and file out of time, whichever thread it ran out in, in a fixed order. */
function mergeExhausted(list: Exhausted[]): Exhausted[] {
  const byCheck = new Map<string, Exhausted>();
  for (const e of list) if (!byCheck.has(`${e.atom}\0${e.file}`)) byCheck.set(`${e.atom}\0${e.file}`, e);
  return [...byCheck.values()].sort((a, b) => a.atom.localeCompare(b.atom) || a.file.localeCompare(b.file));
}

/** One note for every minified, generated or vendored file, so what the code atoms did not read is in the report. */
function machineMadeNote(files: string[]): string {
  const shown = files.slice(0, 20).join(', ');
  const more = files.length > 20 ? ` and ${files.length - 20} more` : '';
  return `${files.length} machine-made file${files.length === 1 ? '' : 's'} (recognised by content, or marked linguist-generated/-vendored in the .gitattributes the change starts from) got the text checks (secrets, dependencies, custom patterns) but not the code atoms, which parse: ${shown}${more}`;
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
