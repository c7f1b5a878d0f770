/**
 * `--format pretty`: for a person at a terminal. Findings grouped by atom under
 * the atom's fail criterion; each with where, a masked excerpt, the fix and the
 * exact comment that suppresses it. Colour only on a TTY without NO_COLOR.
 */
import kleur from 'kleur';
import type { Finding, Report } from '../findings.js';
import { suppressionComment } from './comments.js';
import type { ReportOptions } from './format.js';
import { plural } from '../words.js';

export function formatPretty(report: Report, opts: ReportOptions): string {
  kleur.enabled = opts.color;
  const out: string[] = [];
  const { summary } = report;

  const byAtom = new Map<string, Finding[]>();
  for (const f of report.findings) byAtom.set(f.atom, [...(byAtom.get(f.atom) ?? []), f]);

  for (const [atom, findings] of byAtom) {
    const blocking = findings.some((f) => f.severity === 'error');
    out.push(
      `${blocking ? kleur.red().bold('✖ ' + atom) : kleur.yellow().bold('⚠ ' + atom)}  ${kleur.bold(findings[0]!.criterion)}`,
    );
    for (const f of findings) {
      const where = `${shown(f.file)}:${f.line}:${f.column}`;
      const commit = f.commit ? kleur.dim(` (in commit ${f.commit.slice(0, 10)})`) : '';
      out.push(`  ${kleur.cyan(where)}${commit}  ${shown(f.message)} ${kleur.dim(f.rule)}`);
      if (f.excerpt) out.push(`    ${kleur.dim('│')} ${shown(f.excerpt)}`);
      if (f.fix) out.push(`    ${kleur.dim('│')} ${kleur.green('fix:')} ${f.fix}`);
      // The guard's own findings (a weakened policy or baseline) cannot be suppressed from inside the change.
      if (f.atom !== 'guard')
        out.push(
          `    ${kleur.dim('│')} ${kleur.dim('suppress:')} ${kleur.dim(shown(suppressionComment(f.file, f.rule)))}`,
        );
    }
    out.push('');
  }

  for (const failure of report.failures)
    out.push(
      kleur.magenta(
        `! ${failure.atom === '*' ? '' : failure.atom + ': '}${shown(failure.file)}: ${shown(failure.message)}`,
      ),
    );
  for (const note of report.notes) out.push(kleur.dim(`· ${shown(note)}`));
  if (report.failures.length || report.notes.length) out.push('');

  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const counts = [plural(errors, 'blocking finding'), plural(warnings, 'warning')]
    .filter((s) => !s.startsWith('0 '))
    .join(', ');
  const scope = kleur.dim(
    `${summary.judged ? '' : `${summary.mode}: `}${plural(summary.files, 'file')}${summary.judged ? ` ${summary.judged}` : ''}, ${plural(summary.atoms, 'atom')}, ${summary.durationMs} ms${summary.suppressed ? `, ${summary.suppressed} suppressed` : ''}`,
  );
  if (summary.blocked) {
    out.push(`${kleur.red().bold(`✖ ralph-guard: ${counts}. ${opts.outcome}.`)} ${scope}`);
    out.push(
      kleur.dim(
        '  Fix what is listed, or suppress a finding you have judged safe with the comment shown (a reason is required reading for reviewers).',
      ),
    );
  } else if (report.findings.length) {
    out.push(`${kleur.yellow().bold(`⚠ ralph-guard: ${counts}.`)} ${scope}`);
  } else {
    out.push(`${kleur.green().bold('✔ ralph-guard: every criterion passes.')} ${scope}`);
  }
  return out.join('\n') + '\n';
}

/**
 * Text from the repository (file names, lines, program output) with its control
 * characters made visible: an escape sequence in a file name or a line must not
 * reach the terminal, where it could rewrite what the user reads.
 */
export function shown(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
