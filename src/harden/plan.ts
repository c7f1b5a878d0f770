/**
 * The two-pass rule's pass 2 as a task list (DESIGN §10): pass 1 wrote the
 * feature; `ralph-guard harden` turns that change into the task of a fresh
 * assistant session whose only job is to secure it. For each atom the change
 * touches and fails: its pass criterion, the failing findings with their
 * places, the secure pattern from the atom's good examples, and the exact
 * `ralph-guard check` command that exits 0 once the task is done. Atoms the
 * change touches and passes are listed as passing. Data first (`HardenPlan`),
 * Markdown and JSON from it.
 */
import type { AnyAtom } from '../kit/atom.js';
import type { Finding, Report } from '../findings.js';
import { closestGoodExample, fence, fenceLanguage, inlineCode } from '../report/patterns.js';

export type HardenMode = { kind: 'worktree' } | { kind: 'staged' } | { kind: 'since'; ref: string };

export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed' | 'untracked';
}

export interface HardenTask {
  /** 1-based, in the order to work. */
  n: number;
  kind: 'atom';
  atom: string;
  title: string;
  level: 'block' | 'warn';
  criterion: { pass: string; fail: string };
  findings: Array<Pick<Finding, 'rule' | 'file' | 'line' | 'column' | 'message' | 'fix' | 'excerpt'>>;
  securePattern: { file: string; code: string } | null;
  /** Exits 0 exactly when this task is done. */
  check: string;
}

/** A high-risk area the change touches: a person reviews it (DESIGN §10); the assistant stops and asks. */
export interface ReviewTask {
  n: number;
  kind: 'review';
  area: string;
  title: string;
  /** review: refused until acknowledged; block: refused. */
  level: 'review' | 'block';
  criterion: { pass: string; fail: string };
  places: Array<{ file: string; line: number; excerpt: string; commit?: string }>;
  /** What the person runs (or writes) to acknowledge it. */
  acknowledge: { command: string; trailer: string };
}

export interface HardenPlan {
  version: 1;
  mode: HardenMode;
  files: ChangedFile[];
  tasks: Array<HardenTask | ReviewTask>;
  /** High-risk areas a person already acknowledged. */
  reviewed: Array<{ area: string; by: string }>;
  /** High-risk areas at level warn: for the person to look at, not tasks (nothing refuses them). */
  listed: Array<{ area: string; title: string; places: string[] }>;
  /** Atoms the change touches that already pass. */
  passing: Array<{ atom: string; title: string; pass: string }>;
  /** Exits 0 when the whole change passes (empty when there is no task). */
  check: string;
}

/** The `check` mode that judges the pass-2 result the way `harden` judged pass 1. */
export function checkFlag(mode: HardenMode): string {
  return mode.kind === 'staged' ? '--staged' : mode.kind === 'since' ? '--all' : '--worktree';
}

export function quoteArg(arg: string): string {
  return /^[\w./@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function buildPlan(report: Report, mode: HardenMode, files: ChangedFile[]): HardenPlan {
  const levels = report.levels ?? {};
  const atoms = new Map<string, AnyAtom>(report.atoms.map((a) => [a.id, a]));
  const byAtom = new Map<string, Finding[]>();
  for (const f of report.findings) byAtom.set(f.atom, [...(byAtom.get(f.atom) ?? []), f]);
  const flag = checkFlag(mode);
  const scope = (paths: string[]) => paths.map(quoteArg).join(' ');

  // An atom at warn blocks through a rule the policy puts at block (its findings are errors).
  const warnOnly = (id: string) => levels[id] === 'warn' && !byAtom.get(id)!.some((f) => f.severity === 'error');
  // Blocking atoms first, then warnings; within each, the atom with the most findings first.
  const failing = [...byAtom.entries()].sort(
    ([a, fa], [b, fb]) => Number(warnOnly(a)) - Number(warnOnly(b)) || fb.length - fa.length || a.localeCompare(b),
  );
  const tasks: Array<HardenTask | ReviewTask> = failing.map(([id, findings], i) => {
    const atom = atoms.get(id);
    const level = warnOnly(id) ? 'warn' : 'block';
    const paths = [...new Set(findings.map((f) => f.file))];
    const pattern = atom ? closestGoodExample(atom, findings) : null;
    return {
      n: i + 1,
      kind: 'atom',
      atom: id,
      title: atom?.title ?? id,
      level,
      criterion: {
        pass: atom?.criteria.pass ?? findings[0]!.criterion,
        fail: atom?.criteria.fail ?? findings[0]!.criterion,
      },
      findings: findings.map(({ rule, file, line, column, message, fix, excerpt }) => ({
        rule,
        file,
        line,
        column,
        message,
        ...(fix ? { fix } : {}),
        excerpt,
      })),
      securePattern: pattern ? { file: pattern.file, code: pattern.code } : null,
      // A warning does not fail `check` by itself: --fail-on warn makes it count.
      check: `npx ralph-guard check ${flag} --atoms ${id}${level === 'warn' ? ' --fail-on warn' : ''} ${scope(paths)}`,
    };
  });
  // Then the high-risk areas, for a person: after the code is final, so the review sees what lands.
  const reviews = report.reviews ?? [];
  // Areas at level warn are listed for the person, not tasks: nothing refuses them.
  for (const r of reviews.filter((x) => !x.acknowledged && x.level !== 'warn')) {
    tasks.push({
      n: tasks.length + 1,
      kind: 'review',
      area: r.area,
      title: r.title,
      level: r.level as ReviewTask['level'],
      criterion: { pass: r.criterion, fail: r.fail ?? r.criterion },
      places: r.places.map((p) => ({
        file: p.file,
        line: p.line,
        excerpt: p.excerpt,
        ...(r.commit ? { commit: r.commit } : {}),
      })),
      acknowledge: {
        command: `npx ralph-guard approve${mode.kind === 'staged' ? ' --staged' : mode.kind === 'worktree' ? ' --worktree' : ''}`,
        trailer: 'Security-Reviewed-by: Name <email>',
      },
    });
  }
  const reviewed = reviews.filter((r) => r.acknowledged).map((r) => ({ area: r.area, by: r.by ?? 'a reviewer' }));
  const listed = reviews
    .filter((r) => !r.acknowledged && r.level === 'warn')
    .map((r) => ({ area: r.area, title: r.title, places: r.places.map((p) => `${p.file}:${p.line}`) }));
  const passing = report.atoms
    .filter((a) => !byAtom.has(a.id))
    .map((a) => ({ atom: a.id, title: a.title, pass: a.criteria.pass }))
    .sort((a, b) => a.atom.localeCompare(b.atom));
  const whole =
    mode.kind === 'since'
      ? `npx ralph-guard check --all ${scope(files.filter((f) => f.status !== 'deleted').map((f) => f.path))}`
      : `npx ralph-guard check ${flag}`;
  return { version: 1, mode, files, tasks, reviewed, listed, passing, check: tasks.length ? whole : '' };
}

function describeMode(mode: HardenMode): string {
  if (mode.kind === 'staged') return 'the staged change';
  if (mode.kind === 'since') return `the change since ${inlineCode(mode.ref)}`;
  return 'the working change against HEAD';
}

export function formatPlanMarkdown(plan: HardenPlan): string {
  const out: string[] = [
    '# Pass 2: secure the change',
    '',
    `Pass 1 wrote a feature (${describeMode(plan.mode)}). This session has one job: make that code pass every security atom it touches, keeping what the feature does. Work through the tasks in order. A task is done when its check command exits 0; do not finish while one fails.`,
    '',
    'Rules: do not skip or weaken the guard (no `--no-verify`, no `ralph-guard-ignore` comments, no baseline, no policy edits). If a finding looks wrong, stop and ask your human.',
    '',
    `## Files of pass 1 (${plan.files.length})`,
    '',
    ...(plan.files.length ? plan.files.map((f) => `- ${inlineCode(f.path)} (${f.status})`) : ['_No changed file._']),
    '',
    `## Tasks (${plan.tasks.length})`,
  ];
  if (!plan.tasks.length) {
    out.push('', 'None: every atom this change touches passes. Nothing to harden.');
  }
  for (const t of plan.tasks) {
    if (t.kind === 'review') {
      out.push(...reviewTaskMarkdown(t));
      continue;
    }
    out.push(
      '',
      `### ${t.n}. \`${t.atom}\`: ${t.title}${t.level === 'warn' ? ' (warning)' : ''}`,
      '',
      `- **Pass when:** ${t.criterion.pass}`,
      `- **Fails now:** ${t.criterion.fail}`,
    );
    for (const f of t.findings) {
      out.push(
        `  - ${inlineCode(`${f.file}:${f.line}:${f.column}`)} ${f.rule}: ${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`,
      );
    }
    if (t.securePattern)
      out.push(
        '',
        `Secure pattern (${inlineCode(t.securePattern.file)}):`,
        '',
        fence(t.securePattern.code, fenceLanguage(t.securePattern.file)),
      );
    out.push('', `**Check:** ${inlineCode(t.check)} exits 0.`);
  }
  if (plan.tasks.length) {
    out.push(
      '',
      `### ${plan.tasks.length + 1}. The whole change`,
      '',
      `**Check:** ${inlineCode(plan.check)} exits 0 (every atom, nothing new broken${plan.tasks.some((t) => t.kind === 'review') ? ', and the high-risk areas above acknowledged by your human' : ''}).`,
    );
  }
  if (plan.listed.length) {
    out.push('', `## High-risk areas for your human to look at (${plan.listed.length}, level warn: not blocking)`, '');
    for (const r of plan.listed) out.push(`- \`${r.area}\`: ${r.title} (${r.places.map(inlineCode).join(', ')})`);
  }
  if (plan.reviewed.length) {
    out.push('', `## High-risk areas already reviewed (${plan.reviewed.length})`, '');
    for (const r of plan.reviewed) out.push(`- \`${r.area}\`: acknowledged by ${r.by}`);
  }
  if (plan.passing.length) {
    out.push('', `## Already passing (${plan.passing.length})`, '');
    for (const p of plan.passing) out.push(`- \`${p.atom}\`: ${p.pass}`);
  }
  return out.join('\n') + '\n';
}

function reviewTaskMarkdown(t: ReviewTask): string[] {
  const level = t.level === 'block' ? ' (level block)' : '';
  return [
    '',
    `### ${t.n}. A human reviews \`${t.area}\`: ${t.title}${level}`,
    '',
    `- **Pass when:** ${t.criterion.pass}`,
    `- **Touches:**`,
    ...t.places.map(
      (p) =>
        `  - ${inlineCode(`${p.file}:${p.line}`)}${p.commit ? ` (commit ${p.commit.slice(0, 10)})` : ''}${p.excerpt ? ` ${inlineCode(p.excerpt)}` : ''}`,
    ),
    '',
    `This task is your human's, not yours: when the tasks above are done, stop and ask them to review it. They acknowledge it by running ${inlineCode(t.acknowledge.command)} at their terminal (it records the reviewed content; an edit asks again) or with a ${inlineCode(t.acknowledge.trailer)} trailer in the commit message. Do not add the trailer or run \`approve\` yourself.`,
  ];
}

export function formatPlanJson(plan: HardenPlan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}
