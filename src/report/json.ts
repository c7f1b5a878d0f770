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
  return (
    JSON.stringify(
      {
        version: 1,
        findings,
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
