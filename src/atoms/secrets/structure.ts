/**
 * Structure checks that tell a real credential from a look-alike without
 * asking anyone: checksums that providers publish (GitHub, npm), the decoded
 * shape of JWTs and Discord tokens, and Shannon entropy.
 */

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  if (!value) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zlib) of an ASCII string. */
export function crc32(text: string): number {
  const table = (crcTable ??= (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })());
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = table[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A number in base 62 (digits, upper, lower), left-padded with zeros to `width`. */
export function base62(value: number, width: number): string {
  let out = '';
  let n = value;
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

/**
 * The published token format of GitHub (2021) and npm: a 4-character prefix,
 * 30 random base62 characters, then the CRC-32 of those 30 in 6 base62
 * characters. A string that fails it was never issued.
 */
export function hasPrefixedCrc32(token: string, prefixLength = 4): boolean {
  const body = token.slice(prefixLength);
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30);
}

/** Decodes base64 or base64url (padding optional); null when it is not. */
export function decodeBase64(text: string): string | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null;
  try {
    return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  } catch {
    return null;
  }
}

function parseJsonObject(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
}

/** A signed JWT's parts, or null when the text is not one (bad JSON, no algorithm, `none`, no signature). */
export function parseJwt(token: string): Jwt | null {
  const [h, p, signature] = token.split('.');
  if (!h || !p || !signature) return null;
  const header = parseJsonObject(decodeBase64(h));
  const payload = parseJsonObject(decodeBase64(p));
  if (!header || !payload) return null;
  const alg = header['alg'];
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none') return null;
  return { header, payload, signature };
}

/**
 * JWTs that are published on purpose: jwt.io's sample token, Supabase's
 * public `anon` keys and its local-development demo keys.
 */
export function isPublicJwt(jwt: Jwt): boolean {
  const { payload } = jwt;
  if (payload['sub'] === '1234567890' && payload['name'] === 'John Doe') return true;
  if (payload['role'] === 'anon') return true;
  if (payload['iss'] === 'supabase-demo') return true;
  return false;
}

/**
 * A Discord bot token's first part is the bot's numeric id (a snowflake of
 * 17 to 20 digits) in base64; random text almost never decodes to digits.
 */
export function isDiscordBotToken(token: string): boolean {
  const id = decodeBase64(token.slice(0, token.indexOf('.')));
  return id !== null && /^\d{17,20}$/.test(id);
}
