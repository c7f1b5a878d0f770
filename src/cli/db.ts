/** `ralph-guard db update|status`: the local advisory database (and the registry metadata cache). */
import { existsSync } from 'node:fs';
import { NotARepository, UsageError } from '../errors.js';
import { parseCommand, type CommandSpec } from './args.js';
import { formatBytes } from '../changeset/text.js';
import { readPackageJson } from '../package-json.js';

const DB_UPDATE: CommandSpec = {
  name: 'db update',
  usage: '[--url URL|PATH] [--no-registry] [--json]',
  summary:
    "Download the advisory database (OSV's npm advisories) that the dependencies atom checks offline, and refresh the registry metadata of the project's dependencies.",
  options: {
    url: {
      type: 'string',
      value: 'URL|PATH',
      help: 'where to get the database: a URL or a local file (a mirror, offline)',
    },
    'no-registry': { type: 'boolean', help: 'do not refresh registry metadata' },
    json: { type: 'boolean', help: 'print the result as JSON' },
    config: { type: 'string', short: 'c', value: 'FILE', help: 'the policy file to read advisoryUrl from' },
  },
};
const DB_STATUS: CommandSpec = {
  name: 'db status',
  usage: '[--json]',
  summary: "The advisory database's source, age and size.",
  options: { json: { type: 'boolean', help: 'print it as JSON' } },
};

export async function dbCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'status') {
    const parsed = parseCommand(DB_STATUS, rest);
    return parsed ? status(parsed.values.json === true) : 0;
  }
  if (sub === 'update') {
    const parsed = parseCommand(DB_UPDATE, rest);
    if (!parsed) return 0;
    const { values } = parsed;
    return update({
      url: values.url as string | undefined,
      registry: values['no-registry'] !== true,
      json: values.json === true,
      config: values.config as string | undefined,
    });
  }
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    process.stdout.write(
      'Usage: ralph-guard db update [--url URL|PATH] [--no-registry] [--json]\n       ralph-guard db status [--json]\n\nThe local advisory database. `ralph-guard db update --help` and `ralph-guard db status --help` say more.\n',
    );
    return sub === undefined ? 2 : 0;
  }
  throw new UsageError(`db: unknown subcommand "${sub}"; run \`ralph-guard db update\` or \`ralph-guard db status\``);
}

async function status(json: boolean): Promise<number> {
  const { AdvisoryDb, advisoryDbPath } = await import('../deps/advisories.js');
  const { cachedNames } = await import('../deps/npm-registry.js');
  const path = advisoryDbPath();
  let db;
  try {
    db = AdvisoryDb.open(path);
  } catch (e) {
    if (json) process.stdout.write(JSON.stringify({ path, ok: false, error: (e as Error).message }, null, 2) + '\n');
    else
      process.stdout.write(
        `advisory database: ${path} is unreadable (${(e as Error).message}); run \`ralph-guard db update\`\n`,
      );
    return 1;
  }
  const registry = cachedNames().length;
  if (!db) {
    if (json)
      process.stdout.write(
        JSON.stringify({ path, ok: false, error: 'missing', registryPackages: registry }, null, 2) + '\n',
      );
    else
      process.stdout.write(
        `advisory database: none at ${path}\nrun \`ralph-guard db update\` to download it (commits then check dependencies for known advisories offline)\n`,
      );
    return 1;
  }
  const { meta } = db;
  const age = db.ageDays();
  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          path,
          ok: true,
          source: meta.source,
          builtAt: meta.builtAt,
          ageDays: Math.round(age * 10) / 10,
          sizeBytes: db.size,
          advisories: meta.advisories,
          packages: meta.packages,
          registryPackages: registry,
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  process.stdout.write(
    [
      `advisory database: ${path}`,
      `  source:     ${meta.source}`,
      `  updated:    ${meta.builtAt} (${formatAge(age)} ago)`,
      `  size:       ${formatBytes(db.size)}`,
      `  advisories: ${meta.advisories} covering ${meta.packages} packages`,
      `registry metadata cached for ${registry} package(s)`,
    ].join('\n') + '\n',
  );
  return 0;
}

function formatAge(days: number): string {
  if (days < 1 / 24) return `${Math.max(0, Math.round(days * 1440))} min`;
  if (days < 2) return `${Math.round(days * 24)} h`;
  return `${Math.round(days)} days`;
}

/** --url, then RALPH_GUARD_ADVISORY_URL, then the policy's dependencies.options.advisoryUrl, then the OSV export. */
async function resolveSource(
  url: string | undefined,
  config: string | undefined,
): Promise<{ source: string; policyRoot: string | null }> {
  let policyRoot: string | null = null;
  let fromPolicy: string | null = null;
  try {
    const [{ repoInfo }, { loadPolicy }] = await Promise.all([import('../git/git.js'), import('../policy/load.js')]);
    const repo = await repoInfo(process.cwd());
    policyRoot = repo.root;
    const policy = await loadPolicy({ cwd: process.cwd(), root: repo.root, configFile: config });
    fromPolicy = (policy.atoms.dependencies?.options.advisoryUrl as string | null | undefined) ?? null;
  } catch (e) {
    if (e instanceof UsageError && !(e instanceof NotARepository)) throw e; // an invalid policy is the user's to fix
    // outside a repository: no policy
  }
  const { DEFAULT_ADVISORY_URL } = await import('../deps/advisories.js');
  return { source: url ?? (process.env.RALPH_GUARD_ADVISORY_URL || fromPolicy || DEFAULT_ADVISORY_URL), policyRoot };
}

async function update(opts: {
  url: string | undefined;
  registry: boolean;
  json: boolean;
  config: string | undefined;
}): Promise<number> {
  const { source, policyRoot } = await resolveSource(opts.url, opts.config);
  const { updateAdvisoryDb, UpdateError } = await import('../deps/update.js');
  const log = (line: string) => {
    if (!opts.json) process.stderr.write(line + '\n');
  };
  log(`ralph-guard: updating the advisory database from ${source}`);
  const started = performance.now();
  const { advisoryDbPath } = await import('../deps/advisories.js');
  const hadOne = existsSync(advisoryDbPath());
  let result;
  try {
    result = await updateAdvisoryDb(source);
  } catch (e) {
    if (!(e instanceof UpdateError) && !(e instanceof Error)) throw e;
    // A download that fails is not a bug of the guard (exit 1, not 3); say what is kept and how to work offline.
    const kept = hadOne
      ? 'the previous database is unchanged'
      : 'no advisory database is stored yet, so dependencies are checked without known advisories';
    const offline =
      opts.url === undefined
        ? '; without network, download the export elsewhere and run `ralph-guard db update --url PATH`'
        : '';
    const message = `db update failed: ${(e as Error).message}; ${kept}${offline}`;
    if (opts.json) process.stdout.write(JSON.stringify({ ok: false, error: message }, null, 2) + '\n');
    else process.stderr.write(`ralph-guard: ${message}\n`);
    return 1;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(
    result.notModified
      ? `ralph-guard: the advisory database is up to date (${result.meta.advisories} advisories, ${formatBytes(result.size)})`
      : `ralph-guard: stored ${result.meta.advisories} advisories for ${result.meta.packages} packages (${formatBytes(result.size)}) in ${seconds} s at ${result.path}`,
  );

  let registry: { refreshed: number; failed: number } | null = null;
  if (opts.registry) {
    const { cachedNames, refreshMeta } = await import('../deps/npm-registry.js');
    const names = new Set(cachedNames());
    if (policyRoot) for (const n of directDependencies(policyRoot)) names.add(n);
    if (names.size) {
      const list = [...names].slice(0, 1000);
      const { meta, failed } = await refreshMeta(list, { timeoutMs: 10_000 });
      registry = { refreshed: meta.size, failed: failed.length };
      log(
        `ralph-guard: registry metadata refreshed for ${meta.size} package(s)${failed.length ? `; ${failed.length} failed (${failed[0]!.error})` : ''}`,
      );
    }
  }
  if (opts.json)
    process.stdout.write(
      JSON.stringify(
        {
          ok: true,
          notModified: result.notModified,
          path: result.path,
          sizeBytes: result.size,
          ...result.meta,
          shards: undefined,
          registry,
        },
        null,
        2,
      ) + '\n',
    );
  return 0;
}

/** The root package.json's dependency names, for the registry metadata cache. */
function directDependencies(root: string): string[] {
  try {
    const pkg = readPackageJson(root);
    return [
      ...new Set(
        (['dependencies', 'devDependencies', 'optionalDependencies'] as const).flatMap((f) =>
          Object.keys(pkg?.[f] ?? {}),
        ),
      ),
    ];
  } catch {
    return [];
  }
}
