// `npm pack` and `npm publish` run this twice: `prepack` (node scripts/pack.mjs
// strip) and `postpack` (… restore). The packed package.json carries no
// `prepare` script: prepare builds dist/ in a checkout and in a git install
// (npm clones, installs, runs prepare, then packs; the pre-commit framework
// does the same by hand and then installs the packed tarball with
// `npm install -g`), but in the tarball it has nothing to do (scripts/ is not
// shipped) and npm warns about it on every install ("install scripts not yet
// covered by allowScripts"). npm runs prepare after prepack, from the
// package.json on disk then, so once it is removed the build happens here.
// postpack puts package.json back byte for byte; an interrupted pack is
// repaired by the next one.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const manifest = join(root, 'package.json');
const backup = join(root, '.package.json.before-pack');

function restore() {
  if (existsSync(backup)) renameSync(backup, manifest);
}

const step = process.argv[2];
if (step === 'strip') {
  restore();
  await import('./prepare.mjs');
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(backup, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (step === 'restore') {
  restore();
} else {
  console.error('usage: node scripts/pack.mjs strip|restore');
  process.exit(2);
}
