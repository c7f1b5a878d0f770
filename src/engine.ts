/**
 * The pipeline of DESIGN §3: git → ChangeSet → Router → Checks → Findings →
 * Filter → Report. Reporters and exit codes are the CLI's business.
 */
import type { AnyAtom, Hit, ProjectView, SourceFile } from './atoms/atom.js';
import type { Parsed } from './ast/parse.js';
import { BUILTIN_ATOMS } from './atoms/registry.js';
import { secretSpans } from './atoms/secrets.js';
import { collectChangeSet, type ChangedFile, type ChangeSet, type ChangeSetRequest } from './changeset/changeset.js';
import { projectView } from './changeset/project.js';
import { UsageError } from './errors.js';
import { suppressionFor, touchesAddedLine } from './filter.js';
import type { AtomFailure, Finding, Report, Suppressed } from './findings.js';
import { findRoot } from './git/git.js';
import { loadPolicy } from './policy/load.js';
import type { Policy } from './policy/policy.js';
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
    const report = await checkChangeSet(changes, atoms, policy, { online: options.online ?? false });
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
    const skill = policy.skills[options.skill];
    if (!skill) throw new UsageError(`--skill ${options.skill}: no such skill; known: ${Object.keys(policy.skills).join(', ') || 'none'}`);
    wanted = skill.atoms;
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

/** Runs the routed atoms over every file of the change set and filters what they find. */
export async function checkChangeSet(changes: ChangeSet, atoms: ActiveAtom[], policy: Policy, settings: { online: boolean }): Promise<Report> {
  const findings: Finding[] = [];
  const suppressed: Suppressed[] = [];
  const failures: AtomFailure[] = [];
  const notes = [...changes.notes];
  const note = (text: string) => {
    if (!notes.includes(text)) notes.push(text);
  };
  let scanned = 0;

  // One parse per file content for the whole run, whether the file is in the change or only read by an atom through the project view.
  const parse = parseCache();
  // The repository around the change, per commit (push and range mode). A view costs nothing until an atom asks it something;
  // only then does git list the repository, and only then do the change's own parses join the shared cache.
  let projectUsed = false;
  const around = { tree: (commit?: string) => ((projectUsed = true), changes.tree(commit)), read: changes.read };
  const projects = new Map<string, ProjectView>();
  const projectFor = (commit: string | undefined) => {
    let view = projects.get(commit ?? '');
    if (!view) {
      view = projectView(around, commit, {
        maxFileBytes: policy.maxFileBytes,
        ignore: policy.ignore,
        source: (entry, text) => sourceFile({ path: entry.path, allAdded: false, added: [] }, text, () => parse(entry.blob, entry.path, text)),
      });
      projects.set(commit ?? '', view);
    }
    return view;
  };

  const routed = changes.files.map((file) => ({ file, atoms: routeByPath(atoms, file.path) })).filter((r) => r.atoms.length > 0);
  // Ask git for every blob up front: cat-file streams them while we check the first ones.
  const contents = routed.map((r) => changes.read(r.file).catch((e: unknown) => e as Error));

  for (let i = 0; i < routed.length; i++) {
    const { file, atoms: pathAtoms } = routed[i]!;
    const bytes = await contents[i]!;
    if (bytes instanceof Error) {
      failures.push({ atom: '*', file: file.path, message: bytes.message });
      continue;
    }
    if (bytes === null) continue;
    const decoded = decode(bytes, policy.maxFileBytes);
    if ('skip' in decoded) {
      notes.push(`${file.path}: skipped, ${decoded.skip}`);
      continue;
    }
    scanned++;
    const source = sourceFile(file, decoded.text, () => (projectUsed ? parse(file.blob, file.path, decoded.text) : parseNow(file.path, decoded.text)));
    const project = projectFor(file.commit);
    for (const active of routeByKeywords(pathAtoms, decoded.text)) {
      let hits: Hit[];
      try {
        hits = await active.atom.check(source, {
          options: active.options,
          mode: changes.mode,
          online: settings.online,
          note,
          project,
          readOld: async () => {
            const old = file.oldBlob ? await changes.readBlob(file.oldBlob) : null;
            if (!old) return null;
            const d = decode(old, policy.maxFileBytes);
            return 'text' in d ? d.text : null;
          },
        });
      } catch (e) {
        failures.push({ atom: active.atom.id, file: file.path, message: e instanceof Error ? e.message : String(e) });
        continue;
      }
      for (const hit of hits) {
        if (!touchesAddedLine(source, hit.line, hit.endLine ?? hit.line) && !hit.flow?.some((n) => source.isAdded(n))) continue;
        const finding = toFinding(active, hit, source, file);
        const suppression = suppressionFor(source, finding.rule, hit.line);
        if (suppression) suppressed.push({ ...finding, suppression: { kind: 'inline', ...(suppression.reason ? { reason: suppression.reason } : {}) } });
        else findings.push(finding);
      }
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
  };
}

function toFinding(active: ActiveAtom, hit: Hit, source: SourceFile, file: ChangedFile): Finding {
  const { atom } = active;
  const rule = atom.rules[hit.rule];
  const line = source.lines()[hit.line - 1] ?? '';
  return {
    atom: atom.id,
    rule: `${atom.id}/${hit.rule}`,
    severity: active.level === 'block' ? 'error' : 'warning',
    file: file.path,
    line: hit.line,
    column: hit.column,
    ...(hit.endLine && hit.endLine !== hit.line ? { endLine: hit.endLine } : {}),
    message: hit.message ?? rule?.message ?? atom.criteria.fail,
    criterion: atom.criteria.fail,
    ...(rule?.fix ? { fix: rule.fix } : {}),
    excerpt: excerpt(maskSpans(line, [...(hit.mask ?? []), ...secretSpans(file.path, line)]), hit.column),
    ...(file.commit ? { commit: file.commit } : {}),
  };
}

/** Loads the parser on first use and parses. */
const parseNow = (path: string, text: string): Promise<Parsed> => import('./ast/parse.js').then((m) => m.parseModule(path, text));

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

export function sourceFile(file: Pick<ChangedFile, 'path' | 'allAdded' | 'added'>, text: string, parse?: () => Promise<Parsed>): SourceFile {
  let lines: string[] | undefined;
  let starts: number[] | undefined;
  let added: Set<number> | undefined;
  let parsed: Promise<Parsed> | undefined;
  return {
    path: file.path,
    text,
    allAdded: file.allAdded,
    added: file.added,
    lines: () => (lines ??= splitLines(text)),
    isAdded: (n) => file.allAdded || (added ??= new Set(file.added)).has(n),
    position: (offset) => positionAt((starts ??= lineStarts(text)), offset),
    // Parsed once for all atoms, and only when one asks: the parser is loaded lazily.
    ast: () => (parsed ??= parse ? parse() : parseNow(file.path, text)),
  };
}

/** Most severe first, then by file and line, so the first thing a reader sees is what blocks. */
function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.atom.localeCompare(b.atom) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column,
  );
}
