/**
 * The detection loop: one forward pass over a file (`scanFile`) visits each
 * line once and feeds every detector from that visit. One combined keyword
 * regex finds the rules a line needs; only those detectors run, in priority order
 * (provider formats first, the generic assignment rule last). Lines longer
 * than LONG_LINE (minified code) are checked on bounded windows around the
 * keywords, so no regex ever sees more than a few kilobytes. When two
 * detectors report the same text, the earlier one wins.
 */
import type { Hit } from '../../kit/atom.js';
import { base64Tokens, joinedChains, type Derived } from './derived.js';
import { findAssignments, findPrivateKeys, credentialOf, isCredentialAssignment } from './generic.js';
import type { FileKind } from './file-rules.js';
import type { MatchContext, ProviderRule } from './rule.js';
import { entropy } from './structure.js';
import { isPlaceholderKey } from './values.js';

/** A hit with what the atom needs to rank, deduplicate and allowlist it; the secret never leaves the atom. */
export interface Found extends Hit {
  priority: number;
  /** 0-based [start, end) of the reported text on the line, for deduplication. */
  span: [number, number];
  secret?: string;
  /** Counts only if the file holds these markers too (ProviderRule.marker): see `withMarkers`. */
  marker?: RegExp[];
  /** The last line a key split into joined pieces reaches (they may run over several lines). */
  lastLine?: number;
}

export interface FileScan {
  path: string;
  kind: FileKind;
  /** Run the generic assignment detector (off in test files unless the policy says otherwise). */
  generic: boolean;
  /** Rules not to run on this file: disabled by the policy, or meant for other files. */
  disabled: ReadonlySet<string>;
}

/** The rules of `set` that do not apply to `path` (their `paths` do not match), plus `disabled`. */
export function excludedRules(set: DetectorSet, path: string, disabled: ReadonlySet<string>): ReadonlySet<string> {
  const out = new Set(disabled);
  for (const d of set.detectors) if (d.paths && !d.paths.test(path)) out.add(d.id);
  return out;
}

interface LineScan {
  /** The text searched: the line, or a window of a long line. */
  text: string;
  /** Offset of `text` in the line. */
  offset: number;
  line: string;
  lineNo: number;
  next: string;
  file: FileScan;
  found: Found[];
  /** Spans (of the whole line) that a conclusive check proved are not secrets. */
  vetoes: Array<[number, number]>;
}

interface Detector {
  id: string;
  keywords: readonly string[];
  /** Only in files whose path matches. */
  paths?: RegExp;
  priority: number;
  run(scan: LineScan): void;
}

export const LONG_LINE = 2000;
const WINDOW_BEFORE = 256;
const WINDOW_AFTER = 4096;

function regexDetector(rule: ProviderRule, priority: number): Detector {
  let compiled: RegExp | undefined; // built on first use: most rules never run in a typical commit
  const minEntropy = rule.entropy ?? 0;
  return {
    id: rule.id,
    keywords: rule.keywords,
    ...(rule.paths ? { paths: rule.paths } : {}),
    priority,
    run(s) {
      const regex = (compiled ??= new RegExp(rule.regex.source, 'gd'));
      const marker = markerFor(rule, s.file.path);
      regex.lastIndex = 0;
      for (let m = regex.exec(s.text); m; m = regex.exec(s.text)) {
        if (m[0].length === 0) regex.lastIndex++;
        const group = rule.secretGroup ?? firstGroup(m);
        const secret = m[group];
        const where = m.indices?.[group];
        if (!secret || !where) continue;
        const start = s.offset + where[0];
        const end = s.offset + where[1];
        if (isPlaceholderKey(secret)) {
          s.vetoes.push([start, end]);
          continue;
        }
        if (entropy(secret) < minEntropy) continue;
        if (s.vetoes.some(([vs, ve]) => vs < end && start < ve)) continue;
        if (rule.validate) {
          const context: MatchContext = { line: s.line, path: s.file.path, match: m };
          if (!rule.validate(secret, context)) {
            if (rule.conclusive) s.vetoes.push([start, end]);
            continue;
          }
        }
        s.found.push({
          rule: rule.id,
          line: s.lineNo,
          column: start + 1,
          mask: [[start + 1, end + 1]],
          span: [start, end],
          secret,
          priority,
          ...(marker ? { marker } : {}),
        });
      }
    },
  };
}

/** The markers a rule's finding still needs in this file, or undefined when it needs none. */
function markerFor(rule: ProviderRule, path: string): RegExp[] | undefined {
  return rule.marker && !rule.marker.orPath?.test(path) ? rule.marker.all : undefined;
}

/**
 * The findings that stand once the whole file is known: one whose rule needs markers elsewhere in the file
 * (a kubeconfig's `kind: Config`) stays only if `holds` says the file has every one of them.
 */
export function withMarkers(found: Found[], holds: (marker: RegExp) => boolean): Found[] {
  if (!found.some((f) => f.marker)) return found;
  return found.filter((f) => !f.marker || f.marker.every(holds));
}

function firstGroup(m: RegExpExecArray): number {
  for (let g = 1; g < m.length; g++) if (m[g] !== undefined) return g;
  return 0;
}

function privateKeyDetector(priority: number): Detector {
  return {
    id: 'private-key',
    keywords: ['private key', 'putty-user-key-file'],
    priority,
    run(s) {
      for (const block of findPrivateKeys(s.text, s.offset + s.text.length >= s.line.length ? s.next : '')) {
        const start = s.offset + block.column;
        const body = block.body ? ([s.offset + block.body[0], s.offset + block.body[1]] as [number, number]) : null;
        s.found.push({
          rule: 'private-key',
          line: s.lineNo,
          column: start + 1,
          messageId: 'kind',
          data: { kind: block.kind },
          ...(body ? { mask: [[body[0] + 1, body[1] + 1]] } : {}),
          span: [start, body ? body[1] : start + 1],
          ...(body ? { secret: s.line.slice(body[0], body[1]) } : {}),
          priority,
        });
      }
    },
  };
}

function genericDetector(priority: number): Detector {
  return {
    id: 'hardcoded-credential',
    keywords: ['pass', 'pwd', 'secret', 'token', 'key', 'credential', 'authorization'],
    priority,
    run(s) {
      if (!s.file.generic) return;
      const rule = s.file.kind.genericRule;
      const atLineEnd = s.offset + s.text.length >= s.line.length;
      for (const a of findAssignments(s.text, s.file.kind.bare, atLineEnd ? s.next : '')) {
        if (!isCredentialAssignment(a)) continue;
        const { value, offset } = credentialOf(a.value);
        const start = (a.onNextLine ? 0 : s.offset) + a.start + offset;
        const end = start + value.length;
        if (!a.onNextLine && s.vetoes.some(([vs, ve]) => vs < end && start < ve)) continue;
        const key = a.key.length > 60 ? a.key.slice(0, 57) + '…' : a.key;
        const message =
          rule === 'env-file'
            ? `A .env file sets \`${key}\` to a credential.`
            : rule === 'hardcoded-credential'
              ? `\`${key}\` is assigned a literal credential.`
              : undefined;
        s.found.push({
          rule,
          line: a.onNextLine ? s.lineNo + 1 : s.lineNo,
          column: start + 1,
          ...(message ? { message } : {}),
          mask: [[start + 1, end + 1]],
          ...(s.file.kind.dev && rule === 'hardcoded-credential' ? { severity: 'warning' as const } : {}),
          span: [start, end],
          secret: value,
          priority,
        });
      }
    },
  };
}

export interface DetectorSet {
  detectors: Detector[];
  keywords: RegExp;
  /** Lower-case keyword → indices of the detectors it triggers (including those of keywords it contains); filled on first sight. */
  index: Map<string, number[]>;
  /** Lower-case keyword → the detectors that list it. */
  byKeyword: Map<string, Set<number>>;
}

/** Builds the detectors in priority order and the one keyword regex that routes lines to them. */
export function buildDetectors(rules: readonly ProviderRule[]): DetectorSet {
  const detectors: Detector[] = rules.map((r, i) => regexDetector(r, i));
  detectors.push(privateKeyDetector(detectors.length));
  detectors.push(genericDetector(detectors.length));
  const byKeyword = new Map<string, Set<number>>();
  detectors.forEach((d, i) => {
    for (const k of d.keywords) {
      const key = k.toLowerCase();
      if (!byKeyword.has(key)) byKeyword.set(key, new Set());
      byKeyword.get(key)!.add(i);
    }
  });
  return { detectors, keywords: new RegExp(keywordPattern([...byKeyword.keys()]), 'gi'), index: new Map(), byKeyword };
}

/**
 * A regex source matching, at each place, the longest of `words` that starts there: what the alternation of the
 * words sorted longest first matches, written as a trie (`pass(?:word|)|pwd|…`) so the regex engine follows one
 * branch per character instead of trying ~170 words at every place (about 13 % less time on ordinary code).
 */
export function keywordPattern(words: readonly string[]): string {
  return trieOf([...new Set(words)].sort(), 0);
}

/** The trie of `words` (sorted, all sharing their first `depth` characters) past those characters. */
function trieOf(words: readonly string[], depth: number): string {
  const branches: string[] = [];
  let wordEnds = false;
  for (let i = 0; i < words.length; ) {
    if (words[i]!.length === depth) {
      wordEnds = true;
      i++;
      continue;
    }
    const c = words[i]![depth]!;
    let j = i + 1;
    while (j < words.length && words[j]![depth] === c) j++;
    branches.push(('.*+?^${}()|[]\\/'.includes(c) ? '\\' : '') + c + trieOf(words.slice(i, j), depth + 1));
    i = j;
  }
  // Longer words first: the empty branch (a word ends here) is tried only when no longer one matches.
  if (wordEnds && branches.length) branches.push('');
  return branches.length > 1 ? `(?:${branches.join('|')})` : (branches[0] ?? '');
}

/** The detectors a matched keyword triggers: its own, and those of every keyword inside it (`session_token` holds `token`). */
function detectorsFor(set: DetectorSet, keyword: string): number[] {
  let found = set.index.get(keyword);
  if (!found) {
    const all = new Set<number>();
    for (const [other, ids] of set.byKeyword) if (keyword.includes(other)) for (const i of ids) all.add(i);
    found = [...all].sort((a, b) => a - b);
    set.index.set(keyword, found);
  }
  return found;
}

let stamp = new Int32Array(0);
let generation = 0;

/** Adds the detectors a keyword match triggers to `candidates` (once per line). */
function addCandidates(set: DetectorSet, file: FileScan, keyword: string, candidates: number[]) {
  for (const d of detectorsFor(set, keyword.toLowerCase())) {
    if (stamp[d] === generation || file.disabled.has(set.detectors[d]!.id)) continue;
    stamp[d] = generation;
    candidates.push(d);
  }
}

function newLine(set: DetectorSet) {
  if (stamp.length !== set.detectors.length) stamp = new Int32Array(set.detectors.length);
  generation++;
}

/** Checks one line; findings go to `found`. */
export function scanLine(
  set: DetectorSet,
  file: FileScan,
  line: string,
  lineNo: number,
  next: string,
  found: Found[],
): void {
  if (!line) return;
  newLine(set);
  const { keywords } = set;
  const candidates: number[] = [];
  const positions: number[] = [];
  keywords.lastIndex = 0;
  for (let m = keywords.exec(line); m; m = keywords.exec(line)) {
    addCandidates(set, file, m[0], candidates);
    positions.push(m.index);
    keywords.lastIndex = m.index + 1; // overlapping keywords each count
  }
  if (candidates.length) runLine(set, file, line, lineNo, next, candidates, positions, found);
}

/** The added lines of a modified file (ascending), and how to read a line (`''` past the end). */
export interface AddedLines {
  set: ReadonlySet<number>;
  numbers: readonly number[];
  line(n: number): string;
}

/**
 * The scan of one text, as one forward pass: each line is visited once, in order, and every detector with something
 * on it is fed from that visit: the rules whose keywords it holds (provider formats, private key blocks, the generic
 * name rule, which may read the next line for a wrapped value), its base64 tokens, and literals joined with `+` that
 * start on it (they may run over the next lines). What a token or a chain stands for is then run through the provider
 * formats. A modified file's pass visits its added lines, and the line before each run of them, only; joined
 * literals are still looked for in the whole text (they may start before an added line), without splitting it.
 */
export function scanFile(set: DetectorSet, file: FileScan, text: string, added?: AddedLines): Found[] {
  const found: Found[] = [];
  const derived = added ? passAdded(set, file, text, added, found) : passWhole(set, file, text, found);
  // After the pass: the keyword regex is shared, and the pass above holds its place in the text.
  scanDerived(set, file, derived, added, found);
  return added ? found.filter((f) => added.set.has(f.line)) : found;
}

/** Line numbers for offsets met in ascending order, counted as the pass goes (no table of line starts). */
class LineCursor {
  number = 1;
  start = 0;
  end: number;
  constructor(private readonly text: string) {
    this.end = endOfLine(text, 0);
  }
  /** Moves to the line holding `offset`. */
  reach(offset: number): void {
    while (offset > this.end) {
      this.number++;
      this.start = this.end + 1;
      this.end = endOfLine(this.text, this.start);
    }
  }
  /** The current line without its `\r`, and the next one. */
  lines(): [string, string] {
    const { text, start, end } = this;
    const line = text.slice(start, text[end - 1] === '\r' ? end - 1 : end);
    const next = end < text.length ? text.slice(end + 1, endOfLine(text, end + 1)).replace(/\r$/, '') : '';
    return [line, next];
  }
  /** Where a chain of joined literals at [from, to) lies. */
  joined(from: number, to: number, joined: string): Derived {
    let lastLine = this.number;
    for (let i = this.text.indexOf('\n', from); i >= 0 && i < to; i = this.text.indexOf('\n', i + 1)) lastLine++;
    const column = from - this.start + 1;
    const end = lastLine === this.number ? to : this.end;
    return { text: joined, line: this.number, column, endColumn: column + (end - from), lastLine, how: 'joined' };
  }
}

const endOfLine = (text: string, from: number) => {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
};

const encoded = (t: { at: number; length: number; decoded: string }, line: number, start: number): Derived => ({
  text: t.decoded,
  line,
  column: t.at - start + 1,
  endColumn: t.at - start + 1 + t.length,
  lastLine: line,
  how: 'base64',
});

/** A whole text: three cursors (keywords, base64 tokens, joined literals) read it together, line by line. */
function passWhole(set: DetectorSet, file: FileScan, text: string, found: Found[]): Derived[] {
  const joined: Derived[] = [];
  const base64: Derived[] = [];
  const { keywords } = set;
  keywords.lastIndex = 0;
  let keyword = keywords.exec(text);
  const tokens = base64Tokens(text);
  let token = tokens.next().value;
  const chains = joinedChains(text);
  let chain = chains.next().value;
  const at = new LineCursor(text);
  for (;;) {
    const nearest = Math.min(keyword?.index ?? Infinity, token?.at ?? Infinity, chain?.from ?? Infinity);
    if (nearest === Infinity) break;
    at.reach(nearest);
    newLine(set);
    const candidates: number[] = [];
    const positions: number[] = [];
    while (keyword && keyword.index <= at.end) {
      addCandidates(set, file, keyword[0], candidates);
      positions.push(keyword.index - at.start);
      keywords.lastIndex = keyword.index + 1; // overlapping keywords each count
      keyword = keywords.exec(text);
    }
    if (candidates.length) {
      const [line, next] = at.lines();
      runLine(set, file, line, at.number, next, candidates, positions, found);
    }
    for (; token && token.at <= at.end; token = tokens.next().value) base64.push(encoded(token, at.number, at.start));
    for (; chain && chain.from <= at.end; chain = chains.next().value)
      joined.push(at.joined(chain.from, chain.to, chain.joined));
  }
  return [...joined, ...base64];
}

/** A modified file: its added lines, each visited once, and the joined literals of the whole text. */
function passAdded(set: DetectorSet, file: FileScan, text: string, added: AddedLines, found: Found[]): Derived[] {
  const joined: Derived[] = [];
  const at = new LineCursor(text);
  for (const chain of joinedChains(text)) {
    at.reach(chain.from);
    joined.push(at.joined(chain.from, chain.to, chain.joined));
  }
  const base64: Derived[] = [];
  for (const n of added.numbers) {
    const line = added.line(n);
    // A value wrapped onto an added line is found from its name on the line before, added or not.
    if (n > 1 && !added.set.has(n - 1)) scanLine(set, file, added.line(n - 1), n - 1, line, found);
    scanLine(set, file, line, n, added.line(n + 1), found);
    for (const token of base64Tokens(line)) base64.push(encoded(token, n, 0));
  }
  return [...joined, ...base64];
}

/**
 * Keys split into `+`-joined literals or literal template parts, and base64 of a key: the provider formats
 * (not the generic name rule) run over the rebuilt text; a finding masks the pieces on their first line.
 */
function scanDerived(
  set: DetectorSet,
  scan: FileScan,
  derived: readonly Derived[],
  added: AddedLines | undefined,
  found: Found[],
): void {
  const providersOnly: FileScan = { ...scan, generic: false };
  for (const d of derived) {
    let line = d.line;
    if (added) {
      while (line <= d.lastLine && !added.set.has(line)) line++;
      if (line > d.lastLine) continue;
    }
    const inside: Found[] = [];
    scanLine(set, providersOnly, d.text, line, '', inside);
    const [start, end] = line === d.line ? [d.column - 1, d.endColumn - 1] : [0, 0];
    for (const f of inside)
      found.push({
        ...f,
        line,
        column: start + 1,
        messageId: 'derived',
        data: { how: d.how === 'base64' ? 'base64-encoded' : 'split into joined pieces' },
        mask: end > start ? [[start + 1, end + 1]] : [],
        span: [start, Math.max(end, start + 1)],
        ...(d.lastLine > line ? { lastLine: d.lastLine } : {}),
      });
  }
}

function runLine(
  set: DetectorSet,
  file: FileScan,
  line: string,
  lineNo: number,
  next: string,
  candidates: number[],
  positions: number[],
  found: Found[],
) {
  candidates.sort((a, b) => a - b);
  const vetoes: Array<[number, number]> = [];
  const long = line.length > LONG_LINE;
  const windows: Array<[number, number]> = long ? mergeWindows(positions, line.length) : [[0, line.length]];
  for (const [from, to] of windows) {
    const scan: LineScan = {
      text: long ? line.slice(from, to) : line,
      offset: from,
      line,
      lineNo,
      next,
      file,
      found,
      vetoes,
    };
    for (const d of candidates) set.detectors[d]!.run(scan);
  }
}

function mergeWindows(positions: number[], length: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const p of positions) {
    const from = Math.max(0, p - WINDOW_BEFORE);
    const to = Math.min(length, p + WINDOW_AFTER);
    const last = out.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/** One finding per secret: on each line, of the hits whose spans overlap, the highest-priority detector's. */
export function dedupe(found: Found[]): Found[] {
  const sorted = [...found].sort((a, b) => a.line - b.line || a.priority - b.priority || a.span[0] - b.span[0]);
  const kept: Found[] = [];
  for (const f of sorted) {
    const clash = kept.some((k) => k.line === f.line && k.span[0] < f.span[1] && f.span[0] < k.span[1]);
    if (!clash) kept.push(f);
  }
  return kept.sort((a, b) => a.line - b.line || a.column - b.column);
}
