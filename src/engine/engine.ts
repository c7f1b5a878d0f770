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
import { collectChangeSet, type ChangeSet, type ChangeSetRequest } from '../changeset/changeset.js';
import { UsageError } from '../errors.js';
import { filterHits, type Filtered } from '../filter.js';
import type { AtomFailure, Finding, Report } from '../findings.js';
import { findRoot } from '../git/git.js';
import type { Hit } from '../kit/atom.js';
import { loadJudge } from '../policy/load.js';
import type { CommandCheck, Policy } from '../policy/policy.js';
import { routeByPath, type ActiveAtom } from '../router.js';
import { decode } from '../changeset/text.js';
import { timing } from '../timing.js';
import { batches, runBatch } from './batches.js';
import { Budgets, type Exhausted } from './budget.js';
import { prepare, type Prepared } from './prepare.js';
import { ResultCache, resultKey } from './result-cache.js';
import { selectAtoms, type Selection } from './select.js';
import { SourceFiles } from './source-file.js';
import { plural } from '../words.js';

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
}

export async function run(options: RunOptions): Promise<Run> {
  const started = performance.now();
  timing.phase('engine loaded');
  const root = await findRoot(options.cwd);
  const paths = options.paths.map((path) => fromRoot(root, options.cwd, path));
  // The policy committed where the change starts judges it (src/policy/load.ts), never the change's own.
  const [judge, changes] = await Promise.all([
    loadJudge({
      cwd: options.cwd,
      root,
      configFile: options.configFile,
      request: { ...options, paths },
      runPrograms: options.runPrograms ?? true,
    }).finally(() => timing.phase('policy loaded')),
    collectChangeSet(root, { ...options, paths }).finally(() => timing.phase('change set listed')),
  ]);
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
    });
    // What the change does to the policy and the baseline: a weakening blocks (src/policy/review.ts).
    report.findings.unshift(...judge.review.findings);
    report.notes.push(...judge.review.notes);
    if (judge.review.findings.length) report.summary.blocked = true;
    report.summary.durationMs = Math.round(performance.now() - started);
    timing.phase('checks done');
    return { root, policy, report };
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
}

/** Runs the routed atoms over every file of the change set and filters what they find. */
export async function checkChangeSet(
  changes: ChangeSet,
  atoms: ActiveAtom[],
  policy: Policy,
  settings: CheckSettings,
): Promise<Report> {
  const out: Filtered & { failures: AtomFailure[] } = { findings: [], suppressed: [], failures: [] };
  const notes = [...changes.notes];
  const note = (text: string) => {
    if (!notes.includes(text)) notes.push(text);
  };
  let scanned = 0;
  const filtering = {
    fingerprinting: settings.baseline || settings.fingerprints ? await import('../baseline.js') : null,
    baseline: settings.baseline ?? null,
  };
  const sources = new SourceFiles(changes, policy);
  const budgets = new Budgets(policy.atomTimeoutMs);
  const resultCache = settings.resultCache ? ResultCache.open() : null;
  const customIds = new Set(policy.custom.map((c) => c.id));
  const keyOf = (file: Prepared['file'], active: ActiveAtom) => resultKey(file, active, customIds.has(active.id));
  const changedPaths = new Set(changes.files.map((f) => f.path));
  const context = ({ file, project }: Prepared, active: ActiveAtom) => ({
    options: active.options,
    mode: changes.mode,
    online: settings.online,
    note,
    project,
    readOld: async () => decodeText(file.oldBlob ? await changes.readBlob(file.oldBlob) : null, policy.maxFileBytes),
    changes: (path: string) => changedPaths.has(path),
  });

  const routed = changes.files
    .map((file) => ({ file, atoms: routeByPath(atoms, file.path) }))
    .filter((r) => r.atoms.length > 0);
  const prepared = batches(
    routed,
    changes.read,
    (file, bytes, pathAtoms) =>
      prepare(file, bytes, pathAtoms, {
        maxFileBytes: policy.maxFileBytes,
        sources,
        resultCache,
        keyOf,
        decoded: (file, skipped) => (skipped ? notes.push(`${file.path}: skipped, ${skipped}`) : scanned++),
      }),
    (file, error) => out.failures.push({ atom: '*', file: file.path, message: error.message }),
  );
  for await (const batch of prepared) {
    const results = await runBatch(batch, { budgets, sources, context, resultCache, keyOf, note });
    const hitsOf = new Map<Prepared, Array<{ active: ActiveAtom; hit: Hit }>>();
    for (const { outcome, prepared, active } of results) {
      if (outcome.kind === 'error') {
        const e = outcome.error;
        out.failures.push({
          atom: active.id,
          file: prepared.file.path,
          message: e instanceof Error ? e.message : String(e),
        });
      }
      if (outcome.kind !== 'done') continue;
      const list = hitsOf.get(prepared) ?? [];
      for (const hit of outcome.value) list.push({ active, hit });
      hitsOf.set(prepared, list);
    }
    for (const [{ source, file }, hits] of hitsOf) filterHits(source, file, hits, filtering, out);
  }
  out.failures.push(...budgets.exhausted().map((exhausted) => outOfTime(exhausted, budgets.limitMs)));

  if (settings.commands !== false && settings.root) {
    const commandAtoms = atoms.flatMap((active) => {
      const def = policy.custom.find((c) => c.id === active.id);
      const checks = def?.checks.filter((c): c is CommandCheck => c.type === 'command') ?? [];
      return checks.length ? [{ active, checks }] : [];
    });
    if (commandAtoms.length) {
      const { runCommandChecks } = await import('../custom/command.js');
      await runCommandChecks(commandAtoms, changes, policy, settings.root, filtering, out);
    }
  }

  return {
    findings: sortFindings(out.findings),
    suppressed: out.suppressed,
    failures: out.failures,
    notes,
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
    levels: Object.fromEntries(atoms.map((a) => [a.id, a.level])),
  };
}

function decodeText(bytes: Buffer | null, maxFileBytes: number): string | null {
  if (!bytes) return null;
  const d = decode(bytes, maxFileBytes);
  return 'text' in d ? d.text : null;
}

function outOfTime(out: Exhausted, limitMs: number): AtomFailure {
  const rest = out.skipped ? `; it did not check ${plural(out.skipped, 'more file')}` : '';
  return {
    atom: out.atom,
    file: out.file,
    message: `ran out of its ${limitMs / 1000} s time budget and was stopped${rest}. Raise "atomTimeoutMs" in the policy, or exclude the file (ignore, or the atom's ignore)`,
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
