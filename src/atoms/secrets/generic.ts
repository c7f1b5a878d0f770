/**
 * Detectors that are code rather than one regex: literal values assigned to
 * names that say "secret" (in code, JSON, YAML, TOML, INI, .properties,
 * .env and shell), and private key blocks. Both read the line by hand, so
 * they stay linear on any input.
 */
import { isPlaceholder, isPublicValue, isReference, looksLikeSecretValue } from './values.js';

/** A value found on a line: where it is (0-based, end exclusive) and what names it. */
export interface Assignment {
  key: string;
  value: string;
  start: number;
  end: number;
  /** The value is on the next line (`password =` then the value, as Prettier wraps a long line); start and end are columns of that line. */
  onNextLine?: boolean;
}

/** Words that, ending a key, make it name a secret: `dbPassword`, `API_KEY`, `client_secret`, `x-auth-token`. */
const SECRET_WORD =
  /pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|(?:access|auth|private|encryption|signing|master|session|app|client|secret|license)[_-]?key|credentials?|authorization/gi;
const SECRET_NAME =
  /(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|(?:access|auth|private|encryption|signing|master|session|app|client|secret|license)[_-]?key|credentials?|authorization)$/i;

/**
 * Words that, right before the secret word, say the name is not a secret: pagination cursors, CSRF tokens,
 * device ids, test values. Compared with whole words of the name (`nextPageToken` → next, page, token), never
 * as substrings: `adminPassword` holds "min" and `accountPassword` holds "count", and both are credentials.
 */
const NOT_SECRET_WORDS = new Set(
  'page next prev previous cursor continuation sync resume cancel csrf xsrf verification verify captcha recaptcha push device fcm apns notification reset invite confirm confirmation unsubscribe share sharing state nonce lexer parser eof max min num count total current last first expected mock fake test dummy example sample new old repeat retype'.split(
    ' ',
  ),
);
/** The secret words a not-secret word may stand before. */
const SECRET_TAIL = /(?:token|key|secret|password|passwd|pwd)$/;

/** The words of a name: camelCase, PascalCase, snake_case, SCREAMING_CASE, kebab-case and dotted parts, lower-cased. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2') // adminPassword → admin Password
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2') // APIKey → API Key
    .split(/[^A-Za-z\d]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** A name that ends like a secret but is not one: `nextPageToken`, `csrf_token`, `PUBLIC_API_KEY`, `maxtokens`. */
export function isNotSecretName(name: string): boolean {
  const words = nameWords(name);
  if (words.some((w) => w === 'public' || w === 'publishable')) return true;
  const last = words.at(-1) ?? '';
  const tail = SECRET_TAIL.exec(last);
  if (!tail) return false;
  // `page_token` (two words) or `pagetoken` (one lower-case word made of two).
  const before = tail.index > 0 ? last.slice(0, tail.index) : words.at(-2);
  return before !== undefined && NOT_SECRET_WORDS.has(before);
}
/** Flags and switches: `isPassword`, `hasToken`, `USE_SECRET`, `showPassword`. */
const FLAG_NAME =
  /^(?:no|has|is|should|show|hide|toggle|use|enable|disable|with|require|requires|allow|can|must|get|set|on|handle|validate|check)(?:[A-Z]|[_-])|^(?:NO|HAS|IS|SHOULD|SHOW|HIDE|USE|ENABLE|DISABLE|WITH|REQUIRE|ALLOW)_/;

const IDENT = /[\w.$-]/;
/** HTTP header names that carry credentials. */
const HEADER_NAME =
  /^(?:authorization|proxy-authorization|x-[\w-]{0,30}(?:key|token|secret|auth)|[\w-]{1,30}-(?:api-)?(?:key|token))$/i;

/**
 * `key = "value"`, `key: 'value'`, `"key": "value"`, `'key' => 'value'`,
 * `.set('x-api-key', 'value')`, and in configuration files `KEY=value` and
 * `key: value`, for keys that name a secret. `bare` allows unquoted values.
 */
export function findAssignments(line: string, bare: boolean, next = ''): Assignment[] {
  const out: Assignment[] = [];
  SECRET_WORD.lastIndex = 0;
  let last = -1;
  for (let m = SECRET_WORD.exec(line); m; m = SECRET_WORD.exec(line)) {
    // The whole key around the word.
    let start = m.index;
    while (start > 0 && IDENT.test(line[start - 1]!)) start--;
    let end = m.index + m[0].length;
    while (end < line.length && IDENT.test(line[end]!)) end++;
    SECRET_WORD.lastIndex = end;
    if (start <= last) continue;
    last = end;
    const key = line.slice(start, end).replace(/^[-.$]+/, '');
    if (!SECRET_NAME.test(key) || isNotSecretName(key) || FLAG_NAME.test(key)) continue;
    const found = valueAfterKey(line, start, end, bare, next);
    if (found) out.push({ key, ...found });
  }
  return out;
}

function valueAfterKey(
  line: string,
  keyStart: number,
  keyEnd: number,
  bare: boolean,
  nextLine: string,
): { value: string; start: number; end: number; onNextLine?: boolean } | null {
  let i = keyEnd;
  const quote = line[keyStart - 1];
  const quotedKey = (quote === '"' || quote === "'" || quote === '`') && line[i] === quote;
  if (quotedKey) i++;
  if (line[i] === ']') i++; // config['password'] = …
  while (line[i] === ' ' || line[i] === '\t') i++;
  // The separator: = : := => ?= (not == === != <= >=); a comma only after a quoted key (a header name or map key).
  const c = line[i];
  const next = line[i + 1];
  if (c === '=' && next !== '=' && next !== '~') i += next === '>' ? 2 : 1;
  else if (c === ':' && next === '=') i += 2;
  else if (c === ':' && next !== ':') i += 1;
  else if (c === '?' && next === '=') i += 2;
  else if (c === ',' && quotedKey && /\(\s*$/.test(line.slice(Math.max(0, keyStart - 40), keyStart - 1)))
    i += 1; // .set('x-api-key', '…')
  else return null;
  while (line[i] === ' ' || line[i] === '\t') i++;
  if (i === line.length && nextLine) return wrappedValue(nextLine);

  const open = line[i];
  if (open === '"' || open === "'" || open === '`') return quoted(line, i);
  // `token = process.env.TOKEN || 'fallback'`: the fallback is a literal in the code.
  const rest = line.slice(i, i + 200);
  if (/^(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|getenv|ENV\[|env\()/.test(rest)) {
    const fallback = /^[\w.$[\]'"()]{1,120}\s*(?:\|\||\?\?|,)\s*(["'`])/.exec(rest);
    if (fallback) return quoted(line, i + fallback[0].length - 1);
    return null;
  }
  // `?api_key=…&` in a URL, `-H "Authorization: Bearer …"` or `X-Api-Key: …` inside a string: the value is unquoted even in code.
  const before = line[keyStart - 1];
  if ((before === '?' || before === '&') && c === '=') {
    const m = /^[^&#\s'"`<>]{8,512}/.exec(rest);
    return m ? { value: m[0], start: i, end: i + m[0].length } : null;
  }
  if (c === ':' && HEADER_NAME.test(line.slice(keyStart, keyEnd))) {
    const m = /^(?:(?:Bearer|Basic|Token|token|Bot|SSWS|ApiKey|Api-Key)\s+)?[A-Za-z0-9._~+/=-]{8,1024}/.exec(rest);
    if (m && /^["'`\s\\]|^$/.test(rest.slice(m[0].length, m[0].length + 1)))
      return { value: m[0], start: i, end: i + m[0].length };
  }
  if (!bare) return null;
  // A bare value runs to whitespace, a comment, or the end of the line.
  let end = i;
  while (end < line.length && !/[\s#;,'"`]/.test(line[end]!)) end++;
  if (end === i) return null;
  // `KEY=value # comment` is fine; `key: value more words` is a sentence, not a credential.
  const after = line.slice(end).trim();
  if (after && !/^(?:[#;]|\/\/)/.test(after)) return null;
  return { value: line.slice(i, end), start: i, end };
}

/**
 * `const adminPassword =` with the value alone on the next line (Prettier wraps long assignments so): a quoted
 * literal that is the whole line, but for a closing `,` `;` or `)`.
 */
function wrappedValue(next: string): { value: string; start: number; end: number; onNextLine: true } | null {
  let i = 0;
  while (next[i] === ' ' || next[i] === '\t') i++;
  const open = next[i];
  if (open !== '"' && open !== "'" && open !== '`') return null;
  const found = quoted(next, i);
  if (!found || !/^[\s,;)]*(?:\/\/.*|#.*)?$/.test(next.slice(found.end + 1))) return null;
  return { ...found, onNextLine: true };
}

/** A quoted string starting at `open`, with escapes; null when it does not close on this line. */
function quoted(line: string, open: number): { value: string; start: number; end: number } | null {
  const q = line[open]!;
  for (let j = open + 1; j < line.length; j++) {
    const ch = line[j];
    if (ch === '\\') j++;
    else if (ch === q) {
      const value = line.slice(open + 1, j);
      if (q === '`' && value.includes('${')) return null; // a template, not a literal
      return { value, start: open + 1, end: j };
    }
  }
  return null;
}

/** `Bearer xyz`, `Basic xyz`, `token xyz`: the credential after an auth scheme. */
export function credentialOf(value: string): { value: string; offset: number } {
  const m = /^(?:Bearer|Basic|Token|token|Bot|SSWS|Digest|Api-Key|ApiKey)\s+/.exec(value);
  return m ? { value: value.slice(m[0].length), offset: m[0].length } : { value, offset: 0 };
}

/** The assignment holds a literal credential: not a reference, placeholder, word or expression. */
export function isCredentialAssignment(a: Assignment): boolean {
  const { value } = credentialOf(a.value);
  if (isReference(value) || isPlaceholder(value, a.key) || isPublicValue(value)) return false;
  if (/^(?:base64|hex|sha\d+|md5|bcrypt|argon2|scrypt|plain|none|bearer|basic)$/i.test(value)) return false;
  if (/^\$2[aby]\$\d\d\$/.test(value)) return false; // a bcrypt hash is what should be stored
  return looksLikeSecretValue(value);
}

/** PEM, OpenSSH and PGP private key headers, and PuTTY key files. */
const PEM = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----/g;
const PEM_END = /-----END [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----/;

/** How a key block is named in a message, by the first word of its header. */
const KEY_KINDS: Record<string, string> = {
  RSA: 'An RSA private key',
  EC: 'An EC private key',
  DSA: 'A DSA private key',
  OPENSSH: 'An OpenSSH private key',
  ENCRYPTED: 'An encrypted private key',
  PGP: 'A PGP private key block',
  SSH2: 'An SSH2 private key',
};

export interface KeyBlock {
  /** 0-based column of the header. */
  column: number;
  /** "An RSA private key", as a message starts. */
  kind: string;
  /** Span of the key material on the header's own line (a one-line key, as in JSON), 0-based, end exclusive. */
  body?: [number, number];
}

/**
 * Private key blocks that start on `line`. A header alone is documentation or
 * a `startsWith()` check; a key has a body after it, on the same line
 * (escaped newlines, as in JSON) or on the next.
 */
export function findPrivateKeys(line: string, nextLine: string): KeyBlock[] {
  const out: KeyBlock[] = [];
  PEM.lastIndex = 0;
  for (let m = PEM.exec(line); m; m = PEM.exec(line)) {
    const after = m.index + m[0].length;
    const inline = line.slice(after).replace(/^(?:\\r)?\\n/, ''); // JSON and JS strings escape the newline
    const bodyStart = line.length - inline.length;
    const sameLine = /^\s*(?:[A-Za-z0-9+/=]{40}|Proc-Type:|Comment:|Version:)/.test(inline);
    if (!sameLine && !/^\s*["'`]?(?:[A-Za-z0-9+/=]{40,}|Proc-Type:|Comment:|Version:|[A-Za-z0-9-]+:\s)/.test(nextLine))
      continue;
    const block: KeyBlock = { column: m.index, kind: KEY_KINDS[m[1]!.split(' ')[0]!] ?? 'A private key (PKCS #8)' };
    if (sameLine) {
      const endMatch = PEM_END.exec(inline);
      block.body = [bodyStart, endMatch ? bodyStart + endMatch.index : line.length];
    }
    out.push(block);
  }
  if (/^PuTTY-User-Key-File-\d: /.test(line)) out.push({ column: 0, kind: 'A PuTTY private key' });
  return out;
}
