import { defineAtom } from '../kit/atom.js';
import type { DependencyOptions as Options } from '../deps/types.js';

/**
 * The recommended policy's minimum versions: each is the first release free of
 * the advisories named in its reason (GitHub advisory database records).
 */
export const RECOMMENDED_MINIMUMS: Record<string, { range: string; reason: string }> = {
  jsonwebtoken: {
    range: '>=9.0.0',
    reason:
      '8.x and earlier accept insecure key types and default algorithms (GHSA-8cf7-32gw-wr33, GHSA-hjrf-2m68-5959, GHSA-qwph-4952-7xr6), fixed in 9.0.0.',
  },
  lodash: {
    range: '>=4.17.21',
    reason:
      'command injection in _.template (GHSA-35jh-r3h4-6jhm, CVE-2021-23337) and ReDoS (GHSA-29mw-wpgm-hmr9), fixed in 4.17.21.',
  },
  axios: {
    range: '>=1.12.0 || ^0.30.2',
    reason:
      'XSRF-TOKEN leak (GHSA-wf5p-g6vw-rhxx), SSRF and credential leakage via absolute URLs (GHSA-jr5f-v2jv-69x6) and unbounded data: URIs (GHSA-4hjh-wcwx-xvwj), fixed in 1.12.0 and backported to 0.30.2.',
  },
  express: {
    range: '>=4.20.0',
    reason:
      'open redirect (GHSA-rv95-896h-c2vc, fixed in 4.19.2) and XSS through res.redirect (GHSA-qw6h-vgh9-j6wx, fixed in 4.20.0).',
  },
  minimist: {
    range: '^0.2.4 || >=1.2.6',
    reason: 'prototype pollution (GHSA-xvch-5gv4-984h, CVE-2021-44906, critical), fixed in 1.2.6 and 0.2.4.',
  },
  'node-fetch': {
    range: '^2.6.7 || >=3.1.1',
    reason:
      'forwards Authorization and Cookie headers to other hosts on redirect (GHSA-r683-j2x4-v87g, CVE-2022-0235), fixed in 2.6.7 and 3.1.1.',
  },
  semver: {
    range: '^5.7.2 || ^6.3.1 || >=7.5.2',
    reason: 'ReDoS in range parsing (GHSA-c2qf-rxjj-qqgw, CVE-2022-25883), fixed in 7.5.2, 6.3.1 and 5.7.2.',
  },
  ws: {
    range: '^5.2.4 || ^6.2.3 || ^7.5.10 || >=8.17.1',
    reason:
      'a request with many headers crashes the server (GHSA-3h5v-q93c-6h6q, CVE-2024-37890), fixed in 8.17.1, 7.5.10, 6.2.3 and 5.2.4.',
  },
  'follow-redirects': {
    range: '>=1.15.6',
    reason:
      'leaks Proxy-Authorization to other hosts on redirect (GHSA-cxjh-pqwp-8mfp, CVE-2024-28849), fixed in 1.15.6.',
  },
  ejs: {
    range: '>=3.1.7',
    reason:
      'template injection leading to remote code execution (GHSA-phwq-j96m-2c2q, CVE-2022-29078), fixed in 3.1.7.',
  },
};

/** The recommended policy's banned packages, each with why and what to use instead. */
export const RECOMMENDED_BANNED: Record<string, { reason: string; alternative?: string; versions?: string }> = {
  request: {
    reason: 'deprecated since 2020 and unpatched (SSRF through cross-protocol redirects, GHSA-p8p7-x288-28g6).',
    alternative: 'fetch (built into Node 18+), undici, got or axios',
  },
  'node-serialize': {
    reason: 'unserialize() runs functions embedded in the data: remote code execution (CVE-2017-5941), never fixed.',
    alternative: 'JSON.parse with a schema validator',
  },
  vm2: {
    reason: 'discontinued in 2023 after sandbox escapes that were never fixed (CVE-2023-37466, CVE-2023-37903).',
    alternative: 'isolated-vm, or a separate process or container',
  },
  md5: {
    reason:
      'MD5 is broken: never acceptable for passwords or signatures (drop this ban if you use it only for non-security checksums).',
    alternative: 'bcrypt or argon2 for passwords, node:crypto SHA-256 for checksums',
  },
  crypto: {
    reason: 'the npm package "crypto" is a deprecated placeholder, not Node\'s crypto module.',
    alternative: "the built-in node:crypto (import crypto from 'node:crypto')",
  },
  'flatmap-stream': { reason: 'malicious package that stole cryptocurrency wallets (GHSA-mh6f-8j2x-4483).' },
  'event-stream': {
    reason: '3.3.6 pulled in the malicious flatmap-stream (GHSA-mh6f-8j2x-4483).',
    alternative: 'event-stream 4.x, or 3.3.4',
    versions: '3.3.6',
  },
};

type BanInput =
  | string
  | { reason?: string | undefined; alternative?: string | undefined; versions?: string | undefined }
  | null;

/** User entries over the recommended ones; `null` removes a recommended entry. */
function mergeMinimums(
  user: Record<string, string | { range: string; reason?: string | undefined } | null>,
): Options['minimum'] {
  const out = { ...RECOMMENDED_MINIMUMS };
  for (const [name, value] of Object.entries(user)) {
    if (value === null) delete out[name];
    else if (typeof value === 'string') out[name] = { range: value, reason: 'required by the project policy.' };
    else out[name] = { range: value.range, reason: value.reason ?? 'required by the project policy.' };
  }
  return out;
}

function mergeBanned(
  user:
    | Record<string, BanInput>
    | Array<
        | string
        | { name: string; reason?: string | undefined; alternative?: string | undefined; versions?: string | undefined }
      >,
): Options['banned'] {
  const entries: Array<[string, BanInput]> = Array.isArray(user)
    ? user.map((u) => (typeof u === 'string' ? [u, u] : [u.name, u]))
    : Object.entries(user);
  const out = { ...RECOMMENDED_BANNED };
  for (const [name, value] of entries) {
    if (value === null) delete out[name];
    else if (typeof value === 'string')
      out[name] = { reason: value === name ? 'banned by the project policy.' : value };
    else
      out[name] = {
        reason: value.reason ?? 'banned by the project policy.',
        ...(value.alternative ? { alternative: value.alternative } : {}),
        ...(value.versions ? { versions: value.versions } : {}),
      };
  }
  return out;
}

const lock = (packages: string) =>
  `{\n  "name": "app",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n    "": {\n      "name": "app",\n      "version": "1.0.0"\n    },\n${packages}\n  }\n}`;
const entry = (name: string, version: string, extra = `,\n      "integrity": "sha512-${'A'.repeat(86)}=="`) =>
  `    "node_modules/${name}": {\n      "version": "${version}",\n      "resolved": "https://registry.npmjs.org/${name}/-/${name.replace(/^@[^/]+\//, '')}-${version}.tgz"${extra}\n    }`;

export default defineAtom<Options>({
  id: 'dependencies',
  title: 'Dependencies are free of known advisories, current, and from the registry',
  criteria: {
    pass: 'Every package a change adds or changes has no known advisory at or above the policy threshold, meets the policy minimums, is not banned, comes from the configured registry with a strong integrity hash, and is maintained.',
    fail: 'A changed lockfile or manifest brings a version with a known advisory, below a policy minimum, banned, deprecated, many majors behind, from a non-registry source or without integrity.',
  },
  files: [
    '**/package.json',
    '**/package-lock.json',
    '**/npm-shrinkwrap.json',
    '**/yarn.lock',
    '**/pnpm-lock.yaml',
    '**/bun.lock',
  ],
  keywords: [],
  defaultLevel: 'block',
  options: (z) => {
    const banObject = z.strictObject({
      reason: z.string().min(1).optional(),
      alternative: z.string().min(1).optional(),
      versions: z.string().min(1).optional().describe('Only these versions (a semver range) are banned.'),
    });
    return z.strictObject({
      failOn: z
        .enum(['critical', 'high', 'moderate', 'low'])
        .default('high')
        .describe('Advisories at or above this severity block; lower ones are warnings.'),
      ignoreAdvisories: z
        .record(z.string().min(1), z.string().min(1))
        .default({})
        .describe('Advisory id or alias (GHSA-…, CVE-…) → why it does not apply here.'),
      minimum: z
        .record(
          z.string().min(1),
          z.union([
            z.string().min(1),
            z.strictObject({ range: z.string().min(1), reason: z.string().min(1).optional() }),
            z.null(),
          ]),
        )
        .default({})
        .transform(mergeMinimums)
        .describe(
          'Package → lowest acceptable versions (a semver range), added to the recommended list; null removes a recommended entry.',
        ),
      banned: z
        .union([
          z.array(z.union([z.string().min(1), banObject.extend({ name: z.string().min(1) })])),
          z.record(z.string().min(1), z.union([z.string().min(1), banObject, z.null()])),
        ])
        .default({})
        .transform(mergeBanned)
        .describe(
          'Packages that may not be installed (names, or name → reason / {reason, alternative, versions}), added to the recommended list; null removes one.',
        ),
      allowedLicenses: z
        .array(z.string().min(1))
        .nullable()
        .default(null)
        .describe(
          'SPDX ids allowed for new packages (checked where the lockfile records licenses, as npm does); null: not checked.',
        ),
      maxMajorsBehind: z
        .number()
        .int()
        .min(1)
        .default(2)
        .describe('A direct dependency this many majors behind the latest release blocks (needs registry data).'),
      maxAgeMonths: z
        .number()
        .int()
        .min(1)
        .default(36)
        .describe('Warn when a direct dependency has had no release for this long (needs registry data).'),
      minReleaseAgeDays: z
        .number()
        .min(0)
        .default(2)
        .describe('Warn about versions published less than this many days ago (needs registry data).'),
      maxDbAgeDays: z
        .number()
        .int()
        .min(1)
        .default(7)
        .describe('Warn when the local advisory database is older than this.'),
      online: z
        .boolean()
        .default(false)
        .describe(
          'Ask the OSV API about the packages a change adds or moves on every check, as `check --online` does (timeout, one retry, answers cached for a day).',
        ),
      requireAdvisories: z
        .boolean()
        .default(true)
        .describe(
          'In CI (`CI` set, or `check --range`), stop with exit 3 when changed packages could not be checked for advisories (no database, no network). false: only warn.',
        ),
      advisoryUrl: z
        .string()
        .min(1)
        .nullable()
        .default(null)
        .describe(
          'Where `ralph-guard db update` downloads OSV data (URL or path to a zip or directory); default: the OSV npm export.',
        ),
      allowedHosts: z
        .array(z.string().min(1))
        .default([])
        .describe('Hosts (or URL prefixes) trusted for registry tarballs, tarball URLs and git dependencies.'),
      installScripts: z
        .enum(['block', 'warn', 'off'])
        .default('warn')
        .describe('What a newly added package with an install script is.'),
      allowInstallScripts: z
        .array(z.string().min(1))
        .default([])
        .describe('Packages whose install scripts are expected (esbuild, sharp, …).'),
    });
  },
  rules: {
    'known-advisory': {
      message: 'The version has a known security advisory.',
      messages: {
        advisory: '{package}: {id}, {severity}: {summary}. {fix} {url}',
        locked: '{package} (locked in {lockfile}) has {count}, worst {worst}: {ids}. {advice}',
      },
      fix: 'Upgrade to the fixed version named in the message (update the lockfile, or the range in package.json), or, if the advisory does not apply, record why under ignoreAdvisories.',
    },
    'below-minimum': {
      message: 'The version is below the policy minimum.',
      messages: {
        locked: '{package} is below the policy minimum {range}: {reason}',
        declared: '{package} {spec} only allows versions below the policy minimum {range}: {reason}',
      },
      fix: 'Raise the range in package.json to the minimum named in the message and reinstall so the lockfile follows; for a package pulled in by another, upgrade that one or add an override.',
    },
    'banned-package': {
      message: 'The package is banned by the policy.',
      messages: {
        banned: '{package} is banned by the policy: {reason}',
        bannedUse: '{package} is banned by the policy: {reason} Use {alternative} instead.',
        bannedTransitive:
          '{package} is banned by the policy: {reason} (It comes in through another dependency: replace or override that one.)',
        bannedUseTransitive:
          '{package} is banned by the policy: {reason} Use {alternative} instead. (It comes in through another dependency: replace or override that one.)',
      },
      fix: 'Replace it with the alternative named in the message; for a transitive one, replace the dependency that pulls it in or override it.',
    },
    deprecated: {
      message: 'The version is deprecated by its maintainers.',
      messages: {
        deprecated: '{package} is deprecated: {reason}',
      },
      fix: 'Upgrade to a supported version or the replacement the deprecation message names.',
    },
    'majors-behind': {
      message: 'The dependency is too many major versions behind the latest release.',
      messages: {
        behind:
          '{package} is {majors} major versions behind the latest {latest} (policy: fewer than {policy}); old majors stop getting security fixes.',
      },
      fix: 'Plan the major upgrade now; old majors stop receiving security fixes.',
    },
    unmaintained: {
      message: 'The package has had no release for a long time.',
      messages: {
        noRelease: '{package} has had no release for {months} months (policy: {policy}): it may be unmaintained.',
      },
      fix: 'Check that it is still maintained; prefer a maintained alternative.',
    },
    'too-new': {
      message: 'The version was published very recently.',
      messages: {
        published:
          '{package} was published {hours} hour(s) ago (policy: at least {days} days), the window in which hijacked releases are caught.',
      },
      fix: 'Wait until it is a few days old (hijacked releases are usually caught within hours), or pin the previous version.',
    },
    'git-source': {
      message: 'The dependency is installed from git, not the registry.',
      messages: {
        installed:
          '{package} is installed from git ({source}): no registry integrity, no advisories, and the code can change under the same reference.',
        declared:
          '{package} is declared from git ({source}): no registry integrity, no advisories, and the code can change under the same reference.',
      },
      fix: 'Use a published registry version; if the git source is intended, add its host or URL prefix to allowedHosts.',
    },
    'tarball-source': {
      message: 'The dependency is installed from a tarball URL, not the registry.',
      messages: {
        installed: '{package} is installed from a tarball URL ({source}), not the registry.',
        declared: '{package} is declared from a tarball URL ({source}), not the registry.',
      },
      fix: 'Use a published registry version; if the URL is trusted, add its host to allowedHosts.',
    },
    'local-outside-workspace': {
      message: 'The dependency points at a path outside the repository.',
      messages: {
        linked: '{package} is linked from {path}, outside this repository: a clone or CI gets different code, or none.',
        declared: '{package} points at {path}, outside this repository: a clone or CI gets different code, or none.',
      },
      fix: 'Publish it, vendor it inside the repository, or use a workspace.',
    },
    'untrusted-registry': {
      message: 'The package resolves to a host that is not the configured registry.',
      messages: {
        resolves: '{package} resolves to {host}, which is not the configured registry.',
      },
      fix: 'Reinstall from the configured registry; if the host is your mirror, set it in .npmrc or add it to allowedHosts.',
    },
    'missing-integrity': {
      message: 'The lockfile records no integrity hash for the package.',
      messages: {
        none: '{package} has no integrity hash in the lockfile, so a swapped tarball would install silently.',
        many: '{count} packages of this lockfile have no integrity hash: {places}.',
      },
      fix: 'Regenerate the lockfile with a current package manager so every package is pinned by hash.',
    },
    'weak-integrity': {
      message: 'The package is pinned only by a SHA-1 hash.',
      messages: {
        sha1: '{package} is pinned only by a SHA-1 hash.',
        many: '{count} packages of this lockfile are pinned only by a SHA-1 hash: {places}.',
      },
      fix: 'Regenerate the lockfile (delete the entry and reinstall) to record a SHA-512 integrity.',
    },
    'integrity-changed': {
      message: 'The integrity hash of an unchanged version changed.',
      messages: {
        changed:
          '{package}: the lockfile now records a different integrity hash for the same version (was {was}, now {now}): the tarball was swapped or the lockfile edited.',
      },
      fix: 'Find out why: regenerate the lockfile from the registry and compare; never accept a swapped hash unreviewed.',
    },
    'install-script': {
      message: 'A newly added package runs an install script.',
      messages: {
        runs: '{package} runs an install script (preinstall/install/postinstall) when installed.',
      },
      fix: 'Review what the script does; install with --ignore-scripts, or list the package in allowInstallScripts when it is expected.',
    },
    'license-not-allowed': {
      message: 'The package license is not in the allowed list.',
      messages: {
        licensed: "{package} is licensed {license}, which is not in the policy's allowedLicenses ({allowed}).",
      },
      fix: 'Choose a package under an allowed license, or extend allowedLicenses after legal review.',
    },
    'lockfile-not-updated': {
      message: 'package.json dependencies changed while the lockfile did not.',
      messages: {
        notUpdated:
          '{package} changed here but {lockfile} is not part of this change, so installs do not get what package.json says.',
      },
      fix: 'Run your package manager (npm install, yarn, pnpm install, bun install) and commit the updated lockfile with package.json.',
    },
    'advisories-unchecked': {
      message: 'Packages of the change could not be checked for known advisories.',
      messages: { unchecked: '{what}: {why}. Run `ralph-guard db update` (or check with --online).' },
      fix: 'Run `ralph-guard db update` for the local advisory database, or check with --online (or "online": true in the dependencies options).',
    },
    'advisories-required': {
      message: 'In CI, packages of the change could not be checked for known advisories.',
      messages: {
        unchecked:
          '{what}: {why}. Run `ralph-guard db update` (or check with --online). CI requires advisories: the check stops here (exit 3) unless the policy sets "requireAdvisories": false in the dependencies options.',
      },
      fix: 'Run `ralph-guard db update` in the CI job before the check (cache its directory), or allow the network with --online; "requireAdvisories": false accepts unchecked packages.',
    },
    'corrupt-lockfile': {
      message: 'The lockfile cannot be read.',
      messages: {
        unreadable: '{file}: {error}',
      },
      fix: 'Regenerate it with your package manager (for a merge conflict: take either side, then run npm install / yarn / pnpm install).',
    },
    'corrupt-manifest': {
      message: 'package.json cannot be read.',
      messages: {
        unreadable: '{file}: {error}',
      },
      fix: 'Fix the JSON syntax at the line named in the message.',
    },
    'unsupported-lockfile': {
      message: 'The lockfile version is not one ralph-guard reads.',
      messages: {
        unreadable: '{file}: {error}',
      },
      fix: 'Upgrade ralph-guard, or generate the lockfile with a supported package-manager version.',
    },
  },
  examples: {
    bad: [
      {
        // One lockfile, one fix: two SHA-1 entries are one finding, on the first, with both places.
        file: 'package-lock.json',
        code: lock(
          [
            entry('left-pad', '1.3.0', `,\n      "integrity": "sha1-${'B'.repeat(27)}="`),
            entry('is-odd', '3.0.1', `,\n      "integrity": "sha1-${'C'.repeat(27)}="`),
          ].join(',\n'),
        ),
        lines: [11],
      },
      { file: 'package-lock.json', code: lock(entry('jsonwebtoken', '8.5.1')), lines: [11] },
      {
        file: 'package.json',
        code: '{\n  "name": "app",\n  "dependencies": {\n    "express": "^4.21.2",\n    "request": "^2.88.2"\n  }\n}',
        lines: [5],
      },
      {
        file: 'package.json',
        code: '{\n  "name": "api",\n  "dependencies": {\n    "jsonwebtoken": "^8.5.1"\n  }\n}',
        lines: [4],
      },
      {
        file: 'yarn.lock',
        code: '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\nlodash@^4.17.20:\n  version "4.17.20"\n  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.20.tgz#b44a9b6297bcb698f1c51a3545a2b3b368d59c52"\n  integrity sha512-PlhdFcillOINfeV7Ni6oF1TAEayyZBoZ8bcshTHqOYJYlrqzRK5hagpagky5o4HfCzzd1TRkXPMFq6cKk9rGmA==\n',
        lines: [5],
      },
      {
        file: 'pnpm-lock.yaml',
        code: "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      axios:\n        specifier: 0.21.1\n        version: 0.21.1\n\npackages:\n\n  axios@0.21.1:\n    resolution: {integrity: sha512-dKQiRHxGD9PPRIUNIWvZhPTPpl1rf/OxTYKsqKUDjBwYylTvV7SjSHJb9ratfyzM6wCdLCOYLzs73qpg5c4iGA==}\n",
        lines: [13],
      },
      {
        file: 'bun.lock',
        code: '{\n  "lockfileVersion": 1,\n  "workspaces": {\n    "": {\n      "name": "cli",\n      "dependencies": {\n        "minimist": "1.2.5",\n      },\n    },\n  },\n  "packages": {\n    "minimist": ["minimist@1.2.5", "", {}, "sha512-FM9nNUYrRBAELZQT3xeZQ7fmMOBg6nWNmJKTcgsJeaLstP/UODVpGsr5OhXhhXg6f+qtJ8uiZ+PUxkDWcgIXLw=="],\n  }\n}\n',
        lines: [12],
      },
      {
        file: 'package-lock.json',
        code: lock(
          `    "node_modules/left-pad": {\n      "version": "1.3.0",\n      "resolved": "git+ssh://git@github.com/someone/left-pad.git#5d1a9b8c2f0e3a4b6c7d8e9f0a1b2c3d4e5f6a7b"\n    }`,
        ),
        lines: [11],
      },
      {
        file: 'package-lock.json',
        code: lock(entry('left-pad', '1.3.0', '').replace('registry.npmjs.org', 'registry.npmjs.example')),
        lines: [11],
      },
      {
        file: 'services/api/package-lock.json',
        code: '{\n  "name": "api",\n<<<<<<< HEAD\n  "lockfileVersion": 3,\n=======\n  "lockfileVersion": 2,\n>>>>>>> main\n  "packages": {}\n}',
        lines: [3],
      },
      {
        file: 'package.json',
        code: '{\n  "name": "web",\n  "dependencies": {\n    "ui-kit": "github:someone/ui-kit#main",\n    "shared": "file:../../outside/shared"\n  }\n}',
        lines: [4, 5],
      },
    ],
    good: [
      { file: 'package-lock.json', code: lock(`${entry('jsonwebtoken', '9.0.2')},\n${entry('lodash', '4.17.21')}`) },
      {
        file: 'package.json',
        code: '{\n  "name": "api",\n  "dependencies": {\n    "jsonwebtoken": "^9.0.2",\n    "express": "^4.21.2",\n    "@app/shared": "workspace:*",\n    "local-lib": "file:./packages/local-lib"\n  }\n}',
      },
      {
        file: 'yarn.lock',
        code: '# yarn lockfile v1\n\n\nlodash@^4.17.21:\n  version "4.17.21"\n  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#679591c564c3bffaae8454cf0b3df370c3d6911c"\n  integrity sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==\n',
      },
      {
        file: 'package.json',
        code: '{\n  "name": "legacy",\n  "dependencies": {\n    "request": "^2.88.2"\n  }\n}',
        options: { banned: { request: null } },
      },
      {
        file: 'package-lock.json',
        code: lock(entry('jsonwebtoken', '8.5.1')),
        options: { minimum: { jsonwebtoken: null } },
      },
      // pnpm: a registry version with a SHA-512 integrity and no advisory.
      {
        file: 'pnpm-lock.yaml',
        code: `lockfileVersion: '9.0'\n\npackages:\n\n  jsonwebtoken@9.0.2:\n    resolution: {integrity: sha512-${'B'.repeat(86)}==}\n`,
      },
    ],
  },
  async check(file, ctx) {
    const { checkDependencies } = await import('../deps/check-dependencies.js');
    return checkDependencies(file, ctx);
  },
});
