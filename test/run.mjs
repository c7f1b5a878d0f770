// Test entry point: runs every test/*.test.ts file in its own process (uvu +
// tsx), two at a time, prints failing files' output, and ends with the line
// "N passed, N failed" that CI reads.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();

// A clean, predictable git for every test: no user or system config, a fixed identity, no GIT_DIR from a hook we might run under.
const sandbox = mkdtempSync(join(tmpdir(), 'ralph-guard-tests-'));
const gitconfig = join(sandbox, 'gitconfig');
writeFileSync(
  gitconfig,
  '[init]\n\tdefaultBranch = main\n[user]\n\tname = Test\n\temail = test@example.invalid\n[protocol "file"]\n\tallow = always\n',
);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_') && k !== 'CI'));
Object.assign(env, {
  GIT_CONFIG_GLOBAL: gitconfig,
  GIT_CONFIG_NOSYSTEM: '1',
  RALPH_GUARD_CACHE_DIR: join(sandbox, 'cache'),
  RALPH_GUARD_TEST_TMP: sandbox,
  NO_COLOR: '1',
  FORCE_COLOR: '0',
});

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', file)], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      const total = Number(plain.match(/Total:\s+(\d+)/)?.[1] ?? 0);
      const passed = Number(plain.match(/Passed:\s+(\d+)/)?.[1] ?? 0);
      const skipped = Number(plain.match(/Skipped:\s+(\d+)/)?.[1] ?? 0);
      // A file that crashed before uvu's summary counts as one failure.
      const failed = total ? total - passed - skipped : code === 0 ? 0 : 1;
      resolve({
        file,
        passed,
        failed: code !== 0 && failed === 0 ? 1 : failed,
        output: plain,
        ms: Date.now() - started,
      });
    });
  });
}

const queue = [...files];
const results = [];
const workers = Array.from(
  { length: Math.min(Number(process.env.TEST_JOBS) || Math.max(2, availableParallelism()), files.length) },
  async () => {
    while (queue.length) {
      const file = queue.shift();
      const result = await runFile(file);
      results.push(result);
      const mark = result.failed ? '✖' : '✔';
      process.stdout.write(
        `${mark} ${file}: ${result.passed} passed, ${result.failed} failed (${(result.ms / 1000).toFixed(1)} s)\n`,
      );
      if (result.failed)
        process.stdout.write(
          result.output
            .split('\n')
            .map((l) => `    ${l}`)
            .join('\n') + '\n',
        );
    }
  },
);
await Promise.all(workers);
rmSync(sandbox, { recursive: true, force: true });

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed ? 1 : 0;
