/**
 * Network access for the dependency checks, and only for them: `db update`,
 * `check --online`. Everything goes through npm-registry-fetch (loaded
 * lazily; a commit never imports it) so that the user's npm configuration —
 * registry, auth, proxy, CA — applies, with a timeout on every request.
 */
import { fetchOptions, readNpmConfig, type NpmConfig } from './npm-config.js';

export interface HttpResponse {
  status: number;
  body: Buffer;
  header(name: string): string | null;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  config?: NpmConfig;
  /** Retries on network errors and 5xx (default 1). */
  retries?: number;
}

type NpmFetch = (
  url: string,
  opts: Record<string, unknown>,
) => Promise<{ status: number; headers: { get(name: string): string | null }; buffer(): Promise<Buffer> }>;
let loaded: Promise<NpmFetch> | null = null;
const npmFetch = () =>
  (loaded ??= import('npm-registry-fetch').then(
    (m) => ((m as { default?: NpmFetch }).default ?? m) as unknown as NpmFetch,
  ));

/** Fetches a URL; resolves for any status below 400 (304 included), rejects with a clear message otherwise. */
export async function request(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  const fetch = await npmFetch();
  const config = opts.config ?? readNpmConfig();
  const timeout = opts.timeoutMs ?? 30_000;
  let res;
  try {
    res = await fetch(url, {
      ...fetchOptions(config),
      method: opts.method ?? 'GET',
      headers: opts.headers ?? {},
      ...(opts.body === undefined ? {} : { body: opts.body }),
      timeout,
      retry: { retries: opts.retries ?? 1, factor: 2, minTimeout: 200, maxTimeout: 2000 },
      // No HTTP cache (npm-registry-fetch caches only when given a cache *path*): our own caches decide freshness.
    });
  } catch (e) {
    const err = e as { statusCode?: number; code?: string; message?: string };
    if (err.statusCode) throw new Error(`${url}: HTTP ${err.statusCode}`);
    throw new Error(`${url}: ${err.code ?? ''}${err.code ? ' ' : ''}${err.message ?? String(e)}`.trim());
  }
  let body: Buffer;
  try {
    body = res.status === 304 ? Buffer.alloc(0) : await res.buffer();
  } catch (e) {
    throw new Error(`${url}: the connection dropped while downloading (${(e as Error).message})`);
  }
  const length = res.headers.get('content-length');
  const encoded = res.headers.get('content-encoding');
  if (length !== null && !encoded && res.status === 200 && Number(length) !== body.length) {
    throw new Error(`${url}: received ${body.length} of ${length} bytes; the connection dropped`);
  }
  return { status: res.status, body, header: (name) => res.headers.get(name) };
}

export async function requestJson<T>(url: string, opts: RequestOptions = {}): Promise<T> {
  const res = await request(url, { ...opts, headers: { accept: 'application/json', ...(opts.headers ?? {}) } });
  try {
    return JSON.parse(res.body.toString('utf8')) as T;
  } catch {
    throw new Error(`${url}: the response is not JSON`);
  }
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}
