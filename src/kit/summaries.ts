/**
 * Calls into other modules of the repository: `import { deepMerge } from
 * '../utils/merge'`, `const products = require('../model/products')`. A data-flow
 * atom wrapped in `followCalls` also reports what a helper of another module
 * does with the request data a call passes it: the helper is analysed with its
 * parameters holding that data, and what the analysis finds there that it does
 * not find without it is reported at the call (that is the line that brings
 * the request to the helper). Only calls with a tainted argument to a local
 * module ask anything; the module is read, its text pre-filtered, then parsed,
 * and each answer is kept for the run (per project view: per worker, per commit).
 */
import type { CallInfo, CodeModule, ImportedFunction, Node, Taint } from '../ast/module.js';
import { isFunction, isLocalModule, keyName, unwrap } from '../ast/nodes.js';
import type { CheckContext, Hit, ProjectView, SourceFile } from './atom.js';
import { remember } from './app.js';
import { resolveImport } from './imports.js';
import { timing } from '../timing.js';

type Analyse<O> = (m: CodeModule, file: SourceFile, ctx: CheckContext<O>) => Hit[] | Promise<Hit[]>;

/**
 * Keywords of an atom that follows calls: a file importing a local module may pass request data
 * to a helper holding the atom's sink, so it is checked even without the sink's words.
 */
export const LOCAL_IMPORTS = [
  "require('.",
  'require(".',
  "from '.",
  'from ".',
  "from '@/",
  'from "@/',
  "from '~/",
  'from "~/',
];

/** The same, as a pattern: for an atom's `hint` (src/kit/code.ts). */
export const IMPORTS_LOCAL = /\brequire\s*\(\s*['"](?:\.|@\/|~\/)|\bfrom\s*['"](?:\.|@\/|~\/)/;

/** Request data (or a request passed on) in a file's text, loosely (taint/sources.ts decides): without it, no call of the file passes any. */
const REQUEST_TEXT =
  /\.(?:body|query|params|headers|cookies|files?|originalUrl|url|searchParams)\b|\.(?:json|formData|text)\s*\(\s*\)|@(?:Body|Query|Param|Headers|UploadedFiles?)\b|\bprocess\.argv\b|\blocation\.|useSearchParams|['"]use server['"]|\b(?:req|request|ctx)\s*[,)]/;

/**
 * Whether a text holds request data, or a local import: a dozen atoms ask about each file, so the answers for
 * the last text asked about are kept (atoms run file by file).
 */
const asked: { text: string | undefined; request?: boolean; local?: boolean } = { text: undefined };
function holds(text: string, what: 'request' | 'local'): boolean {
  if (asked.text !== text) {
    asked.text = text;
    asked.request = asked.local = undefined;
  }
  return (asked[what] ??= (what === 'request' ? REQUEST_TEXT : IMPORTS_LOCAL).test(text));
}

/**
 * Words to look for in a lower-cased text, as one pattern: a pass per atom over the text, not one per word (most
 * words of most atoms are not in a file, and each `includes` of an absent word read the whole text).
 */
export function wordPattern(words: readonly string[]): RegExp {
  if (!words.length) return /(?!)/;
  return new RegExp(words.map((w) => w.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
}

/** The lower-cased text of the last text asked about: a dozen atoms look for their sink words in each file. */
const lowered: { text: string | undefined; lower: string } = { text: undefined, lower: '' };
/** True when the text holds one of the words of `pattern` (wordPattern), in any case. */
function holdsWord(text: string, pattern: RegExp): boolean {
  if (lowered.text !== text) {
    lowered.text = text;
    lowered.lower = text.toLowerCase();
  }
  return pattern.test(lowered.lower);
}

/** The file imports a local module and holds request data: a call of it may hand request data to a helper. */
export const mayFollow = (file: Pick<SourceFile, 'text'>): boolean =>
  holds(file.text, 'local') && holds(file.text, 'request');

/**
 * codeCheck's hint for an atom that follows calls: a file routed to it only for importing a local module
 * (LOCAL_IMPORTS) is parsed only when it holds request data too; any other file as before.
 */
export function followHint(sinkWords: readonly string[]): (file: SourceFile) => boolean {
  const words = wordPattern(sinkWords);
  return (file) => !holds(file.text, 'local') || holds(file.text, 'request') || holdsWord(file.text, words);
}

/** Calls followed per file: a module calling dozens of helpers with request data is judged on the first ones. */
const MAX_CALLS = 24;

/** A function another module exports, found by the name a call uses. */
export interface ExportedFunction {
  path: string;
  module: CodeModule;
  fn: Node;
}

/** How an atom follows calls into other modules. */
export interface Follow {
  /** What an argument brings to the helper: its request taints (the default), or a taint made for the atom's question (`passedValue`). */
  argument?: (m: CodeModule, arg: Node) => Taint[];
  /** What a finding in the helper says the data reaches, for the message; its `sink` by default. */
  sink?: (hit: Hit) => string;
  /** Text a file must hold for its calls to be followed: request data (the default). */
  text?: RegExp;
}

/**
 * The analysis plus what the helpers of other modules it calls with request data do with it.
 * `sinkWords`: the atom's own keywords, one of which a helper's module must hold to be parsed.
 */
export function followCalls<O>(analyse: Analyse<O>, sinkWords: readonly string[], how: Follow = {}): Analyse<O> {
  const argument = how.argument ?? requestTaints;
  const text = how.text ?? REQUEST_TEXT;
  const sinkOf = how.sink ?? ((h: Hit) => (typeof h.data?.sink === 'string' ? h.data.sink : 'a sink'));
  // What the analysis finds in a helper's module on its own, once per module and run.
  const alone = new WeakMap<ProjectView, Map<string, Promise<Set<string>>>>();
  const own = (project: ProjectView, helper: ExportedFunction, file: SourceFile, ctx: CheckContext<O>) => {
    let known = alone.get(project);
    if (!known) alone.set(project, (known = new Map()));
    let found = known.get(helper.path);
    if (!found) {
      timing.count('cross-module: helper modules analysed on their own');
      known.set(
        helper.path,
        (found = Promise.resolve(analyse(helper.module, file, ctx)).then((hits) => new Set(hits.map(place)))),
      );
    }
    return found;
  };
  // What the helper does with what a call passes it, once per helper function and kind of data passed, per project
  // view: a route module makes the same call (`pool.query(sql, [req.params.id])`) in every handler, and so do its
  // siblings. The answer is plain data (the helper's new findings), not kept when the analysis failed.
  const given = new WeakMap<ProjectView, Map<string, Promise<Hit[]>>>();
  const passedTo = (
    helper: ExportedFunction,
    args: Array<Taint[] | undefined>,
    helperFile: SourceFile,
    ctx: CheckContext<O>,
  ): Promise<Hit[]> => {
    let known = given.get(ctx.project);
    if (!known) given.set(ctx.project, (known = new Map()));
    const key = `${helper.path}\0${helper.fn.start}\0${argumentsKey(args)}`;
    let found = known.get(key);
    if (!found) {
      found = (async () => {
        const before = await own(ctx.project, helper, helperFile, ctx);
        const passed = args.map((ts) => ts?.map((t) => ({ ...t, lines: [helper.module.line(helper.fn)], via: [] })));
        timing.count('cross-module: helper functions analysed with the data passed');
        const after = await analyse(helper.module.withArguments(helper.fn, passed), helperFile, ctx);
        return after.filter((h) => !before.has(place(h)));
      })();
      known.set(key, found);
      const map = known;
      found.catch(() => map.delete(key));
    }
    return found;
  };
  const words = wordPattern(sinkWords);
  const holdsSink = (t: string) => holdsWord(t, words);
  return (m, file, ctx) => {
    if (!(text === REQUEST_TEXT ? holds(m.text, 'request') : text.test(m.text))) return analyse(m, file, ctx);
    // A file without the atom's sink words (routed for its local imports) has nothing of its own to report:
    // only what the helpers it calls do with request data.
    if (!holdsSink(m.text)) return follow(m, file, ctx, false);
    // First pass; then, when it asked about calls of local modules given request data (what a helper returns,
    // whether a check guards), those are looked up and the analysis runs again with them (CodeModule.withImports).
    const first = follow(m, file, ctx);
    const again = (hits: Hit[]): Hit[] | Promise<Hit[]> => {
      const asked = importedCalls(m);
      if (!asked.length) return hits;
      return (async () => {
        const found = new Map<Node, ImportedFunction | undefined>();
        for (const call of asked) {
          const words = CHECK_NAME.test(call.callee.name) ? CHECK_WORDS : RETURN_WORDS;
          const helper = await calledExport(ctx.project, file.path, call, words, m);
          found.set(call.node, helper ? { module: helper.module, fn: helper.fn } : undefined);
        }
        return [...found.values()].some(Boolean) ? follow(m.withImports(found), file, ctx) : hits;
      })();
    };
    return first instanceof Promise ? first.then(again) : again(first);
  };

  function follow(m: CodeModule, file: SourceFile, ctx: CheckContext<O>, itsOwn = true): Hit[] | Promise<Hit[]> {
    const hits = itsOwn ? analyse(m, file, ctx) : [];
    const calls = candidates(m, argument);
    if (!calls.length) return hits;
    return (async () => {
      const mine = await hits;
      const seen = new Set(mine.map((h) => `${h.rule}:${h.line}`));
      // The calls of a file mostly name the same helper (`pool.query` in every handler): looked up once per file.
      const helpers = new Map<string, Promise<{ helper: ExportedFunction; helperFile: SourceFile } | null>>();
      const lookUp = async (spec: string, name: string) => {
        const helper = await exportedFunction(ctx.project, file.path, spec, name, sinkWords);
        const helperFile = helper && (await ctx.project.source(helper.path));
        return helper && helperFile ? { helper, helperFile } : null;
      };
      for (const { call, spec, name, args } of calls) {
        const key = `${spec}\0${name}`;
        let target = helpers.get(key);
        if (!target) helpers.set(key, (target = lookUp(spec, name)));
        const found = await target;
        if (!found) continue;
        const { helper, helperFile } = found;
        for (const h of await passedTo(helper, args, helperFile, ctx)) {
          const label = h.data?.source;
          const t = args.flat().find((x) => x?.label === label) ?? args.flat().find(Boolean)!;
          const hit = m.hit(h.rule, call.node, {
            messageId: 'across',
            data: {
              source: t.label,
              line: t.lines[0]!,
              helper: calleeName(m, call, name),
              sink: sinkOf(h),
              file: helper.path,
              sinkLine: h.line,
            },
            flow: t.lines,
          });
          if (h.severity) hit.severity = h.severity;
          if (seen.has(`${hit.rule}:${hit.line}`)) continue;
          seen.add(`${hit.rule}:${hit.line}`);
          mine.push(hit);
        }
      }
      return mine;
    })();
  }
}

/** Names of checks whose code decides whether they guard anything (`isRedirectAllowed`, `isSafeUrl`, `validateHost`). */
const CHECK_NAME = /allow|valid|safe|trust|permit|whitelist|allowlist|known/i;
/** What such a check's module holds when its check may be a weak one (see `weakContainment`, src/ast/taint/guards.ts). */
const CHECK_WORDS = ['.includes(', '.indexof(', '.startswith(', '.endswith('];
/** What a module holds when its functions return something (every module, nearly: it only skips empty ones). */
const RETURN_WORDS = ['return', '=>'];

/**
 * The calls of local modules the analysis asked about (`CodeModule.askedImports`) that are given request data
 * or the request itself: a check (judged by its code), a helper whose return value carries what it returns of them.
 */
function importedCalls(m: CodeModule): CallInfo[] {
  const out: CallInfo[] = [];
  for (const c of m.calls()) {
    if (!m.askedImports.has(c.node) || targetOf(m, c) === null) continue;
    const given = c.args.some(
      (a) => m.taints(a).length > 0 || (unwrap(a).type === 'Identifier' && m.flow.requestFlavour(unwrap(a)) !== null),
    );
    if (given) out.push(c);
    if (out.length >= MAX_CALLS) break;
  }
  return out;
}

/**
 * What a call passes, as far as the helper's analysis can tell: each taint's kind, label and whether it may be an
 * object, and which arguments carry the same source (the analysis merges taints of one source node). Lines are
 * not part of it: the helper is given its own function's line.
 */
function argumentsKey(args: ReadonlyArray<Taint[] | undefined>): string {
  const sources: Node[] = [];
  const sourceOf = (n: Node) => {
    const i = sources.indexOf(n);
    return i >= 0 ? i : sources.push(n) - 1;
  };
  return JSON.stringify(args.map((ts) => ts?.map((t) => [t.kind, t.label, t.structured, sourceOf(t.node)]) ?? 0));
}

/** A finding's place and what it says: the same place saying more (request data now reaches it) is new. */
const place = (h: Hit) => `${h.rule}:${h.line}:${h.column}:${h.messageId ?? ''}`;

const calleeName = (m: CodeModule, call: CallInfo, name: string) =>
  name === 'default' ? m.callee(call.node.callee).name : name;

/** A taint standing for "the value this argument holds" (a password, a token), for atoms whose question is not request data. */
export function passedValue(m: CodeModule, arg: Node): Taint {
  return {
    kind: 'request',
    label: m.source(arg).replace(/\s+/g, ' ').slice(0, 60),
    node: arg,
    structured: false,
    lines: [m.line(arg)],
    via: [],
  };
}

/** The export a call names when its function comes from a local module: `merge()` (default), `items.list()`, `deepMerge()` (named). */
export function exportName(call: CallInfo): string | null {
  const { module: spec, path, imported } = call.callee;
  if (spec === undefined || !isLocalModule(spec) || call.isNew) return null;
  if (imported) return path.length === 1 ? 'default' : path.length === 2 ? path[1]! : null;
  return path.length === 1 ? path[0]! : path.length === 2 ? `${path[0]}.${path[1]}` : null;
}

/**
 * `this.usersService.findByName(…)` in a class whose constructor takes `private usersService: UsersService`
 * (NestJS and other injected services), UsersService imported from a local module: its method there.
 */
function injectedMethod(m: CodeModule, call: CallInfo): { spec: string; name: string } | null {
  const { path, module } = call.callee;
  if (module !== undefined || path.length !== 3 || path[0] !== 'this' || call.isNew) return null;
  const [, field, method] = path as [string, string, string];
  const body = [...m.ancestors(call.node)].find((a) => a.type === 'ClassBody');
  let type: Node | undefined;
  for (const e of (body?.body ?? []) as Node[]) {
    if (e.type === 'MethodDefinition' && e.kind === 'constructor') {
      for (const p of e.value.params as Node[]) {
        const id = p.type === 'TSParameterProperty' ? p.parameter : undefined;
        if (id?.type === 'Identifier' && id.name === field) type = id.typeAnnotation?.typeAnnotation;
      }
    } else if (e.type === 'PropertyDefinition' && keyName(e) === field) type = e.typeAnnotation?.typeAnnotation;
  }
  const typeName =
    type?.type === 'TSTypeReference' && type.typeName.type === 'Identifier' ? type.typeName.name : undefined;
  const b = typeName ? m.topLevel(typeName) : undefined;
  if (!b?.import || !isLocalModule(b.import.module) || b.import.name === '*') return null;
  return { spec: b.import.module, name: `${b.import.name}.${method}` };
}

/** The module and export a call names: a function of a local module, or a method of an injected service's class. */
function targetOf(m: CodeModule, call: CallInfo): { spec: string; name: string } | null {
  const name = exportName(call);
  return name ? { spec: call.callee.module!, name } : injectedMethod(m, call);
}

/** The function of another module a call calls, when the module is local and holds one of `words`. */
export function calledExport(
  project: ProjectView,
  from: string,
  call: CallInfo,
  words: readonly string[],
  m?: CodeModule,
): Promise<ExportedFunction | null> {
  const name = exportName(call);
  const target = name ? { spec: call.callee.module!, name } : m ? injectedMethod(m, call) : null;
  return target ? exportedFunction(project, from, target.spec, target.name, words) : Promise.resolve(null);
}

/** The request taints an argument brings: the default of `Follow.argument`, one function shared by the atoms. */
const requestTaints = (m: CodeModule, arg: Node): Taint[] => m.taints(arg);

type Candidate = { call: CallInfo; spec: string; name: string; args: Array<Taint[] | undefined> };
/** candidates() by module (or view of one) and argument function: a dozen atoms ask about the same calls of a file. */
const candidatesOf = new WeakMap<CodeModule, Map<Follow['argument'], Candidate[]>>();

/** Calls to a function of a local module with at least one argument that brings what the atom follows. */
function candidates(m: CodeModule, argument: NonNullable<Follow['argument']>): Candidate[] {
  let known = candidatesOf.get(m);
  if (!known) candidatesOf.set(m, (known = new Map()));
  let found = known.get(argument);
  if (!found) known.set(argument, (found = callsBringing(m, argument)));
  return found;
}

function callsBringing(m: CodeModule, argument: NonNullable<Follow['argument']>): Candidate[] {
  if (!/\brequire\s*\(|\bimport\b/.test(m.text)) return [];
  const out: Candidate[] = [];
  for (const call of m.calls()) {
    const target = targetOf(m, call);
    if (!target) continue;
    let any = false;
    const args = call.args.map((a) => {
      if (a.type === 'SpreadElement') return undefined;
      const ts = argument(m, a);
      if (ts.length) any = true;
      return ts.length ? ts : undefined;
    });
    if (!any) continue;
    out.push({ call, spec: target.spec, name: target.name, args });
    if (out.length >= MAX_CALLS) break;
  }
  return out;
}

/**
 * The function `name` (or `default`) that the module `spec` imported from `from` exports: ESM
 * (`export function`, `export const`, `export { a as b }`, `export default`), CommonJS
 * (`module.exports = fn | { name }`, `exports.name =`), followed through re-exports and `index` files.
 * null when the module is not in the repository, holds none of `words`, or exports no such function.
 */
export function exportedFunction(
  project: ProjectView,
  from: string,
  spec: string,
  name: string,
  words: readonly string[],
  depth = 0,
): Promise<ExportedFunction | null> {
  // By the importing file's directory, all the import's resolution depends on: the files of a folder share answers.
  return remember(
    project,
    `summaries\0fn\0${dirOf(from)}\0${spec}\0${name}\0${depth}\0${words.join('\0')}`,
    async () => {
      const path = await resolveImport(project, from, spec);
      return path ? exportIn(project, path, name, words, depth) : null;
    },
  );
}

/** exportedFunction in the module at `path`: once per module for all the files that import it. */
function exportIn(
  project: ProjectView,
  path: string,
  name: string,
  words: readonly string[],
  depth: number,
): Promise<ExportedFunction | null> {
  const holds = (text: string) => {
    const lower = text.toLowerCase();
    return words.some((w) => lower.includes(w.toLowerCase()));
  };
  return remember(project, `summaries\0export\0${path}\0${name}\0${depth}\0${words.join('\0')}`, async () => {
    const source = await project.read(path);
    if (!source || !(holds(source) || /\bexport\s*\*|\bexport\s*\{[^}]*\}\s*from\b/.test(source))) return null;
    const parsed = await (await project.source(path))?.ast();
    if (!parsed?.ok) return null;
    const found = findExport(parsed, name);
    if (!found) return null;
    if ('fn' in found) return holds(source) ? { path, module: parsed, fn: found.fn } : null;
    if (depth >= 2) return null;
    for (const next of found.from) {
      const inner = await exportedFunction(project, path, next.spec, next.name, words, depth + 1);
      if (inner) return inner;
    }
    return null;
  });
}

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

type Found = { fn: Node } | { from: Array<{ spec: string; name: string }> };

/** An instance method (or arrow property) of a class. */
function classMethod(cls: Node, key: string): Found | null {
  const method = (cls.body?.body as Node[] | undefined)?.find(
    (e) => (e.type === 'MethodDefinition' || e.type === 'PropertyDefinition') && !e.static && keyName(e) === key,
  );
  return method?.value && isFunction(unwrap(method.value)) ? { fn: unwrap(method.value) } : null;
}

/** Where a module's export of `name` is: a function here, or modules it re-exports from. */
function findExport(m: CodeModule, name: string): Found | null {
  const local = (id: string): Found | null => {
    const b = m.topLevel(id);
    const def = b?.defs.length === 1 ? b.defs[0] : undefined;
    if (b?.import && isLocalModule(b.import.module)) return { from: [{ spec: b.import.module, name: b.import.name }] };
    if (!def?.value || def.path.length) return null;
    return valueOf(def.value);
  };
  const valueOf = (v: Node): Found | null => {
    const n = unwrap(v);
    if (isFunction(n)) return { fn: n };
    if (n.type === 'Identifier') return local(n.name);
    const spec = m.requiredModule(n);
    if (spec && isLocalModule(spec)) return { from: [{ spec, name: 'default' }] };
    return null;
  };
  /**
   * The property `name` of an exported object literal (`module.exports = { purchase }`, `export default { f }`),
   * or the method `name` of an exported instance of a class of the module (`export default new Database()`).
   */
  const member = (obj: Node, key = name): Found | null => {
    const literal = m.objectLiteral(obj);
    const v = literal && m.property(literal, key);
    if (v) return valueOf(v);
    const n = unwrap(obj);
    const cls = n.type === 'NewExpression' && n.callee.type === 'Identifier' ? m.topLevel(n.callee.name) : undefined;
    return cls?.kind === 'class' && cls.defs[0]?.value ? classMethod(cls.defs[0].value, key) : null;
  };
  // `db.run` of `import { db } from './db'`: the method of the exported object.
  const dot = name.indexOf('.');
  if (dot > 0) {
    const [outer, inner] = [name.slice(0, dot), name.slice(dot + 1)];
    for (const s of m.program.body as Node[]) {
      const d =
        s.type === 'ExportNamedDeclaration'
          ? s.declaration
          : s.type === 'ExportDefaultDeclaration' && outer === 'default'
            ? s.declaration
            : null;
      // `export class UsersService { findByName() {} }`: the method an injected instance runs.
      if (d?.type === 'ClassDeclaration' && (outer === 'default' || d.id?.name === outer)) return classMethod(d, inner);
      if (d?.type !== 'VariableDeclaration') continue;
      for (const v of d.declarations)
        if (v.id.type === 'Identifier' && v.id.name === outer && v.init) return member(v.init, inner);
    }
    return null;
  }
  const stars: Array<{ spec: string; name: string }> = [];
  for (const s of m.program.body as Node[]) {
    if (s.type === 'ExportNamedDeclaration') {
      const d = s.declaration;
      if (d?.type === 'FunctionDeclaration' && d.id?.name === name) return { fn: d };
      if (d?.type === 'VariableDeclaration')
        for (const v of d.declarations)
          if (v.id.type === 'Identifier' && v.id.name === name && v.init) return valueOf(v.init);
      for (const spec of s.specifiers ?? []) {
        const exported = spec.exported?.name ?? spec.exported?.value;
        if (exported !== name) continue;
        const localName = spec.local?.name ?? spec.local?.value;
        if (s.source) return { from: [{ spec: s.source.value, name: localName }] };
        return local(localName);
      }
    } else if (s.type === 'ExportAllDeclaration' && s.source && !s.exported) {
      stars.push({ spec: s.source.value, name });
    } else if (s.type === 'ExportDefaultDeclaration') {
      const d = s.declaration;
      if (name === 'default') return isFunction(d) ? { fn: d } : valueOf(d);
      const inDefault = d && d.type !== 'FunctionDeclaration' && d.type !== 'ClassDeclaration' && member(d);
      if (inDefault) return inDefault;
    } else if (s.type === 'ExpressionStatement' && unwrap(s.expression).type === 'AssignmentExpression') {
      const a = unwrap(s.expression);
      const target = m.callee(a.left).path;
      const cjs =
        target[0] === 'module' && target[1] === 'exports'
          ? target.slice(2)
          : target[0] === 'exports'
            ? target.slice(1)
            : null;
      if (!cjs) continue;
      if (cjs.length === 0) {
        if (name === 'default') {
          const found = valueOf(a.right);
          if (found) return found;
        } else {
          const found = member(a.right);
          if (found) return found;
        }
      } else if (cjs.length === 1 && cjs[0] === name) {
        const found = valueOf(a.right);
        if (found) return found;
      }
    }
  }
  return stars.length ? { from: stars } : null;
}
