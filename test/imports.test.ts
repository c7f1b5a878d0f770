// The shape of src/: no import cycles (static, type-only and dynamic `import()` all count: a cycle
// of types still ties two modules' meanings together), and no two modules sharing a basename unless
// they are the same concept in parallel folders (the short list below).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Basenames more than one module may have, and why. */
const PARALLELS: Record<string, string> = {
  'index.ts': "a folder's registry or entry point (atoms, lockfile readers, reporters)",
  'baseline.ts': 'the `baseline` command (cli/) and the baseline it writes and reads',
  'doctor.ts': 'the `doctor` command (cli/) and its checks (init/)',
  'init.ts': 'the `init` command (cli/) and the installation it runs (init/)',
  'skills.ts': 'the `skills` command (cli/) and the skills it lists (skills/)',
};

/**
 * Every relative module specifier of a source: `from '…'`, `import '…'`, `import('…')` (values and types),
 * found by TypeScript's scanner, so code inside strings (atoms' examples) is not taken for imports.
 */
export function importsOf(text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((name) => name.startsWith('./') || name.startsWith('../'));
}

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The import graph of src/, by path relative to src/. */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of modules(SRC)) {
    const targets = importsOf(readFileSync(file, 'utf8')).map((spec) =>
      relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))),
    );
    edges.set(relative(SRC, file), targets);
  }
  return edges;
}

/** Strongly connected components with more than one module (or a module importing itself): the cycles. */
export function cycles(edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges.get(v)!.includes(v)) found.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('every relative import of src/ names a module that exists', () => {
  const edges = graph();
  const missing = [...edges].flatMap(([from, to]) => to.filter((t) => !edges.has(t)).map((t) => `${from} → ${t}`));
  // Declaration files (modules.d.ts) and package imports are not in the graph; anything else missing is a broken path.
  assert.equal(missing, []);
});

test('src/ has no import cycle', () => {
  assert.equal(
    cycles(graph()).map((c) => c.join(' ↔ ')),
    [],
  );
});

test('the cycle finder finds a cycle through a dynamic import and a type import', () => {
  const edges = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', ['a.ts']],
  ]);
  assert.equal(cycles(edges), [['a.ts', 'b.ts', 'c.ts']]);
  assert.equal(
    importsOf(
      "const x = await import('./b.js');\nimport type { T } from '../c.js';\nlet y: import('./d.js').Y;\nconst s = `import a from \'./e.js\'`;",
    ),
    ['./b.js', '../c.js', './d.js'],
  );
});

test('no two modules share a basename unless they are the same concept in parallel folders', () => {
  const byName = new Map<string, string[]>();
  for (const file of modules(SRC)) {
    const name = basename(file);
    byName.set(name, [...(byName.get(name) ?? []), relative(SRC, file)]);
  }
  const clashes = [...byName]
    .filter(([name, files]) => files.length > 1 && !(name in PARALLELS))
    .map(([, files]) => files.join(' and '));
  assert.equal(clashes, []);
  const unused = Object.keys(PARALLELS).filter((name) => (byName.get(name)?.length ?? 0) < 2);
  assert.equal(unused, [], 'an allowed parallel that no longer exists is dropped from the list');
});

test.run();
