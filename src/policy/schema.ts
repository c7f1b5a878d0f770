/**
 * The policy schema: the single source of what a policy may contain. It gives
 * the validator, `schema.json` for editors, and the option reference. Loaded
 * only when a policy is new or changed (zod costs as much as starting node).
 */
import * as z from 'zod';
import type { AnyAtom } from '../kit/atom.js';
import { checkLinearRegex } from './linear-regex.js';
import { didYouMean } from '../suggest.js';

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const level = z
  .enum(['block', 'warn', 'review', 'off'])
  .describe(
    'block: fails the commit; review: reported, and the change is refused until a person acknowledges it (a Security-Reviewed-by trailer or `ralph-guard approve`); warn: reported only; off: not run.',
  );
const globs = z.array(z.string().min(1));

const patternCheck = z
  .strictObject({
    type: z.literal('pattern'),
    name: z
      .string()
      .regex(ID, 'expected a kebab-case name')
      .default('pattern')
      .describe('Rule name: findings are <atom>/<name>.'),
    regex: z
      .string()
      .min(1)
      .describe('A JavaScript regular expression tried on each added line; it must run in linear time.'),
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'expected only the flags i, m, s, u')
      .default(''),
    message: z.string().min(1),
    fix: z.string().optional(),
  })
  .superRefine((check, ctx) => {
    // With its flags: under "i", [A-Z] and [a-z] compete for the same letters.
    const problem = checkLinearRegex(check.regex, check.flags);
    if (problem) ctx.addIssue({ code: 'custom', path: ['regex'], message: problem });
  });

const commandCheck = z.strictObject({
  type: z.literal('command'),
  name: z.string().regex(ID, 'expected a kebab-case name').default('command'),
  command: z
    .string()
    .min(1)
    .describe('Run in the repository root with the changed files as arguments; a non-zero exit fails the atom.'),
  timeoutMs: z.number().int().positive().default(60_000),
  message: z.string().optional(),
  fix: z.string().optional(),
});

const customAtom = z.strictObject({
  title: z.string().min(1),
  criteria: z.strictObject({ pass: z.string().min(1), fail: z.string().min(1) }),
  level: level.default('block'),
  files: globs.default(['**']),
  ignore: globs.default([]),
  keywords: z.array(z.string().min(1)).default([]),
  checks: z.array(z.discriminatedUnion('type', [patternCheck, commandCheck])).min(1),
});

function builtinAtomSchema(atom: AnyAtom) {
  return z.strictObject({
    level: level.optional(),
    files: globs.optional().describe("Globs that narrow the atom's files; `!glob` excludes."),
    ignore: globs.optional().describe('Paths this atom never reports.'),
    // Each rule of the atom by name, so a misspelt one is an unknown key with a did-you-mean.
    rules: z
      .strictObject(Object.fromEntries(Object.keys(atom.rules).map((rule) => [rule, level.optional()])))
      .optional()
      .describe(
        "Levels of single rules (names as in `ralph-guard explain <atom>`): a rule's level replaces the atom's for that rule's findings.",
      ),
    options: (atom.options?.(z, { regexProblem: checkLinearRegex }) ?? z.strictObject({})).optional(),
  });
}

export function policySchema(atoms: readonly AnyAtom[]) {
  const builtins = Object.fromEntries(atoms.map((a) => [a.id, builtinAtomSchema(a).optional()]));
  return z.strictObject({
    $schema: z.string().optional(),
    extends: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe(
        'Presets ("ralph-guard:recommended") or policy files (relative paths), applied in order; default: ["ralph-guard:recommended"].',
      ),
    failOn: z.enum(['block', 'warn']).optional().describe('"warn" blocks on warnings too.'),
    failClosed: z
      .boolean()
      .optional()
      .describe('Block when ralph-guard itself fails (internal error, missing binary in a hook).'),
    ignore: globs.optional().describe('Paths no atom reports.'),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Larger files are skipped with a note (default 5,000,000).'),
    atomTimeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'Time one atom may spend checking a change, over all its files (default 10,000); an atom that runs out is stopped and reported as an error, the others go on.',
      ),
    workers: z
      .union([z.literal('auto'), z.number().int().min(1).max(64)])
      .optional()
      .describe(
        'Threads checking a large change set, the main thread and worker threads: auto (default: as many as the machine has cores, above a size where they pay), or a count (1: the main thread alone). RALPH_GUARD_WORKERS overrides it.',
      ),
    baseline: z.string().min(1).optional().describe('Baseline file (default .ralph-baseline.json).'),
    atoms: z
      .object(builtins)
      .catchall(customAtom)
      .superRefine((value, ctx) => {
        for (const id of Object.keys(value)) {
          if (!ID.test(id)) ctx.addIssue({ code: 'custom', path: [id], message: 'expected a kebab-case atom id' });
        }
      })
      .optional(),
    skills: z
      .record(
        z.string().regex(ID, 'expected a kebab-case skill name'),
        z.strictObject({ description: z.string().optional(), atoms: z.array(z.string()).min(1) }),
      )
      .optional(),
    highRisk: z
      .record(
        z.string().regex(ID, 'expected a kebab-case area name'),
        z.strictObject({
          level: z.enum(['review', 'warn', 'block', 'off']).optional(),
          files: z.array(z.string().min(1)).optional(),
          tags: z.array(z.string().min(1)).optional(),
          title: z.string().min(1).optional(),
        }),
      )
      .optional()
      .describe(
        "High-risk areas a person must acknowledge (built in: crypto, auth, payments, sensitive-data, guard): each area's level (review: refused until a Security-Reviewed-by trailer or `ralph-guard approve`), and areas of your own by path glob and tag.",
      ),
  });
}

export type RawPolicy = z.infer<ReturnType<typeof policySchema>>;

/** `file: key.path: expected …, got …` for every problem zod found. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[], atoms: readonly AnyAtom[]): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String);
    const where = (p: string[]) => (p.length ? p.join('.') : '(top level)');
    const atomId = path[0] === 'atoms' ? path[1] : undefined;
    // A misspelt built-in id shows at atoms.<id>; deeper problems belong to a custom atom, whose id is no typo.
    const hint =
      atomId && path.length <= 2 && !atoms.some((a) => a.id === atomId)
        ? didYouMean(
            atomId,
            atoms.map((a) => a.id),
          )
        : '';
    const got = 'input' in issue ? describe(issue.input) : undefined;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys)
          out.push(`${file}: ${where([...path, key])}: unknown key${didYouMean(key, knownKeys(path, atoms))}`);
        continue;
      case 'invalid_type':
        out.push(`${file}: ${where(path)}: expected ${issue.expected}${got ? `, got ${got}` : ''}${hint}`);
        continue;
      case 'invalid_value':
        out.push(
          `${file}: ${where(path)}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got ? `, got ${got}` : ''}`,
        );
        continue;
      case 'too_small':
        out.push(
          `${file}: ${where(path)}: expected ${issue.origin === 'array' ? `at least ${issue.minimum} item(s)` : issue.origin === 'string' ? 'a non-empty string' : `≥ ${issue.minimum}`}${got ? `, got ${got}` : ''}`,
        );
        continue;
      case 'too_big':
        out.push(`${file}: ${where(path)}: expected ≤ ${issue.maximum}${got ? `, got ${got}` : ''}`);
        continue;
      case 'invalid_union': {
        const input = 'input' in issue ? (issue.input as { type?: unknown } | undefined) : undefined;
        const type = input && typeof input === 'object' ? describe(input.type) : got;
        out.push(`${file}: ${where(path)}: expected "pattern" or "command"${type ? `, got ${type}` : ''}`);
        continue;
      }
      default:
        out.push(`${file}: ${where(path)}: ${issue.message}${hint}`);
    }
  }
  return out;
}

function knownKeys(path: string[], atoms: readonly AnyAtom[]): string[] {
  if (path.length === 0)
    return [
      'extends',
      'failOn',
      'failClosed',
      'ignore',
      'maxFileBytes',
      'atomTimeoutMs',
      'workers',
      'baseline',
      'atoms',
      'skills',
      'highRisk',
    ];
  if (path[0] === 'atoms' && path.length === 2)
    return ['level', 'rules', 'files', 'ignore', 'options', 'title', 'criteria', 'checks', 'keywords'];
  if (path[0] === 'atoms' && path[2] === 'rules' && path.length === 3)
    return Object.keys(atoms.find((a) => a.id === path[1])?.rules ?? {});
  return [];
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? text.slice(0, 40) + '…' : text}`;
}
