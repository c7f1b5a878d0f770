/** `ralph-guard atoms` and `ralph-guard explain ATOM`: the atoms' own words and examples, so docs cannot drift from behaviour. */
import kleur from 'kleur';
import { expectedLines, type AnyAtom } from '../kit/atom.js';
import { BUILTIN_ATOMS } from '../atoms/all.js';
import { PolicyNotRun, UsageError } from '../errors.js';
import { levelOf, type Policy } from '../policy/policy.js';
import { didYouMean } from '../suggest.js';
import { parseCommand, type CommandSpec } from './args.js';
import { colorWanted } from './color.js';

async function currentPolicy(): Promise<Policy | null> {
  try {
    const [{ findRoot }, { loadPolicy }] = await Promise.all([import('../git/git.js'), import('../policy/load.js')]);
    return await loadPolicy({ cwd: process.cwd(), root: await findRoot(process.cwd()), runPrograms: false });
  } catch (e) {
    // A JavaScript policy is a program: reading commands never run it.
    if (e instanceof PolicyNotRun) process.stderr.write(`${e.message}; showing the built-in levels\n`);
    return null; // outside a repository: show the built-in defaults
  }
}

function useColor(argv: string[]): boolean {
  kleur.enabled = colorWanted(argv.includes('--no-color'));
  return kleur.enabled;
}

const ATOMS: CommandSpec = {
  name: 'atoms',
  usage: '[--json]',
  summary: 'List the atoms: id, the level the policy gives it, title. `ralph-guard explain ATOM` shows one in full.',
  options: {
    json: { type: 'boolean', help: 'as JSON' },
    'no-color': { type: 'boolean', help: 'no colour' },
  },
};
const EXPLAIN: CommandSpec = {
  name: 'explain',
  usage: 'ATOM',
  summary:
    "An atom's pass and fail criteria, the files it reads, its rules with their fixes, and its bad and good examples.",
  positionals: 1,
  options: { 'no-color': { type: 'boolean', help: 'no colour' } },
};

export async function atomsCommand(argv: string[]): Promise<number> {
  if (!parseCommand(ATOMS, argv)) return 0;
  useColor(argv);
  const policy = await currentPolicy();
  const atoms: Array<{ id: string; level: string; title: string; rules?: Record<string, string> }> = BUILTIN_ATOMS.map(
    (a) => ({
      id: a.id,
      level: policy?.atoms[a.id] ? levelOf(policy.atoms[a.id]) : a.defaultLevel,
      title: a.title,
      ...(policy?.atoms[a.id]?.rules ? { rules: policy.atoms[a.id]!.rules } : {}),
    }),
  );
  for (const c of policy?.custom ?? []) atoms.push({ id: c.id, level: levelOf(c), title: `${c.title} (policy)` });
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify(atoms, null, 2) + '\n');
    return 0;
  }
  const width = Math.max(...atoms.map((a) => a.id.length));
  const levelWidth = Math.max(5, ...atoms.map((a) => a.level.length));
  for (const a of atoms) {
    const shown = a.level.padEnd(levelWidth);
    const level =
      a.level === 'block'
        ? kleur.red(shown)
        : a.level === 'review'
          ? kleur.magenta(shown)
          : a.level === 'warn'
            ? kleur.yellow(shown)
            : kleur.dim(shown);
    // Rules the policy gives a level of their own, after the title.
    const rules = Object.entries(a.rules ?? {}).map(([rule, l]) => `${rule} ${l}`);
    const own = rules.length ? `  ${kleur.dim(`(rules: ${rules.join(', ')})`)}` : '';
    process.stdout.write(`${a.id.padEnd(width)}  ${level}  ${a.title}${own}\n`);
  }
  return 0;
}

export async function explainCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(EXPLAIN, argv);
  if (!parsed) return 0;
  useColor(argv);
  const id = parsed.positionals[0];
  if (!id) throw new UsageError('explain needs an atom id; run `ralph-guard atoms` for the list');
  const atom = BUILTIN_ATOMS.find((a) => a.id === id);
  if (!atom) {
    const policy = await currentPolicy();
    const custom = policy?.custom.find((c) => c.id === id);
    if (!custom)
      throw new UsageError(
        `unknown atom "${id}"${didYouMean(
          id,
          BUILTIN_ATOMS.map((a) => a.id),
        )}; run \`ralph-guard atoms\` for the list`,
      );
    const { customAtom } = await import('../custom/pattern.js');
    process.stdout.write(explain(customAtom(custom), levelOf(custom)));
    return 0;
  }
  const policy = await currentPolicy();
  const settings = policy?.atoms[atom.id];
  process.stdout.write(explain(atom, settings ? levelOf(settings) : atom.defaultLevel, settings?.rules));
  return 0;
}

/** `rules`: the levels the policy gives single rules, shown beside them. */
export function explain(atom: AnyAtom, level: string, rules: Record<string, string> = {}): string {
  const out: string[] = [];
  out.push(`${kleur.bold(atom.id)} — ${atom.title}  ${kleur.dim(`(level: ${level})`)}`);
  out.push('');
  out.push(`${kleur.green().bold('pass:')} ${atom.criteria.pass}`);
  out.push(`${kleur.red().bold('fail:')} ${atom.criteria.fail}`);
  out.push('');
  out.push(`${kleur.bold('Files:')} ${atom.files.join(', ')}`);
  if (atom.keywords.length) out.push(`${kleur.bold('Checked when the text mentions:')} ${atom.keywords.join(', ')}`);
  out.push('');
  out.push(kleur.bold('Rules:'));
  for (const [name, rule] of Object.entries(atom.rules)) {
    const own = rules[name] ? ` ${kleur.magenta(`(level: ${rules[name]})`)}` : '';
    out.push(`  ${kleur.cyan(`${atom.id}/${name}`)}${own}: ${rule.message}`);
    out.push(`    fix: ${rule.fix}`);
  }
  const show = (title: string, examples: AnyAtom['examples']['bad'], bad: boolean) => {
    if (!examples.length) return;
    out.push('');
    out.push(kleur.bold(title));
    for (const ex of examples) {
      const flagged = bad ? new Set(expectedLines(ex)) : new Set<number>();
      for (const [path, code] of Object.entries(ex.others ?? {})) {
        out.push(kleur.dim(`  ── ${path} (a module the example uses)`));
        for (const line of code.split('\n')) out.push(`    ${line}`);
      }
      out.push(kleur.dim(`  ── ${ex.file}${ex.options ? ` (options: ${JSON.stringify(ex.options)})` : ''}`));
      ex.code.split('\n').forEach((line, i) => {
        const mark = flagged.has(i + 1) ? kleur.red('✗ ') : '  ';
        out.push(`  ${mark}${line.replace(/\s*(?:\/\/|#)\s*✗\s*$/, '')}`);
      });
    }
  };
  show('Bad (each fails the atom on the ✗ line):', atom.examples.bad, true);
  show('Good (each passes):', atom.examples.good, false);
  out.push('');
  out.push(
    kleur.dim(
      `Suppress one finding: // ralph-guard-ignore ${atom.id}/<rule> -- <reason>   Change the level: "atoms": { "${atom.id}": { "level": "warn" } }, or one rule's: { "rules": { "<rule>": "warn" } }`,
    ),
  );
  return out.join('\n') + '\n';
}
