// A file over maxFileBytes is read for secrets a segment at a time (src/engine/oversized.ts); what the stream
// reports must be what `check` reports for the same file held whole, or the two paths have drifted apart.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as z from 'zod';
import secrets, { RULE_TABLE } from '../src/atoms/secrets.js';
import { textSegments } from '../src/changeset/segments.js';
import type { Hit } from '../src/kit/atom.js';
import { sourceFile } from '../src/engine/source-file.js';
import { checkLinearRegex } from '../src/policy/linear-regex.js';
import { stubContext } from './helpers/examples.js';
import { awsLine } from './helpers/samples.js';
import { commitPolicy, makeRepo } from './helpers/repo.js';
import { ALNUM, BASE64, fakeKey, join } from '../src/kit/samples.js';

const ctx = stubContext(secrets.options!(z, { regexProblem: checkLinearRegex }).parse({}));
const show = (h: Hit) => `${h.line}:${h.column} ${h.rule} ${h.messageId ?? ''} ${JSON.stringify(h.data ?? {})}`;

/** Every rule's samples (text ones) one after the other, with filler lines of varied length between them. */
function sampleFile(): string {
  const parts: string[] = [];
  let i = 0;
  for (const r of RULE_TABLE)
    for (const t of [...r.samples().tp, ...r.samples().fp]) {
      const code = typeof t === 'string' ? t : t.code;
      if (typeof code !== 'string') continue;
      parts.push(code, `// filler ${i} `.repeat(1 + ((i * 37) % 120)).trim());
      i++;
    }
  return parts.join('\n') + '\n';
}

function whole(path: string, text: string, added?: number[]): string[] {
  const file = sourceFile({ path, allAdded: !added, added: added ?? [] }, text);
  return (secrets.check(file, ctx) as Hit[]).map(show);
}

/** The stream's hits placed in the file, as oversized.ts places them. */
async function streamed(path: string, text: string, size: number, overlap: number, added?: number[]) {
  async function* chunks() {
    for (let at = 0; at < text.length; at += 7_000) yield Buffer.from(text.slice(at, at + 7_000));
  }
  const reader = secrets.stream!({ path, allAdded: !added, added: added ?? [] }, ctx);
  const out: Hit[] = [];
  const place = (batches: ReturnType<typeof reader.end>) => {
    for (const { part, hits } of batches)
      for (const h of hits)
        out.push({
          ...h,
          line: h.line + part.firstLine - 1,
          column: h.line === 1 ? h.column + part.firstColumn : h.column,
        });
  };
  for await (const s of textSegments(chunks(), { size, overlap })) {
    const rel = added ? added.map((n) => n - s.firstLine + 1).filter((n) => n >= 1) : [];
    const source = sourceFile({ path, allAdded: !added, added: rel }, s.text);
    place(
      reader.segment({
        source,
        firstLine: s.firstLine,
        firstColumn: s.firstColumn,
        owned: s.owned,
        overlap: s.overlap,
      }),
    );
  }
  place(reader.end());
  return out.sort((a, b) => a.line - b.line || a.column - b.column).map(show);
}

test('every rule’s samples in one large file: the stream reports what the whole-file check reports', async () => {
  const text = sampleFile();
  assert.ok(text.length > 150_000, `${text.length}`);
  for (const path of ['src/big.js', 'infra/terraform.tfstate', 'deploy/id_rsa', 'config/.env']) {
    const expected = whole(path, text);
    assert.ok(expected.length > 100, `${path}: ${expected.length} findings`);
    for (const [size, overlap] of [
      [32_000, 4_000],
      [9_000, 3_000],
      [20_000, 8_000],
    ] as const)
      assert.equal(await streamed(path, text, size, overlap), expected, `${path} in segments of ${size}`);
  }
});

test('a modified file streamed: findings on its added lines only, as the whole-file check gives them', async () => {
  const text = sampleFile();
  const lines = text.split('\n').length;
  const added = Array.from({ length: lines }, (_, i) => i + 1).filter((n) => n % 3 === 0 || n % 7 === 1);
  const expected = whole('src/big.js', text, added);
  assert.ok(expected.length > 30, `${expected.length}`);
  assert.equal(await streamed('src/big.js', text, 9_000, 3_000, added), expected);
});

test('a marker after the value still counts, and a marker that never comes reports nothing', async () => {
  // A kubeconfig's token is a credential only in a file that says `kind: Config` and `users:`: here both come last.
  const filler = Array.from({ length: 2_000 }, (_, i) => `# note ${i}`).join('\n');
  const token = `eyJ${'x1Y2z3'.repeat(10)}`;
  const head = `- name: ci\n  user:\n    token: ${token}\n${filler}\n`;
  const withMarker = `${head}kind: Config\nusers:\n`;
  assert.equal(whole('ci/cluster.yaml', withMarker).length, 1);
  assert.equal(await streamed('ci/cluster.yaml', withMarker, 9_000, 3_000), whole('ci/cluster.yaml', withMarker));
  assert.equal(await streamed('ci/cluster.yaml', head, 9_000, 3_000), []);
});

test('a file named as a credential is reported once however many segments it has', async () => {
  const text = awsLine() + '{ "resources": [] }\n'.repeat(5_000);
  const expected = whole('infra/terraform.tfstate', text);
  assert.equal(expected.filter((h) => h.includes('terraform-state')).length, 1);
  assert.equal(await streamed('infra/terraform.tfstate', text, 9_000, 3_000), expected);
});

test('a key on a long line at a segment’s end, judged with the line after it, is not lost', async () => {
  // A private key header whose body starts on the next line: the segment that ends on the header's line cannot
  // see the body, so the next one must report it, even where the header lies in the first one's half. Lines longer
  // than the overlap make the segments end on them.
  const header = join('-----BEGIN ', 'RSA PRIVATE', ' KEY-----');
  const body = fakeKey('MII', 61, BASE64, 7);
  const blocks: string[] = [];
  for (let i = 0; i < 150; i++)
    blocks.push(
      `${'x'.repeat(1_000 + ((i * 389) % 5_000))} ${header} ${'.'.repeat(1_450 + ((i * 211) % 1_500))}`,
      body,
      'ok',
    );
  // And a key split into literals joined over three lines, the first one long, comments between the pieces. (Pieces
  // that start before the overlap and end after it are seen whole by no segment: a limit of the segments, not tested.)
  const key = fakeKey(join('sk', '_live_'), 24, ALNUM, 8);
  const comment = `/* ${'c'.repeat(190)} */`;
  for (let i = 0; i < 150; i++)
    blocks.push(
      `${'y'.repeat(1_000 + ((i * 389) % 5_000))} const k = '${key.slice(0, 9)}' +`,
      `  ${comment.repeat(1 + (i % 5))}`,
      `  '${key.slice(9)}';`,
    );
  const text = blocks.join('\n') + '\n';
  const expected = whole('keys/all.js', text);
  assert.equal(expected.length, 300);
  for (const [size, overlap] of [
    [9_000, 3_000],
    [8_000, 4_000],
    [32_000, 4_000],
  ] as const)
    assert.equal(await streamed('keys/all.js', text, size, overlap), expected, `segments of ${size}`);
});

test('through the CLI: a file over maxFileBytes gets the secrets findings it gets held whole, excerpts included', () => {
  const repo = makeRepo();
  repo.write('src/big.js', sampleFile());
  repo.write('infra/terraform.tfstate', sampleFile());
  repo.stage();
  const findings = (maxFileBytes: number) => {
    commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ maxFileBytes }) }, `policy ${maxFileBytes}`);
    const r = repo.cli(['check', '--all', '--format', 'json']);
    const out = JSON.parse(r.stdout) as {
      findings: Array<{ rule: string; file: string; line: number; column: number; message: string; excerpt: string }>;
      notes: string[];
    };
    return {
      notes: out.notes,
      secrets: out.findings
        .filter((f) => f.rule.startsWith('secrets/'))
        .map((f) => `${f.file}:${f.line}:${f.column} ${f.rule} ${f.message} | ${f.excerpt}`),
    };
  };
  const whole = findings(50_000_000);
  const streamed = findings(10_000);
  assert.ok(whole.secrets.length > 200, `${whole.secrets.length}`);
  assert.ok(
    streamed.notes.some((n) => n.startsWith('src/big.js: larger than maxFileBytes')),
    streamed.notes.join('\n'),
  );
  assert.equal(streamed.secrets, whole.secrets);
});

test.run();
