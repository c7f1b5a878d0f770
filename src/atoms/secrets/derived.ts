/**
 * Text a key can hide in without appearing whole on any line: string literals
 * joined with `+` (`'sk_live_' + '…'`, also across lines), template literals
 * whose parts are literals (`` `sk_live_${'…'}` ``), and base64 of a key. Each
 * is turned back into the text it stands for, which the provider formats are
 * then run over; a finding points at where the pieces start. The pass that
 * looks for them is scanner.ts's `scanFile`.
 */

/** A text rebuilt from pieces of the file, and where those pieces are. */
export interface Derived {
  text: string;
  /** 1-based line and column of the first piece. */
  line: number;
  column: number;
  /** 1-based column (exclusive) where the pieces end on `line` (the mask). */
  endColumn: number;
  /** Last line the pieces reach. */
  lastLine: number;
  how: 'joined' | 'base64';
}

const TEMPLATE_PART = String.raw`\$\{\s{0,10}(?:'[^'\\\n]{0,200}'|"[^"\\\n]{0,200}")\s{0,10}\}`;
/** One literal: quoted, or a template whose substitutions are themselves literals. Bounded, so the scan stays linear. */
const LITERAL = String.raw`'[^'\\\n]{0,300}'|"[^"\\\n]{0,300}"|` + '`(?:[^`\\\\$]|' + TEMPLATE_PART + '){0,300}`';
/** Space and comments between the pieces: `'sk_live_' + // why\n  '…'`. */
const GAP = String.raw`(?:\s|\/\/[^\n]{0,200}|\/\*[^*]{0,200}\*\/){0,40}`;
const CHAIN = new RegExp(String.raw`(?:${LITERAL})(?:${GAP}\+${GAP}(?:${LITERAL})){0,30}`, 'g');
/** Walks a chain piece by piece: a literal (group 1), or the `+` between two. */
const PIECE = new RegExp(String.raw`(${LITERAL})|${GAP}\+${GAP}`, 'y');
const PART = new RegExp(TEMPLATE_PART, 'g');
/** Worth the chain scan: a literal next to `+`, or a template part that is a literal. */
const MAY_JOIN = /["'`]\s*\+|\$\{\s*["']/;

/**
 * Base64 (standard or URL-safe) long enough to hold a key, as a value: after a quote, `=`, `:`, space, `(`, `,` or `[`.
 * Sticky: tried only where `tokenMatches` says a token can start.
 */
const BASE64_TOKEN = /(?:^|[\s"'`=:(,[])([A-Za-z0-9+/_-]{24,4096}={0,2})/my;
const BEFORE_TOKEN = /[\s"'`=:(,[]/;
/** The characters of a token (BASE64_TOKEN's class), by char code. */
const TOKEN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') TOKEN_CHAR[c.charCodeAt(0)] = 1;
const tokenChar = (code: number) => code < 128 && TOKEN_CHAR[code] === 1;

/** Literals joined with `+` (or templates of literal parts) in a text: their offsets and the text they stand for. */
export function* joinedChains(text: string): Generator<{ from: number; to: number; joined: string }> {
  if (!MAY_JOIN.test(text)) return;
  CHAIN.lastIndex = 0;
  for (let m = CHAIN.exec(text); m; m = CHAIN.exec(text)) {
    const pieces = piecesOf(m[0]);
    const templated = pieces.some((p) => p[0] === '`' && p.includes('${'));
    if (pieces.length < 2 && !templated) continue;
    yield { from: m.index, to: m.index + m[0].length, joined: pieces.map(cook).join('') };
  }
}

/**
 * Base64 tokens of a key in a text: offset, length and the decoded text. A token never spans lines, and the scan
 * of a line starts afresh at its start, so a line's tokens alone are those a scan of the whole text finds on it.
 */
export function* base64Tokens(text: string): Generator<{ at: number; length: number; decoded: string }> {
  for (const { at, token } of tokenMatches(text)) {
    const decoded = printableBase64(token);
    if (decoded) yield { at, length: token.length, decoded };
  }
}

/**
 * What a global scan of BASE64_TOKEN finds (each token and where it starts), but the regex runs only where a token
 * can start: a run of 24 or more token characters after a character that may precede a token (line ends are
 * spaces), or at the start of the text. A token always starts a run (no token character precedes it), so no match
 * is missed. A loop over char codes finds those runs, looking at one place in 24 where no run is long enough,
 * faster than the regex tries every place.
 */
export function* tokenMatches(text: string): Generator<{ at: number; token: string }> {
  let from = 0; // where the global scan would go on from: past the last match
  // Invariant: the character before `i` is no token character (or i is 0): a run reaching back to `i` starts there.
  for (let i = 0; i + 24 <= text.length; ) {
    // A run of 24 starting at or after `i` covers i + 23: when that is no token character, skip past it.
    const probe = i + 23;
    if (!tokenChar(text.charCodeAt(probe))) {
      i = probe + 1;
      continue;
    }
    let start = probe;
    while (start > i && tokenChar(text.charCodeAt(start - 1))) start--;
    let end = probe + 1;
    while (end < text.length && tokenChar(text.charCodeAt(end))) end++;
    i = end + 1;
    if (end - start < 24) continue;
    const at = start === 0 ? 0 : start - 1;
    if (at < from || (start > 0 && !BEFORE_TOKEN.test(text[at]!))) continue;
    BASE64_TOKEN.lastIndex = at;
    const m = BASE64_TOKEN.exec(text);
    if (!m) continue;
    from = m.index + m[0].length;
    yield { at: from - m[1]!.length, token: m[1]! };
  }
}

function piecesOf(chain: string): string[] {
  const pieces: string[] = [];
  PIECE.lastIndex = 0;
  for (let m = PIECE.exec(chain); m && m[0]; m = PIECE.exec(chain)) if (m[1]) pieces.push(m[1]);
  return pieces;
}

/** The value of one literal piece, its literal template parts filled in. */
function cook(piece: string): string {
  const body = piece.slice(1, -1);
  return piece[0] === '`' ? body.replace(PART, (part) => part.replace(/^\$\{\s*["']|["']\s*\}$/g, '')) : body;
}

/** The decoded text, when the token is base64 of printable ASCII without spaces (a key, not data or prose). */
function printableBase64(token: string): string | undefined {
  const bare = token.replace(/=+$/, '');
  if (bare.length % 4 === 1) return undefined;
  if (!/[A-Z]/.test(bare) || !/[a-z]/.test(bare)) return undefined; // identifiers and hex are not base64 of a key
  const decoded = Buffer.from(bare, bare.includes('-') || bare.includes('_') ? 'base64url' : 'base64').toString(
    'latin1',
  );
  return /^[\x21-\x7e]{16,}$/.test(decoded) ? decoded : undefined;
}
