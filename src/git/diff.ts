/**
 * Parsers for the two git outputs a change set is made of: `--raw -z` (which
 * files changed, their modes and blob ids) and `-p -U0` (which lines were
 * added). Both accept the commit-id lines that `diff-tree --stdin` puts in
 * front of each commit, and combined (merge) output.
 */

export type FileStatus =
  | 'added'
  | 'modified'
  | 'renamed'
  | 'copied'
  | 'typechange'
  | 'deleted'
  | 'unmerged'
  | 'unknown';

export interface RawEntry {
  /** The commit this entry belongs to (diff-tree --stdin), or '' for index/worktree diffs. */
  commit: string;
  status: FileStatus;
  /** True when every parent of a merge lacked the file: all its lines are new. */
  allAdded: boolean;
  /** Mode and blob of the new side. */
  mode: string;
  blob: string;
  /** Blob of the old side (first parent), for atoms that compare versions (lockfiles). */
  oldBlob: string;
  oldMode: string;
  path: string;
  oldPath?: string;
}

const STATUS: Record<string, FileStatus> = {
  A: 'added',
  M: 'modified',
  R: 'renamed',
  C: 'copied',
  T: 'typechange',
  D: 'deleted',
  U: 'unmerged',
};

const COMMIT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** Parses `git diff --raw -z` (and `diff-tree --stdin -c --raw -z`) output. */
export function parseRaw(text: string): RawEntry[] {
  const fields = text.split('\0');
  const entries: RawEntry[] = [];
  let commit = '';
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field === '') continue;
    if (field[0] !== ':') {
      // A commit id line from --stdin (possibly followed by a newline in some git versions).
      const id = field.trim();
      if (COMMIT_ID.test(id)) commit = id;
      continue;
    }
    // ":old new sha sha STATUS" (one colon per parent for combined output).
    const colons = field.match(/^:+/)![0].length;
    const parts = field.slice(colons).split(' ');
    const modes = parts.slice(0, colons + 1);
    const shas = parts.slice(colons + 1, 2 * colons + 2);
    const statusField = parts[2 * colons + 2] ?? '';
    const letters = colons === 1 ? (statusField[0] ?? 'X') : statusField;
    const path = fields[++i] ?? '';
    let oldPath: string | undefined;
    if (colons === 1 && (letters === 'R' || letters === 'C')) {
      oldPath = path;
      const newPath = fields[++i] ?? '';
      entries.push(entry(commit, letters, modes, shas, newPath, oldPath));
      continue;
    }
    entries.push(entry(commit, letters, modes, shas, path, oldPath));
  }
  return entries;
}

function entry(
  commit: string,
  letters: string,
  modes: string[],
  shas: string[],
  path: string,
  oldPath?: string,
): RawEntry {
  const combined = letters.length > 1;
  const first = combined ? (letters.includes('M') ? 'M' : letters[0]!) : letters;
  const status = STATUS[first] ?? 'unknown';
  return {
    commit,
    status,
    allAdded: combined ? [...letters].every((l) => l === 'A') : status === 'added',
    mode: modes.at(-1) ?? '',
    blob: shas.at(-1) ?? '',
    oldMode: modes[0] ?? '',
    oldBlob: shas[0] ?? '',
    path,
    ...(oldPath === undefined ? {} : { oldPath }),
  };
}

/** Added line numbers (1-based, ascending) per `commit\0path`. */
export type AddedLines = Map<string, number[]>;

export function addedKey(commit: string, path: string): string {
  return `${commit}\0${path}`;
}

/**
 * Reads the added line numbers out of `-p -U0` output (plain or combined).
 * Only headers and hunk headers are interpreted; hunk bodies are skipped by
 * their leading column, so content that looks like a header cannot confuse it.
 */
export function parseAddedLines(text: string): AddedLines {
  const added: AddedLines = new Map();
  let commit = '';
  let path: string | null = null;
  let current: number[] | null = null;
  let inHunk = false;
  let parents = 1;
  let line = 0;

  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const row = text.slice(start, end);
    start = end + 1;

    if (inHunk) {
      const c = row.charCodeAt(0);
      // ' ' (32), '+' (43), '-' (45), '\' (92) belong to the hunk body.
      if (c === 32 || c === 43 || c === 45 || c === 92) {
        if (c === 92) continue; // "\ No newline at end of file"
        const prefix = row.slice(0, parents);
        if (prefix.includes('-')) continue; // a removed line is not in the new file
        if (current && !prefix.includes(' ')) current.push(line);
        line++;
        continue;
      }
      inHunk = false;
    }
    if (row.startsWith('@@')) {
      const at = row.match(/^(@+) /);
      parents = at ? at[1]!.length - 1 : 1;
      const plus = row.match(/ \+(\d+)(?:,(\d+))? @/);
      line = plus ? Number(plus[1]) : 0;
      // "+N,0" means nothing was added and N is the line before; the body is empty of '+' lines anyway.
      inHunk = true;
      continue;
    }
    if (row.startsWith('diff ')) {
      path = null;
      current = null;
      continue;
    }
    if (row.startsWith('+++ ')) {
      const name = row.slice(4);
      path = name === '/dev/null' ? null : stripPrefix(unquotePath(name));
      if (path !== null) {
        const key = addedKey(commit, path);
        current = added.get(key) ?? [];
        added.set(key, current);
      }
      continue;
    }
    if (COMMIT_ID.test(row)) {
      commit = row;
      continue;
    }
  }
  return added;
}

function stripPrefix(name: string): string {
  return name.startsWith('b/') ? name.slice(2) : name;
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** Undoes git's C-style quoting of a path ("a\tb" or "caf\303\251"); also drops the tab git appends to names with spaces. */
export function unquotePath(name: string): string {
  if (!name.startsWith('"')) return name.endsWith('\t') ? name.slice(0, -1) : name;
  const bytes: number[] = [];
  for (let i = 1; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '"') break;
    if (ch !== '\\') {
      // By code point: an emoji is two UTF-16 units that must be encoded together.
      const cp = name.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
      continue;
    }
    const next = name[++i] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(name.slice(i, i + 3), 8));
      i += 2;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
