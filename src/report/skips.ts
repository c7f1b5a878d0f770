/** Skipped files grouped by why, for the formats that summarise them (pretty, agent). */
import type { Report } from '../findings.js';

/** Files named in a group line; more are counted. */
const NAMED = 5;

export interface SkipGroup {
  reason: string;
  /** "3 files: a.png, b.png, c.png", or "12 files: a.png, … (and 7 more)". */
  files: string;
}

export function groupSkips(report: Pick<Report, 'skipped'>): SkipGroup[] {
  const byReason = new Map<string, string[]>();
  for (const { file, reason } of report.skipped ?? []) byReason.set(reason, [...(byReason.get(reason) ?? []), file]);
  return [...byReason].map(([reason, files]) => ({
    reason,
    files:
      `${files.length} file${files.length === 1 ? '' : 's'}: ${files.slice(0, NAMED).join(', ')}` +
      (files.length > NAMED ? ` (and ${files.length - NAMED} more)` : ''),
  }));
}
