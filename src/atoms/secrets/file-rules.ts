/**
 * Files that are credentials by what they are: `.env` files with a secret in
 * them, keystores, SSH keys, Terraform state, and the configuration files of
 * tools that keep a password or token (`.npmrc`, `.pypirc`, `.netrc`,
 * `.git-credentials`, kubeconfig, Docker's `config.json`, Google's
 * `credentials.json`).
 */
import { fakeKey, join, ALNUM, BASE64 } from '../../kit/samples.js';
import { tp, type ProviderRule } from './rule.js';
import { decodeBase64 } from './structure.js';
import { isPlaceholder, isReference } from './values.js';

/** `.env`, `.env.production`, `prod.env`; not the documented templates next to them. */
const ENV_FILE = /(?:^|\/)(?:\.env(?:\.[\w.-]+)?|[\w.-]+\.env)$/i;
const ENV_TEMPLATE =
  /(?:example|sample|template|dist|defaults?|schema|tpl|skeleton|stub)(?:\.|$)|\.(?:example|sample|template|dist|tpl)\b/i;

/** Formats where `key: value` needs no quotes; in code a bare word is a reference. */
const BARE_VALUES =
  /\.(?:ya?ml|ini|properties|toml|conf|cfg|cnf|npmrc|pypirc|netrc|sh|bash|zsh|envrc|tfvars|prefs)$|(?:^|\/)(?:\.npmrc|\.pypirc|[._]netrc|\.envrc|Dockerfile[^/]*|\.git-credentials|credentials|config)$/i;

/** Tests, fixtures and mocks: made-up passwords live there on purpose. */
const TEST_PATH =
  /(?:^|\/)(?:__tests__|__mocks__|__fixtures__|tests?|specs?|fixtures?|mocks?|testdata|test-data|e2e|cypress|playwright|stories)\/|\.(?:test|spec|e2e|stories|fixture)\.[cm]?[jt]sx?$|_test\.(?:go|py|rb)$|(?:^|\/)test_[^/]*\.py$|Tests?\.(?:java|kt|cs)$/i;

/** A development-only entry point or configuration (`server-dev.ts`, `dev-server.js`, `config.development.ts`). */
const DEV_ONLY = /(?:^|\/)(?:[\w-]+[.-]dev(?:elopment)?|dev[.-][\w-]+)\.[cm]?[jt]sx?$/i;

/** Language codes a catalogue is named for (`de.json`, `pt-BR.yml`); not any short name (`app.yaml`, `db.yml`). */
const LANGUAGE =
  'af|ar|az|be|bg|bn|bs|ca|cs|cy|da|de|el|en|eo|es|et|eu|fa|fi|fil|fr|ga|gl|gu|he|hi|hr|hu|hy|it|ja|ka|kk|km|kn|ko|lt|lv|mk|ml|mn|mr|ms|nb|ne|nl|nn|pa|pl|pt|ro|ru|si|sk|sl|sq|sr|sv|sw|ta|te|th|tl|tr|uk|ur|uz|vi|zh';
/** Translation catalogues: keys are labels ("password", "token"), values are words in some language. */
const LOCALE_FILE = new RegExp(
  `(?:^|/)(?:locales?|i18n|l10n|translations?|lang|langs)/|(?:^|/)(?:${LANGUAGE})(?:[-_][A-Za-z]{2,4})?\\.(?:json|ya?ml|po|properties)$|\\.(?:po|xliff|xlf)$`,
);

export interface FileKind {
  /** Unquoted values count (configuration formats). */
  bare: boolean;
  /** A `.env` file that is not a template. */
  env: boolean;
  test: boolean;
  /** Development-only: a literal credential there configures a local instance, so the generic rule only warns. */
  dev: boolean;
  /** A translation catalogue: the generic name rule does not run there (provider formats still do). */
  locale: boolean;
  /** The rule the generic detector reports in this file. */
  genericRule: string;
  /** A file that is a credential by its name (keystores, SSH keys, Terraform state). */
  /** A rule the file's name alone breaks, and which of its messages (NAME_RULES; default `named`) says it, with the file name. */
  byName?: { rule: string; messageId?: string; file: string };
}

export function classify(path: string): FileKind {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const env = ENV_FILE.test(path) && !ENV_TEMPLATE.test(base);
  const kind: FileKind = {
    bare: env || ENV_FILE.test(path) || BARE_VALUES.test(path),
    env,
    test: TEST_PATH.test(path),
    dev: DEV_ONLY.test(path),
    locale: LOCALE_FILE.test(path),
    genericRule: env
      ? 'env-file'
      : CREDENTIALS_JSON.test(path)
        ? 'credentials-file'
        : /(?:^|\/)\.pypirc$/.test(path)
          ? 'pypirc-password'
          : 'hardcoded-credential',
  };
  const byName = nameRule(base);
  if (byName) kind.byName = byName;
  return kind;
}

const CREDENTIALS_JSON =
  /(?:^|\/)(?:credentials|client_secrets?[\w.-]*|service[-_]?account[\w.-]*|application_default_credentials)\.json$/i;

function nameRule(base: string): FileKind['byName'] {
  if (/\.(?:p12|pfx)$/i.test(base)) return { rule: 'pkcs12-file', file: base };
  if (/\.(?:jks|keystore|bks)$/i.test(base) && !/^debug\.keystore$/i.test(base))
    return { rule: 'keystore-file', file: base };
  if (/^id_(?:rsa|dsa|ecdsa|ed25519)(?:[_-][\w-]*)?$/.test(base) || /\.ppk$/i.test(base))
    return { rule: 'private-key-file', messageId: 'ssh', file: base };
  if (/\.tfstate(?:\.backup)?$/i.test(base)) return { rule: 'terraform-state', file: base };
  return undefined;
}

/** Binary files that are key material by their extension (a DER-encoded `.key`), for files that cannot be read as text. */
export function binaryNameRule(path: string): FileKind['byName'] {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const byName = nameRule(base);
  if (byName) return byName;
  if (/\.(?:key|der|pk8)$/i.test(base)) return { rule: 'private-key-file', messageId: 'binary', file: base };
  return undefined;
}

const KUBECONFIG_PATH = /(?:^|\/)(?:kubeconfig[\w.-]*|[\w.-]+\.kubeconfig|\.kube\/config)$/i;
const realValue = (s: string): boolean => !isReference(s) && !isPlaceholder(s) && !/^[$%{<]/.test(s);

/** Credential entries in tools' configuration files; checked like provider rules. */
export const FILE_RULES: ProviderRule[] = [
  {
    id: 'pypirc-password',
    description: 'package index password in `.pypirc`',
    rotate: 'the package index (pypi.org Account settings: change the password, or remove the API token)',
    keywords: ['password'],
    paths: /(?:^|\/)\.pypirc$/,
    regex: /^\s{0,8}password\s{0,4}[=:]\s{0,4}(\S{4,512})/,
    validate: realValue,
    message: 'A package index password is written in `.pypirc`.',
    samples: () => ({
      tp: [tp(fakeKey('', 16, ALNUM, 201), (s) => `[pypi]\nusername = acme\npassword = ${s}`, '.pypirc')],
      fp: [{ code: '[pypi]\nusername = __token__\npassword = ${PYPI_TOKEN}', file: '.pypirc' }],
    }),
  },
  {
    id: 'netrc-password',
    description: 'password in `.netrc`',
    rotate: 'the host named on that line (change the password or revoke the token)',
    keywords: ['password'],
    paths: /(?:^|\/)[._]netrc$/,
    regex: /\bpassword\s{1,8}(\S{4,512})/,
    validate: realValue,
    message: 'A `.netrc` file holds a password.',
    samples: () => ({
      tp: [tp(fakeKey('', 20, ALNUM, 202), (s) => `machine api.acme.com login deploy password ${s}`, '.netrc')],
      fp: [{ code: 'machine api.acme.com login deploy password $API_PASSWORD', file: '.netrc' }],
    }),
  },
  {
    id: 'git-credentials',
    description: 'credential in `.git-credentials`',
    rotate: 'the Git host (revoke the token or change the password)',
    keywords: ['://'],
    regex: /:\/\/([^:@/\s]{1,128}):([^@/\s]{4,512})@/,
    secretGroup: 2,
    paths: /(?:^|\/)\.git-credentials$/,
    validate: realValue,
    message: 'A `.git-credentials` file holds a stored password or token.',
    samples: () => ({
      tp: [tp(fakeKey('', 40, ALNUM, 203), (s) => `https://deploy:${s}@git.acme.com`, '.git-credentials')],
      fp: [{ code: 'https://deploy:${GIT_TOKEN}@git.acme.com', file: '.git-credentials' }],
    }),
  },
  {
    id: 'kubeconfig-credential',
    description: 'kubeconfig credential (token, password or client key)',
    rotate: 'the cluster (delete the service account token or rotate the client certificate and key)',
    keywords: ['client-key-data', 'token', 'password', 'client-secret'],
    regex:
      /^\s{0,16}-?\s{0,4}(?:client-key-data|token|id-token|refresh-token|access-token|password|client-secret)\s{0,4}:\s{0,4}["']?([^\s"'#]{8,20000})/,
    marker: { all: [/^kind:\s*Config\s*$/m, /^users:/m], orPath: KUBECONFIG_PATH },
    validate: realValue,
    message: 'A kubeconfig holds a cluster credential (token, password or client key).',
    samples: () => ({
      tp: [
        tp(
          fakeKey('LS0tLS1CRUdJTi', 200, BASE64, 204),
          (s) => `users:\n- name: admin\n  user:\n    client-key-data: ${s}`,
          'deploy/kubeconfig',
        ),
        tp(
          join('eyJ', fakeKey('', 60, ALNUM, 205)),
          (s) => `apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: ${s}`,
          'ci/cluster.yaml',
        ),
      ],
      fp: [
        { code: 'users:\n- name: admin\n  user:\n    token: ${K8S_TOKEN}', file: 'deploy/kubeconfig' },
        { code: 'spec:\n  token: some-cluster-join-identifier', file: 'k8s/app.yaml' },
      ],
    }),
  },
  {
    id: 'docker-config-auth',
    description: 'registry credential in a Docker config (`auths`)',
    rotate: 'the registry (change the password or revoke the access token)',
    keywords: ['"auth"'],
    regex: /"auth"\s{0,4}:\s{0,4}"([A-Za-z0-9+/]{8,4096}={0,2})"/,
    validate: (s) => {
      const decoded = decodeBase64(s);
      if (!decoded || !decoded.includes(':')) return false;
      const password = decoded.slice(decoded.indexOf(':') + 1);
      return password.length >= 4 && realValue(password);
    },
    message: 'A Docker registry credential (`auths` entry) is in the file.',
    samples: () => ({
      tp: [
        tp(
          Buffer.from(`ci-bot:${fakeKey('', 24, ALNUM, 206)}`).toString('base64'),
          (s) => `{\n  "auths": {\n    "registry.acme.com": { "auth": "${s}" }\n  }\n}`,
          '.docker/config.json',
        ),
      ],
      fp: [
        {
          code: `{ "auths": { "registry.acme.com": { "auth": "${Buffer.from('user:${REGISTRY_PASSWORD}').toString('base64')}" } } }`,
          file: '.docker/config.json',
        },
        '{ "auth": "basic" }',
      ],
    }),
  },
];

/** Rules reported on a whole file (by its name), with their samples, for the rules table and its test. */
export const NAME_RULES: Array<{
  id: string;
  description: string;
  messages: Record<string, string>;
  fix: string;
  samples: () => { tp: Array<{ file: string; code: string | Buffer }>; fp: Array<{ file: string; code: string }> };
}> = [
  {
    id: 'pkcs12-file',
    description: 'PKCS#12 keystore (`.p12`, `.pfx`)',
    messages: { named: 'A PKCS#12 keystore ({file}: a certificate with its private key) is among the files checked.' },
    fix: 'Remove the file from the repository (and its history), add the pattern to .gitignore, revoke the certificate it holds, and load keystores from a secret store at deploy time.',
    samples: () => ({
      tp: [
        {
          file: 'certs/client.p12',
          code: Buffer.from([0x30, 0x82, 0x0a, 0x00, 0x02, 0x01, 0x03, 0x30, 0x82, 0x09, 0x00, 0x00]),
        },
        { file: 'certs/server.pfx', code: fakeKey('MIIK', 200, BASE64, 207) },
      ],
      fp: [{ file: 'docs/p12.md', code: 'Convert the .p12 file with openssl pkcs12.' }],
    }),
  },
  {
    id: 'keystore-file',
    description: 'Java or Android keystore (`.jks`, `.keystore`)',
    messages: { named: 'A Java/Android keystore ({file}) is among the files checked.' },
    fix: 'Remove the keystore from the repository (and its history), rotate the keys and passwords in it, and inject it at build time from a secret store (Android: a CI secret, not the repository).',
    samples: () => ({
      tp: [
        { file: 'android/app/release.keystore', code: Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x02]) },
      ],
      fp: [{ file: 'android/app/debug.keystore', code: 'debug' }],
    }),
  },
  {
    id: 'private-key-file',
    description: 'SSH or binary private key file (`id_rsa`, `id_ed25519`, `.ppk`, DER `.key`)',
    messages: {
      ssh: 'An SSH private key file ({file}) is among the files checked.',
      binary: 'A binary private key file ({file}) is among the files checked.',
    },
    fix: 'Remove the key file from the repository (and its history), replace the key pair (remove the public key from every authorized_keys and deploy-key list), and keep keys outside the repository.',
    samples: () => ({
      tp: [
        { file: 'deploy/id_ed25519', code: 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU=' },
        { file: 'certs/server.key', code: Buffer.from([0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x00]) },
      ],
      fp: [{ file: 'deploy/id_ed25519.pub', code: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1 deploy@acme' }],
    }),
  },
  {
    id: 'terraform-state',
    description: 'Terraform state file',
    messages: {
      named:
        'Terraform state ({file}) is among the files checked: it holds every resource attribute in plain text, passwords and keys included.',
    },
    fix: 'Remove the state from the repository (and its history), keep state in a remote backend (S3 with encryption, HCP Terraform), add *.tfstate* to .gitignore, and rotate the secrets it held.',
    samples: () => ({
      tp: [
        {
          file: 'infra/terraform.tfstate',
          code: '{\n  "version": 4,\n  "terraform_version": "1.7.0",\n  "resources": []\n}',
        },
      ],
      fp: [{ file: 'infra/main.tf', code: 'terraform {\n  backend "s3" {}\n}' }],
    }),
  },
];
