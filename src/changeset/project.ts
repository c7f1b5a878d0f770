/**
 * The project view (`ProjectView`, src/kit/atom.ts) over a change set: the
 * repository listed through the change set's `tree()` on first use (the
 * index, a commit's tree, or the disk, as the mode says), blobs read through
 * the run's one `git cat-file --batch`, decoded as the engine decodes (binary
 * and over-size files read as null). Texts already read are kept for the
 * next question, up to a bound, so that several atoms asking about the same
 * modules cost one read each. Nothing here writes anything.
 */
import type { ProjectView, SourceFile } from '../kit/atom.js';
import { globMatcher } from '../globs.js';
import { decode, readLimit } from './text.js';
import { TooLarge } from '../git/git.js';
import type { ChangeSet, TreeEntry } from './changeset.js';

/** Texts kept for later questions, in characters; past this, a file is read again when asked again. */
const KEEP_CHARS = 32_000_000;
/** Files read at once by grep: enough to keep cat-file streaming, few enough to bound memory. */
const GREP_BATCH = 256;

export interface ProjectOptions {
  maxFileBytes: number;
  /** The policy's global ignore globs: ignored files are not part of the project either. */
  ignore: readonly string[];
  /**
   * Makes the SourceFile of a file; the engine's, so that parses are shared with the change's own files (by path and
   * content: a file read before any listing has no blob id).
   */
  source(entry: TreeEntry | { path: string; blob?: undefined }, text: string): SourceFile;
  /**
   * Answers `grep` instead of reading the files here: a worker thread of the pool asks the main thread, which reads
   * them once for every worker (src/engine/pool.ts).
   */
  grep?(globs: readonly string[], pattern: RegExp): Promise<string[]>;
}

export function projectView(
  changes: Pick<ChangeSet, 'tree' | 'read' | 'readPath'>,
  commit: string | undefined,
  options: ProjectOptions,
): ProjectView {
  const ignored = options.ignore.length ? globMatcher(options.ignore) : () => false;
  let listing: Promise<Map<string, TreeEntry>> | undefined;
  const entries = () =>
    (listing ??= changes
      .tree(commit)
      .then((list) => new Map(list.filter((e) => !ignored(e.path)).map((e) => [e.path, e]))));

  const texts = new Map<string, Promise<string | null>>();
  let kept = 0;
  const readEntry = (entry: TreeEntry | { path: string; blob?: undefined }): Promise<string | null> => {
    let text = texts.get(entry.path);
    if (text) return text;
    // A listed entry is read by its blob; a path asked for before any listing is read directly, without listing the repository.
    const bytes =
      entry.blob === undefined
        ? changes.readPath(entry.path, commit, readLimit(entry.path, options.maxFileBytes))
        : changes.read(entry, readLimit(entry.path, options.maxFileBytes));
    text = bytes.then((bytes) => {
      if (!bytes || bytes instanceof TooLarge) return null;
      const decoded = decode(bytes, options.maxFileBytes, entry.path);
      return 'text' in decoded ? decoded.text : null;
    });
    texts.set(entry.path, text);
    void text.then(
      (t) => {
        kept += t?.length ?? 0;
        if (kept > KEEP_CHARS) texts.delete(entry.path);
      },
      () => texts.delete(entry.path),
    );
    return text;
  };

  const files = async (globs: readonly string[]) => {
    const matches = globMatcher(globs);
    return [...(await entries()).keys()].filter((path) => matches(path));
  };
  const read = async (path: string) => {
    if (ignored(path)) return null;
    const entry = listing ? (await entries()).get(path) : { path };
    return entry ? readEntry(entry) : null;
  };

  return {
    files,
    read,
    async grep(globs, pattern) {
      if (options.grep) return options.grep(globs, pattern);
      const paths = await files(globs);
      const test = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
      const found: string[] = [];
      // A batch's requests are all written before its first answer is awaited, so cat-file streams them.
      for (let i = 0; i < paths.length; i += GREP_BATCH) {
        const batch = paths.slice(i, i + GREP_BATCH);
        const contents = await Promise.all(batch.map(read));
        batch.forEach((path, j) => {
          if (contents[j] != null && test.test(contents[j]!)) found.push(path);
        });
      }
      return found;
    },
    async source(path) {
      // Before any listing, read the path directly (a helper module a data-flow atom follows, src/kit/summaries.ts):
      // asking for one module must not list a 50,000-file repository.
      if (!listing) {
        const text = ignored(path) ? null : await readEntry({ path });
        return text === null ? null : options.source({ path }, text);
      }
      const entry = (await entries()).get(path);
      const text = entry ? await readEntry(entry) : null;
      return entry && text !== null ? options.source(entry, text) : null;
    },
  };
}
