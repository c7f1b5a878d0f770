import { defineAtom, type Hit } from './atom.js';
import { ALNUM, BASE32, BASE64, fakeKey, join } from './samples.js';

/**
 * A credential format: a regex whose group 1 (or whole match) is the secret,
 * the keywords that must appear on the line for it to be tried, and a check
 * of the value's shape that removes look-alikes.
 */
interface Detector {
  rule: string;
  keywords: string[];
  regex: RegExp;
  accept?(value: string, line: string): boolean;
}

const AWS_ID = /\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/g;
const AWS_SECRET = /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key|aws_?secret)\w*["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi;
const GITHUB = /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g;
const PEM = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----/g;

/** Words that name a secret when they end a key: `dbPassword`, `API_KEY`, `client_secret`. */
const SECRET_NAME = /(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?)$/i;

/**
 * `key = "value"`, `key: 'value'`, `"key": "value"`, `KEY=value` (.env, YAML, INI).
 * Group 1 is the key, group 2 the quoted value or group 3 the bare one.
 */
const ASSIGNMENT = /(?<![\w.-])["']?([A-Za-z_][\w.-]*)["']?\s*(?::=|=>|[:=])\s*(?:(["'`])((?:(?!\2)[^\\\n]|\\.)*)\2|([^\s"'`#;,)}\]]+)\s*(?:[#;].*)?$)/g;

/** Configuration formats where `key: value` needs no quotes; in code a bare word is a reference. */
const BARE_VALUES = /(?:^|\/)\.env[^/]*$|\.(?:env|ya?ml|ini|properties|toml|conf|cfg|npmrc)$/i;

const PLACEHOLDER = [
  /^\$\{?[\w.:-]+\}?$/, // ${VAR}, $VAR
  /^\{\{.*\}\}$/, // {{ var }}
  /^<[^>]*>$/, // <your-key>
  /^%\(?\w+\)?s?%?$/, // %(password)s, %PASSWORD%
  /^(?:x+|\*+|\.+|#+|-+|_+|0+)$/i, // xxxx, ****
  /(?:change[_-]?me|changeit|example|sample|dummy|placeholder|your[_-]|my[_-]?(?:secret|password|token)|redacted|fake|mock|todo|fixme|replace|insert|enter[_-]|secret[_-]?here|password[_-]?here|test|none|null|undefined|empty|default)/i,
];

function isPlaceholder(value: string, key: string): boolean {
  if (PLACEHOLDER.some((p) => p.test(value))) return true;
  if (value.toLowerCase() === key.toLowerCase()) return true; // password: 'password'
  if (/^(.)\1+$/.test(value)) return true; // aaaaaaa
  if (isSequential(value)) return true; // 12345678, abcdefgh
  return false;
}

function isSequential(value: string): boolean {
  if (value.length < 4) return false;
  for (const dir of [1, -1]) {
    let ok = true;
    for (let i = 1; i < value.length && ok; i++) ok = value.charCodeAt(i) - value.charCodeAt(i - 1) === dir;
    if (ok) return true;
  }
  return false;
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A literal that is plausibly a password or key, not a word, a reference or an expression. */
function looksLikeSecretValue(value: string): boolean {
  if (value.length < 8 || value.length > 512) return false;
  if (/\s/.test(value)) return false; // sentences and labels, not credentials
  if (/^(?:https?|file):\/\//i.test(value) || /^[./~]/.test(value)) return false; // URLs and paths
  if (/^(?:true|false|yes|no|on|off)$/i.test(value)) return false;
  if (/^[a-z]+(?:[A-Z][a-z]+)*$/.test(value) && entropy(value) < 3) return false; // camelCase words
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((c) => c.test(value)).length;
  return classes >= 2 && entropy(value) >= 2.5;
}

const DETECTORS: Detector[] = [
  {
    rule: 'aws-access-key-id',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    regex: AWS_ID,
    accept: (value) => !value.endsWith('EXAMPLE'),
  },
  { rule: 'aws-secret-access-key', keywords: ['secret'], regex: AWS_SECRET, accept: (value) => entropy(value) > 4 && /[A-Z]/.test(value) && /[a-z]/.test(value) },
  { rule: 'github-token', keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'], regex: GITHUB, accept: (value) => entropy(value) > 3.5 },
];

function detectPrivateKey(lineNo: number, line: string, nextLine: string, hits: Hit[]) {
  for (const m of line.matchAll(PEM)) {
    // A header alone is documentation or a startsWith() check; a key has a body after it.
    const rest = line.slice(m.index + m[0].length).replace(/^(?:\\r)?\\n/, '');
    const next = rest.trim() ? rest : nextLine;
    if (!/^\s*["']?(?:[A-Za-z0-9+/=]{40,}|Proc-Type:|[A-Za-z0-9-]+:\s)/.test(next)) continue;
    hits.push({ rule: 'private-key', line: lineNo, column: m.index + 1, message: `A ${m[1]!.toLowerCase()} block is committed.` });
  }
}

function detectAssignments(lineNo: number, line: string, bare: boolean, hits: Hit[]) {
  for (const m of line.matchAll(ASSIGNMENT)) {
    const key = m[1]!;
    if (!SECRET_NAME.test(key)) continue;
    if (m[4] !== undefined && !bare) continue;
    const value = m[3] ?? m[4] ?? '';
    if (m[2] === '`' && value.includes('${')) continue; // a template, not a literal
    if (!looksLikeSecretValue(value) || isPlaceholder(value, key)) continue;
    const start = m.index + m[0].lastIndexOf(value) + 1;
    hits.push({ rule: 'hardcoded-credential', line: lineNo, column: start, message: `\`${key}\` is assigned a literal credential.`, mask: [[start, start + value.length]] });
  }
}

export default defineAtom({
  id: 'secrets',
  title: 'No credentials in the repository',
  criteria: {
    pass: 'Credentials come from the environment or a secret manager at run time; the repository holds only references (process.env.X, ${VAR}) and placeholders.',
    fail: 'A credential (provider key or token, private key, or a password/secret/token assigned a literal value) is committed.',
  },
  files: ['**'],
  keywords: ['akia', 'asia', 'abia', 'acca', 'private key', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'pass', 'pwd', 'secret', 'token', 'key', 'credential'],
  defaultLevel: 'block',
  rules: {
    'aws-access-key-id': {
      message: 'An AWS access key id is committed.',
      fix: 'Remove it, rotate the key in IAM (it is in git history now), and load credentials from the environment or an AWS profile.',
    },
    'aws-secret-access-key': {
      message: 'An AWS secret access key is committed.',
      fix: 'Rotate the key pair in IAM now, remove it from the code, and read it from the environment or a secret manager.',
    },
    'github-token': {
      message: 'A GitHub token is committed.',
      fix: 'Revoke the token in GitHub settings, remove it, and pass it through the environment (or GitHub Actions secrets).',
    },
    'private-key': {
      message: 'A private key is committed.',
      fix: 'Remove the key file, add it to .gitignore, replace the key pair, and load the key from a secret store or a path outside the repository.',
    },
    'hardcoded-credential': {
      message: 'A password, secret or token is assigned a literal value.',
      fix: 'Read it from the environment (process.env.NAME) or a secret manager; keep only placeholders in committed files, and rotate the exposed value.',
    },
  },
  examples: {
    bad: [
      { file: 'src/aws.ts', code: `export const s3 = new S3Client({\n  credentials: { accessKeyId: '${fakeKey(join('AK', 'IA'), 16, BASE32, 3)}', secretAccessKey: process.env.AWS_SECRET! }, // ✗\n});` },
      { file: 'config/aws.env', code: `AWS_SECRET_ACCESS_KEY=${fakeKey('', 40, BASE64, 7)} # ✗` },
      { file: 'scripts/release.js', code: `const token = '${fakeKey(join('gh', 'p_'), 36, ALNUM, 11)}'; // ✗\nawait publish({ token });` },
      { file: 'deploy/key.pem', code: `${join('-----BEGIN ', 'RSA PRIVATE', ' KEY-----')}\n${fakeKey('MII', 61, BASE64, 5)}\n${join('-----END ', 'RSA PRIVATE', ' KEY-----')}`, lines: [1] },
      { file: 'src/db.ts', code: `const pool = new Pool({ user: 'app', password: '${join('Tr0ub4', 'dor&3')}' }); // ✗` },
      { file: 'settings.yaml', code: `database:\n  api_key: ${fakeKey('k', 24, ALNUM, 9)} # ✗` },
    ],
    good: [
      { file: 'src/aws.ts', code: `export const s3 = new S3Client({ credentials: fromEnv() });\nconst accessKeyId = process.env.AWS_ACCESS_KEY_ID;` },
      { file: 'src/db.ts', code: `const pool = new Pool({ user: 'app', password: process.env.DB_PASSWORD });` },
      { file: '.env.example', code: 'DB_PASSWORD=changeme\nAPI_KEY=<your-key>\nSTRIPE_SECRET=${STRIPE_SECRET}' },
      { file: 'src/form.tsx', code: `<input type="password" name="password" placeholder="Enter your password" />\nconst passwordLabel = 'Your password';` },
      { file: 'docs/aws.md', code: `Use a key such as ${join('AKIA', 'IOSFODNN7', 'EXAMPLE')} in examples.` },
      { file: 'src/pem.ts', code: `if (pem.startsWith('${join('-----BEGIN ', 'PRIVATE', ' KEY-----')}')) return 'pkcs8';` },
      { file: 'src/auth.ts', code: `const tokenType = 'Bearer';\nconst password = req.body.password;\nconst secret = config.get('jwt.secret');` },
    ],
  },
  check(file) {
    const hits: Hit[] = [];
    const lines = file.lines();
    const bare = BARE_VALUES.test(file.path);
    const scan = (n: number) => scanLine(lines[n - 1], n, bare, hits, lines[n]);
    if (file.allAdded) for (let n = 1; n <= lines.length; n++) scan(n);
    else for (const n of file.added) scan(n);
    return dedupe(hits);
  },
});

function scanLine(line: string | undefined, lineNo: number, bare: boolean, hits: Hit[], nextLine?: string) {
  if (line === undefined || line.length > 20_000) return; // minified blobs are not where keys are pasted
  const lower = line.toLowerCase();
  for (const d of DETECTORS) {
    if (!d.keywords.some((k) => lower.includes(k))) continue;
    for (const m of line.matchAll(d.regex)) {
      const value = m[1] ?? m[0];
      if (d.accept && !d.accept(value, line)) continue;
      const start = m.index + m[0].indexOf(value) + 1;
      hits.push({ rule: d.rule, line: lineNo, column: start, mask: [[start, start + value.length]] });
    }
  }
  if (lower.includes('private key')) detectPrivateKey(lineNo, line, nextLine ?? '', hits);
  if (/pass|pwd|secret|token|key|credential/.test(lower)) detectAssignments(lineNo, line, bare, hits);
}

/**
 * The spans of a line that hold secrets, for masking excerpts of any atom's
 * findings: a SQL finding on a line with a password must not print it.
 */
export function secretSpans(path: string, line: string): Array<[number, number]> {
  const hits: Hit[] = [];
  scanLine(line, 1, BARE_VALUES.test(path), hits);
  return hits.flatMap((h) => h.mask ?? []);
}

/** One finding per value: a provider rule wins over the generic assignment rule on the same span. */
function dedupe(hits: Hit[]): Hit[] {
  const provider = hits.filter((h) => h.rule !== 'hardcoded-credential');
  return hits.filter(
    (h) => h.rule !== 'hardcoded-credential' || !provider.some((p) => p.line === h.line && p.mask && h.mask && p.mask[0]![0] < h.mask[0]![1] && h.mask[0]![0] < p.mask[0]![1]),
  );
}
