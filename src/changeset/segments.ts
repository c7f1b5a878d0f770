/**
 * A file too large to hold, as a sequence of text segments of bounded size:
 * what a streamed secrets scan reads (files over `maxFileBytes`). Segments end
 * at a line end where there is one; each repeats the last lines of the one
 * before, so a multi-line secret (a private key block) that straddles the cut
 * is seen whole once. A line longer than a segment is cut, and the cut overlaps
 * too. Memory stays about three segments, whatever the file's size.
 */

export interface Segment {
  text: string;
  /** The line (1-based) the segment's first character is on. */
  firstLine: number;
  /** Characters of that line before the segment's first character (non-zero only after a cut inside a line). */
  firstColumn: number;
  /**
   * [from, to): the offsets of `text` this segment answers for. Two neighbours share their overlap and split it in
   * the middle (at a line start when there is one), so what either reports has about half the overlap around it.
   */
  owned: [number, number];
  /** Characters at the start of `text` that the segment before also held (0 for the first). */
  overlap: number;
}

export interface SegmentOptions {
  /** Characters per segment, about. */
  size?: number;
  /** Characters repeated from the end of one segment at the start of the next. */
  overlap?: number;
}

import { TextDecoder } from 'node:util';

const SEGMENT_CHARS = 32_000;
const OVERLAP_CHARS = 4_000;

/**
 * The text of `chunks` in segments. UTF-8 (invalid bytes replaced) unless the
 * file starts with a UTF-16 byte order mark; NUL characters are dropped, so that
 * the ASCII text inside UTF-16 or binary content reads as text.
 */
export async function* textSegments(
  chunks: AsyncIterable<Buffer>,
  options: SegmentOptions = {},
): AsyncGenerator<Segment> {
  const size = options.size ?? SEGMENT_CHARS;
  const overlap = Math.min(options.overlap ?? OVERLAP_CHARS, size >> 1);
  let decoder: TextDecoder | null = null;
  let pending = '';
  let firstLine = 1;
  let firstColumn = 0;
  let emitted = false;
  let ownedFrom = 0;
  let overlapped = 0;

  /** Emits pending text up to `end`, keeping the overlap as the start of what follows. */
  function* cut(end: number): Generator<Segment> {
    const text = pending.slice(0, end);
    // The overlap starts at a line start when there is one in the last `overlap` characters.
    let from = Math.max(0, end - overlap);
    const lineStart = text.indexOf('\n', from);
    if (lineStart >= 0 && lineStart + 1 < end) from = lineStart + 1;
    const middle = from + ((end - from) >> 1);
    const middleLine = text.indexOf('\n', middle);
    const boundary = middleLine >= 0 && middleLine + 1 < end ? middleLine + 1 : middle;
    yield { text, firstLine, firstColumn, owned: [ownedFrom, boundary], overlap: overlapped };
    ownedFrom = boundary - from;
    overlapped = end - from;
    emitted = true;
    const skipped = text.slice(0, from);
    const newlines = countNewlines(skipped);
    firstLine += newlines;
    firstColumn = newlines ? from - (skipped.lastIndexOf('\n') + 1) : firstColumn + from;
    pending = pending.slice(from);
  }

  for await (const chunk of chunks) {
    if (!decoder) {
      const encoding =
        chunk[0] === 0xff && chunk[1] === 0xfe
          ? 'utf-16le'
          : chunk[0] === 0xfe && chunk[1] === 0xff
            ? 'utf-16be'
            : 'utf-8';
      decoder = new TextDecoder(encoding);
    }
    pending += decoder.decode(chunk, { stream: true }).replaceAll('\0', '');
    while (pending.length >= size + overlap) {
      // End the segment after the last line end within it, or cut the line.
      const lastNewline = pending.lastIndexOf('\n', size);
      yield* cut(lastNewline > overlap ? lastNewline + 1 : size);
    }
  }
  if (decoder) pending += decoder.decode().replaceAll('\0', '');
  if (pending.length || !emitted)
    yield { text: pending, firstLine, firstColumn, owned: [ownedFrom, Infinity], overlap: overlapped };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
