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
  external: ['husky', 'oxc-parser', 'typescript'],
  define: { RALPH_GUARD_VERSION: JSON.stringify(pkg.version), RALPH_GUARD_BUILD: JSON.stringify(buildId) },
  // Bundled CommonJS dependencies call require(); give them one.
  banner: { js: "import { createRequire as __ralphRequire } from 'node:module'; const require = __ralphRequire(import.meta.url);" },
  legalComments: 'none',
  // Less text to parse at start-up; identifiers stay readable for RALPH_GUARD_DEBUG stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  ...shared,
  entryPoints: { cli: join(root, 'src/cli/main.ts') },
  outdir: join(root, 'dist'),
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: '#!/usr/bin/env node\n' + shared.banner.js },
});

// schema.json for editors, from the same zod schema the validator uses.
const schemaScript = join(root, 'dist', 'schema-gen.mjs');
await build({ ...shared, entryPoints: [join(root, 'scripts/schema.ts')], outfile: schemaScript });
writeFileSync(join(root, 'schema.json'), execFileSync(process.execPath, [schemaScript]));
rmSync(schemaScript);
