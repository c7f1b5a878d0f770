/**
 * Provider credential formats, one data entry each, most specific first (when
 * two rules match the same text, the earlier one reports it). Formats are the
 * providers' published ones; every regex is linear (bounded repetition, no
 * nested quantifiers, no lookarounds: `test/secrets.test.ts` checks each with
 * the policy's linearity checker). Samples are generated at run time.
 */
import { ALNUM, BASE64, DIGITS, HEX, LOWER, UPPER, fakeKey, join } from '../../kit/samples.js';
import { as, ci, named, tp, UUID, type ProviderRule } from './rule.js';
import { base62, crc32, hasPrefixedCrc32, isDiscordBotToken, isPublicJwt, parseJwt } from './structure.js';
import { isPlaceholder, looksLikeSecretValue } from './values.js';

const B64URL = ALNUM + '-_';
const UPPER_ALNUM = UPPER + DIGITS;
const LETTERS = UPPER + LOWER;

/** A value of the GitHub/npm format with a valid CRC-32 checksum. */
export function checksummed(prefix: string, seed: number): string {
  const body = fakeKey('', 30, ALNUM, seed);
  return prefix + body + base62(crc32(body), 6);
}

const uuid = (seed: number) => {
  const h = fakeKey('', 32, HEX, seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A signed JWT with the given payload. */
export function sampleJwt(payload: Record<string, unknown>, seed: number, alg = 'HS256'): string {
  return [b64url({ alg, typ: 'JWT' }), b64url(payload), fakeKey('', 43, B64URL, seed)].join('.');
}

/** The body of a Discord bot token: base64 of a numeric id, a timestamp part, an HMAC part. */
function discordToken(seed: number): string {
  const id = '1' + fakeKey('', 17, DIGITS, seed);
  return [
    Buffer.from(id).toString('base64url'),
    fakeKey('', 6, B64URL, seed + 1),
    fakeKey('', 38, B64URL, seed + 2),
  ].join('.');
}

const JWT_SOURCE = '\\b(eyJ[A-Za-z0-9_-]{8,4000}\\.eyJ[A-Za-z0-9_-]{8,8000}\\.[A-Za-z0-9_-]{16,2000})(?:[^\\w-]|$)';
const either = (...regexes: Array<RegExp | string>) =>
  new RegExp(regexes.map((r) => (typeof r === 'string' ? r : r.source)).join('|'));
const word = (w: string) => ci(w);
const anyOf = (...words: string[]) => `(?:${words.map(word).join('|')})`;

/** Hosts that only exist on a developer's machine or in documentation. */
const LOCAL_HOST =
  /^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::1\]?|host\.docker\.internal|[\w-]+\.(?:local|localhost|test|example|invalid)|example\.(?:com|org|net)|(?:db|database|postgres|mysql|mongo|mongodb|redis|rabbitmq|rabbit|amqp|broker|cache|queue)(?:-?\d)?)$/i;

/** A password in a URL that is a real one: not a placeholder, not the user name, not a weak local default. */
function realUrlPassword(password: string, user: string, host: string): boolean {
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // keep the raw text
  }
  if (isPlaceholder(decoded, user) || decoded.length < 4) return false;
  if (/^[*x.•]+$/i.test(decoded) || /^\$|^%|^\{|^<|^\[/.test(decoded)) return false;
  if (LOCAL_HOST.test(host) && (decoded.length < 12 || !/[A-Z]/.test(decoded) || !/\d/.test(decoded))) return false;
  return true;
}

export const PROVIDERS: ProviderRule[] = [
  // ── Amazon Web Services ────────────────────────────────────────────────
  {
    id: 'aws-access-key-id',
    description: 'AWS access key id',
    rotate: 'IAM (deactivate and delete the access key, then check CloudTrail for its use)',
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    regex: /\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})\b/,
    entropy: 3,
    samples: () => ({
      tp: [
        tp(
          fakeKey(join('AK', 'IA'), 16, UPPER + '234567', 3),
          (s) => `credentials: { accessKeyId: '${s}', secretAccessKey },`,
        ),
        tp(fakeKey(join('AS', 'IA'), 16, UPPER + '234567', 4), as.env('AWS_ACCESS_KEY_ID'), 'deploy/prod.env'),
      ],
      fp: [
        `const docs = '${join('AKIA', 'IOSFODNN7', 'EXAMPLE')}';`,
        `const id = '${join('AKIA', 'XXXXXXXXXXXXXXXX')}';`,
        `const notAKey = '${join('AKIA', 'abcd1234efgh5678')}';`,
      ],
    }),
  },
  {
    id: 'aws-secret-access-key',
    description: 'AWS secret access key',
    rotate: 'IAM (deactivate and delete the access key pair, then check CloudTrail for its use)',
    keywords: ['secret'],
    regex: named(
      `(?:${word('aws')}[_.-]?)?${word('secret')}[_.-]?(?:${word('access')}[_.-]?)?${word('key')}`,
      '[A-Za-z0-9/+]{40}',
    ),
    entropy: 4,
    validate: (s) => /[A-Z]/.test(s) && /[a-z]/.test(s) && /\d/.test(s),
    samples: () => ({
      tp: [
        tp(fakeKey('', 40, BASE64, 7), as.env('AWS_SECRET_ACCESS_KEY'), 'config/aws.env'),
        tp(fakeKey('', 40, BASE64, 8), (s) => `  secretAccessKey: "${s}",`),
        tp(fakeKey('', 40, BASE64, 9), (s) => `aws_secret_access_key = ${s}`, '.aws/credentials'),
      ],
      fp: [
        `aws_secret_access_key = ${join('wJalrXUtnFEMI/K7MDENG/bPxRfiCY', 'EXAMPLEKEY')}`,
        `const secretKeyHash = '${fakeKey('', 40, HEX, 10)}';`,
        'secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,',
      ],
    }),
  },
  {
    id: 'aws-session-token',
    description: 'AWS session token',
    rotate: 'IAM (revoke the role’s active sessions, and rotate the key that issued it)',
    keywords: ['session_token', 'sessiontoken', 'session-token', 'security-token', 'security_token'],
    regex: named(
      `(?:${word('aws')}[_.-]?)?${word('session')}[_.-]?${word('token')}|${word('x-amz-security-token')}`,
      '[A-Za-z0-9/+=]{100,2000}',
    ),
    entropy: 4.5,
    samples: () => ({
      tp: [tp(join('IQoJb3JpZ2luX2Vj', fakeKey('', 300, BASE64, 11)), as.env('AWS_SESSION_TOKEN'), 'scripts/creds.sh')],
      fp: ['AWS_SESSION_TOKEN=${AWS_SESSION_TOKEN}', `const sessionToken = '${'A'.repeat(120)}';`],
    }),
  },

  // ── Google ─────────────────────────────────────────────────────────────
  {
    id: 'gcp-service-account',
    description: 'Google Cloud service account key',
    rotate: 'the Google Cloud console (IAM → Service accounts → Keys: delete the key)',
    keywords: ['private_key'],
    regex:
      /"private_key"\s{0,4}:\s{0,4}"(-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\r)?\\n[A-Za-z0-9+/=\\]{64,8000}(?:-----END (?:RSA )?PRIVATE KEY-----(?:\\r)?(?:\\n)?)?)/,
    marker: { all: [/"type"\s*:\s*"service_account"/] },
    samples: () => {
      const key = `${join('-----BEGIN ', 'PRIVATE', ' KEY-----')}\\n${fakeKey('MIIEv', 120, BASE64, 12)}\\n${join('-----END ', 'PRIVATE', ' KEY-----')}\\n`;
      return {
        tp: [
          tp(
            key,
            (s) =>
              `{\n  "type": "service_account",\n  "project_id": "demo-app",\n  "private_key": "${s}",\n  "client_email": "ci@demo-app.iam.gserviceaccount.com"\n}`,
            'deploy/sa.json',
          ),
        ],
        fp: [
          {
            code: '{\n  "type": "service_account",\n  "project_id": "demo-app",\n  "client_email": "ci@demo-app.iam.gserviceaccount.com"\n}',
            file: 'deploy/sa.json',
          },
        ],
      };
    },
  },
  {
    id: 'gemini-api-key',
    description: 'Google Gemini (AI Studio) API key',
    rotate: 'Google AI Studio (API keys) or the Google Cloud console (Credentials)',
    keywords: ['gemini', 'google_ai', 'googleai', 'google-ai', 'genai', 'generative'],
    regex: named(
      `${word('gemini')}|${word('google')}[_-]?${word('ai')}|${word('genai')}|${word('generative')}[_-]?${word('ai')}`,
      'AIza[\\w-]{35}',
    ),
    entropy: 4,
    samples: () => ({
      tp: [
        tp(fakeKey(join('AI', 'za'), 35, B64URL, 13), as.env('GEMINI_API_KEY'), 'server/.env.production'),
        tp(fakeKey(join('AI', 'za'), 35, B64URL, 14), (s) => `const genAI = new GoogleGenerativeAI("${s}");`),
      ],
      fp: ['const genAI = new GoogleGenerativeAI(process.env.GEMINI_API_KEY);'],
    }),
  },
  {
    id: 'gcp-api-key',
    description: 'Google API key',
    rotate: 'the Google Cloud console (APIs & Services → Credentials: regenerate, and restrict the new key)',
    keywords: ['aiza'],
    regex: /\b(AIza[\w-]{35})(?:[^\w-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          fakeKey(join('AI', 'za'), 35, B64URL, 15),
          (s) => `const mapsUrl = \`https://maps.googleapis.com/maps/api/js?key=${s}\`;`,
        ),
      ],
      fp: [
        `apiKey: "${join('AIza', 'a'.repeat(35))}"`,
        `const k = '${join('AIza', 'Sy', 'abcdefghijklmnopqrstuvwxyz1234567')}';`,
      ],
    }),
  },
  {
    id: 'gcp-oauth-client-secret',
    description: 'Google OAuth client secret',
    rotate: 'the Google Cloud console (APIs & Services → Credentials → OAuth client: reset the secret)',
    keywords: ['gocspx-'],
    regex: /\b(GOCSPX-[\w-]{28})(?:[^\w-]|$)/,
    entropy: 3.5,
    samples: () => ({
      tp: [tp(fakeKey(join('GOC', 'SPX-'), 28, B64URL, 16), as.json('client_secret'), 'credentials.json')],
      fp: ['"client_secret": "GOCSPX-<your-secret>"'],
    }),
  },
  {
    id: 'google-oauth-refresh-token',
    description: 'Google OAuth refresh token',
    rotate:
      'the Google account’s security settings (remove the app’s access), or revoke it through the OAuth revoke endpoint',
    keywords: ['1//0'],
    regex: /(?:^|[^\w/])(1\/\/0[\w-]{40,300})(?:[^\w-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [tp(join('1//0', fakeKey('', 80, B64URL, 17)), as.json('refresh_token'), 'token.json')],
      fp: ['const ratio = 1//0;', '"refresh_token": "1//0"'],
    }),
  },

  // ── Microsoft Azure ────────────────────────────────────────────────────
  {
    id: 'azure-storage-account-key',
    description: 'Azure storage account key',
    rotate: 'the Azure portal (Storage account → Access keys: rotate the key)',
    keywords: ['accountkey', 'account_key', 'account-key'],
    regex: /[Aa]ccount[_-]?[Kk]ey["']?\s{0,4}[=:]\s{0,4}["']?([A-Za-z0-9+/]{86}==)/,
    entropy: 4.5,
    samples: () => ({
      tp: [
        tp(
          fakeKey('', 86, BASE64, 18) + '==',
          (s) =>
            `const conn = "DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=${s};EndpointSuffix=core.windows.net";`,
        ),
      ],
      fp: ['AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=<key>"'],
    }),
  },
  {
    id: 'azure-shared-access-key',
    description: 'Azure shared access key (Service Bus, Event Hubs, IoT Hub)',
    rotate: 'the Azure portal (the namespace’s Shared access policies: regenerate the key)',
    keywords: ['sharedaccesskey'],
    regex: /SharedAccessKey=([A-Za-z0-9+/]{42,44}=)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          fakeKey('', 43, BASE64, 19) + '=',
          (s) =>
            `SERVICEBUS="Endpoint=sb://demo.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${s}"`,
          'deploy/bus.env',
        ),
      ],
      fp: ['Endpoint=sb://demo.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=${SB_KEY}'],
    }),
  },
  {
    id: 'azure-sas-token',
    description: 'Azure shared access signature',
    rotate: 'the Azure portal (rotate the storage key that signed it, or revoke its stored access policy)',
    keywords: ['sig='],
    regex: /[?&]sig=([A-Za-z0-9%+/]{40,120})(?:[&"'`\s]|$)/,
    entropy: 4,
    validate: (_s, { line }) => /[?&]sv=\d{4}-\d{2}-\d{2}/.test(line) && /[?&]s[ep]=/.test(line),
    samples: () => ({
      tp: [
        tp(
          fakeKey('', 43, ALNUM, 20) + '%3D',
          (s) =>
            `const blobUrl = 'https://demo.blob.core.windows.net/files/report.pdf?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig=${s}';`,
        ),
      ],
      fp: [`const signed = '/download?file=a.pdf&sig=${fakeKey('', 43, ALNUM, 21)}';`],
    }),
  },
  {
    id: 'azure-ad-client-secret',
    description: 'Microsoft Entra ID (Azure AD) client secret',
    rotate: 'the Azure portal (App registrations → Certificates & secrets: delete it and add a new one)',
    keywords: ['q~'],
    regex: /(?:^|[\s'"`=:(,>\\])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?:$|[\s'"`),<\\;])/,
    entropy: 3,
    samples: () => ({
      tp: [
        tp(
          join(fakeKey('', 3, ALNUM, 22), '8Q~', fakeKey('', 34, ALNUM + '_~.-', 23)),
          as.env('AZURE_CLIENT_SECRET'),
          'infra/.env.staging',
        ),
      ],
      fp: [
        '.menu.open~.panel.side~.overlay{opacity:0.5} .menu.closed~.panel.main~.overlay{opacity:1}',
        `client_secret=${join('abc8Q~', 'x'.repeat(34))}`,
      ],
    }),
  },

  // ── GitHub ─────────────────────────────────────────────────────────────
  {
    id: 'github-pat',
    description: 'GitHub personal access token (classic)',
    rotate: 'GitHub (Settings → Developer settings → Personal access tokens: delete it)',
    keywords: ['ghp_'],
    regex: /\b(ghp_[A-Za-z0-9]{36})\b/,
    validate: (s) => hasPrefixedCrc32(s),
    conclusive: true,
    samples: () => ({
      tp: [
        tp(checksummed(join('gh', 'p_'), 24), as.code('token')),
        tp(
          checksummed(join('gh', 'p_'), 25),
          (s) => `git clone https://${s}@github.com/acme/app.git`,
          'scripts/clone.sh',
        ),
      ],
      fp: [
        `const token = '${fakeKey(join('gh', 'p_'), 36, ALNUM, 26)}';`,
        `const token = '${join('ghp_', 'x'.repeat(36))}';`,
      ],
    }),
  },
  {
    id: 'github-oauth-token',
    description: 'GitHub OAuth access token',
    rotate: 'GitHub (the OAuth app’s settings: revoke all user tokens, or the user’s Applications settings)',
    keywords: ['gho_'],
    regex: /\b(gho_[A-Za-z0-9]{36})\b/,
    validate: (s) => hasPrefixedCrc32(s),
    conclusive: true,
    samples: () => ({
      tp: [tp(checksummed(join('gh', 'o_'), 27), as.json('access_token'), 'fixtures/session.json')],
      fp: [`"access_token": "${fakeKey(join('gh', 'o_'), 36, ALNUM, 28)}"`],
    }),
  },
  {
    id: 'github-app-token',
    description: 'GitHub App installation or user-to-server token',
    rotate: 'GitHub (the App’s settings: revoke the installation token, or regenerate the App’s private key)',
    keywords: ['ghu_', 'ghs_'],
    regex: /\b((?:ghu|ghs)_[A-Za-z0-9]{36})\b/,
    validate: (s) => hasPrefixedCrc32(s),
    conclusive: true,
    samples: () => ({
      tp: [
        tp(
          checksummed(join('gh', 's_'), 29),
          (s) => `git remote set-url origin https://x-access-token:${s}@github.com/acme/app.git`,
          'ci/push.sh',
        ),
        tp(checksummed(join('gh', 'u_'), 30), as.code('userToken')),
      ],
      fp: [`const t = '${fakeKey(join('gh', 's_'), 36, ALNUM, 31)}';`],
    }),
  },
  {
    id: 'github-refresh-token',
    description: 'GitHub refresh token',
    rotate: 'GitHub (revoke the App’s user authorization)',
    keywords: ['ghr_'],
    regex: /\b(ghr_[A-Za-z0-9]{36})\b/,
    validate: (s) => hasPrefixedCrc32(s),
    conclusive: true,
    samples: () => ({
      tp: [tp(checksummed(join('gh', 'r_'), 32), as.json('refresh_token'))],
      fp: [`"refresh_token": "${fakeKey(join('gh', 'r_'), 36, ALNUM, 33)}"`],
    }),
  },
  {
    id: 'github-fine-grained-pat',
    description: 'GitHub fine-grained personal access token',
    rotate: 'GitHub (Settings → Developer settings → Fine-grained tokens: delete it)',
    keywords: ['github_pat_'],
    regex: /\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('github_', 'pat_', fakeKey('', 22, ALNUM, 34), '_', fakeKey('', 59, ALNUM, 35)),
          as.env('GH_TOKEN'),
          '.github/local.env',
        ),
      ],
      fp: [`GH_TOKEN=${join('github_pat_', 'x'.repeat(22), '_', 'x'.repeat(59))}`],
    }),
  },

  // ── GitLab ─────────────────────────────────────────────────────────────
  {
    id: 'gitlab-pat',
    description: 'GitLab personal, project or group access token',
    rotate: 'GitLab (User settings → Access tokens, or the project’s or group’s Access tokens: revoke it)',
    keywords: ['glpat-'],
    regex: /\b(glpat-[\w-]{20,300}(?:\.[0-9a-z]{2}\.?[0-9a-z]{7,9})?)(?:[^\w.-]|$)/,
    entropy: 3.5,
    samples: () => ({
      tp: [tp(join('gl', 'pat-', fakeKey('', 20, B64URL, 36)), as.env('GITLAB_TOKEN'), 'ci/.env.ci')],
      fp: [`GITLAB_TOKEN=${join('glpat-', 'XXXXXXXXXXX-XXXXXXXX')}`],
    }),
  },
  {
    id: 'gitlab-pipeline-trigger-token',
    description: 'GitLab pipeline trigger token',
    rotate: 'GitLab (Settings → CI/CD → Pipeline trigger tokens: revoke it)',
    keywords: ['glptt-'],
    regex: /\b(glptt-[0-9a-f]{40})\b/,
    entropy: 3,
    samples: () => ({
      tp: [
        tp(
          join('gl', 'ptt-', fakeKey('', 40, HEX, 37)),
          (s) => `curl -X POST -F token=${s} -F ref=main https://gitlab.com/api/v4/projects/1/trigger/pipeline`,
          'scripts/deploy.sh',
        ),
      ],
      fp: [`token=${join('glptt-', '0'.repeat(40))}`],
    }),
  },
  {
    id: 'gitlab-runner-token',
    description: 'GitLab runner registration or authentication token',
    rotate: 'GitLab (CI/CD → Runners: reset the registration token or delete the runner)',
    keywords: ['gr1348941', 'glrt-'],
    regex: /\b(GR1348941[\w-]{20}|glrt-[\w-]{20,300}(?:\.[0-9a-z]{2}\.?[0-9a-z]{7,9})?)(?:[^\w.-]|$)/,
    entropy: 3,
    samples: () => ({
      tp: [
        tp(
          join('GR13', '48941', fakeKey('', 20, B64URL, 38)),
          (s) => `  registration-token: "${s}"`,
          'deploy/runner.yaml',
        ),
        tp(join('gl', 'rt-', fakeKey('', 20, B64URL, 39)), as.env('RUNNER_TOKEN'), 'deploy/runner.env'),
      ],
      fp: [`token: ${join('GR1348941', 'XXXXXXXXXXXXXXXXXXXX')}`],
    }),
  },
  {
    id: 'gitlab-token',
    description: 'GitLab deploy, CI/CD job, feed, incoming-mail, agent, OAuth-application or SCIM token',
    rotate: 'GitLab (the token’s settings page: revoke it)',
    keywords: ['gldt-', 'glcbt-', 'glft-', 'glimt-', 'glagent-', 'gloas-', 'glsoat-', 'glffct-'],
    regex: /\b((?:gldt|glcbt|glft|glimt|glagent|gloas|glsoat|glffct)-[\w-]{20,300})(?:[^\w-]|$)/,
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(
          join('gl', 'dt-', fakeKey('', 20, B64URL, 40)),
          (s) => `docker login registry.gitlab.com -u deployer -p ${s}`,
          'scripts/login.sh',
        ),
        tp(join('gl', 'oas-', fakeKey('', 64, B64URL, 41)), as.yaml('secret'), 'config/oauth.yml'),
      ],
      fp: ['docker login -u deployer -p "$GITLAB_DEPLOY_TOKEN"'],
    }),
  },

  // ── Bitbucket, Atlassian ───────────────────────────────────────────────
  {
    id: 'bitbucket-app-password',
    description: 'Bitbucket app password or access token',
    rotate: 'Bitbucket (Personal settings → App passwords, or the repository’s Access tokens: revoke it)',
    keywords: ['atbb', 'atctt3'],
    regex: /\b(ATBB[A-Za-z0-9_=.-]{28,60}|ATCTT3[A-Za-z0-9_=-]{150,260})(?:[^\w=.-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [tp(join('AT', 'BB', fakeKey('', 32, ALNUM, 42)), as.env('BITBUCKET_APP_PASSWORD'), 'ci/bitbucket.env')],
      fp: ['BITBUCKET_APP_PASSWORD=ATBB<your-app-password>'],
    }),
  },
  {
    id: 'bitbucket-client-secret',
    description: 'Bitbucket OAuth consumer secret',
    rotate: 'Bitbucket (Workspace settings → OAuth consumers: regenerate the secret)',
    keywords: ['bitbucket'],
    regex: named(`${word('bitbucket')}[\\w.-]{0,30}${anyOf('secret', 'password', 'token')}`, '[A-Za-z0-9_=-]{32,64}'),
    entropy: 3.8,
    samples: () => ({
      tp: [tp(fakeKey('', 32, ALNUM, 43), as.code('bitbucketClientSecret'))],
      fp: [
        'const bitbucketClientSecret = process.env.BITBUCKET_CLIENT_SECRET;',
        `const bitbucketTokenUrl = 'https://bitbucket.org/site/oauth2/access_token';`,
      ],
    }),
  },
  {
    id: 'atlassian-api-token',
    description: 'Atlassian (Jira, Confluence) API token',
    rotate: 'your Atlassian account (Security → API tokens: revoke it)',
    keywords: ['atatt3', 'jira', 'confluence', 'atlassian'],
    regex: either(
      /\b(ATATT3[A-Za-z0-9_=-]{150,260})(?:[^\w=-]|$)/,
      named(
        `${anyOf('jira', 'confluence', 'atlassian')}[\\w.-]{0,20}${anyOf('token', 'key', 'secret', 'password')}`,
        '[A-Za-z0-9]{24}',
      ),
    ),
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(join('ATA', 'TT3', fakeKey('', 186, B64URL, 44)), as.env('JIRA_API_TOKEN'), 'tools/jira.env'),
        tp(fakeKey('', 24, ALNUM, 45), as.code('confluenceApiToken')),
      ],
      fp: ["const jiraApiToken = process.env.JIRA_API_TOKEN ?? '';", `const jiraTokenHeader = 'X-Atlassian-Token';`],
    }),
  },

  // ── Package registries ─────────────────────────────────────────────────
  {
    id: 'npm-access-token',
    description: 'npm access token',
    rotate: 'npmjs.com (Access Tokens: delete it), or `npm token revoke`',
    keywords: ['npm_'],
    regex: /\b(npm_[A-Za-z0-9]{36})\b/,
    validate: (s) => hasPrefixedCrc32(s),
    conclusive: true,
    samples: () => ({
      tp: [tp(checksummed(join('np', 'm_'), 46), (s) => `//registry.npmjs.org/:_authToken=${s}`, '.npmrc')],
      fp: [`//registry.npmjs.org/:_authToken=${fakeKey(join('np', 'm_'), 36, ALNUM, 47)}`],
    }),
  },
  {
    id: 'npmrc-auth-token',
    description: 'package registry credential (`_authToken`, `_auth`, `_password`, `npmAuthToken`)',
    rotate: 'the registry that issued it (npmjs.com Access Tokens, GitHub Packages, Artifactory…)',
    keywords: ['_auth', '_password', 'npmauthtoken'],
    regex: /(?:^|[:'"\s])(?:_authToken|_auth|_password|npmAuthToken)["']?\s{0,4}[=:]\s{0,4}["']?([^\s"'#;]{8,2048})/,
    validate: (s) => !isPlaceholder(s) && looksLikeSecretValue(s),
    message:
      'A package registry credential is in the file (an `.npmrc` / `.yarnrc.yml` auth entry with a literal value).',
    samples: () => ({
      tp: [
        tp(
          uuid(48),
          (s) => `@acme:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=${s}`,
          '.npmrc',
        ),
        tp(
          fakeKey('', 44, BASE64, 49),
          (s) => `npmRegistries:\n  "https://npm.acme.dev":\n    npmAuthToken: "${s}"`,
          '.yarnrc.yml',
        ),
      ],
      fp: [
        { code: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}', file: '.npmrc' },
        { code: 'always-auth=true', file: '.npmrc' },
        "const opts = { _authToken: 'deadbeefcafebad' };",
        "const opts = { '//registry.npmjs.org/:_authToken': 'npm_token' };",
      ],
    }),
  },
  {
    id: 'pypi-token',
    description: 'PyPI API token',
    rotate: 'pypi.org (Account settings → API tokens: remove it)',
    keywords: ['pypi-age'],
    regex: /\b(pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000})(?:[^\w-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('pypi-', 'AgEIcHlwaS5vcmc', fakeKey('', 120, B64URL, 50)),
          (s) => `[pypi]\nusername = __token__\npassword = ${s}`,
          '.pypirc',
        ),
      ],
      fp: ['password = pypi-AgEIcHlwaS5vcmc<token>'],
    }),
  },
  {
    id: 'dockerhub-token',
    description: 'Docker Hub access token',
    rotate: 'Docker Hub (Account settings → Personal access tokens, or the organization’s access tokens: delete it)',
    keywords: ['dckr_pat_', 'dckr_oat_'],
    regex: /\b(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40})(?:[^\w-]|$)/,
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(
          join('dckr', '_pat_', fakeKey('', 27, B64URL, 51)),
          (s) => `echo "${s}" | docker login -u acme --password-stdin`,
          'ci/docker.sh',
        ),
      ],
      fp: ['echo "$DOCKERHUB_TOKEN" | docker login -u acme --password-stdin'],
    }),
  },

  // ── Chat ───────────────────────────────────────────────────────────────
  {
    id: 'slack-bot-token',
    description: 'Slack bot token',
    rotate: 'api.slack.com (your app → OAuth & Permissions: revoke and reinstall)',
    keywords: ['xoxb-'],
    regex: /\b(xoxb-\d{8,14}-(?:\d{8,14}-)?[A-Za-z0-9]{18,34})\b/,
    entropy: 3,
    samples: () => ({
      tp: [
        tp(
          join(
            'xo',
            'xb-',
            fakeKey('', 12, DIGITS, 52),
            '-',
            fakeKey('', 13, DIGITS, 53),
            '-',
            fakeKey('', 24, ALNUM, 54),
          ),
          as.code('slackToken'),
        ),
      ],
      fp: [
        `const slackToken = '${join('xo', 'xb-', 'x'.repeat(9), '-', 'x'.repeat(10), '-', 'x'.repeat(12))}';`,
        'const prefix = "xoxb-";',
      ],
    }),
  },
  {
    id: 'slack-user-token',
    description: 'Slack user, legacy or configuration token',
    rotate: 'api.slack.com (your app → OAuth & Permissions: revoke the token)',
    keywords: ['xoxp-', 'xoxe-', 'xoxe.', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxo-'],
    regex: /\b(xox[aeoprs]-\d{1,14}-\d{6,14}-\d{6,14}-[a-fA-F0-9]{10,64}|xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{140,170})\b/,
    entropy: 3,
    samples: () => ({
      tp: [
        tp(
          join(
            'xo',
            'xp-',
            fakeKey('', 11, DIGITS, 55),
            '-',
            fakeKey('', 10, DIGITS, 56),
            '-',
            fakeKey('', 11, DIGITS, 57),
            '-',
            fakeKey('', 32, HEX, 58),
          ),
          as.json('user_token'),
        ),
      ],
      fp: [`"user_token": "${join('xo', 'xp-1234-1234-1234-', fakeKey('', 32, HEX, 181))}"`],
    }),
  },
  {
    id: 'slack-app-token',
    description: 'Slack app-level token',
    rotate: 'api.slack.com (your app → Basic Information → App-Level Tokens: revoke it)',
    keywords: ['xapp-'],
    regex: /\b(xapp-\d-[A-Z0-9]{8,14}-\d{10,14}-[a-f0-9]{60,68})\b/,
    entropy: 3,
    samples: () => ({
      tp: [
        tp(
          join(
            'xa',
            'pp-1-A',
            fakeKey('', 10, UPPER_ALNUM, 59),
            '-',
            fakeKey('', 13, DIGITS, 60),
            '-',
            fakeKey('', 64, HEX, 61),
          ),
          as.env('SLACK_APP_TOKEN'),
          'bot/.env',
        ),
      ],
      fp: ['SLACK_APP_TOKEN=xapp-1-...'],
    }),
  },
  {
    id: 'slack-webhook-url',
    description: 'Slack incoming webhook URL',
    rotate: 'api.slack.com (your app → Incoming Webhooks: remove it and add a new one)',
    keywords: ['hooks.slack.com'],
    regex: /hooks\.slack\.com\/((?:services|workflows|triggers)\/T[A-Z0-9]{6,12}\/[A-Za-z0-9/_-]{20,100})/,
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(
          join(
            'services/T',
            fakeKey('', 9, UPPER_ALNUM, 62),
            '/B',
            fakeKey('', 9, UPPER_ALNUM, 63),
            '/',
            fakeKey('', 24, ALNUM, 64),
          ),
          (s) => `await fetch('https://hooks.slack.com/${s}', { method: 'POST', body });`,
        ),
      ],
      fp: [
        `const url = 'https://hooks.slack.com/${join('services/T', '0'.repeat(8), '/B', '0'.repeat(8), '/', 'X'.repeat(24))}';`,
      ],
    }),
  },
  {
    id: 'discord-bot-token',
    description: 'Discord bot token',
    rotate: 'the Discord developer portal (your application → Bot: reset the token)',
    keywords: ['discord', 'token', 'bot', 'login('],
    regex: /\b([MNO][A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})(?:[^\w-]|$)/,
    validate: (s) => isDiscordBotToken(s),
    samples: () => ({
      tp: [tp(discordToken(65), as.arg), tp(discordToken(66), as.env('DISCORD_TOKEN'), 'bot/.env')],
      fp: [
        `client.login("${fakeKey('M', 25, B64URL, 67)}.${fakeKey('', 6, B64URL, 68)}.${fakeKey('', 38, B64URL, 69)}");`,
      ],
    }),
  },
  {
    id: 'discord-webhook-url',
    description: 'Discord webhook URL',
    rotate: 'Discord (the channel’s Integrations → Webhooks: delete it)',
    keywords: ['discord'],
    regex: /discord(?:app)?\.com\/api\/webhooks\/\d{17,20}\/([A-Za-z0-9_-]{60,68})/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          fakeKey('', 68, B64URL, 70),
          (s) => `const hook = 'https://discord.com/api/webhooks/1${fakeKey('', 18, DIGITS, 71)}/${s}';`,
        ),
      ],
      fp: ["const hook = 'https://discord.com/api/webhooks/{id}/{token}';"],
    }),
  },
  {
    id: 'telegram-bot-token',
    description: 'Telegram bot token',
    rotate: 'Telegram (@BotFather: /revoke)',
    keywords: [':aa'],
    regex: /(?:^|[^\w:])(\d{8,10}:AA[A-Za-z0-9_-]{33})(?:[^\w-]|$)/,
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(
          join('7', fakeKey('', 9, DIGITS, 72), ':AA', fakeKey('', 33, B64URL, 73)),
          (s) => `const bot = new Telegraf('${s}');`,
        ),
      ],
      fp: [
        'const bot = new Telegraf(process.env.BOT_TOKEN);',
        "const t = '123456789:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';",
      ],
    }),
  },

  // ── Payments ───────────────────────────────────────────────────────────
  {
    id: 'stripe-secret-key',
    description: 'Stripe live secret key',
    rotate: 'the Stripe dashboard (Developers → API keys: roll the key)',
    keywords: ['sk_live_'],
    regex: /\b(sk_live_[A-Za-z0-9]{24,247})\b/,
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(fakeKey(join('sk', '_live_'), 24, ALNUM, 74), (s) => `const stripe = new Stripe('${s}');`),
        tp(fakeKey(join('sk', '_live_'), 99, ALNUM, 75), as.env('STRIPE_SECRET_KEY'), '.env'),
      ],
      fp: [
        `const stripe = new Stripe('${fakeKey(join('sk', '_test_'), 24, ALNUM, 76)}');`,
        `STRIPE_SECRET_KEY=${join('sk', '_live_', 'x'.repeat(24))}`,
      ],
    }),
  },
  {
    id: 'stripe-restricted-key',
    description: 'Stripe live restricted key',
    rotate: 'the Stripe dashboard (Developers → API keys → Restricted keys: roll or delete it)',
    keywords: ['rk_live_'],
    regex: /\b(rk_live_[A-Za-z0-9]{24,247})\b/,
    entropy: 3.5,
    samples: () => ({
      tp: [tp(fakeKey(join('rk', '_live_'), 24, ALNUM, 77), as.code('stripeKey'))],
      fp: [`const stripeKey = '${fakeKey(join('rk', '_test_'), 24, ALNUM, 78)}';`],
    }),
  },
  {
    id: 'stripe-webhook-secret',
    description: 'Stripe webhook signing secret',
    rotate: 'the Stripe dashboard (Developers → Webhooks → the endpoint: roll the signing secret)',
    keywords: ['whsec_'],
    regex: /\b(whsec_[A-Za-z0-9+/=]{32,64})(?:[^\w+/=]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          fakeKey(join('wh', 'sec_'), 32, ALNUM, 79),
          (s) => `const event = stripe.webhooks.constructEvent(body, sig, '${s}');`,
        ),
      ],
      fp: [
        'const event = stripe.webhooks.constructEvent(body, sig, process.env.STRIPE_WEBHOOK_SECRET);',
        'STRIPE_WEBHOOK_SECRET=whsec_...',
      ],
    }),
  },
  {
    id: 'square-access-token',
    description: 'Square access token',
    rotate: 'the Square developer dashboard (Credentials: replace the access token)',
    keywords: ['eaaa', 'sq0atp-'],
    regex: /\b(EAAA[A-Za-z0-9_-]{60}|sq0atp-[\w-]{22})(?:[^\w-]|$)/,
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(
          fakeKey(join('EA', 'AA'), 60, B64URL, 80),
          (s) => `const square = new Client({ accessToken: '${s}', environment: Environment.Production });`,
        ),
      ],
      fp: [`image: node@sha256:eaaa${fakeKey('', 60, HEX, 180)}`],
    }),
  },
  {
    id: 'square-oauth-secret',
    description: 'Square OAuth application secret',
    rotate: 'the Square developer dashboard (OAuth: replace the application secret)',
    keywords: ['sq0csp-'],
    regex: /\b(sq0csp-[\w-]{43})(?:[^\w-]|$)/,
    entropy: 3.5,
    samples: () => ({
      tp: [tp(join('sq0', 'csp-', fakeKey('', 43, B64URL, 81)), as.yaml('application_secret'), 'config/square.yml')],
      fp: ['  application_secret: ${SQUARE_APP_SECRET}'],
    }),
  },
  {
    id: 'braintree-access-token',
    description: 'PayPal Braintree production access token',
    rotate: 'the PayPal developer dashboard or Braintree control panel (revoke the token)',
    keywords: ['access_token$production$'],
    regex: /\b(access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})\b/,
    entropy: 3,
    samples: () => ({
      tp: [
        tp(
          join('access_token$', 'production$', fakeKey('', 16, LOWER + DIGITS, 82), '$', fakeKey('', 32, HEX, 83)),
          (s) => `const gateway = new braintree.BraintreeGateway({ accessToken: "${s}" });`,
        ),
      ],
      fp: ['const gateway = new braintree.BraintreeGateway({ accessToken: process.env.BRAINTREE_TOKEN });'],
    }),
  },
  {
    id: 'paypal-client-secret',
    description: 'PayPal REST client secret',
    rotate: 'the PayPal developer dashboard (Apps & Credentials: regenerate the secret)',
    keywords: ['paypal'],
    regex: named(`${word('paypal')}[\\w.-]{0,20}${word('secret')}`, '[A-Za-z0-9_-]{80}'),
    entropy: 4,
    samples: () => ({
      tp: [tp(fakeKey('E', 79, B64URL, 84), as.env('PAYPAL_CLIENT_SECRET'), 'api/.env.production')],
      fp: ['PAYPAL_CLIENT_SECRET=${PAYPAL_CLIENT_SECRET}'],
    }),
  },

  // ── Messaging and email ────────────────────────────────────────────────
  {
    id: 'twilio-api-key',
    description: 'Twilio API key',
    rotate: 'the Twilio console (Account → API keys & tokens: delete the key)',
    keywords: ['sk'],
    regex: /\b(SK[0-9a-f]{32})\b/,
    entropy: 3.2,
    samples: () => ({
      tp: [tp(join('S', 'K', fakeKey('', 32, HEX, 85)), as.env('TWILIO_API_KEY'), 'sms/.env')],
      fp: [`const taskHash = 'sk${fakeKey('', 32, HEX, 86)}';`, `const sid = 'SK${'0'.repeat(32)}';`],
    }),
  },
  {
    id: 'twilio-auth-token',
    description: 'Twilio auth token',
    rotate: 'the Twilio console (Account → API keys & tokens: rotate the auth token)',
    keywords: ['twilio'],
    regex: named(`${word('twilio')}[\\w.-]{0,20}${anyOf('auth', 'token', 'secret')}`, '[0-9a-f]{32}'),
    entropy: 3.2,
    samples: () => ({
      tp: [tp(fakeKey('', 32, HEX, 87), as.env('TWILIO_AUTH_TOKEN'), 'sms/.env.local')],
      fp: ['TWILIO_AUTH_TOKEN=your_auth_token'],
    }),
  },
  {
    id: 'sendgrid-api-key',
    description: 'SendGrid API key',
    rotate: 'SendGrid (Settings → API Keys: delete it)',
    keywords: ['sg.'],
    regex: /\b(SG\.[\w-]{22}\.[\w-]{43})(?:[^\w-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('S', 'G.', fakeKey('', 22, B64URL, 88), '.', fakeKey('', 43, B64URL, 89)),
          (s) => `sgMail.setApiKey('${s}');`,
        ),
      ],
      fp: ['sgMail.setApiKey(process.env.SENDGRID_API_KEY);'],
    }),
  },
  {
    id: 'mailgun-api-key',
    description: 'Mailgun API key',
    rotate: 'Mailgun (API Security: delete the key)',
    keywords: ['key-', 'mailgun'],
    regex: either(/\b(key-[0-9a-f]{32})\b/, named(word('mailgun'), '[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}')),
    entropy: 3.2,
    samples: () => ({
      tp: [
        tp(
          join('ke', 'y-', fakeKey('', 32, HEX, 90)),
          (s) => `const mg = mailgun.client({ username: 'api', key: '${s}' });`,
        ),
        tp(
          join(fakeKey('', 32, HEX, 91), '-', fakeKey('', 8, HEX, 92), '-', fakeKey('', 8, HEX, 93)),
          as.env('MAILGUN_API_KEY'),
          'mail/.env',
        ),
      ],
      fp: ["const mg = mailgun.client({ username: 'api', key: process.env.MAILGUN_API_KEY });"],
    }),
  },
  {
    id: 'mailchimp-api-key',
    description: 'Mailchimp API key',
    rotate: 'Mailchimp (Account → Extras → API keys: revoke it)',
    keywords: ['-us'],
    regex: /\b([0-9a-f]{32}-us\d{1,2})\b/,
    entropy: 3.2,
    samples: () => ({
      tp: [tp(fakeKey('', 32, HEX, 94) + '-us21', (s) => `mailchimp.setConfig({ apiKey: '${s}', server: 'us21' });`)],
      fp: [`mailchimp.setConfig({ apiKey: '${'0'.repeat(32)}-us21', server: 'us21' });`],
    }),
  },
  {
    id: 'postmark-server-token',
    description: 'Postmark server token',
    rotate: 'Postmark (the server’s API Tokens: regenerate it)',
    keywords: ['postmark'],
    regex: named(word('postmark'), UUID),
    entropy: 3,
    samples: () => ({
      tp: [
        tp(uuid(95), (s) => `const client = new postmark.ServerClient("${s}");`),
        tp(uuid(96), as.env('POSTMARK_SERVER_TOKEN'), 'mail/.env.production'),
      ],
      fp: ['const client = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN);'],
    }),
  },

  // ── AI providers ───────────────────────────────────────────────────────
  {
    id: 'openai-api-key',
    description: 'OpenAI API key',
    rotate: 'the OpenAI platform (API keys: revoke it)',
    keywords: ['t3blbkfj'],
    regex: /\b(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,160}T3BlbkFJ[A-Za-z0-9_-]{20,160})(?:[^\w-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('sk-', 'proj-', fakeKey('', 74, B64URL, 97), 'T3Blbk', 'FJ', fakeKey('', 74, B64URL, 98)),
          (s) => `const openai = new OpenAI({ apiKey: '${s}' });`,
        ),
        tp(
          join('sk-', fakeKey('', 20, ALNUM, 99), 'T3Blbk', 'FJ', fakeKey('', 20, ALNUM, 100)),
          as.env('OPENAI_API_KEY'),
          '.env.local',
        ),
      ],
      fp: ['const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });', 'OPENAI_API_KEY=sk-...'],
    }),
  },
  {
    id: 'anthropic-api-key',
    description: 'Anthropic API key',
    rotate: 'the Anthropic Console (API keys: disable and delete it)',
    keywords: ['sk-ant-'],
    regex: /\b(sk-ant-(?:api03|admin01|oat01|ort01)-[\w-]{40,200})(?:[^\w-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('sk-', 'ant-', 'api03-', fakeKey('', 93, B64URL, 101), 'AA'),
          (s) => `const anthropic = new Anthropic({ apiKey: "${s}" });`,
        ),
      ],
      fp: [
        'const anthropic = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY });',
        'ANTHROPIC_API_KEY=sk-ant-api03-...',
      ],
    }),
  },
  {
    id: 'huggingface-token',
    description: 'Hugging Face access token',
    rotate: 'Hugging Face (Settings → Access Tokens: invalidate it)',
    keywords: ['hf_', 'api_org_'],
    regex: /\b((?:hf_|api_org_)[A-Za-z]{34})\b/,
    entropy: 3.5,
    samples: () => ({
      tp: [tp(join('h', 'f_', fakeKey('', 34, LETTERS, 102)), as.code('HF_TOKEN'))],
      fp: [`const HF_TOKEN = '${join('h', 'f_', 'x'.repeat(34))}';`],
    }),
  },
  {
    id: 'cohere-api-key',
    description: 'Cohere API key',
    rotate: 'the Cohere dashboard (API keys: delete it)',
    keywords: ['cohere', 'co_api_key'],
    regex: named(`${word('cohere')}|${word('co_api_key')}`, '[A-Za-z0-9]{40}'),
    entropy: 4,
    samples: () => ({
      tp: [
        tp(fakeKey('', 40, ALNUM, 103), (s) => `const cohere = new CohereClient({ token: "${s}" });`),
        tp(fakeKey('', 40, ALNUM, 104), as.env('COHERE_API_KEY'), 'ml/.env'),
      ],
      fp: ['const cohere = new CohereClient({ token: process.env.COHERE_API_KEY });'],
    }),
  },
  {
    id: 'replicate-api-token',
    description: 'Replicate API token',
    rotate: 'Replicate (Account → API tokens: delete it)',
    keywords: ['r8_'],
    regex: /\b(r8_[A-Za-z0-9]{37})\b/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(join('r', '8_', fakeKey('', 37, ALNUM, 105)), (s) => `const replicate = new Replicate({ auth: '${s}' });`),
      ],
      fp: ['const replicate = new Replicate({ auth: process.env.REPLICATE_API_TOKEN });'],
    }),
  },
  {
    id: 'groq-api-key',
    description: 'Groq API key',
    rotate: 'the Groq console (API Keys: delete it)',
    keywords: ['gsk_'],
    regex: /\b(gsk_[A-Za-z0-9]{52})\b/,
    entropy: 4,
    samples: () => ({
      tp: [tp(join('gs', 'k_', fakeKey('', 52, ALNUM, 106)), as.env('GROQ_API_KEY'), 'agent/.env')],
      fp: ['GROQ_API_KEY=gsk_your_key_here'],
    }),
  },

  // ── Backends, hosting and infrastructure ───────────────────────────────
  {
    id: 'supabase-service-key',
    description: 'Supabase service-role or secret key',
    rotate: 'the Supabase dashboard (Project settings → API: roll the JWT secret or the secret key)',
    keywords: ['sb_secret_', 'eyj'],
    regex: either(/\b(sb_secret_[\w-]{31,64})(?:[^\w-]|$)/, JWT_SOURCE),
    validate: (s) => {
      if (s.startsWith('sb_')) return true;
      return parseJwt(s)?.payload['role'] === 'service_role';
    },
    samples: () => ({
      tp: [
        tp(
          sampleJwt(
            { iss: 'supabase', ref: 'abcdwxyzqrstuvefghij', role: 'service_role', iat: 1700000000, exp: 2000000000 },
            107,
          ),
          (s) => `const admin = createClient(url, '${s}');`,
        ),
        tp(join('sb_', 'secret_', fakeKey('', 32, B64URL, 108)), as.env('SUPABASE_SECRET_KEY'), 'api/.env'),
      ],
      fp: [
        `const supabase = createClient(url, '${sampleJwt({ iss: 'supabase', ref: 'abcdwxyzqrstuvefghij', role: 'anon', iat: 1700000000, exp: 2000000000 }, 109)}');`,
      ],
    }),
  },
  {
    id: 'firebase-fcm-server-key',
    description: 'Firebase Cloud Messaging legacy server key',
    rotate: 'the Firebase console (Project settings → Cloud Messaging: delete the server key)',
    keywords: [':apa91b'],
    regex: /\b(AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{120,160})(?:[^\w-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('AAAA', fakeKey('', 7, B64URL, 110), ':APA91b', fakeKey('', 134, B64URL, 111)),
          (s) => `headers: { Authorization: 'key=${s}' },`,
        ),
      ],
      fp: ['headers: { Authorization: `key=${process.env.FCM_SERVER_KEY}` },'],
    }),
  },
  {
    id: 'vercel-token',
    description: 'Vercel access token',
    rotate: 'Vercel (Account settings → Tokens: delete it)',
    keywords: ['vercel'],
    regex: named(word('vercel'), '[A-Za-z0-9]{24}'),
    entropy: 3.5,
    validate: (s) => /\d/.test(s) && /[A-Za-z]/.test(s),
    samples: () => ({
      tp: [tp(fakeKey('', 24, ALNUM, 112), as.env('VERCEL_TOKEN'), 'ci/.env.ci')],
      fp: ['VERCEL_TOKEN=${{ secrets.VERCEL_TOKEN }}', "const vercelProjectName = 'marketingWebsiteFrontend';"],
    }),
  },
  {
    id: 'netlify-token',
    description: 'Netlify personal access token',
    rotate: 'Netlify (User settings → Applications → Personal access tokens: delete it)',
    keywords: ['nfp_', 'netlify'],
    regex: either(/\b(nfp_[A-Za-z0-9]{36})\b/, named(word('netlify'), '[A-Za-z0-9_-]{40,46}')),
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(join('nf', 'p_', fakeKey('', 36, ALNUM, 113)), as.env('NETLIFY_AUTH_TOKEN'), 'deploy/.env'),
        tp(fakeKey('', 43, B64URL, 114), as.code('netlifyToken')),
      ],
      fp: ['NETLIFY_AUTH_TOKEN=${{ secrets.NETLIFY_AUTH_TOKEN }}'],
    }),
  },
  {
    id: 'heroku-api-key',
    description: 'Heroku API key',
    rotate: 'Heroku (Account settings → API key: regenerate it), or `heroku authorizations:revoke`',
    keywords: ['hrku-', 'heroku'],
    regex: either(/\b(HRKU-AA[\w-]{58})(?:[^\w-]|$)/, named(word('heroku'), UUID)),
    entropy: 3,
    samples: () => ({
      tp: [
        tp(uuid(115), as.env('HEROKU_API_KEY'), 'deploy/heroku.env'),
        tp(join('HR', 'KU-AA', fakeKey('', 58, B64URL, 116)), as.code('herokuKey')),
      ],
      fp: ['const HEROKU_KEY = "00000000-0000-0000-0000-000000000000";', 'HEROKU_API_KEY=$(heroku auth:token)'],
    }),
  },
  {
    id: 'digitalocean-token',
    description: 'DigitalOcean access token',
    rotate: 'the DigitalOcean control panel (API → Tokens: delete it)',
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    regex: /\b(do[opr]_v1_[a-f0-9]{64})\b/,
    entropy: 3.2,
    samples: () => ({
      tp: [tp(join('do', 'p_v1_', fakeKey('', 64, HEX, 117)), as.env('DIGITALOCEAN_TOKEN'), 'infra/do.env')],
      fp: [`DIGITALOCEAN_TOKEN=${join('dop_v1_', '0'.repeat(64))}`],
    }),
  },
  {
    id: 'cloudflare-api-token',
    description: 'Cloudflare API token',
    rotate: 'the Cloudflare dashboard (My Profile → API Tokens: roll or delete it)',
    keywords: ['cloudflare', 'cf_api'],
    regex: named(`${word('cloudflare')}|${word('cf_api')}`, '[A-Za-z0-9_-]{40}'),
    entropy: 3.5,
    samples: () => ({
      tp: [tp(fakeKey('', 40, B64URL, 118), as.env('CLOUDFLARE_API_TOKEN'), 'infra/.env')],
      fp: ['CLOUDFLARE_API_TOKEN=${CLOUDFLARE_API_TOKEN}', `const cloudflareZoneId = '${'0'.repeat(40)}';`],
    }),
  },
  {
    id: 'cloudflare-global-api-key',
    description: 'Cloudflare global API key',
    rotate: 'the Cloudflare dashboard (My Profile → API Tokens → Global API Key: change it)',
    keywords: ['cloudflare'],
    regex: named(word('cloudflare'), '[a-f0-9]{37}'),
    entropy: 3,
    samples: () => ({
      tp: [tp(fakeKey('', 37, HEX, 119), as.code('cloudflareGlobalApiKey'))],
      fp: ['const cloudflareGlobalApiKey = process.env.CF_API_KEY;'],
    }),
  },
  {
    id: 'cloudflare-origin-ca-key',
    description: 'Cloudflare Origin CA key',
    rotate: 'the Cloudflare dashboard (My Profile → API Tokens → Origin CA Key: change it)',
    keywords: ['v1.0-'],
    regex: /\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b/,
    entropy: 3,
    samples: () => ({
      tp: [
        tp(
          join('v1', '.0-', fakeKey('', 24, HEX, 120), '-', fakeKey('', 146, HEX, 121)),
          as.env('CF_ORIGIN_CA_KEY'),
          'infra/origin.env',
        ),
      ],
      fp: ['CF_ORIGIN_CA_KEY=v1.0-<key>'],
    }),
  },
  {
    id: 'flyio-token',
    description: 'Fly.io access token',
    rotate: 'Fly.io (`fly tokens revoke`, or the dashboard’s Tokens page)',
    keywords: ['fo1_', 'fm1', 'fm2_'],
    regex: /\b(fo1_[\w-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,3000}={0,3})(?:[^\w+/=-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(join('fo', '1_', fakeKey('', 43, B64URL, 122)), as.env('FLY_API_TOKEN'), 'deploy/fly.env'),
        tp(join('fm', '2_', fakeKey('', 300, BASE64, 123)), (s) => `ENV FLY_API_TOKEN="FlyV1 ${s}"`, 'Dockerfile'),
      ],
      fp: [`api_key = "fo1_${'x'.repeat(43)}"`],
    }),
  },
  {
    id: 'shopify-access-token',
    description: 'Shopify access token',
    rotate: 'the Shopify admin (Apps → the app: uninstall or rotate its API credentials)',
    keywords: ['shpat_', 'shpca_', 'shppa_'],
    regex: /\b(shp(?:at|ca|pa)_[a-fA-F0-9]{32})\b/,
    entropy: 3.2,
    samples: () => ({
      tp: [tp(join('shp', 'at_', fakeKey('', 32, HEX, 124)), as.env('SHOPIFY_ACCESS_TOKEN'), 'shop/.env')],
      fp: [`SHOPIFY_ACCESS_TOKEN=${join('shpat_', '0'.repeat(32))}`],
    }),
  },
  {
    id: 'shopify-shared-secret',
    description: 'Shopify app shared secret',
    rotate: 'the Shopify Partner dashboard (the app’s API credentials: rotate the secret)',
    keywords: ['shpss_'],
    regex: /\b(shpss_[a-fA-F0-9]{32})\b/,
    entropy: 3.2,
    samples: () => ({
      tp: [tp(join('shp', 'ss_', fakeKey('', 32, HEX, 125)), as.code('apiSecretKey'))],
      fp: ['const apiSecretKey = process.env.SHOPIFY_API_SECRET;'],
    }),
  },
  {
    id: 'linear-api-key',
    description: 'Linear API key',
    rotate: 'Linear (Settings → API → Personal API keys: revoke it)',
    keywords: ['lin_api_'],
    regex: /\b(lin_api_[A-Za-z0-9]{40})\b/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('lin', '_api_', fakeKey('', 40, ALNUM, 126)),
          (s) => `const linear = new LinearClient({ apiKey: "${s}" });`,
        ),
      ],
      fp: ['const linear = new LinearClient({ apiKey: process.env.LINEAR_API_KEY });'],
    }),
  },
  {
    id: 'notion-token',
    description: 'Notion integration token',
    rotate: 'Notion (Settings → Integrations: refresh the integration’s secret)',
    keywords: ['ntn_', 'secret_'],
    regex: /\b(ntn_\d{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\b/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('nt', 'n_', fakeKey('', 11, DIGITS, 127), fakeKey('', 35, ALNUM, 128)),
          (s) => `const notion = new Client({ auth: '${s}' });`,
        ),
        tp(join('sec', 'ret_', fakeKey('', 43, ALNUM, 129)), as.env('NOTION_TOKEN'), 'tools/.env'),
      ],
      fp: ['const notion = new Client({ auth: process.env.NOTION_TOKEN });', 'const SECRET_NAME_PREFIX = "secret_";'],
    }),
  },
  {
    id: 'airtable-token',
    description: 'Airtable personal access token or API key',
    rotate: 'Airtable (Developer hub → Personal access tokens: delete it)',
    keywords: ['pat', 'airtable'],
    regex: either(/\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b/, named(word('airtable'), 'key[A-Za-z0-9]{14}')),
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(
          join('pa', 't', fakeKey('', 14, ALNUM, 130), '.', fakeKey('', 64, HEX, 131)),
          (s) => `const base = new Airtable({ apiKey: '${s}' }).base('app123');`,
        ),
      ],
      fp: ["const base = new Airtable({ apiKey: process.env.AIRTABLE_TOKEN }).base('app123');"],
    }),
  },
  {
    id: 'datadog-api-key',
    description: 'Datadog API key',
    rotate: 'Datadog (Organization settings → API keys: revoke it)',
    keywords: ['datadog', 'dd_api', 'dd-api', 'ddapi'],
    regex: named(`${word('datadog')}|${word('dd')}[_-]?${word('api')}`, '[a-f0-9]{32}'),
    entropy: 3.2,
    samples: () => ({
      tp: [tp(fakeKey('', 32, HEX, 132), as.env('DD_API_KEY'), 'deploy/datadog.env')],
      fp: ['DD_API_KEY=<DATADOG_API_KEY>'],
    }),
  },
  {
    id: 'datadog-app-key',
    description: 'Datadog application key',
    rotate: 'Datadog (Organization settings → Application keys: revoke it)',
    keywords: ['datadog', 'dd_app', 'dd-app', 'ddapp'],
    regex: named(`${word('datadog')}[\\w.-]{0,20}${word('app')}|${word('dd')}[_-]?${word('app')}`, '[a-f0-9]{40}'),
    entropy: 3.2,
    samples: () => ({
      tp: [tp(fakeKey('', 40, HEX, 133), as.env('DD_APP_KEY'), 'deploy/datadog.env')],
      fp: ['DD_APP_KEY=${DD_APP_KEY}'],
    }),
  },
  {
    id: 'newrelic-user-api-key',
    description: 'New Relic user API key',
    rotate: 'New Relic (API keys: delete it)',
    keywords: ['nrak-'],
    regex: /\b(NRAK-[A-Z0-9]{27})\b/,
    entropy: 3.5,
    samples: () => ({
      tp: [tp(join('NR', 'AK-', fakeKey('', 27, UPPER_ALNUM, 134)), as.env('NEW_RELIC_API_KEY'), 'ops/.env')],
      fp: [`NEW_RELIC_API_KEY=${join('NRAK-', 'X'.repeat(27))}`],
    }),
  },
  {
    id: 'newrelic-ingest-key',
    description: 'New Relic license or insert key',
    rotate: 'New Relic (API keys: delete the ingest key and create a new one)',
    keywords: ['nral', 'nrii-', 'relic'],
    regex: either(
      /\b([a-f0-9]{36}NRAL)\b/,
      /\b(NRII-[\w-]{32})(?:[^\w-]|$)/,
      named(`${word('new')}[_.-]?${word('relic')}[\\w.-]{0,20}${word('license')}`, '[a-f0-9]{40}'),
    ),
    entropy: 3.2,
    samples: () => ({
      tp: [
        tp(fakeKey('', 36, HEX, 135) + 'NRAL', as.env('NEW_RELIC_LICENSE_KEY'), 'ops/newrelic.env'),
        tp(fakeKey('', 40, HEX, 136), (s) => `const newRelicLicenseKey = '${s}';`),
      ],
      fp: ['NEW_RELIC_LICENSE_KEY=${NEW_RELIC_LICENSE_KEY}'],
    }),
  },
  {
    id: 'sentry-dsn-secret',
    description: 'Sentry DSN with its secret key',
    rotate: 'Sentry (Project settings → Client Keys: revoke the key); modern DSNs need no secret',
    keywords: ['://'],
    regex: /\bhttps?:\/\/[0-9a-f]{32}:([0-9a-f]{32})@/,
    entropy: 3.2,
    samples: () => ({
      tp: [
        tp(
          fakeKey('', 32, HEX, 137),
          (s) => `Sentry.init({ dsn: 'https://${fakeKey('', 32, HEX, 138)}:${s}@o12345.ingest.sentry.io/678' });`,
        ),
      ],
      fp: [`Sentry.init({ dsn: 'https://${fakeKey('', 32, HEX, 139)}@o12345.ingest.sentry.io/678' });`],
    }),
  },
  {
    id: 'sentry-auth-token',
    description: 'Sentry auth token',
    rotate: 'Sentry (Settings → Auth Tokens, or the organization’s tokens: revoke it)',
    keywords: ['sntrys_', 'sntryu_', 'sentry'],
    regex: either(
      /\b(sntrys_eyJ[A-Za-z0-9+/=_-]{60,400}|sntryu_[a-f0-9]{64})(?:[^\w+/=-]|$)/,
      named(`${word('sentry')}[\\w.-]{0,20}${word('token')}`, '[a-f0-9]{64}'),
    ),
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(join('sntr', 'yu_', fakeKey('', 64, HEX, 140)), as.env('SENTRY_AUTH_TOKEN'), '.env.sentry-build-plugin'),
        tp(fakeKey('', 64, HEX, 141), as.code('sentryAuthToken')),
      ],
      fp: ['SENTRY_AUTH_TOKEN=${SENTRY_AUTH_TOKEN}'],
    }),
  },
  {
    id: 'algolia-admin-key',
    description: 'Algolia admin API key',
    rotate: 'the Algolia dashboard (Settings → API Keys: regenerate the admin key)',
    keywords: ['algolia'],
    regex: named(
      `${word('algolia')}[\\w.-]{0,20}${word('admin')}|${word('admin')}[\\w.-]{0,20}${word('algolia')}`,
      '[a-f0-9]{32}',
    ),
    entropy: 3.2,
    samples: () => ({
      tp: [tp(fakeKey('', 32, HEX, 142), as.env('ALGOLIA_ADMIN_KEY'), 'search/.env')],
      fp: [`ALGOLIA_SEARCH_KEY=${fakeKey('', 32, HEX, 143)}`],
    }),
  },
  {
    id: 'okta-api-token',
    description: 'Okta API token',
    rotate: 'the Okta admin console (Security → API → Tokens: revoke it)',
    keywords: ['okta', 'ssws'],
    regex: either(named(word('okta'), '00[A-Za-z0-9_-]{40}'), /SSWS\s{1,4}(00[A-Za-z0-9_-]{40})(?:[^\w-]|$)/),
    entropy: 3.5,
    samples: () => ({
      tp: [
        tp(join('00', fakeKey('', 40, B64URL, 144)), as.env('OKTA_API_TOKEN'), 'auth/.env'),
        tp(join('00', fakeKey('', 40, B64URL, 145)), (s) => `headers: { Authorization: 'SSWS ${s}' },`),
      ],
      fp: ['headers: { Authorization: `SSWS ${process.env.OKTA_API_TOKEN}` },'],
    }),
  },
  {
    id: 'auth0-client-secret',
    description: 'Auth0 client secret',
    rotate: 'the Auth0 dashboard (Applications → the app → Settings: rotate the client secret)',
    keywords: ['auth0'],
    regex: named(`${word('auth0')}[\\w.-]{0,30}${word('secret')}`, '[A-Za-z0-9_-]{64}'),
    entropy: 4,
    samples: () => ({
      tp: [tp(fakeKey('', 64, B64URL, 146), as.env('AUTH0_CLIENT_SECRET'), 'web/.env.local')],
      fp: ["AUTH0_CLIENT_SECRET='run: openssl rand -hex 32'", 'AUTH0_SECRET=${AUTH0_SECRET}'],
    }),
  },
  {
    id: 'vault-token',
    description: 'HashiCorp Vault token',
    rotate: 'Vault (`vault token revoke`, and look for its use in the audit log)',
    keywords: ['hvs.', 'hvb.', 'hvr.', 'vault'],
    regex: either(/\b(hv[sbr]\.[\w-]{90,400})(?:[^\w-]|$)/, named(word('vault'), 's\\.[A-Za-z0-9]{24}')),
    entropy: 4,
    validate: (s) => !s.startsWith('s.') || /\d/.test(s),
    samples: () => ({
      tp: [
        tp(join('hv', 's.', fakeKey('CAES', 90, B64URL, 147)), as.env('VAULT_TOKEN'), 'ops/vault.env'),
        tp(join('s', '.', fakeKey('', 24, ALNUM, 148)), as.code('vaultToken')),
      ],
      fp: ['const vaultToken = s.makeKubeConfigController;', 'VAULT_TOKEN=$(vault print token)'],
    }),
  },
  {
    id: 'terraform-cloud-token',
    description: 'HCP Terraform (Terraform Cloud) API token',
    rotate: 'HCP Terraform (User settings → Tokens, or the team/organization token page: revoke it)',
    keywords: ['atlasv1'],
    regex: /\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?:[^\w=-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join(fakeKey('', 14, ALNUM, 149), '.atlas', 'v1.', fakeKey('', 67, B64URL, 150)),
          (s) => `credentials "app.terraform.io" {\n  token = "${s}"\n}`,
          '.terraformrc',
        ),
      ],
      fp: ['credentials "app.terraform.io" {\n  token = var.tfc_token\n}'],
    }),
  },
  {
    id: 'doppler-token',
    description: 'Doppler token',
    rotate: 'the Doppler dashboard (Access: revoke the token)',
    keywords: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'],
    regex: /\b(dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,44})\b/,
    entropy: 4,
    samples: () => ({
      tp: [tp(join('dp', '.pt.', fakeKey('', 43, ALNUM, 151)), as.env('DOPPLER_TOKEN'), 'ops/.env')],
      fp: ['DOPPLER_TOKEN=dp.pt.<token>'],
    }),
  },
  {
    id: 'pulumi-token',
    description: 'Pulumi access token',
    rotate: 'Pulumi Cloud (Personal access tokens: delete it)',
    keywords: ['pul-'],
    regex: /\b(pul-[a-f0-9]{40})\b/,
    entropy: 3.2,
    samples: () => ({
      tp: [tp(join('pu', 'l-', fakeKey('', 40, HEX, 152)), as.env('PULUMI_ACCESS_TOKEN'), 'infra/.env')],
      fp: [`PULUMI_ACCESS_TOKEN=${join('pul-', '0'.repeat(40))}`],
    }),
  },
  {
    id: 'grafana-token',
    description: 'Grafana service-account or Cloud token',
    rotate: 'Grafana (Administration → Service accounts, or Grafana Cloud access policies: delete the token)',
    keywords: ['glsa_', 'glc_'],
    regex: /\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2})(?:[^\w+/=-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('gl', 'sa_', fakeKey('', 32, ALNUM, 153), '_', fakeKey('', 8, HEX, 154)),
          as.env('GRAFANA_TOKEN'),
          'ops/grafana.env',
        ),
      ],
      fp: ['GRAFANA_TOKEN=glsa_<token>'],
    }),
  },
  {
    id: 'databricks-token',
    description: 'Databricks personal access token',
    rotate: 'Databricks (User settings → Developer → Access tokens: revoke it)',
    keywords: ['dapi'],
    regex: /\b(dapi[a-f0-9]{32}(?:-\d)?)\b/,
    entropy: 3.2,
    samples: () => ({
      tp: [tp(join('da', 'pi', fakeKey('', 32, HEX, 155)), as.env('DATABRICKS_TOKEN'), 'data/.env')],
      fp: ['const dapiVersion = "dapi-v2";'],
    }),
  },
  {
    id: 'postman-api-key',
    description: 'Postman API key',
    rotate: 'Postman (Settings → API keys: delete it)',
    keywords: ['pmak-'],
    regex: /\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b/,
    entropy: 3.2,
    samples: () => ({
      tp: [
        tp(
          join('PM', 'AK-', fakeKey('', 24, HEX, 156), '-', fakeKey('', 34, HEX, 157)),
          as.env('POSTMAN_API_KEY'),
          'qa/.env',
        ),
      ],
      fp: ['POSTMAN_API_KEY=PMAK-...'],
    }),
  },
  {
    id: 'planetscale-token',
    description: 'PlanetScale password or service token',
    rotate: 'PlanetScale (the database’s Passwords, or Organization → Service tokens: delete it)',
    keywords: ['pscale_'],
    regex: /\b(pscale_(?:tkn|oauth|pw)_[\w=.-]{32,64})(?:[^\w=.-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [tp(join('psc', 'ale_pw_', fakeKey('', 43, B64URL, 158)), as.env('DATABASE_PASSWORD'), 'db/.env')],
      fp: ['DATABASE_PASSWORD=pscale_pw_<password>'],
    }),
  },
  {
    id: 'figma-token',
    description: 'Figma personal access token',
    rotate: 'Figma (Settings → Security → Personal access tokens: revoke it)',
    keywords: ['figd_'],
    regex: /\b(figd_[\w-]{40})(?:[^\w-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [tp(join('fi', 'gd_', fakeKey('', 40, B64URL, 159)), as.env('FIGMA_TOKEN'), 'design/.env')],
      fp: ['FIGMA_TOKEN=figd_...'],
    }),
  },
  {
    id: 'mapbox-secret-token',
    description: 'Mapbox secret access token',
    rotate: 'Mapbox (Account → Tokens: delete it)',
    keywords: ['sk.eyj'],
    regex: /\b(sk\.eyJ[A-Za-z0-9_-]{20,300}\.[A-Za-z0-9_-]{20,40})(?:[^\w-]|$)/,
    entropy: 4,
    samples: () => ({
      tp: [
        tp(
          join('sk.', b64url({ u: 'acme', a: fakeKey('', 12, LOWER, 160) }), '.', fakeKey('', 22, B64URL, 161)),
          as.env('MAPBOX_DOWNLOADS_TOKEN'),
          'mobile/.env',
        ),
      ],
      fp: [`const publicToken = 'pk.${b64url({ u: 'acme', a: 'x' })}.${fakeKey('', 22, B64URL, 162)}';`],
    }),
  },
  {
    id: 'age-secret-key',
    description: 'age encryption secret key',
    rotate: 'your age keys (generate a new identity with age-keygen and re-encrypt what the old one protected)',
    keywords: ['age-secret-key-1'],
    regex: /\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b/,
    samples: () => ({
      tp: [
        tp(
          join('AGE-SECRET', '-KEY-1', fakeKey('', 58, 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 163)),
          (s) => `# created: 2024-01-01\n${s}`,
          'keys/age.txt',
        ),
      ],
      fp: ['AGE-SECRET-KEY-1...'],
    }),
  },
];

/**
 * Formats that are not one provider's: signed JWTs and URLs with a password.
 * They rank after the provider rules and the file rules (a Supabase key is a
 * JWT; a `.git-credentials` line is a URL), before the generic rule.
 */
export const GENERAL_FORMATS: ProviderRule[] = [
  {
    id: 'jwt',
    description: 'signed JSON Web Token',
    rotate: 'the issuer (revoke the session or rotate the signing key; a JWT stays valid until it expires)',
    keywords: ['eyj'],
    regex: new RegExp(JWT_SOURCE),
    validate: (s) => {
      const jwt = parseJwt(s);
      return jwt !== null && !isPublicJwt(jwt);
    },
    conclusive: true,
    samples: () => ({
      tp: [
        tp(
          sampleJwt({ sub: 'user_8k2Lq', scope: 'admin', iat: 1700000000, exp: 2000000000 }, 164),
          (s) => `headers: { Authorization: 'Bearer ${s}' },`,
        ),
      ],
      fp: [
        `const demo = '${sampleJwt({ sub: '1234567890', name: 'John Doe', iat: 1516239022 }, 165)}';`,
        `const unsigned = '${b64url({ alg: 'none' })}.${b64url({ sub: 'x' })}.';`,
        `const notJwt = 'eyJ${fakeKey('', 30, B64URL, 166)}.eyJ${fakeKey('', 30, B64URL, 167)}.${fakeKey('', 30, B64URL, 168)}';`,
      ],
    }),
  },
  {
    id: 'database-url-password',
    description: 'database or message-broker URL with a password',
    rotate: 'the database or broker (change the user’s password, and read the URL from the environment)',
    keywords: ['://'],
    regex:
      /\b(?:postgres(?:ql)?|mysql2?|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse|nats|kafka|jdbc:[a-z]{2,12}|oracle|couchdb|neo4j(?:\+s)?|bolt)(?:\+[a-z]{1,10})?:\/\/([^:@/\s'"`]{0,128}):([^@/\s'"`]{1,256})@([^\s/'"`?#:,]{1,255})/,
    validate: (_s, { match }) => realUrlPassword(match[2] ?? '', match[1] ?? '', match[3] ?? ''),
    secretGroup: 2,
    samples: () => ({
      tp: [
        tp(
          fakeKey('', 20, ALNUM, 169),
          (s) => `DATABASE_URL=postgres://app:${s}@db.prod.acme.internal:5432/app`,
          'deploy/.env.production',
        ),
        tp(fakeKey('', 16, ALNUM, 170), (s) => `const uri = 'mongodb+srv://svc:${s}@cluster0.ab1cd.mongodb.net/shop';`),
        tp(
          fakeKey('', 24, ALNUM, 171),
          (s) => `REDIS_URL: "rediss://default:${s}@cache.acme.cloud:6380"`,
          'docker-compose.yml',
        ),
        tp(fakeKey('', 18, ALNUM, 172), (s) => `const broker = 'amqps://orders:${s}@mq.acme.io/vhost';`),
        tp(
          fakeKey('', 18, ALNUM, 173),
          (s) => `spring.datasource.url=jdbc:mysql://report:${s}@10.1.2.3:3306/reports`,
          'src/main/resources/application.properties',
        ),
      ],
      fp: [
        'DATABASE_URL=postgres://postgres:postgres@localhost:5432/app',
        "const uri = 'mongodb://user:password@localhost:27017/test';",
        'const url = `postgres://${user}:${password}@${host}/${db}`;',
        'REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379',
        "const url = 'mysql://root:root@db:3306/app';",
        `DATABASE_URL="${join('postgresql://', 'johndoe:', 'randompassword', '@localhost:5432/mydb?schema=public')}"`,
      ],
    }),
  },
  {
    id: 'url-credentials',
    description: 'URL with a user name and password',
    rotate: 'the service in the URL (change the password or revoke the token)',
    keywords: ['://'],
    regex:
      /\b(?:https?|ftps?|sftp|ssh|git|svn|smtps?|imaps?|pop3s?|ldaps?|wss?|s3|git\+https?|git\+ssh)(?:\+[a-z]{1,10})?:\/\/([^:@/\s'"`<>]{1,128}):([^@/\s'"`<>]{3,256})@([^\s/'"`?#:,<>]{1,255})/,
    validate: (_s, { match }) => realUrlPassword(match[2] ?? '', match[1] ?? '', match[3] ?? ''),
    secretGroup: 2,
    samples: () => ({
      tp: [
        tp(
          fakeKey('', 20, ALNUM, 174),
          (s) => `const feed = await fetch('https://reports:${s}@reports.acme.com/daily.csv');`,
        ),
        tp(fakeKey('', 40, HEX, 175), (s) => `https://ci-bot:${s}@github.com`, '.git-credentials-ci'),
        tp(
          fakeKey('', 14, ALNUM, 176),
          (s) => `  upload: "sftp://deploy:${s}@files.acme.com/incoming"`,
          'deploy/targets.yaml',
        ),
      ],
      fp: [
        `const example = '${join('https://', 'user:', 'pass', '@example.com/')}';`,
        "const u = 'https://username:password@host.com';",
        'proxy = http://${PROXY_USER}:${PROXY_PASS}@proxy.acme.com:3128',
        "const docs = 'https://user:<password>@api.acme.com';",
        "const p = 'ssh://git@github.com/acme/app.git';",
        '"url": "https://github.com/acme/app.git"',
      ],
    }),
  },
];
