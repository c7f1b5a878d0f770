// What a commit pays for at start-up (DESIGN §8): a `check --staged` whose policy
// did not change loads no validator, config loader, YAML or semver library, and
// only the atoms its files route to. A load hook records every module the CLI loads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeRepo, tempDir } from './helpers/repo.js';
import { cleanLine, sqlLine } from './helpers/samples.js';

function loadRecorder() {
  const dir = tempDir('hooks-');
  const log = join(dir, 'loaded.txt');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  if (!url.startsWith('node:')) appendFileSync(${JSON.stringify(log)}, url + '\\n');\n  return next(url, context);\n}\n`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  return {
    env: { NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}` },
    loaded: () => readFileSync(log, 'utf8').trim().split('\n'),
    reset: () => writeFileSync(log, ''),
  };
}

/** Libraries kept off the hot path, by a name that survives bundling (most are bundled into dist/chunks). */
const HEAVY: Record<string, string> = {
  zod: 'ZodError',
  cosmiconfig: 'searchPlaces',
  yaml: 'YAMLParseError',
  semver: 'MAX_SAFE_COMPONENT_LENGTH',
  regexpp: 'class RegExpParser',
  typescript: 'createSourceFile',
  picomatch: 'POSIX_REGEX_SOURCE',
};
const heavyIn = (url: string) => {
  const text = readFileSync(new URL(url), 'utf8');
  return Object.entries(HEAVY).flatMap(([name, mark]) =>
    text.includes(mark) ? [`${name} in ${url.replace(/.*\/(?=dist|node_modules)/, '')}`] : [],
  );
};

test('a staged check with an unchanged policy loads none of the heavy libraries, and only routed atoms', () => {
  const repo = makeRepo();
  const recorder = loadRecorder();
  repo.write('.ralphrc.yaml', 'extends: ["ralph-guard:recommended"]\natoms:\n  weak-crypto: { level: warn }\n');
  repo.write('README.md', '# app\n');
  repo.stage();
  repo.commit('base');
  repo.write('src/db.js', cleanLine + sqlLine);
  repo.stage();

  recorder.reset();
  const first = repo.cli(['check', '--staged'], { env: recorder.env });
  assert.is(first.code, 1, first.stdout + first.stderr);
  // A new policy is validated: zod and cosmiconfig load (and show the detector works).
  const validating = recorder.loaded().flatMap(heavyIn).join('\n');
  assert.match(validating, /^zod in /m);
  assert.match(validating, /^cosmiconfig in /m);

  recorder.reset();
  const second = repo.cli(['check', '--staged'], { env: recorder.env });
  assert.is(second.code, 1, second.stdout + second.stderr);
  assert.match(second.stdout, 'sql-injection');
  const loaded = recorder.loaded();
  const heavy = loaded.flatMap(heavyIn);
  assert.equal(heavy, [], 'no heavy library on the hot path');
  assert.ok(
    loaded.some((url) => /\/sql-injection-[\w-]+\.js$/.test(url)),
    'the routed atom is loaded',
  );
  for (const unrouted of ['dependencies', 'security-headers', 'redos'])
    assert.not.ok(
      loaded.some((url) => new RegExp(`/${unrouted}-[\\w-]+\\.js$`).test(url)),
      `${unrouted} is not loaded for a file that does not mention it`,
    );
});

test('a re-check of a staged change whose results are cached loads a handful of files (the build bundles that path into one chunk)', () => {
  const repo = makeRepo();
  const recorder = loadRecorder();
  repo.write('README.md', '# app\n');
  repo.stage();
  repo.commit('base');
  for (let i = 0; i < 5; i++) repo.write(`src/route${i}.js`, `// route ${i}\n${cleanLine}`);
  repo.stage();
  assert.is(repo.cli(['check', '--staged']).code, 0);

  recorder.reset();
  const again = repo.cli(['check', '--staged'], { env: recorder.env });
  assert.is(again.code, 0, again.stdout + again.stderr);
  // Each ESM file costs node a resolve, a read and a compile; the split build loaded 37 here.
  const files = recorder.loaded().filter((url) => url.includes('/dist/'));
  assert.ok(files.length <= 12, `${files.length} files of dist/ loaded:\n${files.join('\n')}`);
});

test.run();
