// Builds dist/: one bundled ESM entry with a chunk per lazily imported part
// (module resolution and many small files cost start-up time on every commit),
// and schema.json from the zod policy schema.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

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
await build({
  ...shared,
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
