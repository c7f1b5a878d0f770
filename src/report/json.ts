/** `--format json`: version 1 of the stable machine format (DESIGN §6). */
import type { Report } from '../findings.js';

export function formatJson(report: Report): string {
  const findings = report.findings.map((f) => ({
    atom: f.atom,
    rule: f.rule,
    severity: f.severity,
    file: f.file,
    line: f.line,
    column: f.column,
    ...(f.endLine ? { endLine: f.endLine } : {}),
    message: f.message,
    criterion: f.criterion,
    ...(f.fix ? { fix: f.fix } : {}),
    excerpt: f.excerpt,
    ...(f.commit ? { commit: f.commit } : {}),
  }));
  // What was set aside, and why: every inline suppression with its reason, every baseline entry used.
  const suppressed = report.suppressed.map((f) => ({
    rule: f.rule,
    file: f.file,
    line: f.line,
    kind: f.suppression.kind,
    reason: f.suppression.reason ?? '',
    ...(f.commit ? { commit: f.commit } : {}),
  }));
  return (
    JSON.stringify(
      {
        version: 1,
        findings,
        suppressed,
        ...(report.reviews ? { reviews: report.reviews } : {}),
        summary: report.summary,
        notes: report.notes,
        skipped: (report.skipped ?? []).map(({ file, reason }) => ({ file, reason })),
        errors: report.failures,
      },
      null,
      2,
    ) + '\n'
  );
}
