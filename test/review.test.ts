// High-risk areas at level review, through real commits: refused until a person acknowledges them
// (a Security-Reviewed-by trailer, or `ralph-guard approve` at a terminal), then accepted; an edit of
// acknowledged content asks again; CI's --range lists the commits nobody acknowledged.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { approveAtTerminal, TRAILER } from './helpers/review.js';
import { installShimOnPath, makeRepo, pushBase, type Repo } from './helpers/repo.js';

installShimOnPath();

const PAY = `const Stripe = require('stripe');
const stripe = new Stripe(process.env.STRIPE_KEY);
export async function pay(amount) {
  return stripe.paymentIntents.create({ amount, currency: 'eur' });
}
`;

function reviewedRepo(highRisk: object = { payments: { level: 'review' } }, remote?: string): Repo {
  const repo = makeRepo();
  if (remote) repo.git('remote', 'add', 'origin', remote);
  repo.git('config', 'user.name', 'Ann Reviewer');
  repo.git('config', 'user.email', 'ann@example.com');
  repo.write('.ralphrc.json', JSON.stringify({ highRisk }) + '\n');
  const init = repo.cli(['init', '--hooks', 'git']);
  assert.is(init.code, 0, init.stderr);
  repo.write('README.md', '# shop\n');
  repo.stage();
  repo.commit('base');
  return repo;
}

const head = (repo: Repo) => repo.git('rev-parse', 'HEAD').trim();

test('a payments SDK change is refused until a trailer acknowledges it; an edit of it asks again; approve acknowledges the exact content', () => {
  const repo = reviewedRepo();
  assert.ok(repo.read('.git/hooks/commit-msg').includes('ralph-guard git hook'), 'init installs commit-msg');
  repo.write('src/pay.js', PAY);
  repo.stage();
  const before = head(repo);
  const refused = repo.tryGit(['commit', '-m', 'take payments']);
  assert.is(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, 'touches high-risk areas that a person must review');
  assert.match(refused.stderr, 'payments: src/pay.js:1');
  assert.is(head(repo), before, 'no commit was made');

  const ok = repo.tryGit(['commit', '-m', 'take payments', '-m', TRAILER]);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout + ok.stderr, 'acknowledged by Ann Reviewer <ann@example.com> (Security-Reviewed-by trailer)');

  // A later edit of the acknowledged file is a new change: asked again.
  repo.write('src/pay.js', PAY.replace("'eur'", "'usd'"));
  repo.stage();
  const again = repo.tryGit(['commit', '-m', 'usd']);
  assert.is(again.code, 1, 'the edit needs a review again');
  assert.match(again.stderr, 'payments: src/pay.js:4');

  // approve: shows the hunk, asks, records this content; then the commit goes through without a trailer.
  const approved = approveAtTerminal(repo, 'yes');
  assert.is(approved.code, 0, approved.out);
  assert.match(approved.out, "+  return stripe.paymentIntents.create({ amount, currency: 'usd' });");
  assert.match(approved.out, 'Approve payments as Ann Reviewer <ann@example.com>?');
  const record = JSON.parse(repo.read('.ralph-reviews.json'));
  const blob = repo.git('rev-parse', ':src/pay.js').trim();
  assert.equal(
    record.reviews.map((r: { path: string; blob: string; areas: string[]; reviewer: object }) => [
      r.path,
      r.blob,
      r.areas,
      r.reviewer,
    ]),
    [['src/pay.js', blob, ['payments'], { name: 'Ann Reviewer', email: 'ann@example.com' }]],
  );
  repo.stage('.ralph-reviews.json');
  const accepted = repo.tryGit(['commit', '-m', 'usd']);
  assert.is(accepted.code, 0, accepted.stdout + accepted.stderr);
  assert.match(accepted.stdout + accepted.stderr, '(ralph-guard approve, ');

  // Approved content, edited once more: asked again; "no" at the prompt records nothing.
  repo.write('src/pay.js', PAY.replace("'eur'", "'gbp'"));
  repo.stage();
  assert.is(repo.tryGit(['commit', '-m', 'gbp']).code, 1);
  const declined = approveAtTerminal(repo, 'no');
  assert.is(declined.code, 1);
  assert.is(JSON.parse(repo.read('.ralph-reviews.json')).reviews.length, 1, 'nothing recorded');
});

test('approve refuses without a terminal: an assistant cannot approve its own change', () => {
  const repo = reviewedRepo();
  repo.write('src/pay.js', PAY);
  repo.stage();
  const r = repo.cli(['approve']);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'a person must confirm this at a terminal');
  assert.is(repo.tryGit(['status', '--porcelain', '--', '.ralph-reviews.json']).stdout, '', 'no record written');
});

test('CI: --range lists the high-risk commits nobody acknowledged (json reviews, SARIF notes, pretty section)', () => {
  const repo = reviewedRepo();
  const base = head(repo);
  repo.write('src/pay.js', PAY);
  repo.stage();
  repo.commit(`reviewed\n\n${TRAILER}`);
  repo.write(
    'src/refund.js',
    "const stripe = require('stripe')();\nexport const refund = (id) => stripe.refunds.create({ payment_intent: id });\n",
  );
  repo.stage();
  repo.commit('sneaked in with --no-verify');
  const unreviewed = head(repo);
  repo.write('src/util.js', 'export const add = (a, b) => a + b;\n');
  repo.stage();
  repo.commit('harmless');

  const json = repo.cli(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  assert.is(json.code, 1, json.stdout + json.stderr);
  const reviews = JSON.parse(json.stdout).reviews as Array<{
    area: string;
    commit: string;
    acknowledged: boolean;
    places: Array<{ file: string }>;
  }>;
  assert.equal(
    reviews.map((r) => [r.area, r.places[0]!.file, r.acknowledged]),
    [
      ['payments', 'src/pay.js', true],
      ['payments', 'src/refund.js', false],
    ],
  );
  assert.is(reviews[1]!.commit, unreviewed);

  const pretty = repo.cli(['check', '--range', `${base}..HEAD`]);
  assert.is(pretty.code, 1);
  assert.match(pretty.stdout, 'High-risk areas (a person reviews these):');
  assert.match(pretty.stdout, `payments (commit ${unreviewed.slice(0, 10)}): NOT acknowledged`);
  assert.match(pretty.stdout, '1 high-risk area waiting for a review');

  const sarif = JSON.parse(repo.cli(['check', '--range', `${base}..HEAD`, '--format', 'sarif']).stdout);
  const notes = sarif.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'review/payments');
  assert.is(notes.length, 2);
  assert.ok(notes.every((r: { level: string }) => r.level === 'note'));
  const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'review/payments');
  assert.match(rule.help.text, 'A person who knows the payment flow has read the change');
});

test('pre-push: a pushed commit nobody acknowledged is refused (the agent format says: stop and ask your human); with the trailer it goes', () => {
  const remote = makeRepo({ bare: true });
  const repo = reviewedRepo(undefined, remote.dir);
  pushBase(repo);
  repo.write('src/pay.js', PAY);
  repo.stage();
  repo.commit('sneaked past commit-msg with --no-verify');
  const sneaked = head(repo);
  const push = repo.tryGit(['push', 'origin', 'main']);
  assert.is(push.code, 1, push.stdout + push.stderr);
  assert.match(push.stdout, `payments (commit ${sneaked.slice(0, 10)}): NOT acknowledged`);
  assert.is(remote.git('rev-parse', 'main').trim() === sneaked, false, 'nothing pushed');

  // What an assistant reads: the area waits for a human, and it must stop and ask rather than work around it.
  const agent = repo.cli(['check', '--push', '--format', 'agent'], { input: '' });
  assert.is(agent.code, 1, agent.stdout);
  assert.match(agent.stdout, '**ralph-guard: 1 high-risk area waits for a human review.');
  assert.match(agent.stdout, '- **payments** — Payment provider calls and webhooks: `src/pay.js:1`');
  assert.match(agent.stdout, 'WAITS FOR A HUMAN REVIEW');
  assert.match(agent.stdout, '**Stop and ask your human to review payments.**');
  assert.match(agent.stdout, 'Do not add the trailer yourself');

  repo.git('commit', '-q', '--amend', '--no-verify', '-m', `take payments\n\n${TRAILER}`);
  const ok = repo.tryGit(['push', 'origin', 'main']);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  // (pretty wraps the section to the terminal: any whitespace between the words)
  assert.match(
    ok.stdout + ok.stderr,
    /acknowledged\s+by\s+Ann\s+Reviewer\s+<ann@example\.com>\s+\(Security-Reviewed-by\s+trailer\)/,
  );
});

test('levels: payments at warn (the default) is listed, never blocking; a policy area by glob and tag; off is silent', () => {
  const warn = reviewedRepo({});
  warn.write('src/pay.js', PAY);
  warn.stage();
  const r = warn.tryGit(['commit', '-m', 'pay']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, 'payments: listed (level warn)');

  const billing = reviewedRepo({ billing: { files: ['src/billing/**'], tags: ['PCI'] }, payments: { level: 'off' } });
  billing.write('src/billing/invoice.js', 'export const total = (items) => items.reduce((s, i) => s + i.price, 0);\n');
  billing.write('src/pay.js', PAY);
  billing.stage();
  const refused = billing.tryGit(['commit', '-m', 'invoices']);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, 'billing: src/billing/invoice.js:1');
  assert.not.match(refused.stderr, 'payments');
});

test('Claude Stop hook: a pending review is unfinished work for a person: stop and ask, never loop', () => {
  const repo = reviewedRepo();
  repo.write('src/pay.js', PAY);
  const input = JSON.stringify({
    session_id: 's1',
    cwd: repo.dir,
    hook_event_name: 'Stop',
    stop_hook_active: false,
  });
  const r = repo.cli(['hook', 'claude-stop'], { input });
  assert.is(r.code, 0, 'the assistant may stop');
  const message = JSON.parse(r.stdout).systemMessage as string;
  assert.match(message, 'high-risk areas that a person must review (payments: src/pay.js)');
  assert.match(message, 'Stop here and ask your human');
});

test('the review of a staged change is the same whether the check listed it (no paths) or the review listed it itself', () => {
  const repo = reviewedRepo({ payments: { level: 'review' }, crypto: { level: 'review' }, auth: { level: 'warn' } });
  repo.write('.husky/pre-commit', 'npx ralph-guard check --staged\n');
  repo.write('src/keys.js', "const crypto = require('node:crypto');\nexport const id = 1;\n");
  repo.write('src/old-pay.js', "const stripe = require('stripe');\nmodule.exports = {};\n");
  repo.stage();
  repo.commit('more');
  // New files (every line added; a suppression comment, the guard area by text, on a last line without a
  // newline), a modified one, two deleted ones (a hook script: the guard area by path).
  repo.write('src/pay.js', PAY.trimEnd());
  repo.write('src/token.js', "const jwt = require('jsonwebtoken');\nexport const t = (u) =>\n  jwt.sign(u, k);");
  repo.write(
    'src/keys.js',
    "const crypto = require('node:crypto');\nexport const id = 1;\nexport const mac = crypto.createHmac('sha256', k);\n",
  );
  repo.write('src/db.js', '// ralph-guard-ignore sql-injection -- trusted input\nexport const q = 1;\n');
  repo.write('src/late.js', 'export const a = 1;\n// ralph-guard-ignore xss -- escaped above');
  repo.git('rm', '-q', '--', '.husky/pre-commit', 'src/old-pay.js');
  repo.stage();
  const trace = join(repo.dir, '.git', 'trace.txt');
  const reviews = (args: string[], reviewLists: boolean) => {
    rmSync(trace, { force: true });
    const r = repo.cli(['check', '--staged', '--format', 'json', ...args], { env: { GIT_TRACE: trace } });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    // The review's own listing is the one git diff without rename detection.
    assert.is(readFileSync(trace, 'utf8').includes('--no-renames'), reviewLists, args.join(' '));
    return JSON.parse(r.stdout).reviews as Array<{ area: string; places: Array<{ file: string; line: number }> }>;
  };
  const listedByCheck = reviews([], false);
  // A path given to the check: the review lists the whole staged change itself, as it always did.
  const listedByReview = reviews(['.'], true);
  assert.equal(listedByCheck, listedByReview);
  assert.equal(listedByCheck.map((r) => `${r.area}: ${r.places.map((p) => `${p.file}:${p.line}`).join(' ')}`).sort(), [
    'auth: src/token.js:1',
    'crypto: src/keys.js:3',
    'guard: .husky/pre-commit:1 src/db.js:1 src/late.js:2',
    'payments: src/pay.js:1',
  ]);
});

test.run();
