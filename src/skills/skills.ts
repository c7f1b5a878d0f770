/**
 * Skills (DESIGN §4): named, ordered bundles of atoms for one kind of
 * component, the "secure seed" a team reuses. A policy's `skills` add bundles
 * or replace a built-in one by name (the policy validator checks that their
 * atoms exist; test/skills.test.ts that the built-in ones' do).
 */
import { UsageError } from '../errors.js';
import type { Policy } from '../policy/policy.js';
import { didYouMean } from '../suggest.js';

export interface SkillDefinition {
  description: string;
  atoms: string[];
}

export const BUILTIN_SKILLS: Record<string, SkillDefinition> = {
  'secure-rest-endpoint': {
    description:
      'An HTTP/REST endpoint (Express, Fastify, Koa, Next.js route): validated input, parameterised queries, no leaked errors, security headers, no secrets in logs.',
    atoms: [
      'input-validation',
      'sql-injection',
      'nosql-injection',
      'error-exposure',
      'security-headers',
      'sensitive-logging',
    ],
  },
  'user-auth': {
    description:
      'Sign-up, login, password reset and sessions: current auth libraries, validated input, slow password hashing, strict JWT verification, rate limits, safe cookies, CSRF defence.',
    atoms: ['dependencies', 'input-validation', 'password-hashing', 'jwt', 'rate-limiting', 'cookies', 'csrf'],
  },
  'file-upload': {
    description:
      'Accepting and storing uploaded files (multer, busboy, formidable): server-chosen names, size and type limits, no path traversal.',
    atoms: ['file-upload', 'path-traversal'],
  },
  oauth: {
    description:
      'OAuth/OIDC clients and callbacks: no committed client secrets, TLS everywhere, safe cookies, no open redirects, state/CSRF checks.',
    atoms: ['secrets', 'tls', 'cookies', 'open-redirect', 'csrf'],
  },
};

export interface Skill {
  name: string;
  description: string;
  /** The atoms of the bundle (built-in or defined by the policy), in order. */
  atoms: string[];
  source: 'built-in' | 'policy';
}

/** Every skill: the built-in ones, then the policy's (a policy skill with a built-in name replaces it). */
export function allSkills(policy: Pick<Policy, 'skills' | 'custom'> | null): Skill[] {
  const make = (name: string, def: { description?: string; atoms: string[] }, source: Skill['source']): Skill => ({
    name,
    description: def.description ?? `The atoms of the "${name}" skill.`,
    atoms: def.atoms,
    source,
  });
  const skills = new Map<string, Skill>();
  for (const [name, def] of Object.entries(BUILTIN_SKILLS)) skills.set(name, make(name, def, 'built-in'));
  for (const [name, def] of Object.entries(policy?.skills ?? {})) skills.set(name, make(name, def, 'policy'));
  return [...skills.values()];
}

/** The skill `name`, or a UsageError that names the known ones. */
export function findSkill(policy: Pick<Policy, 'skills' | 'custom'> | null, name: string): Skill {
  const skills = allSkills(policy);
  const skill = skills.find((s) => s.name === name);
  if (!skill)
    throw new UsageError(
      `--skill ${name}: no such skill${didYouMean(
        name,
        skills.map((s) => s.name),
      )}; known: ${skills.map((s) => s.name).join(', ')}`,
    );
  return skill;
}
