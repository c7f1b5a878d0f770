/**
 * `yarn.lock`, classic (v1, its own format) and Berry (v2+, YAML). Both are
 * blocks of `specs:` headers with indented fields, so one line reader serves
 * both and knows every entry's lines without a YAML parser.
 */
import { LockfileError, type LockedPackage, type Lockfile, type Source } from '../types.js';
import { sourceOf, splitSpec } from './common.js';

interface Entry {
  specs: string[];
  line: number;
  endLine: number;
  fields: Record<string, string>;
  blocks: Record<string, Record<string, string>>;
}

const FIELD = /^ {2}("(?:[^"\\]|\\.)*"|[^\s:"]+)(:?)(?:\s+(\S.*)?)?$/;
const NESTED = /^ {4}("(?:[^"\\]|\\.)*"|[^\s:"]+):?\s+(\S.*)?$/;

const unquote = (s: string) =>
  s.length >= 2 && s.startsWith('"') && s.endsWith('"')
    ? (JSON.parse(s) as string)
    : s.length >= 2 && s.startsWith("'") && s.endsWith("'")
      ? s.slice(1, -1)
      : s;

export function parseYarnLock(text: string): Lockfile {
  const lines = text.split('\n');
  const entries: Entry[] = [];
  let current: Entry | null = null;
  let block: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (!line.trim() || /^\s*#/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      if (!line.endsWith(':'))
        throw new LockfileError(
          `line ${i + 1} is neither an entry header ("name@range:") nor an indented field`,
          i + 1,
          'corrupt',
        );
      current = {
        specs: line
          .slice(0, -1)
          .replace(/"/g, '')
          .split(/,\s*/)
          .map((s) => s.trim())
          .filter(Boolean),
        line: i + 1,
        endLine: i + 1,
        fields: {},
        blocks: {},
      };
      entries.push(current);
      block = null;
      continue;
    }
    if (!current) throw new LockfileError(`line ${i + 1} is indented but belongs to no entry`, i + 1, 'corrupt');
    current.endLine = i + 1;
    if (indent % 2 || (indent > 2 && !block))
      throw new LockfileError(
        `line ${i + 1} is indented ${indent} spaces, which fits no field of the entry above`,
        i + 1,
        'corrupt',
      );
    if (indent === 2) {
      const m = FIELD.exec(line);
      if (!m) throw new LockfileError(`line ${i + 1} is not a "key value" field`, i + 1, 'corrupt');
      const key = unquote(m[1]!);
      const value = m[3]?.trim();
      if (value === undefined || value === '') {
        block = key;
        current.blocks[key] = {};
      } else {
        block = null;
        current.fields[key] = unquote(value);
      }
    } else if (block) {
      const m = NESTED.exec(line);
      if (m) current.blocks[block]![unquote(m[1]!)] = unquote((m[2] ?? '').trim());
    }
  }

  const meta = entries.find((e) => e.specs[0] === '__metadata');
  const berry = meta !== undefined || /^"?[^@\s]+@npm:/m.test(text);
  if (!berry && entries.length && !/# yarn lockfile v1/.test(text)) {
    // A classic lockfile always carries its header; without it, say what we assumed rather than guess silently.
    if (!entries.some((e) => e.fields.version))
      throw new LockfileError('no entry has a version: this is not a yarn lockfile', 1, 'corrupt');
  }
  const version = berry ? (meta?.fields.version ?? '?') : '1';
  if (berry && meta && !/^\d+$/.test(version))
    throw new LockfileError(`__metadata.version ${version} is not one ralph-guard reads`, meta.line, 'unsupported');

  const packages: LockedPackage[] = [];
  const where = new Map<LockedPackage, Entry>();
  const direct = new Map<string, string>();
  for (const e of entries) {
    if (e === meta) continue;
    const first = e.specs[0];
    if (!first) continue;
    const resolution = e.fields.resolution;
    if (berry && resolution && /@workspace:/.test(resolution)) {
      for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
        for (const [n, r] of Object.entries(e.blocks[field] ?? {}))
          if (!direct.has(n)) direct.set(n, r.replace(/^npm:/, ''));
      }
      continue;
    }
    const version = e.fields.version;
    if (!version) throw new LockfileError(`the entry "${first}" has no version`, e.line, 'corrupt');
    let [name, range] = splitSpec(first);
    if (range.startsWith('npm:') && range.includes('@', 5)) [name] = splitSpec(range.slice(4)); // alias: foo@npm:bar@^1
    let source: Source;
    let resolved: string | undefined;
    if (berry) {
      const [resName, how] = resolution ? splitSpec(resolution) : [name, `npm:${version}`];
      if (resName) name = resName;
      resolved = how;
      source = /^(?:npm|patch):/.test(how)
        ? 'registry'
        : /^(?:portal|link):/.test(how)
          ? 'link'
          : /^file:/.test(how)
            ? 'file'
            : /^(?:git|github|https?:\/\/github\.com\/.*#|.*#commit=)/.test(how)
              ? 'git'
              : sourceOf(how);
      if (source === 'registry') resolved = undefined;
    } else {
      resolved = e.fields.resolved;
      source = resolved ? sourceOf(resolved) : /^(?:file|link):/.test(range) ? 'file' : 'registry';
    }
    const integrity = e.fields.integrity ?? (e.fields.checksum ? `checksum-${e.fields.checksum}` : undefined);
    const pkg: LockedPackage = {
      name,
      version,
      key: e.specs.join(', '),
      source,
      ...(resolved ? { resolved } : {}),
      ...(integrity ? { integrity } : {}),
    };
    packages.push(pkg);
    where.set(pkg, e);
  }

  return {
    format: berry ? 'yarn-berry' : 'yarn-classic',
    version,
    packages,
    direct,
    locate: (pkg) => {
      const e = where.get(pkg);
      return e ? { line: e.line, endLine: e.endLine } : { line: 1, endLine: 1 };
    },
    wanted: (pkg) =>
      (where.get(pkg)?.specs ?? [])
        .map((s) => splitSpec(s)[1].replace(/^npm:/, ''))
        .filter((r) => r && !r.includes(':')),
  };
}
