/**
 * Which high-risk areas a change touches, and whether a person acknowledged
 * each (DESIGN §10). Acknowledgement is a `Security-Reviewed-by: Name <email>`
 * trailer in the commit message, or a record in `.ralph-reviews.json` (written
 * by `ralph-guard approve`) for the exact blob of every touched file: the same
 * content is not asked again, and any later edit of it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addedKey, parseAddedLines, parseRaw } from '../git/diff.js';
import { BlobReader, EMPTY_TREE, git, headCommit } from '../git/git.js';
import { type Area, type AreaHit, detectAreas } from './areas.js';

export const REVIEWS_FILE = '.ralph-reviews.json';
export const TRAILER = /^Security-Reviewed-by:[ \t]*(\S[^<\n]*?)[ \t]*<([^<>\s@]+@[^<>\s]+)>[ \t]*$/im;

export interface ReviewRecord {
  path: string;
  blob: string;
  areas: string[];
  reviewer: { name: string; email: string };
  at: string;
}

export interface ReviewsFile {
  version: 1;
  reviews: ReviewRecord[];
}

/** One area a change (or one commit of it) touches. */
export interface Review {
  area: string;
  title: string;
  level: 'review' | 'warn' | 'block';
  criterion: string;
  places: Array<{ file: string; line: number; excerpt: string; blob: string }>;
  commit?: string;
  acknowledged: boolean;
  /** Who acknowledged, and how. */
  by?: string;
}

export type ReviewMode = { kind: 'staged'; message?: string } | { kind: 'worktree' } | { kind: 'range'; range: string };

interface ChangedFile {
  path: string;
  blob: string;
  lines: number[];
  text: string;
}

export function readReviewsText(text: string | null): ReviewsFile {
  if (!text) return { version: 1, reviews: [] };
  try {
    const data = JSON.parse(text) as ReviewsFile;
    return Array.isArray(data?.reviews) ? { version: 1, reviews: data.reviews } : { version: 1, reviews: [] };
  } catch {
    return { version: 1, reviews: [] };
  }
}

export function readReviews(root: string): ReviewsFile {
  try {
    return readReviewsText(readFileSync(join(root, REVIEWS_FILE), 'utf8'));
  } catch {
    return { version: 1, reviews: [] };
  }
}

/** The areas of the change in `mode`, each with its acknowledgement. */
export async function reviewChange(root: string, areas: readonly Area[], mode: ReviewMode): Promise<Review[]> {
  if (!areas.some((a) => a.level !== 'off')) return [];
  if (mode.kind === 'range') return reviewRange(root, areas, mode.range);
  const files = mode.kind === 'staged' ? await stagedFiles(root) : await worktreeFiles(root);
  const reviews = judge(areas, files);
  acknowledge(reviews, readReviews(root), mode.kind === 'staged' ? (mode.message ?? null) : null);
  return reviews;
}

function judge(areas: readonly Area[], files: ChangedFile[], commit?: string): Review[] {
  const byArea = new Map<string, Review>();
  for (const f of files) {
    for (const hit of detectAreas(areas, f.path, f.text, f.lines)) {
      const area = areas.find((a) => a.id === hit.area)!;
      const review = byArea.get(hit.area) ?? {
        area: area.id,
        title: area.title,
        level: area.level as Review['level'],
        criterion: area.criteria.pass,
        places: [],
        ...(commit ? { commit } : {}),
        acknowledged: false,
      };
      review.places.push({ file: hit.file, line: hit.line, excerpt: hit.excerpt, blob: f.blob });
      byArea.set(hit.area, review);
    }
  }
  return [...byArea.values()];
}

/** A trailer acknowledges everything in its commit; records acknowledge an area whose every touched blob was approved. */
function acknowledge(reviews: Review[], records: ReviewsFile, message: string | null) {
  const trailer = message ? TRAILER.exec(stripComments(message)) : null;
  for (const r of reviews) {
    if (trailer) {
      r.acknowledged = true;
      r.by = `${trailer[1]!.trim()} <${trailer[2]}> (Security-Reviewed-by trailer)`;
      continue;
    }
    const matching = r.places.map((p) =>
      records.reviews.find((rec) => rec.blob === p.blob && rec.path === p.file && rec.areas.includes(r.area)),
    );
    if (matching.length && matching.every(Boolean)) {
      const rec = matching[0]!;
      r.acknowledged = true;
      r.by = `${rec.reviewer.name} <${rec.reviewer.email}> (ralph-guard approve, ${rec.at})`;
    }
  }
}

/** git drops `#` lines from an edited message; a trailer in a comment does not count. */
function stripComments(message: string): string {
  return message
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

async function stagedFiles(root: string): Promise<ChangedFile[]> {
  const base = (await headCommit(root)) ?? EMPTY_TREE;
  const common = ['--no-color', '--no-ext-diff', '--no-renames', '--text', '--cached', base, '--'];
  const [raw, patch] = await Promise.all([
    git(['diff', '--raw', '-z', '--no-abbrev', ...common], { cwd: root }),
    git(['diff', '-p', '-U0', ...common], { cwd: root }),
  ]);
  return readFiles(root, parseRaw(raw), parseAddedLines(patch), '');
}

async function worktreeFiles(root: string): Promise<ChangedFile[]> {
  const base = (await headCommit(root)) ?? EMPTY_TREE;
  const common = ['--no-color', '--no-ext-diff', '--no-renames', '--text', base, '--'];
  const [raw, patch, untracked] = await Promise.all([
    git(['diff', '--raw', '-z', '--no-abbrev', ...common], { cwd: root }),
    git(['diff', '-p', '-U0', ...common], { cwd: root }),
    git(['ls-files', '-z', '--others', '--exclude-standard'], { cwd: root }),
  ]);
  const files: ChangedFile[] = [];
  const added = parseAddedLines(patch);
  const paths = [
    ...parseRaw(raw)
      .filter((e) => e.status !== 'deleted')
      .map((e) => ({ path: e.path, lines: added.get(addedKey('', e.path)) ?? [] })),
    ...untracked
      .split('\0')
      .filter(Boolean)
      .map((path) => ({ path, lines: null as number[] | null })),
  ];
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(join(root, p.path), 'utf8');
    } catch {
      continue;
    }
    // The blob the content would have once staged: what `approve` records and a commit later checks.
    const blob = (await git(['hash-object', '--no-filters', '--', p.path], { cwd: root })).trim();
    const lines = p.lines ?? text.split('\n').map((_, i) => i + 1);
    files.push({ path: p.path, blob, lines, text });
  }
  return files;
}

async function readFiles(
  root: string,
  entries: ReturnType<typeof parseRaw>,
  added: ReturnType<typeof parseAddedLines>,
  commit: string,
): Promise<ChangedFile[]> {
  const reader = new BlobReader(root);
  try {
    const out: ChangedFile[] = [];
    for (const e of entries) {
      if (e.status === 'deleted' || !e.blob || /^0+$/.test(e.blob) || e.mode === '160000') continue;
      const bytes = await reader.read(e.blob);
      if (!bytes || !Buffer.isBuffer(bytes) || bytes.includes(0)) continue; // too large or binary: not code to review
      out.push({
        path: e.path,
        blob: e.blob,
        lines: added.get(addedKey(commit || e.commit, e.path)) ?? [],
        text: bytes.toString('utf8'),
      });
    }
    return out;
  } finally {
    reader.close();
  }
}

/** Every commit of `A..B`: its areas, acknowledged by its own trailer or by the records at `B`. */
async function reviewRange(root: string, areas: readonly Area[], range: string): Promise<Review[]> {
  const spec = range.includes('..') ? range : `${range}^!`;
  const tip = range.includes('..') ? range.slice(range.lastIndexOf('..') + 2) || 'HEAD' : range;
  const commits = (await git(['rev-list', '--reverse', '--no-merges', spec], { cwd: root }))
    .split('\n')
    .filter(Boolean);
  const recordsText = await git(['show', `${tip}:${REVIEWS_FILE}`], { cwd: root, okCodes: [128] }).catch(() => '');
  const records = readReviewsText(recordsText || null);
  const out: Review[] = [];
  for (const commit of commits) {
    const common = ['--no-color', '--no-ext-diff', '--no-renames', '--text', '--root', '-r', commit];
    const [raw, patch, message] = await Promise.all([
      git(['diff-tree', '--raw', '-z', '--no-abbrev', '--no-commit-id', ...common], { cwd: root }),
      git(['diff-tree', '-p', '-U0', '--no-commit-id', ...common], { cwd: root }),
      git(['log', '-1', '--format=%B', commit], { cwd: root }),
    ]);
    const files = await readFiles(root, parseRaw(raw), parseAddedLines(patch), '');
    const reviews = judge(areas, files, commit);
    acknowledge(reviews, records, message);
    out.push(...reviews);
  }
  return out;
}

/** Reviews that stop the change: `block` always, `review` until acknowledged. */
export function pending(reviews: readonly Review[]): Review[] {
  return reviews.filter((r) => r.level === 'block' || (r.level === 'review' && !r.acknowledged));
}

export function hitsOf(reviews: readonly Review[]): AreaHit[] {
  return reviews.flatMap((r) =>
    r.places.map((p) => ({ area: r.area, file: p.file, line: p.line, excerpt: p.excerpt })),
  );
}
