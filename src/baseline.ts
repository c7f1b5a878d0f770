/**
 * Baselines (DESIGN §5): the findings a team accepted on the day it adopted
 * ralph-guard, so that only new ones block. Each entry is a fingerprint of the
 * rule, the file and the finding's line text, normalised (whitespace
 * collapsed) and with any secret masked before hashing, so neither a value
 * nor its hash is ever stored; plus an occurrence index among identical
 * lines. It survives edits elsewhere in the file, and a second identical bad
 * line still blocks. Loaded only when the baseline file exists.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { UsageError } from './errors.js';
import type { Finding } from './findings.js';

export interface BaselineEntry {
  rule: string;
  file: string;
  /** `<hash of rule, file, normalised masked line>:<occurrence>`. */
  fingerprint: string;
}

export interface BaselineFile {
  version: 1;
  comment?: string;
  findings: BaselineEntry[];
}

export interface Baseline {
  /** Path as shown to users (relative to the repository root). */
  file: string;
  entries: BaselineEntry[];
  /** How many entries each line key has (occurrences 0..n-1 of identical lines). */
  counts: Map<string, number>;
}

export const COMMENT =
  'Findings accepted by `ralph-guard baseline`: they no longer block. Fingerprints only (rule, file, hashed line text); `ralph-guard baseline --prune` drops the ones that are fixed.';

export function baselinePath(root: string, configured: string): string {
  return isAbsolute(configured) ? configured : join(root, configured);
}

export function normaliseLine(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** The hash part of a fingerprint: rule, file and the normalised, masked line text. */
export function lineKey(rule: string, file: string, maskedLine: string): string {
  return createHash('sha256')
    .update(`${rule}\0${file}\0${normaliseLine(maskedLine)}`)
    .digest('hex')
    .slice(0, 32);
}

const keyOf = (fingerprint: string) => fingerprint.slice(0, fingerprint.lastIndexOf(':'));

/** The baseline at `configured` (relative to the root) on disk, or null when there is none (`ralph-guard baseline` updates this file). */
export function loadBaseline(root: string, configured: string): Baseline | null {
  const path = baselinePath(root, configured);
  if (!existsSync(path)) return null;
  return parseBaseline(relative(root, path) || path, readFileSync(path, 'utf8'));
}

/** A baseline from its text (`shown`: its path as users see it); the hooks read it from git where the policy comes from. */
export function parseBaseline(shown: string, text: string): Baseline {
  let data: BaselineFile;
  try {
    data = JSON.parse(text) as BaselineFile;
  } catch (e) {
    throw new UsageError(
      `${shown}: not valid JSON (${(e as Error).message}); regenerate it with \`ralph-guard baseline\``,
    );
  }
  if (!data || data.version !== 1 || !Array.isArray(data.findings)) {
    throw new UsageError(
      `${shown}: expected {"version": 1, "findings": [...]}; regenerate it with \`ralph-guard baseline\``,
    );
  }
  const counts = new Map<string, number>();
  for (const entry of data.findings) {
    if (typeof entry?.fingerprint !== 'string' || !entry.fingerprint.includes(':'))
      throw new UsageError(`${shown}: an entry without a fingerprint; regenerate it with \`ralph-guard baseline\``);
    const key = keyOf(entry.fingerprint);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { file: shown, entries: data.findings, counts };
}

export function serialiseBaseline(entries: BaselineEntry[]): string {
  const sorted = [...entries].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.rule.localeCompare(b.rule) || a.fingerprint.localeCompare(b.fingerprint),
  );
  const body: BaselineFile = {
    version: 1,
    comment: COMMENT,
    findings: sorted.map((e) => ({ rule: e.rule, file: e.file, fingerprint: e.fingerprint })),
  };
  return JSON.stringify(body, null, 2) + '\n';
}

/** One finding of a file, with the raw and masked text of its line, as the engine has them. */
export interface LocatedFinding {
  finding: Finding;
  /** The line as in the file (to find identical lines). */
  raw: string;
  /** The line with secrets masked (what is hashed). */
  masked: string;
}

/**
 * Sets `fingerprint` on each finding of one file. The occurrence index counts
 * identical lines above (whether the change added them or not, so the index
 * is the same in every mode) times the hits per line, plus the finding's rank
 * on its own line.
 */
export function fingerprintFile(items: LocatedFinding[], lines: readonly string[]): void {
  const normalisedLines = lines.map(normaliseLine);
  const groups = groupByKey(items);
  for (const group of groups.values()) {
    const perLine = maxPerLine(group);
    const rank = new Map<number, number>();
    for (const item of group) {
      const text = normaliseLine(item.raw);
      let above = 0;
      for (let n = 1; n < item.finding.line; n++) if (normalisedLines[n - 1] === text) above++;
      const onLine = rank.get(item.finding.line) ?? 0;
      rank.set(item.finding.line, onLine + 1);
      item.finding.fingerprint = `${group.key}:${above * perLine + onLine}`;
    }
  }
}

/**
 * The findings of one file that the baseline covers. Per line key, the
 * baseline allows as many findings as it has entries; identical lines the
 * change did not add use up their share first, so a new copy of an accepted
 * line still blocks even where only added lines are reported.
 */
export function baselined(
  baseline: Baseline,
  items: LocatedFinding[],
  lines: readonly string[],
  isAdded: (line: number) => boolean,
): Set<Finding> {
  const covered = new Set<Finding>();
  for (const group of groupByKey(items).values()) {
    const allowed = baseline.counts.get(group.key) ?? 0;
    if (!allowed) continue;
    const text = normaliseLine(group[0]!.raw);
    let untouched = 0;
    lines.forEach((line, i) => {
      if (!isAdded(i + 1) && normaliseLine(line) === text) untouched++;
    });
    let left = allowed - untouched * maxPerLine(group);
    for (const item of group) {
      if (left <= 0) break;
      covered.add(item.finding);
      left--;
    }
  }
  return covered;
}

type Group = LocatedFinding[] & { key: string };

function groupByKey(items: LocatedFinding[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const sorted = [...items].sort((a, b) => a.finding.line - b.finding.line || a.finding.column - b.finding.column);
  for (const item of sorted) {
    const key = lineKey(item.finding.rule, item.finding.file, item.masked);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = Object.assign([] as LocatedFinding[], { key })));
    group.push(item);
  }
  return groups;
}

function maxPerLine(group: LocatedFinding[]): number {
  const perLine = new Map<number, number>();
  for (const item of group) perLine.set(item.finding.line, (perLine.get(item.finding.line) ?? 0) + 1);
  return Math.max(1, ...perLine.values());
}
