// Builds dist/: one bundled ESM entry with a chunk per lazily imported part
// (module resolution and many small files cost start-up time on every commit),
// and schema.json from the zod policy schema.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// The build id changes whenever the source does, so caches keyed by it (validated policies) never outlive the code.
const hash = createHash('sha1');
for (const file of readdirSync(join(root, 'src'), { recursive: true }).sort()) {
  if (String(file).endsWith('.ts')) hash.update(readFileSync(join(root, 'src', String(file))));
}
const buildId = hash.digest('hex').slice(0, 12);

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Native or self-locating packages stay in node_modules.
  external: ['husky', 'oxc-parser', 'picomatch', 'typescript'],
  define: { RALPH_GUARD_VERSION: JSON.stringify(pkg.version), RALPH_GUARD_BUILD: JSON.stringify(buildId) },
  // Bundled CommonJS dependencies call require(); give them one.
  banner: {
    js: "import { createRequire as __ralphRequire } from 'node:module'; const require = __ralphRequire(import.meta.url);",
  },
  legalComments: 'none',
  // Less text to parse at start-up; identifiers stay readable for RALPH_GUARD_DEBUG stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

rmSync(join(root, 'dist'), { recursive: true, force: true });

/** Bundles a script of scripts/ and runs it; its stdout is what the build needs from the sources. */
async function runScript(name) {
  const out = join(root, 'dist', `${name}.gen.mjs`);
  await build({ ...shared, entryPoints: [join(root, 'scripts', `${name}.ts`)], outfile: out });
  try {
    return execFileSync(process.execPath, [out], { maxBuffer: 1 << 26 });
  } finally {
    rmSync(out);
  }
}

// The atoms' headers and glob regexes, inlined so routing loads neither atoms nor a glob compiler.
const atomHeaders = (await runScript('atom-headers')).toString('utf8');

/**
 * What every staged check runs, in one chunk. esbuild puts a module in the chunk of the set of entry points
 * that reach it (every dynamically imported module is an entry point), which cut this path into ~40 files,
 * and node pays for each ESM file apart (resolve, read, compile): a cached re-check loaded 37, now 9.
 * The modules statically reached from HOT_ROOTS land in one chunk when every entry point reaches them all,
 * so each module outside that closure imports a module that imports the roots, and so does each module of it
 * that is imported dynamically (a cycle through a module without a body: harmless). The CLI entry's own
 * closure is left alone, so that `--version` loads none of it.
 */
const HOT_ROOTS = ['src/cli/check.ts', 'src/engine/engine.ts', 'src/review/run.ts', 'src/report/pretty.ts'];
const HOT = 'ralph-guard:hot';
const hotModule = {
  name: 'hot-module',
  setup(b) {
    b.onResolve({ filter: /^ralph-guard:hot$/ }, () => ({ path: 'hot', namespace: 'hot' }));
    b.onLoad({ filter: /.*/, namespace: 'hot' }, () => ({
      contents: HOT_ROOTS.map((f) => `import ${JSON.stringify(join(root, f))};`).join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
};
// The import graph, from a build that writes nothing.
const { metafile: graph } = await build({
  ...shared,
  define: { ...shared.define, RALPH_GUARD_ATOM_HEADERS: atomHeaders },
  entryPoints: [join(root, 'src/cli/main.ts'), join(root, 'src/engine/worker.ts'), HOT],
  outdir: join(root, 'dist'),
  splitting: true,
  write: false,
  metafile: true,
  plugins: [hotModule],
});
/** The inputs an input reaches by static imports. */
function staticClosure(input) {
  const seen = new Set();
  const visit = (i) => {
    if (seen.has(i)) return;
    seen.add(i);
    for (const to of graph.inputs[i]?.imports ?? []) if (to.kind === 'import-statement') visit(to.path);
  };
  visit(input);
  return seen;
}
const hot = staticClosure('hot:hot');
const cliOwn = staticClosure('src/cli/main.ts');
const imported = new Set(
  Object.values(graph.inputs).flatMap((i) =>
    i.imports.filter((to) => to.kind === 'dynamic-import').map((to) => to.path),
  ),
);
/** Every entry point but the CLI's own reaches the hot closure: modules outside it, and its modules that are imported dynamically. */
const needsHot = (input) => !cliOwn.has(input) && (!hot.has(input) || imported.has(input));
const importHot = {
  name: 'import-hot',
  setup(b) {
    hotModule.setup(b);
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const input = relative(root, args.path);
      if (!input.startsWith('src/') || !needsHot(input)) return undefined;
      return { contents: `import '${HOT}';\n${readFileSync(args.path, 'utf8')}`, loader: 'ts' };
    });
  },
};

await build({
  ...shared,
  plugins: [importHot],
  define: { ...shared.define, RALPH_GUARD_ATOM_HEADERS: atomHeaders },
  // The worker threads' entry (src/engine/pool.ts) shares the chunks of the CLI.
  entryPoints: { cli: join(root, 'src/cli/main.ts'), worker: join(root, 'src/engine/worker.ts') },
  outdir: join(root, 'dist'),
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: '#!/usr/bin/env node\n' + shared.banner.js },
});

// schema.json for editors, from the same zod schema the validator uses.
writeFileSync(join(root, 'schema.json'), await runScript('schema'));
