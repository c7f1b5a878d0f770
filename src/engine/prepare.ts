/**
 * A changed file made ready for its checks: decoded, routed by keywords, the
 * results already known for its content looked up, its atoms loaded, and
 * parsed when a check wants the parse before it is called (so code atoms
 * analyse synchronously, inside their time budget).
 */
import type { LinguistKind } from '../changeset/attributes.js';
import type { ChangedFile } from '../changeset/changeset.js';
import { decode } from '../changeset/text.js';
import { wantsParse, type AnyAtom, type ProjectView, type SourceFile } from '../kit/atom.js';
import { routeByKeywords, type ActiveAtom } from '../router.js';
import { generatedKind, isMinified } from './generated.js';
import type { Key, ResultCache, Stored } from './result-cache.js';
import type { SourceFiles } from './source-file.js';

export interface Prepared {
  file: ChangedFile;
  text: string | null;
  source: SourceFile;
  project: ProjectView;
  /** Atoms to run on the file. */
  runnable: Array<ActiveAtom & { atom: AnyAtom }>;
  /** Atoms whose result on this very content is known from an earlier run (loaded when that result has hits). */
  known: Array<{ active: ActiveAtom; stored: Stored }>;
}

export interface Preparing {
  maxFileBytes: number;
  sources: SourceFiles;
  resultCache: ResultCache | null;
  keyOf: (file: ChangedFile, active: ActiveAtom) => Key | null;
  /** Called once per file: its text, or why it was skipped. */
  decoded: (file: ChangedFile, skipped?: string) => void;
  /** Called for a machine-made file whose parsing checks were left out (generated.ts). */
  generated: (file: ChangedFile, kind: string) => void;
  /** How the base's .gitattributes classify the file (src/changeset/attributes.ts), if they do. */
  linguist: (file: ChangedFile) => LinguistKind | undefined;
}

export async function prepare(
  file: ChangedFile,
  bytes: Buffer,
  pathAtoms: ActiveAtom[],
  how: Preparing,
): Promise<Prepared> {
  const decoded = decode(bytes, how.maxFileBytes, file.path);
  const text = 'text' in decoded ? decoded.text : null;
  how.decoded(file, 'skip' in decoded ? decoded.skip : undefined);
  // A skipped file (binary, too large) is still judged by atoms that need only its name: a committed keystore.
  const routedAtoms = text === null ? pathAtoms.filter((a) => a.checksSkipped) : routeByKeywords(pathAtoms, text);
  let known: Prepared['known'] = [];
  const toRun = routedAtoms.filter((active) => {
    const key = how.resultCache && text !== null ? how.keyOf(file, active) : null;
    const stored = key && how.resultCache!.get(key);
    if (stored) known.push({ active, stored });
    return !stored;
  });
  // An atom whose known result is empty is not even loaded.
  await Promise.all(
    [...toRun, ...known.filter((k) => k.stored.hits.length).map((k) => k.active)].map((a) => a.atom ?? a.load()),
  );
  let runnable = toRun as Array<ActiveAtom & { atom: AnyAtom }>; // loaded just above
  let source = how.sources.changed(file, text ?? '');
  // A minified, generated or vendored file gets the checks that read text, not those that parse it.
  const marked = text === null ? undefined : how.linguist(file);
  if (marked) {
    // Marked so in the .gitattributes the change starts from (as trusted as its policy): treated as minified.
    const parses = (active: ActiveAtom) => !!active.atom && wantsParse(active.atom.check, source);
    if (runnable.some(parses) || known.some((k) => parses(k.active)))
      how.generated(file, `linguist-${marked} in .gitattributes`);
    runnable = runnable.filter((a) => !parses(a));
    known = known.filter((k) => !parses(k.active));
  } else if (text !== null && runnable.some((a) => wantsParse(a.atom.check, source))) {
    // Looked at only when something would parse it: not a lockfile's 800 kB, nor a file whose results are cached.
    const kind = generatedKind(text);
    if (kind && isMinified(text)) {
      runnable = runnable.filter((a) => !wantsParse(a.atom.check, source));
      how.generated(file, kind);
    } else if (kind) {
      // Only a banner or a source-map line says so, which anyone can write: the reduced line checks still read it.
      const reason = `it says it is ${kind} (a banner or a source-map line) but is written in ordinary lines, so it was not parsed`;
      source = how.sources.changed(file, text, { ok: false, reason, incomplete: true });
    }
  }
  const prepared = { file, text, source, project: how.sources.project(file.commit), runnable, known };
  await parseIfWanted(prepared);
  return prepared;
}

/** Parses the file now when one of its checks is marked `parsesFirst` for it. */
export async function parseIfWanted(p: Prepared): Promise<void> {
  if (p.text !== null && p.runnable.some((a) => wantsParse(a.atom.check, p.source)))
    await p.source.ast().catch(() => {});
}
