/** The shapes the dependency checks share: what a lockfile says about one package, and an advisory. */

/** Where a package's code comes from. */
export type Source = 'registry' | 'git' | 'tarball' | 'file' | 'link' | 'workspace';

export interface LockedPackage {
  /** The real package name (an npm alias `foo@npm:bar` locks `bar`). */
  name: string;
  version: string;
  /** Identifies this entry in its lockfile: the npm install path, the yarn entry key, the pnpm key. */
  key: string;
  source: Source;
  /** Tarball URL, git URL or local path, as the lockfile records it (npm may omit registry URLs). */
  resolved?: string;
  /** Subresource-integrity string (`sha512-…`) or yarn berry checksum. */
  integrity?: string;
  hasInstallScript?: boolean;
  license?: string;
  /** pnpm 9 records deprecation messages in the lockfile. */
  deprecated?: string;
  dev?: boolean;
}

export type LockfileFormat = 'npm' | 'yarn-classic' | 'yarn-berry' | 'pnpm' | 'bun';

export interface Lockfile {
  format: LockfileFormat;
  /** The format's own version: npm `lockfileVersion`, pnpm `lockfileVersion`, yarn `__metadata.version`. */
  version: string;
  packages: LockedPackage[];
  /** Direct dependencies (root and workspaces) with the range each asks for, when the lockfile records them. */
  direct: Map<string, string>;
  /** 1-based lines of a package's entry (key line to last line), and the key's column when known. */
  locate(pkg: LockedPackage): { line: number; endLine: number; column?: number };
  /** Ranges that other packages (or the manifest) ask for that resolved to this package. */
  wanted(pkg: LockedPackage): string[];
  /** The package of one entry by its key, without building every package (readers that can). */
  byKey?(key: string): LockedPackage | null;
}

/** A problem with the lockfile itself, reported as a finding rather than a crash. */
export class LockfileError extends Error {
  override name = 'LockfileError';
  constructor(
    message: string,
    /** 1-based line of the problem, when known. */
    readonly line: number | null,
    readonly kind: 'corrupt' | 'unsupported',
  ) {
    super(message);
  }
}

export type AdvisorySeverity = 'critical' | 'high' | 'moderate' | 'low' | 'unknown';

export const SEVERITY_RANK: Record<AdvisorySeverity, number> = {
  unknown: 2.5,
  low: 1,
  moderate: 2,
  high: 3,
  critical: 4,
};

/** `[kind, version]`: introduced, fixed, last_affected (OSV `events`). */
export type AdvisoryEvent = ['i' | 'f' | 'l', string];

/** One advisory as it applies to one package: the compact form stored in the local database. */
export interface Advisory {
  id: string;
  aliases?: string[];
  summary: string;
  severity: AdvisorySeverity;
  /** CVSS base score, when the record has a CVSS v3 vector. */
  score?: number;
  /** OSV ranges (SEMVER / ECOSYSTEM), each a list of events. */
  ranges: AdvisoryEvent[][];
  /** Explicitly listed affected versions. */
  versions?: string[];
}

/** The dependencies atom's options, as the policy validator resolves them (the schema is in src/atoms/dependencies.ts). */
export interface DependencyOptions {
  failOn: Exclude<AdvisorySeverity, 'unknown'>;
  ignoreAdvisories: Record<string, string>;
  minimum: Record<string, { range: string; reason: string }>;
  banned: Record<string, { reason: string; alternative?: string; versions?: string }>;
  allowedLicenses: string[] | null;
  maxMajorsBehind: number;
  maxAgeMonths: number;
  minReleaseAgeDays: number;
  maxDbAgeDays: number;
  advisoryUrl: string | null;
  allowedHosts: string[];
  installScripts: 'block' | 'warn' | 'off';
  allowInstallScripts: string[];
}
