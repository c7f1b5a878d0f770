// The secrets atom's rule table: every rule's own true positives are found and
// its false positives stay silent, every regex is linear, options work, long
// and hostile lines stay fast, and no output of a real run prints a secret.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join as joinPath } from 'node:path';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import secrets, { REGEX_RULES, RULE_TABLE, secretSpans } from '../src/atoms/secrets.js';
import { PROVIDERS } from '../src/atoms/secrets/providers.js';
import { ALNUM, fakeKey, join } from '../src/kit/samples.js';
import { checkLinearRegex } from '../src/policy/linear-regex.js';
import { maskSpans, splitLines } from '../src/changeset/text.js';
import { buildDetectors, dedupe, keywordPattern, scanFile } from '../src/atoms/secrets/scanner.js';
import { tokenMatches } from '../src/atoms/secrets/derived.js';
import { classify } from '../src/atoms/secrets/file-rules.js';
import { check, fc } from './helpers/property.js';
import { makeRepo } from './helpers/repo.js';
import { allSamples, checkSecrets } from './helpers/secrets.js';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const { tp, fp } = allSamples();

test('the rule table: at least 60 provider formats, stable kebab-case names, a message and a fix each', () => {
  assert.ok(PROVIDERS.length >= 60, `${PROVIDERS.length} provider rules`);
  const ids = RULE_TABLE.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'unique rule names');
  for (const r of RULE_TABLE) {
    assert.ok(KEBAB.test(r.id), `${r.id} is kebab-case`);
    assert.ok(r.rule.message && r.rule.fix, `${r.id} has a message and a fix`);
    assert.ok(secrets.rules[r.id], `${r.id} is declared in the atom`);
    const s = r.samples();
    assert.ok(s.tp.length >= 1 && s.fp.length >= 1, `${r.id} has true- and false-positive samples`);
  }
  for (const r of REGEX_RULES) {
    assert.ok(r.keywords.length > 0, `${r.id} has keywords`);
    for (const k of r.keywords) assert.is(k, k.toLowerCase(), `${r.id}: keyword ${k} is lower-case`);
    assert.is(r.regex.flags, '', `${r.id}: flags are added by the scanner`);
  }
});

test('every rule regex passes the linear-time checker', () => {
  // Rules bound their context (`[\w.-]{0,30}secret[\w.-]{0,40}`): finite repetitions cost a constant per position.
  for (const r of REGEX_RULES) assert.is(checkLinearRegex(r.regex.source, '', 160), null, `${r.id}: ${r.regex.source}`);
});

test('no rule regex is slow on a long near-miss line', () => {
  for (const r of REGEX_RULES) {
    const lead = r.keywords[0]!;
    const line = `${lead}_${'a'.repeat(20)}=${'A1_-'.repeat(25_000)}`;
    const started = performance.now();
    new RegExp(r.regex.source, 'g').test(line);
    const ms = performance.now() - started;
    assert.ok(ms < 500, `${r.id}: ${ms.toFixed(0)} ms on a 100,000-character line`);
  }
});

for (const r of RULE_TABLE) {
  test(`secrets/${r.id}: its true positives are found and masked, its false positives are silent`, () => {
    const s = r.samples();
    for (const sample of s.tp) {
      const file = sample.file ?? 'src/config.ts';
      const hits = checkSecrets(file, sample.code);
      const hit = hits.find((h) => h.rule === r.id);
      assert.ok(
        hit,
        `${r.id} finds its sample in ${file}:\n${String(sample.code).slice(0, 300)}\ngot: ${JSON.stringify(hits.map((h) => h.rule))}`,
      );
      if (sample.secret && typeof sample.code === 'string') {
        const line = sample.code.split('\n')[hit!.line - 1]!;
        if (line.includes(sample.secret)) {
          const masked = maskSpans(line, hit!.mask ?? []);
          assert.not.ok(masked.includes(sample.secret), `${r.id}: the excerpt masks the secret: ${masked}`);
        }
      }
    }
    for (const f of s.fp) {
      const code = typeof f === 'string' ? f : f.code;
      const file = typeof f === 'string' ? 'src/config.ts' : (f.file ?? 'src/config.ts');
      const hits = checkSecrets(file, code);
      assert.equal(
        hits.map((h) => `${h.rule}@${h.line}`),
        [],
        `no finding in ${file}:\n${code}`,
      );
    }
  });
}

test('recall on the rules’ own samples is 100 %, with no false alarm on theirs', () => {
  const found = tp.filter((t) => checkSecrets(t.file, t.code).some((h) => h.rule === t.rule)).length;
  const noisy = fp.filter((f) => checkSecrets(f.file, f.code).length > 0).length;
  console.log(`    recall ${found}/${tp.length} true positives; ${noisy}/${fp.length} false-positive samples reported`);
  assert.is(found, tp.length);
  assert.is(noisy, 0);
});

test('options: allowPaths, allowValues, allowFingerprints, disable, genericInTests', () => {
  const key = fakeKey(join('sk', '_live_'), 24, ALNUM, 900);
  const code = `const stripe = new Stripe('${key}');`;
  assert.equal(
    checkSecrets('src/pay.ts', code).map((h) => h.rule),
    ['stripe-secret-key'],
  );
  assert.equal(checkSecrets('src/pay.ts', code, { allowPaths: ['src/**'] }), []);
  assert.equal(checkSecrets('src/pay.ts', code, { allowValues: ['^sk_live_'] }), []);
  const fingerprint = `sha256:${createHash('sha256').update(key).digest('hex')}`;
  assert.equal(checkSecrets('src/pay.ts', code, { allowFingerprints: [fingerprint] }), []);
  assert.equal(checkSecrets('src/pay.ts', code, { disable: ['stripe-secret-key'] }), []);
  const password = `const password = '${join('Sup3r', 'S3cret!')}';`;
  assert.equal(checkSecrets('test/login.test.ts', password), [], 'generic rule is off in tests by default');
  assert.equal(
    checkSecrets('test/login.test.ts', password, { genericInTests: true }).map((h) => h.rule),
    ['hardcoded-credential'],
  );
  // A development-only entry point configures a local instance: the generic rule warns there, provider keys still block.
  assert.equal(
    checkSecrets('src/server-dev.ts', password).map((h) => `${h.rule} ${h.severity ?? 'error'}`),
    ['hardcoded-credential warning'],
  );
  assert.equal(
    checkSecrets('src/server-dev.ts', code).map((h) => `${h.rule} ${h.severity ?? 'error'}`),
    ['stripe-secret-key error'],
  );
  assert.equal(checkSecrets('src/server.ts', password)[0]?.severity, undefined, 'blocks outside dev-only files');
  // A translation catalogue: the name rule is off, provider formats are still found.
  assert.equal(checkSecrets('src/locales/de/common.json', '{ "password": "NeuesPasswort1!" }'), []);
  assert.equal(
    checkSecrets('src/locales/en.json', code).map((h) => h.rule),
    ['stripe-secret-key'],
  );
});

test('options are validated: linear allowValues, known rule names, sha256 fingerprints', () => {
  const schema = secrets.options!(z, { regexProblem: checkLinearRegex });
  const bad = schema.safeParse({ allowValues: ['(a+)+$'], disable: ['stripe-secret-kay'], allowFingerprints: ['abc'] });
  assert.not.ok(bad.success);
  const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  assert.match(messages, 'allowValues.0: a repeated group');
  assert.match(messages, 'disable.0: unknown rule "stripe-secret-kay" (did you mean "stripe-secret-key"?)');
  assert.match(messages, 'allowFingerprints.0: expected "sha256:"');
  assert.ok(schema.safeParse({}).success);
});

test('a key inside a huge minified line is found, and hostile lines stay fast', () => {
  const key = fakeKey(join('sk', '_live_'), 24, ALNUM, 901);
  const filler = 'var a=function(b){return b&&b.key?b.token:null};'.repeat(6000);
  const line = `${filler}var k="${key}";${filler}`;
  const started = performance.now();
  const hits = checkSecrets('dist/app.min.js', line);
  assert.ok(
    hits.some((h) => h.rule === 'stripe-secret-key'),
    JSON.stringify(hits.map((h) => h.rule)),
  );
  for (const hostile of [
    'password='.repeat(40_000),
    '"token": "'.repeat(20_000),
    'eyJ'.repeat(60_000) + '.',
    'AKIA'.repeat(50_000),
    `${'a'.repeat(200_000)}:AA`,
    'postgres://'.repeat(20_000) + 'u:' + 'p'.repeat(50_000),
    '-----BEGIN PRIVATE KEY-----'.repeat(5_000),
    'x'.repeat(300_000),
  ]) {
    const t = performance.now();
    checkSecrets('src/a.js', hostile);
    const ms = performance.now() - t;
    // Linear work on these takes milliseconds; a backtracking blow-up takes minutes. The margin absorbs a loaded CI machine.
    assert.ok(ms < 3000, `${hostile.slice(0, 20)}… took ${ms.toFixed(0)} ms`);
  }
  assert.ok(performance.now() - started < 15_000);
});

test('a typical 2,000-line JS change costs a few milliseconds', () => {
  const lines: string[] = [];
  for (let i = 0; lines.length < 2000; i++) {
    lines.push(
      `import { createServer } from 'node:http';`,
      `export async function handler${i}(req, res) {`,
      `  const token = req.headers.authorization?.slice(7);`,
      `  const user = await db.users.findOne({ id: req.params.id, key: cacheKey(${i}) });`,
      `  if (!user || user.passwordHash !== hash(req.body.password)) return res.status(401).json({ error: 'Invalid password' });`,
      `  logger.info({ msg: 'login', userId: user.id, secretVersion: config.get('secrets.version') });`,
      `  return res.json({ ok: true, items: user.items.map((item) => ({ ...item, label: t('item.label') })) });`,
      `}`,
    );
  }
  const text = lines.join('\n');
  checkSecrets('src/warmup.js', text);
  let ms = Infinity;
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    checkSecrets(`src/handlers${i}.js`, text);
    ms = Math.min(ms, performance.now() - started);
  }
  console.log(`    2,000 lines checked in ${ms.toFixed(1)} ms (best of 7)`);
  assert.ok(ms < 100, `${ms.toFixed(1)} ms`);
});

test('secretSpans masks a secret on a line reported by another atom', () => {
  const key = fakeKey(join('sk', '_live_'), 24, ALNUM, 902);
  const line = `db.query("SELECT * FROM t WHERE k = '" + k + "'", { key: '${key}' });`;
  assert.not.ok(maskSpans(line, secretSpans('src/a.ts', line)).includes(key));
});

test('no output of a real run prints a secret: json and pretty, --all and --staged', () => {
  const repo = makeRepo();
  const expected = new Map<string, string>();
  tp.forEach((t, i) => {
    const path = `s${i}/${t.file}`;
    const full = joinPath(repo.dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, t.code);
    expected.set(path, t.rule);
  });
  repo.stage();
  const secretsToHide = tp.map((t) => t.secret).filter((s): s is string => !!s);
  const runs = [
    repo.cli(['check', '--all', '--format', 'json']),
    repo.cli(['check', '--all', '--format', 'pretty']),
    repo.cli(['check', '--staged', '--format', 'json']),
    repo.cli(['check', '--staged']),
  ];
  for (const r of runs) {
    assert.is(r.code, 1, r.stderr);
    const out = r.stdout + r.stderr;
    for (const secret of secretsToHide)
      assert.not.ok(out.includes(secret), `a secret was printed: ${secret.slice(0, 6)}…`);
  }
  const findings = JSON.parse(runs[0]!.stdout).findings as Array<{ rule: string; file: string }>;
  for (const [path, rule] of expected)
    assert.ok(
      findings.some((f) => f.file === path && f.rule === `secrets/${rule}`),
      `${path}: secrets/${rule} reported`,
    );
});

test('a modified file’s pass finds on its added lines what the whole file’s pass finds on them', () => {
  // Pieces a line is made of: delimiters, base64 of printable text (decodes) or of a key, bare base64 runs, joined
  // literals, a CR before LF, a name that says token.
  const key = fakeKey(join('sk', '_live_'), 24, ALNUM, 41);
  const piece = fc.oneof(
    fc.constantFrom(' ', '"', "'", '=', ':', '(', ',', '[', 'x', '-', '\r', ' + ', 'token = '),
    fc
      .string({ minLength: 12, maxLength: 40 })
      .map((t) => Buffer.from(t.replace(/[^\x21-\x7e]/g, 'k')).toString('base64')),
    fc.constantFrom(Buffer.from(key).toString('base64'), Buffer.from(key).toString('base64url')),
    fc.stringMatching(/^[A-Za-z0-9+/_-]{20,30}={0,2}$/),
    // Joined literals on one line: a chain over several lines is reported on the first added line it reaches.
    fc.constantFrom(`"${key.slice(0, 5)}" + "${key.slice(5)}"`, `'${key.slice(0, 9)}' + \`${key.slice(9)}\``),
  );
  const line = fc.array(piece, { maxLength: 6 }).map((p) => p.join(''));
  const set = buildDetectors(REGEX_RULES);
  const scan = { path: 'src/app.ts', kind: classify('src/app.ts'), generic: true, disabled: new Set<string>() };
  const show = (f: { rule: string; line: number; column: number; messageId?: string }) =>
    `${f.line}:${f.column} ${f.rule} ${f.messageId ?? ''}`;
  check(
    fc.property(
      fc.array(line, { minLength: 1, maxLength: 12 }),
      fc.array(fc.boolean(), { maxLength: 12 }),
      (ls, pick) => {
        const text = ls.join('\n');
        const numbers = ls.flatMap((_, i) => (pick[i] ? [i + 1] : []));
        const whole = scanFile(set, scan, text).filter((f) => numbers.includes(f.line));
        const lines = splitLines(text);
        const added = { set: new Set(numbers), numbers, line: (n: number) => lines[n - 1] ?? '' };
        assert.equal(dedupe(scanFile(set, scan, text, added)).map(show), dedupe(whole).map(show));
      },
    ),
    500,
  );
});

test('the keyword trie matches what the alternation of the keywords, longest first, matches', () => {
  const words = [...buildDetectors(REGEX_RULES).byKeyword.keys()];
  const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const alternation = new RegExp(
    [...words]
      .sort((a, b) => b.length - a.length)
      .map(escape)
      .join('|'),
    'gi',
  );
  const trie = new RegExp(keywordPattern(words), 'gi');
  // Every match, overlapping ones too, as the scanner takes them (lastIndex one past each match's start).
  const matches = (re: RegExp, text: string) => {
    const out: string[] = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      out.push(`${m.index}:${m[0]}`);
      re.lastIndex = m.index + 1;
    }
    return out;
  };
  // Texts of keywords, their prefixes and suffixes, in any case, between other characters.
  const piece = fc.oneof(
    fc.constantFrom(...words),
    fc.constantFrom(...words).chain((w) => fc.nat(w.length).map((n) => w.slice(0, n))),
    fc.constantFrom(...words).chain((w) => fc.nat(w.length).map((n) => w.slice(n))),
    fc.constantFrom(' ', '_', '-', '"', ':', '\n', 'x'),
  );
  const text = fc
    .array(fc.tuple(piece, fc.boolean()), { maxLength: 12 })
    .map((p) => p.map(([w, upper]) => (upper ? w.toUpperCase() : w)).join(''));
  check(
    fc.property(text, (t) => assert.equal(matches(trie, t), matches(alternation, t))),
    2_000,
  );
});

test('base64 tokens: the scan guided by runs of token characters finds what the regex tried at every place finds', () => {
  const everywhere = /(?:^|[\s"'`=:(,[])([A-Za-z0-9+/_-]{24,4096}={0,2})/gm;
  const tokens = (text: string) => {
    const out: string[] = [];
    everywhere.lastIndex = 0;
    for (let m = everywhere.exec(text); m; m = everywhere.exec(text))
      out.push(`${m.index + m[0].length - m[1]!.length}:${m[1]}`);
    return out;
  };
  // Delimiters, line ends of every kind, padding, token characters in runs short and long, a non-ASCII letter.
  const piece = fc.oneof(
    fc.constantFrom(' ', '\n', '\r', '\u2028', '"', "'", '=', '==', ':', '(', ',', '[', 'é', '-', '_', '.', '`', '\t'),
    fc.stringMatching(/^[A-Za-z0-9+/_-]{1,40}$/),
    fc
      .string({ minLength: 12, maxLength: 40 })
      .map((t) => Buffer.from(t.replace(/[^\x21-\x7e]/g, 'k')).toString('base64')),
    fc.constantFrom('Ab'.repeat(2100), 'x'.repeat(23), Buffer.from('k'.repeat(20)).toString('base64url')),
  );
  check(
    fc.property(fc.array(piece, { maxLength: 30 }), (p) => {
      const text = p.join('');
      assert.equal(
        [...tokenMatches(text)].map((t) => `${t.at}:${t.token}`),
        tokens(text),
      );
    }),
    3_000,
  );
});

test.run();
