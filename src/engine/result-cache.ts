/**
 * What an atom found in a file's content, kept for the next run (like
 * `eslint --cache`): re-committing after fixing one file, or pushing commits
 * the pre-commit hook already checked, does not parse and analyse the other
 * files again.
 *
 * A check's hits depend on the build of ralph-guard (and the parser and node
 * versions under it), the atom and its options, the file's path and content
 * (its blob id), and which lines are added. An entry stores all of these and is used only when every one is
 * equal, compared exactly (no hash stands in for them). A check that read
 * anything else — the project around the file, the old version, the mode,
 * the network setting — is not stored (see `observe`); nor are custom atoms
 * (their definition lives in the policy) or the dependencies atom (its
 * advisory data changes under it). Files are signed (src/cache.ts): an entry
 * edited to `hits: []` is not used.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChangedFile } from '../changeset/changeset.js';
import type { CheckContext, Hit } from '../kit/atom.js';
import type { ActiveAtom } from '../router.js';
import { cacheDir, readCacheFile, writeCacheFile } from '../cache.js';

declare const RALPH_GUARD_BUILD: string;

/** Atoms whose results depend on more than the file, whatever they read of the context. */
const NEVER = new Set(['dependencies']);
/**
 * Entries kept per blob, atom and path (the content checked as a new file and as a modified one, under two
 * policies…). Per path: five identical files of one commit must not evict each other's results on every run.
 */
const ENTRIES_PER_ATOM = 4;
/**
 * Entries kept per blob in all. Other builds' entries stay (below this build's): two checkouts on different
 * versions of ralph-guard share one cache, and each would otherwise drop the other's on every write.
 */
const ENTRIES_PER_BLOB = 256;

export interface Stored {
  hits: Hit[];
  /** Notes the check added (a reduced check, missing data): given again when the result is reused. */
  notes: string[];
}

export interface Key {
  atom: string;
  options: Record<string, unknown>;
  path: string;
  blob: string;
  allAdded: boolean;
  added: readonly number[];
}

interface Entry extends Stored {
  build: string;
  atom: string;
  options: string;
  path: string;
  added: string;
}

export class ResultCache {
  /** Entries per blob, read once per run; the blobs whose entries changed are written by `flush`. */
  private readonly byBlob = new Map<string, Entry[]>();
  private readonly dirty = new Set<string>();

  private constructor(
    private readonly dir: string,
    private readonly build: string,
  ) {}

  /** The cache, when this is a built ralph-guard (a source checkout has no build id) and RALPH_GUARD_NO_CACHE is unset. */
  static open(): ResultCache | null {
    if (typeof RALPH_GUARD_BUILD !== 'string' || process.env.RALPH_GUARD_NO_CACHE) return null;
    return new ResultCache(
      join(cacheDir(), 'results'),
      `${RALPH_GUARD_BUILD}+oxc-${parserVersion()}+node-${process.versions.node}`,
    );
  }

  /** Whether results of this atom may be kept at all. */
  static eligible(atom: string, custom: boolean): boolean {
    return !custom && !NEVER.has(atom);
  }

  get(key: Key): Stored | null {
    const wanted = this.entry(key, { hits: [], notes: [] });
    const found = this.entries(key.blob).find((e) => same(e, wanted));
    return found ? { hits: found.hits, notes: found.notes } : null;
  }

  put(key: Key, stored: Stored): void {
    const entry = this.entry(key, stored);
    const others = this.entries(key.blob).filter((e) => !same(e, entry));
    const mine = others.filter((e) => e.build === this.build);
    const samePlace = (e: Entry) => e.atom === entry.atom && e.path === entry.path;
    const kept = [
      entry,
      ...mine.filter(samePlace).slice(0, ENTRIES_PER_ATOM - 1),
      ...mine.filter((e) => !samePlace(e)),
    ];
    const otherBuilds = others.filter((e) => e.build !== this.build);
    this.byBlob.set(key.blob, [...kept, ...otherBuilds].slice(0, ENTRIES_PER_BLOB));
    this.dirty.add(key.blob);
  }

  /** Writes what `put` changed: one file per blob. */
  flush(): void {
    for (const blob of this.dirty) {
      try {
        writeCacheFile(this.file(blob), JSON.stringify(this.byBlob.get(blob)));
      } catch {
        // A cache that cannot be written only costs speed next time.
      }
    }
    if (this.dirty.size && Math.random() < 0.02) this.prune();
    this.dirty.clear();
  }

  /** Forgets entries not written for a month, one of the 256 folders at a time (cheap, and in time all of them). */
  private prune(): void {
    const folder = join(
      this.dir,
      Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, '0'),
    );
    const old = Date.now() - 30 * 24 * 3600 * 1000;
    try {
      for (const name of readdirSync(folder))
        if (statSync(join(folder, name)).mtimeMs < old) rmSync(join(folder, name), { force: true });
    } catch {
      // no such folder yet
    }
  }

  private entry(key: Key, stored: Stored): Entry {
    return {
      build: this.build,
      atom: key.atom,
      options: JSON.stringify(key.options),
      path: key.path,
      added: key.allAdded ? '*' : ranges(key.added),
      ...stored,
    };
  }

  private file(blob: string): string {
    return join(this.dir, blob.slice(0, 2), `${blob}.json`);
  }

  private entries(blob: string): Entry[] {
    let entries = this.byBlob.get(blob);
    if (!entries) {
      entries = [];
      // Only an entry this user signed counts: an edited, planted or damaged file is a miss (and is rewritten).
      const text = readCacheFile(this.file(blob));
      if (text !== null) {
        try {
          const stored: unknown = JSON.parse(text);
          // Entries of another build are never used (`same` compares builds), only kept for that build.
          if (Array.isArray(stored)) entries = stored.filter((e): e is Entry => typeof e === 'object' && e !== null);
        } catch {
          // a damaged file is a miss
        }
      }
      this.byBlob.set(blob, entries);
    }
    return entries;
  }
}

/**
 * The parser's version: hits depend on the AST it gives, and it is installed apart from ralph-guard's own build.
 * Found where `import('oxc-parser')` finds it, the nearest node_modules above this file (a require.resolve costs
 * ~4 ms of start-up, this ~0.1).
 */
function parserVersion(): string {
  try {
    for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
      const file = join(dir, 'node_modules', 'oxc-parser', 'package.json');
      if (existsSync(file))
        return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
      if (dirname(dir) === dir) return 'unknown';
    }
  } catch {
    return 'unknown';
  }
}

const same = (a: Entry, b: Entry) =>
  a.build === b.build && a.atom === b.atom && a.options === b.options && a.path === b.path && a.added === b.added;

/** `1-3,7` for [1, 2, 3, 7]: the added lines, compact and exact. */
function ranges(lines: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++;
    out.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/**
 * A check context that records what the check used: the notes it added, and
 * whether it read anything beyond the file and its options (then its result
 * must not be stored).
 */
export function observe<O>(context: CheckContext<O>): {
  context: CheckContext<O>;
  notes: string[];
  readBeyondFile: () => boolean;
} {
  const notes: string[] = [];
  let beyond = false;
  const watched = {
    options: context.options,
    note: (text: string) => {
      notes.push(text);
      context.note(text);
    },
  } as CheckContext<O>;
  for (const name of ['mode', 'online', 'project', 'readOld', 'changes'] as const) {
    Object.defineProperty(watched, name, {
      enumerable: true,
      get: () => {
        beyond = true;
        return context[name];
      },
    });
  }
  return { context: watched, notes, readBeyondFile: () => beyond };
}

/** The key of an atom's result on a changed file, or null when that result is never kept (no blob, a custom or excluded atom). */
export function resultKey(
  file: Pick<ChangedFile, 'path' | 'blob' | 'allAdded' | 'added'>,
  active: Pick<ActiveAtom, 'id' | 'options'>,
  custom: boolean,
): Key | null {
  return file.blob && ResultCache.eligible(active.id, custom)
    ? {
        atom: active.id,
        options: active.options,
        path: file.path,
        blob: file.blob,
        allAdded: file.allAdded,
        added: file.added,
      }
    : null;
}
