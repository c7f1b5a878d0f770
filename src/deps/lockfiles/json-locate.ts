/**
 * Positions in JSON text, which JSON.parse throws away: where an object's
 * keys and values start and end. A forward scan that understands strings and
 * nesting (and tolerates the trailing commas of bun.lock); used only for the
 * few packages a finding must point at.
 */

export interface Member {
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else return i;
  }
}

/** The index just past the string that starts at `i` (a `"`). */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return text.length;
}

/** The index just past the value that starts at `i`. */
export function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return skipString(text, i);
  if (c !== 123 && c !== 91) {
    while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
    return i;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === 34) j = skipString(text, j) - 1;
    else if (d === 123 || d === 91) depth++;
    else if (d === 125 || d === 93) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return text.length;
}

function readKey(text: string, i: number): { key: string; end: number } {
  const end = skipString(text, i);
  const raw = text.slice(i + 1, end - 1);
  return { key: raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw, end };
}

/** The members of the object whose `{` is at `start`. */
export function members(text: string, start: number): Map<string, Member> {
  const out = new Map<string, Member>();
  let i = skipWs(text, start + 1);
  while (i < text.length && text[i] !== '}') {
    if (text[i] !== '"') break;
    const keyStart = i;
    const { key, end } = readKey(text, i);
    i = skipWs(text, end);
    if (text[i] !== ':') break;
    const valueStart = skipWs(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    out.set(key, { keyStart, valueStart, valueEnd });
    i = skipWs(text, valueEnd);
    if (text[i] === ',') i = skipWs(text, i + 1);
  }
  return out;
}

/** The member at a key path from the root object, or null. */
export function memberAt(text: string, path: readonly string[]): Member | null {
  let start = skipWs(text, 0);
  let found: Member | null = null;
  for (const key of path) {
    if (text[start] !== '{') return null;
    found = members(text, start).get(key) ?? null;
    if (!found) return null;
    start = found.valueStart;
  }
  return found;
}

/** Removes the trailing commas JSONC allows (bun.lock), leaving strings alone, so JSON.parse reads it. */
export function stripTrailingCommas(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = skipString(text, i) - 1;
      continue;
    }
    if (c === 44) {
      const next = skipWs(text, i + 1);
      if (text[next] === '}' || text[next] === ']') {
        out += text.slice(last, i);
        last = i + 1;
      }
    }
  }
  return last === 0 ? text : out + text.slice(last);
}
