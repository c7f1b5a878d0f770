import type { CodeModule, Node } from '../ast/module.js';
import { isFunction, unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit, FLOW_MESSAGES } from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { followCalls, followHint, LOCAL_IMPORTS } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';

const HTTP_VERBS = new Set([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'request',
  'stream',
  'fetch',
  'del',
]);
/** Clients whose default export or named verbs take a URL first. */
const CLIENT_MODULES = new Set([
  'axios',
  'got',
  'node-fetch',
  'undici',
  'superagent',
  'needle',
  'request',
  'ky',
  'cross-fetch',
  'isomorphic-fetch',
  'phin',
  'bent',
  'make-fetch-happen',
  'urllib',
  'http',
  'https',
  'http2',
]);
/** Option properties that pick where a request goes. */
const TARGET_OPTIONS = ['url', 'baseURL', 'prefixUrl', 'host', 'hostname', 'origin', 'uri'];

/** Headless browsers: a page told to load a URL (or to render HTML, whose images and frames it then fetches). */
const BROWSER_MODULES = [
  'puppeteer',
  'puppeteer-core',
  'playwright',
  'playwright-core',
  'playwright-chromium',
  '@playwright/test',
  'phantom',
];
const BROWSER_LOADS = new Set(['goto', 'setContent']);
/** A page told to run script text: the client's script runs in a browser inside the network (fetch, file://). */
const BROWSER_SCRIPTS = new Set(['evaluate', 'evaluateOnNewDocument', 'evaluateHandle', 'evaluateJavaScript']);
/** HTML-to-PDF/image converters that fetch the URL (or the resources of the HTML) they are given. */
const CONVERTERS = new Set(['wkhtmltopdf', 'wkhtmltoimage']);

/** A page of a headless browser loads a URL or HTML taken from the request (`page.goto(req.query.url)`). */
function browserLoads(m: CodeModule, hits: Hit[]): void {
  const browser = m.imports(...BROWSER_MODULES);
  for (const call of m.calls()) {
    const { callee } = call;
    const converter = callee.module !== undefined && CONVERTERS.has(callee.module);
    const load =
      browser &&
      callee.path.length >= 2 &&
      (BROWSER_LOADS.has(callee.name) ||
        // page.evaluate(text), not page.evaluate((x) => …, value): a function with data arguments is the app's code.
        (BROWSER_SCRIPTS.has(callee.name) && !!call.args[0] && !isFunction(unwrap(call.args[0]))) ||
        ((callee.name === 'open' || callee.name === 'openUrl') && m.imports('phantom')) ||
        // phantom: page.property('content', html)
        (callee.name === 'property' && m.stringValue(call.args[0] ?? call.node) === 'content'));
    if (!converter && !load) continue;
    const target = callee.name === 'property' ? call.args[1] : call.args[0];
    if (!target || target.type === 'SpreadElement' || m.isConstant(target) || fixedOrigin(m, target)) continue;
    const [t] = m.taints(target, ['request']);
    if (t)
      hits.push(
        m.flowHit(
          'request-url',
          call.node,
          t,
          BROWSER_SCRIPTS.has(callee.name)
            ? `a headless page's script (${callee.path.join('.')})`
            : `a headless page or converter (${callee.module ?? callee.path.join('.')})`,
        ),
      );
  }
}

/**
 * Raw sockets: net/tls `connect(port, host)`, `connect({ host })`, `createConnection(…)`, or `.connect(…)` on a
 * `new net.Socket()`: a host from the request opens a TCP connection to any internal service.
 */
function socketConnects(m: CodeModule, hits: Hit[]): void {
  for (const call of m.calls()) {
    const { callee } = call;
    if (call.isNew || (callee.name !== 'connect' && callee.name !== 'createConnection')) continue;
    const onModule = (callee.module === 'net' || callee.module === 'tls') && callee.path.length === 1;
    if (!onModule && !(callee.name === 'connect' && newSocket(m, call.node))) continue;
    const [first, second] = call.args;
    if (!first || first.type === 'SpreadElement') continue;
    const options = m.objectLiteral(first);
    const host = options ? m.property(options, 'host') : second;
    if (!host || host.type === 'SpreadElement' || m.isConstant(host) || isFunction(unwrap(host))) continue;
    const [t] = m.taints(host, ['request']);
    if (t) hits.push(m.flowHit('request-url', call.node, t, `a socket connection (${callee.module ?? 'net.Socket'})`));
  }
}

/** `socket.connect(…)` where `socket` holds a `new net.Socket()` (or tls.TLSSocket). */
function newSocket(m: CodeModule, call: Node): boolean {
  const callee = unwrap(call.callee);
  const receiver = callee.type === 'MemberExpression' ? unwrap(callee.object) : undefined;
  const b = receiver?.type === 'Identifier' ? m.binding(receiver) : undefined;
  const value = b?.defs.length === 1 && b.defs[0]!.value ? unwrap(b.defs[0]!.value) : undefined;
  if (value?.type !== 'NewExpression') return false;
  const made = m.callee(value.callee);
  return (made.module === 'net' && made.name === 'Socket') || (made.module === 'tls' && made.name === 'TLSSocket');
}

function outbound(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  browserLoads(m, hits);
  socketConnects(m, hits);
  for (const call of m.calls()) {
    const { callee } = call;
    const global = !callee.module && callee.path.length === 1;
    const isClient =
      (global && callee.name === 'fetch') ||
      (callee.module !== undefined &&
        CLIENT_MODULES.has(callee.module) &&
        (callee.path.length === 0 ||
          (callee.path.length === 1 && HTTP_VERBS.has(callee.name)) ||
          callee.name === 'fetch')) ||
      (!callee.module &&
        callee.path.length === 2 &&
        (callee.path[0] === 'axios' || callee.path[0] === 'got') &&
        HTTP_VERBS.has(callee.name));
    if (!isClient || call.isNew) continue;
    const targets: Node[] = [];
    // needle('get', url) and urllib-style (method, url) calls: the URL follows the method.
    const methodFirst =
      callee.path.length === 0 &&
      call.args[1] !== undefined &&
      HTTP_VERBS.has(String(m.stringValue(call.args[0]!) ?? '').toLowerCase());
    const first = methodFirst ? call.args[1] : call.args[0];
    if (first && first.type !== 'SpreadElement') {
      const literal = m.objectLiteral(first);
      if (literal)
        for (const key of TARGET_OPTIONS)
          targets.push(...(m.property(literal, key) ? [m.property(literal, key)!] : []));
      else targets.push(first);
    }
    for (const target of targets) {
      if (m.isConstant(target) || fixedOrigin(m, target)) continue;
      const [t] = m.taints(target, ['request']);
      if (t) {
        hits.push(m.flowHit('request-url', call.node, t, `an outbound request (${callee.module ?? callee.name})`));
        break;
      }
    }
  }
  return hits;
}

/** The URL starts with a constant `scheme://host/` or a relative `/path`: the request picks only the path. */
function fixedOrigin(m: CodeModule, target: Node): boolean {
  const shape = m.shape(target);
  if (shape === undefined) return false;
  const prefix = shape.split('${…}')[0]!;
  return /^[a-z][\w+.-]*:\/\/[^/?#]+[/?#]/i.test(prefix) || /^\/(?![/\\])/.test(prefix);
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = [
  'fetch',
  'axios',
  'got',
  'http',
  'undici',
  'superagent',
  'needle',
  'request(',
  'goto(',
  'setcontent(',
  'wkhtmlto',
  'phantom',
  'puppeteer',
  'playwright',
  // Raw sockets need net or tls.
  "'net'",
  '"net"',
  "'node:net'",
  '"node:net"',
  "'tls'",
  '"tls"',
  "'node:tls'",
  '"node:tls"',
];

export default defineAtom({
  id: 'ssrf',
  title: 'Outbound requests go only where the server decides',
  criteria: {
    pass: 'Outbound requests (fetch, axios, got, http.request, …) go to a constant origin, or the client-supplied URL’s host is checked against an allow-list before the call; the request may choose only the path or query.',
    fail: 'fetch, axios, got, undici, superagent, needle, urllib or http(s).request is called with a URL, host or baseURL taken from the request, or a socket connects (net/tls connect, createConnection, new net.Socket().connect) to a host taken from the request, or a headless browser page (puppeteer, playwright, phantom) or wkhtmltopdf/wkhtmltoimage loads a URL, renders HTML or runs script text (evaluate, phantom’s evaluateJavaScript) taken from the request, so a client can make the server reach internal services (cloud metadata, admin ports).',
  },
  files: CODE_FILES,
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'request-url': {
      message: 'An outbound request goes to a URL taken from the request.',
      messages: FLOW_MESSAGES,
      fix: 'Parse the URL and check its host against an allow-list before calling: const u = new URL(input); if (!ALLOWED_HOSTS.includes(u.hostname)) return res.sendStatus(400); or keep the origin constant and let the client pick only an id: fetch(`https://api.example.com/items/${encodeURIComponent(id)}`).',
    },
  },
  examples: {
    bad: [
      // An XML-RPC method's parameters come from the caller; the module calls its own exported helper.
      {
        file: 'src/rpc.js',
        code: "const xmlrpc = require('xmlrpc');\nconst needle = require('needle');\nconst server = xmlrpc.createServer({ port: 9090, path: '/xmlrpc' });\nmodule.exports.uptime = (url) => needle.get(url, { timeout: 3000 });\nserver.on('checkUptime', (err, params, callback) => {\n  callback(null, module.exports.uptime(params.toString())); // ✗\n});",
      },
      {
        file: 'src/routes/snapshot.js',
        code: "const phantom = require('phantom');\napp.post('/snapshot/:url', async (req, res) => {\n  const page = await (await phantom.create()).createPage();\n  await page.openUrl(req.params.url, {}, {}); // ✗\n  await page.evaluateJavaScript(req.body.script); // ✗\n});",
      },
      // Script text from the client runs in a browser inside the network: fetch('http://169.254.169.254/…').
      {
        file: 'src/routes/render.js',
        code: "const puppeteer = require('puppeteer');\napp.post('/render', async (req, res) => {\n  const page = await (await puppeteer.launch()).newPage();\n  await page.evaluate(req.body.script); // ✗\n  res.send(await page.pdf());\n});",
      },
      // A raw TCP connection to the client's host: any internal port is reachable (Redis, SMTP, metadata).
      {
        file: 'src/routes/probe.js',
        code: "const net = require('net');\napp.post('/probe', (req, res) => {\n  const socket = new net.Socket();\n  socket.connect(6379, req.body.host, () => res.send('open')); // ✗\n  net.connect({ host: req.query.host, port: 25 }).on('error', () => {}); // ✗\n});",
      },
      // Two files: a fetch helper takes any URL; the route hands it the client's.
      {
        file: 'src/routes/preview.ts',
        code: "import { getPage } from '../lib/http';\nrouter.get('/preview', async (req, res) => {\n  res.send(await getPage(req.query.url)); // ✗\n});",
        others: { 'src/lib/http.ts': 'export const getPage = async (url: string) => (await fetch(url)).text();' },
      },
      // A headless browser sent to a host the client names, or told to render the client's HTML (which loads what it links).
      {
        file: 'src/routes/screenshot.ts',
        code: "import puppeteer from 'puppeteer';\napp.get('/shot', async (req, res) => {\n  const page = await (await puppeteer.launch()).newPage();\n  await page.goto(`https://${req.query.host}/`); // ✗\n  res.type('png').send(await page.screenshot());\n});",
      },
      {
        file: 'src/routes/pdf.js',
        code: "const { chromium } = require('playwright');\nconst wkhtmltopdf = require('wkhtmltopdf');\nrouter.post('/pdf', async (req, res) => {\n  const page = await (await chromium.launch()).newPage();\n  await page.setContent(req.body.html); // ✗\n  wkhtmltopdf(req.body.url).pipe(res); // ✗\n});",
      },
      // A format check is no destination check: http://169.254.169.254/ is a valid URL.
      {
        file: 'src/routes/fetch.ts',
        code: "app.get('/fetch', async (req, res) => {\n  const url = String(req.query.url);\n  if (!isValidUrl(url)) return res.status(400).end();\n  res.send(await (await fetch(url)).text()); // ✗\n});",
      },
      {
        file: 'src/preview.js',
        code: "app.get('/preview', async (req, res) => {\n  const r = await fetch(req.query.url); // ✗\n  res.send(await r.text());\n});",
      },
      {
        file: 'src/webhook.ts',
        code: "import axios from 'axios';\nrouter.post('/hooks/test', async (req, res) => {\n  await axios.post(`${req.body.webhook}/notify`, { ok: true }); // ✗\n  res.sendStatus(204);\n});",
      },
      {
        file: 'src/status.js',
        code: "const http = require('http');\napp.get('/status', (req, res) => {\n  http.get({ hostname: req.query.host, path: '/health' }, (r) => r.pipe(res)); // ✗\n});",
      },
      {
        file: 'app/api/import/route.ts',
        code: 'export async function POST(request: Request) {\n  const { url } = await request.json();\n  const res = await fetch(url); // ✗\n  return new Response(await res.text());\n}',
      },
      {
        file: 'src/feed.js',
        code: "import got from 'got';\nrouter.get('/feed', async (ctx) => {\n  ctx.body = await got(ctx.query.feed).text(); // ✗\n});",
      },
      {
        file: 'src/importer.js',
        code: "const axios = require('axios');\nfunction download(u) {\n  return axios({ url: u, responseType: 'stream' });\n}\napp.post('/import', (req, res) => {\n  download(req.body.source).then((r) => r.data.pipe(res)); // ✗\n});",
      },
      {
        file: 'src/region.ts',
        code: "fastify.get('/quote', async (request) => {\n  const res = await fetch(`https://${request.query.region}.api.example.com/v1/quote`); // ✗\n  return res.json();\n});",
      },
    ],
    good: [
      {
        file: 'src/rpc.js',
        code: "const xmlrpc = require('xmlrpc');\nconst needle = require('needle');\nconst server = xmlrpc.createServer({ port: 9090, path: '/xmlrpc' });\nconst TARGETS = { web: 'https://www.example.com/health' };\nserver.on('checkUptime', (err, params, callback) => {\n  callback(null, needle.get(TARGETS[params[0]] ?? TARGETS.web));\n});",
      },
      // The app's own function runs in the page; the request only gives it a value.
      {
        file: 'src/routes/render.js',
        code: "const puppeteer = require('puppeteer');\napp.post('/render', async (req, res) => {\n  const page = await (await puppeteer.launch()).newPage();\n  await page.goto('https://app.example.com/invoice');\n  await page.evaluate((title) => { document.title = title; }, req.body.title);\n  res.send(await page.pdf());\n});",
      },
      // The client picks a name; the host comes from a fixed table. (A function of its own named connect.)
      {
        file: 'src/routes/probe.js',
        code: "const net = require('net');\nconst connect = (url) => db.open(url);\nconnect(process.env.DB_URL);\nconst HOSTS = { cache: 'redis.internal', mail: 'smtp.internal' };\napp.post('/probe', (req, res) => {\n  const socket = new net.Socket();\n  socket.connect(6379, HOSTS[req.body.name] ?? 'redis.internal', () => res.send('open'));\n  mongoose.connect(process.env.MONGO_URL);\n});",
      },
      // Two files: the same helper, called with a URL whose origin is fixed.
      {
        file: 'src/routes/preview.ts',
        code: "import { getPage } from '../lib/http';\nrouter.get('/preview', async (req, res) => {\n  res.send(await getPage(`https://docs.example.com/pages/${encodeURIComponent(req.query.slug)}`));\n});",
        others: { 'src/lib/http.ts': 'export const getPage = async (url: string) => (await fetch(url)).text();' },
      },
      // The page loads a fixed origin; the client picks only which resume.
      {
        file: 'src/printer.ts',
        code: "import puppeteer from 'puppeteer';\nconst ORIGIN = 'https://app.example.com';\nexport async function print(req, res) {\n  const page = await (await puppeteer.launch()).newPage();\n  await page.goto(`${ORIGIN}/print/${encodeURIComponent(req.params.id)}`);\n  await page.setContent('<h1>Report</h1>');\n  res.send(await page.pdf());\n}",
      },
      // An allow-list check that leaves the handler (or wraps the call) before the URL is fetched.
      {
        file: 'src/routes/proxy.ts',
        code: "app.get('/proxy', async (req, res) => {\n  const url = String(req.query.url);\n  if (!isURLAllowed(url, config.allowedHosts)) return res.status(400).end();\n  res.send(await (await fetch(url)).text());\n});\napp.get('/preview', async (req, res) => {\n  const url = String(req.query.url);\n  if (isURLAllowed(url, config.allowedHosts)) return res.send(await (await fetch(url)).text());\n  res.status(400).end();\n});",
      },
      {
        file: 'src/user.js',
        code: "app.get('/gh/:user', async (req, res) => {\n  const r = await fetch(`https://api.github.com/users/${req.params.user}`);\n  res.json(await r.json());\n});",
      },
      {
        file: 'src/preview.js',
        code: "const ALLOWED_HOSTS = ['images.example.com', 'cdn.example.com'];\napp.get('/preview', async (req, res) => {\n  const u = new URL(req.query.url);\n  if (!ALLOWED_HOSTS.includes(u.hostname)) return res.sendStatus(400);\n  const r = await fetch(u);\n  res.send(await r.text());\n});",
      },
      {
        file: 'src/api.ts',
        code: "const items = await fetch('/api/items');\nconst health = await axios.get(config.apiUrl + '/health');",
      },
      {
        file: 'src/upstream.js',
        code: "const UPSTREAM = process.env.UPSTREAM_URL;\napp.get('/proxy', async (req, res) => {\n  const r = await fetch(`${UPSTREAM}/search?q=${encodeURIComponent(req.query.q)}`);\n  res.json(await r.json());\n});",
      },
      {
        file: 'src/search.ts',
        code: "export async function GET(request: Request) {\n  const q = new URL(request.url).searchParams.get('q') ?? '';\n  return fetch(new URL(`/v1/search?q=${encodeURIComponent(q)}`, API_BASE));\n}",
      },
      {
        file: 'src/post.js',
        code: "app.post('/notify', async (req, res) => {\n  await axios.post('https://hooks.example.com/notify', { text: req.body.text });\n  res.sendStatus(204);\n});",
      },
    ],
  },
  check: codeCheck(
    followCalls(outbound, SINK_WORDS),
    sinkWithRequest('request-url', /\b(?:fetch|axios(?:\.\w+)?|got|request)\s*\(/),
    followHint(SINK_WORDS),
  ),
});
