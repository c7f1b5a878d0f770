// SARIF 2.1.0 for CI: valid against the SARIF schema, within GitHub code scanning's rules,
// and `check --range origin/main..HEAD --format sarif` in shallow CI clones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createRequire } from 'node:module';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import type { Report } from '../src/findings.js';
import { fileUri, formatSarif } from '../src/report/sarif.js';
import { commitPolicy, makeRepo, PROJECT, repoWithRemote, SHIM, tempDir } from './helpers/repo.js';
import { awsKeyId, awsLine, cleanLine, md5Line, sqlLine } from './helpers/samples.js';

// ajv ships CommonJS; the SARIF 2.1.0 schema is draft-04 (see test/fixtures/README.md).
const require = createRequire(import.meta.url);
const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
const schema = JSON.parse(readFileSync(new URL('./fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
// unicodeRegExp: false because the schema's language-tag pattern has a stray `]`, valid only without the u flag.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

interface Sarif {
  version: string;
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version: string;
        rules: Array<{
          id: string;
          name: string;
          help: { text: string; markdown: string };
          defaultConfiguration: { level: string };
          properties: { tags: string[]; 'security-severity': string };
        }>;
      };
    };
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId: string };
          region: { startLine: number; startColumn: number; snippet?: { text: string } };
        };
      }>;
      partialFingerprints?: Record<string, string>;
      suppressions?: Array<{ kind: string; justification?: string }>;
    }>;
    invocations: Array<{
      executionSuccessful: boolean;
      toolExecutionNotifications: Array<{ level: string; message: { text: string } }>;
    }>;
  }>;
}

function assertValid(text: string): Sarif {
  const log = JSON.parse(text) as Sarif;
  const ok = validate(log);
  assert.ok(ok, `SARIF schema: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  // What GitHub code scanning needs beyond the schema.
  assert.ok(Buffer.byteLength(text) <= 10 * 1024 * 1024, 'at most 10 MB');
  assert.is(log.runs.length, 1);
  const run = log.runs[0]!;
  assert.ok(run.tool.driver.name && run.tool.driver.rules.length > 0);
  assert.ok(run.results.length <= 25_000);
  const ruleIds = new Set(run.tool.driver.rules.map((r: { id: string }) => r.id));
  for (const r of run.tool.driver.rules) {
    assert.ok(/^[\w-]+\/[\w-]+$/.test(r.id) && r.id.length <= 255, `rule id ${r.id}`);
    const severity = Number(r.properties['security-severity']);
    assert.ok(severity >= 0 && severity <= 10, 'security-severity is a number from 0 to 10');
    assert.ok(r.properties.tags.includes('security'), 'tagged security, so GitHub shows the severity');
  }
  for (const result of run.results) {
    assert.ok(ruleIds.has(result.ruleId), `result rule ${result.ruleId} is declared`);
    assert.is(run.tool.driver.rules[result.ruleIndex]!.id, result.ruleId);
    assert.ok(result.message.text);
    assert.ok(result.locations.length >= 1);
    const { artifactLocation, region } = result.locations[0]!.physicalLocation;
    assert.is(artifactLocation.uriBaseId, '%SRCROOT%');
    assert.not.match(artifactLocation.uri, /^(?:[a-z]+:|\/)/i, 'relative URI');
    assert.ok(region.startLine >= 1 && region.startColumn >= 1);
  }
  return log;
}

test('a real check --all --format sarif is valid SARIF 2.1.0 with every rule, regions, fingerprints and suppressions', () => {
  const repo = makeRepo();
  commitPolicy(repo, { '.ralphrc.json': JSON.stringify({ atoms: { 'password-hashing': { level: 'warn' } } }) });
  repo.write('src/my file.js', sqlLine);
  repo.write('src/keys.js', awsLine() + md5Line);
  repo.write('src/ok.js', `${sqlLine.trimEnd()} // ralph-guard-ignore sql-injection -- ids are integers here\n`);
  repo.write('src/old.js', sqlLine.replace('users', 'accounts'));
  repo.stage();
  repo.commit('code');
  commitPolicy(repo, { '.ralph-baseline.json': JSON.stringify({ version: 1, findings: [] }) });
  const base = repo.cli(['baseline']);
  assert.is(base.code, 0, base.stderr);
  // Everything but src/old.js is fixed by hand in the baseline file: keep only old.js's entry.
  const entries = JSON.parse(repo.read('.ralph-baseline.json'));
  entries.findings = entries.findings.filter((e: { file: string }) => e.file === 'src/old.js');
  commitPolicy(repo, { '.ralph-baseline.json': JSON.stringify(entries) });

  const r = repo.cli(['check', '--all', '--format', 'sarif']);
  assert.is(r.code, 1, r.stderr);
  const log = assertValid(r.stdout);
  const run = log.runs[0]!;
  assert.is(log.version, '2.1.0');
  assert.is(run.tool.driver.name, 'ralph-guard');
  const expectedRules = BUILTIN_ATOMS.flatMap((a) => Object.keys(a.rules).map((n) => `${a.id}/${n}`));
  for (const id of expectedRules)
    assert.ok(
      run.tool.driver.rules.some((r) => r.id === id),
      `rule ${id} listed`,
    );
  const md5Rule = run.tool.driver.rules.find((r) => r.id === 'password-hashing/fast-hash')!;
  assert.is(md5Rule.defaultConfiguration.level, 'warning');
  assert.is(md5Rule.properties['security-severity'], '5.0');
  const sqlRule = run.tool.driver.rules.find((r) => r.id === 'sql-injection/interpolated-query')!;
  assert.is(sqlRule.defaultConfiguration.level, 'error');
  assert.match(sqlRule.help.markdown, '**Fails when:** SQL text is built');
  assert.match(sqlRule.help.markdown, '**Passes when:** Every query keeps SQL text and values apart');
  assert.match(sqlRule.help.markdown, 'Secure pattern:');

  const byFile = (file: string) =>
    run.results.filter((x) => x.locations[0]!.physicalLocation.artifactLocation.uri === file);
  const spaced = byFile('src/my%20file.js');
  assert.is(spaced.length, 1, 'the name is percent-encoded');
  assert.is(spaced[0]!.level, 'error');
  assert.equal(spaced[0]!.locations[0]!.physicalLocation.region.startLine, 1);
  assert.match(spaced[0]!.partialFingerprints!['ralphGuard/v1']!, /^[0-9a-f]{32}:0$/);
  const inline = byFile('src/ok.js')[0]!;
  assert.equal(inline.suppressions, [
    { kind: 'inSource', status: 'accepted', justification: 'ids are integers here' } as never,
  ]);
  const baselined = byFile('src/old.js')[0]!;
  assert.is(baselined.suppressions![0]!.kind, 'external');
  const keys = byFile('src/keys.js');
  assert.equal(keys.map((k) => k.ruleId).sort(), ['password-hashing/fast-hash', 'secrets/aws-access-key-id']);
  assert.not.match(r.stdout, awsKeyId(), 'secrets masked in snippets and messages');
});

test('SARIF stays within the size limit, leaving out the least severe results with a notification', () => {
  const atom = BUILTIN_ATOMS.find((a) => a.id === 'sql-injection')!;
  const finding = (i: number) => ({
    atom: atom.id,
    rule: 'sql-injection/interpolated-query',
    severity: (i < 50 ? 'error' : 'warning') as 'error' | 'warning',
    file: `src/f${i}.js`,
    line: i + 1,
    column: 1,
    message: 'SQL built with template interpolation is sent to the database.',
    criterion: atom.criteria.fail,
    excerpt: 'db.query(`SELECT * FROM t WHERE id = ${id}`)'.repeat(3),
    fingerprint: `${'a'.repeat(32)}:${i}`,
  });
  const report: Report = {
    findings: Array.from({ length: 400 }, (_, i) => finding(i)),
    suppressed: [],
    failures: [{ atom: 'secrets', file: 'big.js', message: 'boom' }],
    notes: ['bin.dat: skipped, binary file'],
    summary: { mode: 'all', files: 400, atoms: 1, blocked: true, suppressed: 0, durationMs: 1 },
    atoms: [atom],
    levels: { 'sql-injection': 'block' },
  };
  const text = formatSarif(report, { maxBytes: 120_000 });
  assert.ok(Buffer.byteLength(text) <= 120_000, `${Buffer.byteLength(text)} bytes`);
  const log = JSON.parse(text) as {
    runs: Array<{
      results: Array<{ level: string }>;
      invocations: Array<{
        executionSuccessful: boolean;
        toolExecutionNotifications: Array<{ message: { text: string } }>;
      }>;
    }>;
  };
  assert.ok(validate(log), ajv.errorsText(validate.errors));
  const run = log.runs[0]!;
  assert.ok(run.results.length > 50 && run.results.length < 400);
  assert.ok(
    run.results.slice(0, 50).every((r: { level: string }) => r.level === 'error'),
    'blocking results kept first',
  );
  const notes = run.invocations[0]!.toolExecutionNotifications.map(
    (n: { message: { text: string } }) => n.message.text,
  );
  assert.ok(notes.some((t: string) => /results were left out/.test(t)));
  assert.ok(notes.some((t: string) => t.includes('boom')));
  assert.is(run.invocations[0]!.executionSuccessful, false);
  assert.is(JSON.parse(formatSarif(report, { maxResults: 10 })).runs[0].results.length, 10);
  assert.is(fileUri('a b/ü#?.js'), 'a%20b/%C3%BC%23%3F.js');
});

/** A remote with main (three commits) and a pushed feature branch with one bad and one clean commit. */
function remoteWithFeature() {
  const { remote, repo } = repoWithRemote();
  for (let i = 0; i < 3; i++) {
    repo.write(`m${i}.js`, i === 0 ? sqlLine : cleanLine); // an old problem on main
    repo.stage();
    repo.commit(`main ${i}`);
  }
  repo.git('push', '-q', '--no-verify', 'origin', 'main');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write('feature.js', md5Line);
  repo.stage();
  repo.commit('feature bad');
  repo.write('other.js', cleanLine);
  repo.stage();
  repo.commit('feature clean');
  repo.git('push', '-q', '--no-verify', 'origin', 'feature');
  return remote;
}

test('CI: --range origin/main..HEAD in a shallow clone says what to fetch; after fetching it checks exactly the branch', () => {
  const remote = remoteWithFeature();
  const ci = makeRepo({ dir: tempDir('ci-') + '/clone' });
  ci.git('remote', 'add', 'origin', `file://${remote.dir}`);
  // What actions/checkout does by default: one commit of the ref under test.
  ci.git('fetch', '-q', '--no-tags', '--depth=1', 'origin', '+refs/heads/feature:refs/remotes/origin/feature');
  ci.git('checkout', '-q', '--detach', 'origin/feature');

  let r = ci.cli(['check', '--range', 'origin/main..HEAD', '--format', 'sarif']);
  assert.is(r.code, 2);
  assert.is(r.stdout, '', 'no half SARIF on stdout');
  assert.match(r.stderr, '--range origin/main..HEAD: git cannot resolve it. This is a shallow clone');
  assert.match(r.stderr, 'git fetch --no-tags --unshallow origin +refs/heads/main:refs/remotes/origin/main');
  assert.match(r.stderr, 'fetch-depth: 0');

  ci.git('fetch', '-q', '--no-tags', '--depth=1', 'origin', '+refs/heads/main:refs/remotes/origin/main');
  r = ci.cli(['check', '--range', 'origin/main..HEAD', '--format', 'sarif']);
  assert.is(r.code, 2, 'the base exists now, but not the history joining it to HEAD');
  assert.match(r.stderr, 'this shallow clone does not have the history between the two ends');

  ci.git('fetch', '-q', '--no-tags', '--unshallow', 'origin', '+refs/heads/main:refs/remotes/origin/main');
  r = ci.cli(['check', '--range', 'origin/main..HEAD', '--format', 'sarif']);
  assert.is(r.code, 1, r.stderr);
  const log = assertValid(r.stdout);
  assert.equal(
    log.runs[0]!.results.map((x) => `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri}`),
    ['password-hashing/fast-hash feature.js'],
  );
});

test('CI: a full clone (fetch-depth: 0) works directly', () => {
  const remote = remoteWithFeature();
  const dir = tempDir('ci-full-');
  const clone = makeRepo({ dir });
  clone.git('remote', 'add', 'origin', `file://${remote.dir}`);
  clone.git('fetch', '-q', 'origin');
  clone.git('checkout', '-q', '--detach', 'origin/feature');
  const r = clone.cli(['check', '--range', 'origin/main..HEAD', '--format', 'json']);
  assert.is(r.code, 1, r.stderr);
  assert.equal(
    JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file),
    ['feature.js'],
  );
});

test('action.yml: its script, run as GitHub runs it on a depth-1 checkout of a pull request, fetches what it lacks and writes SARIF', () => {
  const action = parse(readFileSync(join(PROJECT, 'action.yml'), 'utf8')) as {
    runs: { using: string; steps: Array<{ shell: string; run: string; env: Record<string, string> }> };
    inputs: Record<string, unknown>;
  };
  assert.is(action.runs.using, 'composite');
  const step = action.runs.steps[0]!;
  assert.is(step.shell, 'bash');
  assert.not.match(step.run, '${{', 'inputs reach the script through env only');
  const remote = remoteWithFeature();
  const ci = makeRepo({ dir: tempDir('ci-action-') + '/clone' });
  ci.git('remote', 'add', 'origin', `file://${remote.dir}`);
  ci.git('fetch', '-q', '--no-tags', '--depth=1', 'origin', '+refs/heads/feature:refs/remotes/origin/feature');
  ci.git('checkout', '-q', '--detach', 'origin/feature');
  ci.write('node_modules/.bin/ralph-guard', SHIM, 0o755);
  const r = spawnSync('bash', ['-c', step.run], {
    cwd: ci.dir,
    encoding: 'utf8',
    env: { ...process.env, RANGE: '', SARIF: 'out.sarif', VERSION: 'latest', BASE_REF: 'main', BEFORE: '' },
  });
  assert.is(r.status, 1, r.stderr);
  const log = assertValid(ci.read('out.sarif'));
  assert.equal(
    log.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri),
    ['feature.js'],
  );
});

test.run();
