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

export interface HardenPlan {
  version: 1;
  mode: HardenMode;
  files: ChangedFile[];
  tasks: HardenTask[];
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

  // Blocking atoms first, then warnings; within each, the atom with the most findings first.
  const failing = [...byAtom.entries()].sort(
    ([a, fa], [b, fb]) =>
      Number(levels[a] === 'warn') - Number(levels[b] === 'warn') || fb.length - fa.length || a.localeCompare(b),
  );
  const tasks: HardenTask[] = failing.map(([id, findings], i) => {
    const atom = atoms.get(id);
    const level = levels[id] === 'warn' ? 'warn' : 'block';
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
  const passing = report.atoms
    .filter((a) => !byAtom.has(a.id))
    .map((a) => ({ atom: a.id, title: a.title, pass: a.criteria.pass }))
    .sort((a, b) => a.atom.localeCompare(b.atom));
  const whole =
    mode.kind === 'since'
      ? `npx ralph-guard check --all ${scope(files.filter((f) => f.status !== 'deleted').map((f) => f.path))}`
      : `npx ralph-guard check ${flag}`;
  return { version: 1, mode, files, tasks, passing, check: tasks.length ? whole : '' };
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
      `**Check:** ${inlineCode(plan.check)} exits 0 (every atom, nothing new broken).`,
    );
  }
  if (plan.passing.length) {
    out.push('', `## Already passing (${plan.passing.length})`, '');
    for (const p of plan.passing) out.push(`- \`${p.atom}\`: ${p.pass}`);
  }
  return out.join('\n') + '\n';
}

export function formatPlanJson(plan: HardenPlan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}
