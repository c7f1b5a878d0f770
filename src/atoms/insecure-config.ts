import type { CodeModule, Node } from '../ast/module.js';
import { keyName, propertyName, unwrap } from '../ast/nodes.js';
import { defineAtom, parsesFirst, perFile, type CheckContext, type Hit, type SourceFile } from '../kit/atom.js';
import { APP_FILES, handlerFunction, inDevelopmentBranch, routesIn } from '../kit/app.js';
import { codeCheck } from '../kit/code.js';

const COMPOSE = /(?:^|\/)(?:docker-)?compose[^/]*\.ya?ml$/i;
const REDIS_CONF = /(?:^|\/)redis[^/]*\.conf$/i;
const MONGO_CONF = /(?:^|\/)mongod[^/]*\.conf$/i;
const ENV_FILE = /(?:^|\/)\.env(?:\.[^/]*)?$/;
/** Files named for production: .env.production, docker-compose.prod.yml. */
const PRODUCTION = /(?:^|[^a-z])prod(?:uction)?(?:[^a-z]|$)/i;
const TRUTHY = /^(?:true|1|yes|on|\*|[\w:.-]*\*)$/i;

const line = (file: SourceFile, offset: number) => file.position(offset);

// ── JavaScript and TypeScript ──────────────────────────────────────────

/** Only modules with one of these are parsed by this atom. */
const CODE_HINT =
  /\.set\(\s*['"]env['"]|NODE_ENV\s*=[^=]|introspection|playground|graphiql|\bdebug\s*:\s*true|serve-index|express\.static|serve-?[sS]tatic|koa-static|fastify-static|@fastify\/static|status-monitor|prom-client|\.metrics\s*\(|HeapSnapshot|heapdump|inspector/;
const GRAPHQL_SERVER = /apollo|graphql|mercurius|yoga|helix/i;
const GRAPHQL_DEBUG = new Set(['introspection', 'playground', 'graphiql', 'debug']);

function codeHits(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    // app.set('env', 'development')
    if (
      callee.name === 'set' &&
      call.args[0] &&
      m.stringValue(call.args[0]) === 'env' &&
      call.args[1] &&
      m.stringValue(call.args[1]) === 'development' &&
      !inDevelopmentBranch(m, call.node)
    ) {
      hits.push(
        m.hit('development-mode', call.node, {
          messageId: 'expressEnv',
        }),
      );
    }
    // new ApolloServer({ introspection: true }), graphqlHTTP({ graphiql: true }), GraphQLModule.forRoot({ playground: true })
    if (GRAPHQL_SERVER.test(`${callee.module ?? ''} ${callee.path.join('.')}`)) {
      for (const arg of call.args) {
        const obj = m.objectLiteral(arg);
        // A plugin or validation rule of the same server that governs introspection (NoSchemaIntrospectionCustomRule, a control plugin).
        const governed = (obj?.properties ?? []).some(
          (p: Node) =>
            p.type === 'Property' &&
            /^(?:plugins|validationRules)$/.test(keyName(p) ?? '') &&
            /introspection/i.test(m.source(p.value)),
        );
        for (const p of (obj?.properties ?? []) as Node[]) {
          const key = p.type === 'Property' ? keyName(p) : null;
          if (!key || !GRAPHQL_DEBUG.has(key) || m.source(unwrap(p.value)) !== 'true' || inDevelopmentBranch(m, p))
            continue;
          if (key === 'introspection' && governed) continue;
          hits.push(
            m.hit('debug-enabled', p, {
              messageId: key === 'introspection' ? 'introspection' : key === 'debug' ? 'graphqlDebug' : 'playground',
              data: { key },
            }),
          );
        }
      }
    }
  }
  exposedFiles(m, hits);
  openDiagnostics(m, hits);
  // process.env.NODE_ENV = 'development'
  for (const a of m.nodes('AssignmentExpression')) {
    const left = unwrap(a.left);
    if (
      left.type === 'MemberExpression' &&
      propertyName(left) === 'NODE_ENV' &&
      /^process\.env$/.test(m.source(left.object)) &&
      m.stringValue(a.right) === 'development' &&
      !inDevelopmentBranch(m, a)
    ) {
      hits.push(
        m.hit('development-mode', a, {
          messageId: 'nodeEnvForced',
        }),
      );
    }
  }
  return hits;
}

// ── Files and diagnostics served to anyone ─────────────────────────────

/** Folders that hold what a site must not serve: logs, backups, dumps, the git directory, secrets. */
const PRIVATE_DIR = /(?:^|[/\\])(?:logs?|backups?|bak|dumps?|\.git|\.ssh|secrets?|private)\/?$/i;

/** The folder a static middleware serves, when it is the project (or module) itself: '.', process.cwd(), __dirname. */
function servesItsOwnTree(m: CodeModule, root: Node): string | undefined {
  const u = unwrap(root);
  const text = m.source(u).replace(/\s+/g, '');
  if (
    /^(?:process\.cwd\(\)|__dirname|(?:path\.)?(?:join|resolve)\((?:__dirname|process\.cwd\(\))(?:,['"`]\.{1,2}\/?['"`])*\)|(?:path\.)?resolve\(['"`]\.?\/?['"`]\))$/.test(
      text,
    )
  )
    return text;
  const value = m.stringValue(u);
  if (value !== undefined && /^\.?\/?$/.test(value)) return value || "''";
  return undefined;
}

/** A static middleware: express.static / serve-static / koa-static (root, options) or @fastify/static registered with { root }. */
function staticServers(m: CodeModule): Array<{ node: Node; root?: Node; options?: Node }> {
  const found: Array<{ node: Node; root?: Node; options?: Node }> = [];
  for (const call of m.calls()) {
    const { callee } = call;
    const path = callee.path.join('.');
    if (
      (callee.module === 'express' && path === 'static') ||
      ((callee.module === 'serve-static' || callee.module === 'koa-static') && (path === '' || path === 'default'))
    )
      found.push({ node: call.node, root: call.args[0], options: call.args[1] });
    else if (callee.name === 'register' && call.args[0]) {
      const plugin = m.callee(unwrap(call.args[0]));
      if (plugin.module === '@fastify/static' || plugin.module === 'fastify-static') {
        const opts = call.args[1] && m.objectLiteral(call.args[1]);
        found.push({ node: call.node, root: opts ? m.property(opts, 'root') : undefined, options: call.args[1] });
      }
    }
  }
  return found;
}

function exposedFiles(m: CodeModule, hits: Hit[]): void {
  for (const { node, root, options } of staticServers(m)) {
    if (inDevelopmentBranch(m, node)) continue;
    const opts = options && m.objectLiteral(options);
    const option = (key: string) => (opts ? m.property(opts, key) : undefined);
    const dotfiles = option('dotfiles');
    const hiddenKey = option('hidden') ? 'hidden' : 'serveDotFiles';
    const hidden = option(hiddenKey);
    const list = option('list');
    if (dotfiles && m.stringValue(dotfiles) === 'allow')
      hits.push(m.hit('exposed-files', dotfiles, { messageId: 'dotfiles', data: { option: "dotfiles: 'allow'" } }));
    else if (hidden && m.source(unwrap(hidden)) === 'true')
      hits.push(m.hit('exposed-files', hidden, { messageId: 'dotfiles', data: { option: `${hiddenKey}: true` } }));
    if (list && m.source(unwrap(list)) !== 'false')
      hits.push(m.hit('directory-listing', list, { messageId: 'fastifyList' }));
    if (!root) continue;
    const own = servesItsOwnTree(m, root);
    // The folder's own name: the string, or the last literal of path.join(__dirname, 'logs').
    const folder =
      m.stringValue(unwrap(root)) ?? /['"`]([^'"`]*)['"`]\s*\)?\s*$/.exec(m.source(unwrap(root)))?.[1] ?? '';
    if (own) hits.push(m.hit('exposed-files', root, { messageId: 'ownTree', data: { root: own } }));
    else if (PRIVATE_DIR.test(folder))
      hits.push(m.hit('exposed-files', root, { messageId: 'privateDir', data: { root: m.source(root).slice(0, 40) } }));
  }
  for (const call of m.calls())
    if (
      (call.callee.module === 'serve-index' || call.callee.module === 'koa-serve-index') &&
      !inDevelopmentBranch(m, call.node)
    )
      hits.push(m.hit('directory-listing', call.node, { messageId: 'serveIndex' }));
}

/** Middleware that lets only signed-in or authorised callers through. */
const AUTH_MIDDLEWARE =
  /auth|protect|guard|require\w*(?:User|Admin|Login|Session|Token)|ensure\w*|isAdmin|admin\w*Only|basicAuth|apiKey|bearer|verify\w*Token|passport|jwt|permission|allowlist|whitelist|localOnly|internalOnly|ipFilter/i;
/** What a handler that serves diagnostics does: a metrics registry, a heap snapshot or profile, the inspector. */
const METRICS_HANDLER = /\.metrics\s*\(\s*\)|register\.contentType|prom-client/;
const HEAP_HANDLER = /writeHeapSnapshot|getHeapSnapshot|heapdump|writeSnapshot|HeapProfiler|Profiler\.|inspector\.open/;
/** A configuration switch that names the feature: the operator turned it on (`if (config.server.serverMetrics)`). */
const FEATURE_SWITCH = /metric|prometheus|heap|snapshot|debug|profil|monitor|diagnos|inspect/i;

function underFeatureSwitch(m: CodeModule, node: Node): boolean {
  for (const a of m.ancestors(node))
    if ((a.type === 'IfStatement' || a.type === 'ConditionalExpression') && FEATURE_SWITCH.test(m.source(a.test)))
      return true;
  return false;
}

function openDiagnostics(m: CodeModule, hits: Hit[]): void {
  // router.use(requireAuth) in the module: its routes are behind it.
  const moduleAuth = m
    .calls()
    .some(
      (c) =>
        c.callee.name === 'use' &&
        c.args.some(
          (a) => AUTH_MIDDLEWARE.test(m.source(a)) && !/^['"`]|initialize\s*\(|\.session\s*\(/.test(m.source(a)),
        ),
    );
  if (moduleAuth) return;
  for (const route of routesIn(m)) {
    if (route.method !== 'get' && route.method !== 'all') continue;
    const handler = route.handlers.at(-1)!;
    const fn = handlerFunction(m, route);
    const body = m.source(fn ?? handler);
    const kind = HEAP_HANDLER.test(body) ? 'heap' : METRICS_HANDLER.test(body) ? 'metrics' : undefined;
    if (!kind) continue;
    if (route.handlers.slice(0, -1).some((h) => AUTH_MIDDLEWARE.test(m.source(h)))) continue;
    if (underFeatureSwitch(m, route.node) || inDevelopmentBranch(m, route.node)) continue;
    hits.push({
      ...m.hit('open-diagnostics', route.node, { messageId: kind, data: { route: `GET ${route.path}` } }),
      // Metrics say how the app is used, a heap snapshot holds every secret in memory: the first is a warning.
      ...(kind === 'metrics' ? { severity: 'warning' as const } : {}),
    });
  }
  for (const call of m.calls()) {
    // app.use(require('express-status-monitor')()): its page and socket are public at /status.
    if (
      call.callee.module === 'express-status-monitor' &&
      !underFeatureSwitch(m, call.node) &&
      !inDevelopmentBranch(m, call.node)
    ) {
      const parent = m.parent(call.node);
      if (
        parent?.type === 'CallExpression' &&
        m.callee(parent.callee).name === 'use' &&
        !parent.arguments.some((a: Node) => AUTH_MIDDLEWARE.test(m.source(a)))
      )
        hits.push({ ...m.hit('open-diagnostics', call.node, { messageId: 'statusMonitor' }), severity: 'warning' });
    }
    // inspector.open(9229, '0.0.0.0'): the debugger on every interface.
    if (call.callee.name === 'open' && /^(?:node:)?inspector$/.test(call.callee.module ?? '') && call.args[1]) {
      const host = m.stringValue(call.args[1]);
      if (host !== undefined && /^(?:0\.0\.0\.0|::|\[::\])$/.test(host) && !inDevelopmentBranch(m, call.node))
        hits.push(m.hit('debug-enabled', call.node, { messageId: 'inspectorOpen', data: { host } }));
    }
  }
}

// ── docker-compose ─────────────────────────────────────────────────────

interface Service {
  name: string;
  image: string;
  command: string;
  env: Map<string, { value: string; offset: number }>;
  /** Ports published on every interface, with where they are written. */
  publicPorts: Array<{ container: number; offset: number }>;
  offset: number;
}

/** Datastores and what turns their authentication off (or what turns it on). */
interface Datastore {
  image: RegExp;
  name: string;
  port: number;
  /** Authentication is off unless one of these is present. */
  needs?: (s: Service) => boolean;
  /** Authentication explicitly off. */
  off?: (s: Service) => { key: string; offset: number } | null;
}

const envFlag = (keys: RegExp, value: RegExp) => (s: Service) => {
  for (const [k, v] of s.env)
    if (keys.test(k) && value.test(v.value.trim())) return { key: `${k}=${v.value}`, offset: v.offset };
  const m = new RegExp(`(?:^|\\s)(?:-e\\s+)?(${keys.source.replace(/^\^|\$$/g, '')})=(\\S+)`).exec(s.command);
  return m && value.test(m[2]!) ? { key: `${m[1]}=${m[2]}`, offset: s.offset } : null;
};

const DATASTORES: Datastore[] = [
  {
    image: /(?:^|\/)(?:redis|redis-stack(?:-server)?|valkey|keydb)(?:[:@]|$)/i,
    name: 'Redis',
    port: 6379,
    needs: (s) =>
      /--requirepass|\.conf\b|--aclfile/.test(s.command) ||
      [...s.env.keys()].some(
        (k) => /^(?:REDIS_PASSWORD|REDIS_ARGS|VALKEY_PASSWORD)$/.test(k) && !/^\s*$/.test(s.env.get(k)!.value),
      ),
    off: (s) =>
      envFlag(/^ALLOW_EMPTY_PASSWORD$/, /^(?:yes|true|1)$/i)(s) ??
      (/--protected-mode\s+no/.test(s.command) ? { key: '--protected-mode no', offset: s.offset } : null),
  },
  {
    image: /(?:^|\/)(?:mongo|mongodb)(?:[:@]|$)|mongodb-community-server/i,
    name: 'MongoDB',
    port: 27017,
    needs: (s) =>
      /--auth\b|\.conf\b/.test(s.command) ||
      s.env.has('MONGO_INITDB_ROOT_PASSWORD') ||
      s.env.has('MONGODB_ROOT_PASSWORD') ||
      s.env.has('MONGO_INITDB_ROOT_PASSWORD_FILE'),
    off: (s) =>
      /--noauth\b/.test(s.command)
        ? { key: '--noauth', offset: s.offset }
        : envFlag(/^ALLOW_EMPTY_PASSWORD$/, /^(?:yes|true|1)$/i)(s),
  },
  {
    image: /elasticsearch|opensearch/i,
    name: 'Elasticsearch/OpenSearch',
    port: 9200,
    off: envFlag(
      /^(?:xpack\.security\.enabled|plugins\.security\.disabled|DISABLE_SECURITY_PLUGIN)$/,
      /^(?:false|true)$/i,
    ),
  },
  {
    image: /(?:^|\/)(?:postgres|postgis\/postgis|timescale\/timescaledb)(?:[:@]|$)|bitnami\/postgresql/i,
    name: 'PostgreSQL',
    port: 5432,
    off: envFlag(/^POSTGRES_HOST_AUTH_METHOD$/, /^trust$/i),
  },
  {
    image: /(?:^|\/)(?:mysql|mariadb|percona)(?:[:@]|$)/i,
    name: 'MySQL/MariaDB',
    port: 3306,
    off: envFlag(
      /^(?:MYSQL_ALLOW_EMPTY_PASSWORD|MARIADB_ALLOW_EMPTY_ROOT_PASSWORD|MARIADB_ALLOW_EMPTY_PASSWORD|ALLOW_EMPTY_PASSWORD)$/,
      /^(?:yes|true|1)$/i,
    ),
  },
  {
    image: /(?:^|\/)memcached(?:[:@]|$)/i,
    name: 'Memcached',
    port: 11211,
    needs: (s) => /-S\b|--enable-sasl/.test(s.command),
  },
  {
    image: /(?:^|\/)mongo-express(?:[:@]|$)/i,
    name: 'mongo-express',
    port: 8081,
    off: envFlag(/^ME_CONFIG_BASICAUTH$/, /^false$/i),
  },
];

/** The ports a service publishes on all interfaces: "6379:6379", "6379", "0.0.0.0:6379:6379", { published, target } without host_ip. */
function publicPorts(ports: unknown, hostNetwork: boolean, offset: number): Service['publicPorts'] {
  const out: Service['publicPorts'] = [];
  if (hostNetwork) out.push({ container: -1, offset });
  const items = (ports as { items?: unknown[] } | undefined)?.items ?? [];
  for (const item of items as Array<{ value?: unknown; range?: number[]; toJSON?: () => unknown }>) {
    const at = item.range?.[0] ?? offset;
    const v = typeof item.toJSON === 'function' ? item.toJSON() : item.value;
    if (typeof v === 'number' || typeof v === 'string') {
      const text = String(v).replace(/\/(?:tcp|udp)$/, '');
      const parts = text.split(':');
      const host =
        parts.length === 3
          ? parts[0]!
          : parts.length > 3
            ? text.slice(0, text.lastIndexOf(':', text.lastIndexOf(':') - 1))
            : '';
      if (host && !/^(?:0\.0\.0\.0|::|\[::\])$/.test(host)) continue;
      const container = Number(parts.at(-1)!.split('-')[0]);
      out.push({ container, offset: at });
    } else if (v && typeof v === 'object') {
      const o = v as { host_ip?: string; target?: number | string; published?: unknown };
      if (o.published === undefined) continue;
      if (o.host_ip && !/^(?:0\.0\.0\.0|::)$/.test(o.host_ip)) continue;
      out.push({ container: Number(o.target), offset: at });
    }
  }
  return out;
}

async function composeHits(file: SourceFile): Promise<Hit[]> {
  // Loaded only for compose files; bundled as CommonJS, so its exports may sit on `default`.
  const loaded = await import('yaml');
  const { parseDocument, isMap, isSeq, isScalar } = (
    'parseDocument' in loaded ? loaded : (loaded as { default: typeof loaded }).default
  ) as typeof loaded;
  const doc = parseDocument(file.text, { uniqueKeys: false });
  if (doc.errors.length) return [];
  const services = doc.get('services');
  if (!isMap(services)) return [];
  const hits: Hit[] = [];
  const production = PRODUCTION.test(file.path.slice(file.path.lastIndexOf('/') + 1));
  const hit = (rule: string, offset: number, messageId: string, data: Hit['data']) =>
    hits.push({ rule, ...line(file, offset), messageId, data });

  for (const pair of services.items) {
    const node = pair.value;
    if (!isMap(node)) continue;
    const offset = (pair.key as { range?: number[] } | null)?.range?.[0] ?? 0;
    const str = (k: string) => {
      const v = node.get(k);
      if (isSeq(v)) return v.items.map((i) => String(isScalar(i) ? i.value : '')).join(' ');
      return v === undefined || v === null ? '' : String(v);
    };
    const env = new Map<string, { value: string; offset: number }>();
    const environment = node.get('environment', true);
    if (isMap(environment)) {
      for (const e of environment.items) {
        const k = String(isScalar(e.key) ? e.key.value : e.key);
        env.set(k, {
          value: isScalar(e.value) ? String(e.value.value ?? '') : '',
          offset: (e.key as { range?: number[] }).range?.[0] ?? offset,
        });
      }
    } else if (isSeq(environment)) {
      for (const e of environment.items) {
        if (!isScalar(e)) continue;
        const text = String(e.value);
        const eq = text.indexOf('=');
        env.set(eq < 0 ? text : text.slice(0, eq), {
          value: eq < 0 ? '' : text.slice(eq + 1),
          offset: e.range?.[0] ?? offset,
        });
      }
    }
    const service: Service = {
      name: String(isScalar(pair.key) ? pair.key.value : pair.key),
      image: str('image'),
      command: `${str('entrypoint')} ${str('command')}`,
      env,
      publicPorts: publicPorts(node.get('ports', true), str('network_mode') === 'host', offset),
      offset,
    };
    const exposed = service.publicPorts[0];
    for (const store of DATASTORES) {
      if (!store.image.test(service.image)) continue;
      const off = store.off?.(service) ?? null;
      const open = !off && store.needs !== undefined && !store.needs(service);
      if (!off && !open) break;
      const where = exposed
        ? `published on every interface (${exposed.container > 0 ? exposed.container : 'host network'})`
        : 'reachable by every container on its network';
      if (off && (exposed || production))
        hit('auth-disabled', off.offset === service.offset && exposed ? exposed.offset : off.offset, 'composeAuthOff', {
          store: store.name,
          service: service.name,
          key: off.key,
          where,
        });
      else if (open && exposed)
        hit('auth-disabled', exposed.offset, 'composeNoPassword', { store: store.name, service: service.name, where });
      break;
    }
    // node --inspect=0.0.0.0 with the debugger port published
    const inspect = /--inspect(?:-brk)?=(?:0\.0\.0\.0|\[?::\]?)(?::(\d+))?/.exec(service.command);
    const debugPort = inspect ? Number(inspect[1] ?? 9229) : 0;
    const published = service.publicPorts.find((p) => p.container === debugPort || p.container === -1);
    if (inspect && published) hit('debug-enabled', published.offset, 'composeInspector', { service: service.name });
    if (production) {
      for (const [k, v] of env) {
        if (k === 'NODE_ENV' && v.value === 'development')
          hit('development-mode', v.offset, 'composeNodeEnv', { service: service.name });
        else if (/^(?:DEBUG|APP_DEBUG|\w+_DEBUG)$/.test(k) && TRUTHY.test(v.value.trim()))
          hit('debug-enabled', v.offset, 'composeDebug', { key: k, value: String(v.value), service: service.name });
      }
    }
  }
  return hits;
}

// ── redis.conf, mongod.conf, .env ──────────────────────────────────────

function redisConfHits(file: SourceFile): Hit[] {
  const lines = file.lines();
  const directive = (re: RegExp) => lines.findIndex((l) => re.test(l.trim()));
  const auth =
    directive(/^requirepass\s+\S+/i) >= 0 ||
    directive(/^aclfile\s+\S/i) >= 0 ||
    lines.some((l) => /^user\s/i.test(l.trim()) && /\bon\b/i.test(l) && /[>#]\S/.test(l));
  if (auth) return [];
  const hits: Hit[] = [];
  const pm = directive(/^protected-mode\s+no\b/i);
  if (pm >= 0)
    hits.push({
      rule: 'auth-disabled',
      line: pm + 1,
      column: 1,
      messageId: 'redisProtectedMode',
    });
  const bind = directive(/^bind\s(?:.*\s)?(?:0\.0\.0\.0|\*|::)(?:\s|$)/i);
  if (bind >= 0)
    hits.push({
      rule: 'auth-disabled',
      line: bind + 1,
      column: 1,
      messageId: 'redisBind',
    });
  return hits;
}

function mongoConfHits(file: SourceFile): Hit[] {
  const lines = file.lines();
  const find = (re: RegExp) => lines.findIndex((l) => re.test(l.replace(/#.*$/, '')));
  const authOn =
    find(/^\s*authorization\s*:\s*["']?enabled/i) >= 0 ||
    find(/^\s*keyFile\s*:/) >= 0 ||
    find(/^\s*clusterAuthMode\s*:\s*x509/) >= 0;
  const off = find(/^\s*authorization\s*:\s*["']?disabled/i);
  const bind = find(/^\s*(?:bindIp\s*:.*(?:0\.0\.0\.0|::(?!1)|\*)|bindIpAll\s*:\s*true)/i);
  if (authOn || bind < 0) return [];
  return [
    {
      rule: 'auth-disabled',
      line: (off >= 0 ? off : bind) + 1,
      column: 1,
      messageId: 'mongod',
    },
  ];
}

function envFileHits(file: SourceFile): Hit[] {
  const name = file.path.slice(file.path.lastIndexOf('/') + 1);
  if (!PRODUCTION.test(name.replace(/^\.env/, ''))) return [];
  const hits: Hit[] = [];
  file.lines().forEach((text, i) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][\w.]*)\s*=\s*["']?([^"'#\s]*)/.exec(text);
    if (!m) return;
    const [, key, value] = m as unknown as [string, string, string];
    const at = { line: i + 1, column: 1 };
    if (key === 'NODE_ENV' && value === 'development')
      hits.push({ rule: 'development-mode', ...at, messageId: 'envFile', data: { file: name } });
    else if (/^(?:DEBUG|APP_DEBUG|\w+_DEBUG)$/.test(key) && TRUTHY.test(value))
      hits.push({ rule: 'debug-enabled', ...at, messageId: 'envFile', data: { key, value, file: name } });
    else if (
      (key === 'POSTGRES_HOST_AUTH_METHOD' && /^trust$/i.test(value)) ||
      (/ALLOW_EMPTY(?:_ROOT)?_PASSWORD$/.test(key) && /^(?:yes|true|1)$/i.test(value)) ||
      (key === 'ME_CONFIG_BASICAUTH' && /^false$/i.test(value))
    ) {
      hits.push({ rule: 'auth-disabled', ...at, messageId: 'envFile', data: { key, value, file: name } });
    }
  });
  return hits;
}

const scriptCheck = codeCheck(codeHits, []);

/** A module holding one of the settings this atom reads: only those are parsed. */
const isConfigModule = perFile(
  (file) =>
    !COMPOSE.test(file.path) &&
    !REDIS_CONF.test(file.path) &&
    !MONGO_CONF.test(file.path) &&
    !ENV_FILE.test(file.path) &&
    CODE_HINT.test(file.text),
);

export default defineAtom({
  id: 'insecure-config',
  title: 'Services run with authentication on and debugging off',
  criteria: {
    pass: 'Datastores that can be reached from outside their host require authentication (Redis requirepass or ACL users, MongoDB authorization: enabled or root credentials, no trust/empty-password switches); ports are published on 127.0.0.1 when only the host needs them; production configuration has NODE_ENV=production and debugging, GraphQL introspection and IDEs off; the Node.js inspector is never published; static middleware serves a folder of public assets (no directory listing, dotfiles ignored, never the project folder, logs or backups); metrics, heap snapshots and status pages are behind authentication or an operator switch.',
    fail: "A docker-compose service (Redis, MongoDB, Memcached, Elasticsearch, PostgreSQL, MySQL, mongo-express) runs without authentication, or with it switched off, on a port published on every interface; redis.conf has protected-mode no or binds 0.0.0.0 without requirepass; mongod.conf binds 0.0.0.0 without authorization; a production .env or compose file sets NODE_ENV=development or DEBUG on; code calls app.set('env', 'development'), forces NODE_ENV, or turns GraphQL introspection/playground/debug on in every environment; node --inspect=0.0.0.0 is published or inspector.open() listens on every interface; serve-index or @fastify/static list: true lists a folder; static serving allows dotfiles or serves the project folder ('.', __dirname, process.cwd()) or a logs/backups folder; a GET route serves prom-client metrics or a heap snapshot, or express-status-monitor is registered, with no authentication middleware.",
  },
  files: [
    ...APP_FILES,
    '**/docker-compose*.{yml,yaml}',
    '**/compose*.{yml,yaml}',
    '**/redis*.conf',
    '**/mongod*.conf',
    '**/.env',
    '**/.env.*',
  ],
  keywords: [
    'development',
    'introspection',
    'playground',
    'graphiql',
    'debug',
    'ports',
    'network_mode',
    'protected-mode',
    'bind',
    'authorization',
    'allow_empty',
    'host_auth_method',
    'basicauth',
    'inspect',
    'serve-index',
    'static',
    'status-monitor',
    'metrics',
    'heapsnapshot',
    'heapdump',
  ],
  defaultLevel: 'block',
  rules: {
    'auth-disabled': {
      message: 'A service runs without authentication where others can reach it.',
      messages: {
        composeAuthOff: '{store} (service "{service}") runs with authentication off ({key}) and is {where}.',
        composeNoPassword:
          '{store} (service "{service}") has no password and is {where}: anyone who can reach this machine can read and change its data.',
        redisProtectedMode:
          'protected-mode no without requirepass: Redis accepts commands from any host that can reach it, with no password.',
        redisBind: 'Redis listens on every interface and no requirepass (or ACL user with a password) is set.',
        mongod:
          'mongod listens on every interface without security.authorization: enabled: anyone who can reach it reads and writes every database.',
        envFile: '{key}={value} turns authentication off in {file}.',
      },
      fix: 'Turn authentication on (Redis: requirepass / ACL users, or command: redis-server --requirepass "$REDIS_PASSWORD"; MongoDB: MONGO_INITDB_ROOT_USERNAME/PASSWORD or security.authorization: enabled; drop trust/empty-password switches) and publish ports only on 127.0.0.1 ("127.0.0.1:6379:6379"), or not at all when only other containers connect.',
    },
    'debug-enabled': {
      message: 'Debugging is on where production (or anyone) can reach it.',
      messages: {
        introspection: '{key}: true is on in every environment: anyone can download the whole schema.',
        graphqlDebug: '{key}: true is on in every environment: anyone can read stack traces in errors.',
        playground: '{key}: true is on in every environment: anyone can use the GraphQL IDE against production.',
        inspectorOpen:
          'inspector.open() listens on {host}: anyone who reaches the port attaches a debugger and runs code in the process.',
        composeInspector:
          'The Node.js inspector of service "{service}" listens on every interface and its port is published: anyone who reaches it runs code in the container.',
        composeDebug: '{key}={value} turns debugging on in a production compose file (service "{service}").',
        envFile: '{key}={value} turns debugging on in {file}.',
      },
      fix: "Tie it to the environment: introspection: process.env.NODE_ENV !== 'production'; drop DEBUG from production configuration; bind the inspector to 127.0.0.1 (--inspect=127.0.0.1:9229) and do not publish its port.",
    },
    'directory-listing': {
      message: 'A folder is served with a listing of its files.',
      messages: {
        serveIndex:
          'serve-index lists every file of the folder to anyone: backups, logs and files nobody linked become one click away.',
        fastifyList: '@fastify/static is registered with list: every file of its root is listed to anyone.',
      },
      fix: 'Serve known files only: drop serve-index (or the list option) and link the files the site offers; if a listing is needed, put it behind authentication.',
    },
    'exposed-files': {
      message: 'Static serving reaches files that are not meant for the web.',
      messages: {
        dotfiles:
          'Static files are served with {option}: .env, .git/config and other dotfiles of the folder are downloadable.',
        ownTree:
          "Serving {root} as static files serves the project's own folder: its source, package.json, configuration and logs are downloadable.",
        privateDir: 'A folder named like logs or backups ({root}) is served as static files: anyone downloads them.',
      },
      fix: "Serve a dedicated folder of public assets (express.static(path.join(__dirname, 'public'))), keep dotfiles at their default ('ignore'), and keep logs and backups outside it.",
    },
    'open-diagnostics': {
      message: 'A diagnostics endpoint is open to anyone.',
      messages: {
        heap: '{route} writes or sends a heap snapshot or profile with no authentication: it holds every secret in memory and stalls the process while it is taken.',
        metrics:
          '{route} serves the metrics registry with no authentication: routes, traffic, versions and internals of the app are public.',
        statusMonitor:
          'express-status-monitor is registered for everyone: its /status page and socket show the load, routes and response times of the app.',
      },
      fix: "Put it behind authentication or serve it on an internal port: router.get('/metrics', requireAdmin, handler), a metrics server on a second port the load balancer does not expose, or basic auth for the scraper.",
    },
    'development-mode': {
      message: 'The app is put in development mode in production code or configuration.',
      messages: {
        expressEnv:
          "app.set('env', 'development') runs Express in development mode: error pages show stack traces and templates are not cached.",
        nodeEnvForced:
          "NODE_ENV is forced to 'development': frameworks turn on verbose errors and turn off production safeguards.",
        composeNodeEnv: 'NODE_ENV=development in a production compose file (service "{service}").',
        envFile: 'NODE_ENV=development in {file}.',
      },
      fix: "Set NODE_ENV=production in the deployment and never set it in code; remove app.set('env', 'development').",
    },
  },
  examples: {
    bad: [
      {
        file: 'docker-compose.yml',
        code: 'services:\n  cache:\n    image: redis:7\n    ports:\n      - "6379:6379" # ✗',
      },
      {
        file: 'docker-compose.yml',
        code: 'services:\n  db:\n    image: mongo:7\n    ports:\n      - 27017:27017 # ✗\n  api:\n    build: .',
      },
      {
        file: 'compose.yaml',
        code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_HOST_AUTH_METHOD: trust # ✗\n    ports: ["5432:5432"]',
      },
      { file: 'config/redis.conf', code: 'bind 0.0.0.0 # ✗\nprotected-mode no # ✗\nport 6379' },
      { file: 'deploy/mongod.conf', code: 'net:\n  port: 27017\n  bindIp: 0.0.0.0 # ✗\nstorage:\n  dbPath: /data/db' },
      { file: '.env.production', code: 'PORT=8080\nNODE_ENV=development # ✗\nDEBUG=true # ✗' },
      { file: 'src/app.js', code: "const app = express();\napp.set('env', 'development'); // ✗" },
      {
        file: 'src/server.js',
        code: "const serveIndex = require('serve-index');\napp.use('/files', express.static('public/files'), serveIndex('public/files', { icons: true })); // ✗",
      },
      {
        file: 'src/server.js',
        code: "const express = require('express');\nconst app = express();\napp.use(express.static(path.join(__dirname, 'public'), { dotfiles: 'allow' })); // ✗\napp.use(express.static(__dirname)); // ✗\napp.use('/logs', express.static(path.join(__dirname, 'logs'))); // ✗",
      },
      {
        file: 'src/metrics.js',
        code: "const client = require('prom-client');\nclient.collectDefaultMetrics();\napp.get('/metrics', async (req, res) => { // ✗\n  res.set('Content-Type', client.register.contentType);\n  res.end(await client.register.metrics());\n});",
      },
      {
        file: 'src/routes/debug.ts',
        code: "import { writeHeapSnapshot } from 'node:v8';\nimport inspector from 'node:inspector';\nrouter.get('/debug/heap', (req, res) => res.download(writeHeapSnapshot())); // ✗\ninspector.open(9229, '0.0.0.0'); // ✗\napp.use(require('express-status-monitor')()); // ✗",
      },
      {
        file: 'src/server.ts',
        code: "import fastifyStatic from '@fastify/static';\nawait fastify.register(fastifyStatic, {\n  root: path.join(import.meta.dirname, 'uploads'),\n  list: true, // ✗\n});",
      },
      {
        file: 'src/graphql.ts',
        code: 'const server = new ApolloServer({\n  typeDefs,\n  resolvers,\n  introspection: true, // ✗\n});',
      },
      {
        file: 'docker-compose.debug.yml',
        code: 'services:\n  api:\n    build: .\n    command: node --inspect=0.0.0.0:9229 server.js\n    ports:\n      - "3000:3000"\n      - "9229:9229" # ✗',
      },
    ],
    good: [
      {
        file: 'docker-compose.yml',
        code: 'services:\n  cache:\n    image: redis:7\n    command: redis-server --requirepass "${REDIS_PASSWORD}"\n    ports:\n      - "6379:6379"',
      },
      {
        file: 'docker-compose.yml',
        code: 'services:\n  cache:\n    image: redis:7\n    ports:\n      - "127.0.0.1:6379:6379"\n  db:\n    image: mongo:7\n    environment:\n      MONGO_INITDB_ROOT_USERNAME: app\n      MONGO_INITDB_ROOT_PASSWORD: ${MONGO_PASSWORD}\n    ports:\n      - 27017:27017',
      },
      {
        file: 'compose.yaml',
        code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_HOST_AUTH_METHOD: trust\n  api:\n    build: .\n    depends_on: [db]',
      },
      { file: 'config/redis.conf', code: 'bind 127.0.0.1 -::1\nprotected-mode yes\nport 6379' },
      {
        file: 'deploy/mongod.conf',
        code: 'net:\n  port: 27017\n  bindIp: 0.0.0.0\nsecurity:\n  authorization: enabled',
      },
      { file: '.env.development', code: 'NODE_ENV=development\nDEBUG=true' },
      {
        file: 'src/graphql.ts',
        code: "const server = new ApolloServer({\n  typeDefs,\n  resolvers,\n  introspection: process.env.NODE_ENV !== 'production',\n});\nif (process.env.NODE_ENV !== 'production') app.set('env', 'development');",
      },
      { file: '.env.production', code: 'NODE_ENV=production\nDEBUG=false\nLOG_LEVEL=info' },
      {
        file: 'src/server.js',
        code: "const express = require('express');\nconst app = express();\napp.use(express.static(path.join(__dirname, 'public'), { maxAge: '1d' }));\nif (process.env.NODE_ENV !== 'production') app.use('/tmp', serveIndex('tmp'));",
      },
      // Behind the admin's sign-in, or turned on by the operator's own switch for a scraper.
      {
        file: 'src/metrics.js',
        code: "const client = require('prom-client');\napp.get('/metrics', requireAdmin, async (req, res) => {\n  res.end(await client.register.metrics());\n});\nif (config.server.serverMetrics) {\n  router.get('/internal/prometheus', async (req, res) => res.end(await client.register.metrics()));\n}",
      },
      {
        file: 'src/debug.ts',
        code: "import inspector from 'node:inspector';\nimport serve from 'koa-static';\ninspector.open(9229, '127.0.0.1');\napp.use(serve('public', { hidden: false }));",
      },
    ],
  },
  check: parsesFirst((file: SourceFile, ctx: CheckContext<Record<string, never>>) => {
    if (COMPOSE.test(file.path)) return composeHits(file);
    if (REDIS_CONF.test(file.path)) return redisConfHits(file);
    if (MONGO_CONF.test(file.path)) return mongoConfHits(file);
    if (ENV_FILE.test(file.path)) return envFileHits(file);
    return isConfigModule(file) ? scriptCheck(file, ctx) : [];
  }, isConfigModule),
});
