/**
 * Sample credentials for examples and tests, generated at run time from a
 * seed so that no real-looking key is ever stored in the repository or the
 * published package (scanners reading either stay quiet).
 */

export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const ALNUM = UPPER + LOWER + DIGITS;
export const BASE32 = UPPER + '234567';
export const BASE64 = ALNUM + '+/';
export const HEX = '0123456789abcdef';

/** A deterministic pseudo-random string: `prefix` then `length` characters of `alphabet`. */
export function fakeKey(prefix: string, length: number, alphabet: string = ALNUM, seed = 1): string {
  let state = (seed * 2654435761) >>> 0 || 1;
  let out = prefix;
  for (let i = 0; i < length; i++) {
    // xorshift32: enough spread for high-entropy looking samples
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

/** Joins fragments: keeps recognisable prefixes apart in the source text. */
export function join(...parts: string[]): string {
  return parts.join('');
}
