/**
 * The modules a module imports, followed across files: `require('../db')`,
 * `import prisma from '@/lib/prisma'`, an `index` file that re-exports. Read
 * lazily through the project view, one file at a time, and remembered for
 * the run, so a check asks only about the few modules a finding depends on.
 */
import type { ProjectView } from './atom.js';
import { remember } from './app.js';

const EXTENSIONS = ['', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];
const INDEXES = ['/index.ts', '/index.tsx', '/index.js', '/index.mjs', '/index.cjs'];

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

function join(dir: string, spec: string): string {
  const parts = dir ? dir.split('/') : [];
  for (const seg of spec.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

/** `compilerOptions.paths` of the tsconfig.json files of the repository: alias prefix → directories. */
function aliases(project: ProjectView): Promise<Array<{ prefix: string; dirs: string[] }>> {
  return remember(project, 'imports\0aliases', async () => {
    const found: Array<{ prefix: string; dirs: string[] }> = [];
    for (const path of await project.files(['**/tsconfig*.json', '!**/node_modules/**'])) {
      const text = await project.read(path);
      if (!text) continue;
      let config: { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } };
      try {
        // tsconfig allows comments and trailing commas.
        config = JSON.parse(text.replace(/\/\*[\s\S]*?\*\/|(?<![:"'\w])\/\/[^\n]*/g, '').replace(/,(\s*[}\]])/g, '$1'));
      } catch {
        continue;
      }
      const base = join(dirOf(path), config.compilerOptions?.baseUrl ?? '.');
      for (const [key, targets] of Object.entries(config.compilerOptions?.paths ?? {}))
        found.push({
          prefix: key.replace(/\*$/, ''),
          dirs: targets.map((t) => join(base, t.replace(/\*$/, ''))),
        });
    }
    return found;
  });
}

/** The repository path a local import names, or null for a package (or a file that is not there). */
export function resolveImport(project: ProjectView, from: string, spec: string): Promise<string | null> {
  return remember(project, `imports\0resolve\0${dirOf(from)}\0${spec}`, async () => {
    let bases: string[];
    if (spec.startsWith('.')) bases = [join(dirOf(from), spec)];
    else {
      const matches = (await aliases(project)).filter((a) => spec.startsWith(a.prefix) && a.prefix);
      if (!matches.length) return null;
      bases = matches.flatMap((a) => a.dirs.map((d) => join(d, spec.slice(a.prefix.length))));
    }
    for (const base of bases) {
      const stem = base.replace(/\.[cm]?js$/, ''); // TS sources imported as './x.js'
      for (const candidate of [...EXTENSIONS.map((e) => stem + e), ...INDEXES.map((i) => stem + i)])
        if (candidate && (await project.read(candidate)) !== null) return candidate;
    }
    return null;
  });
}

const LOCAL_SPEC = /(?:from\s*|require\s*\(\s*|import\s*\(\s*)['"]([^'"]+)['"]/g;

/**
 * Which of `kinds` the code behind a local import uses: the first kind whose pattern matches the
 * module's text or, for a module that only gathers others (an index, a re-export, a wrapper), the
 * modules it imports in turn, up to `depth` steps. null when none is seen (unknown: keep judging as before).
 */
export async function importedKind(
  project: ProjectView,
  from: string,
  spec: string,
  kinds: Record<string, RegExp>,
  depth = 2,
): Promise<string | null> {
  const path = await resolveImport(project, from, spec);
  if (!path) return null;
  const key = `imports\0kind\0${path}\0${Object.entries(kinds)
    .map(([k, r]) => `${k}=${r.source}`)
    .join('\0')}\0${depth}`;
  return remember(project, key, async () => {
    const text = (await project.read(path)) ?? '';
    for (const [kind, pattern] of Object.entries(kinds)) if (pattern.test(text)) return kind;
    if (depth <= 0) return null;
    let followed = 0;
    for (const match of text.matchAll(LOCAL_SPEC)) {
      const inner = match[1]!;
      if (++followed > 12) break; // a barrel of dozens of modules: unknown rather than slow
      if (!inner.startsWith('.') && !(await resolveImport(project, path, inner))) continue;
      const kind = await importedKind(project, path, inner, kinds, depth - 1);
      if (kind) return kind;
    }
    return null;
  });
}
