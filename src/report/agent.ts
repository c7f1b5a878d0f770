/**
 * `--format agent`: short Markdown for an AI coding assistant (DESIGN §6).
 * A one-line summary first; then, most severe first and grouped by atom so
 * the criteria are said once, what failed, the pass criterion to reach, each
 * place (`file:line`, the masked line, the fix; places sharing a rule and a
 * fix are listed under it, the fix said once) and the secure pattern to
 * follow (the atom's closest good example). Long reports are cut, with a
 * count of what was left out, so a hook's message stays readable.
 */
import type { AnyAtom } from '../kit/atom.js';
import type { Finding, Report } from '../findings.js';
import type { ReportOptions } from './format.js';
import { groupFindings } from './groups.js';
import { groupSkips } from './skips.js';
import { closestGoodExample, fence, fenceLanguage, inlineCode } from './patterns.js';
import { plural } from '../words.js';

export interface AgentOptions extends Partial<ReportOptions> {
  /** A line under the summary (the Stop hook's round counter, say). */
  preface?: string;
  /** The command that re-checks. */
  verify?: string;
  maxFindings?: number;
  maxChars?: number;
}

export function formatAgent(report: Report, opts: AgentOptions = {}): string {
  const maxFindings = opts.maxFindings ?? 20;
  const maxChars = opts.maxChars ?? 9000;
  const verify = opts.verify ?? `npx ralph-guard check --${report.summary.mode} --format agent`;
  const { findings, summary } = report;
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const files = new Set(findings.map((f) => f.file));
  const atomIds = [...new Set(findings.map((f) => f.atom))];
  const out: string[] = [];

  const waiting = (report.reviews ?? []).filter((r) => r.level !== 'warn' && !r.acknowledged).length;
  if (!findings.length && waiting) {
    out.push(
      `**ralph-guard: ${plural(waiting, 'high-risk area')} ${waiting === 1 ? 'waits' : 'wait'} for a human review.${summary.blocked ? ` ${opts.outcome ?? 'Blocked'}.` : ''}**`,
    );
  } else if (!findings.length) {
    out.push(
      `**ralph-guard: every criterion passes** (${summary.mode}: ${plural(summary.files, 'file')}, ${plural(summary.atoms, 'atom')}${summary.suppressed ? `, ${summary.suppressed} suppressed` : ''}).`,
    );
  } else {
    const counts = [errors ? plural(errors, 'blocking finding') : '', warnings ? plural(warnings, 'warning') : '']
      .filter(Boolean)
      .join(' and ');
    const where = files.size === 1 ? [...files][0] : plural(files.size, 'file');
    const outcome = summary.blocked ? ` ${opts.outcome ?? 'Blocked'}.` : '';
    out.push(`**ralph-guard: ${counts} (${atomIds.join(', ')}) in ${where}.${outcome}**`);
  }
  if (opts.preface) out.push('', opts.preface);
  if (findings.length) {
    out.push(
      '',
      `Make each atom's pass criterion hold, following its secure pattern; then re-check with \`${verify}\`.`,
    );
  }

  const atomsById = new Map<string, AnyAtom>(report.atoms.map((a) => [a.id, a]));
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.atom, [...(groups.get(f.atom) ?? []), f]);

  let shown = 0;
  let index = 0;
  for (const [id, group] of groups) {
    if (shown >= maxFindings || length(out) >= maxChars) break;
    const atom = atomsById.get(id);
    const section: string[] = [''];
    index++;
    const blocking = group.some((f) => f.severity === 'error');
    section.push(`### ${index}. ${id}${atom ? ` — ${atom.title}` : ''} (${blocking ? 'blocking' : 'warning'})`);
    section.push(`- **Failed:** ${group[0]!.criterion}`);
    if (atom) section.push(`- **Pass when:** ${atom.criteria.pass}`);
    const listed: Finding[] = [];
    const fits = (entry: string[]) => length(out) + length(section) + length(entry) <= maxChars || shown === 0;
    // Findings sharing a rule and a fix are one item: the places listed, the fix said once.
    for (const same of groupFindings(group)) {
      if (shown >= maxFindings) break;
      const first = same[0]!;
      const fix = first.fix ? [`  Fix: ${first.fix}`] : [];
      if (same.length === 1) {
        const entry = [`- \`${first.file}:${first.line}\` ${first.message} (\`${first.rule}\`)`];
        if (first.excerpt) entry.push(`  Found: ${inlineCode(first.excerpt)}`);
        if (!fits([...entry, ...fix])) break;
        section.push(...entry, ...fix);
        listed.push(first);
        shown++;
        continue;
      }
      const oneMessage = same.every((f) => f.message === first.message);
      const places: string[] = [];
      for (const f of same) {
        if (shown >= maxFindings) break;
        const place = [
          `  - \`${f.file}:${f.line}\`${oneMessage ? '' : ` ${f.message}`}${f.excerpt ? ` Found: ${inlineCode(f.excerpt)}` : ''}`,
        ];
        if (!fits([...places, ...place, ...fix])) break;
        places.push(...place);
        listed.push(f);
        shown++;
      }
      if (!places.length) break;
      section.push(
        `- \`${first.rule}\` in ${same.length} places${oneMessage ? `: ${first.message}` : ''}`,
        ...places,
        ...fix,
      );
    }
    const example = atom ? closestGoodExample(atom, listed) : null;
    if (example && length(out) + length(section) + example.code.length < maxChars) {
      section.push('', `Secure pattern (${id}):`, fence(example.code, fenceLanguage(example.file)));
    }
    out.push(...section);
  }

  const left = findings.length - shown;
  if (left > 0) {
    const leftFiles = new Set(findings.slice(shown).map((f) => f.file)).size;
    out.push(
      '',
      `_…and ${plural(left, 'more finding')} in ${plural(leftFiles, 'file')} not shown: run \`${verify.replace(/ --format agent$/, '')}\` to list them all._`,
    );
  }
  if (report.failures.length) {
    out.push(
      '',
      `Could not check everything: ${report.failures
        .slice(0, 3)
        .map((f) => `${f.atom === '*' ? '' : `${f.atom}: `}${f.file}: ${f.message.split('\n')[0]}`)
        .join('; ')}${report.failures.length > 3 ? ` (and ${report.failures.length - 3} more)` : ''}.`,
    );
  }
  const skips = groupSkips(report);
  if (skips.length) {
    out.push('', `Not checked, or only in part: ${skips.map((g) => `${g.reason}: ${g.files}`).join('; ')}.`);
  }
  out.push(...reviewSection(report));
  if (findings.length) {
    out.push(
      '',
      'Fix the code rather than silencing the check; if you are sure a finding is a false positive, tell the user why instead of suppressing it.',
    );
  }
  return out.join('\n') + '\n';
}

/**
 * The high-risk areas the change touches. Those waiting for a person are the
 * assistant's cue to stop and ask: only a human acknowledges them.
 */
function reviewSection(report: Report): string[] {
  const reviews = report.reviews ?? [];
  if (!reviews.length) return [];
  const waiting = reviews.filter((r) => r.level !== 'warn' && !r.acknowledged);
  const where = (r: (typeof reviews)[number]) =>
    `${r.places.map((p) => `\`${p.file}:${p.line}\``).join(', ')}${r.commit ? ` (commit ${r.commit.slice(0, 10)})` : ''}`;
  const out = ['', `### High-risk areas (${reviews.length})`];
  for (const r of reviews) {
    const state = r.acknowledged
      ? `acknowledged by ${r.by ?? 'a reviewer'}`
      : r.level === 'warn'
        ? 'listed for a human (level warn)'
        : 'WAITS FOR A HUMAN REVIEW';
    out.push(`- **${r.area}** — ${r.title}: ${where(r)}; ${state}. Pass when: ${r.criterion}`);
  }
  if (waiting.length)
    out.push(
      '',
      `**Stop and ask your human to review ${waiting.map((r) => r.area).join(', ')}.** A person acknowledges it with a \`Security-Reviewed-by: Name <email>\` trailer in the commit message or by running \`ralph-guard approve\` at their terminal. Do not add the trailer yourself, run \`approve\`, or work around the check (no \`--no-verify\`, no policy, baseline or suppression edits, no moving the code): tell your human what changed and why, and wait.`,
    );
  return out;
}

function length(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) n += l.length + 1;
  return n;
}
