/** Atoms a policy defines: `pattern` checks are regexes over each added line. */
import type { CustomAtom, PatternCheck } from '../policy/policy.js';
import { defineAtom, type AnyAtom, type Hit } from './atom.js';

export function customAtom(def: CustomAtom): AnyAtom {
  const patterns = def.checks.filter((c): c is PatternCheck => c.type === 'pattern');
  const compiled = patterns.map((c) => ({ check: c, regex: new RegExp(c.regex, c.flags.replace('g', '') + 'g') }));
  return defineAtom({
    id: def.id,
    title: def.title,
    criteria: def.criteria,
    files: def.files,
    keywords: def.keywords,
    defaultLevel: def.level,
    rules: Object.fromEntries(patterns.map((c) => [c.name, { message: c.message, fix: c.fix ?? `See the policy's "${def.id}" atom: ${def.criteria.pass}` }])),
    examples: { bad: [], good: [] },
    check(file) {
      const hits: Hit[] = [];
      const lines = file.lines();
      const scan = (n: number) => {
        const line = lines[n - 1];
        if (line === undefined) return;
        for (const { check, regex } of compiled) {
          regex.lastIndex = 0;
          const m = regex.exec(line);
          if (m) hits.push({ rule: check.name, line: n, column: m.index + 1 });
        }
      };
      if (file.allAdded) for (let n = 1; n <= lines.length; n++) scan(n);
      else for (const n of file.added) scan(n);
      return hits;
    },
  });
}
