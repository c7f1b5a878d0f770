/**
 * `--format sarif`: SARIF 2.1.0 as GitHub code scanning takes it (DESIGN §6).
 * One run; the tool lists every rule of every atom that ran, with the atom's
 * criteria, fix and secure pattern as `help` Markdown, its level as
 * `defaultConfiguration.level` and a `security-severity`; each result has a
 * region, a `partialFingerprints` entry (the baseline fingerprint: rule, file,
 * normalised line, occurrence) and, when suppressed inline or by the
 * baseline, a `suppressions` entry. URIs are relative to `%SRCROOT%` (the
 * repository root). The log is kept under GitHub's limits: at most 25,000
 * results and 10 MB, the least severe results left out first, with a
 * notification saying so.
 */
import type { AnyAtom } from '../kit/atom.js';
import type { Finding, Report, Suppressed } from '../findings.js';
import type { ReportOptions } from './format.js';
import { closestGoodExample, fence, fenceLanguage } from './patterns.js';

declare const RALPH_GUARD_VERSION: string;
const VERSION = typeof RALPH_GUARD_VERSION === 'string' ? RALPH_GUARD_VERSION : '0.0.0';
const INFORMATION_URI = 'https://github.com/ralph-guard/ralph-guard#readme';
export const FINGERPRINT_KEY = 'ralphGuard/v1';
export const SARIF_LIMITS = { bytes: 10 * 1024 * 1024, results: 25_000 };

const SECURITY_SEVERITY = { error: '8.0', warning: '5.0' } as const;

interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: 'error' | 'warning' };
  properties: { tags: string[]; precision: string; 'security-severity': string; 'problem.severity': string };
}

/** `src/my file.js` → `src/my%20file.js`: a relative URI reference, segment by segment. */
export function fileUri(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function pascal(text: string): string {
  return text.replace(/(?:^|[-/_\s]+)([a-z0-9])/gi, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');
}

function ruleFor(
  atom: AnyAtom | undefined,
  ruleId: string,
  level: 'error' | 'warning',
  sample: Finding | undefined,
): Rule {
  const name = ruleId.slice(ruleId.indexOf('/') + 1);
  const rule = atom?.rules[name];
  const fail = atom?.criteria.fail ?? sample?.criterion ?? ruleId;
  const pass = atom?.criteria.pass;
  const fix = rule?.fix ?? sample?.fix;
  const example = atom ? closestGoodExample(atom, sample ? [sample] : [{ file: '', excerpt: '', rule: ruleId }]) : null;
  const markdown = [
    `**${atom ? `${atom.id}: ${atom.title}` : ruleId}**`,
    '',
    `- **Fails when:** ${fail}`,
    ...(pass ? [`- **Passes when:** ${pass}`] : []),
    ...(fix ? [`- **Fix:** ${fix}`] : []),
    ...(example ? ['', 'Secure pattern:', '', fence(example.code, fenceLanguage(example.file))] : []),
    '',
    `Suppress a finding you judged safe with a comment on its line: \`ralph-guard-ignore ${ruleId} -- <reason>\`.`,
  ].join('\n');
  const text = [`Fails when: ${fail}`, ...(pass ? [`Passes when: ${pass}`] : []), ...(fix ? [`Fix: ${fix}`] : [])].join(
    '\n',
  );
  return {
    id: ruleId,
    name: pascal(ruleId),
    shortDescription: { text: rule?.message ?? sample?.message ?? fail },
    fullDescription: { text: atom ? `${atom.title}. ${fail}` : fail },
    help: { text, markdown },
    helpUri: INFORMATION_URI,
    defaultConfiguration: { level },
    properties: {
      tags: ['security', `ralph-guard/${atom?.id ?? ruleId.split('/')[0]}`],
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[level],
      'problem.severity': level === 'error' ? 'error' : 'warning',
    },
  };
}

/** Also takes the report options every format gets (it uses none of them). */
export function formatSarif(
  report: Report,
  opts: Partial<ReportOptions> & { maxBytes?: number; maxResults?: number } = {},
): string {
  const maxBytes = opts.maxBytes ?? SARIF_LIMITS.bytes;
  const maxResults = opts.maxResults ?? SARIF_LIMITS.results;
  const levelOf = (ruleId: string, atomId: string): 'error' | 'warning' =>
    (report.levels?.[ruleId] ?? report.levels?.[atomId] ?? 'block') === 'block' ? 'error' : 'warning';

  // Every rule of every atom that ran, then any rule a finding names that its atom does not declare.
  const rules: Rule[] = [];
  const index = new Map<string, number>();
  const all: Array<Finding | Suppressed> = [...report.findings, ...report.suppressed];
  const addRule = (atom: AnyAtom | undefined, id: string, sample?: Finding) => {
    if (index.has(id)) return;
    index.set(id, rules.length);
    rules.push(ruleFor(atom, id, atom ? levelOf(id, atom.id) : (sample?.severity ?? 'error'), sample));
  };
  for (const atom of report.atoms) {
    for (const name of Object.keys(atom.rules))
      addRule(
        atom,
        `${atom.id}/${name}`,
        all.find((f) => f.rule === `${atom.id}/${name}`),
      );
  }
  for (const f of all)
    addRule(
      report.atoms.find((a) => a.id === f.atom),
      f.rule,
      f,
    );

  const result = (f: Finding | Suppressed) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule)!,
    level: f.severity,
    message: { text: f.fix ? `${f.message} Fix: ${f.fix}` : f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: fileUri(f.file), uriBaseId: '%SRCROOT%' },
          region: {
            startLine: f.line,
            startColumn: Math.max(1, f.column),
            ...(f.endLine && f.endLine > f.line ? { endLine: f.endLine } : {}),
            ...(f.excerpt ? { snippet: { text: f.excerpt } } : {}),
          },
        },
      },
    ],
    ...(f.fingerprint ? { partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint } } : {}),
    ...('suppression' in f
      ? {
          suppressions: [
            {
              kind: f.suppression.kind === 'inline' ? 'inSource' : 'external',
              status: 'accepted',
              ...(f.suppression.reason ? { justification: f.suppression.reason } : {}),
            },
          ],
        }
      : {}),
    ...(f.commit ? { properties: { commit: f.commit } } : {}),
  });

  const notifications: Array<{ level: 'error' | 'warning' | 'note'; message: { text: string } }> = [
    ...report.failures.map((f) => ({
      level: 'error' as const,
      message: { text: `${f.atom === '*' ? '' : `${f.atom}: `}${f.file}: ${f.message}` },
    })),
    ...report.notes.map((n) => ({ level: 'note' as const, message: { text: n } })),
  ];
  const log = (results: unknown[], extra: typeof notifications) => ({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ralph-guard',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The root of the repository that was checked.' } } },
        invocations: [
          {
            executionSuccessful: report.failures.length === 0,
            toolExecutionNotifications: [...notifications, ...extra],
          },
        ],
        columnKind: 'utf16CodeUnits',
        results,
        properties: {
          mode: report.summary.mode,
          summary: report.summary,
          notes: report.notes,
          skipped: (report.skipped ?? []).map(({ file, reason }) => ({ file, reason })),
        },
      },
    ],
  });

  // High-risk areas: one rule per area (its criteria as help), one `note` result per touched place.
  const reviewResults = (report.reviews ?? []).flatMap((r) => {
    const id = `review/${r.area}`;
    if (!index.has(id)) {
      index.set(id, rules.length);
      rules.push({
        id,
        name: r.area,
        shortDescription: { text: r.title },
        fullDescription: { text: `High-risk area: ${r.title}. A person reviews changes here.` },
        help: { text: r.criterion, markdown: `**Pass when:** ${r.criterion}` },
        defaultConfiguration: { level: 'note' },
      } as unknown as Rule);
    }
    return r.places.map((p) => ({
      ruleId: id,
      ruleIndex: index.get(id)!,
      level: 'note' as const,
      message: {
        text: `${r.title}: ${r.acknowledged ? `acknowledged by ${r.by}` : 'not acknowledged by a person yet'}${r.commit ? ` (commit ${r.commit.slice(0, 10)})` : ''}. ${r.criterion}`,
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: fileUri(p.file), uriBaseId: '%SRCROOT%' },
            region: { startLine: p.line },
          },
        },
      ],
      properties: { acknowledged: r.acknowledged, level: r.level },
    }));
  });
  // Findings come most severe first; suppressed ones after them, so a cut drops those first.
  const results = [...all.map(result), ...reviewResults];
  let text = JSON.stringify(log(results, []), null, 2);
  if (results.length <= maxResults && Buffer.byteLength(text) <= maxBytes) return text + '\n';

  // Each result sits 8 spaces deep in the pretty-printed log: measure it there.
  const sizes = results.map((r) => {
    const own = JSON.stringify(r, null, 2);
    return Buffer.byteLength(own) + 8 * own.split('\n').length + 2;
  });
  const notice = (left: number, kept: number) => ({
    level: 'warning' as const,
    message: {
      text: `${left} of ${left + kept} results were left out to stay within GitHub code scanning's limits (${maxResults} results, ${(maxBytes / 1024 / 1024).toFixed(1)} MB); run ralph-guard check --format json for all of them.`,
    },
  });
  const base = Buffer.byteLength(JSON.stringify(log([], [notice(results.length, 0)]), null, 2));
  let budget = maxBytes - base;
  let kept = 0;
  while (kept < results.length && kept < maxResults && budget - sizes[kept]! >= 0) budget -= sizes[kept++]!;
  for (;;) {
    text = JSON.stringify(log(results.slice(0, kept), [notice(results.length - kept, kept)]), null, 2);
    if (Buffer.byteLength(text) + 1 <= maxBytes || kept === 0) break;
    kept = Math.floor(kept * 0.95);
  }
  return text + '\n';
}
