/**
 * Files larger than `maxFileBytes` are never read whole, and never skipped
 * silently: the secrets atom reads them streamed, a segment at a time
 * (changeset/segments.ts; the atom's `stream`, which reports what its `check`
 * reports on the whole file), so memory stays bounded whatever their size; the
 * other atoms, which need the whole file (a parse), are skipped with a note.
 * Atoms that judge a file by its name alone (a committed keystore) still do.
 * When git could not say which lines are new (a modified file too large to
 * diff), a secret counts as new when the old version does not hold the same
 * line: removing or keeping an old key never blocks, adding one does.
 */
import type { ChangedFile, ChangeSet } from '../changeset/changeset.js';
import { textSegments } from '../changeset/segments.js';
import { formatBytes } from '../changeset/text.js';
import { filterHits, type Filtered, type Filtering } from '../filter.js';
import type { AnyAtom, CheckContext, FileSegment, Hit } from '../kit/atom.js';
import type { ActiveAtom } from '../router.js';
import { sourceFile } from './source-file.js';

/** The atom that can read a file in segments: what it finds is on one line or a few. */
const STREAMED_ATOM = 'secrets';

export interface Oversized {
  file: ChangedFile;
  size: number;
  atoms: ActiveAtom[];
}

export interface Streaming {
  changes: Pick<ChangeSet, 'stream'>;
  maxFileBytes: number;
  context: (file: ChangedFile, active: ActiveAtom) => CheckContext<unknown>;
  filtering: Filtering;
  /** Lists the file as checked only in part: `reason` groups alike files, `text` is the note. */
  skip: (file: string, reason: string, text: string) => void;
}

/** Checks one file over `maxFileBytes`: secrets streamed, name-only checks, and a note saying what was skipped. */
export async function checkOversized(big: Oversized, how: Streaming, out: Filtered): Promise<void> {
  const { file, size, atoms } = big;
  const streamed = atoms.find((a) => a.id === STREAMED_ATOM);
  const skipped = atoms.filter((a) => a !== streamed).map((a) => a.id);
  const reason = streamed ? 'over maxFileBytes, scanned for secrets only' : 'over maxFileBytes, not read';
  how.skip(
    file.path,
    reason,
    `${file.path}: larger than maxFileBytes (${formatBytes(size)} > ${formatBytes(how.maxFileBytes)}): ` +
      (streamed ? 'scanned for secrets, streamed' : 'not read') +
      (skipped.length ? `; ${skipped.join(', ')} skipped` : ''),
  );
  const hits: Array<{ active: ActiveAtom; hit: Hit }> = [];
  for (const active of atoms.filter((a) => a.checksSkipped && a !== streamed)) {
    const atom = await active.load();
    for (const hit of atom.checkSkipped!({ path: file.path }, how.context(file, active))) hits.push({ active, hit });
  }
  if (hits.length) await filterHits(sourceFile(file, ''), file, hits, how.filtering, out);
  if (!streamed) return;

  const atom = await streamed.load();
  const context = how.context(file, streamed);
  // Without line numbers from git, what the old version already held is not new.
  const old =
    file.linesUnknown && file.oldBlob
      ? await linesWithHits(atom, { ...file, blob: file.oldBlob, allAdded: true }, how, context)
      : null;
  for await (const batch of readSegments(atom, file, how, context)) {
    const found = batch.hits
      .filter((hit) => !old?.has(`${hit.rule}\0${batch.part.source.line(hit.line) ?? ''}`))
      .map((hit) => ({ active: streamed, hit }));
    if (!found.length) continue;
    // Filtered on the segment (its lines are what the excerpt and a suppression comment are read from), then placed in the file.
    const placed: Filtered = { findings: [], suppressed: [] };
    await filterHits(batch.part.source, file, found, how.filtering, placed);
    for (const item of [...placed.findings, ...placed.suppressed]) {
      if (item.line === 1) item.column += batch.part.firstColumn;
      item.line += batch.part.firstLine - 1;
      if (item.endLine) item.endLine += batch.part.firstLine - 1;
    }
    out.findings.push(...placed.findings);
    out.suppressed.push(...placed.suppressed);
  }
}

/** The atom's hits on a version of the file, read a segment at a time; each batch's lines count from its segment. */
async function* readSegments(
  atom: AnyAtom,
  version: ChangedFile,
  how: Streaming,
  context: CheckContext<unknown>,
): AsyncGenerator<{ part: FileSegment; hits: Hit[] }> {
  const reader = atom.stream!(version, context);
  for await (const segment of textSegments(how.changes.stream(version))) {
    const added = version.allAdded ? [] : version.added.map((n) => n - segment.firstLine + 1).filter((n) => n >= 1);
    const source = sourceFile({ path: version.path, allAdded: version.allAdded, added }, segment.text);
    yield* reader.segment({
      source,
      firstLine: segment.firstLine,
      firstColumn: segment.firstColumn,
      owned: segment.owned,
      overlap: segment.overlap,
    });
  }
  yield* reader.end();
}

/** The lines of a version of the file that hold a hit, each as `rule\0line`. */
async function linesWithHits(
  atom: AnyAtom,
  version: ChangedFile,
  how: Streaming,
  context: CheckContext<unknown>,
): Promise<Set<string>> {
  const lines = new Set<string>();
  for await (const { part, hits } of readSegments(atom, version, how, context))
    for (const hit of hits) lines.add(`${hit.rule}\0${part.source.line(hit.line) ?? ''}`);
  return lines;
}
