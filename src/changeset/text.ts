/** Turning bytes into text an atom can read, and positions and excerpts back into words. */
import { isUtf8 } from 'node:buffer';

export type Decoded = { text: string } | { skip: string };

/**
 * Lockfiles are read whole up to this size whatever `maxFileBytes` says: the dependencies atom must see
 * them, and 50,000 packages of package-lock.json are about 20 MB.
 */
export const LOCKFILE_MAX_BYTES = 64_000_000;
const LOCKFILE = /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lock)$/;

/** The size up to which a file is read whole: `maxFileBytes`, or more for a lockfile. */
export function readLimit(path: string, maxFileBytes: number): number {
  return LOCKFILE.test(path) ? Math.max(maxFileBytes, LOCKFILE_MAX_BYTES) : maxFileBytes;
}

/**
 * Files that are text whatever bytes they hold: the languages and configuration formats the atoms read.
 * Node runs a `.js` file with a NUL and an invalid byte in a comment, so content alone must not call it binary.
 */
const TEXT_FILE =
  /\.(?:[cm]?[jt]sx?|json[c5]?|ya?ml|toml|ini|env|properties|conf|cfg|sh|bash|zsh|ps1|html?|vue|svelte|astro|xml|md|txt|py|rb|php|go|java|kt|cs|rs|sql|graphql|lock|npmrc|yarnrc)$|(?:^|\/)\.env(?:\.[^/]*)?$|(?:^|\/)(?:Dockerfile|Makefile|\.npmrc|\.yarnrc)$/i;

/**
 * Decodes file content. UTF-16 with a BOM, or without one when the zero bytes say so (see utf16); UTF-8
 * otherwise (BOM dropped, invalid bytes replaced). A NUL byte alone does not make a file binary: a file is
 * binary only when it has NUL bytes, is neither UTF-16 nor valid UTF-8 with few other control bytes, and its
 * name is not one of a text format.
 */
export function decode(bytes: Buffer, maxBytes: number, path = ''): Decoded {
  const limit = readLimit(path, maxBytes);
  if (bytes.length > limit)
    return {
      skip: `larger than ${formatBytes(limit)} (${formatBytes(bytes.length)}); raise maxFileBytes to scan it`,
    };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (bytes.indexOf(0) < 0) return { text: bytes.toString('utf8', start) };
  const wide = utf16(bytes);
  if (wide !== null) return { text: wide };
  if ((isUtf8(bytes) && fewControls(bytes)) || TEXT_FILE.test(path)) return { text: bytes.toString('utf8', start) };
  return { skip: 'binary file' };
}

/** True when control bytes other than NUL, whitespace and ESC are under a tenth of the content, as in text. */
function fewControls(bytes: Buffer): boolean {
  let controls = 0;
  for (const b of bytes) if (isControl(b)) controls++;
  return controls * 10 < bytes.length;
}

/** A control character that text does not hold: not NUL (counted apart), whitespace or ESC. */
const isControl = (c: number) => c < 0x20 && c !== 0 && (c < 0x09 || c > 0x0d) && c !== 0x1b;

/**
 * UTF-16 without a BOM, as PowerShell and some Windows editors write it: in text that is mostly ASCII
 * or Latin, one byte of nearly every code unit is zero and the other is not. Decoded as such, unless it also
 * holds runs of plain ASCII bytes (a file that looks UTF-16 at first and carries a key in ASCII further on):
 * then its NUL bytes are dropped, which reads both the UTF-16 and the ASCII parts of ASCII text.
 */
function utf16(bytes: Buffer): string | null {
  const units = bytes.length >> 1;
  if (units < 2) return null;
  let zeroLow = 0;
  let zeroHigh = 0;
  for (let i = 0; i < units * 2; i += 2) {
    if (bytes[i] === 0) zeroLow++;
    if (bytes[i + 1] === 0) zeroHigh++;
  }
  // Little-endian puts the zero in the second byte of a unit, big-endian in the first.
  const encoding =
    zeroHigh >= units * 0.3 && zeroLow <= units * 0.02
      ? 'utf-16le'
      : zeroLow >= units * 0.3 && zeroHigh <= units * 0.02
        ? 'utf-16be'
        : null;
  if (!encoding) return null;
  if (hasAsciiRun(bytes, 8)) return Buffer.from(bytes.filter((b) => b !== 0)).toString('utf8');
  const text = new TextDecoder(encoding).decode(bytes);
  let controls = 0;
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) controls++;
  return controls * 10 < text.length ? text : null;
}

/** True when `length` printable ASCII bytes follow each other somewhere. */
function hasAsciiRun(bytes: Buffer, length: number): boolean {
  let run = 0;
  for (const b of bytes) {
    run = b >= 0x20 && b < 0x7f ? run + 1 : 0;
    if (run >= length) return true;
  }
  return false;
}

export function formatBytes(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)} MB`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(1)} kB`;
  return `${n} B`;
}

/** Offsets where each line starts; lines end at \n (a preceding \r belongs to the terminator). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Line `n` (1-based) of a text as `text.split('\n')[n - 1]` gives it (a `\r` before the `\n` kept), without splitting it. */
export function lineAt(text: string, starts: readonly number[], n: number): string | undefined {
  if (!Number.isInteger(n) || n < 1 || n > starts.length) return undefined;
  return text.slice(starts[n - 1], n < starts.length ? starts[n]! - 1 : undefined);
}

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** 1-based line and column of an offset. */
export function positionAt(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

/** How a secret is shown anywhere: the first 4 characters of long values, and the length. Never the value. */
export function maskValue(value: string): string {
  const shown = value.length >= 16 ? value.slice(0, 4) : '';
  return `${shown}…(${value.length})`;
}

/** Replaces the given [start, end) column spans (1-based) of a line with their masks. */
export function maskSpans(line: string, spans: ReadonlyArray<readonly [number, number]>): string {
  // Merge overlapping spans, then replace from the right so earlier offsets stay valid.
  const merged: Array<[number, number]> = [];
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && start < last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  let out = line;
  for (const [start, end] of merged.reverse()) {
    const from = Math.max(0, start - 1);
    const to = Math.min(out.length, end - 1);
    if (to <= from) continue;
    out = out.slice(0, from) + maskValue(out.slice(from, to)) + out.slice(to);
  }
  return out;
}

/** A one-line excerpt for a report: trimmed and cut around the column so minified lines stay readable. */
export function excerpt(line: string, column: number, width = 160): string {
  const trimmedStart = line.length - line.trimStart().length;
  const text = line.trim();
  if (text.length <= width) return text;
  const col = Math.max(0, column - 1 - trimmedStart);
  const from = Math.max(0, Math.min(col - 40, text.length - width));
  return (from > 0 ? '…' : '') + text.slice(from, from + width) + (from + width < text.length ? '…' : '');
}
