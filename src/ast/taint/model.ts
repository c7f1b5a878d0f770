/**
 * The data-flow analysis's shared vocabulary: what a taint is, what a guard
 * protects, the small operations on taints, and the links through which its
 * parts (propagation, guards and sanitisers, constant evaluation) ask each other.
 */
import type { Node } from '../nodes.js';
import type { Binding, Def } from '../scope.js';

/** Where tainted data comes from: the request, an uploaded file's name, the command line, the page's URL (browser code). */
export type TaintKind = 'request' | 'upload' | 'argv' | 'dom';

export interface Taint {
  kind: TaintKind;
  /** The source as written (`req.query.url`, `@Body() dto`), for messages. */
  label: string;
  /** The source expression. */
  node: Node;
  /** The value may be an object or array (JSON body, parsed query), not only a string: what NoSQL and prototype pollution need. */
  structured: boolean;
  /** Lines the value passed through on its way (source, assignments, call sites). */
  lines: number[];
  /** Call sites in this module through which the value reached a helper's parameter, outermost first. */
  via: Node[];
}

export type Env = Map<Binding, Taint[]>;

/** What a guard protects: a binding (`name`), or a member chain by its text (`req.query.to`). */
export type Target = Binding | { text: string; root: Binding };

export type Strength = 'safe' | 'string';

export interface Guard {
  polarity: 'pos' | 'neg';
  strength: Strength;
}

export const MAX_DEPTH = 8;

/** Request objects by flavour (see sources.ts). */
export type Flavour = 'express' | 'koa' | 'lambda';

/** What a module (src/ast/module.ts) asks of its data flow; `Flow` answers. */
export interface DataFlow {
  taints(expr: Node): Taint[];
  source(expr: Node): Taint | null;
  requestFlavour(id: Node): Flavour | null;
  isConstant(expr: Node): boolean;
  isScalar(expr: Node): boolean;
  isSanitiserCall(call: Node): boolean;
  stringValue(expr: Node): string | undefined;
  dynamicParts(expr: Node): Node[];
  shape(expr: Node): string | undefined;
}

/** What each part of the analysis asks the others (implemented by `Flow`, which holds the parts). */
export interface Links {
  /** Nodes under evaluation: propagation and constant evaluation share it, so a cycle between them ends. */
  readonly active: Set<Node>;
  taints(expr: Node): Taint[];
  isConstant(expr: Node, depth?: number): boolean;
  isSanitiserCall(call: Node): boolean;
  guardAt(use: Node, b: Target): Strength | null;
  reachingDefs(b: Binding, use: Node): Def[];
}

export function taint(kind: TaintKind, label: string, node: Node, isStructured: boolean, line: number): Taint {
  return { kind, label, node, structured: isStructured, lines: [line], via: [] };
}

export const stringy = (t: Taint): Taint => (t.structured ? { ...t, structured: false } : t);

export const structured = (t: Taint): Taint => t;

/** `req.query` read as `.name`: say so in messages. */
export const member = (t: Taint, name: string | null): Taint =>
  name && t.via.length === 0 && t.label.length < 50 && /^[\w$.@()' ]+$/.test(t.label) && !t.label.endsWith(')')
    ? { ...t, label: `${t.label}.${name}` }
    : t;

export const addLine = (t: Taint, line: number): Taint =>
  t.lines.includes(line) ? t : { ...t, lines: [...t.lines, line] };

export function union(parts: Taint[][]): Taint[] {
  const out: Taint[] = [];
  for (const list of parts) {
    for (const t of list) {
      const same = out.findIndex(
        (o) => o.node === t.node && o.via.length === t.via.length && o.via.every((v, i) => v === t.via[i]),
      );
      if (same < 0) out.push(t);
      else if (t.structured && !out[same]!.structured) out[same] = t;
    }
  }
  return out;
}
