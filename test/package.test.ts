// End to end as a user gets it: pack the package as `npm pack` does for a
// release (its prepack/postpack scripts included), install the tarball
// globally and in a fresh project, `npx ralph-guard init`, and make a real
// commit through the hook.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeRepo, PROJECT, tempDir } from './helpers/repo.js';
import { cleanLine, sqlLine } from './helpers/samples.js';

const npm = (args: string[], cwd: string) =>
  spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });

/**
 * The project's files as they are on disk (tracked and not ignored), copied to a temporary directory that shares
 * node_modules: packing runs the build, which must not replace the dist/ that other tests are running.
 */
function projectCopy(): string {
  const copy = tempDir('pack-source-');
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: PROJECT,
    encoding: 'utf8',
  });
  for (const file of new Set(listed.split('\0').filter(Boolean))) {
    const from = join(PROJECT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted, or a submodule
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(from, join(copy, file));
  }
  symlinkSync(join(PROJECT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

// Packed once, with npm's lifecycle scripts, as a release is.
const source = projectCopy();
const packDir = tempDir('pack-');
const pack = npm(['pack', '--json', '--pack-destination', packDir], source);
const packed =
  pack.status === 0 ? (JSON.parse(pack.stdout)[0] as { filename: string; files: Array<{ path: string }> }) : null;
const tarball = join(packDir, packed?.filename ?? 'missing.tgz');

test('npm pack builds dist/, ships no prepare script and leaves package.json as it was', () => {
  assert.is(pack.status, 0, pack.stderr);
  const shipped = packed!.files.map((f) => f.path);
  assert.ok(
    shipped.includes('dist/cli.js') &&
      shipped.includes('hooks/ralph-guard-hook') &&
      shipped.includes('schema.json') &&
      shipped.includes('.ralphrc.example'),
    shipped.join(', '),
  );
  assert.not.ok(
    shipped.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('scripts/')),
    'no sources, tests or scripts in the package',
  );
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  assert.is(manifest.scripts.prepare, undefined, 'the packed package.json has no prepare script');
  assert.is(manifest.bin['ralph-guard'], 'dist/cli.js');
  assert.is(
    readFileSync(join(source, 'package.json'), 'utf8'),
    readFileSync(join(PROJECT, 'package.json'), 'utf8'),
    'postpack put package.json back byte for byte',
  );
  assert.is(
    JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')).scripts.prepare,
    'node scripts/prepare.mjs',
  );
  assert.not.ok(existsSync(join(source, '.package.json.before-pack')), 'no backup left behind');
});

test('npm i -g of the tarball: no install-scripts warning, and the binary runs', () => {
  const prefix = tempDir('global-');
  const install = npm(['install', '-g', '--prefer-offline', '--prefix', prefix, tarball], packDir);
  assert.is(install.status, 0, install.stderr);
  assert.not.match(install.stdout + install.stderr, /install-scripts|prepare/, install.stderr);
  const version = spawnSync(join(prefix, 'bin', 'ralph-guard'), ['--version'], { encoding: 'utf8' });
  assert.is(version.status, 0, version.stderr);
  assert.is(version.stdout.trim(), JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')).version);
});

test('the packed package installs, init sets the hooks up, and a real commit is refused then accepted', () => {
  assert.is(pack.status, 0, pack.stderr);
  const repo = makeRepo();
  repo.write('package.json', JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }, null, 2) + '\n');
  repo.write('.gitignore', 'node_modules\n');
  const install = npm(['install', '--prefer-offline', '--save-dev', tarball], repo.dir);
  assert.is(install.status, 0, install.stderr);

  const init = spawnSync(join(repo.dir, 'node_modules', '.bin', 'ralph-guard'), ['init'], {
    cwd: repo.dir,
    encoding: 'utf8',
  });
  assert.is(init.status, 0, init.stderr);
  assert.match(init.stdout, 'husky');
  // The set-up commit installs ralph-guard from a tarball outside the repository, which the dependencies atom rightly refuses.
  execFileSync('git', ['add', '.'], { cwd: repo.dir });
  execFileSync('git', ['commit', '-q', '--no-verify', '-m', 'set up ralph-guard'], { cwd: repo.dir });

  repo.write('src/db.js', sqlLine);
  repo.stage('src/db.js');
  const refused = repo.tryGit(['commit', '-m', 'bad']);
  assert.is.not(refused.code, 0, refused.stdout + refused.stderr);
  assert.match(refused.stdout + refused.stderr, 'sql-injection/interpolated-query');

  repo.write('src/db.js', cleanLine);
  repo.stage('src/db.js');
  const accepted = repo.tryGit(['commit', '-m', 'good']);
  assert.is(accepted.code, 0, accepted.stdout + accepted.stderr);
});

test.run();
