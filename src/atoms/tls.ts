import type { CodeModule, Node } from '../ast/module.js';
import { isFunction, keyName, propertyName, stringLiteral, unwrap } from '../ast/nodes.js';
import { defineAtom, parsesFirst, perFile, type Hit, type SourceFile } from '../kit/atom.js';
import { codeCheck } from '../kit/code.js';
import { CODE_FILES, TEST_FILES } from '../kit/files.js';
import { methodCalls, optionsAt } from '../kit/names.js';

/** Options that switch certificate checks off, and the value that does it. */
const CHECKS_OFF = new Map<string, boolean>([
  ['rejectUnauthorized', false], // node tls/https, pg/mysql ssl, undici, got
  ['strictSSL', false], // request, npm
  ['sslValidate', false], // mongodb < 4
  ['tlsAllowInvalidCertificates', true], // mongodb
  ['tlsAllowInvalidHostnames', true],
  ['tlsInsecure', true],
  ['insecureSkipVerify', true],
  ['SSL_VERIFYPEER', false], // libcurl (node-curl, node-libcurl): 0 or false
  ['SSL_VERIFYHOST', false],
]);
const ENV_NAME = 'NODE_TLS_REJECT_UNAUTHORIZED';
/** TLS 1.0/1.1 and SSL, as Node's minVersion and secureProtocol name them: deprecated (RFC 8996), Node's default minimum is 1.2. */
const OLD_PROTOCOL =
  /^(?:TLSv1|TLSv1\.1|TLSv1_method|TLSv1_1_method|SSLv3_method|SSLv2_method|TLSv1_server_method|TLSv1_client_method)$/;
const CODE = /\.(?:[cm]?[jt]sx?|vue|svelte)$/i;
/** NODE_TLS_REJECT_UNAUTHORIZED=0 in .env, YAML, Dockerfiles, shell scripts and package.json scripts. */
const ENV_LINE = /\bNODE_TLS_REJECT_UNAUTHORIZED\b["']?\s*[:=]\s*["']?0\b/;
const YAML_OFF =
  /\b(?:rejectUnauthorized|strictSSL)\s*:\s*["']?false\b|\btlsAllowInvalid(?:Certificates|Hostnames)\s*:\s*["']?true\b/;
/** Query parameters that carry a credential. */
const CREDENTIAL_PARAM =
  /[?&](?:access_?token|token|api_?key|apikey|key|secret|client_secret|password|passwd|pwd|pass|auth|authorization|sig|signature|session|sessionid|sid|jwt|id_token|refresh_token|code)=(?!&|$)/i;
const SENSITIVE_HEADER =
  /^(?:authorization|proxy-authorization|cookie|x-api-key|api-key|apikey|x-auth-token|x-access-token|x-csrf-token|private-token)$/i;
/** Cheap look before parsing a file routed here only by an `http://`. */
const HTTP_HINT =
  /http:\/\/[^\s'"`]*(?:@|[?&](?:access_?token|token|api_?key|apikey|key|secret|client_secret|password|passwd|pwd|pass|auth|sig|signature|session|sid|jwt|id_token|refresh_token|code)=)|authorization|x-api-key|api-key|x-auth-token|\bauth\s*:|\.auth\s*\(/i;
const STRONG_KEYWORDS =
  /minversion|secureprotocol|rejectunauthorized|node_tls_reject_unauthorized|checkserveridentity|strictssl|sslvalidate|tlsallowinvalid|tlsinsecure|insecureskipverify|ssl_verify(?:peer|host)/i;

const isLiteral = (n: Node | undefined, value: boolean) => {
  if (!n) return false;
  const u = unwrap(n);
  if (u.type !== 'Literal') return false;
  return value
    ? u.value === true || u.value === 1 || u.value === 'true'
    : u.value === false || u.value === 0 || u.value === 'false';
};
const isZero = (n: Node | undefined) =>
  !!n &&
  (unwrap(n).value === 0 || unwrap(n).value === '0' || unwrap(n).value === false) &&
  unwrap(n).type === 'Literal';

function analyse(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const p of m.nodes('Property')) {
    const key = keyName(p);
    if (!key || p.kind !== 'init') continue;
    if (CHECKS_OFF.has(key) && isLiteral(p.value, CHECKS_OFF.get(key)!)) {
      hits.push(
        m.hit('reject-unauthorized', p, {
          messageId: 'setting',
          data: { setting: `${key}: ${m.source(p.value)}` },
        }),
      );
    } else if ((key === 'minVersion' || key === 'secureProtocol') && OLD_PROTOCOL.test(m.stringValue(p.value) ?? '')) {
      // tls/https options, a database driver's ssl options (Sequelize dialectOptions.ssl, pg, mysql2)
      hits.push(m.hit('old-protocol', p, { messageId: 'allows', data: { setting: m.source(p).slice(0, 40) } }));
    } else if (key === ENV_NAME && isZero(p.value)) {
      hits.push(
        m.hit('tls-env-disabled', p, {
          messageId: 'child',
          data: { name: ENV_NAME },
        }),
      );
    } else if (key === 'checkServerIdentity' && returnsNothing(m, p.value)) {
      hits.push(
        m.hit('server-identity', p, {
          messageId: 'neverFails',
        }),
      );
    }
  }
  for (const a of m.nodes('AssignmentExpression')) {
    const left = unwrap(a.left);
    if (left.type !== 'MemberExpression' || a.operator !== '=') continue;
    const name = propertyName(left);
    if (name === ENV_NAME && isZero(a.right))
      hits.push(
        m.hit('tls-env-disabled', a, {
          messageId: 'process',
          data: { setting: `process.env.${ENV_NAME} = ${m.source(a.right)}` },
        }),
      );
    else if (name && CHECKS_OFF.has(name) && isLiteral(a.right, CHECKS_OFF.get(name)!))
      hits.push(
        m.hit('reject-unauthorized', a, {
          messageId: 'setting',
          data: { setting: `${name} = ${m.source(a.right)}` },
        }),
      );
    else if (name === 'checkServerIdentity' && returnsNothing(m, a.right))
      hits.push(
        m.hit('server-identity', a, {
          messageId: 'neverFails',
        }),
      );
  }
  // node-libcurl: curl.setOpt('SSL_VERIFYPEER', false), curl.setOpt(Curl.option.SSL_VERIFYHOST, 0).
  for (const call of m.calls()) {
    if (call.callee.name !== 'setOpt' || call.args.length < 2) continue;
    const [option, value] = call.args as [Node, Node];
    const name =
      m.stringValue(option) ?? (unwrap(option).type === 'MemberExpression' ? propertyName(unwrap(option)) : null);
    if (name && /^SSL_VERIFY(?:PEER|HOST)$/.test(name) && isLiteral(value, false))
      hits.push(
        m.hit('reject-unauthorized', call.node, {
          messageId: 'setting',
          data: { setting: `setOpt(${name}, ${m.source(value)})` },
        }),
      );
  }
  cleartext(m, hits);
  return hits;
}

/** A checkServerIdentity function that cannot fail: no `return <error>` and no `throw`. */
function returnsNothing(m: CodeModule, value: Node): boolean {
  let fn = unwrap(value);
  if (fn.type === 'Identifier') {
    const local = m.localFunction(fn);
    if (!local) return false;
    fn = local;
  }
  if (!isFunction(fn)) return false;
  if (fn.body.type !== 'BlockStatement') return isNothing(fn.body);
  let fails = false;
  const walk = (n: Node) => {
    if (fails || !n || typeof n !== 'object') return;
    if (n.type === 'ThrowStatement' || (n.type === 'ReturnStatement' && n.argument && !isNothing(n.argument))) {
      fails = true;
      return;
    }
    if (isFunction(n)) return;
    for (const k of Object.keys(n)) {
      if (k === 'type' || k === 'start' || k === 'end') continue;
      const v = n[k];
      if (Array.isArray(v)) v.forEach((c) => c && typeof c.type === 'string' && walk(c));
      else if (v && typeof v.type === 'string') walk(v);
    }
  };
  for (const s of fn.body.body) walk(s);
  return !fails;
}

const isNothing = (n: Node) => {
  const u = unwrap(n);
  return (
    (u.type === 'Literal' && u.value === null) ||
    (u.type === 'Identifier' && u.name === 'undefined') ||
    (u.type === 'UnaryExpression' && u.operator === 'void')
  );
};

/** Is the host in an `http://` URL one that never leaves the machine or the private network? */
function localHost(host: string): boolean {
  const h = host.toLowerCase().replace(/:\d+$/, '');
  if (h.startsWith('${') || h === '') return true; // unknown host: configured elsewhere
  if (!h.includes('.') || h.startsWith('[')) return true; // localhost, service names, IPv6 literals
  return /^(?:127\.|0\.0\.0\.0|10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|169\.254\.)|\.(?:local|localhost|internal|test|example|invalid|lan|home\.arpa|svc|cluster\.local)$|^(?:www\.)?example\.(?:com|org|net)$/.test(
    h,
  );
}

/** `http://user:pass@host`, `http://host/x?token=…`, or an `http://` request sent with an Authorization header. */
function cleartext(m: CodeModule, hits: Hit[]) {
  const judged = new Set<Node>();
  const urls: Array<{ node: Node; shape: string }> = [];
  for (const n of [...m.nodes('Literal'), ...m.nodes('TemplateLiteral')]) {
    if (n.type === 'Literal' && typeof n.value !== 'string') continue;
    const parent = m.parent(n);
    if (
      parent?.type === 'TemplateLiteral' ||
      parent?.type === 'TaggedTemplateExpression' ||
      parent?.type === 'ImportDeclaration'
    )
      continue;
    const shape = m.shape(n);
    if (!shape || !/^http:\/\//i.test(shape)) continue;
    urls.push({ node: n, shape });
  }
  for (const { node, shape } of urls) {
    const authority = shape.slice(7).split(/[/?#]/)[0]!;
    const at = authority.lastIndexOf('@');
    const host = at >= 0 ? authority.slice(at + 1) : authority;
    if (localHost(host)) continue;
    const userinfo = at >= 0 ? authority.slice(0, at) : '';
    let why: string | undefined;
    if (userinfo.includes(':') || userinfo.includes('${')) why = 'credentials in the URL';
    else if (CREDENTIAL_PARAM.test(shape.slice(7 + authority.length)))
      why = `a ${CREDENTIAL_PARAM.exec(shape)![0].slice(1, -1)} parameter`;
    else why = sentWithCredentials(m, node);
    if (!why || judged.has(node)) continue;
    judged.add(node);
    hits.push(
      m.hit('cleartext-credentials', node, {
        messageId: 'carries',
        data: { host, what: why },
      }),
    );
  }
}

/** The URL is requested with an Authorization/Cookie/API-key header or basic auth. */
function sentWithCredentials(m: CodeModule, url: Node): string | undefined {
  let n: Node = url;
  // const URL = 'http://…'; fetch(URL, …)
  const decl = m.parent(n);
  const uses: Node[] = [n];
  if (decl?.type === 'VariableDeclarator' && decl.id.type === 'Identifier') {
    const b = m.binding(decl.id);
    if (b) uses.push(...m.uses(b).filter((u) => u !== decl.id));
  }
  for (n of uses) {
    const p = m.parent(n);
    if (p?.type === 'Property') {
      // axios.create({ baseURL: 'http://…', headers: { Authorization } })
      const obj = m.parent(p);
      const why = obj && credentialsIn(m, obj);
      if (why) return why;
    }
    if (p?.type === 'CallExpression' && p.arguments.includes(n)) {
      for (const a of p.arguments) {
        if (a === n) continue;
        const why = credentialsIn(m, a);
        if (why) return why;
      }
      for (const { name, call } of methodCalls(m, p)) {
        if (name === 'auth') return 'basic auth';
        if (name === 'set' && SENSITIVE_HEADER.test(stringLiteral(call.arguments[0]) ?? ''))
          return `an ${stringLiteral(call.arguments[0])} header`;
      }
    }
  }
  return undefined;
}

function credentialsIn(m: CodeModule, options: Node): string | undefined {
  const o = optionsAt(m, options);
  if (!o?.literal) return undefined;
  const auth = m.property(o.literal, 'auth');
  if (auth && !isNothing(auth)) return 'basic auth';
  const headers = m.property(o.literal, 'headers');
  const h = headers && optionsAt(m, headers);
  for (const p of h?.literal?.properties ?? []) {
    const key = p.type === 'Property' ? keyName(p) : null;
    if (key && SENSITIVE_HEADER.test(key)) return `an ${key} header`;
  }
  return undefined;
}

/** .env, YAML, Dockerfiles, shell scripts, package.json: line by line. */
function configLines(file: SourceFile): Hit[] {
  const hits: Hit[] = [];
  const yaml = /\.ya?ml$/i.test(file.path);
  file.lines().forEach((text, i) => {
    if (/^\s*(?:#|\/\/)/.test(text)) return;
    const env = ENV_LINE.exec(text);
    if (env)
      hits.push({
        rule: 'tls-env-disabled',
        line: i + 1,
        column: env.index + 1,
        messageId: 'process',
        data: { setting: `${ENV_NAME}=0` },
      });
    const off = yaml ? YAML_OFF.exec(text) : null;
    if (off)
      hits.push({
        rule: 'reject-unauthorized',
        line: i + 1,
        column: off.index + 1,
        messageId: 'setting',
        data: { setting: off[0].replace(/\s+/g, ' ') },
      });
  });
  return hits;
}

/** A module that may set TLS options or call an http:// URL with credentials: only those are parsed. */
const isTlsModule = perFile(
  (file) => CODE.test(file.path) && (STRONG_KEYWORDS.test(file.text) || HTTP_HINT.test(file.text)),
);
const analyseCode = codeCheck(analyse, (file) => configLines({ ...file, path: `${file.path}.yml` }));

export default defineAtom({
  id: 'tls',
  title: 'TLS connections check certificates',
  criteria: {
    pass: 'TLS clients keep certificate and host-name checks on (a private CA is trusted with the ca option or NODE_EXTRA_CA_CERTS, pinning adds an error-returning checkServerIdentity), and credentials and tokens travel only over https://.',
    fail: 'rejectUnauthorized: false (or strictSSL: false, tlsAllowInvalidCertificates: true, libcurl SSL_VERIFYPEER/SSL_VERIFYHOST: 0), minVersion TLSv1/TLSv1.1 or an SSL/TLS 1.0/1.1 secureProtocol, NODE_TLS_REJECT_UNAUTHORIZED=0 in code, .env, YAML, a Dockerfile or a script, a checkServerIdentity that never returns an error, or an http:// URL that carries credentials, a token or an Authorization header to a public host.',
  },
  files: [
    ...CODE_FILES,
    '**/.env',
    '**/.env.*',
    '**/*.env',
    '**/*.{yml,yaml}',
    '**/Dockerfile',
    '**/Dockerfile.*',
    '**/*.dockerfile',
    '**/*.sh',
    '**/package.json',
    '**/Procfile',
    ...TEST_FILES,
  ],
  keywords: [
    'minversion',
    'secureprotocol',
    'rejectunauthorized',
    'node_tls_reject_unauthorized',
    'checkserveridentity',
    'strictssl',
    'sslvalidate',
    'tlsallowinvalid',
    'tlsinsecure',
    'insecureskipverify',
    'ssl_verifypeer',
    'ssl_verifyhost',
    'http://',
  ],
  defaultLevel: 'block',
  rules: {
    'old-protocol': {
      message: 'TLS 1.0/1.1 or SSL is allowed.',
      messages: {
        allows:
          '{setting} lets the connection fall back to TLS 1.0/1.1 (or SSL), deprecated since 2021 (RFC 8996) and open to downgrade attacks.',
      },
      fix: "Leave the minimum at Node's default (TLSv1.2) or raise it: minVersion: 'TLSv1.2' (or 'TLSv1.3'); drop secureProtocol.",
    },
    'reject-unauthorized': {
      message: 'Certificate verification is switched off.',
      messages: {
        setting: '{setting} accepts any certificate, so anyone on the network path can impersonate the server.',
      },
      fix: "Remove rejectUnauthorized: false; for a private or self-signed CA pass it explicitly (ca: fs.readFileSync('ca.pem')) or set NODE_EXTRA_CA_CERTS; for managed databases use the provider's CA bundle (ssl: { ca }).",
    },
    'tls-env-disabled': {
      message: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks for the whole process.',
      messages: {
        child: "{name}=0 in a child's environment switches off certificate checks for every TLS connection it makes.",
        process: '{setting} switches off certificate checks for every TLS connection of the process.',
      },
      fix: 'Delete the setting; trust the extra CA with NODE_EXTRA_CA_CERTS=/path/ca.pem instead.',
    },
    'server-identity': {
      message: 'checkServerIdentity accepts every host.',
      messages: {
        neverFails: 'checkServerIdentity never returns an error, so a certificate for any host is accepted.',
      },
      fix: 'Remove the override, or call tls.checkServerIdentity(host, cert) first and return its error (then add your pin check and return an Error when it fails).',
    },
    'cleartext-credentials': {
      message: 'Credentials or a token are sent over plain http://.',
      messages: {
        carries: 'An http:// URL to {host} carries {what}: anyone on the network path reads it.',
      },
      fix: 'Use https:// for the endpoint, and send tokens in an Authorization header rather than in the URL.',
    },
  },
  examples: {
    bad: [
      // libcurl bindings: peer and host checks off.
      {
        file: 'src/fetch-report.js',
        code: "const curl = require('node-curl');\ncurl(reportUrl, { SSL_VERIFYPEER: 0 }, (err) => log(err)); // ✗\nconst { Curl } = require('node-libcurl');\nconst c = new Curl();\nc.setOpt(Curl.option.SSL_VERIFYHOST, false); // ✗",
      },
      {
        file: 'config/database.js',
        code: "module.exports = {\n  production: {\n    dialect: 'postgres',\n    dialectOptions: { ssl: { minVersion: 'TLSv1' } }, // ✗\n  },\n};\nhttps.createServer({ key, cert, secureProtocol: 'TLSv1_1_method' }, app); // ✗",
      },
      {
        file: 'src/client.js',
        code: "const https = require('https');\nconst agent = new https.Agent({ rejectUnauthorized: false }); // ✗",
      },
      {
        file: 'src/db.ts',
        code: "import { Pool } from 'pg';\nexport const pool = new Pool({\n  connectionString: process.env.DATABASE_URL,\n  ssl: { rejectUnauthorized: false }, // ✗\n});",
      },
      { file: 'src/index.js', code: "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // ✗\nrequire('./server');" },
      { file: '.env.production', code: 'PORT=8080\nNODE_TLS_REJECT_UNAUTHORIZED=0 # ✗' },
      {
        file: 'docker-compose.yml',
        code: 'services:\n  api:\n    environment:\n      NODE_TLS_REJECT_UNAUTHORIZED: "0" # ✗',
      },
      {
        file: 'src/pin.ts',
        code: "import tls from 'node:tls';\nconst socket = tls.connect(443, host, {\n  checkServerIdentity: () => undefined, // ✗\n});",
      },
      {
        file: 'src/billing.ts',
        code: 'const res = await fetch(`http://billing.acme.io/v1/invoices?api_key=${process.env.BILLING_KEY}`); // ✗',
      },
      {
        file: 'src/api.js',
        code: "const axios = require('axios');\nexport const api = axios.create({\n  baseURL: 'http://api.partner.com/v2', // ✗\n  headers: { Authorization: `Bearer ${token}` },\n});",
      },
    ],
    good: [
      {
        file: 'src/fetch-report.js',
        code: "const { Curl } = require('node-libcurl');\nconst c = new Curl();\nc.setOpt(Curl.option.SSL_VERIFYPEER, true);\nc.setOpt('SSL_VERIFYHOST', 2);\nc.setOpt(Curl.option.CAINFO, '/etc/ssl/private-ca.pem');",
      },
      {
        file: 'config/database.js',
        code: "module.exports = {\n  production: {\n    dialect: 'postgres',\n    dialectOptions: { ssl: { minVersion: 'TLSv1.2', rejectUnauthorized: true } },\n  },\n};\nconst minVersion = config.sdkMinVersion;",
      },
      {
        file: 'src/client.js',
        unrouted: 'an Agent with its own CA holds no keyword of a disabled check: the file is never checked',
        code: "const https = require('https');\nconst fs = require('fs');\nconst agent = new https.Agent({ ca: fs.readFileSync('certs/internal-ca.pem') });",
      },
      {
        file: 'src/db.ts',
        code: "import { Pool } from 'pg';\nexport const pool = new Pool({\n  connectionString: process.env.DATABASE_URL,\n  ssl: { ca: process.env.DATABASE_CA, rejectUnauthorized: true },\n});",
      },
      {
        file: 'src/dev.js',
        code: "const agent = new https.Agent({ rejectUnauthorized: process.env.NODE_ENV === 'production' });\nprocess.env.NODE_TLS_REJECT_UNAUTHORIZED = '1';",
      },
      {
        file: '.env.example',
        code: '# NODE_TLS_REJECT_UNAUTHORIZED=0 is never needed: use NODE_EXTRA_CA_CERTS\nNODE_EXTRA_CA_CERTS=/etc/ssl/internal-ca.pem',
      },
      {
        file: 'src/pin.ts',
        code: "import tls from 'node:tls';\nconst socket = tls.connect(443, host, {\n  checkServerIdentity(host, cert) {\n    const err = tls.checkServerIdentity(host, cert);\n    if (err) return err;\n    if (cert.fingerprint256 !== PIN) return new Error('certificate pin mismatch');\n  },\n});",
      },
      {
        file: 'src/urls.ts',
        code: "const docs = 'http://www.apache.org/licenses/LICENSE-2.0';\nconst local = await fetch(`http://localhost:${port}/health?token=${token}`);\nconst svc = await fetch('http://auth-service:8080/introspect', { headers: { Authorization: auth } });",
      },
      {
        file: 'src/billing.ts',
        code: 'const res = await fetch(`https://billing.acme.io/v1/invoices`, { headers: { Authorization: `Bearer ${process.env.BILLING_KEY}` } });\nconst page = await fetch(`http://status.acme.io/?page=${n}`);',
      },
    ],
  },
  check: parsesFirst((file, ctx) => {
    if (!CODE.test(file.path)) return configLines(file);
    return isTlsModule(file) ? analyseCode(file, ctx) : [];
  }, isTlsModule),
});
