/** Runs an atom on one of its examples through the real router, pre-filter and filter. */
import { checkLinearRegex } from '../../src/policy/linear-regex.js';
import * as z from 'zod';
import type { AnyAtom, CheckContext, Example, Hit, ProjectView } from '../../src/kit/atom.js';
import { sourceFile } from '../../src/engine/source-file.js';
import { suppressionFor } from '../../src/filter.js';
import { activate, headerOf, routeByKeywords, routeByPath } from '../../src/router.js';
import { memoryProject } from './project.js';

export interface ExampleRun {
  routed: boolean;
  lines: number[];
  rules: string[];
  hits: Hit[];
}

/** A check context for running one file outside a change set: no old version, and only the files `project` holds around it. */
export function stubContext<O>(
  options: O,
  note: (text: string) => void = () => {},
  project: ProjectView = memoryProject({}),
): CheckContext<O> {
  return { options, mode: 'all', online: false, note, project, readOld: async () => null, changes: () => false };
}

export async function runExample(atom: AnyAtom, example: Example): Promise<ExampleRun> {
  const options = atom.options
    ? (atom.options(z, { regexProblem: checkLinearRegex }).parse(example.options ?? {}) as Record<string, unknown>)
    : {};
  const active = activate(headerOf(atom), async () => atom, 'block', options, undefined, []);
  const file = sourceFile({ path: example.file, allAdded: true, added: [] }, example.code);
  if (!routeByPath([active], example.file).length || !routeByKeywords([active], example.code).length)
    return { routed: false, lines: [], rules: [], hits: [] };
  // An example is a whole app in one file: the project around it holds only the example itself.
  const project = memoryProject({ [example.file]: example.code });
  const hits = (
    await atom.check(
      file,
      stubContext(options, () => {}, project),
    )
  ).filter((h) => !suppressionFor(file, `${atom.id}/${h.rule}`, h.line));
  return {
    routed: true,
    lines: [...new Set(hits.map((h) => h.line))].sort((a, b) => a - b),
    rules: hits.map((h) => h.rule),
    hits,
  };
}
