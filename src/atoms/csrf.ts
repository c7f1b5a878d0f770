import type { CodeModule } from '../ast/module.js';
import { defineAtom, type CheckContext, type Hit, type SourceFile } from '../kit/atom.js';
import { APP_FILES, appsIn, CREATES_APP, editedLines, mountedElsewhere, otherModulesMatching } from '../kit/app.js';
import { codeCheck } from '../kit/code.js';

/** The app keeps its users signed in with a cookie: a session middleware, or an auth token set as a cookie. */
const COOKIE_AUTH =
  /['"](?:express-session|cookie-session|koa-session|koa-generic-session|@fastify\/session|@fastify\/secure-session|fastify-session|iron-session|express-jwt-cookie)['"]|passport\.session\s*\(|\.(?:cookie|setCookie)\s*\(\s*['"`][^'"`]*(?:sess|sid|token|auth|jwt)[^'"`]*['"`]|cookies\.set\s*\(\s*['"`][^'"`]*(?:sess|sid|token|auth|jwt)|set-cookie['"]\s*,\s*\[?\s*['"`][^=;'"`]*(?:sess|sid|token|auth|jwt)/i;
/** Routes that change state. */
const STATE_CHANGING =
  /\.(?:post|put|patch|delete|del)\s*\(\s*['"`][/*]|@(?:Post|Put|Patch|Delete)\s*\(|method\s*:\s*(?:\[\s*)?['"`](?:POST|PUT|PATCH|DELETE)['"`]/;
/** A CSRF defence: a token middleware, SameSite cookies, or a check of where the request comes from. */
const DEFENCE = new RegExp(
  [
    /['"](?:csurf|csrf-csrf|csrf-sync|@fastify\/csrf-protection|fastify-csrf|koa-csrf|@koa\/csrf|tiny-csrf|csrf|@dr\.pogodin\/csurf|csrf-tokens|@edge-csrf\/[\w-]+|edge-csrf|next-csrf|express-csrf-double-submit-cookie|csrf-token|double-csrf|@csrf-armor\/[\w-]+)['"]/
      .source,
    /lusca\.csrf\s*\(|\bcsrf\s*:\s*(?:true|\{)/.source,
    /sameSite\s*:\s*(?:['"`](?:strict|lax)['"`]|true)|;\s*SameSite=(?:Strict|Lax)\b/.source,
    /sec-fetch-site|x-requested-with|x-csrf-token|x-xsrf-token/.source,
    /\.(?:get|header)\s*\(\s*['"](?:origin|referer)['"]\s*\)\s*(?:!==?|===?)|headers\s*(?:\.\s*(?:origin|referer)|\[\s*['"](?:origin|referer)['"]\s*\])\s*(?:!==?|===?)/
      .source,
  ].join('|'),
  'i',
);

/** Requests are authenticated with an Authorization header: a cookie in the same app only carries a sign-in flow, not the credential. */
const BEARER = /['"](?:bearer|jwt)['"]\s*[,\]]|['"]Bearer\s?['"]|\bBearer\s+\$\{|startsWith\(\s*['"]Bearer/;
/** …unless a module reads the credential back from a cookie: then the browser sends it with every request. */
const COOKIE_CREDENTIAL =
  /\bcookies\s*(?:\.\s*|\[\s*['"`])[\w-]*(?:sess|sid|token|auth|jwt)|headers\s*\.\s*cookie\b[\s\S]{0,300}?(?:sess|sid|token|auth|jwt)\w*=/i;

const NAMES = { express: 'Express', fastify: 'Fastify', koa: 'Koa', nest: 'NestJS' } as const;

async function where(
  ctx: CheckContext<Record<string, never>>,
  file: SourceFile,
  pattern: RegExp,
): Promise<string | null> {
  if (pattern.test(file.text)) return file.path;
  return (await otherModulesMatching(ctx.project, file, pattern))[0] ?? null;
}

async function appCsrf(m: CodeModule, file: SourceFile, ctx: CheckContext<Record<string, never>>): Promise<Hit[]> {
  const hits: Hit[] = [];
  // Judged once per module, on its first app that the change touches and that is not mounted into another app of the package.
  for (const app of appsIn(m)) {
    const edited = file.allAdded ? [] : editedLines(file, m, app);
    if (!file.allAdded && !edited.length) continue;
    // Cheapest question first: most apps that fail here never read the other modules twice (answers are kept for the run).
    if (await where(ctx, file, DEFENCE)) break;
    const session = await where(ctx, file, COOKIE_AUTH);
    if (!session) break;
    const routes = await where(ctx, file, STATE_CHANGING);
    if (!routes) break;
    if ((await where(ctx, file, BEARER)) && !(await where(ctx, file, COOKIE_CREDENTIAL))) break;
    if (await mountedElsewhere(ctx.project, file, app)) continue;
    const at = (p: string) => (p === file.path ? 'this module' : p);
    hits.push(
      m.hit('no-csrf-defence', app.node, {
        messageId: 'undefended',
        data: { framework: NAMES[app.framework], session: at(session), routes: at(routes) },
        flow: edited,
      }),
    );
    break;
  }
  return hits;
}

export default defineAtom({
  id: 'csrf',
  title: 'Cookie-authenticated apps defend state-changing requests against CSRF',
  criteria: {
    pass: 'An app that authenticates with cookies (a session middleware, or a token kept in a cookie) defends its POST/PUT/PATCH/DELETE routes somewhere in its modules: a CSRF token middleware (csrf-csrf, csrf-sync, csurf, @fastify/csrf-protection, koa-csrf, lusca.csrf), session cookies with sameSite "lax" or "strict", or a check of Origin / Sec-Fetch-Site; apps that authenticate requests with an Authorization: Bearer header need none.',
    fail: 'An Express, Fastify, Koa or NestJS app that the change creates or sets up keeps users signed in with a cookie and has state-changing routes, and no module of the app has a CSRF token middleware, a SameSite=Lax/Strict session cookie or an Origin check.',
  },
  files: APP_FILES,
  keywords: ['express()', "express')(", 'express")(', 'fastify', 'koa', 'nestfactory'],
  defaultLevel: 'block',
  rules: {
    'no-csrf-defence': {
      message:
        'This app authenticates with cookies and has state-changing routes, but nothing defends them against CSRF.',
      messages: {
        undefended:
          'This {framework} app signs users in with a cookie ({session}) and has state-changing routes ({routes}), but no module of the app defends them against CSRF: no CSRF token middleware, no SameSite=Lax/Strict session cookie, no Origin check.',
      },
      fix: "Set the session cookie to sameSite: 'lax' (or 'strict') and keep GET requests free of side effects; where cross-site forms must work, add a token middleware (csrf-csrf's doubleCsrfProtection, csrf-sync, @fastify/csrf-protection, koa-csrf) or reject requests whose Origin / Sec-Fetch-Site is not your own.",
    },
  },
  examples: {
    bad: [
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst session = require('express-session');\nconst app = express(); // ✗\napp.use(session({ secret: process.env.SECRET, cookie: { httpOnly: true, secure: true } }));\napp.post('/transfer', (req, res) => transfer(req.session.user, req.body));",
      },
      {
        file: 'src/index.js',
        code: "const Koa = require('koa');\nconst session = require('koa-session');\nconst app = new Koa(); // ✗\napp.use(session(app));\nrouter.post('/profile', updateProfile);",
      },
      {
        file: 'src/server.ts',
        code: "import Fastify from 'fastify';\nimport secureSession from '@fastify/secure-session';\nconst app = Fastify(); // ✗\nawait app.register(secureSession, { secret: process.env.SESSION_SECRET, salt: process.env.SALT });\napp.delete('/account', deleteAccount);",
      },
      {
        file: 'src/app.ts',
        code: "import express from 'express';\nconst app = express(); // ✗\napp.post('/login', async (req, res) => {\n  res.cookie('auth_token', await login(req.body), { httpOnly: true, secure: true });\n});\napp.put('/settings', saveSettings);",
      },
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst session = require('express-session');\nconst app = express(); // ✗\napp.use(session({ secret: process.env.SECRET, cookie: { secure: true, sameSite: 'none' } }));\napp.patch('/cart', updateCart);",
      },
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst cookieSession = require('cookie-session');\nconst app = express(); // ✗\napp.use(cookieSession({ keys: [process.env.KEY] }));\napp.use(passport.session());\napp.post('/posts', createPost);",
      },
      {
        file: 'src/main.ts',
        code: "import { NestFactory } from '@nestjs/core';\nimport session from 'express-session';\nconst app = await NestFactory.create(AppModule); // ✗\napp.use(session({ secret: process.env.SECRET, resave: false, saveUninitialized: false }));\n@Controller('orders') class Orders { @Post() create() {} }",
      },
      // The token goes back as a Bearer header and as a cookie written by hand, and a route reads it from the cookie.
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst app = express(); // ✗\napp.post('/login', async (req, res) => {\n  const token = await login(req.body);\n  res.setHeader('Authorization', 'Bearer ' + token);\n  res.setHeader('Set-Cookie', `auth_token=${token}; Path=/; HttpOnly`);\n  res.json({ token });\n});\napp.post('/admin/users', (req, res) => {\n  const user = verify(req.cookies.auth_token);\n  res.json(createUser(user, req.body));\n});",
      },
    ],
    good: [
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst session = require('express-session');\nconst { doubleCsrf } = require('csrf-csrf');\nconst { doubleCsrfProtection } = doubleCsrf({ getSecret: () => process.env.CSRF_SECRET });\nconst app = express();\napp.use(session({ secret: process.env.SECRET }));\napp.use(doubleCsrfProtection);\napp.post('/transfer', transfer);",
      },
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(session({ secret: process.env.SECRET, cookie: { httpOnly: true, secure: true, sameSite: 'lax' } }));\napp.post('/transfer', transfer);",
      },
      {
        file: 'src/api.js',
        code: "const express = require('express');\nconst app = express();\napp.use(requireBearerToken);\napp.post('/orders', createOrder);\napp.delete('/orders/:id', deleteOrder);",
      },
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(session({ secret: process.env.SECRET }));\napp.get('/profile', showProfile);",
      },
      {
        file: 'src/server.ts',
        code: "import Fastify from 'fastify';\nimport secureSession from '@fastify/secure-session';\nimport csrf from '@fastify/csrf-protection';\nconst app = Fastify();\nawait app.register(secureSession, { secret: process.env.SESSION_SECRET, salt: process.env.SALT });\nawait app.register(csrf, { sessionPlugin: '@fastify/secure-session' });\napp.post('/profile', { onRequest: app.csrfProtection }, updateProfile);",
      },
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst session = require('express-session');\nconst app = express();\napp.use(session({ secret: process.env.SECRET }));\napp.use((req, res, next) => {\n  if (req.method !== 'GET' && req.get('sec-fetch-site') !== 'same-origin') return res.sendStatus(403);\n  next();\n});\napp.post('/transfer', transfer);",
      },
      {
        file: 'src/routes.js',
        unrouted: 'a router module creates no app (no express()), so the pre-filter skips it',
        code: "const session = require('express-session');\nconst router = require('express').Router();\nrouter.use(session({ secret: process.env.SECRET }));\nrouter.post('/transfer', transfer);",
      },
      // The same app with SameSite=Strict in the header it writes.
      {
        file: 'src/app.js',
        code: "const express = require('express');\nconst app = express();\napp.post('/login', async (req, res) => {\n  const token = await login(req.body);\n  res.setHeader('Set-Cookie', `auth_token=${token}; Path=/; HttpOnly; Secure; SameSite=Strict`);\n  res.json({ ok: true });\n});\napp.post('/admin/users', (req, res) => {\n  const user = verify(req.cookies.auth_token);\n  res.json(createUser(user, req.body));\n});",
      },
      // A Bearer API whose sign-in page also keeps a cookie no route reads back.
      {
        file: 'src/api.js',
        code: "const express = require('express');\nconst app = express();\napp.post('/login', async (req, res) => {\n  const token = await login(req.body);\n  res.cookie('auth_token', token, { httpOnly: true, secure: true });\n  res.json({ token });\n});\napp.use((req, res, next) => (req.get('authorization')?.startsWith('Bearer ') ? next() : res.sendStatus(401)));\napp.delete('/orders/:id', deleteOrder);",
      },
    ],
  },
  check: codeCheck(appCsrf, [], CREATES_APP),
});
