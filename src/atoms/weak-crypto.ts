import type { CallInfo, CodeModule, Node } from '../ast/module.js';
import { isFunction, propertyName, stringLiteral, unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit } from '../kit/atom.js';
import { codeCheck } from '../kit/code.js';
import { CODE_FILES, TEST_FILES } from '../kit/files.js';
import { functionName, hashChain, landingName, nameOf, numberValue, optionsAt, words } from '../kit/names.js';

/** Ciphers broken or too small for today: name → what to say. */
const WEAK_CIPHERS: Array<[RegExp, string]> = [
  [/^(?:des-ede3?|des3|3des|tripledes)(?:$|-)/i, '3DES (64-bit blocks: Sweet32)'],
  [/^(?:des|desx)(?:$|-)/i, 'DES (56-bit key)'],
  [/^rc4/i, 'RC4 (biased keystream)'],
  [/^rc2/i, 'RC2'],
  [/^(?:bf|blowfish)(?:$|-)/i, 'Blowfish (64-bit blocks)'],
  [/^idea(?:$|-)/i, 'IDEA (64-bit blocks)'],
  [/^cast5?(?:$|-)/i, 'CAST5 (64-bit blocks)'],
];
const ECB = /(?:^|-)ecb$/i;
/** Digests with practical collisions: not for signatures or integrity. */
const BROKEN_DIGEST =
  /^(?:md[245]|sha-?1|rsa-(?:md[45]|sha1)|sha1withrsaencryption|md5withrsaencryption|ripemd|rmd160|ssl3-(?:md5|sha1))$/i;
const DIGEST_MODULES = new Set(['md5', 'blueimp-md5', 'js-md5', 'md5.js', 'sha1', 'js-sha1', 'crypto-js']);
/** Words that say a digest is there to prove something: a signature, a MAC, an integrity check. */
const INTEGRITY_WORDS = new Set([
  'signature',
  'signatures',
  'sig',
  'sign',
  'signed',
  'signing',
  'integrity',
  'checksum',
  'checksums',
  'hmac',
  'mac',
  'tamper',
  'authenticity',
  'verify',
  'verification',
  'verified',
]);
/** Names of keys: a digest over one of them is a home-made MAC. */
const KEY_QUALIFIERS = new Set([
  'api',
  'secret',
  'private',
  'signing',
  'shared',
  'app',
  'master',
  'hmac',
  'encryption',
  'client',
  'webhook',
]);

/** Callee names the atom judges. */
const CALL_NAMES = new Set([
  'createCipher',
  'createDecipher',
  'createCipheriv',
  'createDecipheriv',
  'createHash',
  'createSign',
  'createVerify',
  'sign',
  'verify',
  'generateKeyPair',
  'generateKeyPairSync',
  'createDiffieHellman',
  'generatePrime',
  'generateKey',
  'importKey',
  'encrypt',
  'decrypt',
  'digest',
  'md5',
  'sha1',
  'MD5',
  'SHA1',
  'node-rsa',
  'NodeRSA',
]);
const isCrypto = (call: CallInfo) =>
  call.callee.module === 'crypto' || (!call.callee.module && call.callee.path.length === 1);
const integrityName = (name: string | undefined) => !!name && words(name).some((w) => INTEGRITY_WORDS.has(w));
function secretName(name: string | undefined): boolean {
  if (!name) return false;
  const w = words(name);
  return (
    w.includes('secret') ||
    w.includes('apikey') ||
    w.includes('hmac') ||
    (w.at(-1) === 'key' && w.slice(0, -1).some((x) => KEY_QUALIFIERS.has(x)))
  );
}

function analyse(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    const name = callee.name;
    if (!CALL_NAMES.has(name)) continue;
    const a = call.args;
    if ((name === 'createCipher' || name === 'createDecipher') && isCrypto(call)) {
      hits.push(
        m.hit('deprecated-cipher', call.node, {
          messageId: 'deprecated',
          data: { name },
        }),
      );
    } else if ((name === 'createCipheriv' || name === 'createDecipheriv') && isCrypto(call)) {
      cipher(m, hits, call, a[0] && m.stringValue(a[0]), a[2]);
    } else if (name === 'createHash' && isCrypto(call)) {
      const algorithm = a[0] && m.stringValue(a[0]);
      if (algorithm && BROKEN_DIGEST.test(algorithm)) {
        const { digests, updates } = hashChain(m, call.node);
        judgeDigest(m, hits, call.node, algorithm, digests, updates);
      }
    } else if ((name === 'createSign' || name === 'createVerify') && isCrypto(call)) {
      const algorithm = a[0] && m.stringValue(a[0]);
      if (algorithm && BROKEN_DIGEST.test(algorithm))
        hits.push(
          m.hit('weak-hash', call.node, {
            messageId: 'signature',
            data: { algorithm: algorithm.toUpperCase() },
          }),
        );
    } else if ((name === 'sign' || name === 'verify') && callee.module === 'crypto' && callee.path.length === 1) {
      const algorithm = a[0] && m.stringValue(a[0]);
      if (algorithm && BROKEN_DIGEST.test(algorithm))
        hits.push(
          m.hit('weak-hash', call.node, {
            messageId: 'call',
            data: { name, algorithm: algorithm.toUpperCase() },
          }),
        );
    } else if ((name === 'generateKeyPair' || name === 'generateKeyPairSync') && isCrypto(call)) {
      const type = a[0] && m.stringValue(a[0]);
      const o = optionsAt(m, a[1]);
      const bits = o?.literal && numberValue(m, m.property(o.literal, type === 'dh' ? 'primeLength' : 'modulusLength'));
      if (type && /^(?:rsa|rsa-pss|dsa|dh)$/.test(type) && bits !== undefined && bits < 2048)
        shortKey(m, hits, call, type.toUpperCase(), bits);
    } else if ((name === 'createDiffieHellman' || name === 'generatePrime') && isCrypto(call)) {
      const bits = numberValue(m, a[0]);
      if (bits !== undefined && bits < 2048) shortKey(m, hits, call, 'Diffie-Hellman', bits);
    } else if (callee.path.includes('subtle') || (callee.module === 'crypto' && callee.path[0] === 'webcrypto')) {
      webCrypto(m, hits, call);
    } else if (callee.module === 'node-forge' || callee.path[0] === 'forge') {
      if (name === 'generateKeyPair' && callee.path.includes('rsa')) {
        const first = a[0] && (m.objectLiteral(a[0]) ? m.property(a[0], 'bits') : a[0]);
        const bits = numberValue(m, first);
        if (bits !== undefined && bits < 2048) shortKey(m, hits, call, 'RSA', bits);
      }
    } else if (callee.module === 'node-rsa' && call.isNew) {
      const bits = a[0] && m.objectLiteral(a[0]) ? numberValue(m, m.property(a[0], 'b')) : undefined;
      if (bits !== undefined && bits < 2048) shortKey(m, hits, call, 'RSA', bits);
    } else if (callee.module === 'crypto-js' || /^(?:CryptoJS|cryptoJs|CryptoJs)$/.test(callee.path[0] ?? '')) {
      cryptoJs(m, hits, call);
    } else if (
      /^(?:md5|sha1)$/i.test(name) &&
      !call.isNew &&
      (callee.module ? DIGEST_MODULES.has(callee.module) : callee.path.length === 1)
    ) {
      judgeDigest(m, hits, call.node, name, [call.node], a.slice(0, 1));
    }
  }
  return hits;
}

function cipher(m: CodeModule, hits: Hit[], call: CallInfo, algorithm: string | undefined, iv: Node | undefined) {
  if (algorithm) {
    const weak = WEAK_CIPHERS.find(([re]) => re.test(algorithm));
    if (weak) {
      hits.push(m.hit('weak-cipher', call.node, { messageId: 'weak', data: { algorithm, weakness: weak[1] } }));
      return;
    }
    if (ECB.test(algorithm)) {
      hits.push(
        m.hit('ecb-mode', call.node, {
          messageId: 'ecb',
          data: { algorithm },
        }),
      );
      return;
    }
  }
  if (iv && isStatic(m, iv) && !keyDerivedPerCall(m, call)) {
    const stream = algorithm && /gcm|ctr|ccm|ocb|chacha|ofb|cfb/i.test(algorithm);
    const hit = m.hit('static-iv', call.node, {
      ...(stream
        ? { messageId: 'streamMode', data: { call: call.callee.name, algorithm } }
        : { messageId: 'fixed', data: { call: call.callee.name } }),
    });
    // CBC under a fixed IV leaks which plaintexts are equal (deterministic encryption, sometimes chosen on
    // purpose, as unleash's anonymiser): a warning. CTR/GCM repeat the key stream: that blocks.
    if (algorithm && /-cbc$/i.test(algorithm)) hit.severity = 'warning';
    hits.push(hit);
  }
}

/**
 * The key is derived in the same function by a KDF whose salt varies (Firebase's scrypt hash: AES-CTR under a
 * fresh scrypt key of password and per-user salt): a fixed IV then never meets the same key twice.
 */
function keyDerivedPerCall(m: CodeModule, call: CallInfo): boolean {
  const key = call.args[1] && unwrap(call.args[1]);
  const fn = m.enclosingFunction(call.node);
  const b = key?.type === 'Identifier' ? m.binding(key) : undefined;
  if (!fn || !b || b.kind === 'param' || b.kind === 'import' || b.id.start < fn.start || b.id.end > fn.end)
    return false;
  return m.calls().some((c) => {
    if (c.node.start < fn.start || c.node.end > fn.end) return false;
    const kdf = /^(scrypt|pbkdf2|hkdf)(?:Sync)?$/.exec(c.callee.name)?.[1];
    const salt = kdf ? c.args[kdf === 'hkdf' ? 2 : 1] : undefined;
    return salt !== undefined && !isStatic(m, salt);
  });
}

function shortKey(m: CodeModule, hits: Hit[], call: CallInfo, kind: string, bits: number) {
  hits.push(
    m.hit('short-key', call.node, {
      messageId: bits < 1024 ? 'factored' : 'belowMinimum',
      data: { bits, kind },
    }),
  );
}

function webCrypto(m: CodeModule, hits: Hit[], call: CallInfo) {
  const name = call.callee.name;
  const params = call.args[0] && m.objectLiteral(call.args[0]);
  if (!params) {
    if (name === 'digest') {
      const algorithm = call.args[0] && m.stringValue(call.args[0]);
      if (algorithm && BROKEN_DIGEST.test(algorithm))
        judgeDigest(m, hits, call.node, algorithm, [call.node], call.args.slice(1, 2));
    }
    return;
  }
  const algorithm = m.stringValue(m.property(params, 'name') ?? params) ?? '';
  if ((name === 'generateKey' || name === 'importKey') && /^rsa/i.test(algorithm)) {
    const bits = numberValue(m, m.property(params, 'modulusLength'));
    if (bits !== undefined && bits < 2048) shortKey(m, hits, call, algorithm, bits);
  } else if ((name === 'encrypt' || name === 'decrypt') && /^aes-/i.test(algorithm)) {
    const iv = m.property(params, 'iv') ?? m.property(params, 'counter');
    if (iv && isStatic(m, iv))
      hits.push(
        m.hit('static-iv', call.node, {
          messageId: 'subtle',
          data: { name, algorithm },
        }),
      );
  }
}

function cryptoJs(m: CodeModule, hits: Hit[], call: CallInfo) {
  const path = call.callee.path;
  const name = call.callee.name;
  if (name === 'encrypt' || name === 'decrypt') {
    const cipherName = path.at(-2) ?? '';
    if (/^(?:DES|TripleDES|RC4|RC4Drop)$/.test(cipherName)) {
      hits.push(
        m.hit('weak-cipher', call.node, {
          messageId: 'cryptoJs',
          data: {
            name: cipherName,
            weakness:
              cipherName === 'DES'
                ? 'DES (56-bit key)'
                : cipherName === 'TripleDES'
                  ? '3DES (64-bit blocks: Sweet32)'
                  : 'RC4 (biased keystream)',
          },
        }),
      );
      return;
    }
    const options = call.args[2] && m.objectLiteral(call.args[2]);
    const mode = options && m.property(options, 'mode');
    if (mode && /\.ECB$/.test(m.source(mode)))
      hits.push(
        m.hit('ecb-mode', call.node, {
          messageId: 'cryptoJs',
        }),
      );
    else if (options && m.property(options, 'iv') && isStatic(m, m.property(options, 'iv')!))
      hits.push(
        m.hit('static-iv', call.node, {
          messageId: 'cryptoJs',
        }),
      );
  } else if (/^(?:MD5|SHA1)$/.test(name)) {
    judgeDigest(m, hits, call.node, name, [call.node], call.args.slice(0, 1));
  }
}

/** An IV that is the same on every call: a literal, zeros, an environment value, or a constant buffer. */
function isStatic(m: CodeModule, expr: Node, depth = 0): boolean {
  if (depth > 5) return false;
  const n = unwrap(expr);
  if (stringLiteral(n) !== undefined) return true;
  switch (n.type) {
    case 'ArrayExpression':
      return n.elements.every((e: Node | null) => e && numberValue(m, e) !== undefined);
    case 'Identifier': {
      const b = m.binding(n);
      if (!b || b.kind === 'param' || b.kind === 'import' || b.kind === 'catch' || !b.defs.length) return false;
      return b.defs.every(
        (d) =>
          d.value !== null &&
          d.path.length === 0 &&
          (d.kind === 'init' || d.kind === 'assign') &&
          isStatic(m, d.value, depth + 1),
      );
    }
    case 'MemberExpression': {
      const path = m.callee(n).path;
      if (path[0] === 'process' && path[1] === 'env') return true;
      const name = propertyName(n);
      const value = name !== null && m.objectLiteral(n.object) ? m.property(n.object, name) : undefined;
      return !!value && isStatic(m, value, depth + 1);
    }
    case 'NewExpression':
    case 'CallExpression': {
      const c = m.callee(n.callee);
      const dotted = c.path.join('.');
      const first = n.arguments[0];
      // Buffer.alloc(16), new Uint8Array(12): zeros.
      if (dotted === 'Buffer.alloc' || (n.type === 'NewExpression' && /^(?:Uint8Array|Buffer)$/.test(c.name))) {
        return (
          !!first &&
          (numberValue(m, first) !== undefined || isStatic(m, first, depth + 1)) &&
          (n.arguments.length < 2 ||
            numberValue(m, n.arguments[1]) !== undefined ||
            stringLiteral(n.arguments[1]) !== undefined)
        );
      }
      if (
        /^(?:Buffer\.from|Uint8Array\.from|Buffer\.alloc)$/.test(dotted) ||
        c.name === 'encode' ||
        c.name === 'parse' ||
        c.name === 'fill'
      ) {
        if (c.name === 'fill')
          return unwrap(n.callee).type === 'MemberExpression' && isStatic(m, unwrap(n.callee).object, depth + 1);
        return !!first && isStatic(m, first, depth + 1);
      }
      if ((c.name === 'slice' || c.name === 'subarray') && unwrap(n.callee).type === 'MemberExpression')
        return isStatic(m, unwrap(n.callee).object, depth + 1);
      return false;
    }
    default:
      return false;
  }
}

/**
 * A broken digest is a finding when it proves something: its value is named
 * or compared as a signature/checksum/HMAC, returned by a signing function,
 * or it hashes a secret key (a home-made MAC). ETags, cache keys and
 * content-addressed names are not.
 */
function judgeDigest(m: CodeModule, hits: Hit[], at: Node, algorithm: string, results: Node[], updates: Node[]) {
  const keyed = updates.map((u) => secretIn(m, u)).find(Boolean);
  if (keyed) {
    hits.push(
      m.hit('weak-hash', at, {
        messageId: 'homeMadeMac',
        data: { algorithm: algorithm.toUpperCase(), key: keyed },
      }),
    );
    return;
  }
  for (const r of results) {
    const why = integrityUse(m, r);
    if (why) {
      hits.push(
        m.hit('weak-hash', at, {
          messageId: 'integrity',
          data: { algorithm: algorithm.toUpperCase(), use: why },
          flow: [m.line(r)],
        }),
      );
      return;
    }
  }
}

function integrityUse(m: CodeModule, result: Node, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  let n = result;
  // Through .toString('hex'), .toUpperCase(), await.
  for (let i = 0; i < 4; i++) {
    const p = m.parent(n);
    if (p?.type === 'AwaitExpression' || p?.type === 'ParenthesizedExpression' || p?.type === 'TSAsExpression') n = p;
    else if (
      p?.type === 'MemberExpression' &&
      p.object === n &&
      /^(?:toString|toUpperCase|toLowerCase|trim)$/.test(propertyName(p) ?? '') &&
      m.parent(p)?.type === 'CallExpression'
    )
      n = m.parent(p)!;
    else break;
  }
  const landing = landingName(m, n);
  if (landing && integrityName(landing.name)) return `makes \`${landing.name}\``;
  const p = m.parent(n);
  if (!p) return undefined;
  if (p.type === 'BinaryExpression' && /^[!=]==?$/.test(p.operator)) {
    const other = p.left === n ? p.right : p.left;
    if (integrityName(nameOf(other))) return `is compared with \`${nameOf(other)}\``;
  }
  if (p.type === 'ReturnStatement' || (isFunction(p) && p.body === n)) {
    let fn: Node | undefined = p.type === 'ReturnStatement' ? m.enclosingFunction(p) : p;
    const fname = fn && functionName(m, fn);
    if (integrityName(fname)) return `is returned by ${fname}()`;
    fn = undefined;
  }
  if (p.type === 'CallExpression' && p.arguments.includes(n)) {
    const label = stringLiteral(p.arguments[0]);
    if (p.arguments[0] !== n && integrityName(label)) return `is sent as ${label}`;
  }
  // const hash = md5(body); … if (hash !== req.headers['x-signature'])
  if (landing?.node.type === 'Identifier' && depth === 0) {
    const b = m.binding(landing.node);
    for (const use of b ? m.uses(b) : []) {
      if (use === landing.node) continue;
      const why = integrityUse(m, use, depth + 1);
      if (why) return why;
    }
  }
  return undefined;
}

/** The first secret-named value inside an expression fed to a hash: `SECRET + body`, `${apiKey}:${ts}`. */
function secretIn(m: CodeModule, expr: Node, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  const n = unwrap(expr);
  if (n.type === 'Identifier' || n.type === 'MemberExpression') {
    const name = nameOf(n);
    if (secretName(name)) return m.source(n).slice(0, 40);
    if (n.type === 'Identifier') {
      const b = m.binding(n);
      const def = b && b.kind === 'const' && b.defs.length === 1 ? b.defs[0] : undefined;
      return def?.value && def.path.length === 0 ? secretIn(m, def.value, depth + 1) : undefined;
    }
    return undefined;
  }
  if (n.type === 'TemplateLiteral') return n.expressions.map((e: Node) => secretIn(m, e, depth + 1)).find(Boolean);
  if (n.type === 'BinaryExpression' && n.operator === '+')
    return secretIn(m, n.left, depth + 1) ?? secretIn(m, n.right, depth + 1);
  if (n.type === 'ArrayExpression')
    return n.elements.map((e: Node | null) => (e ? secretIn(m, e, depth + 1) : undefined)).find(Boolean);
  if (
    n.type === 'CallExpression' &&
    unwrap(n.callee).type === 'MemberExpression' &&
    propertyName(unwrap(n.callee)) === 'join'
  )
    return secretIn(m, unwrap(n.callee).object, depth + 1);
  return undefined;
}

export default defineAtom({
  id: 'weak-crypto',
  title: 'Encryption and signatures use current algorithms',
  criteria: {
    pass: 'Data is encrypted with createCipheriv and an authenticated mode (aes-256-gcm, chacha20-poly1305) under a fresh random IV per message (crypto.randomBytes(12)); RSA keys have ≥ 2048 bits; signatures, MACs and integrity checks use SHA-256 or better (createHmac("sha256", key)). MD5/SHA-1 only for ETags, cache keys and other non-security fingerprints.',
    fail: 'crypto.createCipher/createDecipher is used, a cipher runs in ECB mode or is DES/3DES/RC4/RC2/Blowfish, the IV is a constant, zeros or a value from configuration (in CBC, where it only leaks equal plaintexts, a warning), an RSA/DSA/DH key has fewer than 2048 bits, or MD5/SHA-1 makes a signature, checksum or MAC.',
  },
  files: [...CODE_FILES, ...TEST_FILES],
  keywords: [
    'createcipher',
    'createdecipher',
    'createhash',
    'createsign',
    'createverify',
    'crypto.sign',
    'crypto.verify',
    'generatekey',
    'moduluslength',
    'creatediffiehellman',
    'crypto-js',
    'cryptojs',
    'node-rsa',
    'node-forge',
    'md5',
    'sha1',
    'subtle',
  ],
  defaultLevel: 'block',
  rules: {
    'deprecated-cipher': {
      message: 'crypto.createCipher/createDecipher derive the key from a password with one MD5 and use no IV.',
      messages: {
        deprecated:
          'crypto.{name}() derives the key with one MD5 and uses no IV; it is deprecated and removed in Node 22.',
        reduced: 'Found on the line (reduced check: the file could not be parsed or analysed in full).',
      },
      fix: "Use createCipheriv('aes-256-gcm', key, iv) with a 32-byte key (from crypto.scrypt or a key store) and iv = crypto.randomBytes(12) stored beside the ciphertext with the auth tag.",
    },
    'ecb-mode': {
      message: 'A cipher runs in ECB mode.',
      messages: {
        ecb: '{algorithm} encrypts equal blocks to equal ciphertext, so patterns in the data show through.',
        cryptoJs: 'CryptoJS runs in ECB mode: equal blocks encrypt to equal ciphertext.',
        reduced: 'Found on the line (reduced check: the file could not be parsed or analysed in full).',
      },
      fix: "Use an authenticated mode: createCipheriv('aes-256-gcm', key, crypto.randomBytes(12)), and keep the IV and cipher.getAuthTag() with the ciphertext.",
    },
    'weak-cipher': {
      message: 'A broken or 64-bit-block cipher is used.',
      messages: {
        weak: '{algorithm} is {weakness}: it no longer protects data.',
        cryptoJs: 'CryptoJS.{name} is {weakness}: it no longer protects data.',
        reduced: 'Found on the line (reduced check: the file could not be parsed or analysed in full).',
      },
      fix: "Use AES-256-GCM (createCipheriv('aes-256-gcm', key, iv)) or chacha20-poly1305; re-encrypt data stored under the old cipher.",
    },
    'static-iv': {
      message: 'The IV is the same for every message.',
      messages: {
        streamMode:
          '{call}() uses a fixed IV with {algorithm}, where a repeated IV reveals the key stream and lets anyone forge messages.',
        fixed: '{call}() uses a fixed IV: equal plaintexts encrypt alike and, in CTR/GCM, the key stream repeats.',
        subtle: 'subtle.{name}() with {algorithm} uses a fixed IV: the key stream repeats and messages can be forged.',
        cryptoJs: 'CryptoJS encrypts with a fixed IV: equal plaintexts encrypt alike.',
      },
      fix: 'Generate a fresh IV for each encryption (const iv = crypto.randomBytes(12) for GCM, 16 for CBC) and store it with the ciphertext; never take it from a constant or the environment.',
    },
    'short-key': {
      message: 'An RSA, DSA or Diffie-Hellman key is shorter than 2048 bits.',
      messages: {
        factored: 'A {bits}-bit {kind} key is generated; it can be factored in hours.',
        belowMinimum: 'A {bits}-bit {kind} key is generated; it is below the 2048-bit minimum.',
      },
      fix: "Use modulusLength: 2048 or more (3072 for keys that live past 2030), or switch to elliptic curves: generateKeyPair('ed25519').",
    },
    'weak-hash': {
      message: 'MD5 or SHA-1 protects a signature, MAC or integrity check.',
      messages: {
        signature: 'A signature is made or checked over {algorithm}, which has practical collisions.',
        call: 'crypto.{name}() uses {algorithm}, which has practical collisions.',
        homeMadeMac:
          '{algorithm} over `{key}` makes a home-made MAC: length extension and collisions let messages be forged.',
        integrity: '{algorithm} {use}, but it has practical collisions.',
      },
      fix: "Use createHmac('sha256', key) for MACs and sha256/sha512 for signatures and checksums; compare with crypto.timingSafeEqual.",
    },
  },
  examples: {
    bad: [
      {
        file: 'src/vault.js',
        code: "const crypto = require('crypto');\nconst cipher = crypto.createCipher('aes-256-cbc', process.env.VAULT_PASSWORD); // ✗",
      },
      {
        file: 'src/token.ts',
        code: "import { createCipheriv } from 'node:crypto';\nexport const seal = (key: Buffer, data: Buffer) => createCipheriv('aes-256-ecb', key, null).update(data); // ✗",
      },
      {
        file: 'src/legacy.js',
        code: "const crypto = require('crypto');\nconst c = crypto.createCipheriv('des-ede3-cbc', key, iv); // ✗",
      },
      {
        file: 'src/crypt.ts',
        code: "import crypto from 'node:crypto';\nconst IV = Buffer.alloc(16, 0);\nexport function encrypt(text: string, key: Buffer) {\n  const cipher = crypto.createCipheriv('aes-256-cbc', key, IV); // ✗\n  return Buffer.concat([cipher.update(text), cipher.final()]);\n}",
      },
      {
        file: 'src/gcm.js',
        code: "const { createCipheriv } = require('crypto');\nconst iv = Buffer.from(process.env.ENCRYPTION_IV, 'hex');\nconst cipher = createCipheriv('aes-256-gcm', key, iv); // ✗",
      },
      // A key derived from a fixed salt is the same key every time: the fixed IV repeats with it.
      {
        file: 'src/vault.ts',
        code: "import crypto from 'node:crypto';\nexport function encrypt(text: string) {\n  const key = crypto.scryptSync(process.env.APP_PASSWORD!, 'salt', 32);\n  const iv = Buffer.alloc(16, 0);\n  const cipher = crypto.createCipheriv('aes-256-ctr', key, iv); // ✗\n  return Buffer.concat([cipher.update(text), cipher.final()]).toString('hex');\n}",
      },
      {
        file: 'src/keys.ts',
        code: "import { generateKeyPairSync } from 'node:crypto';\nconst { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 }); // ✗",
      },
      {
        file: 'src/webhook.js',
        code: "const crypto = require('crypto');\nfunction verifyWebhook(body, header) {\n  const signature = crypto.createHash('sha1').update(body).digest('hex'); // ✗\n  return signature === header;\n}",
      },
      {
        file: 'src/sign.js',
        code: "const crypto = require('crypto');\nconst sig = crypto.createHash('md5').update(process.env.API_SECRET + payload).digest('hex'); // ✗",
      },
      {
        file: 'src/sign.ts',
        code: "import crypto from 'node:crypto';\nconst signer = crypto.createSign('RSA-SHA1'); // ✗",
      },
      {
        file: 'src/browser.js',
        code: "const CryptoJS = require('crypto-js');\nconst out = CryptoJS.AES.encrypt(text, key, { mode: CryptoJS.mode.ECB }); // ✗",
      },
    ],
    good: [
      // Firebase's scrypt password hash: AES-CTR under a key scrypt derives from the password and a per-user salt.
      {
        file: 'src/utils/firebase-scrypt.ts',
        code: "import crypto from 'node:crypto';\nexport async function firebaseScrypt(password: string, salt: Buffer, signerKey: Buffer) {\n  const derivedKey = await new Promise<Buffer>((resolve, reject) =>\n    crypto.scrypt(password, salt, 32, { N: 2 ** 14 }, (error, key) => (error ? reject(error) : resolve(key))),\n  );\n  const iv = Buffer.alloc(16, 0);\n  const cipher = crypto.createCipheriv('aes-256-ctr', derivedKey, iv);\n  return Buffer.concat([cipher.update(signerKey), cipher.final()]).toString('base64');\n}",
      },
      {
        file: 'src/crypt.ts',
        code: "import crypto from 'node:crypto';\nexport function encrypt(text: string, key: Buffer) {\n  const iv = crypto.randomBytes(12);\n  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);\n  const data = Buffer.concat([cipher.update(text), cipher.final()]);\n  return { iv, data, tag: cipher.getAuthTag() };\n}",
      },
      {
        file: 'src/etag.js',
        code: "const crypto = require('crypto');\nconst etag = crypto.createHash('md5').update(body).digest('hex');\nif (req.headers['if-none-match'] === etag) return res.status(304).end();\nres.set('ETag', etag);",
      },
      {
        file: 'src/cache.ts',
        code: "import { createHash } from 'node:crypto';\nconst cacheKey = createHash('sha1').update(JSON.stringify(query)).digest('hex');\nconst gravatar = `https://www.gravatar.com/avatar/${createHash('md5').update(email.trim().toLowerCase()).digest('hex')}`;",
      },
      {
        file: 'src/decrypt.js',
        code: "const crypto = require('crypto');\nfunction decrypt({ iv, data, tag }, key) {\n  const d = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));\n  d.setAuthTag(Buffer.from(tag, 'base64'));\n  return Buffer.concat([d.update(data), d.final()]);\n}",
      },
      {
        file: 'src/keys.ts',
        code: "import { generateKeyPairSync } from 'node:crypto';\nconst rsa = generateKeyPairSync('rsa', { modulusLength: 3072 });\nconst ed = generateKeyPairSync('ed25519');",
      },
      {
        file: 'src/webhook.js',
        unrouted: 'createHmac with SHA-256 names no weak algorithm or API the pre-filter looks for',
        code: "const crypto = require('crypto');\nfunction verifyWebhook(body, header) {\n  const signature = crypto.createHmac('sha256', process.env.WEBHOOK_SECRET).update(body).digest('hex');\n  return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(header));\n}",
      },
      {
        file: 'src/dedupe.ts',
        code: "import { createHash } from 'node:crypto';\nconst fingerprint = (file: Buffer) => createHash('sha1').update(file).digest('hex');\nconst contentMd5 = createHash('md5').update(body).digest('base64');\nawait s3.putObject({ Bucket, Key, Body: body, ContentMD5: contentMd5 });",
      },
    ],
  },
  check: codeCheck(analyse, [
    { rule: 'deprecated-cipher', find: /\bcreate(?:De)?[cC]ipher\s*\(/i },
    { rule: 'ecb-mode', find: /['"][\w-]*-ecb['"]/i },
    { rule: 'weak-cipher', find: /['"](?:des(?:3|-[\w-]+)?|rc4(?:-[\w-]+)?|bf-[\w-]+)['"]/i },
  ]),
});
