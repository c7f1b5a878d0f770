/**
 * The user's npm configuration, read the way npm reads it (global, user and
 * project `.npmrc`, then `npm_config_*` environment variables), reduced to
 * what talking to registries needs: the registry (per scope), auth, proxy and
 * TLS settings, in the flat option form npm-registry-fetch takes.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

export interface NpmConfig {
  /** Default registry URL, with a trailing slash. */
  registry: string;
  /** `@scope` → registry URL. */
  scopes: Record<string, string>;
  /** Every key as npm would see it (later sources win). */
  raw: Record<string, string>;
}

/** Parses `.npmrc` text: `key=value` lines, `;`/`#` comments, `${ENV}` substitution. */
export function parseNpmrc(text: string, into: Record<string, string> = {}): Record<string, string> {
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = substitute(line.slice(0, eq).trim()).replace(/\[\]$/, '');
    let value = line.slice(eq + 1).trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    into[key] = substitute(value);
  }
  return into;
}

function substitute(text: string): string {
  return text.replace(/(\\*)\$\{([^}]+)\}/g, (whole, slashes: string, name: string) =>
    slashes.length % 2 ? whole.slice(1) : slashes + (process.env[name] ?? ''),
  );
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The effective configuration; `projectNpmrc` is the repository's `.npmrc` text, if any. */
export function readNpmConfig(projectNpmrc: string | null = null): NpmConfig {
  const env = process.env;
  const raw: Record<string, string> = {};
  const prefix = env.npm_config_prefix ?? env.NPM_CONFIG_PREFIX ?? dirname(dirname(process.execPath));
  const globalrc = env.npm_config_globalconfig ?? env.NPM_CONFIG_GLOBALCONFIG ?? join(prefix, 'etc', 'npmrc');
  const userrc = env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? join(homedir(), '.npmrc');
  for (const text of [readIfExists(globalrc), readIfExists(userrc), projectNpmrc]) if (text) parseNpmrc(text, raw);
  for (const [k, v] of Object.entries(env)) {
    const m = /^npm_config_(.+)$/i.exec(k);
    if (!m || v === undefined) continue;
    const key = m[1]!.toLowerCase();
    // npm maps `_` to `-` except in keys that start with `_` or `//` (auth keys).
    raw[key.startsWith('_') || key.startsWith('//') ? key : key.replace(/_/g, '-')] = v;
  }
  const scopes: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const m = /^(@[^:]+):registry$/.exec(k);
    if (m) scopes[m[1]!] = withSlash(v);
  }
  return { registry: withSlash(raw.registry || DEFAULT_REGISTRY), scopes, raw };
}

const withSlash = (url: string) => (url.endsWith('/') ? url : url + '/');

/** The registry a package name is fetched from. */
export function registryFor(config: NpmConfig, name: string): string {
  const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : '';
  return (scope && config.scopes[scope]) || config.registry;
}

/** Options for npm-registry-fetch / make-fetch-happen: registry, scoped registries, auth keys, proxy, TLS. */
export function fetchOptions(config: NpmConfig): Record<string, unknown> {
  const raw = config.raw;
  const options: Record<string, unknown> = { registry: config.registry };
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith('//') || /^@[^:]+:registry$/.test(k) || k === '_auth' || k === '_authToken') options[k] = v;
  }
  const proxy = raw['https-proxy'] || raw.proxy;
  if (proxy) options.proxy = proxy;
  if (raw.noproxy) options.noProxy = raw.noproxy;
  if (raw['strict-ssl'] !== undefined) options.strictSSL = raw['strict-ssl'] !== 'false';
  const ca = raw.cafile ? readIfExists(raw.cafile) : raw.ca;
  if (ca) options.ca = ca;
  return options;
}
