/** Turning bytes into text an atom can read, and positions and excerpts back into words. */

export type Decoded = { text: string } | { skip: string };

/** Git's own heuristic: a NUL byte in the first 8000 bytes means binary. */
function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).indexOf(0) >= 0;
}

/** Decodes file content: UTF-8 (BOM dropped, invalid bytes replaced), UTF-16 with a BOM; binary is skipped. */
export function decode(bytes: Buffer, maxBytes: number): Decoded {
  if (bytes.length > maxBytes)
    return {
      skip: `larger than ${formatBytes(maxBytes)} (${formatBytes(bytes.length)}); raise maxFileBytes to scan it`,
    };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  if (looksBinary(bytes)) return { skip: 'binary file' };
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return { text: bytes.toString('utf8', start) };
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
