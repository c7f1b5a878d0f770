/**
 * The secure pattern to show next to a finding. Atoms pair their examples by
 * file name (the bad `src/db.ts` and its fixed `src/db.ts`, extensions aside), and good
 * examples also include near-misses that merely pass (a SHA-1 of a file, not
 * of a password), which are no pattern to follow. So: find the bad example
 * that looks most like what was found, take the good examples paired with it
 * (all of them if none is), and of those the one that best shows the rule's
 * fix and the pass criterion and is closest to the finding. Words count by
 * how rare they are among the examples. Shared by the agent report and SARIF.
 */
import type { AnyAtom, Example } from '../kit/atom.js';

const IDENTIFIER = /[A-Za-z_$][\w$]*/g;

/** Words every piece of JavaScript has: they tell examples apart by nothing. */
const COMMON = new Set([
  'const',
  'let',
  'var',
  'await',
  'async',
  'return',
  'function',
  'export',
  'import',
  'from',
  'new',
  'true',
  'false',
  'null',
  'undefined',
  'this',
  'default',
  'the',
  'and',
  'with',
]);

/** Identifiers and their parts (`ADMIN_PASSWORD` → admin, password; `createHash` → create, hash), lower-cased, 3+ letters. */
function words(text: string): Set<string> {
  const out = new Set<string>();
  for (const id of text.match(IDENTIFIER) ?? []) {
    const parts = [id, ...id.split(/[_$]+|(?<=[a-z0-9])(?=[A-Z])/)];
    for (const p of parts) if (p.length >= 3 && !COMMON.has(p.toLowerCase())) out.add(p.toLowerCase());
  }
  return out;
}

function extension(path: string): string {
  const m = /\.([^./]+)$/.exec(path);
  return m ? m[1]!.toLowerCase() : path.split('/').pop()!.toLowerCase();
}

/** `src/users.js` and `src/users.ts` are the same example pair. */
const stem = (path: string) => path.replace(/\.[^./]+$/, '');

const FAMILY: Record<string, string> = {
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  jsx: 'js',
  ts: 'js',
  mts: 'js',
  cts: 'js',
  tsx: 'js',
  vue: 'js',
  svelte: 'js',
  yml: 'yaml',
  yaml: 'yaml',
};

export function closestGoodExample(
  atom: AnyAtom,
  near: ReadonlyArray<{ file: string; excerpt: string; rule?: string }>,
): Example | null {
  const good = atom.examples.good;
  if (!good.length) return null;
  const found = words(near.map((n) => n.excerpt).join('\n'));
  const fixes = words(near.map((n) => atom.rules[(n.rule ?? '').slice(atom.id.length + 1)]?.fix ?? '').join('\n'));
  const pass = words(atom.criteria.pass);
  const exts = new Set(near.map((n) => extension(n.file)));
  const families = new Set([...exts].map((e) => FAMILY[e] ?? e));
  const paths = new Set(near.map((n) => n.file));
  // The same path is the strongest sign of the same situation; then the same extension, then the same language.
  const kind = (file: string) =>
    (paths.has(file) ? 2 : 0) +
    (exts.has(extension(file)) ? 1.5 : families.has(FAMILY[extension(file)] ?? extension(file)) ? 1 : 0);

  const best = <T extends Example>(examples: readonly T[], weigh: (w: string) => number): T | null => {
    const vocab = examples.map((e) => words(e.code));
    const spread = new Map<string, number>();
    for (const v of vocab) for (const w of v) spread.set(w, (spread.get(w) ?? 0) + 1);
    let top: T | null = null;
    let topScore = -1;
    examples.forEach((example, i) => {
      let score = kind(example.file);
      for (const w of vocab[i]!) score += weigh(w) / spread.get(w)!;
      if (score > topScore) [top, topScore] = [example, score];
    });
    return top;
  };

  const twin = best(atom.examples.bad, (w) => (found.has(w) ? 1 : 0));
  const paired = twin ? good.filter((g: Example) => stem(g.file) === stem(twin.file)) : [];
  // A word both in the flagged line and in the fix names the operation to keep (`query`, `hash`): it counts most.
  return best(
    paired.length ? paired : good,
    (w) =>
      (fixes.has(w) ? 1 : 0) +
      (pass.has(w) ? 0.5 : 0) +
      (found.has(w) ? 0.5 : 0) +
      (found.has(w) && fixes.has(w) ? 1 : 0),
  );
}

/** Markdown fence languages by file extension (reports, skills and the generated atom pages). */
const FENCE_LANGUAGES: Record<string, string> = {
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  jsx: 'jsx',
  ts: 'ts',
  mts: 'ts',
  cts: 'ts',
  tsx: 'tsx',
  yml: 'yaml',
  yaml: 'yaml',
  json: 'json',
  py: 'python',
  sh: 'sh',
  md: 'md',
  pem: 'text',
  html: 'html',
  vue: 'vue',
  svelte: 'svelte',
  ejs: 'html',
  hbs: 'handlebars',
  pug: 'pug',
  toml: 'toml',
  ini: 'ini',
  properties: 'properties',
};

/** The Markdown fence language for a file. */
export function fenceLanguage(path: string): string {
  return FENCE_LANGUAGES[extension(path)] ?? (path.includes('.env') ? 'sh' : 'text');
}

/** A fenced code block that its content cannot close. */
export function fence(code: string, language: string): string {
  const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${code.replace(/\s*(?:\/\/|#)\s*✗\s*$/gm, '')}\n${ticks}`;
}

/** Inline code that survives backticks in the text. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** Up to `max` distinct secure patterns for an atom: the good examples paired (by file) with its bad ones, in order. */
export function securePatterns(atom: AnyAtom, max = 2): Example[] {
  const out: Example[] = [];
  for (const bad of atom.examples.bad) {
    if (!atom.examples.good.some((g) => stem(g.file) === stem(bad.file))) continue;
    const good = closestGoodExample(atom, [{ file: bad.file, excerpt: bad.code }]);
    if (good && !out.includes(good)) out.push(good);
    if (out.length >= max) break;
  }
  return out.length ? out : atom.examples.good.slice(0, 1);
}
