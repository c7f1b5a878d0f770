/**
 * Which high-risk areas a change touches, and whether a person acknowledged
 * each (DESIGN §10). Acknowledgement is a `Security-Reviewed-by: Name <email>`
 * trailer in the commit message, or a record in `.ralph-reviews.json` (written
 * by `ralph-guard approve`) for the exact blob of every touched file: the same
 * content is not asked again, and any later edit of it is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StagedListing } from '../changeset/changeset.js';
import { addedKey, parseAddedLines, parseRaw, type RawEntry } from '../git/diff.js';
import { BlobReader, EMPTY_TREE, git, headCommit, looseObjectsDir } from '../git/git.js';
import { SEARCH_PLACES } from '../policy/policy.js';
import { type Area, type AreaHit, detectAreas } from './areas.js';

export const REVIEWS_FILE = '.ralph-reviews.json';
/** The blob id recorded for a deleted file. */
const DELETED = '0'.repeat(40);
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
  /** The area's fail criterion. */
  fail?: string;
  places: Array<{ file: string; line: number; excerpt: string; blob: string }>;
  commit?: string;
  acknowledged: boolean;
  /** Who acknowledged, and how. */
  by?: string;
  /** A high-risk area, or the findings of an atom at level review. */
  source?: 'area' | 'atom';
  /** Not a person's acknowledgement: the change that sets the guard up (no policy at its base) is not a guard review. */
  setup?: true;
}

export type ReviewMode =
  /** `listing`: what the check of the same change listed (changeset.ts), so it is not asked of git again. */
  | { kind: 'staged'; message?: string; listing?: StagedListing | undefined }
  | { kind: 'worktree' }
  | { kind: 'range'; range: string }
  /** The pre-push hook's input (`<local ref> <local sha> <remote ref> <remote sha>` per ref) and the remote pushed to. */
  | { kind: 'push'; input: string; remote?: string | undefined };

interface ChangedFile {
  path: string;
  blob: string;
  lines: number[];
  text: string;
  /** package.json whose `"ralph"` key (the policy) the change edits: the line of that key. */
  policyLine?: number;
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
  if (mode.kind === 'push') return reviewPush(root, areas, mode.input, mode.remote);
  // Asked of git once, and only when needed: a commit pays for every process.
  let head: Promise<string | null> | undefined;
  const base = async () => (await (head ??= headCommit(root))) ?? undefined;
  const files = mode.kind === 'staged' ? await stagedFiles(root, base, mode.listing) : await worktreeFiles(root);
  await markPolicyKey(root, files, base, mode.kind === 'staged' ? mode.listing : undefined);
  const reviews = judge(areas, files);
  acknowledge(reviews, readReviews(root), mode.kind === 'staged' ? (mode.message ?? null) : null);
  if (waitsForGuard(reviews)) {
    if (!(await hasPolicy(root, await base())) && (await hasPolicy(root, mode.kind === 'staged' ? ':' : null)))
      firstSetup(reviews);
  }
  return reviews;
}

/** An area's review with no place yet, not acknowledged. */
function openReview(area: Area, commit: string | undefined): Review {
  return {
    area: area.id,
    title: area.title,
    level: area.level as Review['level'],
    criterion: area.criteria.pass,
    fail: area.criteria.fail,
    places: [],
    ...(commit ? { commit } : {}),
    acknowledged: false,
  };
}

function judge(areas: readonly Area[], files: ChangedFile[], commit?: string): Review[] {
  const byArea = new Map<string, Review>();
  for (const f of files) {
    for (const hit of detectAreas(areas, f.path, f.text, f.lines)) {
      const area = areas.find((a) => a.id === hit.area)!;
      const review = byArea.get(hit.area) ?? openReview(area, commit);
      review.places.push({ file: hit.file, line: hit.line, excerpt: hit.excerpt, blob: f.blob });
      byArea.set(hit.area, review);
    }
  }
  // A policy in package.json: an edit of its "ralph" key is a guard change (the rest of package.json is not).
  const guard = areas.find((a) => a.id === 'guard' && a.level !== 'off');
  for (const f of files) {
    if (f.policyLine === undefined || !guard) continue;
    const review = byArea.get('guard') ?? openReview(guard, commit);
    if (review.places.some((p) => p.file === f.path)) continue;
    const excerpt = (f.text.split('\n')[f.policyLine - 1] ?? '').trim().slice(0, 160);
    review.places.push({ file: f.path, line: f.policyLine, excerpt, blob: f.blob });
    byArea.set('guard', review);
  }
  return [...byArea.values()];
}

/**
 * Marks a root package.json whose `"ralph"` key differs from the one at `base` (undefined: no base). The check's
 * staged listing names the file's blob at HEAD: read from there, neither HEAD nor the file costs a git process.
 */
async function markPolicyKey(
  root: string,
  files: ChangedFile[],
  baseOf: () => Promise<string | undefined>,
  listing?: StagedListing,
) {
  const pkg = files.find((f) => f.path === 'package.json');
  if (!pkg) return;
  const listed = listing?.entries.find((e) => e.path === 'package.json');
  const before = listed ? await oldText(root, listed) : await textAt(root, await baseOf());
  const key = (text: string) => {
    try {
      const data = JSON.parse(text) as Record<string, unknown> | null;
      return data && typeof data === 'object' && 'ralph' in data ? JSON.stringify(data.ralph) : null;
    } catch {
      return null;
    }
  };
  if (key(before) === key(pkg.text)) return;
  const index = pkg.text.split('\n').findIndex((l) => /^\s*"ralph"\s*:/.test(l));
  pkg.policyLine = index < 0 ? 1 : index + 1;
}

/** package.json at a commit ('' when there is none). */
async function textAt(root: string, base: string | undefined): Promise<string> {
  return base ? await git(['show', `${base}:package.json`], { cwd: root, okCodes: [128] }).catch(() => '') : '';
}

/** The old side of a listed file ('' when it is new). */
async function oldText(root: string, entry: RawEntry): Promise<string> {
  if (!entry.oldBlob || /^0+$/.test(entry.oldBlob)) return '';
  const reader = new BlobReader(root, looseObjectsDir(root));
  try {
    const bytes = await reader.read(entry.oldBlob);
    return Buffer.isBuffer(bytes) ? bytes.toString('utf8') : '';
  } finally {
    reader.close();
  }
}

/**
 * The change that sets the guard up — its base has no policy and it adds one,
 * as `init`'s first commit does — is not a guard review: there is no guard yet
 * to protect. Every later edit of the policy, baseline or hooks is.
 */
const waitsForGuard = (reviews: readonly Review[]) => reviews.some((r) => r.area === 'guard' && !r.acknowledged);

function firstSetup(reviews: Review[]) {
  for (const r of reviews)
    if (r.area === 'guard' && !r.acknowledged) {
      r.acknowledged = true;
      r.setup = true;
      r.by = 'no one: this change sets the guard up (no policy at its base)';
    }
}

/**
 * Whether a policy is at the root of a tree: a commit (`rev`), the index
 * (`':'`), the working tree (null), or no tree at all (undefined: before the
 * first commit).
 */
async function hasPolicy(root: string, rev: string | null | undefined): Promise<boolean> {
  if (rev === undefined) return false;
  const files = SEARCH_PLACES.filter((f) => f !== 'package.json');
  let pkg: string;
  if (rev === null) {
    if (files.some((f) => existsSync(join(root, f)))) return true;
    try {
      pkg = readFileSync(join(root, 'package.json'), 'utf8');
    } catch {
      return false;
    }
  } else {
    const listed =
      rev === ':'
        ? await git(['ls-files', '-z', '--', ...files], { cwd: root })
        : await git(['ls-tree', '-z', '--name-only', rev, '--', ...files], { cwd: root });
    if (listed.length) return true;
    pkg = await git(['show', `${rev === ':' ? '' : rev}:package.json`], { cwd: root, okCodes: [128] }).catch(() => '');
  }
  try {
    const data = JSON.parse(pkg) as Record<string, unknown>;
    return data !== null && typeof data === 'object' && 'ralph' in data;
  } catch {
    return false;
  }
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

async function stagedFiles(
  root: string,
  base: () => Promise<string | undefined>,
  listing: StagedListing | undefined,
): Promise<ChangedFile[]> {
  // The check's own listing holds the same entries and lines; a new file's lines are all of it (not in its patch).
  if (listing) return readFiles(root, listing.entries, listing.added, '', (e) => e.status === 'added');
  const common = [
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    '--text',
    '--cached',
    (await base()) ?? EMPTY_TREE,
    '--',
  ];
  const [raw, patch] = await Promise.all([
    git(['diff', '--raw', '-z', '--no-abbrev', ...common], { cwd: root }),
    git(['diff', '-p', '-U0', ...common], { cwd: root }),
  ]);
  return readFiles(root, parseRaw(raw), parseAddedLines(patch), '');
}

/** 1…n for a text of n lines, as git counts them (a last line without a newline counts). */
function everyLine(text: string): number[] {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  if (text.length && !text.endsWith('\n')) n++;
  return Array.from({ length: n }, (_, i) => i + 1);
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
  const entries = parseRaw(raw);
  for (const e of entries) if (e.status === 'deleted') files.push({ path: e.path, blob: DELETED, lines: [], text: '' });
  const paths = [
    ...entries
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
  entries: readonly RawEntry[],
  added: ReturnType<typeof parseAddedLines>,
  commit: string,
  /** Entries whose every line is added, though `added` does not list them. */
  wholeFile: (entry: RawEntry) => boolean = () => false,
): Promise<ChangedFile[]> {
  // A blob just staged is a loose object, read without starting git.
  const reader = new BlobReader(root, looseObjectsDir(root));
  try {
    const out: ChangedFile[] = [];
    for (const e of entries) {
      // A deleted file is touched too (a hook script or policy removed): no lines, its path only.
      if (e.status === 'deleted') {
        out.push({ path: e.path, blob: DELETED, lines: [], text: '' });
        continue;
      }
      if (!e.blob || /^0+$/.test(e.blob) || e.mode === '160000') continue;
      const bytes = await reader.read(e.blob);
      if (!bytes || !Buffer.isBuffer(bytes) || bytes.includes(0)) continue; // too large or binary: not code to review
      const text = bytes.toString('utf8');
      out.push({
        path: e.path,
        blob: e.blob,
        lines: wholeFile(e) ? everyLine(text) : (added.get(addedKey(commit || e.commit, e.path)) ?? []),
        text,
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
  return reviewCommits(root, areas, commits, tip);
}

/** Every commit being pushed (those the destination lacks, as the checks count them), with the records of the newest. */
async function reviewPush(root: string, areas: readonly Area[], input: string, remote?: string): Promise<Review[]> {
  const { pushedCommits } = await import('../changeset/changeset.js');
  const commits = await pushedCommits(root, input, remote);
  return commits.length ? reviewCommits(root, areas, commits, commits.at(-1)!) : [];
}

async function reviewCommits(root: string, areas: readonly Area[], commits: string[], tip: string): Promise<Review[]> {
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
    if (files.some((f) => f.path === 'package.json')) {
      const parent = (await git(['rev-parse', '--verify', '-q', `${commit}^`], { cwd: root, okCodes: [1] })).trim();
      await markPolicyKey(root, files, async () => parent || undefined);
    }
    const reviews = judge(areas, files, commit);
    acknowledge(reviews, records, message);
    if (waitsForGuard(reviews)) {
      const parent = (await git(['rev-parse', '--verify', '-q', `${commit}^`], { cwd: root, okCodes: [1] })).trim();
      if (!(await hasPolicy(root, parent || undefined)) && (await hasPolicy(root, commit))) firstSetup(reviews);
    }
    out.push(...reviews);
  }
  return out;
}

/**
 * The findings of atoms at level review as reviews: one per atom (and commit),
 * each place with the blob of its file, acknowledged as areas are (the
 * commit's trailer, or approve's records of that exact content).
 */
/** The parts of a finding a review keeps (findings.ts imports this module's types: no import back). */
export interface ReviewedFinding {
  atom: string;
  file: string;
  line: number;
  excerpt: string;
  criterion: string;
  commit?: string;
}

export async function reviewFindings(
  root: string,
  findings: readonly ReviewedFinding[],
  atoms: ReadonlyMap<string, { title: string; pass: string; why?: string }>,
  mode: ReviewMode,
): Promise<Review[]> {
  if (!findings.length) return [];
  const byKey = new Map<string, Review>();
  const blobs = new Map<string, string>();
  for (const f of findings) {
    const key = `${f.atom}\0${f.commit ?? ''}`;
    const atom = atoms.get(f.atom);
    const review: Review = byKey.get(key) ?? {
      area: f.atom,
      title: `${atom?.title ?? f.atom} (${atom?.why ?? 'atom at level review'})`,
      level: 'review',
      criterion: atom?.pass ?? f.criterion,
      fail: f.criterion,
      places: [],
      ...(f.commit ? { commit: f.commit } : {}),
      acknowledged: false,
      source: 'atom',
    };
    const where = `${f.commit ?? ''}:${f.file}`;
    if (!blobs.has(where)) blobs.set(where, await blobOf(root, mode, f.file, f.commit));
    review.places.push({ file: f.file, line: f.line, excerpt: f.excerpt, blob: blobs.get(where)! });
    byKey.set(key, review);
  }
  const reviews = [...byKey.values()];
  if (mode.kind === 'staged' || mode.kind === 'worktree') {
    acknowledge(reviews, readReviews(root), mode.kind === 'staged' ? (mode.message ?? null) : null);
    return reviews;
  }
  // A range or push: each commit's own trailer, and the records of its newest commit.
  const tip =
    mode.kind === 'range'
      ? mode.range.includes('..')
        ? mode.range.slice(mode.range.lastIndexOf('..') + 2) || 'HEAD'
        : mode.range
      : ((await (await import('../changeset/changeset.js')).pushedCommits(root, mode.input, mode.remote)).at(-1) ??
        'HEAD');
  const recordsText = await git(['show', `${tip}:${REVIEWS_FILE}`], { cwd: root, okCodes: [128] }).catch(() => '');
  const records = readReviewsText(recordsText || null);
  for (const r of reviews) {
    const message = r.commit ? await git(['log', '-1', '--format=%B', r.commit], { cwd: root }) : null;
    acknowledge([r], records, message);
  }
  return reviews;
}

/** The blob of a file as the mode judges it: staged, on disk, or in a commit. */
async function blobOf(root: string, mode: ReviewMode, file: string, commit: string | undefined): Promise<string> {
  const out =
    mode.kind === 'worktree'
      ? await git(['hash-object', '--no-filters', '--', file], { cwd: root, okCodes: [128] }).catch(() => '')
      : await git(['rev-parse', '--verify', '-q', `${commit ?? ''}:${file}`], { cwd: root, okCodes: [1, 128] }).catch(
          () => '',
        );
  return out.trim() || DELETED;
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
