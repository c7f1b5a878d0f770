// Bypasses of the analysis (DESIGN §9.3, 9.6, 9.7, 9.8): each is performed through a real `git commit` with
// hooks installed by `init`, and again as CI checks it (`check --range`), and shown refused or reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALNUM, fakeKey, join } from '../src/kit/samples.js';
import { hookedRepo } from './helpers/hooked.js';
import { installShimOnPath, type Repo } from './helpers/repo.js';
import { sqlLine } from './helpers/samples.js';

installShimOnPath();

interface Bypass {
  files: Record<string, string>;
  /** The rule (`atom/rule`) the hook must name, and where. */
  rule: string;
  at: string;
  /** Text that must never reach the output (a secret). */
  secret?: string;
}

/** The commit is refused by the hook naming the rule; committed anyway, `check --range` in CI refuses it too. */
function assertRefused(b: Bypass, setup?: (repo: Repo) => void): Repo {
  const repo = hookedRepo();
  setup?.(repo);
  for (const [path, text] of Object.entries(b.files)) repo.write(path, text);
  repo.stage(...Object.keys(b.files));
  const before = repo.git('rev-parse', 'HEAD');
  const r = repo.tryGit(['commit', '-m', 'bypass']);
  const out = r.stdout + r.stderr;
  assert.is.not(r.code, 0, `the hook refuses the commit:\n${out}`);
  assert.match(out, b.rule);
  assert.match(out, b.at);
  assert.is(repo.git('rev-parse', 'HEAD'), before, 'no commit was made');
  if (b.secret) assert.not.match(out, b.secret, 'the secret is masked');

  repo.commit('bypass, committed without hooks');
  const range = repo.cli(['check', '--range', 'HEAD~1..HEAD', '--format', 'json']);
  assert.is(range.code, 1, range.stdout + range.stderr);
  const findings = JSON.parse(range.stdout).findings as Array<{ rule: string; file: string; line: number }>;
  assert.ok(
    findings.some((f) => `${f.file}:${f.line}:`.startsWith(b.at) && f.rule.startsWith(b.rule)),
    `--range names ${b.rule} at ${b.at}: ${JSON.stringify(findings)}`,
  );
  if (b.secret) assert.not.match(range.stdout, b.secret, 'the secret is masked');
  return repo;
}

const value = (seed: number) => fakeKey('', 20, ALNUM, seed);
const stripe = (seed: number) => fakeKey(join('sk', '_live_'), 24, ALNUM, seed);

for (const name of ['adminPassword', 'ADMIN_PASSWORD', 'adminToken', 'accountPassword', 'SERVICE_ACCOUNT_PASSWORD']) {
  test(`secrets: a credential named ${name} is checked (whole words, not substrings)`, () => {
    assertRefused({
      files: { 'src/seed.js': `export const ${name} = '${value(1)}';\n` },
      rule: 'secrets/hardcoded-credential',
      at: 'src/seed.js:1:',
      secret: value(1),
    });
  });
}

test('secrets: a value Prettier wrapped onto the line after `=` is found', () => {
  assertRefused({
    files: { 'src/mail.js': `export const smtpPassword =\n  '${value(2)}';\n` },
    rule: 'secrets/hardcoded-credential',
    at: 'src/mail.js:2:',
    secret: value(2),
  });
});

test('secrets: a value wrapped onto an added line under an unchanged `password:` is found', () => {
  const repo = hookedRepo();
  repo.write('src/mail.js', `export const transport = {\n  password:\n    process.env.SMTP_PASSWORD,\n};\n`);
  repo.stage();
  repo.commit('clean');
  repo.write('src/mail.js', `export const transport = {\n  password:\n    '${value(3)}',\n};\n`);
  repo.stage();
  const r = repo.tryGit(['commit', '-m', 'bypass']);
  assert.is.not(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, 'src/mail.js:3:');
  assert.not.match(r.stdout + r.stderr, value(3));
});

test('secrets: a known-format key split across `+`-joined literals is found', () => {
  const key = stripe(4);
  assertRefused({
    files: {
      'src/billing.js': `export const key =\n  '${key.slice(0, 5)}' +\n  '${key.slice(5, 14)}' +\n  '${key.slice(14)}';\n`,
    },
    rule: 'secrets/stripe-secret-key',
    at: 'src/billing.js:2:',
    secret: key.slice(14),
  });
});

test('secrets: a known-format key in template parts is found', () => {
  const key = stripe(5);
  assertRefused({
    files: { 'src/billing.js': `export const key = \`${key.slice(0, 8)}\${'${key.slice(8)}'}\`;\n` },
    rule: 'secrets/stripe-secret-key',
    at: 'src/billing.js:1:',
    secret: key.slice(8),
  });
});

test('secrets: base64 of a known-format key is found', () => {
  const encoded = Buffer.from(stripe(6)).toString('base64');
  assertRefused({
    files: { 'src/billing.js': `export const key = Buffer.from('${encoded}', 'base64').toString();\n` },
    rule: 'secrets/stripe-secret-key',
    at: 'src/billing.js:1:',
    secret: encoded,
  });
});

// ── Point 6: deep code never crashes the analysis open ──────────────────────────────────────────────────

const NESTED: Record<string, (n: number) => string> = {
  parentheses: (n) => `${'('.repeat(n)}1${')'.repeat(n)}`,
  arrays: (n) => `${'['.repeat(n)}${']'.repeat(n)}`,
  ternaries: (n) => `${'a ? b : '.repeat(n)}c`,
  assignments: (n) => `${'a = '.repeat(n)}1`,
  arrows: (n) => `${'x => '.repeat(n)}1`,
  'prefix operators': (n) => `${'!'.repeat(n)}a`,
  'new new': (n) => `${'new '.repeat(n)}A`,
  'template substitutions': (n) => `${'`${'.repeat(n)}1${'}`'.repeat(n)}`,
  'JSX elements': (n) => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`,
  'type arguments': (n) => `null as unknown as ${'Array<'.repeat(n)}a${'>'.repeat(n)}`,
  'else if chains': (n) => `0;\nif (a) x();\n${'else if (a) x();\n'.repeat(n)}`,
};

test('the nesting pre-scan stops every construct oxc-parser recurses on, well before it can crash', async () => {
  const { nestingBeyond, MAX_NESTING } = await import('../src/ast/depth.js');
  for (const [what, make] of Object.entries(NESTED)) {
    assert.ok(nestingBeyond(`x = ${make(10_000)};`) !== null, `${what}: 10,000 levels are refused`);
    assert.is(nestingBeyond(`x = ${make(50)};`), null, `${what}: 50 levels are fine`);
  }
  assert.is(nestingBeyond(`x = ${Array(10_000).fill('a').join(' + ')};`), null, 'a long chain of + does not nest');
  assert.ok(MAX_NESTING <= 2000, 'far below the ~6,000 levels where oxc-parser segfaults');
});

test('the quick bound (few brackets, operators and keywords) never changes what the nesting count answers', async () => {
  const { nestingBeyond, countNesting } = await import('../src/ast/depth.js');
  const { check, fc } = await import('./helpers/property.js');
  const token = fc.constantFrom(
    ...['(', ')', '[', ']', '{', '}', '`', '${', '?', '?.', '??', ':', '=', '==', '=>', '<', '<<', '**', '*', '!'],
    ...['!=', '~', '-', '--', '+', '+=', ';', ',', '/', '//c\n', '/*c*/', "'s'", '"s"', 'if', 'else', 'new'],
    ...['typeof', 'await', 'x', 'a1', '2if', '$if', 'ifé', '\\', ' ', '\n', '\r\n'],
  );
  check(
    fc.property(fc.array(token, { maxLength: 60 }), fc.nat(40), (tokens, limit) => {
      const text = tokens.join('');
      assert.is(nestingBeyond(text, limit), countNesting(text, limit), JSON.stringify({ text, limit }));
    }),
    2000,
  );
});

test('real code stays far under the nesting limit (this project’s sources and its dependencies’ biggest files)', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { nestingBeyond } = await import('../src/ast/depth.js');
  const files = [
    ...readdirSync('src', { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join('src', f)),
    'node_modules/typescript/lib/typescript.js',
    'node_modules/oxc-parser/src-js/generated/deserialize/js.js',
    'node_modules/zod/v4/core/schemas.js',
  ];
  for (const file of files) assert.is(nestingBeyond(readFileSync(file, 'utf8'), 150), null, file);
});

test('deep code: 5,000 nested levels and a 10,000-term concatenation are refused through the hook, no crash', () => {
  const head = "const { exec } = require('child_process');\nconst app = require('express')();\n";
  // Short lines (a file of very long lines is treated as machine-made and skips the code atoms anyway).
  const open = Array(50).fill('('.repeat(100)).join('\n');
  const close = Array(50).fill(')'.repeat(100)).join('\n');
  const deep = `${head}app.get('/a', (req, res) => exec(req.query.cmd, ${open}\n1\n${close}));\n`;
  const concat = `${head}app.get('/b', (req, res) => exec('ls ' + req.query.dir +\n${Array(10_000).fill('  req.query.dir').join(' +\n')}));\n`;
  for (const [file, text] of [
    ['src/deep.js', deep],
    ['src/concat.js', concat],
  ] as const) {
    const repo = assertRefused({ files: { [file]: text }, rule: 'command-injection/', at: `${file}:3:` });
    const r = repo.cli(['check', '--range', 'HEAD~1..HEAD', '--format', 'json']);
    const out = JSON.parse(r.stdout) as { errors: unknown[]; notes: string[] };
    assert.equal(out.errors, [], 'no analysis threw (no "Maximum call stack size exceeded")');
    assert.ok(
      out.notes.some((n) => n.startsWith(`${file}: analysis-incomplete:`)),
      out.notes.join('\n'),
    );
  }
});

for (const [banner, where] of [
  ['// @generated by some-tool', 'a generator banner'],
  ['/*! left-pad v1.3.0 | MIT */', 'a library banner'],
] as const)
  test(`a file is not hidden from the code atoms by ${where} or a source-map line: it gets the reduced checks`, () => {
    const route = `${banner}\nconst { exec } = require('child_process');\nconst app = require('express')();\napp.get('/a', (req, res) => exec('ls ' + req.query.dir));\n//# sourceMappingURL=route.js.map\n`;
    const repo = assertRefused({ files: { 'src/route.js': route }, rule: 'command-injection/', at: 'src/route.js:4:' });
    const r = repo.cli(['check', '--range', 'HEAD~1..HEAD', '--format', 'json']);
    const notes = (JSON.parse(r.stdout) as { notes: string[] }).notes;
    assert.ok(
      notes.some((n) => n.startsWith('src/route.js: analysis-incomplete: it says it is')),
      notes.join('\n'),
    );
  });

test('one file cannot spend the whole commit’s budget: the injection in another file is still found', () => {
  const routes = Array.from(
    { length: 2500 },
    (_, i) =>
      `app.get('/r${i}', (req, res) => { const v${i} = String(req.query.v${i}).replace(/[^a-z]/g, ''); execFile('ls', [v${i}], () => res.end()); });`,
  ).join('\n');
  assertRefused(
    {
      files: {
        'src/a-big.js': `const { execFile } = require('child_process');\nconst app = require('express')();\n${routes}\n`,
        'src/z-small.js': `const { exec } = require('child_process');\nmodule.exports = (req) => exec('ls ' + req.query.dir);\n`,
      },
      rule: 'command-injection/',
      at: 'src/z-small.js:2:',
    },
    (repo) => {
      repo.write('.ralphrc.json', JSON.stringify({ atomTimeoutMs: 150 }));
      repo.stage('.ralphrc.json');
      repo.commit('a short time budget');
    },
  );
  // Each file has its own budget: the big one may run out of it (then it blocks too); the small one is judged.
});

test('an analysis that runs out of time blocks its file with <atom>/analysis-error, and the summary never says it passed', () => {
  const big = Array.from(
    { length: 3000 },
    (_, i) =>
      `app.get('/r${i}', (req, res) => execFile('ls', [String(req.query.v${i}).slice(0, 3)], () => res.end()));`,
  ).join('\n');
  const repo = assertRefused(
    {
      files: {
        'src/big.js': `const { execFile } = require('child_process');\nconst app = require('express')();\n${big}\n`,
      },
      rule: 'command-injection/analysis-error',
      at: 'src/big.js:1:',
    },
    (repo) => {
      repo.write('.ralphrc.json', JSON.stringify({ atomTimeoutMs: 20 }));
      repo.stage('.ralphrc.json');
      repo.commit('a tiny time budget');
    },
  );
  const pretty = repo.cli(['check', '--range', 'HEAD~1..HEAD']);
  assert.not.match(pretty.stdout, 'every criterion passes');
});

test('Claude Code hooks: when the check process crashes (a native segfault), the hook exits 2 with the reason', async () => {
  const { readFileSync } = await import('node:fs');
  const repo = hookedRepo();
  repo.write('src/login.js', `${sqlLine}`);
  const input = readFileSync(new URL('./fixtures/claude/post-tool-use-write.json', import.meta.url), 'utf8').replaceAll(
    '${PROJECT}',
    repo.dir,
  );
  // The check runs in a child process; this makes that child die as a segfault in the parser would.
  const crash = `--import=data:text/javascript,if(process.env.RALPH_GUARD_HOOK_CHILD)process.kill(process.pid,'SIGSEGV')`;
  const r = repo.cli(['hook', 'claude-post-edit'], { input, env: { NODE_OPTIONS: crash } });
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, 'the analysis crashed (it was killed by SIGSEGV)');
  const normal = repo.cli(['hook', 'claude-post-edit'], { input });
  assert.is(normal.code, 2, 'without the crash the hook still blocks the injection');
  assert.match(normal.stderr + normal.stdout, 'sql-injection');
});

// ── Point 7: suppressions are reviewable ─────────────────────────────────────────────────────────────

const sql = sqlLine.trim();
for (const [how, text, warning] of [
  ['without a reason', `${sql} // ralph-guard-ignore sql-injection\n`, 'gives no reason'],
  [
    'inside a string literal',
    `const note = '// ralph-guard-ignore sql-injection -- reviewed';\n${sql}\n`,
    'not in a comment',
  ],
  [
    'inside a template literal',
    `const doc = \`\n// ralph-guard-ignore sql-injection -- reviewed\n\`;\n${sql}\n`,
    'not in a comment',
  ],
  [
    '300 spaces to the right',
    `${sql}${' '.repeat(300)}// ralph-guard-ignore sql-injection -- reviewed\n`,
    'beyond column',
  ],
  [
    'naming a misspelt atom',
    `${sql} // ralph-guard-ignore sql-injections -- reviewed\n`,
    'did you mean "sql-injection"',
  ],
  [
    'naming a misspelt rule',
    `${sql} // ralph-guard-ignore sql-injection/interpolated-querys -- reviewed\n`,
    'did you mean "sql-injection/interpolated-query"',
  ],
] as const) {
  test(`suppressions: a ralph-guard-ignore ${how} suppresses nothing and is itself a warning`, () => {
    const line = text.split('\n').length - 1;
    const repo = assertRefused({ files: { 'src/find.js': text }, rule: 'sql-injection/', at: `src/find.js:${line}:` });
    const r = repo.cli(['check', '--range', 'HEAD~1..HEAD', '--format', 'json']);
    const out = JSON.parse(r.stdout) as { findings: Array<{ rule: string; message: string }>; suppressed: unknown[] };
    const warned = out.findings.find((f) => f.rule === 'ralph-guard/suppression');
    assert.ok(warned, JSON.stringify(out.findings));
    assert.match(warned!.message, warning);
    assert.equal(out.suppressed, []);
  });
}

test('suppressions: one in a comment, with a reason, is honoured and listed in json, sarif and pretty', () => {
  const repo = hookedRepo();
  repo.write('src/find.js', `// ralph-guard-ignore sql-injection -- ids are UUIDs checked by the router\n${sql}\n`);
  repo.write('conf/app.yaml', `# ralph-guard-ignore secrets -- a local-only fixture\npassword: ${value(9)}\n`);
  repo.stage();
  // An added suppression is a guard change (the guard area is at review): a person acknowledges it in the message.
  assert.is(repo.tryGit(['commit', '-m', 'reviewed']).code, 1, 'the commit-msg hook waits for a person');
  const r = repo.tryGit(['commit', '-m', 'reviewed', '-m', 'Security-Reviewed-by: Ann <ann@example.com>']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, '2 suppressed');
  const json = JSON.parse(repo.cli(['check', '--range', 'HEAD~1..HEAD', '--format', 'json']).stdout);
  assert.equal(
    json.suppressed.map((s: { rule: string; file: string; line: number; reason: string }) => [
      s.file,
      s.line,
      s.rule.split('/')[0],
      s.reason,
    ]),
    [
      ['conf/app.yaml', 2, 'secrets', 'a local-only fixture'],
      ['src/find.js', 2, 'sql-injection', 'ids are UUIDs checked by the router'],
    ],
  );
  const sarif = JSON.parse(repo.cli(['check', '--range', 'HEAD~1..HEAD', '--format', 'sarif']).stdout);
  const justifications = sarif.runs[0].results.flatMap(
    (r: { suppressions?: Array<{ justification: string }> }) => r.suppressions?.map((s) => s.justification) ?? [],
  );
  assert.equal(justifications.sort(), ['a local-only fixture', 'ids are UUIDs checked by the router']);
});

test('suppressions: text that only talks about marks (docs, a sentence, a string) is not warned about', () => {
  const repo = hookedRepo();
  repo.write(
    'docs/suppressing.md',
    '# Suppressing\n\nAdd a `ralph-guard-ignore` comment, e.g. `// ralph-guard-ignore secrets -- test data`.\n',
  );
  repo.write(
    'src/help.js',
    "export const hint = 'write ralph-guard-ignore and a reason';\n// see ralph-guard-ignore in the README\n",
  );
  repo.stage();
  const r = repo.cli(['check', '--staged', '--format', 'json']);
  assert.is(r.code, 0, r.stdout);
  assert.equal(JSON.parse(r.stdout).findings, []);
});

test('suppressions: none in JSON, which has no comments', () => {
  assertRefused({
    files: {
      'config/keys.json': `{\n  "_": "ralph-guard-ignore secrets -- test data",\n  "stripe": "${stripe(10)}"\n}\n`,
    },
    rule: 'secrets/stripe-secret-key',
    at: 'config/keys.json:3:',
    secret: stripe(10),
  });
});

// ── Point 3: deleting a control is judged ─────────────────────────────────────────────────────────────

const APP = [
  "const express = require('express');",
  "const helmet = require('helmet');",
  "const jwt = require('jsonwebtoken');",
  "const path = require('path');",
  "const ROOT = path.resolve('public');",
  'const app = express();',
  'app.use(helmet());',
  "app.get('/me', (req, res) => {",
  '  const claims = jwt.verify(',
  '    req.headers.authorization,',
  '    process.env.JWT_PUBLIC_KEY,',
  "    { algorithms: ['RS256'] },",
  '  );',
  '  res.json(claims);',
  '});',
  "app.get('/files/:name', (req, res) => {",
  '  const file = path.join(ROOT, req.params.name);',
  '  if (!file.startsWith(ROOT + path.sep)) return res.status(400).end();',
  '  res.sendFile(file);',
  '});',
  'module.exports = app;',
];
const PACKAGE = JSON.stringify({
  name: 'api',
  dependencies: { express: '^4.21.0', helmet: '^7.1.0', jsonwebtoken: '^9.0.2' },
});

for (const [control, deleted, rule, at] of [
  [
    'app.use(helmet())',
    ["const helmet = require('helmet');", 'app.use(helmet());'],
    'security-headers/',
    'src/app.js:6:',
  ],
  ["algorithms: ['RS256']", ["    { algorithms: ['RS256'] },"], 'jwt/verify-without-algorithms', 'src/app.js:9:'],
  [
    'the .. guard before sendFile',
    ['  if (!file.startsWith(ROOT + path.sep)) return res.status(400).end();'],
    'path-traversal/',
    'src/app.js:19:',
  ],
] as const) {
  // `at` is the line in the old version; the finding is on that line of the new one.
  test(`removed controls: a change that only deletes ${control} is reported, naming the rule`, () => {
    const lines = APP.filter((l) => !(deleted as readonly string[]).includes(l));
    const line = Number(at.split(':')[1]);
    const expected = `src/app.js:${line - APP.slice(0, line).filter((l) => (deleted as readonly string[]).includes(l)).length}:`;
    const repo = assertRefused({ files: { 'src/app.js': `${lines.join('\n')}\n` }, rule, at: expected }, (repo) => {
      repo.write('package.json', PACKAGE);
      repo.write('src/app.js', `${APP.join('\n')}\n`);
      repo.stage();
      repo.commit('the app, with its controls');
    });
    assert.is(repo.git('diff', '--numstat', 'HEAD~1', 'HEAD').trim().split('\t')[0], '0', 'the change added no line');
    const out = JSON.parse(repo.cli(['check', '--range', 'HEAD~1..HEAD', '--format', 'json']).stdout);
    assert.match(JSON.stringify(out.findings), 'The change removed what met the criterion here before');
  });
}

test('removed controls: code that only moved, and deletions that remove no control, are not reported', () => {
  const repo = hookedRepo();
  repo.write('package.json', PACKAGE);
  repo.write('src/app.js', `${APP.join('\n')}\n`);
  repo.stage();
  repo.commit('the app');
  // Delete a route that held no control, and move the helmet line up.
  const moved = APP.filter((l) => l !== 'app.use(helmet());' && !l.includes('res.json(claims)'));
  moved.splice(3, 0, '');
  moved.splice(moved.indexOf('const app = express();') + 1, 0, 'app.use(helmet());');
  repo.write('src/app.js', `${moved.join('\n')}\n`);
  repo.stage();
  const r = repo.tryGit(['commit', '-m', 'tidy']);
  assert.is(r.code, 0, r.stdout + r.stderr);
});

test.run();
