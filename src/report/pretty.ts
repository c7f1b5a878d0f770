/**
 * `--format pretty`: for a person at a terminal. Findings grouped by atom under
 * the atom's fail criterion; each with where, a masked excerpt, the fix and the
 * exact comment that suppresses it. Colour only on a TTY without NO_COLOR.
 */
import kleur from 'kleur';
import type { Finding, Report } from '../findings.js';
import { suppressionComment } from './comments.js';
import { groupFindings } from './groups.js';
import { groupSkips } from './skips.js';
import type { ReportOptions } from './format.js';
import { plural } from '../words.js';

/** Locations shown per group; the rest are counted (`--format json` lists every one). */
const SHOWN_LOCATIONS = 10;

export function formatPretty(report: Report, opts: ReportOptions): string {
  kleur.enabled = opts.color;
  const width = Math.max(40, opts.width ?? 80);
  const out: string[] = [];
  const { summary } = report;
  const gutter = `    ${kleur.dim('│')} `;
  const wrapped = (first: string, units: string[], rest: string) => out.push(...wrap(first, units, rest, width));

  const byAtom = new Map<string, Finding[]>();
  for (const f of report.findings) byAtom.set(f.atom, [...(byAtom.get(f.atom) ?? []), f]);

  for (const [atom, findings] of byAtom) {
    const blocking = findings.some((f) => f.severity === 'error');
    const mark = blocking ? kleur.red().bold('✖ ' + atom) : kleur.yellow().bold('⚠ ' + atom);
    wrapped(
      `${mark}  `,
      words(findings[0]!.criterion).map((w) => kleur.bold(w)),
      '  ',
    );
    for (const group of groupFindings(findings)) {
      const first = group[0]!;
      // The message once, under the rule, when every place says the same; else each place says its own.
      const oneMessage = group.length > 1 && group.every((f) => f.message === first.message);
      if (group.length > 1)
        wrapped(
          '  ',
          [
            kleur.bold(first.rule),
            kleur.dim(`(${group.length} places)`),
            ...(oneMessage ? words(shown(first.message)) : []),
          ],
          '    ',
        );
      for (const f of group.slice(0, SHOWN_LOCATIONS)) {
        const commit = f.commit ? [kleur.dim(`(in commit ${f.commit.slice(0, 10)})`)] : [];
        const message = oneMessage ? [] : words(shown(f.message));
        const rule = group.length > 1 ? [] : [kleur.dim(f.rule)];
        const after = [...commit, ...message, ...rule];
        // Two spaces between the place and what follows it.
        const where = kleur.cyan(`${shown(f.file)}:${f.line}:${f.column}`) + (after.length ? ' ' : '');
        wrapped('  ', [where, ...after], '    ');
        if (f.excerpt) wrapped(gutter, words(shown(f.excerpt)), gutter);
      }
      if (group.length > SHOWN_LOCATIONS) {
        const hidden = group.slice(SHOWN_LOCATIONS);
        const files = new Set(hidden.map((f) => f.file)).size;
        const more = `… and ${hidden.length} more${files > 1 ? ` in ${files} files` : ''} (\`--format json\` lists every one)`;
        wrapped(
          gutter,
          words(more).map((w) => kleur.dim(w)),
          gutter,
        );
      }
      if (first.fix) wrapped(gutter, [kleur.green('fix:'), ...words(first.fix)], `${gutter}     `);
      // The guard's own findings (a weakened policy or baseline) cannot be suppressed from inside the change.
      const suppress = first.atom === 'guard' ? [] : [...new Set(group.map((f) => suppressionComment(f.file, f.rule)))];
      // The comment is one unit: a user copies it whole.
      for (const comment of suppress) wrapped(gutter, [kleur.dim('suppress:'), kleur.dim(shown(comment))], gutter);
    }
    out.push('');
  }

  for (const failure of report.failures)
    wrapped(
      kleur.magenta('! '),
      [
        ...(failure.atom === '*' ? [] : [kleur.magenta(`${failure.atom}:`)]),
        kleur.magenta(`${shown(failure.file)}:`),
        ...words(shown(failure.message)).map((w) => kleur.magenta(w)),
      ],
      '  ',
    );
  // Skipped files one line per reason, with a count; the other notes as they are.
  const skipNotes = new Set(report.skipped?.map((s) => s.note));
  for (const group of groupSkips(report))
    wrapped(
      kleur.dim('· '),
      words(shown(`${group.reason}: ${group.files}`)).map((w) => kleur.dim(w)),
      '  ',
    );
  for (const note of report.notes)
    if (!skipNotes.has(note))
      wrapped(
        kleur.dim('· '),
        words(shown(note)).map((w) => kleur.dim(w)),
        '  ',
      );
  if (report.reviews?.length) {
    // One section: every high-risk area the change touches, and whether a person acknowledged it.
    out.push(kleur.bold('High-risk areas (a person reviews these):'));
    for (const r of report.reviews) {
      const state = r.acknowledged
        ? words(`acknowledged by ${shown(r.by ?? 'a reviewer')}`).map((w) => kleur.green(w))
        : r.level === 'review' || r.level === 'block'
          ? words('NOT acknowledged: needs a Security-Reviewed-by: Name <email> trailer or `ralph-guard approve`').map(
              (w) => kleur.red().bold(w),
            )
          : words('listed (level warn)').map((w) => kleur.yellow(w));
      const commit = r.commit ? [kleur.dim(`(commit ${r.commit.slice(0, 10)}):`)] : [];
      const area = kleur.bold(`${r.area}${commit.length ? '' : ':'}`);
      wrapped(`  ${r.level === 'warn' ? '⚠' : '◆'} `, [area, ...commit, ...state], '    ');
      for (const p of r.places)
        wrapped(
          '    ',
          [kleur.cyan(`${shown(p.file)}:${p.line}`) + ' ', ...words(shown(p.excerpt)).map((w) => kleur.dim(w))],
          '      ',
        );
      wrapped('    ', [kleur.dim('pass when:'), ...words(r.criterion)], '               ');
    }
    out.push('');
  }
  if (report.failures.length || report.notes.length) out.push('');

  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const waiting = (report.reviews ?? []).filter((r) => r.level !== 'warn' && !r.acknowledged).length;
  const counts = [
    plural(errors, 'blocking finding'),
    plural(warnings, 'warning'),
    plural(waiting, 'high-risk area') + (waiting ? ' waiting for a review' : ''),
  ]
    .filter((s) => !s.startsWith('0 '))
    .join(', ');
  const scope = kleur.dim(
    `${summary.judged ? '' : `${summary.mode}: `}${plural(summary.files, 'file')}${summary.judged ? ` ${summary.judged}` : ''}, ${plural(summary.atoms, 'atom')}, ${summary.durationMs} ms${summary.suppressed ? `, ${summary.suppressed} suppressed` : ''}`,
  );
  if (summary.blocked) {
    wrapped('', [...words(`✖ ralph-guard: ${counts}. ${opts.outcome}.`).map((w) => kleur.red().bold(w)), scope], '  ');
    wrapped(
      '  ',
      words(
        'Fix what is listed, or suppress a finding you have judged safe with the comment shown (a reason is required reading for reviewers).',
      ).map((w) => kleur.dim(w)),
      '  ',
    );
  } else if (report.findings.length) {
    wrapped('', [...words(`⚠ ralph-guard: ${counts}.`).map((w) => kleur.yellow().bold(w)), scope], '  ');
  } else if (report.failures.length) {
    // An analysis that failed is never a pass, even when its atom's level lets the change through.
    wrapped(
      '',
      [
        ...words(
          `⚠ ralph-guard: ${plural(report.failures.length, 'check')} could not run; not every criterion was checked.`,
        ).map((w) => kleur.yellow().bold(w)),
        scope,
      ],
      '  ',
    );
  } else {
    wrapped('', [...words('✔ ralph-guard: every criterion passes.').map((w) => kleur.green().bold(w)), scope], '  ');
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

const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (text: string) => text.replace(ANSI, '').length;
const words = (text: string) => text.split(/ +/).filter(Boolean);

/**
 * Lays `units` out in lines of at most `width` columns: the first line after
 * `first`, the next ones after `rest` (the gutter). A unit is never split
 * (a file path, a masked value, a word): one longer than a line gets a line
 * of its own. Colour codes take no columns.
 */
export function wrap(first: string, units: string[], rest: string, width: number): string[] {
  const lines: string[] = [];
  let line = first;
  let used = visible(first);
  let empty = true;
  for (const unit of units) {
    const size = visible(unit);
    if (!empty && used + 1 + size > width) {
      lines.push(line);
      line = rest;
      used = visible(rest);
      empty = true;
    }
    line += (empty ? '' : ' ') + unit;
    used += (empty ? 0 : 1) + size;
    empty = false;
  }
  lines.push(line);
  return lines;
}
