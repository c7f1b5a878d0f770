/**
 * Suppression marks that count for nothing (src/suppressions.ts): outside a
 * real comment, without a reason, off-screen to the right, or naming no atom
 * or rule. Each on an added line is a warning `ralph-guard/suppression` with a
 * did-you-mean, so a mistyped mark is seen rather than silently ignored.
 */
import { excerpt, maskSpans } from '../changeset/text.js';
import { touchesAddedLine } from '../filter.js';
import type { Finding } from '../findings.js';
import type { SourceFile } from '../kit/atom.js';
import type { Policy } from '../policy/policy.js';
import type { ActiveAtom } from '../router.js';
import { didYouMean } from '../suggest.js';
import { MARK, markWarnings } from '../suppressions.js';

export async function suppressionWarnings(
  source: SourceFile,
  file: { path: string; commit?: string },
  atoms: readonly ActiveAtom[],
  policy: Policy,
): Promise<Finding[]> {
  const { BUILTIN_IDS, loadAtom } = await import('../atoms/index.js');
  const custom = new Map(policy.custom.map((c) => [c.id, c.checks.map((check) => check.name)]));
  const atomIds = [...new Set([...BUILTIN_IDS, ...custom.keys()])];
  const rulesOf = async (id: string): Promise<string[]> => {
    if (custom.has(id)) return custom.get(id)!;
    const active = atoms.find((a) => a.id === id);
    const atom = active ? (active.atom ?? (await active.load())) : await loadAtom(id);
    return Object.keys(atom.rules);
  };
  const check = async (target: string): Promise<string | null> => {
    const [id, rule] = target.split('/') as [string, string | undefined];
    if (!atomIds.includes(id)) return `an unknown atom "${id}"${didYouMean(id, atomIds)}`;
    if (rule === undefined) return null;
    const rules = await rulesOf(id);
    return rules.includes(rule)
      ? null
      : `an unknown rule "${target}"${didYouMean(rule, rules).replace(/"([^"]+)"\?\)$/, `"${id}/$1"?)`)}`;
  };
  const warnings = (await markWarnings(source, check)).filter((w) => touchesAddedLine(source, w.line));
  if (!warnings.length) return [];
  const { secretSpans } = await import('../atoms/secrets.js');
  return warnings.map((w) => {
    const line = source.lines()[w.line - 1] ?? '';
    return {
      atom: 'ralph-guard',
      rule: 'ralph-guard/suppression',
      severity: 'warning' as const,
      file: file.path,
      line: w.line,
      column: w.column,
      message: w.message,
      criterion: `A finding is suppressed only by \`${MARK} <atom>[/<rule>] -- <reason>\` in a comment on its line or the line above.`,
      fix: `Write it as \`${MARK} <atom>[/<rule>] -- <reason>\`, at the start of a comment of the file's language, with a real atom or rule (\`ralph-guard atoms\`).`,
      excerpt: excerpt(maskSpans(line, secretSpans(file.path, line)), w.column),
      ...(file.commit ? { commit: file.commit } : {}),
    };
  });
}
