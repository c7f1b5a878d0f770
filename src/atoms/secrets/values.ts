/**
 * What a credential value looks like, and what it does not: references,
 * templates, placeholders, documentation keys, identifiers and words.
 */
import { entropy } from './structure.js';

/** References and templates: the value is looked up elsewhere. */
const REFERENCE = [
  /^\$\{?[\w.:-]+\}?$|^\$[A-Za-z_{(]/, // ${VAR}, $VAR, $dir/file
  /\$\{|\{\{|\$\(|<%|%\{|#\{/, // ${…} anywhere (even cut off by a quote inside it), {{ var }}, $(cmd), <%= erb %>, %{fmt}, #{ruby}
  /^\{[\w.-]*\}$/, // {placeholder}
  /^%\(?\w+\)?s?%?$/, // %(password)s, %PASSWORD%
  /^<[^>]*>$/, // <your-key>
  /^\[[^\]]*\]$/, // [your key]
  /^(?:process\.env|import\.meta\.env|os\.environ|env|ENV|getenv|System\.getenv|config|settings|secrets|vault)\b/, // code references
];

/** Words that say the value is not real. */
const PLACEHOLDER_WORDS =
  /change[_-]?me|change[_-]?it|example|sample|dummy|placeholder|your[_-]|my[_-]?(?:secret|password|passwd|token|key|api)|redacted|fake|mock|stub|todo|fixme|replace|insert[_-]|enter[_-]|paste[_-]|[_-]here\b|here$|not[\s_-]?(?:(?:a|my|the)[\s_-]?)?(?:real|secret|set|valid|used)|undefined|test|^none$|^null$|^nil$|^empty$|^default$|^secret$|^password$|^token$|^(?:xxx|abc|foo|bar|baz|qux|lorem|ipsum)|1234|abcd|qwerty/i;

/** The AWS documentation keys (and the like): real formats, published on purpose; `eyJhbG...2g`: a value elided. */
const DOCUMENTATION =
  /EXAMPLE|X{5}|x{5}|\*{3}|#{4}|\.{3}|…|0{8}|1234567|abcdefgh|ABCDEFGH|deadbeef|cafebabe|feedface|badc0de/i;

/** Dev defaults that every tutorial uses; not worth a finding wherever they appear. */
const WEAK_DEFAULTS = new Set([
  'password',
  'passw0rd',
  'pass',
  'pwd',
  'secret',
  'secrets',
  'changeme',
  'changeit',
  'admin',
  'administrator',
  'root',
  'toor',
  'guest',
  'user',
  'test',
  'testing',
  'tester',
  'postgres',
  'postgresql',
  'mysql',
  'mariadb',
  'mongo',
  'mongodb',
  'redis',
  'rabbitmq',
  'sa',
  'dev',
  'development',
  'local',
  'localhost',
  'docker',
  'default',
  'demo',
  'example',
  'qwerty',
  'letmein',
  'welcome',
  'p@ssw0rd',
  'p@ssword',
  'passw0rd!',
  'hunter2',
  'public',
  'private',
  'token',
  'apikey',
  'api_key',
  'key',
  'none',
  'null',
  'empty',
  'foo',
  'bar',
  'foobar',
  'pass123',
  'password1',
  'password123',
  'admin123',
  'root123',
]);

export function isReference(value: string): boolean {
  return REFERENCE.some((p) => p.test(value));
}

/** A value that stands in for a credential rather than being one. */
export function isPlaceholder(value: string, key = ''): boolean {
  if (!value) return true;
  if (isReference(value)) return true;
  if (PLACEHOLDER_WORDS.test(value) || DOCUMENTATION.test(value)) return true;
  if (WEAK_DEFAULTS.has(value.toLowerCase())) return true;
  if (key && value.toLowerCase() === key.toLowerCase()) return true; // password: 'password'
  if (/^(.)\1+$/.test(value) || /^(..?.?)\1{3,}$/.test(value)) return true; // aaaaaaaa, abababab
  if (isSequential(value)) return true; // 12345678, abcdefgh
  if (decodesToText(value)) return true; // base64 of "not my real password"
  return false;
}

/** Base64 that decodes to words (a sentence, `user:password` with a placeholder password), not to key material. */
function decodesToText(value: string): boolean {
  if (value.length < 8 || value.length > 400 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0)
    return false;
  const text = Buffer.from(value, 'base64').toString('latin1');
  if (!/^[\x20-\x7e]+$/.test(text)) return false;
  const pair = /^([^:]{1,64}):(.*)$/.exec(text);
  if (pair) return isPlaceholder(pair[2]!, pair[1]);
  return / /.test(text) || PLACEHOLDER_WORDS.test(text) || WEAK_DEFAULTS.has(text.toLowerCase());
}

/** Keys that providers publish on purpose (client-side, publishable): not secrets wherever they appear. */
const PUBLIC_VALUE =
  /^(?:pk_(?:live|test)_|pk\.eyJ|sb_publishable_|phc_|G-[A-Z0-9]{6,12}$|UA-\d{4,12}-\d{1,4}$|npm_package_)/;

export function isPublicValue(value: string): boolean {
  return PUBLIC_VALUE.test(value);
}

/** Placeholder signs in a provider-formatted value: the format is right, the content is not a key. */
export function isPlaceholderKey(value: string): boolean {
  return (
    DOCUMENTATION.test(value) ||
    /x{6,}|X{6,}|(.)\1{7,}|your|placeholder|redacted|dummy|sample/i.test(value) ||
    isSequential(value)
  );
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

/** Identifiers, words and names: `camelCase`, `snake_case`, `kebab-case`, `dotted.path`, `SCREAMING_CASE`, `Title Case`. */
const IDENTIFIER = [
  /^[a-z]+(?:[A-Z][a-z]+)*\d{0,2}$/, // camelCase (a trailing 1 or 2 digits: page2, md5)
  /^[A-Z][a-z]+(?:[A-Z][a-z]+)*\d{0,2}$/, // PascalCase
  /^[A-Za-z]+(?:[_./:-][A-Za-z]+)+\d{0,2}$/, // snake_case, kebab-case, dotted.path, mime/type, ns:name
  /^[a-z]+(?:[_./:-](?:[a-z]+|\d{1,4}))+$/, // scram-sha-256, aes-256-gcm, utf-8
  /^[A-Z_]+$/, // SCREAMING_CASE constants
  /^[a-z]+$/, // one word
];

/** The number of character classes (lower, upper, digit, other) in a value. */
export function characterClasses(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/**
 * A literal that is plausibly a password, key or token: long enough, no
 * spaces, not a URL, path, number, identifier or expression, and with the
 * character mix and entropy of something chosen to be hard to guess.
 */
export function looksLikeSecretValue(value: string): boolean {
  const length = value.length;
  if (length < 8 || length > 1000) return false;
  if (/\s/.test(value)) return false; // sentences, labels, commands
  if (value.includes('://') || /^(?:[./~]|[A-Za-z]:\\)/.test(value)) return false; // URLs (their credentials have a rule) and paths
  if (/^[\d.,:_-]+$/.test(value)) return false; // numbers, dates, times, versions
  if (/^#?[0-9a-f]{3,8}$/i.test(value) && length < 9) return false; // colours
  if (/[A-Za-z_$][\w$]*\(/.test(value) || (/^[\w$]+(?:\.[\w$]+)+$/.test(value) && !/\d/.test(value))) return false; // calls and member chains
  if (/^[\w-]+\.(?:js|ts|json|ya?ml|txt|md|html|css|png|svg|pem|key|crt|env)$/i.test(value)) return false; // file names
  if (IDENTIFIER.some((p) => p.test(value))) return false;
  const classes = characterClasses(value);
  if (classes < 2) return false;
  const bits = entropy(value);
  // Short values need more mixing to stand out from ordinary strings; long random ones always do.
  return length >= 16 ? bits >= 3.2 : bits >= 2.8 && classes >= 3 - (length >= 12 ? 1 : 0);
}
