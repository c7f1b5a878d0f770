// Writes the docs that describe code from the code, so they cannot drift: the
// README's atom table and rule list, and one reference page per atom
// (docs/atoms/<id>.md: criteria, files, rules with every message and fix,
// option defaults, examples) from its `defineAtom` object. `npm run docs`
// writes; `test/docs.test.ts` fails when any of them is out of date.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { secretSpans } from '../src/atoms/secrets.js';
import { looksLikeSecretValue } from '../src/atoms/secrets/values.js';
import { sourceFile } from '../src/engine/source-file.js';
import { expectedLines, type AnyAtom, type Example, type ProjectView } from '../src/kit/atom.js';
import { checkLinearRegex } from '../src/policy/linear-regex.js';
import { fenceLanguage } from '../src/report/patterns.js';

const README = new URL('../README.md', import.meta.url);
const ATOM_PAGES = new URL('../docs/atoms/', import.meta.url);

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function atomTable(): string {
  const rows = BUILTIN_ATOMS.map(
    (a) => `| \`${a.id}\` | ${a.defaultLevel} | ${cell(a.criteria.fail)} | ${cell(a.criteria.pass)} |`,
  );
  return ['| atom | default | fails when | passes when |', '|---|---|---|---|', ...rows].join('\n');
}

export function ruleList(): string {
  return BUILTIN_ATOMS.map(
    (a) =>
      `- \`${a.id}\`: ${Object.keys(a.rules)
        .map((r) => `\`${r}\``)
        .join(', ')}`,
  ).join('\n');
}

export function render(readme: string): string {
  const replace = (text: string, name: string, body: string) => {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < 0) throw new Error(`README.md lacks the ${start} … ${end} markers`);
    return text.slice(0, from + start.length) + '\n' + body + '\n' + text.slice(to);
  };
  return replace(replace(readme, 'atoms', atomTable()), 'rules', ruleList());
}

const GENERATED = (id: string) =>
  `<!-- Generated from src/atoms/${id}.ts by \`npm run docs\`: edit the atom, not this page. -->`;

const REDACTED = '‹redacted›';
/** A long run of key-like characters: what is left of a sample key on a line the secrets atom flags. */
const KEY_LIKE = /[A-Za-z0-9+/_-]{16,}/g;
/** Upper case, lower case and digits: how the generated sample keys look (hashes and words do not). */
const MIXED = [/[A-Z]/, /[a-z]/, /\d/];
/** A string literal that is one such run (a sample key under a name no rule reads, such as a fallback). */
const QUOTED_KEY_LIKE = /(['"`])([A-Za-z0-9+/=_-]{16,})\1/g;

const NO_PROJECT: ProjectView = {
  files: async () => [],
  grep: async () => [],
  read: async () => null,
  source: async () => null,
};

/**
 * An example's code as a page shows it: every secret redacted (the sample keys are generated at run
 * time and never written into the repository, and the project's own hook must stay quiet on the
 * docs): the spans the secrets atom masks in any report; on the lines it flags in the example (wrapped,
 * concatenated or encoded values) and in a flagged key block, every random-looking run of key
 * characters; anywhere else, a string literal that is one and mixes cases and digits (not an integrity hash).
 */
async function shownCode(example: Example): Promise<string> {
  const secrets = BUILTIN_ATOMS.find((a) => a.id === 'secrets')!;
  const options = secrets.options?.(z, { regexProblem: checkLinearRegex }).parse({});
  const context = {
    options,
    mode: 'all',
    online: false,
    note: () => {},
    project: NO_PROJECT,
    readOld: async () => null,
    changes: () => false,
  };
  const hits = await secrets.check(
    sourceFile({ path: example.file, allAdded: true, added: [] }, example.code),
    context,
  );
  const flagged = new Set(
    hits.flatMap((h) => Array.from({ length: (h.endLine ?? h.line) - h.line + 1 }, (_, i) => h.line + i)),
  );
  let keyBlock = false; // inside a flagged -----BEGIN … KEY----- block
  return example.code
    .split('\n')
    .map((line, i) => {
      const spans = [
        ...secretSpans(example.file, line),
        ...hits.filter((h) => h.line === i + 1).flatMap((h) => h.mask ?? []),
      ];
      const masked = redactSpans(line, spans);
      if (flagged.has(i + 1) && /-----BEGIN /.test(line)) keyBlock = true;
      const redact = flagged.has(i + 1) || keyBlock;
      if (/-----END /.test(line)) keyBlock = false;
      return redact
        ? masked.replace(KEY_LIKE, (run) => (randomLooking(run) ? REDACTED : run))
        : masked.replace(QUOTED_KEY_LIKE, (literal, quote: string, run: string) =>
            randomLooking(run) && !/^sha\d+-/.test(run) ? `${quote}${REDACTED}${quote}` : literal,
          );
    })
    .join('\n');
}

/** A run of characters that looks like key material (not an alphabet or a digit sequence): redacted wherever it is. */
const randomLooking = (run: string) =>
  looksLikeSecretValue(run) && MIXED.every((c) => c.test(run)) && !/abcdefgh|ABCDEFGH|01234567/.test(run);

/** The [start, end) column spans (1-based) of a line replaced by REDACTED. */
function redactSpans(line: string, spans: ReadonlyArray<readonly [number, number]>): string {
  let out = line;
  const sorted = [...spans].sort((a, b) => b[0] - a[0]);
  let limit = Infinity;
  for (const [start, end] of sorted) {
    if (end - 1 > limit) continue; // overlaps a span already replaced
    out = out.slice(0, start - 1) + REDACTED + out.slice(end - 1);
    limit = start - 1;
  }
  return out;
}

async function exampleBlock(example: Example, bad: boolean): Promise<string> {
  const notes: string[] = [];
  if (bad && example.lines) notes.push(`flagged: line ${expectedLines(example).join(', ')}`);
  if (example.options) notes.push(`options: \`${JSON.stringify(example.options)}\``);
  if (example.unrouted) notes.push(`never reaches the check: ${example.unrouted}`);
  // A fence longer than any backtick run in the code, so template literals cannot close it.
  const fence = '`'.repeat(Math.max(3, ...[...example.code.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  const others = Object.entries(example.others ?? {}).map(([path, code]) => {
    const f = '`'.repeat(Math.max(3, ...[...code.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    return [`\`${path}\` (a module the example uses):`, '', `${f}${fenceLanguage(path)}`, code, f, ''].join('\n');
  });
  return [
    ...others,
    `\`${example.file}\`${notes.length ? ` (${notes.join('; ')})` : ''}`,
    '',
    `${fence}${fenceLanguage(example.file)}`,
    await shownCode(example),
    fence,
  ].join('\n');
}

/** The option defaults an atom runs with, as the policy validator would fill them. */
function optionDefaults(atom: AnyAtom): string | null {
  if (!atom.options) return null;
  const defaults = atom.options(z, { regexProblem: checkLinearRegex }).parse({});
  return JSON.stringify(defaults, null, 2);
}

/** docs/atoms/<id>.md: everything the atom object says, in one page. */
export async function atomPage(atom: AnyAtom): Promise<string> {
  const out = [
    GENERATED(atom.id),
    '',
    `# \`${atom.id}\`: ${atom.title}`,
    '',
    `Default level: \`${atom.defaultLevel}\`. \`ralph-guard explain ${atom.id}\` prints the same in a terminal.`,
    '',
    `**Fails when** ${atom.criteria.fail}`,
    '',
    `**Passes when** ${atom.criteria.pass}`,
    '',
    `**Files:** ${atom.files.map((f) => `\`${f}\``).join(', ')}`,
    '',
    atom.keywords.length
      ? `**Checked when the text mentions** (case-insensitive): ${atom.keywords.map((k) => `\`${k}\``).join(', ')}`
      : '**Checked on every file** it applies to (no keyword pre-filter).',
    '',
    `## Rules (${Object.keys(atom.rules).length})`,
  ];
  for (const [name, rule] of Object.entries(atom.rules)) {
    out.push('', `### \`${atom.id}/${name}\``, '', rule.message, '', `**Fix:** ${rule.fix}`);
    const messages = Object.entries(rule.messages ?? {});
    if (messages.length) {
      out.push('', '| message id | says |', '|---|---|');
      for (const [id, text] of messages) out.push(`| \`${id}\` | ${cell(text)} |`);
    }
  }
  const defaults = optionDefaults(atom);
  if (defaults) out.push('', '## Options (defaults)', '', '```json', defaults, '```');
  out.push('', `## Bad examples (${atom.examples.bad.length})`, '', 'Each fails the atom on its lines marked ✗.');
  for (const example of atom.examples.bad) out.push('', await exampleBlock(example, true));
  out.push('', `## Good examples (${atom.examples.good.length})`, '', 'Each passes.');
  for (const example of atom.examples.good) out.push('', await exampleBlock(example, false));
  return out.join('\n') + '\n';
}

/** docs/atoms/README.md: the list of the pages. */
export function atomIndex(): string {
  return (
    [
      '<!-- Generated from the atom registry (src/atoms/index.ts) by `npm run docs`. -->',
      '',
      '# Atom reference',
      '',
      'One page per built-in atom, generated from its `defineAtom` object: criteria, files, rules with every',
      'message and fix, option defaults, and the examples the test suite runs.',
      '',
      '| atom | default | title |',
      '|---|---|---|',
      ...BUILTIN_ATOMS.map((a) => `| [\`${a.id}\`](${a.id}.md) | ${a.defaultLevel} | ${cell(a.title)} |`),
    ].join('\n') + '\n'
  );
}

/** Every generated page under docs/atoms/, by file name. */
export async function atomPages(): Promise<Map<string, string>> {
  const pages = new Map([['README.md', atomIndex()]]);
  for (const atom of BUILTIN_ATOMS) pages.set(`${atom.id}.md`, await atomPage(atom));
  return pages;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const current = readFileSync(README, 'utf8');
  const next = render(current);
  if (next !== current) writeFileSync(README, next);
  console.log(next === current ? 'README.md is up to date' : 'README.md updated');
  mkdirSync(ATOM_PAGES, { recursive: true });
  const pages = await atomPages();
  let changed = 0;
  for (const name of readdirSync(ATOM_PAGES))
    if (!pages.has(name)) {
      rmSync(new URL(name, ATOM_PAGES));
      changed++;
    }
  for (const [name, text] of pages) {
    const file = new URL(name, ATOM_PAGES);
    let old: string | null = null;
    try {
      old = readFileSync(file, 'utf8');
    } catch {}
    if (old !== text) {
      writeFileSync(file, text);
      changed++;
    }
  }
  console.log(changed ? `docs/atoms/: ${changed} pages written or removed` : 'docs/atoms/ is up to date');
}
