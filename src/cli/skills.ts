/** `ralph-guard skills` (list the bundles) and `ralph-guard skills export [--agent claude] [DIR]`. */
import { NotARepository, PolicyNotRun, UsageError } from '../errors.js';
import { parseCommand, type CommandSpec } from './args.js';
import type { Policy } from '../policy/policy.js';

async function currentPolicy(): Promise<{ policy: Policy | null; root: string }> {
  try {
    const [{ repoInfo }, { loadPolicy }] = await Promise.all([import('../git/git.js'), import('../policy/load.js')]);
    const repo = await repoInfo(process.cwd());
    return { policy: await loadPolicy({ cwd: process.cwd(), root: repo.root, runPrograms: false }), root: repo.root };
  } catch (e) {
    // A JavaScript policy is a program: reading commands never run it.
    if (e instanceof PolicyNotRun) {
      process.stderr.write(`${e.message}; showing the built-in skills\n`);
      return { policy: null, root: process.cwd() };
    }
    if (e instanceof UsageError && !(e instanceof NotARepository)) throw e; // an invalid policy is worth saying
    return { policy: null, root: process.cwd() };
  }
}

const SKILLS: CommandSpec = {
  name: 'skills',
  usage: '[list | export [--agent claude] [--skill a,b] [DIR]]',
  summary:
    "Skills are named bundles of atoms for one kind of component. `skills` lists them; `skills export` writes each one's atoms, criteria and secure patterns as Markdown an assistant loads before it writes code (for Claude Code: .claude/skills/<name>/SKILL.md).",
  positionals: 3,
  options: {
    agent: { type: 'string', value: 'claude', help: 'export where that assistant looks for skills' },
    skill: { type: 'string', value: 'a,b', help: 'export only these skills' },
    json: { type: 'boolean', help: 'list as JSON' },
  },
};

export async function skillsCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(SKILLS, argv);
  if (!parsed) return 0;
  const values = parsed.values as { agent?: string; json?: boolean; skill?: string };
  const [sub, ...rest] = parsed.positionals;
  const { policy, root } = await currentPolicy();
  const { allSkills } = await import('../skills/skills.js');

  if (sub === undefined || sub === 'list') {
    const skills = allSkills(policy);
    if (values.json) {
      process.stdout.write(JSON.stringify(skills, null, 2) + '\n');
      return 0;
    }
    const width = Math.max(...skills.map((s) => s.name.length));
    for (const s of skills) {
      process.stdout.write(`${s.name.padEnd(width)}  ${s.source.padEnd(8)}  ${s.atoms.join(', ')}\n`);
    }
    process.stdout.write(
      '\nRun one with `ralph-guard check --skill NAME`; write them for an assistant with `ralph-guard skills export --agent claude`.\n',
    );
    return 0;
  }
  if (sub !== 'export') throw new UsageError(`skills: unknown subcommand "${sub}"; expected export`);
  const agent = values.agent;
  if (agent !== undefined && agent !== 'claude')
    throw new UsageError(`skills export --agent ${agent}: expected claude`);
  if (rest.length > 1) throw new UsageError(`skills export: one directory at most, got ${rest.join(' ')}`);
  const { exportSkills } = await import('../skills/export.js');
  const result = await exportSkills(root, policy, {
    agent: agent === 'claude' ? 'claude' : null,
    ...(rest[0] ? { dir: rest[0] } : {}),
    ...(values.skill ? { only: values.skill.split(',') } : {}),
  });
  const out = process.stdout;
  for (const file of result.written) out.write(`  ✔ wrote ${file}\n`);
  for (const file of result.unchanged) out.write(`  · ${file} is up to date\n`);
  for (const file of result.refused)
    out.write(`  → ${file} exists and was not written by ralph-guard: left alone (move it away to export there)\n`);
  for (const name of result.empty)
    out.write(`  · ${name}: none of its atoms is available in this version yet; not exported\n`);
  return result.refused.length ? 1 : 0;
}
