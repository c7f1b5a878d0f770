/** The dependencies a `package.json` declares, with the line of each. */
import { LockfileError } from './types.js';
import { parseJson, type Position } from './lockfiles/common.js';
import { memberAt, members } from './lockfiles/json-locate.js';

export const DEPENDENCY_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
] as const;
export type DependencyField = (typeof DEPENDENCY_FIELDS)[number];

export interface ManifestDependency {
  name: string;
  spec: string;
  field: DependencyField;
  line: number;
  column: number;
}

export interface Manifest {
  dependencies: ManifestDependency[];
  /** `"workspaces"` globs, when the package is a workspace root. */
  workspaces: string[];
}

export function readManifest(text: string, position: Position): Manifest {
  const data = parseJson(text, 'package.json', position) as Record<string, unknown>;
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new LockfileError('package.json is not a JSON object', 1, 'corrupt');
  const dependencies: ManifestDependency[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const declared = data[field];
    if (!declared || typeof declared !== 'object') continue;
    const section = memberAt(text, [field]);
    const places = section && text[section.valueStart] === '{' ? members(text, section.valueStart) : new Map();
    for (const [name, spec] of Object.entries(declared as Record<string, unknown>)) {
      if (typeof spec !== 'string') continue;
      const at = places.get(name);
      const pos = at ? position(at.keyStart) : { line: 1, column: 1 };
      dependencies.push({ name, spec, field, line: pos.line, column: pos.column });
    }
  }
  const ws = data.workspaces;
  const workspaces = Array.isArray(ws)
    ? ws.filter((w): w is string => typeof w === 'string')
    : ws && typeof ws === 'object' && Array.isArray((ws as { packages?: unknown }).packages)
      ? ((ws as { packages: unknown[] }).packages.filter((w) => typeof w === 'string') as string[])
      : [];
  return { dependencies, workspaces };
}
