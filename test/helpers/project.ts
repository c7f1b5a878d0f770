/** A ProjectView over files held in memory: what an example (or a unit test) sees as "the rest of the repository". */
import type { ProjectView } from '../../src/kit/atom.js';
import { sourceFile } from '../../src/engine/source-file.js';
import { globMatcher } from '../../src/globs.js';

export function memoryProject(files: Record<string, string>): ProjectView {
  const files_ = async (globs: readonly string[]) => Object.keys(files).filter(globMatcher(globs));
  return {
    files: files_,
    grep: async (globs, pattern) =>
      (await files_(globs)).filter((p) =>
        new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test(files[p]!),
      ),
    read: async (path) => files[path] ?? null,
    source: async (path) => (path in files ? sourceFile({ path, allAdded: false, added: [] }, files[path]!) : null),
  };
}
