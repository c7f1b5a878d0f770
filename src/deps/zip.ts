/**
 * A small, strict zip reader for the OSV bulk export (one JSON file per
 * advisory, more than 65,535 of them, so ZIP64 matters). Stored and deflated
 * entries; every entry's CRC-32 and size are checked, so a truncated or
 * corrupt archive is refused rather than half-read.
 */
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the local file header. */
  offset: number;
}

export class ZipError extends Error {
  override name = 'ZipError';
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function num64(buf: Buffer, at: number): number {
  const value = buf.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('zip: a size or offset is too large');
  return Number(value);
}

/** The central directory: every entry's name, sizes, CRC and where its data starts. */
export function listEntries(zip: Buffer): ZipEntry[] {
  if (zip.length < 22) throw new ZipError('zip: too short to be an archive (truncated download?)');
  // The end-of-central-directory record sits in the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('zip: no end-of-central-directory record (truncated or not a zip)');
  let count = zip.readUInt16LE(eocd + 10);
  let cdSize = zip.readUInt32LE(eocd + 12);
  let cdOffset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || zip.readUInt32LE(locator) !== EOCD64_LOCATOR) throw new ZipError('zip: ZIP64 locator missing');
    const at = num64(zip, locator + 8);
    if (at + 56 > zip.length || zip.readUInt32LE(at) !== EOCD64) throw new ZipError('zip: ZIP64 end record missing');
    count = num64(zip, at + 32);
    cdSize = num64(zip, at + 40);
    cdOffset = num64(zip, at + 48);
  }
  if (cdOffset + cdSize > zip.length)
    throw new ZipError('zip: the central directory lies past the end of the file (truncated download?)');

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== CENTRAL)
      throw new ZipError(`zip: central directory entry ${n + 1} of ${count} is damaged`);
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    let compressedSize = zip.readUInt32LE(p + 20);
    let size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    let offset = zip.readUInt32LE(p + 42);
    const name = zip.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
    // ZIP64 extra field: the 64-bit values, in order, for whichever 32-bit ones are saturated.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = zip.readUInt16LE(e);
      const len = zip.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = num64(zip, q)), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = num64(zip, q)), (q += 8);
        if (offset === 0xffffffff) offset = num64(zip, q);
      }
      e += 4 + len;
    }
    if (flags & 0x1) throw new ZipError(`zip: ${name} is encrypted`);
    entries.push({ name, method, crc, compressedSize, size, offset });
    p = extraEnd + commentLength;
  }
  return entries;
}

/** An entry's content, inflated and checked against its CRC-32 and size. */
export function readEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.offset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL)
    throw new ZipError(`zip: ${entry.name}: local header missing`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length)
    throw new ZipError(`zip: ${entry.name}: data runs past the end of the file (truncated download?)`);
  const raw = zip.subarray(start, end);
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      data = inflateRawSync(raw);
    } catch (e) {
      throw new ZipError(`zip: ${entry.name}: ${(e as Error).message}`);
    }
  } else throw new ZipError(`zip: ${entry.name}: unsupported compression method ${entry.method}`);
  if (data.length !== entry.size)
    throw new ZipError(`zip: ${entry.name}: ${data.length} bytes instead of ${entry.size}`);
  if (crc32(data) !== entry.crc) throw new ZipError(`zip: ${entry.name}: CRC mismatch (corrupt archive)`);
  return data;
}
