// npm run demo: a throw-away project where `ralph-guard init` installs the
// hooks, a commit with three insecure changes is refused, the fixed commit
// passes, and a push carrying a key added then deleted is refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ralph-guard-demo-'));
const remote = mkdtempSync(join(tmpdir(), 'ralph-guard-demo-remote-'));
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
// A clean git identity and no GIT_* leaking in from a surrounding hook.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
Object.assign(env, {
  GIT_AUTHOR_NAME: 'Demo',
  GIT_AUTHOR_EMAIL: 'demo@example.invalid',
  GIT_COMMITTER_NAME: 'Demo',
  GIT_COMMITTER_EMAIL: 'demo@example.invalid',
});

function sh(command, args, { show = true, input } = {}) {
  if (show) console.log(bold(`\n$ ${[command, ...args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`));
  const r = spawnSync(command, args, { cwd: dir, env, encoding: 'utf8', input });
  if (show) process.stdout.write(r.stdout + r.stderr);
  return r.status;
}
const write = (path, text) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
};
// The demo key is generated here, never stored: scanners of this repository stay quiet.
const fakeKeyId =
  ['AK', 'IA'].join('') + Array.from({ length: 16 }, (_, i) => 'QZ7J4WLX2MNB6VHT'[(i * 7) % 16]).join('');

console.log(bold(`ralph-guard demo in ${dir}`));
sh('git', ['init', '-q', '-b', 'main'], { show: false });
sh('git', ['init', '-q', '--bare', remote], { show: false });
sh('git', ['remote', 'add', 'origin', remote], { show: false });
write('package.json', JSON.stringify({ name: 'demo-app', version: '1.0.0', private: true }, null, 2) + '\n');
write('.gitignore', 'node_modules\n');
// As if `npm install -D ralph-guard` had run: node_modules/.bin/ralph-guard is this checkout's CLI.
write('node_modules/.bin/ralph-guard', `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
spawnSync('chmod', ['+x', join(dir, 'node_modules/.bin/ralph-guard')]);

sh(join(dir, 'node_modules/.bin/ralph-guard'), ['init']);
sh('git', ['add', '.'], { show: false });
sh('git', ['commit', '-q', '-m', 'Set up ralph-guard'], { show: false });

write(
  'src/users.js',
  `import crypto from 'node:crypto';
import { Pool } from 'pg';

const pool = new Pool();
export const s3Key = '${fakeKeyId}';

export async function findUser(id) {
  return pool.query(\`SELECT * FROM users WHERE id = \${id}\`);
}

export function hashPassword(password) {
  return crypto.createHash('md5').update(password).digest('hex');
}
`,
);
console.log(bold('\n# An assistant adds a hard-coded key, SQL built from a template, and MD5 password hashing:'));
sh('git', ['add', 'src/users.js']);
const refused = sh('git', ['commit', '-m', 'Add user queries']);
console.log(
  bold(refused === 0 ? '\n!! the commit went through (unexpected)' : '\n=> the pre-commit hook refused the commit.'),
);

write(
  'src/users.js',
  `import bcrypt from 'bcrypt';
import { Pool } from 'pg';

const pool = new Pool();
export const s3Key = process.env.S3_ACCESS_KEY_ID;

export async function findUser(id) {
  return pool.query('SELECT * FROM users WHERE id = $1', [id]);
}

export function hashPassword(password) {
  return bcrypt.hash(password, 12);
}
`,
);
console.log(bold('\n# The fixed version: key from the environment, a placeholder, bcrypt with cost 12:'));
sh('git', ['add', 'src/users.js']);
const passed = sh('git', ['commit', '-m', 'Add user queries']);
console.log(bold(passed === 0 ? '\n=> the commit passed.' : '\n!! the fixed commit was refused (unexpected)'));

console.log(bold('\n# A key committed and deleted again, with --no-verify, is still caught at push:'));
write('src/config.js', `export const key = '${fakeKeyId}';\n`);
sh('git', ['add', 'src/config.js'], { show: false });
sh('git', ['commit', '-q', '--no-verify', '-m', 'oops'], { show: false });
write('src/config.js', 'export const key = process.env.KEY;\n');
sh('git', ['add', 'src/config.js'], { show: false });
sh('git', ['commit', '-q', '--no-verify', '-m', 'remove key'], { show: false });
const pushed = sh('git', ['push', 'origin', 'main']);
console.log(
  bold(
    pushed === 0
      ? '\n!! the push went through (unexpected)'
      : '\n=> the pre-push hook refused the push: the key is in history.',
  ),
);

const ok = refused !== 0 && passed === 0 && pushed !== 0;
console.log(bold(`\nDemo ${ok ? 'finished as expected' : 'FAILED'}. The repository is left in ${dir} to look around.`));
process.exitCode = ok ? 0 : 1;
