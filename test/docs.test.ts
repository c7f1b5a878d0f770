// The docs that describe code are generated from it (the README's atom table and rule list, the pages
// under docs/atoms/) and must be current; the prose docs' tables and counts must match the atoms.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as z from 'zod';
import { atomPages, render } from '../scripts/docs.js';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { sourceFile } from '../src/engine/source-file.js';
import { checkLinearRegex } from '../src/policy/linear-regex.js';
import { activate, headerOf, routeByKeywords, routeByPath } from '../src/router.js';
import { stubContext } from './helpers/examples.js';
import { makeRepo } from './helpers/repo.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

test('README.md is up to date with the atoms (run `npm run docs`)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.ok(render(readme) === readme, 'README.md is stale: run `npm run docs`');
});

test('docs/atoms/ holds one current page per atom and nothing else (run `npm run docs`)', async () => {
  const pages = await atomPages();
  assert.equal(readdirSync(new URL('../docs/atoms/', import.meta.url)).sort(), [...pages.keys()].sort());
  for (const [name, text] of pages) assert.ok(read(`docs/atoms/${name}`) === text, `docs/atoms/${name} is stale`);
});

test('an atom page holds its criteria, every rule with every message, and every example', async () => {
  const pages = await atomPages();
  for (const atom of BUILTIN_ATOMS) {
    const page = pages.get(`${atom.id}.md`)!;
    assert.ok(page.includes(atom.criteria.fail) && page.includes(atom.criteria.pass), atom.id);
    for (const [name, rule] of Object.entries(atom.rules)) {
      assert.ok(page.includes(`### \`${atom.id}/${name}\``) && page.includes(rule.fix), `${atom.id}/${name}`);
      for (const id of Object.keys(rule.messages ?? {})) assert.ok(page.includes(`| \`${id}\` |`), `${name}: ${id}`);
    }
    const blocks = page.match(/^`{3,}/gm)?.length ?? 0;
    const examples = [...atom.examples.bad, ...atom.examples.good];
    const files = examples.reduce((n, e) => n + 1 + Object.keys(e.others ?? {}).length, 0);
    assert.is(blocks / 2, files + (atom.options ? 1 : 0), atom.id);
  }
});

test("the generated pages hold no secret: every atom, run on them as the project's hook would, finds nothing", async () => {
  const found: string[] = [];
  for (const [name, text] of await atomPages()) {
    const path = `docs/atoms/${name}`;
    for (const atom of BUILTIN_ATOMS) {
      const options = atom.options ? atom.options(z, { regexProblem: checkLinearRegex }).parse({}) : {};
      const active = activate(headerOf(atom), async () => atom, 'block', options, undefined, []);
      if (!routeByPath([active], path).length || !routeByKeywords([active], text).length) continue;
      const hits = await atom.check(sourceFile({ path, allAdded: true, added: [] }, text), stubContext(options));
      for (const h of hits) found.push(`${path}:${h.line} ${atom.id}/${h.rule}`);
    }
  }
  assert.equal(found, []);
});

/** The `backticked` names of a Markdown table's column, leaving out what parentheses and a colon say about them. */
function namesInColumn(rows: string[], column: number): string[] {
  return rows.flatMap((row) => {
    let cell = row.split(/(?<!\\)\|/)[column + 1] ?? '';
    while (/\([^()]*\)/.test(cell)) cell = cell.replace(/\([^()]*\)/g, '');
    cell = cell.replace(/`: .*$/, '`'); // `name`: what it is
    return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  });
}
const tableRows = (text: string, header: string) => {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  assert.ok(start >= 0, `a table headed ${header}`);
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(lines[i]!);
  return rows;
};
const atom = (id: string) => BUILTIN_ATOMS.find((a) => a.id === id)!;

test('the family tables of docs/*-atoms.md list every atom without a page of its own, once, and only atoms', () => {
  const listed = [
    ...namesInColumn(tableRows(read('docs/code-atoms.md'), '| id |'), 0),
    ...namesInColumn(tableRows(read('docs/auth-atoms.md'), '| id |'), 0),
    ...namesInColumn(tableRows(read('docs/app-atoms.md'), '| id |'), 0),
  ];
  const own = BUILTIN_ATOMS.map((a) => a.id).filter((id) => existsSync(new URL(`../docs/${id}.md`, import.meta.url)));
  assert.equal(own, ['secrets', 'dependencies'], 'atoms with a page of their own');
  assert.equal([...listed, ...own].sort(), BUILTIN_ATOMS.map((a) => a.id).sort());
});

test("docs/secrets.md counts the secrets atom's rules and names each in its family table", () => {
  const doc = read('docs/secrets.md');
  const rules = Object.keys(atom('secrets').rules);
  assert.match(doc, `## What it finds (${rules.length} rules)`);
  assert.match(read('README.md'), `[secrets](docs/secrets.md) (${rules.length} rules`);
  const named = namesInColumn(tableRows(doc, '| family |'), 1);
  assert.equal(
    rules.filter((r) => !named.includes(r)),
    [],
    'rules missing from the table',
  );
  assert.equal(
    named.filter((n) => !rules.includes(n)),
    [],
    'names in the table that are no rule',
  );
});

test("docs/dependencies.md's rule table names exactly the dependencies atom's rules", () => {
  const named = namesInColumn(tableRows(read('docs/dependencies.md'), '| rule |'), 0).map((n) =>
    n.replace(/^dependencies\//, ''),
  );
  assert.equal(named.sort(), Object.keys(atom('dependencies').rules).sort());
});

test('the prose docs point only inside the repository, and their links resolve', () => {
  const docs = [
    'README.md',
    ...readdirSync(new URL('../docs/', import.meta.url))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  for (const doc of docs) {
    const text = read(doc);
    assert.not.match(text, /\.\.\/shared\//, `${doc} points at the design outside the repository`);
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue; // a web address
      const url = new URL(target!, new URL(`../${doc}`, import.meta.url));
      assert.ok(
        url.pathname.startsWith(new URL('../', import.meta.url).pathname),
        `${doc}: ${target} leaves the repository`,
      );
      assert.ok(existsSync(url), `${doc}: the link ${target} leads nowhere`);
    }
  }
});

test("docs/ARCHITECTURE.md's map of src/ names every folder and module at its top", () => {
  const text = read('docs/ARCHITECTURE.md');
  const map = text.slice(text.indexOf('\nsrc/\n'), text.indexOf('```', text.indexOf('\nsrc/\n')));
  const named = new Set([...map.matchAll(/[\w.-]+\/?/g)].map((m) => m[0]));
  const top = readdirSync(new URL('../src/', import.meta.url), { withFileTypes: true }).map((e) =>
    e.isDirectory() ? `${e.name}/` : e.name,
  );
  assert.equal(
    top.filter((entry) => !named.has(entry)),
    [],
    'missing from the map',
  );
});

test('README.md shows the two set-up commands', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.match(readme, 'npm ci && npm run demo');
  assert.match(readme, 'npm test');
});

test('.ralphrc.example is a valid policy', () => {
  const repo = makeRepo();
  repo.write('.ralphrc.yaml', readFileSync(new URL('../.ralphrc.example', import.meta.url), 'utf8'));
  const r = repo.cli(['check', '--all']);
  assert.is(r.code, 0, r.stderr);
});

test.run();
