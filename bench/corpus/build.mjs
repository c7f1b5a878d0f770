// Rebuilds the detection corpus (bench/corpus/.cache, not committed) from bench/corpus/pinned.json: each
// repository at its pinned commit, only the listed paths, tests removed. Run by hand; `npm run bench --
// detection` fetches nothing and reads only the cache.
//
//   node bench/corpus/build.mjs            every entry
//   node bench/corpus/build.mjs kutt dvna  only these
//
// Where a repository comes from: a local git directory under $BENCH_MIRRORS named `owner+name/repo`
// (default /work/.mirror), else a blobless clone from GitHub into bench/corpus/.cache/.git-clones.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const HERE = new URL('.', import.meta.url).pathname;
const CACHE = join(HERE, '.cache');
const MIRRORS = process.env.BENCH_MIRRORS || '/work/.mirror';
const pinned = JSON.parse(readFileSync(join(HERE, 'pinned.json'), 'utf8'));
const only = process.argv.slice(2);

/** Tests, fixtures and mocks: production code only, so findings per 1,000 lines measure what ships. */
export const testPath = (path) =>
  /(^|\/)(__tests__|__mocks__|__fixtures__|tests?|e2e|fixtures?|mocks?|cypress)\//.test(path) ||
  /\.(test|spec|e2e-spec|e2e|stories)\.[cm]?[jt]sx?$/.test(path);

function gitDir(repo) {
  const local = join(MIRRORS, repo.replace('/', '+'), 'repo');
  if (existsSync(local)) return local;
  const clone = join(CACHE, '.git-clones', repo.replace('/', '+'));
  if (!existsSync(clone))
    execFileSync('git', ['clone', '--bare', '--filter=blob:none', `https://github.com/${repo}.git`, clone], {
      stdio: 'inherit',
    });
  return clone;
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

for (const [kind, entries] of Object.entries(pinned)) {
  if (!Array.isArray(entries)) continue;
  for (const entry of entries) {
    if (only.length && !only.includes(entry.name)) continue;
    const target = join(CACHE, kind, entry.name);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const git = gitDir(entry.repo);
    const tar = execFileSync('git', ['--git-dir', git, 'archive', '--format=tar', entry.commit, ...entry.include], {
      maxBuffer: 1 << 30,
    });
    execFileSync('tar', ['-x', '-C', target], { input: tar });
    let removed = 0;
    if (kind !== 'suites')
      for (const file of walk(target))
        if (testPath(relative(target, file))) {
          rmSync(file);
          removed++;
        }
    console.log(`${kind}/${entry.name}: ${walk(target).length} files (${removed} test files removed)`);
  }
}
