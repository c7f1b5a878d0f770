/**
 * The secrets atom: provider keys and tokens (src/atoms/secrets/providers.ts),
 * credentials in tools' configuration files and whole files that are
 * credentials (files.ts), signed JWTs and URLs with passwords, private key
 * blocks, and literal values assigned to names that say "secret"
 * (generic.ts). Every value found is masked before it leaves the atom.
 */
import { createRequire } from 'node:module';
import { globMatcher } from '../globs.js';
import { didYouMean } from '../suggest.js';
import {
  defineAtom,
  type AtomDefinition,
  type FileSegment,
  type Hit,
  type Rule,
  type SegmentReader,
  type SourceFile,
} from '../kit/atom.js';
import { ALNUM, BASE32, BASE64, fakeKey, join } from '../kit/samples.js';
import { binaryNameRule, classify, FILE_RULES, NAME_RULES, type FileKind } from './secrets/file-rules.js';
import { checksummed, GENERAL_FORMATS, PROVIDERS, sampleJwt } from './secrets/providers.js';
import type { NegativeSample, ProviderRule, Sample } from './secrets/rule.js';
import {
  buildDetectors,
  dedupe,
  excludedRules,
  scanLine,
  scanFile,
  withMarkers,
  type FileScan,
  type Found,
} from './secrets/scanner.js';

export { entropy } from './secrets/structure.js';

type AtomExamples = AtomDefinition['examples'];

/** The regex rules in priority order: provider formats, configuration-file entries, then the general formats. */
export const REGEX_RULES: readonly ProviderRule[] = [...PROVIDERS, ...FILE_RULES, ...GENERAL_FORMATS];

let detectorSet: ReturnType<typeof buildDetectors> | undefined;
const detectors = () => (detectorSet ??= buildDetectors(REGEX_RULES));

export interface SecretsOptions {
  /** Globs of files where the atom reports nothing (test keys, vendored fixtures). */
  allowPaths: string[];
  /** Regexes over a secret's value: a match is not reported. */
  allowValues: string[];
  /** `sha256:<hex>` of exact values known to be harmless (public test keys). */
  allowFingerprints: string[];
  /** Rule names (after `secrets/`) not to run. */
  disable: string[];
  /** Also report literal password/secret/token assignments in test files (provider formats are always reported). */
  genericInTests: boolean;
}

/** "a" or "an" before a description, by how it is said: an AWS key, an npm token, a URL. */
const article = (description: string) => (/^(?:[aeio]|u(?!rl)|npm|hcp|ssh|rsa)/i.test(description) ? 'An' : 'A');

const fix = (rotate: string) =>
  `Revoke or roll it in ${rotate}: it stays in git history even after this change. Then delete it here and read it at run time from the environment or a secret manager.`;

/** Rules that are code rather than a regex entry, with their samples. */
const CODE_RULES: Array<{
  id: string;
  rule: Rule;
  samples: () => { tp: Sample[]; fp: Array<string | NegativeSample> };
}> = [
  {
    id: 'private-key',
    rule: {
      message: 'A private key is in the file.',
      messages: { kind: '{kind} is in the file.' },
      fix: 'Remove the key, replace the key pair (it stays in git history), add the file to .gitignore, and load the key from a secret store or a path outside the repository.',
    },
    samples: () => {
      const header = join('-----BEGIN ', 'RSA PRIVATE', ' KEY-----');
      const footer = join('-----END ', 'RSA PRIVATE', ' KEY-----');
      const body = fakeKey('MII', 61, BASE64, 301);
      const ssh = join('-----BEGIN ', 'OPENSSH PRIVATE', ' KEY-----');
      return {
        tp: [
          { code: `${header}\n${body}\n${footer}`, secret: body, file: 'deploy/key.pem' },
          { code: `const key = "${header}\\n${body}\\n${footer}\\n";`, secret: body },
          {
            code: `${ssh}\n${fakeKey('b3BlbnNzaC1rZXktdjEAAAAA', 46, BASE64, 302)}\n${join('-----END ', 'OPENSSH PRIVATE', ' KEY-----')}`,
            secret: fakeKey('b3BlbnNzaC1rZXktdjEAAAAA', 46, BASE64, 302),
            file: 'deploy/id_ed25519',
          },
        ],
        fp: [
          `if (pem.startsWith('${join('-----BEGIN ', 'PRIVATE', ' KEY-----')}')) return 'pkcs8';`,
          `const PEM_HEADER = '${join('-----BEGIN ', 'RSA PRIVATE', ' KEY-----')}';\nconst PEM_FOOTER = '-----END';`,
          {
            code: `${join('-----BEGIN ', 'CERTIFICATE-----')}\n${fakeKey('MII', 61, BASE64, 303)}`,
            file: 'certs/ca.pem',
          },
        ],
      };
    },
  },
  {
    id: 'hardcoded-credential',
    rule: {
      message: 'A password, secret or token is assigned a literal value.',
      fix: 'Read it from the environment (process.env.NAME) or a secret manager; keep only placeholders in files under version control, and rotate the exposed value.',
    },
    samples: () => ({
      tp: [
        {
          code: `const pool = new Pool({ user: 'app', password: '${join('Tr0ub4', 'dor&3')}' });`,
          secret: join('Tr0ub4', 'dor&3'),
        },
        {
          code: `  api_key: ${fakeKey('k', 24, ALNUM, 304)}`,
          secret: fakeKey('k', 24, ALNUM, 304),
          file: 'config/settings.yaml',
        },
        {
          code: `DB_PASSWORD = "${fakeKey('', 14, ALNUM + '!#%', 305)}"`,
          secret: fakeKey('', 14, ALNUM + '!#%', 305),
          file: 'app/settings.py',
        },
        {
          code: `axios.get(url, { headers: { 'X-Api-Key': '${fakeKey('', 32, ALNUM, 306)}' } });`,
          secret: fakeKey('', 32, ALNUM, 306),
        },
        {
          code: `const token = process.env.API_TOKEN || '${fakeKey('', 28, ALNUM, 307)}';`,
          secret: fakeKey('', 28, ALNUM, 307),
        },
        {
          code: `headers: { Authorization: 'Basic ${Buffer.from(`deploy:${fakeKey('', 20, ALNUM, 313)}`).toString('base64')}' },`,
          secret: Buffer.from(`deploy:${fakeKey('', 20, ALNUM, 313)}`).toString('base64'),
        },
        {
          code: `data:\n  password: ${Buffer.from(fakeKey('', 18, ALNUM, 314)).toString('base64')}`,
          secret: Buffer.from(fakeKey('', 18, ALNUM, 314)).toString('base64'),
          file: 'k8s/db-secret.yaml',
        },
        {
          code: `spring.datasource.password=${fakeKey('', 18, ALNUM, 308)}`,
          secret: fakeKey('', 18, ALNUM, 308),
          file: 'src/main/resources/application.properties',
        },
        {
          code: `curl -H "Authorization: Bearer ${fakeKey('', 40, ALNUM, 315)}" https://api.acme.com/v1/me`,
          secret: fakeKey('', 40, ALNUM, 315),
          file: 'scripts/smoke.sh',
        },
        {
          code: `const res = await fetch('https://api.acme.com/v1/search?q=shoes&api_key=${fakeKey('', 32, ALNUM, 316)}');`,
          secret: fakeKey('', 32, ALNUM, 316),
        },
        {
          code: `const headers = ["X-Api-Key: ${fakeKey('', 32, ALNUM, 317)}", 'Accept: application/json'];`,
          secret: fakeKey('', 32, ALNUM, 317),
        },
      ],
      fp: [
        "const pool = new Pool({ user: 'app', password: process.env.DB_PASSWORD });",
        '<input type="password" name="password" placeholder="Enter your password" />',
        "const passwordLabel = 'Your password';",
        "if (password === 'hunter2hunter2') deny();",
        "const tokenType = 'Bearer';\nconst secret = config.get('jwt.secret');",
        "const nextPageToken = 'CAUQAA';\nconst csrfToken = 'x7Fk29aQpL';",
        "password: 'changeme',\napiKey: '<your-api-key>',\ntoken: '${TOKEN}',",
        "const PASSWORD_FIELD = 'user_password';\nconst SECRET_NAME = 'AppSecret';",
        { code: 'password: ${DB_PASSWORD}', file: 'config/db.yaml' },
        {
          code: `await login(page, { email: 'a@b.c', password: '${join('Sup3r', 'S3cret!')}' });`,
          file: 'e2e/login.spec.ts',
        },
        "const hash = '$2b$12$KIXQJZ8c0mQ3kR1Ls5g3OeW0YpVd9vQeQd2H5n8uK7y0Wm3g1S2Ba'; const passwordHash = hash;",
        "secret: 'keyboard cat',",
        `password: '${Buffer.from('not my real password').toString('base64')}',`,
        `headers: { Authorization: 'Basic ${Buffer.from('user:pass').toString('base64')}' },`,
        `const stripe = loadStripe({ apiKey: '${fakeKey(join('pk', '_live_'), 24, ALNUM, 312)}' });`,
        'JWT_SECRET: ${{ secrets.JWT_SECRET }}',
        'curl -H "Authorization: Bearer $API_TOKEN" https://api.acme.com/v1/me',
        'const url = `https://api.acme.com/v1/search?api_key=${apiKey}`;',
        "const tokenUrl = 'https://auth.acme.com/token?grant_type=client_credentials&client_secret=';",
        // An elided value in documentation: real tokens never hold `...`.
        '  "access_token": "eyJhbG...2g", // use this value for the API\n  --header \'Authorization: Bearer eyJhbG...2g\'',
      ],
    }),
  },
  {
    id: 'env-file',
    rule: {
      message: 'A `.env` file holds a credential.',
      fix: 'Stop tracking the file (git rm --cached <file>), add it to .gitignore, commit a .env.example with placeholders instead, and rotate every credential it held.',
    },
    samples: () => ({
      tp: [
        {
          code: `NEXT_PUBLIC_API_URL=https://api.acme.com\nSESSION_SECRET=${fakeKey('', 32, ALNUM, 309)}`,
          secret: fakeKey('', 32, ALNUM, 309),
          file: '.env',
        },
        {
          code: `DB_PASSWORD=${fakeKey('', 16, ALNUM, 310)}`,
          secret: fakeKey('', 16, ALNUM, 310),
          file: 'services/api/.env.production',
        },
      ],
      fp: [
        {
          code: 'NEXT_PUBLIC_API_URL=https://api.acme.com\nVITE_APP_TITLE=Acme\nPORT=3000\nDB_HOST=localhost',
          file: '.env',
        },
        { code: 'DB_PASSWORD=changeme\nAPI_KEY=<your-key>\nSTRIPE_SECRET=${STRIPE_SECRET}', file: '.env.example' },
        { code: `NEXT_PUBLIC_FIREBASE_API_KEY_NAME=public-web\nSECRET_KEY=`, file: '.env' },
      ],
    }),
  },
  {
    id: 'credentials-file',
    rule: {
      message: 'A credentials file holds a literal secret.',
      fix: 'Remove the file from the repository (and its history), add it to .gitignore, revoke what it held, and point the tool at a path outside the repository or a secret manager.',
    },
    samples: () => ({
      tp: [
        {
          code: `{\n  "installed": {\n    "client_id": "1234.apps.googleusercontent.com",\n    "client_secret": "${fakeKey('', 24, ALNUM, 311)}"\n  }\n}`,
          secret: fakeKey('', 24, ALNUM, 311),
          file: 'credentials.json',
        },
      ],
      fp: [{ code: '{ "client_secret": "<client-secret>" }', file: 'credentials.json' }],
    }),
  },
];

/** Every rule of the atom, with what its samples and documentation need. */
export const RULE_TABLE: ReadonlyArray<{
  id: string;
  rule: Rule;
  description?: string;
  samples: () => {
    tp: Array<Sample | { file: string; code: string | Buffer; secret?: undefined }>;
    fp: Array<string | NegativeSample>;
  };
}> = [
  ...REGEX_RULES.map((r) => ({
    id: r.id,
    description: r.description,
    rule: { message: r.message ?? `${article(r.description)} ${r.description} is in the file.`, fix: fix(r.rotate) },
    samples: r.samples,
  })),
  ...CODE_RULES,
  ...NAME_RULES.map((r) => ({
    id: r.id,
    description: r.description,
    rule: { message: `${article(r.description)} ${r.description} is in the file.`, messages: r.messages, fix: r.fix },
    samples: r.samples,
  })),
];

const RULE_NAMES = RULE_TABLE.map((r) => r.id);

interface Compiled {
  allowPath: (path: string) => boolean;
  allowValue: (value: string) => boolean;
  disabled: ReadonlySet<string>;
  genericInTests: boolean;
}

const compiledOptions = new WeakMap<object, Compiled>();

/** node:crypto costs ~10 ms to load: only a policy with allowFingerprints pays it. */
const sha256 = (value: string): string =>
  (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto'))
    .createHash('sha256')
    .update(value)
    .digest('hex');
const DEFAULTS: Compiled = {
  allowPath: () => false,
  allowValue: () => false,
  disabled: new Set(),
  genericInTests: false,
};

function compile(options: Partial<SecretsOptions> | undefined): Compiled {
  if (!options) return DEFAULTS;
  let c = compiledOptions.get(options);
  if (c) return c;
  const paths = options.allowPaths ?? [];
  const values = (options.allowValues ?? []).map((v) => new RegExp(v));
  const fingerprints = new Set((options.allowFingerprints ?? []).map((f) => f.toLowerCase().replace(/^sha256:/, '')));
  c = {
    allowPath: paths.length ? globMatcher(paths) : () => false,
    allowValue: (value) =>
      values.some((r) => r.test(value)) || (fingerprints.size > 0 && fingerprints.has(sha256(value))),
    disabled: new Set(options.disable ?? []),
    genericInTests: options.genericInTests ?? false,
  };
  compiledOptions.set(options, c);
  return c;
}

function fileScan(path: string, kind: FileKind, options: Compiled): FileScan {
  return {
    path,
    kind,
    generic: !kind.locale && (!kind.test || options.genericInTests),
    disabled: excludedRules(detectors(), path, options.disabled),
  };
}

/** What the scan of one text finds (on its added lines), before what is decided per file: markers, the file's name. */
function scanSource(file: SourceFile, kind: FileKind, options: Compiled): Found[] {
  const scan = fileScan(file.path, kind, options);
  if (file.allAdded) return scanFile(detectors(), scan, file.text);
  const set = new Set(file.added);
  // Line by line, not file.lines(): a modified lockfile's 24,000 lines are not split for a few added ones.
  const line = (n: number) => file.line(n) ?? '';
  return scanFile(detectors(), scan, file.text, { set, numbers: [...set].sort((a, b) => a - b), line });
}

/** The findings reported: one per secret, without disabled rules and allowed values. */
function reported(found: Found[], options: Compiled): Found[] {
  return dedupe(found).filter(
    (f) => !options.disabled.has(f.rule) && !(f.secret !== undefined && options.allowValue(f.secret)),
  );
}

/** The finding a file is by its name alone (a committed `id_rsa`), unless its private key block is reported already. */
function nameHit(kind: FileKind, options: Compiled, line: number, privateKey: boolean): Found | undefined {
  const byName = kind.byName;
  if (!byName || options.disabled.has(byName.rule) || (byName.rule === 'private-key-file' && privateKey))
    return undefined;
  return {
    rule: byName.rule,
    line,
    column: 1,
    messageId: byName.messageId ?? 'named',
    data: { file: byName.file },
    priority: -1,
    span: [0, 0],
  };
}

/** Every marker a rule may need (ProviderRule.marker), looked for in each segment of a streamed file. */
const MARKERS = [...new Set(REGEX_RULES.flatMap((r) => r.marker?.all ?? []))];
/** Segments kept for a marker not seen yet; past this, the oldest is reported as if it had been (never a key lost). */
const MAX_HELD_SEGMENTS = 4;

/**
 * The scan of a file too large to hold, fed its overlapping segments in order: each segment is scanned as `check`
 * scans a whole file, and reports what lies in its owned part. What needs the whole file waits: a finding whose
 * markers are not seen yet keeps its segment until they are (or the file ends), and the name rule is decided last.
 */
function segmentReader(file: Pick<SourceFile, 'path' | 'allAdded' | 'added'>, options: Compiled): SegmentReader {
  if (options.allowPath(file.path)) return { segment: () => [], end: () => [] };
  const kind = classify(file.path);
  const seen = new Set<RegExp>();
  const held: Array<{ part: FileSegment; found: Found[] }> = [];
  const nameLine = file.allAdded ? 1 : (file.added[0] ?? 1);
  let named: { part: FileSegment; line: number } | undefined;
  let privateKey = false;
  // Where in the file each reported finding is: a place two segments both report counts once.
  const places = new Set<string>();
  const report = (part: FileSegment, found: Found[]) => {
    const hits = reported(
      withMarkers(found, (m) => seen.has(m)),
      options,
    ).filter((f) => {
      if (!reportsHere(part, f)) return false;
      const place = `${f.rule}:${part.firstLine + f.line - 1}:${f.line === 1 ? f.column + part.firstColumn : f.column}`;
      if (places.has(place)) return false;
      places.add(place);
      return true;
    });
    privateKey ||= hits.some((h) => h.rule === 'private-key');
    return { part, hits: hits.map(toHit) };
  };
  return {
    segment(part) {
      for (const marker of MARKERS) if (!seen.has(marker) && marker.test(part.source.text)) seen.add(marker);
      const line = nameLine - part.firstLine + 1;
      if (!named && line >= 1 && inOwnPart(part, line, 1)) named = { part, line };
      const found = scanSource(part.source, kind, options);
      if (found.some((f) => f.marker?.some((m) => !seen.has(m)))) {
        held.push({ part, found });
        if (held.length <= MAX_HELD_SEGMENTS) return [];
        const oldest = held.shift()!;
        return [
          report(
            oldest.part,
            oldest.found.map(({ marker: _, ...f }) => f),
          ),
        ];
      }
      return [report(part, found)];
    },
    end() {
      const out = held.map((h) => report(h.part, h.found));
      const hit = named && nameHit(kind, options, named.line, privateKey);
      if (named && hit) out.push({ part: named.part, hits: [toHit(hit)] });
      return out;
    },
  };
}

/** The place (1-based line and column of the segment's text) is in the part the segment answers for. */
function inOwnPart(part: FileSegment, line: number, column: number): boolean {
  const [from, to] = part.owned;
  return !(from > 0 && isBefore(line, column, part.source.position(from))) && !notBefore(line, column, part, to);
}

/**
 * The segment reports a finding in its own part, and one in the previous segment's part that the previous segment
 * could not judge whole: on or after its last complete line, which it saw without the line after it (a private key's
 * body, a wrapped value) or cut, or joined pieces running past its end. Reported twice at worst, never lost.
 */
function reportsHere(part: FileSegment, f: Found): boolean {
  if (inOwnPart(part, f.line, f.column)) return true;
  if (notBefore(f.line, f.column, part, part.owned[1])) return false;
  return (f.lastLine ?? f.line) >= part.source.position(part.overlap).line - 1;
}

const isBefore = (line: number, column: number, p: { line: number; column: number }) =>
  line < p.line || (line === p.line && column < p.column);
const notBefore = (line: number, column: number, part: FileSegment, offset: number) =>
  offset !== Infinity && !isBefore(line, column, part.source.position(offset));

/** Strips what only the atom may see (the secret, ranking data) from a finding. */
function toHit(f: Found): Hit {
  return {
    rule: f.rule,
    line: f.line,
    column: f.column,
    ...(f.messageId ? { messageId: f.messageId, data: f.data ?? {} } : {}),
    ...(f.mask ? { mask: f.mask } : {}),
    ...(f.severity ? { severity: f.severity } : {}),
  };
}

const awsId = (seed: number) => fakeKey(join('AK', 'IA'), 16, BASE32, seed);

export default defineAtom<SecretsOptions>({
  id: 'secrets',
  title: 'No credentials in the repository',
  criteria: {
    pass: 'Credentials come from the environment or a secret manager at run time; the repository holds only references (process.env.X, ${VAR}) and placeholders.',
    fail: 'A credential (provider key or token, private key, password in a URL, a password/secret/token assigned a literal value, or a credentials file such as a .env with real values) is written into a file of the repository.',
  },
  files: ['**'],
  // No pre-filter here: the atom runs its own single keyword pass over each line it checks (one regex for every rule's keywords).
  keywords: [],
  defaultLevel: 'block',
  options: (z, { regexProblem }) =>
    z.strictObject({
      allowPaths: z
        .array(z.string().min(1))
        .default([])
        .describe('Globs of files where the secrets atom reports nothing (fixtures with fake keys).'),
      allowValues: z
        .array(
          z
            .string()
            .min(1)
            .superRefine((source, ctx) => {
              const problem = regexProblem(source);
              if (problem) ctx.addIssue({ code: 'custom', message: problem });
            }),
        )
        .default([])
        .describe('Regexes over a secret value: a value that matches is not reported (for example "^sk_test_").'),
      allowFingerprints: z
        .array(
          z
            .string()
            .regex(/^sha256:[0-9a-fA-F]{64}$/, 'expected "sha256:" and 64 hex digits (printf %s "$VALUE" | sha256sum)'),
        )
        .default([])
        .describe('"sha256:<hex>" of exact values known to be harmless, such as a provider’s published test key.'),
      disable: z
        .array(
          z.string().superRefine((name, ctx) => {
            if (!RULE_NAMES.includes(name))
              ctx.addIssue({
                code: 'custom',
                message: `unknown rule "${name}"${didYouMean(name, RULE_NAMES)}; see \`ralph-guard explain secrets\``,
              });
          }),
        )
        .default([])
        .describe('Rule names (after "secrets/") not to run.'),
      genericInTests: z
        .boolean()
        .default(false)
        .describe(
          'Also report literal password/secret/token assignments in test files (provider keys are always reported).',
        ),
    }),
  // Every rule also names a key found only once the text is decoded or joined.
  rules: Object.fromEntries(
    RULE_TABLE.map((r) => [
      r.id,
      { ...r.rule, messages: { ...r.rule.messages, derived: `${r.rule.message.replace(/\.$/, '')}, {how}.` } },
    ]),
  ),
  // Built when asked for (tests, `explain`): a commit never needs them.
  get examples() {
    return (examples ??= buildExamples());
  },
  check(file, ctx) {
    const options = compile(ctx.options);
    if (options.allowPath(file.path)) return [];
    const kind = classify(file.path);
    const known = new Map<RegExp, boolean>();
    const holds = (marker: RegExp) => known.get(marker) ?? known.set(marker, marker.test(file.text)).get(marker)!;
    const hits = reported(withMarkers(scanSource(file, kind, options), holds), options);
    const privateKey = hits.some((h) => h.rule === 'private-key');
    const named = nameHit(kind, options, file.allAdded ? 1 : (file.added[0] ?? 1), privateKey);
    if (named) hits.unshift(named);
    return hits.map(toHit);
  },
  stream(file, ctx) {
    return segmentReader(file, compile(ctx.options));
  },
  checkSkipped(file, ctx) {
    const options = compile(ctx.options);
    const byName = binaryNameRule(file.path);
    if (!byName || options.allowPath(file.path) || options.disabled.has(byName.rule)) return [];
    return [
      { rule: byName.rule, line: 1, column: 1, messageId: byName.messageId ?? 'named', data: { file: byName.file } },
    ];
  },
});

/**
 * The spans of a line that hold secrets, for masking excerpts of any atom's
 * findings: a SQL finding on a line with a password must not print it.
 */
export function secretSpans(path: string, line: string): Array<[number, number]> {
  const found: Found[] = [];
  const kind = classify(path);
  scanLine(detectors(), { ...fileScan(path, kind, DEFAULTS), generic: true }, line, 1, '', found);
  const holds = (marker: RegExp) => marker.test(line);
  return withMarkers(found, holds).flatMap((f) => f.mask ?? []);
}

let examples: AtomExamples | undefined;

function buildExamples(): AtomExamples {
  return {
    bad: [
      {
        file: 'src/aws.ts',
        code: `export const s3 = new S3Client({\n  credentials: { accessKeyId: '${awsId(3)}', secretAccessKey: process.env.AWS_SECRET! }, // ✗\n});`,
      },
      { file: 'config/aws.env', code: `AWS_SECRET_ACCESS_KEY=${fakeKey('', 40, BASE64, 7)} # ✗` },
      {
        file: 'scripts/release.js',
        code: `const token = '${checksummed(join('gh', 'p_'), 11)}'; // ✗\nawait publish({ token });`,
      },
      {
        file: 'deploy/key.pem',
        code: `${join('-----BEGIN ', 'RSA PRIVATE', ' KEY-----')}\n${fakeKey('MII', 61, BASE64, 5)}\n${join('-----END ', 'RSA PRIVATE', ' KEY-----')}`,
        lines: [1],
      },
      {
        file: 'src/db.ts',
        code: `const pool = new Pool({ user: 'app', password: '${join('Tr0ub4', 'dor&3')}' }); // ✗`,
      },
      { file: 'settings.yaml', code: `database:\n  api_key: ${fakeKey('k', 24, ALNUM, 9)} # ✗` },
      {
        file: '.env',
        code: `NEXT_PUBLIC_SITE_URL=https://acme.com\nSTRIPE_SECRET_KEY=${fakeKey(join('sk', '_live_'), 24, ALNUM, 12)}\nSESSION_SECRET=${fakeKey('', 32, ALNUM, 13)}`,
        lines: [2, 3],
      },
      {
        file: 'src/queue.ts',
        code: `const conn = await amqp.connect('amqps://orders:${fakeKey('', 18, ALNUM, 14)}@mq.acme.io'); // ✗`,
      },
      {
        file: 'src/client.ts',
        code: `const headers = { Authorization: 'Bearer ${sampleJwt({ sub: 'svc-reports', scope: 'admin' }, 15)}' }; // ✗`,
      },
      { file: 'certs/client.p12', code: fakeKey('MIIK', 120, BASE64, 16), lines: [1] },
      {
        file: 'src/feature.test.ts',
        code: `const key = '${fakeKey(join('sk', '_live_'), 24, ALNUM, 17)}'; // ✗\nconst password = 'not-a-real-one-2x!';`,
      },
      {
        file: 'test/login.test.ts',
        code: `const password = '${join('Sup3r', 'S3cret!')}'; // ✗`,
        options: { genericInTests: true },
      },
      // Names are split into words: "admin" holds "min" and "account" holds "count", yet both name a credential.
      {
        file: 'src/seed.ts',
        code: `const adminPassword = '${fakeKey('', 18, ALNUM, 20)}'; // ✗\nconst adminToken = '${fakeKey('', 24, ALNUM, 21)}'; // ✗\nconst accountPassword = '${fakeKey('', 16, ALNUM, 22)}'; // ✗`,
      },
      {
        file: 'deploy/settings.py',
        code: `ADMIN_PASSWORD = "${fakeKey('', 18, ALNUM, 23)}"  # ✗\nSERVICE_ACCOUNT_PASSWORD = "${fakeKey('', 18, ALNUM, 24)}"  # ✗`,
      },
      // Prettier moves a long value to the line after `=` or `:`.
      {
        file: 'src/mail.ts',
        code: `export const smtpPassword =\n  '${fakeKey('', 22, ALNUM, 25)}'; // ✗\nexport const transport = {\n  password:\n    '${fakeKey('', 22, ALNUM, 26)}', // ✗\n};`,
      },
      // A known-format key split into joined literals, template parts, or base64-encoded.
      {
        file: 'src/billing.ts',
        code: `const stripeKey = '${join('sk', '_li')}' + '${fakeKey('ve_', 24, ALNUM, 27)}'; // ✗\nconst backup =\n  '${join('sk', '_live_')}' + // ✗\n  '${fakeKey('', 24, ALNUM, 28)}';\nconst other = \`${join('sk', '_live_')}\${'${fakeKey('', 24, ALNUM, 29)}'}\`; // ✗\nconst wrapped = Buffer.from('${Buffer.from(fakeKey(join('sk', '_live_'), 24, ALNUM, 30)).toString('base64')}', 'base64').toString(); // ✗`,
      },
    ],
    good: [
      {
        file: 'src/aws.ts',
        code: `export const s3 = new S3Client({ credentials: fromEnv() });\nconst accessKeyId = process.env.AWS_ACCESS_KEY_ID;`,
      },
      {
        file: 'src/db.ts',
        code: `const pool = new Pool({ user: 'app', password: process.env.DB_PASSWORD });\nconst url = \`postgres://\${user}:\${password}@\${host}/app\`;`,
      },
      { file: '.env.example', code: 'DB_PASSWORD=changeme\nAPI_KEY=<your-key>\nSTRIPE_SECRET=${STRIPE_SECRET}' },
      { file: '.env', code: 'NEXT_PUBLIC_API_URL=https://api.acme.com\nVITE_APP_TITLE=Acme\nPORT=3000' },
      // Look-alikes: names whose words say "not a secret", wrapped references, joined text that is no key, base64 of prose.
      {
        file: 'src/paging.ts',
        code: `const nextPageToken = '${fakeKey('', 24, ALNUM, 31)}';\nconst csrf_token = '${fakeKey('', 24, ALNUM, 32)}';\nconst maxTokens = '${fakeKey('', 24, ALNUM, 33)}';\nconst PUBLIC_API_KEY = '${fakeKey('', 24, ALNUM, 34)}';`,
      },
      {
        file: 'src/mail.ts',
        code: `export const smtpPassword =\n  process.env.SMTP_PASSWORD;\nconst label =\n  'Enter the admin password you chose at sign-up';`,
      },
      {
        file: 'src/messages.ts',
        code: `const hint = 'sk_' + 'live_ keys start with this prefix';\nconst url = \`https://acme.com/\${'docs'}/keys\`;\nconst text = '${Buffer.from('a sentence about keys, base64-encoded for a test').toString('base64')}';`,
      },
      {
        file: 'src/form.tsx',
        code: `<input type="password" name="password" placeholder="Enter your password" />\nconst passwordLabel = 'Your password';`,
      },
      { file: 'docs/aws.md', code: `Use a key such as ${join('AKIA', 'IOSFODNN7', 'EXAMPLE')} in examples.` },
      // A translation catalogue: "password" and "token" are labels, their values words in another language.
      {
        file: 'src/locales/de/translation.json',
        code: '{\n  "password": "Passwort",\n  "secret_key": "Geheimschlüssel",\n  "api_key": "API-Schlüssel",\n  "new_password": "NeuesPasswort1"\n}',
      },
      // API documentation in a template string: the token is elided (`eyJhbG...2g`), not a value anyone can use.
      {
        file: 'src/routes/swagger/consts.ts',
        code: 'export const guide = `\n{\n  "access_token": "eyJhbG...2g",\n  "token_type": "Bearer"\n}\n--header \'Authorization: Bearer eyJhbG...2g\'\n`;',
      },
      {
        file: 'src/pem.ts',
        code: `if (pem.startsWith('${join('-----BEGIN ', 'PRIVATE', ' KEY-----')}')) return 'pkcs8';`,
      },
      {
        file: 'src/auth.ts',
        code: `const tokenType = 'Bearer';\nconst password = req.body.password;\nconst secret = config.get('jwt.secret');`,
      },
      {
        file: 'docker-compose.yml',
        code: 'environment:\n  DATABASE_URL: postgres://postgres:postgres@db:5432/app\n  POSTGRES_PASSWORD: postgres',
      },
      {
        file: 'test/fixtures/keys.ts',
        code: `export const STRIPE_TEST = '${fakeKey(join('sk', '_live_'), 24, ALNUM, 18)}';`,
        options: { allowPaths: ['test/fixtures/**'] },
      },
      {
        file: 'src/stripe.ts',
        code: `const stripe = new Stripe('${fakeKey(join('sk', '_live_'), 24, ALNUM, 19)}'); // the sandbox key from our docs`,
        options: { allowFingerprints: ['sha256:9741fa0dd377fdaaeadc84e359fe8751a0ea9677419e3449630ab4bdf33321a3'] },
      }, // sha256 of the key above
    ],
  };
}
