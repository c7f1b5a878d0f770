/**
 * File-level controls judged on the new state (DESIGN §9.3). Line
 * findings count only on added lines, but deleting `app.use(helmet())`,
 * `algorithms: ['HS256']` or a `..` guard before `sendFile` adds no line at
 * all. So for a file that existed before the change, the atoms that judge a
 * file or an app as a whole are compared between the old and the new
 * content: a finding of the new content (off the added lines) that the old
 * content did not have is the change's doing, and is reported even though
 * no line was added. Findings are matched by rule and line text, so code
 * that only moved is not reported. Only a change that leaves fewer control
 * words in the file (CONTROL_WORDS) is compared, so other edits cost nothing.
 */
import type { ChangedFile } from '../changeset/changeset.js';
import { touchesAddedLine } from '../filter.js';
import type { CheckContext, Hit, SourceFile } from '../kit/atom.js';
import type { ActiveAtom } from '../router.js';
import type { Budgets } from './budget.js';
import { sourceFile } from './source-file.js';

/** The atoms whose findings can appear because lines were deleted: they judge a file or an app as a whole. */
export const WHOLE_FILE_ATOMS: ReadonlySet<string> = new Set([
  'security-headers',
  'jwt',
  'cors',
  'cookies',
  'csrf',
  'rate-limiting',
  'file-upload',
  'tls',
  'path-traversal',
]);

/**
 * Words of the controls these atoms look for. Only a change that leaves fewer of them in a file than it had is
 * judged whole: an ordinary edit of a route file costs nothing more (no second run, no project listing).
 */
const CONTROL_WORDS =
  /helmet|contentSecurityPolicy|hsts|frameguard|nosniff|x-powered-by|algorithms|audience|issuer|maxAge|expiresIn|cors|origin|credentials|csrf|csurf|xsrf|rate-?limit|limiter|slowDown|throttle|limits|fileSize|fileFilter|rejectUnauthorized|minVersion|secureProtocol|ciphers|httpOnly|secure|sameSite|signed|startsWith|normalize|resolve|relative|basename|realpath|\.\./gi;

const controlWords = (text: string) => text.match(CONTROL_WORDS)?.length ?? 0;

export interface RemovedControls {
  budgets: Budgets;
  /** The old content of a file, decoded; null when there is none or it cannot be read as text. */
  oldText(file: ChangedFile): Promise<string | null>;
  context(active: ActiveAtom): CheckContext<unknown>;
}

/**
 * Whole-file findings of the new content of `source` (off its added lines) that its old content did not have,
 * marked `removedControl` (the finding's message then says so). Both versions are judged whole (as if every line were
 * added: some atoms look only at the parts of an app a change edits), the old one only when the new one has such
 * a finding; each check under the run's time budgets.
 */
export async function removedControls(
  source: SourceFile,
  file: ChangedFile,
  atoms: readonly ActiveAtom[],
  /** What the atoms found on the change as usual: a finding reported there is not reported again. */
  usual: ReadonlyArray<{ active: ActiveAtom; hit: Hit }>,
  how: RemovedControls,
): Promise<Array<{ active: ActiveAtom; hit: Hit }>> {
  if (file.allAdded || !file.oldBlob) return [];
  const judged = atoms.filter((a) => WHOLE_FILE_ATOMS.has(a.id));
  if (!judged.length) return [];
  const oldText = await how.oldText(file);
  if (oldText === null || controlWords(oldText) <= controlWords(source.text)) return [];
  // Loaded only now: most edits keep their controls, and a result known from the cache needs no atom module.
  await Promise.all(judged.map((a) => a.atom ?? a.load()));
  const whole = sourceFile({ path: file.path, allAdded: true, added: [] }, source.text, () => source.ast());
  await whole.ast().catch(() => {});
  let old: SourceFile | undefined;
  const out: Array<{ active: ActiveAtom; hit: Hit }> = [];
  for (const active of judged) {
    // Hits that touch the added lines (or whose data flows through them) are the change's anyway: reported as usual.
    const touches = (hit: Hit) =>
      touchesAddedLine(source, hit.line, hit.endLine ?? hit.line) || !!hit.flow?.some((n) => source.isAdded(n));
    const reported = new Set(
      usual.filter((u) => u.active.id === active.id && touches(u.hit)).map((u) => `${u.hit.rule}:${u.hit.line}`),
    );
    const now = (await judge(active, whole, file.path, how)).filter(
      (hit) => !touches(hit) && !reported.has(`${hit.rule}:${hit.line}`),
    );
    if (!now.length) continue;
    if (!old) {
      old = sourceFile({ path: file.path, allAdded: true, added: [] }, oldText);
      await old.ast().catch(() => {});
    }
    const before = new Map<string, number>();
    for (const hit of await judge(active, old, `${file.path} (before the change)`, how)) {
      const key = keyOf(hit, old);
      before.set(key, (before.get(key) ?? 0) + 1);
    }
    for (const hit of now) {
      const key = keyOf(hit, whole);
      const left = before.get(key) ?? 0;
      if (left > 0) {
        before.set(key, left - 1);
        continue;
      }
      out.push({ active, hit: { ...hit, removedControl: true } }); // the finding's message says why (filter.ts)
    }
  }
  return out;
}

/** An atom's hits on a whole file, or none when it could not finish (a stopped check has no verdict to compare). */
async function judge(active: ActiveAtom, file: SourceFile, name: string, how: RemovedControls): Promise<Hit[]> {
  const [outcome] = await how.budgets.runTasks(
    [{ atom: active.id, file: name }],
    () => active.atom!.check(file, how.context(active)),
    async () => {},
  );
  return outcome?.kind === 'done' ? outcome.value : [];
}

/** A hit's rule and the text of its line, without indentation: the same finding before and after code moved. */
function keyOf(hit: Hit, source: SourceFile): string {
  return `${hit.rule}\0${(source.lines()[hit.line - 1] ?? '').trim().replace(/\s+/g, ' ')}`;
}
