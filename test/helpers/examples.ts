/** Runs an atom on one of its examples through the real router, pre-filter and filter. */
import { checkLinearRegex } from '../../src/policy/linear-regex.js';
import * as z from 'zod';
import * as assert from 'uvu/assert';
import {
  expectedLines,
  PLACEHOLDER,
  type AnyAtom,
  type CheckContext,
  type Example,
  type Hit,
  type ProjectView,
} from '../../src/kit/atom.js';
import { sourceFile } from '../../src/engine/source-file.js';
import { suppressionFor } from '../../src/suppressions.js';
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
  // An example is a whole app: the project around it holds the example and the files it names as its others.
  const project = memoryProject({ ...example.others, [example.file]: example.code });
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

/** A bad example is flagged on exactly its marked lines, under declared rules and messages (throws otherwise). */
export async function assertBadExample(atom: AnyAtom, example: Example): Promise<void> {
  const expected = expectedLines(example);
  assert.ok(expected.length > 0, 'the example marks the lines it expects (✗ or lines)');
  const run = await runExample(atom, example);
  assert.ok(run.routed, `the atom's files and keywords route ${example.file} to it`);
  assert.equal(run.lines, expected, `flagged lines\n${example.code}`);
  for (const rule of run.rules) assert.ok(atom.rules[rule], `rule ${rule} is declared`);
  for (const hit of run.hits) assert.equal(messageProblems(atom, hit), [], `the message of ${hit.rule}`);
}

/** A good example reaches the check (unless it says why not) and gets no finding (throws otherwise). */
export async function assertGoodExample(atom: AnyAtom, example: Example): Promise<void> {
  const run = await runExample(atom, example);
  if (example.unrouted)
    assert.not.ok(run.routed, `marked unrouted (${example.unrouted}) but it reaches the check: drop the mark`);
  else assert.ok(run.routed, 'a good example reaches the check (or says why not with `unrouted`)');
  assert.equal(run.lines, [], `no finding expected\n${example.code}`);
}

export const placeholders = (template: string) => [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);

/** What is wrong with the message a hit asks for: an unknown id, a placeholder left empty-handed, data no placeholder uses. */
export function messageProblems(atom: AnyAtom, hit: Hit): string[] {
  const rule = atom.rules[hit.rule];
  if (!rule) return [`no rule ${hit.rule}`];
  if (hit.messageId === undefined) return hit.data ? ['data without a messageId'] : [];
  const template = rule.messages?.[hit.messageId];
  if (template === undefined) return [`${hit.rule} declares no message "${hit.messageId}"`];
  const wanted = placeholders(template);
  const given = Object.keys(hit.data ?? {});
  return [
    ...wanted.filter((name) => !given.includes(name)).map((name) => `{${name}} of "${hit.messageId}" has no value`),
    ...given.filter((name) => !wanted.includes(name)).map((name) => `data "${name}" is not in "${hit.messageId}"`),
  ];
}
