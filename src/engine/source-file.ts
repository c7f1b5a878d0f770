/**
 * The source-file model an atom sees (`SourceFile`: text, lines, added lines,
 * the parse on demand) and, per run, one parse per file content, shared by the
 * change's own files and the files atoms read through the project view.
 */
import type { Parsed } from '../ast/parse.js';
import type { ChangedFile, ChangeSet } from '../changeset/changeset.js';
import { projectView } from '../changeset/project.js';
import { lineAt, lineStarts, positionAt, splitLines } from '../changeset/text.js';
import type { ProjectView, SourceFile } from '../kit/atom.js';
import type { Policy } from '../policy/policy.js';
import { timing } from '../timing.js';

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
    line: (n) => (lines ? lines[n - 1] : lineOf(text, (starts ??= lineStarts(text)), n)),
    isAdded: (n) => file.allAdded || (added ??= new Set(file.added)).has(n),
    position: (offset) => positionAt((starts ??= lineStarts(text)), offset),
    // Parsed once for all atoms, and only when one asks: the parser is loaded lazily.
    ast: () => (parsed ??= (parse ? parse() : parseNow(file.path, text)).then((p) => (ready = p))),
    parsedNow: () => ready,
  };
}

/** Line `n` (1-based) as splitLines gives it: a `\r` before the line's `\n` is not part of it. */
function lineOf(text: string, starts: readonly number[], n: number): string | undefined {
  const line = lineAt(text, starts, n);
  return line !== undefined && n < starts.length && line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Loads the parser on first use and parses. */
export const parseNow = (path: string, text: string): Promise<Parsed> =>
  import('../ast/parse.js').then((m) => {
    const began = timing.enabled ? performance.now() : 0;
    const parsed = m.parseModule(path, text);
    timing.count('parses');
    if (timing.enabled)
      void Promise.resolve(parsed).then(() =>
        timing.add('(parsing and scopes, counted inside the atoms too)', performance.now() - began),
      );
    return parsed;
  });

/**
 * Parses by path and content, keeping the last few: a file read by an atom through the project view and changed too
 * is parsed once, and so is a helper module that many files of the change call into (src/kit/summaries.ts).
 */
function parseCache(size = 8): (path: string, text: string) => Promise<Parsed> {
  const recent = new Map<string, { text: string; parsed: Promise<Parsed> }>();
  return (path, text) => {
    let kept = recent.get(path);
    recent.delete(path);
    // The same path with other content (another commit's version, or the file changed on disk): parsed again.
    if (kept?.text !== text) kept = { text, parsed: parseNow(path, text) };
    recent.set(path, kept);
    if (recent.size > size) recent.delete(recent.keys().next().value!);
    return kept.parsed;
  };
}

/** What the project views of a worker thread ask the main thread, which answers once for every worker (pool.ts). */
export interface SharedProject {
  grep(commit: string | undefined, globs: readonly string[], pattern: RegExp): Promise<string[]>;
}

/**
 * The source files of one run: the change's files and the project view around
 * them, per commit (push and range mode). A view costs nothing until an atom
 * asks it something; only then does git list the repository, and only then do
 * the change's own parses join the shared cache.
 */
export class SourceFiles {
  private readonly parse = parseCache();
  private projectUsed = false;
  private readonly projects = new Map<string, ProjectView>();

  constructor(
    private readonly changes: ChangeSet,
    private readonly policy: Pick<Policy, 'maxFileBytes' | 'ignore'>,
    /** Where a worker thread's project views get their `grep` answered (src/engine/pool.ts). */
    private readonly shared?: SharedProject,
  ) {}

  /** A changed file as its checks see it; `unparsed`: it is not given to the parser, its checks get this instead. */
  changed(file: ChangedFile, text: string, unparsed?: Parsed): SourceFile {
    return sourceFile(file, text, () =>
      unparsed ? Promise.resolve(unparsed) : this.projectUsed ? this.parse(file.path, text) : parseNow(file.path, text),
    );
  }

  /** A fresh model of the file, parse included: a stopped check may have left the shared one half-built. */
  fresh(file: ChangedFile, text: string): SourceFile {
    return sourceFile(file, text, () => parseNow(file.path, text));
  }

  /** The repository around the change, as of `commit` (the change's own side when undefined). */
  project(commit: string | undefined): ProjectView {
    let view = this.projects.get(commit ?? '');
    if (!view) {
      const around = {
        tree: (at?: string) => ((this.projectUsed = true), this.changes.tree(at)),
        read: this.changes.read,
        readPath: this.changes.readPath,
      };
      view = projectView(around, commit, {
        maxFileBytes: this.policy.maxFileBytes,
        ignore: this.policy.ignore,
        source: (entry, text) =>
          sourceFile({ path: entry.path, allAdded: false, added: [] }, text, () => this.parse(entry.path, text)),
        ...(this.shared ? { grep: (globs, pattern) => this.shared!.grep(commit, globs, pattern) } : {}),
      });
      this.projects.set(commit ?? '', view);
    }
    return view;
  }
}
