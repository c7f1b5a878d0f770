// Skills: built-in bundles over the atoms this build has, policy skills, check --skill, export.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { closestGoodExample } from '../src/report/patterns.js';
import { allSkills, BUILTIN_SKILLS } from '../src/skills/skills.js';
import { secretSpans } from '../src/atoms/secrets.js';
import { maskSpans } from '../src/changeset/text.js';
import { commitPolicy, makeRepo } from './helpers/repo.js';
import { awsLine, md5Line, sqlLine } from './helpers/samples.js';

const ids = new Set(BUILTIN_ATOMS.map((a) => a.id));

test('built-in skills are those of the design and name only atoms that exist, in order', () => {
  assert.equal(Object.keys(BUILTIN_SKILLS).sort(), ['file-upload', 'oauth', 'secure-rest-endpoint', 'user-auth']);
  for (const skill of allSkills(null)) {
    for (const id of skill.atoms) assert.ok(ids.has(id), `${skill.name}: ${id} is in the registry`);
    assert.equal(skill.atoms, BUILTIN_SKILLS[skill.name]!.atoms);
  }
});

test('skills lists them; check --skill runs only the skill’s atoms; an unknown skill is a usage error', () => {
  const repo = makeRepo();
  const list = repo.cli(['skills']);
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, /user-auth\s+built-in\s+dependencies, input-validation, password-hashing/);
  repo.write('a.js', awsLine() + sqlLine + md5Line);
  repo.stage();
  const r = repo.cli(['check', '--skill', 'user-auth', '--format', 'json']);
  assert.is(r.code, 1);
  assert.equal([...new Set(JSON.parse(r.stdout).findings.map((f: { atom: string }) => f.atom))], ['password-hashing']);
  const rest = repo.cli(['check', '--skill', 'secure-rest-endpoint', '--format', 'json']);
  assert.equal([...new Set(JSON.parse(rest.stdout).findings.map((f: { atom: string }) => f.atom))], ['sql-injection']);
  const unknown = repo.cli(['check', '--skill', 'user-autth']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, 'did you mean "user-auth"');
});

test('a policy skill adds a bundle (with a custom atom) and can replace a built-in one', () => {
  const repo = makeRepo();
  commitPolicy(repo, {
    '.ralphrc.json': JSON.stringify({
      atoms: {
        'no-todo': {
          title: 'No TODO left',
          criteria: { pass: 'No TODO.', fail: 'A TODO is left.' },
          checks: [{ type: 'pattern', regex: 'TODO', message: 'TODO left' }],
        },
      },
      skills: {
        'my-api': { description: 'Our API rules.', atoms: ['no-todo', 'secrets'] },
        'user-auth': { atoms: ['secrets'] },
      },
    }),
  });
  repo.write('a.js', awsLine() + md5Line + '// TODO\n');
  repo.stage();
  const mine = JSON.parse(repo.cli(['check', '--skill', 'my-api', '--format', 'json']).stdout);
  assert.equal([...new Set(mine.findings.map((f: { atom: string }) => f.atom))].sort(), ['no-todo', 'secrets']);
  const replaced = JSON.parse(repo.cli(['check', '--skill', 'user-auth', '--format', 'json']).stdout);
  assert.equal([...new Set(replaced.findings.map((f: { atom: string }) => f.atom))], ['secrets']);
  assert.match(repo.cli(['skills']).stdout, /my-api\s+policy\s+no-todo, secrets/);
});

/** Every `## N. \`atom\`` heading and fenced block of an exported skill. */
function parseSkill(text: string) {
  const atoms = [...text.matchAll(/^## \d+\. `([^`]+)`/gm)].map((m) => m[1]!);
  const blocks = [...text.matchAll(/^(`{3,})[a-z]*\n([\s\S]*?)\n\1$/gm)].map((m) => m[2]!);
  return { atoms, blocks };
}

test('skills export --agent claude writes .claude/skills/<name>/SKILL.md; every atom and example in it exists', () => {
  const repo = makeRepo();
  const r = repo.cli(['skills', 'export', '--agent', 'claude']);
  assert.is(r.code, 0, r.stderr);
  const dir = join(repo.dir, '.claude/skills');
  const exported = readdirSync(dir)
    .filter((name) => name !== 'harden')
    .sort();
  const expected = allSkills(null)
    .filter((s) => s.atoms.length)
    .map((s) => s.name)
    .sort();
  assert.equal(exported, expected);
  const harden = readFileSync(join(dir, 'harden', 'SKILL.md'), 'utf8');
  assert.match(harden, /^---\nname: harden\ndescription: ".*start of a securing \(hardening\) session/);
  assert.match(harden, 'Run `npx ralph-guard harden`');
  const examples = new Map(
    BUILTIN_ATOMS.map((a) => [
      a.id,
      // As exported: sample keys masked, so the exported file commits through the secrets atom.
      [...a.examples.good, ...a.examples.bad].map((e) =>
        e.code
          .split('\n')
          .map((line) => maskSpans(line, secretSpans(e.file, line)))
          .join('\n')
          .replace(/\s*(?:\/\/|#)\s*✗\s*$/gm, ''),
      ),
    ]),
  );
  for (const name of exported) {
    const text = readFileSync(join(dir, name, 'SKILL.md'), 'utf8');
    const front = /^---\nname: ([a-z0-9-]+)\ndescription: (".*")\n---\n/.exec(text);
    assert.ok(front, `${name}: YAML front matter with name and description`);
    assert.is(front![1], name);
    const description = JSON.parse(front![2]!) as string;
    assert.ok(description.length > 20 && description.length <= 1024);
    const { atoms, blocks } = parseSkill(text);
    assert.equal(atoms, allSkills(null).find((s) => s.name === name)!.atoms, `${name}: its atoms in order`);
    for (const id of atoms) {
      assert.ok(ids.has(id), `${name}: atom ${id} exists`);
      const atom = BUILTIN_ATOMS.find((a) => a.id === id)!;
      assert.match(text, `- **Pass:** ${atom.criteria.pass}`);
      assert.match(text, `- **Fail:** ${atom.criteria.fail}`);
    }
    const code = blocks.filter((b) => !b.startsWith('npx ralph-guard'));
    assert.ok(code.length >= atoms.length, `${name}: a secure pattern per atom`);
    for (const block of code) {
      assert.ok(
        atoms.some((id) => examples.get(id)!.includes(block)),
        `${name}: this block is one of its atoms' examples:\n${block}`,
      );
    }
    assert.match(text, `npx ralph-guard check --worktree --skill ${name} --format agent`);
  }
  const again = repo.cli(['skills', 'export', '--agent', 'claude']);
  assert.match(again.stdout, 'is up to date');
  assert.not.match(again.stdout, 'wrote');
});

test('skills export to a directory; a file ralph-guard did not write is left alone', () => {
  const repo = makeRepo();
  repo.write('docs/skills/user-auth.md', '# ours\n');
  const r = repo.cli(['skills', 'export', 'docs/skills']);
  assert.is(r.code, 1);
  assert.match(r.stdout, 'docs/skills/user-auth.md exists and was not written by ralph-guard');
  assert.is(repo.read('docs/skills/user-auth.md'), '# ours\n');
  assert.ok(existsSync(join(repo.dir, 'docs/skills/secure-rest-endpoint.md')));
});

test('the secure pattern shown for a bad example is the good example paired with it (same file name), never a near-miss', () => {
  const stem = (p: string) => p.replace(/\.[^./]+$/, '');
  for (const atom of BUILTIN_ATOMS) {
    for (const bad of atom.examples.bad) {
      const flagged =
        bad.code
          .split('\n')
          .filter((l) => l.includes('✗'))
          .join('\n') || bad.code;
      const shown = closestGoodExample(atom, [{ file: bad.file, excerpt: flagged }]);
      assert.ok(shown && atom.examples.good.includes(shown), `${atom.id}: a good example`);
      if (atom.examples.good.some((g) => stem(g.file) === stem(bad.file)))
        assert.is(stem(shown!.file), stem(bad.file), `${atom.id}: ${bad.file} is paired`);
    }
  }
});

test.run();
