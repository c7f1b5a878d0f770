/** Helpers every lockfile reader shares. */
import { LockfileError, type Source } from '../types.js';

export type Position = (offset: number) => { line: number; column: number };

/** JSON.parse with the failure turned into a LockfileError that knows the line. */
export function parseJson(text: string, what: string, position: Position): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const lineCol = /line (\d+) column (\d+)/.exec(message);
    const line = lineCol ? Number(lineCol[1]) : at ? position(Number(at[1])).line : null;
    throw new LockfileError(
      `${what} is not valid JSON${line ? ` (line ${line})` : ''}: ${message.replace(/^JSON\.parse: /, '')}`,
      line,
      'corrupt',
    );
  }
}

/** Git conflict markers: the commonest way a lockfile gets corrupted. */
export function conflictMarker(text: string): number | null {
  const m = /^(?:<{7}|={7}|>{7})(?: |$)/m.exec(text);
  if (!m) return null;
  return text.slice(0, m.index).split('\n').length;
}

/** `name@range` → [name, range], scoped names included. */
export function splitSpec(spec: string): [string, string] {
  const at = spec.indexOf('@', 1);
  return at < 0 ? [spec, ''] : [spec.slice(0, at), spec.slice(at + 1)];
}

const REGISTRY_TARBALL = /^https?:\/\/[^/]+\/(?:.*\/)?(@[^/]+\/)?[^/]+\/-\/[^/]+\.tgz(?:[#?].*)?$/;

/** What kind of place a resolved URL or path points at. */
export function sourceOf(resolved: string | undefined): Source {
  if (!resolved) return 'registry';
  if (resolved.startsWith('https://registry.npmjs.org/') && resolved.includes('/-/')) return 'registry';
  if (
    /^(?:git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(resolved) ||
    /^https?:\/\/codeload\.github\.com\//.test(resolved)
  )
    return 'git';
  if (/^(?:file:|\.{0,2}\/)/.test(resolved)) return 'file';
  if (/^link:/.test(resolved)) return 'link';
  if (/^workspace:/.test(resolved)) return 'workspace';
  if (/^https?:\/\//.test(resolved)) return REGISTRY_TARBALL.test(resolved) ? 'registry' : 'tarball';
  return 'registry';
}

/** 1-based line numbers of `[start, end)` offsets. */
export function lineSpan(position: Position, start: number, end: number): { line: number; endLine: number } {
  return { line: position(start).line, endLine: position(Math.max(start, end - 1)).line };
}
