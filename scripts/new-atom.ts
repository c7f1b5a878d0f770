/**
 * `npm run new-atom -- <id>`: writes src/atoms/<id>.ts with everything an atom holds (criteria, files,
 * keywords, a rule with its message and fix, six bad and six good example stubs, a check) and registers
 * it in src/atoms/index.ts. The stubs are placeholders on purpose: the examples harness fails on them
 * (the check flags nothing, so every bad example fails) until the examples and the check are real.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const stubs = (kind: 'bad' | 'good', id: string) =>
  Array.from({ length: 6 }, (_, i) =>
    kind === 'bad'
      ? `      { file: 'src/bad-${i + 1}.js', code: '// TODO: code that fails ${id}\\nTODO(); // ✗' },`
      : `      { file: 'src/good-${i + 1}.js', code: '// TODO: the secure pattern ${id} asks for\\nok();' },`,
  ).join('\n');

export function atomSource(id: string): string {
  return `import { defineAtom, type Hit } from '../kit/atom.js';

export default defineAtom({
  id: '${id}',
  title: 'TODO: what holds when this atom passes, in a few words',
  criteria: {
    pass: 'TODO: what the code does when it passes.',
    fail: 'TODO: what makes it fail, concretely (APIs, options, values).',
  },
  files: ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'],
  // Cheap pre-filter: a file holding none of these (case-insensitive) is not checked.
  keywords: ['${id}'],
  defaultLevel: 'warn',
  rules: {
    'todo-rule': {
      message: 'TODO: what is wrong, in one sentence a developer acts on.',
      messages: {},
      fix: 'TODO: how to fix it, with the secure pattern.',
    },
  },
  examples: {
    // Mark each flagged line with ✗. Six of each kind; a good example that never reaches the check says why with \`unrouted\`.
    bad: [
${stubs('bad', id)}
    ],
    good: [
${stubs('good', id)}
    ],
  },
  check(file) {
    const hits: Hit[] = [];
    void file; // TODO: find the failing constructs (see src/kit/ for the parser check, names, files and samples).
    return hits;
  },
});
`;
}

/** Writes the atom and its registry line under `root` (a checkout); returns the new file. */
export function scaffoldAtom(root: string, id: string): string {
  if (!KEBAB.test(id)) throw new Error(`${id}: an atom id is kebab-case (lower-case words joined by "-")`);
  const file = join(root, 'src', 'atoms', `${id}.ts`);
  if (existsSync(file)) throw new Error(`${file} exists already`);
  const index = join(root, 'src', 'atoms', 'index.ts');
  const registry = readFileSync(index, 'utf8');
  const end = registry.indexOf('\n};', registry.indexOf('const MODULES'));
  if (end < 0) throw new Error(`${index}: no MODULES table to register the atom in`);
  const key = /^[a-z]\w*$/.test(id) ? id : `'${id}'`;
  if (registry.includes(`./${id}.js'`)) throw new Error(`${id} is registered already`);
  writeFileSync(file, atomSource(id));
  writeFileSync(index, `${registry.slice(0, end)}\n  ${key}: () => import('./${id}.js'),${registry.slice(end)}`);
  return file;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const id = process.argv[2];
  if (!id) {
    process.stderr.write('usage: npm run new-atom -- <id>\n');
    process.exit(2);
  }
  try {
    const file = scaffoldAtom(new URL('..', import.meta.url).pathname, id);
    process.stdout.write(
      `wrote ${file} and registered it in src/atoms/index.ts.\nThe examples harness fails until its examples and check are real: npm test, or node test/run.mjs atoms\n` +
        `Then \`npm run docs\` writes its page (docs/atoms/${id}.md) and README rows, and a row in a docs/*-atoms.md family table describes it (node test/run.mjs docs checks both).\n`,
    );
  } catch (e) {
    process.stderr.write(`new-atom: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
