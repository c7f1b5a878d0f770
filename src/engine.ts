/**
 * The pipeline of DESIGN §3: git → ChangeSet → Router → Checks → Findings →
 * Filter → Report. Reporters and exit codes are the CLI's business.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { wantsParse, type AnyAtom, type Hit, type ProjectView, type SourceFile } from './atoms/atom.js';
import { Budgets } from './budget.js';
import { observe, ResultCache, type Stored } from './result-cache.js';
import type { Parsed } from './ast/parse.js';
import { atomHeaders, loadAtom } from './atoms/registry.js';
import { useCompiledGlobs } from './globs.js';
import { secretSpans } from './atoms/secrets.js';
import { collectChangeSet, type ChangedFile, type ChangeSet, type ChangeSetRequest } from './changeset/changeset.js';
import { projectView } from './changeset/project.js';
import { UsageError } from './errors.js';
import { suppressionFor, touchesAddedLine } from './filter.js';
import type { AtomFailure, Finding, Report, Suppressed } from './findings.js';
import { findRoot } from './git/git.js';
import { timing } from './timing.js';
import { loadJudge } from './policy/load.js';
import type { CommandCheck, Policy } from './policy/policy.js';
import type { Baseline, LocatedFinding } from './baseline.js';
import { activate, headerOf, routeByKeywords, routeByPath, type ActiveAtom, type AtomHeader } from './router.js';
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
  /** Put every selected atom in the report, loaded (see CheckSettings.allAtoms). */
  allAtoms?: boolean;
  /** Reuse what atoms found in file contents already checked (default true; see src/result-cache.ts). */
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
        : (await import('./baseline.js')).parseBaseline(judge.baseline.file, judge.baseline.text);
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

/** The atoms to run: enabled in the policy, narrowed by --atoms or --skill. None is loaded yet. */
export async function selectAtoms(policy: Policy, options: Pick<RunOptions, 'atoms' | 'skill'>): Promise<ActiveAtom[]> {
  const { headers, globs } = await atomHeaders();
  useCompiledGlobs(globs);
  useCompiledGlobs(policy.globs);
  type Candidate = {
    header: AtomHeader;
    load: () => Promise<AnyAtom>;
    level: 'block' | 'warn' | 'off';
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
    const { customAtom } = await import('./atoms/custom.js');
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
    const { findSkill } = await import('./skills/skills.js');
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
    .filter((c) => (wanted ? wanted.includes(c.header.id) : c.level !== 'off'))
    .map((c) =>
      activate(c.header, c.load, c.level === 'off' ? 'warn' : c.level, c.options, c.files, [
        ...policy.ignore,
        ...(c.ignore ?? []),
      ]),
    );
}

/** A path given on the command line, relative to where ralph-guard runs (as git takes it), made relative to the root; pathspec magic (`:(glob)…`) is left as is. */
function fromRoot(root: string, cwd: string, path: string): string {
  if (path.startsWith(':')) return path;
  const inRoot = relative(root, resolve(cwd, path)).split(sep).join('/');
  if (inRoot === '..' || inRoot.startsWith('../') || isAbsolute(inRoot))
    throw new UsageError(`${path}: outside the repository (${root})`);
  return inRoot || '.';
}

/**
 * Files whose checks share one stoppable call: few enough bytes that their parses fit in memory
 * together (an AST is tens of times its source; 2 MB batches gave a 900 MB peak on a 50 MB commit, 500 kB 600 MB).
 */
const BATCH_FILES = 256;
const BATCH_BYTES = 500_000;
/** Files whose blobs are asked of git ahead of the one being prepared. */
const READ_AHEAD = 64;

export interface CheckSettings {
  online: boolean;
  /** The repository root (command checks run there). */
  root?: string;
  baseline?: Baseline | null;
  fingerprints?: boolean;
  commands?: boolean;
  /** Load every selected atom for the report, not only those that ran (SARIF lists all rules; the agent report shows secure patterns). */
  allAtoms?: boolean;
  /** Reuse and keep results of atoms on file contents (src/result-cache.ts). */
  resultCache?: boolean;
}

/** Runs the routed atoms over every file of the change set and filters what they find. */
export async function checkChangeSet(
  changes: ChangeSet,
  atoms: ActiveAtom[],
  policy: Policy,
  settings: CheckSettings,
): Promise<Report> {
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
  // One parse per file content for the whole run, whether the file is in the change or only read by an atom through the project view.
  const parse = parseCache();
  // The repository around the change, per commit (push and range mode). A view costs nothing until an atom asks it something;
  // only then does git list the repository, and only then do the change's own parses join the shared cache.
  let projectUsed = false;
  const around = {
    tree: (commit?: string) => ((projectUsed = true), changes.tree(commit)),
    read: changes.read,
    readPath: changes.readPath,
  };
  const projects = new Map<string, ProjectView>();
  const projectFor = (commit: string | undefined) => {
    let view = projects.get(commit ?? '');
    if (!view) {
      view = projectView(around, commit, {
        maxFileBytes: policy.maxFileBytes,
        ignore: policy.ignore,
        source: (entry, text) =>
          sourceFile({ path: entry.path, allAdded: false, added: [] }, text, () => parse(entry.blob, entry.path, text)),
      });
      projects.set(commit ?? '', view);
    }
    return view;
  };

  const routed = changes.files
    .map((file) => ({ file, atoms: routeByPath(atoms, file.path) }))
    .filter((r) => r.atoms.length > 0);
  // git streams the blobs a little ahead of the checks (not all at once: a commit of 50 MB would sit in memory).
  const contents: Array<Promise<Buffer | null | Error>> = [];
  const readAhead = (upTo: number) => {
    for (let i = contents.length; i < Math.min(upTo, routed.length); i++)
      contents.push(changes.read(routed[i]!.file).catch((e: unknown) => e as Error));
  };

  const budgets = new Budgets(policy.atomTimeoutMs);
  const resultCache = settings.resultCache ? ResultCache.open() : null;
  const customIds = new Set(policy.custom.map((c) => c.id));
  const cacheKey = (file: ChangedFile, active: ActiveAtom) =>
    file.blob && ResultCache.eligible(active.id, customIds.has(active.id))
      ? {
          atom: active.id,
          options: active.options,
          path: file.path,
          blob: file.blob,
          allAdded: file.allAdded,
          added: file.added,
        }
      : null;
  interface Prepared {
    file: ChangedFile;
    text: string | null;
    source: SourceFile;
    project: ProjectView;
    /** Atoms to run on the file. */
    runnable: Array<ActiveAtom & { atom: AnyAtom }>;
    /** Atoms whose result on this very content is known from an earlier run (loaded when that result has hits). */
    known: Array<{ active: ActiveAtom; stored: Stored }>;
  }
  // Parsed before the checks are called, so code atoms analyse synchronously, inside their time budget.
  const parseIfWanted = async (p: Prepared) => {
    if (p.text !== null && p.runnable.some((a) => wantsParse(a.atom.check, p.source)))
      await p.source.ast().catch(() => {});
  };
  /** A file ready for its checks: decoded, routed by keywords, its atoms loaded, and parsed when a check wants the parse. */
  const prepare = async (file: ChangedFile, bytes: Buffer, pathAtoms: ActiveAtom[]): Promise<Prepared> => {
    const decoded = decode(bytes, policy.maxFileBytes);
    const text = 'text' in decoded ? decoded.text : null;
    if ('skip' in decoded) notes.push(`${file.path}: skipped, ${decoded.skip}`);
    else scanned++;
    // A skipped file (binary, too large) is still judged by atoms that need only its name: a committed keystore.
    const routedAtoms = text === null ? pathAtoms.filter((a) => a.checksSkipped) : routeByKeywords(pathAtoms, text);
    const known: Prepared['known'] = [];
    const toRun = routedAtoms.filter((active) => {
      const key = resultCache && text !== null ? cacheKey(file, active) : null;
      const stored = key && resultCache!.get(key);
      if (stored) known.push({ active, stored });
      return !stored;
    });
    // An atom whose known result is empty is not even loaded.
    await Promise.all(
      [...toRun, ...known.filter((k) => k.stored.hits.length).map((k) => k.active)].map((a) => a.atom ?? a.load()),
    );
    const runnable = toRun as Array<ActiveAtom & { atom: AnyAtom }>; // loaded just above
    const source = sourceFile(file, text ?? '', () =>
      projectUsed ? parse(file.blob, file.path, text ?? '') : parseNow(file.path, text ?? ''),
    );
    const prepared = { file, text, source, project: projectFor(file.commit), runnable, known };
    await parseIfWanted(prepared);
    return prepared;
  };

  for (let next = 0; next < routed.length; ) {
    // A batch of files whose checks run in one stoppable call (see budget.ts).
    const batch: Prepared[] = [];
    for (let size = 0; next < routed.length && batch.length < BATCH_FILES && size < BATCH_BYTES; next++) {
      const { file, atoms: pathAtoms } = routed[next]!;
      readAhead(next + READ_AHEAD);
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
    const tasks = batch.flatMap((prepared) =>
      prepared.runnable.map((active) => ({
        atom: active.id,
        file: prepared.file.path,
        prepared,
        active,
        watched: undefined as ReturnType<typeof observe> | undefined,
      })),
    );
    const outcomes = await budgets.runTasks(
      tasks,
      (task) => {
        const {
          prepared: { file, text, source, project },
          active,
        } = task;
        const full = {
          options: active.options,
          mode: changes.mode,
          online: settings.online,
          note,
          project,
          readOld: async () => decodeText(file.oldBlob ? await changes.readBlob(file.oldBlob) : null),
          changes: (path: string) => changedPaths.has(path),
        };
        // Watched when the result may be kept: what the check reads decides whether it can be.
        if (resultCache && text !== null && cacheKey(file, active)) task.watched = observe(full);
        const context = task.watched?.context ?? full;
        const began = timing.enabled ? performance.now() : 0;
        const hits = text === null ? active.atom.checkSkipped!(source, context) : active.atom.check(source, context);
        if (timing.enabled) timing.add(active.id, performance.now() - began);
        return hits;
      },
      // A stopped check may have left the file's shared state (its parse) half-built: the next checks get a fresh one.
      async ({ prepared }) => {
        const { file, text } = prepared;
        prepared.source = sourceFile(file, text ?? '', () => parseNow(file.path, text ?? ''));
        await parseIfWanted(prepared);
      },
    );

    // Results to keep, then results known from earlier runs, which count as if they had just run.
    outcomes.forEach((outcome, i) => {
      const { prepared, active, watched } = tasks[i]!;
      const key =
        outcome.kind === 'done' && watched && !watched.readBeyondFile() ? cacheKey(prepared.file, active) : null;
      if (key && outcome.kind === 'done') resultCache!.put(key, { hits: outcome.value, notes: watched!.notes });
    });
    resultCache?.flush();
    const results = [
      ...outcomes.map((outcome, i) => ({ outcome, prepared: tasks[i]!.prepared, active: tasks[i]!.active })),
      ...batch.flatMap((prepared) =>
        prepared.known.map(({ active, stored }) => {
          for (const text of stored.notes) note(text);
          return {
            outcome: { kind: 'done' as const, value: stored.hits },
            prepared,
            active: active as ActiveAtom & { atom: AnyAtom },
          };
        }),
      ),
    ];

    const located = new Map<Prepared, LocatedFinding[]>();
    results.forEach(({ outcome, prepared, active }) => {
      if (outcome.kind === 'stopped') return;
      if (outcome.kind === 'error') {
        const e = outcome.error;
        failures.push({
          atom: active.id,
          file: prepared.file.path,
          message: e instanceof Error ? e.message : String(e),
        });
        return;
      }
      const { file, source } = prepared;
      for (const hit of outcome.value) {
        if (!touchesAddedLine(source, hit.line, hit.endLine ?? hit.line) && !hit.flow?.some((n) => source.isAdded(n)))
          continue;
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
        if (suppression)
          suppressed.push({
            ...item.finding,
            suppression: { kind: 'inline', ...(suppression.reason ? { reason: suppression.reason } : {}) },
          });
        else open.push(item);
      }
      const inBaseline =
        settings.baseline && fingerprinting
          ? fingerprinting.baselined(settings.baseline, open, source.lines(), source.isAdded)
          : null;
      for (const { finding } of open) {
        if (inBaseline?.has(finding))
          suppressed.push({
            ...finding,
            suppression: { kind: 'baseline', reason: `accepted in ${settings.baseline!.file}` },
          });
        else findings.push(finding);
      }
    }
  }
  for (const out of budgets.exhausted()) {
    const seconds = budgets.limitMs / 1000;
    const rest = out.skipped ? `; it did not check ${out.skipped} more file${out.skipped === 1 ? '' : 's'}` : '';
    failures.push({
      atom: out.atom,
      file: out.file,
      message: `ran out of its ${seconds} s time budget and was stopped${rest}. Raise "atomTimeoutMs" in the policy, or exclude the file (ignore, or the atom's ignore)`,
    });
  }

  if (settings.commands !== false && settings.root) {
    const commandAtoms = atoms.flatMap((active) => {
      const def = policy.custom.find((c) => c.id === active.id);
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
    summary: {
      mode: changes.mode,
      files: scanned,
      atoms: atoms.length,
      blocked,
      suppressed: suppressed.length,
      durationMs: 0,
    },
    // Reports that list every rule (SARIF) or show secure patterns (agent) load all selected atoms; others need only those that ran.
    atoms: settings.allAtoms
      ? await Promise.all(atoms.map((a) => a.load()))
      : atoms.flatMap((a) => (a.atom ? [a.atom] : [])),
    levels: Object.fromEntries(atoms.map((a) => [a.id, a.level])),
  };
}

/** A hit as a finding; `masked` is the hit's line with every secret masked. */
export function toFinding(
  active: ActiveAtom,
  hit: Hit,
  masked: string,
  file: Pick<ChangedFile, 'path' | 'commit'>,
): Finding {
  const atom = active.atom!;
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

/** Loads the parser on first use and parses. */
const parseNow = (path: string, text: string): Promise<Parsed> =>
  import('./ast/parse.js').then((m) => {
    const began = timing.enabled ? performance.now() : 0;
    const parsed = m.parseModule(path, text);
    if (timing.enabled)
      void Promise.resolve(parsed).then(() =>
        timing.add('(parsing and scopes, counted inside the atoms too)', performance.now() - began),
      );
    return parsed;
  });

/** Parses by content (blob id and path), keeping the last few: a file read by an atom through the project view and changed too is parsed once. */
function parseCache(size = 8): (blob: string | null, path: string, text: string) => Promise<Parsed> {
  const recent = new Map<string, Promise<Parsed>>();
  return (blob, path, text) => {
    const key = `${blob ?? 'disk'}:${path}`;
    let parsed = recent.get(key);
    if (parsed) recent.delete(key);
    else parsed = parseNow(path, text);
    recent.set(key, parsed);
    if (recent.size > size) recent.delete(recent.keys().next().value!);
    return parsed;
  };
}

export function sourceFile(
  file: Pick<ChangedFile, 'path' | 'allAdded' | 'added'>,
  text: string,
  parse?: () => Promise<Parsed>,
): SourceFile {
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
    ast: () => (parsed ??= (parse ? parse() : parseNow(file.path, text)).then((p) => (ready = p))),
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
