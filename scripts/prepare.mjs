// `npm run prepare`: builds dist/. npm runs it after `npm install` in a
// checkout, where the devDependencies (esbuild, …) are present, and when it
// installs ralph-guard from git. A global git install, which is how the
// pre-commit framework installs a `language: node` hook
// (`npm install -g git+…`), prepares the clone without its devDependencies,
// because the global settings leak into that inner install: install them
// into the clone first, locally, without scripts.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
try {
  require.resolve('esbuild');
} catch {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_config_(global|prefix|location|omit|production)$/i.test(k)),
  );
  const r = spawnSync(
    'npm',
    ['install', '--no-save', '--ignore-scripts', '--include=dev', '--no-audit', '--no-fund', '--global=false'],
    { cwd: root, stdio: 'inherit', env },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import('./build.mjs');
