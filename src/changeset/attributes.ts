/**
 * The `linguist-generated` and `linguist-vendored` attributes of changed
 * files, as the `.gitattributes` files committed at the change's base set
 * them (DESIGN §8). They classify a file, no more: a marked file still gets
 * every check that reads text (prepare.ts). They are read from the base,
 * never from the change, because a change that adds `* linguist-vendored`
 * must not switch the code atoms off for itself; such an edit is the guard's
 * (src/review/areas.ts), like a policy edit.
 *
 * git 2.39 has no `check-attr --source`, so the few lines that matter are
 * read here: a pattern as .gitattributes writes it (gitignore's globs, no
 * negation), the last matching line winning, a deeper file over a shallower.
 */

export type LinguistKind = 'generated' | 'vendored';

interface Line {
  matches: (path: string) => boolean;
  generated?: boolean;
  vendored?: boolean;
}

const ATTRIBUTE = /^([-!]?)linguist-(generated|vendored)(?:=(\S*))?$/;

/**
 * The changed paths the base's attributes mark generated or vendored. `read` gives a blob's text at the
 * base (`<base>:<dir>/.gitattributes`), null when there is none.
 */
export async function linguistMarks(
  paths: readonly string[],
  read: (gitattributes: string) => Promise<string | null>,
): Promise<Map<string, LinguistKind>> {
  const dirs = new Set<string>(['']);
  for (const path of paths)
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) dirs.add(path.slice(0, i));
  const rules = new Map<string, Line[]>();
  await Promise.all(
    [...dirs].map(async (dir) => {
      const text = await read(dir ? `${dir}/.gitattributes` : '.gitattributes').catch(() => null);
      const lines = text?.includes('linguist-') ? parseLines(text, dir) : [];
      if (lines.length) rules.set(dir, lines);
    }),
  );
  const marks = new Map<string, LinguistKind>();
  if (!rules.size) return marks;
  for (const path of paths) {
    let generated = false;
    let vendored = false;
    // The root first, then each directory down to the file's: a later line overrides an earlier one.
    const ancestors = [''];
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) ancestors.push(path.slice(0, i));
    for (const dir of ancestors)
      for (const line of rules.get(dir) ?? []) {
        if (!line.matches(path)) continue;
        if (line.generated !== undefined) generated = line.generated;
        if (line.vendored !== undefined) vendored = line.vendored;
      }
    if (generated) marks.set(path, 'generated');
    else if (vendored) marks.set(path, 'vendored');
  }
  return marks;
}

/** The lines of one .gitattributes (in `dir`) that set or unset a linguist classification. */
function parseLines(text: string, dir: string): Line[] {
  const lines: Line[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const fields = raw.trim().split(/\s+/);
    const pattern = fields[0];
    // Comments, macro definitions and quoted patterns (rare; left unmarked) set nothing here.
    if (!pattern || pattern.startsWith('#') || pattern.startsWith('[attr]') || pattern.startsWith('"')) continue;
    const line: Line = { matches: () => false };
    for (const field of fields.slice(1)) {
      const m = ATTRIBUTE.exec(field);
      if (!m) continue;
      // `attr`, `attr=true`: set; `-attr`, `attr=false`: unset; `!attr`: unspecified, so not marked either.
      const on = m[1] === '' && (m[3] === undefined || m[3] === 'true' || m[3] === '1');
      line[m[2] as LinguistKind] = on;
    }
    if (line.generated === undefined && line.vendored === undefined) continue;
    line.matches = patternMatcher(pattern, dir);
    lines.push(line);
  }
  return lines;
}

/**
 * gitattributes' pattern rules: without a slash (a trailing one aside) the pattern matches the name at any depth
 * below `dir`; with one, it is anchored at `dir`. A pattern ending in `/` names a directory, which attributes never
 * apply to; `dir/**` is how a directory's files are named.
 */
function patternMatcher(pattern: string, dir: string): (path: string) => boolean {
  if (pattern.endsWith('/')) return () => false;
  const anchored = pattern.includes('/');
  const body = globToRegExp(pattern.replace(/^\//, ''));
  const prefix = dir ? `${escape(dir)}/` : '';
  const regex = new RegExp(`^${prefix}${anchored ? '' : '(?:.*/)?'}${body}$`);
  return (path) => regex.test(path);
}

function globToRegExp(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slashAfter = glob[i + 2] === '/';
      // `**/` any directories (or none); a trailing `/**` everything inside; elsewhere like `*`.
      if (slashAfter && (i === 0 || glob[i - 1] === '/')) {
        out += '(?:.*/)?';
        i += 2;
      } else if (i + 2 === glob.length && (i === 0 || glob[i - 1] === '/')) {
        out += '.*';
        i += 1;
      } else {
        out += '[^/]*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) out += '\\[';
      else {
        const inside = glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${inside}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < glob.length) out += escape(glob[++i]!);
    else out += escape(c);
  }
  return out;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
