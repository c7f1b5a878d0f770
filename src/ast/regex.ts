/**
 * Catastrophic backtracking, found by analysing the regex's automaton, not
 * by matching its text against a list. The pattern is parsed with regexpp
 * (the parser ESLint's regex rules use), turned into a Thompson NFA over
 * character sets, then into an ε-free NFA whose states are the positions a
 * backtracking matcher can be in.
 *
 * - Exponential (EDA): some state q has two different paths back to itself
 *   that read the same word. In the product automaton A×A that is an SCC
 *   holding both a pair (q, q) and a pair (p, p′) with p ≠ p′. Each loop
 *   doubles the ways to match, so an almost-matching input of n characters
 *   costs ~2^n steps. `(a+)+$`, `(a|aa)*$`, `(\w+\s?)*$`.
 * - Polynomial (IDA), adjacent case: two different looping states p ≠ q with
 *   p→p, p→q and q→q on one same character: two repetitions next to each
 *   other compete for the same characters (`\d+\d+`, `\w+\s*\w+$`), n² steps
 *   per start position.
 *
 * A loop whose state accepts (the rest of the pattern can match nothing)
 * never backtracks, so it is not reported. Backreferences are ignored and
 * lookarounds are treated as always passing; patterns over 400 states are
 * skipped (never reported as unsafe). Only ^, $ and \\b count as able to
 * fail after a loop; a loop that the rest of the pattern can always follow
 * to the end never backtracks.
 */
import { RegExpParser } from '@eslint-community/regexpp';

type Range = [number, number];
type CharSet = Range[];
const MAX = 0x10ffff;

export type Verdict = { kind: 'exponential' | 'polynomial'; char: string } | null;

interface Edge {
  to: number;
  set: CharSet | null;
  assert?: boolean;
}

const LINE_TERMINATORS: CharSet = [
  [10, 10],
  [13, 13],
  [0x2028, 0x2029],
];
const DIGIT: CharSet = [[48, 57]];
const WORD: CharSet = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];
const SPACE: CharSet = [
  [9, 13],
  [32, 32],
  [160, 160],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

function normalise(set: CharSet): CharSet {
  const sorted = set.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: CharSet = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function complement(set: CharSet): CharSet {
  const out: CharSet = [];
  let next = 0;
  for (const [a, b] of normalise(set)) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX) out.push([next, MAX]);
  return out;
}

function intersects(a: CharSet, b: CharSet): number | null {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) return lo;
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return null;
}

function fold(set: CharSet): CharSet {
  const extra: CharSet = [];
  for (const [a, b] of set) {
    const lo = Math.max(a, 65);
    const hi = Math.min(b, 90);
    if (lo <= hi) extra.push([lo + 32, hi + 32]);
    const lo2 = Math.max(a, 97);
    const hi2 = Math.min(b, 122);
    if (lo2 <= hi2) extra.push([lo2 - 32, hi2 - 32]);
  }
  return normalise([...set, ...extra]);
}

class Builder {
  edges: Edge[][] = [];
  constructor(
    private readonly flags: { ignoreCase: boolean; dotAll: boolean },
    private readonly limit: number,
    /** Repetitions up to this many times are unrolled; more count as a loop. */
    private readonly bounded = 8,
  ) {}

  state(): number {
    if (this.edges.length >= this.limit) throw new TooBig();
    this.edges.push([]);
    return this.edges.length - 1;
  }

  edge(from: number, to: number, set: CharSet | null, assert = false) {
    this.edges[from]!.push({ to, set, ...(assert ? { assert } : {}) });
  }

  charSet(node: any): CharSet {
    switch (node.type) {
      case 'Character':
        return this.flags.ignoreCase ? fold([[node.value, node.value]]) : [[node.value, node.value]];
      case 'CharacterClassRange':
        return this.flags.ignoreCase ? fold([[node.min.value, node.max.value]]) : [[node.min.value, node.max.value]];
      case 'CharacterSet': {
        let set: CharSet;
        if (node.kind === 'digit') set = DIGIT;
        else if (node.kind === 'word') set = WORD;
        else if (node.kind === 'space') set = SPACE;
        else if (node.kind === 'any') return this.flags.dotAll ? [[0, MAX]] : complement(LINE_TERMINATORS);
        else set = [[0, MAX]]; // Unicode properties: any character may belong
        return node.negate && node.kind !== 'property' ? complement(set) : set;
      }
      case 'CharacterClass': {
        const parts: CharSet = [];
        for (const e of node.elements) {
          if (
            e.type === 'Character' ||
            e.type === 'CharacterClassRange' ||
            e.type === 'CharacterSet' ||
            e.type === 'CharacterClass'
          )
            parts.push(...this.charSet(e));
          else parts.push([0, MAX]);
        }
        const set = normalise(parts);
        return node.negate ? complement(set) : set;
      }
      default:
        return [[0, MAX]];
    }
  }

  /** Builds `node` between two fresh states; returns [start, end]. */
  build(node: any): [number, number] {
    switch (node.type) {
      case 'Pattern':
      case 'Group':
      case 'CapturingGroup':
        return this.alternatives(node.alternatives);
      case 'Alternative':
        return this.sequence(node.elements);
      case 'Character':
      case 'CharacterSet':
      case 'CharacterClass':
      case 'ExpressionCharacterClass': {
        const s = this.state();
        const e = this.state();
        this.edge(s, e, node.type === 'ExpressionCharacterClass' ? [[0, MAX]] : this.charSet(node));
        return [s, e];
      }
      case 'Quantifier':
        return this.quantifier(node);
      case 'Assertion': {
        // ^ $ \b \B can stop a match where the rest could otherwise accept; lookarounds are taken as passing.
        const s = this.state();
        const e = this.state();
        this.edge(s, e, null, node.kind === 'start' || node.kind === 'end' || node.kind === 'word');
        return [s, e];
      }
      default: {
        // Backreferences and anything else: passes without reading.
        const s = this.state();
        const e = this.state();
        this.edge(s, e, null);
        return [s, e];
      }
    }
  }

  alternatives(alts: any[]): [number, number] {
    if (alts.length === 1) return this.build(alts[0]);
    const s = this.state();
    const e = this.state();
    for (const alt of alts) {
      const [a, b] = this.build(alt);
      this.edge(s, a, null);
      this.edge(b, e, null);
    }
    return [s, e];
  }

  sequence(elements: any[]): [number, number] {
    const s = this.state();
    let cur = s;
    for (const el of elements) {
      const [a, b] = this.build(el);
      this.edge(cur, a, null);
      cur = b;
    }
    return [s, cur];
  }

  quantifier(node: any): [number, number] {
    const unbounded = node.max === Infinity || node.max > this.bounded;
    const s = this.state();
    let cur = s;
    if (unbounded) {
      // x{n,} = x … x (n-1 times) then x+, built as one loop so its state repeats itself.
      const plus = node.min >= 1;
      for (let i = 0; i < Math.min(node.min, 3) - 1; i++) {
        const [a, b] = this.build(node.element);
        this.edge(cur, a, null);
        cur = b;
      }
      const [a, b] = this.build(node.element);
      const e = this.state();
      this.edge(cur, a, null);
      this.edge(b, a, null);
      if (!plus) this.edge(cur, e, null);
      this.edge(b, e, null);
      return [s, e];
    }
    const min = Math.min(node.min, this.bounded);
    const optional = Math.min(node.max, this.bounded) - min;
    for (let i = 0; i < min; i++) {
      const [a, b] = this.build(node.element);
      this.edge(cur, a, null);
      cur = b;
    }
    const e = this.state();
    for (let i = 0; i < optional; i++) {
      const [a, b] = this.build(node.element);
      this.edge(cur, a, null);
      this.edge(cur, e, null);
      cur = b;
    }
    this.edge(cur, e, null);
    return [s, e];
  }
}

class TooBig extends Error {}

interface Efree {
  /** Char edges between ε-free states, by source. */
  /** `twice`: the edge is reached by two different ε-paths (two ways to read the same character). */
  out: Array<Array<{ to: number; set: CharSet; twice: boolean }>>;
  accepting: boolean[];
}

function epsilonFree(edges: Edge[][], start: number, end: number): Efree {
  const n = edges.length;
  const closure = (s: number, withAsserts: boolean) => {
    const seen = new Set([s]);
    const stack = [s];
    while (stack.length) {
      const x = stack.pop()!;
      for (const e of edges[x]!)
        if (e.set === null && (withAsserts || !e.assert) && !seen.has(e.to)) seen.add(e.to), stack.push(e.to);
    }
    return seen;
  };
  // ε-free states: the start and every target of a character edge.
  const keep = new Set<number>([start]);
  for (let s = 0; s < n; s++) for (const e of edges[s]!) if (e.set) keep.add(e.to);
  const index = new Map<number, number>();
  for (const s of keep) index.set(s, index.size);
  const out: Efree['out'] = [];
  const accepting: boolean[] = [];
  /** Number of ε-paths from s to each state, capped at 2 (a cycle of ε-moves counts as many). */
  const paths = (s: number) => {
    const count = new Map<number, number>([[s, 1]]);
    const queue: Array<[number, number]> = [[s, 1]];
    while (queue.length) {
      const [x, delta] = queue.shift()!;
      for (const e of edges[x]!) {
        if (e.set !== null) continue;
        const before = count.get(e.to) ?? 0;
        const after = Math.min(2, before + delta);
        if (after > before) {
          count.set(e.to, after);
          queue.push([e.to, after - before]);
        }
      }
    }
    return count;
  };
  for (const s of keep) {
    const list: Efree['out'][number] = [];
    for (const [c, k] of paths(s))
      for (const e of edges[c]!) if (e.set) list.push({ to: index.get(e.to)!, set: e.set, twice: k > 1 });
    out[index.get(s)!] = list;
    accepting[index.get(s)!] = closure(s, false).has(end);
  }
  return { out, accepting };
}

/** Strongly connected components (iterative Tarjan) over nodes 0..n-1. */
function scc(n: number, succ: (v: number) => number[]): Int32Array {
  const comp = new Int32Array(n).fill(-1);
  const idx = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  let counter = 0;
  let comps = 0;
  for (let root = 0; root < n; root++) {
    if (idx[root] !== -1) continue;
    const work: Array<[number, number[], number]> = [[root, succ(root), 0]];
    idx[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const frame = work.at(-1)!;
      const [v, next] = frame;
      if (frame[2] < next.length) {
        const w = next[frame[2]++]!;
        if (idx[w] === -1) {
          idx[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, succ(w), 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, idx[w]!);
      } else {
        work.pop();
        if (work.length) low[work.at(-1)![0]] = Math.min(low[work.at(-1)![0]]!, low[v]!);
        if (low[v] === idx[v]) {
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp[w] = comps;
          } while (w !== v);
          comps++;
        }
      }
    }
  }
  return comp;
}

function reaches(out: Efree['out'], from: number, to: number): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length) {
    const x = stack.pop()!;
    if (x === to) return true;
    for (const e of out[x]!) if (!seen.has(e.to)) seen.add(e.to), stack.push(e.to);
  }
  return false;
}

/** A character of the set to show in a message: a letter, a digit, or any printable one when there is. */
function pick(set: CharSet): number {
  for (const [lo, hi] of [
    [97, 122],
    [48, 57],
    [33, 126],
    [32, 32],
  ] as const) {
    const c = intersects(set, [[lo, hi]]);
    if (c !== null) return c;
  }
  return set[0]![0];
}

const show = (c: number) => (c >= 32 && c < 127 ? String.fromCharCode(c) : `\\u{${c.toString(16)}}`);

/**
 * Analyses one pattern; null when it is safe, cannot be parsed, or is too large to analyse.
 * `paths`: also report two loops joined by a path rather than one edge (`\w*[a-z]{2}\w*`,
 * `.+a{2,}`, `(?:[ab]*[ab]{2}){2}`): the policy validator wants every such shape refused.
 * `bounded`: repetitions of at most this many are finite, not loops (a constant cost per position).
 */
export function analyseRegex(pattern: string, flags: string, limit = 400, paths = false, bounded = 8): Verdict {
  let ast;
  try {
    ast = new RegExpParser({ ecmaVersion: 2025 }).parsePattern(pattern, 0, pattern.length, {
      unicode: flags.includes('u'),
      unicodeSets: flags.includes('v'),
    });
  } catch {
    return null;
  }
  if (!/[*+{]/.test(pattern)) return null;
  const b = new Builder({ ignoreCase: flags.includes('i'), dotAll: flags.includes('s') }, limit, bounded);
  let start: number;
  let end: number;
  try {
    [start, end] = b.build(ast);
  } catch (e) {
    if (e instanceof TooBig) return null;
    throw e;
  }
  const { out, accepting } = epsilonFree(b.edges, start, end);
  const n = out.length;
  if (n > 120) return null;

  // Exponential, simplest form: a character read in two ways on a loop — (a+)+, (a*)*.
  const loops = scc(n, (v) => out[v]!.map((e) => e.to));
  for (let p = 0; p < n; p++) {
    for (const e of out[p]!) {
      if (
        e.twice &&
        loops[e.to] === loops[p] &&
        (e.to === p || out[e.to]!.length > 0) &&
        !accepting[e.to] &&
        reaches(out, e.to, p)
      ) {
        return { kind: 'exponential', char: show(pick(e.set)) };
      }
    }
  }

  // Exponential: an SCC of A×A holding a diagonal pair and an off-diagonal pair.
  const succ = (v: number) => {
    const p = Math.floor(v / n);
    const q = v % n;
    const next: number[] = [];
    for (const a of out[p]!) for (const c of out[q]!) if (intersects(a.set, c.set) !== null) next.push(a.to * n + c.to);
    return next;
  };
  const comp = scc(n * n, succ);
  const diag = new Map<number, number>();
  for (let q = 0; q < n; q++) if (!accepting[q]) diag.set(comp[q * n + q]!, q);
  for (let v = 0; v < n * n; v++) {
    const p = Math.floor(v / n);
    const q = v % n;
    if (p === q) continue;
    const d = diag.get(comp[v]!);
    if (d === undefined) continue;
    // The pair must lie on a cycle with the diagonal, not only in its trivial SCC.
    const loop = out[d]!.find((e) => comp[e.to * n + e.to] === comp[v]) ?? out[d]![0];
    return { kind: 'exponential', char: show(loop ? pick(loop.set) : 97) };
  }

  // Polynomial, adjacent: p→p, p→q, q→q on one character, p ≠ q, q not accepting.
  for (let p = 0; p < n; p++) {
    const self = out[p]!.filter((e) => e.to === p);
    if (!self.length) continue;
    for (const pq of out[p]!) {
      const q = pq.to;
      if (q === p || accepting[q]) continue;
      for (const qq of out[q]!.filter((e) => e.to === q)) {
        for (const pp of self) {
          const c1 = intersects(pp.set, pq.set);
          if (c1 === null) continue;
          const both = normalise(
            pp.set.flatMap(([a, z]) => pq.set.map(([x, y]) => [Math.max(a, x), Math.min(z, y)] as Range)),
          );
          const all = normalise(
            both.flatMap(([a, z]) => qq.set.map(([x, y]) => [Math.max(a, x), Math.min(z, y)] as Range)),
          );
          if (all.length) return { kind: 'polynomial', char: show(pick(all)) };
        }
      }
    }
  }
  if (paths) return loopsJoinedByPath(out, accepting);
  return null;
}

/**
 * Polynomial, joined: loops p→p and q→q (p ≠ q, q not accepting) that share a
 * character, and a path p ⇝ q whose every edge can read one of the shared
 * characters. Conservative: the path may read different shared characters.
 */
function loopsJoinedByPath(out: Array<Array<{ to: number; set: CharSet }>>, accepting: boolean[]): Verdict {
  const n = out.length;
  const loop = out.map((edges, p) => normalise(edges.filter((e) => e.to === p).flatMap((e) => e.set)));
  for (let p = 0; p < n; p++) {
    if (!loop[p]!.length) continue;
    for (let q = 0; q < n; q++) {
      if (q === p || accepting[q] || !loop[q]!.length) continue;
      const shared = normalise(
        loop[p]!.flatMap(([a, z]) => loop[q]!.map(([x, y]) => [Math.max(a, x), Math.min(z, y)] as Range)),
      );
      if (!shared.length) continue;
      const seen = new Set([p]);
      const stack = [p];
      while (stack.length) {
        const x = stack.pop()!;
        for (const e of out[x]!) {
          if (seen.has(e.to) || intersects(e.set, shared) === null) continue;
          if (e.to === q) return { kind: 'polynomial', char: show(pick(shared)) };
          seen.add(e.to);
          stack.push(e.to);
        }
      }
    }
  }
  return null;
}
