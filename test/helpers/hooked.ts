/** Repositories whose plain git hooks run ralph-guard, and the commit a hook must refuse and then let through. */
import * as assert from 'uvu/assert';
import { makeRepo, type Repo } from './repo.js';

/** A repository after `ralph-guard init --hooks git` and a first commit (the test must have put ralph-guard on PATH: installShimOnPath). */
export function hookedRepo(): Repo {
  const repo = makeRepo();
  const init = repo.cli(['init', '--hooks', 'git']);
  assert.is(init.code, 0, init.stderr);
  repo.write('README.md', '# demo\n');
  repo.stage();
  repo.commit('base');
  return repo;
}

export interface RefusedThenFixed {
  atom: string;
  file: string;
  bad: string;
  good: string;
  /** The line the finding is reported on. */
  line: number;
}

/** A real `git commit` of `bad` is refused naming the atom and the line, no commit is made; the commit of `good` goes through. */
export function assertRefusedThenFixed(c: RefusedThenFixed): void {
  const repo = hookedRepo();
  repo.write(c.file, c.bad);
  repo.stage(c.file);
  const before = repo.git('rev-parse', 'HEAD');
  const r = repo.tryGit(['commit', '-m', 'bad']);
  assert.is.not(r.code, 0, 'commit refused');
  assert.match(r.stdout + r.stderr, c.atom);
  assert.match(r.stdout + r.stderr, `${c.file}:${c.line}:`);
  assert.is(repo.git('rev-parse', 'HEAD'), before, 'no commit was made');

  repo.write(c.file, c.good);
  repo.stage(c.file);
  const ok = repo.tryGit(['commit', '-m', 'good']);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
}
