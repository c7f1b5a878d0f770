// Writes the README's generated parts from the code, so the docs cannot drift:
// the atom table (ids, levels, criteria) from the registry and the policy
// option reference from the zod schema. `npm run docs` writes; the test
// `docs.test.ts` fails when README.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';

const README = new URL('../README.md', import.meta.url);

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

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const current = readFileSync(README, 'utf8');
  const next = render(current);
  if (next !== current) writeFileSync(README, next);
  console.log(next === current ? 'README.md is up to date' : 'README.md updated');
}
