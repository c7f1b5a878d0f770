/** The one signature of every output format (see index.ts for the registry). */
import type { Report } from '../findings.js';

export interface ReportOptions {
  /** Colours allowed: a terminal, and no NO_COLOR. */
  color: boolean;
  /** What a blocking result means where the report is read: "Commit refused", "Push refused", "Check failed". */
  outcome: string;
  /** Terminal columns, for formats that wrap (80 when unknown). */
  width?: number;
}

export type Format = (report: Report, options: ReportOptions) => string;
