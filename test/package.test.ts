// End to end as a user gets it: pack the package, install the tarball in a
// fresh project, `npx ralph-guard init`, and make a real commit through the hook.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, PROJECT, tempDir } from './helpers/repo.js';
import { cleanLine, sqlLine } from './helpers/samples.js';

const npm = (args: string[], cwd: string) =>
  spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });

test('the packed package installs, init sets the hooks up, and a real commit is refused then accepted', () => {
  const packDir = tempDir('pack-');
  const pack = npm(['pack', '--ignore-scripts', '--pack-destination', packDir, '--json'], PROJECT);
  assert.is(pack.status, 0, pack.stderr);
  const info = JSON.parse(pack.stdout)[0] as { filename: string; files: Array<{ path: string }> };
  const shipped = info.files.map((f) => f.path);
  assert.ok(
    shipped.includes('dist/cli.js') &&
      shipped.includes('hooks/ralph-guard-hook') &&
      shipped.includes('schema.json') &&
      shipped.includes('.ralphrc.example'),
    shipped.join(', '),
  );
  assert.not.ok(
    shipped.some((f) => f.startsWith('src/') || f.startsWith('test/')),
    'no sources or tests in the package',
  );

  const repo = makeRepo();
  repo.write('package.json', JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }, null, 2) + '\n');
  repo.write('.gitignore', 'node_modules\n');
  const install = npm(['install', '--prefer-offline', '--save-dev', join(packDir, readdirSync(packDir)[0]!)], repo.dir);
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
