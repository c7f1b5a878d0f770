/** `ralph-guard skills` (list the bundles) and `ralph-guard skills export [--agent claude] [DIR]`. */
import { parseArgs } from 'node:util';
import { PolicyNotRun, UsageError } from '../errors.js';
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
    if (e instanceof UsageError) throw e; // an invalid policy is worth saying
    return { policy: null, root: process.cwd() };
  }
}

export async function skillsCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { agent: { type: 'string' }, json: { type: 'boolean' }, skill: { type: 'string' } },
    });
  } catch (e) {
    throw new UsageError(`skills: ${(e as Error).message}`);
  }
  const [sub, ...rest] = parsed.positionals;
  const { policy, root } = await currentPolicy();
  const { allSkills } = await import('../skills/skills.js');

  if (sub === undefined || sub === 'list') {
    const skills = allSkills(policy);
    if (parsed.values.json) {
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
  const agent = parsed.values.agent;
  if (agent !== undefined && agent !== 'claude')
    throw new UsageError(`skills export --agent ${agent}: expected claude`);
  if (rest.length > 1) throw new UsageError(`skills export: one directory at most, got ${rest.join(' ')}`);
  const { exportSkills } = await import('../skills/export.js');
  const result = await exportSkills(root, policy, {
    agent: agent === 'claude' ? 'claude' : null,
    ...(rest[0] ? { dir: rest[0] } : {}),
    ...(parsed.values.skill ? { only: parsed.values.skill.split(',') } : {}),
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
