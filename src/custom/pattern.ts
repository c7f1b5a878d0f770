/**
 * Atoms a policy defines: `pattern` checks are regexes over each added line;
 * `command` checks run a program once per change set (the engine runs them,
 * see `command.ts`), and only their rules are declared here.
 */
import type { CommandCheck, CustomAtom, PatternCheck } from '../policy/policy.js';
import { defineAtom, type AnyAtom, type Hit } from '../kit/atom.js';

export function customAtom(def: CustomAtom): AnyAtom {
  const patterns = def.checks.filter((c): c is PatternCheck => c.type === 'pattern');
  const commands = def.checks.filter((c): c is CommandCheck => c.type === 'command');
  const compiled = patterns.map((c) => ({ check: c, regex: new RegExp(c.regex, c.flags.replace('g', '') + 'g') }));
  return defineAtom({
    id: def.id,
    title: def.title,
    criteria: def.criteria,
    files: def.files,
    keywords: def.keywords,
    defaultLevel: def.level,
    rules: Object.fromEntries([
      ...patterns.map((c) => [
        c.name,
        { message: c.message, fix: c.fix ?? `See the policy's "${def.id}" atom: ${def.criteria.pass}` },
      ]),
      ...commands.map((c) => [
        c.name,
        {
          message: c.message ?? `\`${c.command}\` exited with a non-zero status.`,
          // What command.ts reports: a place the program's output names, or its exit code and output.
          messages: {
            located: '{program}: {text}',
            exited: '`{command}` exited with code {code}:\n{output}',
            exitedSilently: '`{command}` exited with code {code} and printed nothing',
          },
          fix: c.fix ?? `Run \`${c.command}\` and fix what it reports: ${def.criteria.pass}`,
        },
      ]),
    ]),
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
