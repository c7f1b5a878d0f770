import type { CodeModule, Node } from '../ast/module.js';
import { keyName, unwrap } from '../ast/nodes.js';
import { defineAtom, type CheckContext, type Hit, type SourceFile } from '../kit/atom.js';
import { APP_FILES, appsIn, CREATES_APP, editedLines, findInApp, mountedElsewhere, type App } from '../kit/app.js';
import { codeCheck } from '../kit/code.js';

/** Packages that set the security headers (and, for Express, remove X-Powered-By). */
const HELMETS = ['helmet', '@fastify/helmet', 'fastify-helmet', 'koa-helmet'];
const HELMET_TEXT = /helmet/;
/** Headers whose presence shows they are set by hand. */
const SECURITY_HEADER =
  /^(?:content-security-policy|x-content-type-options|strict-transport-security|x-frame-options)$/i;
const BY_HAND_TEXT = /lusca|content-security-policy|x-content-type-options|strict-transport-security|x-frame-options/i;
const HEADER_SETTERS = /^(?:setHeader|set|header|headers|append|writeHead)$/;
const POWERED_TEXT = /x-powered-by/i;

const fromHelmet = (module: string | undefined) => module !== undefined && HELMETS.includes(module);
/**
 * helmet is used, not only imported: called (`helmet()`, `helmet.hsts()`, `require('helmet')()`) or handed to the
 * app (`fastify.register(helmet)`). An import left behind after `app.use(helmet())` was deleted sets no header.
 */
const usesHelmet = (m: CodeModule) =>
  m
    .calls()
    .some(
      (c) =>
        fromHelmet(c.callee.module) ||
        c.args.some(
          (a) => (a.type === 'Identifier' || a.type === 'MemberExpression') && fromHelmet(m.callee(a).module),
        ),
    );

/** lusca, or `res.setHeader('X-Content-Type-Options', …)`, `reply.header(…)`, `ctx.set({ 'Content-Security-Policy': … })`. */
function setsHeadersByHand(m: CodeModule): boolean {
  if (m.imports('lusca')) return true;
  for (const call of m.calls()) {
    if (!HEADER_SETTERS.test(call.callee.name)) continue;
    for (const a of call.args) {
      const s = m.stringValue(a);
      if (s !== undefined && SECURITY_HEADER.test(s)) return true;
      const obj = m.objectLiteral(a);
      if (
        obj?.properties.some(
          (p: { type: string }) => p.type === 'Property' && SECURITY_HEADER.test(keyName(p as never) ?? ''),
        )
      )
        return true;
    }
  }
  return false;
}

/** `app.disable('x-powered-by')`, `app.set('x-powered-by', false)`, `res.removeHeader('X-Powered-By')`, or settings `{ 'x-powered-by': false }` applied in a loop. */
function hidesPoweredBy(m: CodeModule): boolean {
  if (
    m
      .calls()
      .some(
        (c) =>
          /^(?:disable|set|removeHeader)$/.test(c.callee.name) &&
          c.args[0] !== undefined &&
          m.stringValue(c.args[0])?.toLowerCase() === 'x-powered-by' &&
          (c.callee.name !== 'set' || m.source(c.args[1] ?? c.node) === 'false'),
      )
  )
    return true;
  return m.nodes('Property').some((p) => keyName(p)?.toLowerCase() === 'x-powered-by' && m.source(p.value) === 'false');
}

/** An Express/Koa/Fastify app that only holds an HTTP server (for websockets): handed to createServer and nothing else, not exported. */
function bare(m: CodeModule, app: App): boolean {
  return (
    app.framework !== 'nest' &&
    !app.escapes &&
    app.setup.length > 0 &&
    app.setup.every((call) => m.callee(call.callee).name === 'createServer')
  );
}

/** An app a script starts and closes without ever listening (a Nest app that only emits a schema file): it serves no one. */
function neverServes(m: CodeModule, app: App): boolean {
  const names = app.setup.map((call) => m.callee(call.callee).name);
  return (
    !app.escapes &&
    names.includes('close') &&
    !names.some((n) => /^(?:listen|listenAsync|startAllMicroservices)$/.test(n))
  );
}

/** helmet options that turn a protection off (names of helmet 4–8); xssFilter is not one: the XSS auditor is gone. */
const HELMET_PROTECTIONS: Record<string, string> = {
  frameguard: 'X-Frame-Options (clickjacking)',
  xFrameOptions: 'X-Frame-Options (clickjacking)',
  hsts: 'Strict-Transport-Security',
  strictTransportSecurity: 'Strict-Transport-Security',
  noSniff: 'X-Content-Type-Options: nosniff',
  xContentTypeOptions: 'X-Content-Type-Options: nosniff',
};

/** `helmet({ frameguard: false })`: helmet is there, one of its protections is switched off (a warning: it may be set elsewhere, by a proxy). */
function helmetOff(m: CodeModule, file: SourceFile): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    // helmet by its import, or by its usual name where the import is out of view (a snippet, a global).
    const isHelmet = fromHelmet(call.callee.module) || (!call.callee.module && call.callee.name === 'helmet');
    if (!isHelmet || call.callee.path.length > 1) continue;
    const opts = m.objectLiteral(call.args[0]);
    if (!opts) continue;
    // A CSP frame-ancestors directive does what X-Frame-Options did.
    const framing = /frameAncestors|frame-ancestors/.test(m.source(opts));
    for (const p of opts.properties as Node[]) {
      const key = p.type === 'Property' ? keyName(p) : null;
      const header = key ? HELMET_PROTECTIONS[key] : undefined;
      if (!header || m.source(unwrap(p.value)) !== 'false' || (framing && /Frame/.test(header))) continue;
      if (!file.allAdded && !file.isAdded(m.line(p))) continue;
      hits.push({
        ...m.hit('helmet-protection-off', p, { messageId: 'off', data: { key: key!, header } }),
        severity: 'warning',
      });
    }
  }
  return hits;
}

const NAMES = { express: 'Express', fastify: 'Fastify', koa: 'Koa', nest: 'NestJS' } as const;

async function appHeaders(m: CodeModule, file: SourceFile, ctx: CheckContext<Record<string, never>>): Promise<Hit[]> {
  const hits: Hit[] = [];
  // Whether headers are set is a property of the package, so a module that creates several apps gets one finding, on the first.
  let apps = appsIn(m).filter((app) => !bare(m, app) && !neverServes(m, app));
  if (!apps.length || (!file.allAdded && apps.every((app) => !editedLines(file, m, app).length))) return hits; // the change touches no app: nothing to judge, nothing to read
  if (await findInApp(ctx.project, file, m, HELMET_TEXT, usesHelmet, 'helmet')) return hits;
  const mounted = await Promise.all(apps.map((app) => mountedElsewhere(ctx.project, file, app)));
  apps = apps.filter((_, i) => !mounted[i]);
  if (!apps.length) return hits;
  const byHand = await findInApp(ctx.project, file, m, BY_HAND_TEXT, setsHeadersByHand, 'headers-by-hand');
  const powered =
    apps.some((app) => app.platform === 'express') &&
    !(await findInApp(ctx.project, file, m, POWERED_TEXT, hidesPoweredBy, 'x-powered-by'));
  const [app] = apps as [App, ...App[]];
  const name = NAMES[app.framework];
  const others = apps.slice(1).map((a) => m.line(a.node));
  const more = others.length
    ? ` (nor ${others.length === 1 ? 'does the app' : 'do the apps'} created at line ${others.join(', ')})`
    : '';
  const flow = [...new Set(apps.flatMap((a) => (file.allAdded ? [] : editedLines(file, m, a))))];
  if (!byHand) {
    hits.push(
      m.hit('no-security-headers', app.node, {
        ...(powered
          ? {
              messageId: 'noneAndPowered',
              data: { framework: name, more, server: app.framework === 'nest' ? 'NestJS on Express' : 'Express' },
            }
          : { messageId: 'none', data: { framework: name, more } }),
        flow,
      }),
    );
  } else if (powered) {
    hits.push(
      m.hit('x-powered-by', app.node, {
        messageId: 'sends',
        data: { framework: name, more },
        flow,
      }),
    );
  }
  return hits;
}

export default defineAtom({
  id: 'security-headers',
  title: 'Apps send security headers',
  criteria: {
    pass: 'Somewhere in the app (any module of the package), helmet is registered (helmet for Express and NestJS, @fastify/helmet, koa-helmet), or the headers are set by hand (Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options) and Express’s X-Powered-By is disabled.',
    fail: 'An Express, Fastify, Koa or NestJS app that the change creates or sets up has no helmet (or equivalent headers) in any of its modules, or an Express app still sends X-Powered-By; helmet switches off frameguard, hsts or noSniff (a warning; frameguard passes when CSP frame-ancestors is set).',
  },
  files: APP_FILES,
  keywords: ['express()', "express')(", 'express")(', 'fastify', 'koa', 'nestfactory', 'helmet('],
  defaultLevel: 'block',
  rules: {
    'no-security-headers': {
      message: 'This app sets no security headers: no helmet (or equivalent) in any module of the app.',
      messages: {
        none: 'This {framework} app sets no security headers{more}: no helmet (or equivalent) is registered in any module of the app.',
        noneAndPowered:
          'This {framework} app sets no security headers{more}: no helmet (or equivalent) is registered in any module of the app; it also tells every client it runs {server} (X-Powered-By).',
      },
      fix: 'Register helmet where the app is set up: app.use(helmet()) (Express, NestJS: import helmet from "helmet"), await app.register(helmet) (@fastify/helmet), app.use(helmet()) (koa-helmet); or set Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options: nosniff and X-Frame-Options in one middleware.',
    },
    'helmet-protection-off': {
      message: 'helmet is registered with one of its protections switched off.',
      messages: {
        off: '{key}: false turns off {header}; unless a proxy in front sets it, the app goes without it.',
      },
      fix: 'Keep the protection on (drop the option, or configure it: frameguard: { action: "deny" }, hsts: { maxAge: 31536000 }); to allow framing by known sites use contentSecurityPolicy directives frameAncestors instead.',
    },
    'x-powered-by': {
      message: 'This Express app still sends X-Powered-By.',
      messages: {
        sends: 'This {framework} app sends X-Powered-By: Express{more}, telling attackers what to target.',
      },
      fix: "app.disable('x-powered-by') right after creating the app (helmet does it for you).",
    },
  },
  examples: {
    bad: [
      {
        file: 'src/middleware/headers.ts',
        code: "import helmet from 'helmet';\nexport const headers = helmet({\n  contentSecurityPolicy: false,\n  frameguard: false, // ✗\n  hsts: false, // ✗\n});",
      },
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst app = express(); // ✗\napp.use(express.json());\napp.get('/health', (req, res) => res.json({ ok: true }));\nmodule.exports = app;",
      },
      {
        file: 'src/server.ts',
        code: "import Fastify from 'fastify';\nconst fastify = Fastify({ logger: true }); // ✗\nfastify.get('/', async () => ({ hello: 'world' }));\nawait fastify.listen({ port: 3000 });",
      },
      {
        file: 'src/index.js',
        code: "const Koa = require('koa');\nconst app = new Koa(); // ✗\napp.use(async (ctx) => { ctx.body = 'hi'; });\napp.listen(3000);",
      },
      {
        file: 'src/main.ts',
        code: "import { NestFactory } from '@nestjs/core';\nimport { AppModule } from './app.module';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule); // ✗\n  await app.listen(3000);\n}\nbootstrap();",
      },
      {
        file: 'src/app.ts',
        code: "import express from 'express';\nexport const app = express(); // ✗\napp.use((req, res, next) => {\n  res.setHeader('X-Content-Type-Options', 'nosniff');\n  res.setHeader('Content-Security-Policy', \"default-src 'self'\");\n  next();\n});",
      },
      {
        file: 'src/app.js',
        code: "// TODO: app.use(helmet()) before going live\nconst app = require('express')(); // ✗\napp.listen(8080);",
      },
      {
        file: 'src/main.ts',
        code: "import { NestFactory } from '@nestjs/core';\nimport { FastifyAdapter } from '@nestjs/platform-fastify';\nconst app = await NestFactory.create(AppModule, new FastifyAdapter()); // ✗\nawait app.listen(3000);",
      },
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst helmet = require('helmet');\nconst app = express(); // ✗\napp.get('/health', (req, res) => res.json({ ok: true }));",
      },
    ],
    good: [
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst helmet = require('helmet');\nconst app = express();\napp.use(helmet());\napp.get('/health', (req, res) => res.json({ ok: true }));",
      },
      {
        file: 'src/server.ts',
        code: "import Fastify from 'fastify';\nimport helmet from '@fastify/helmet';\nconst fastify = Fastify({ logger: true });\nawait fastify.register(helmet);",
      },
      {
        file: 'src/index.js',
        code: "const Koa = require('koa');\nconst helmet = require('koa-helmet');\nconst app = new Koa();\napp.use(helmet());",
      },
      {
        file: 'src/main.ts',
        code: "import { NestFactory } from '@nestjs/core';\nimport helmet from 'helmet';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.use(helmet());\n  await app.listen(3000);\n}",
      },
      {
        file: 'src/app.ts',
        code: "import express from 'express';\nexport const app = express();\napp.disable('x-powered-by');\napp.use((req, res, next) => {\n  res.set({ 'X-Content-Type-Options': 'nosniff', 'Strict-Transport-Security': 'max-age=31536000' });\n  next();\n});",
      },
      {
        file: 'src/routes/users.js',
        unrouted: 'a router module creates no app (no express()), so the pre-filter skips it',
        code: "const express = require('express');\nconst router = express.Router();\nrouter.get('/users', listUsers);\nmodule.exports = router;",
      },
      {
        file: 'test/app.test.js',
        unrouted: "test files are outside the atom's files",
        code: "const express = require('express');\nconst app = express();\napp.get('/x', (req, res) => res.send('ok'));",
      },
      {
        file: 'src/live.js',
        code: "const express = require('express');\nconst app = express();\nconst server = require('http').createServer(app);\nnew WebSocketServer({ server });\nserver.listen(1337);",
      },
      {
        file: 'src/plugin.ts',
        code: "import fp from 'fastify-plugin';\nexport default fp(async (fastify) => {\n  fastify.addHook('onSend', async (req, reply) => {\n    reply.header('X-Frame-Options', 'DENY');\n  });\n});",
      },
      // Framing allowed to known sites through CSP frame-ancestors; the deprecated XSS auditor left off.
      {
        file: 'src/middleware/headers.ts',
        code: "import helmet from 'helmet';\nexport const headers = helmet({\n  frameguard: false,\n  xssFilter: false,\n  contentSecurityPolicy: { directives: { frameAncestors: [\"'self'\", 'https://partner.example'] } },\n});",
      },
      // A script that starts a Nest app to emit its GraphQL schema and closes it: it never listens.
      {
        file: 'src/generate-schema.ts',
        code: "import { NestFactory } from '@nestjs/core';\nimport { GraphQLSchemaFactory } from '@nestjs/graphql';\nasync function generate() {\n  const app = await NestFactory.create(SchemaModule);\n  await app.init();\n  const schema = await app.get(GraphQLSchemaFactory).create([UserResolver]);\n  writeFileSync('schema.graphql', printSchema(schema));\n  await app.close();\n}\ngenerate();",
      },
    ],
  },
  // A module the parser rejects is not judged: whether it creates an app is a question for the parser.
  check: codeCheck(
    async (m, file, ctx: CheckContext<Record<string, never>>) => [
      ...(await appHeaders(m, file, ctx)),
      ...helmetOff(m, file),
    ],
    [],
    (file) => CREATES_APP.test(file.text) || /helmet\s*\(/.test(file.text),
  ),
});
