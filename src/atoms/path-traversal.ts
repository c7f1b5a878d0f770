import type { CodeModule, Node } from '../ast/module.js';
import { isFunction, unwrap } from '../ast/nodes.js';
import { defineAtom, type Hit, FLOW_MESSAGES } from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { followCalls, followHint, LOCAL_IMPORTS } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';

/** fs functions by the indexes of their path arguments. */
const FS_FUNCTIONS: Record<string, number[]> = Object.fromEntries([
  ...[
    'readFile',
    'readFileSync',
    'writeFile',
    'writeFileSync',
    'appendFile',
    'appendFileSync',
    'createReadStream',
    'createWriteStream',
    'unlink',
    'unlinkSync',
    'rm',
    'rmSync',
    'rmdir',
    'rmdirSync',
    'readdir',
    'readdirSync',
    'stat',
    'statSync',
    'lstat',
    'lstatSync',
    'open',
    'openSync',
    'access',
    'accessSync',
    'exists',
    'existsSync',
    'mkdir',
    'mkdirSync',
    'realpath',
    'realpathSync',
    'chmod',
    'chmodSync',
    'chown',
    'truncate',
    'opendir',
    'readlink',
    'readJson',
    'readJSON',
    'readJsonSync',
    'writeJson',
    'writeJSON',
    'outputFile',
    'outputFileSync',
    'outputJson',
    'remove',
    'removeSync',
    'pathExists',
    'ensureDir',
    'ensureFile',
    'emptyDir',
  ].map((n) => [n, [0]] as const),
  ...[
    'copyFile',
    'copyFileSync',
    'rename',
    'renameSync',
    'copy',
    'copySync',
    'move',
    'moveSync',
    'link',
    'symlink',
    'cp',
    'cpSync',
  ].map((n) => [n, [0, 1]] as const),
]);
const FS_MODULES = new Set(['fs', 'fs/promises', 'fs-extra', 'graceful-fs', 'original-fs']);
/** Unimported roots that name the fs module by convention. */
const FS_ROOTS = new Set(['fs', 'fsp', 'fse', 'fsPromises']);
/** Response methods that read a file from disk. */
const RESPONSE_FILES = new Set(['sendFile', 'download', 'sendfile']);

function fsCalls(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    const name = callee.name;
    let indexes: number[] | undefined;
    let what = `${name}()`;
    if (callee.module && FS_MODULES.has(callee.module))
      indexes = FS_FUNCTIONS[callee.path.filter((p) => p !== 'promises').join('.')];
    else if (!callee.module && callee.path.length >= 2 && FS_ROOTS.has(callee.path[0]!))
      indexes =
        FS_FUNCTIONS[
          callee.path
            .slice(1)
            .filter((p) => p !== 'promises')
            .join('.')
        ];
    else if (RESPONSE_FILES.has(name) && callee.path.length >= 2) {
      // res.sendFile(name, { root }) / res.download(name, { root }): send refuses to leave root.
      if (call.args.some((a, i) => i > 0 && m.hasProperty(a, 'root'))) continue;
      indexes = [0];
      what = `${callee.path.join('.')}()`;
    } else if (
      (callee.module === 'send' || callee.module === 'koa-send' || callee.module === '@koa/send') &&
      call.args[1]
    ) {
      if (call.args.some((a, i) => i > 1 && m.hasProperty(a, 'root'))) continue;
      indexes = [1];
      what = `${callee.module}()`;
    }
    if (!indexes) continue;
    for (const i of indexes) {
      const arg: Node | undefined = call.args[i];
      if (!arg || arg.type === 'SpreadElement' || m.isConstant(arg)) continue;
      const [t] = m.taints(arg, ['request', 'upload']);
      if (t) {
        hits.push(
          m.flowHit(
            t.kind === 'upload' ? 'upload-name-path' : 'request-path',
            call.node,
            t,
            `the file system through ${what}`,
          ),
        );
        break;
      }
    }
  }
  return hits;
}

// ── Zip slip: the names inside an archive ─────────────────────────────

/** fs functions that create or overwrite what their first argument names. */
const WRITES =
  /^(?:writeFile|writeFileSync|createWriteStream|appendFile|appendFileSync|outputFile|outputFileSync|mkdir|mkdirSync|ensureDir|ensureDirSync|ensureFile|symlink|symlinkSync)$/;
/** A containment or reduction of the name in the callback: basename, a startsWith check, a '..' test. */
const ENTRY_GUARD =
  /\bbasename\s*\(|\.startsWith\s*\(|\.includes\s*\(\s*['"`]\.\.|isInside|isSafePath|isWithin|\.\.[/\\]?['"`]\s*\)/;

/**
 * The callbacks that receive archive entries: `.on('entry', (entry) => …)` (unzip, unzipper, yauzl, tar-stream's
 * header), `zip.getEntries().forEach((entry) => …)` (adm-zip). Their first parameter's name properties
 * (path, entryName, fileName, name) are written by whoever made the archive.
 */
function entryCallbacks(m: CodeModule): Array<{ fn: Node; param: string }> {
  const found: Array<{ fn: Node; param: string }> = [];
  for (const call of m.calls()) {
    const fn = call.args.map((a) => unwrap(a)).find((a) => isFunction(a));
    const first = fn?.params[0];
    if (!fn || first?.type !== 'Identifier') continue;
    const receiver =
      unwrap(call.node.callee).type === 'MemberExpression' ? m.source(unwrap(call.node.callee).object) : '';
    const entries =
      (call.callee.name === 'on' && call.args[0] !== undefined && m.stringValue(call.args[0]) === 'entry') ||
      (call.callee.name === 'forEach' && /getEntries\s*\(\s*\)$|^zipEntries$/.test(receiver));
    if (entries) found.push({ fn, param: first.name });
  }
  return found;
}

function zipSlip(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const { fn, param } of entryCallbacks(m)) {
    const body = m.source(fn);
    if (ENTRY_GUARD.test(body)) continue;
    const inside = (n: Node) => n.start >= fn.start && n.end <= fn.end;
    // The entry's name, and the locals made from it (`const fileName = 'out/' + entry.path`).
    const names = [`${param}\\.(?:path|entryName|fileName|name)\\b`];
    for (const d of m.nodes('VariableDeclarator').filter(inside))
      if (d.id.type === 'Identifier' && d.init && new RegExp(names.join('|')).test(m.source(d.init)))
        names.push(`(?<![\\w$.])${d.id.name}\\b`);
    const named = new RegExp(names.join('|'));
    for (const call of m.calls()) {
      if (!inside(call.node) || !WRITES.test(call.callee.name)) continue;
      const fsCall =
        (call.callee.module !== undefined && FS_MODULES.has(call.callee.module)) ||
        (!call.callee.module && FS_ROOTS.has(call.callee.path[0] ?? ''));
      const arg = call.args[0];
      if (!fsCall || !arg || !named.test(m.source(arg))) continue;
      hits.push(
        m.hit('archive-entry-path', call.node, {
          messageId: 'zipSlip',
          data: { name: named.exec(m.source(arg))![0], call: `${call.callee.path.join('.') || call.callee.name}()` },
        }),
      );
    }
  }
  return hits;
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = ['fs', 'sendfile', 'download', 'send(', 'render('];

/**
 * `res.render(view, req.body.profile)`: an object from the request becomes the view engine's options, and the
 * engine reads files those options name (hbs and express-handlebars read `layout`; ejs before 3.1.7 also ran code
 * from `settings`). Its own object literal with request values in it is not: only the request's object, or a spread
 * of it.
 */
function renderOptions(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    if (callee.name !== 'render' || callee.path.length !== 2 || !/^(?:res|response|ctx)$/.test(callee.path[0]!))
      continue;
    const locals = call.args[1];
    if (!locals || locals.type === 'SpreadElement') continue;
    const u = unwrap(locals);
    const whole: Node[] =
      u.type === 'ObjectExpression'
        ? u.properties.filter((p: Node) => p.type === 'SpreadElement').map((p: Node) => p.argument)
        : [u];
    const t = whole.flatMap((w) => m.taints(w, ['request'])).find((x) => x.structured);
    const what = `${callee.path[0]}.render() as its options (a \`layout\` there names a file the engine reads)`;
    if (t) hits.push(m.flowHit('request-path', call.node, t, what));
  }
  return hits;
}

export default defineAtom({
  id: 'path-traversal',
  title: 'File paths from clients stay inside their directory',
  criteria: {
    pass: 'A file name from a request or an upload is reduced to path.basename, or the resolved path is checked to stay inside its root (resolved.startsWith(root + path.sep)), or sendFile/download/koa-send get a root option, or the name is one of an allow-list.',
    fail: 'fs calls, res.sendFile/res.download, send or koa-send use a path built from request data or an upload’s original file name without a basename, containment or allow-list check; or an archive entry’s name (unzip/unzipper/yauzl/tar-stream entry events, adm-zip getEntries) names a file written without one (zip slip); or an object from the request is passed whole as res.render()’s options, where the view engine reads files it names (hbs `layout`).',
  },
  files: CODE_FILES,
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'request-path': {
      message: 'A path built from request data reaches the file system.',
      messages: FLOW_MESSAGES,
      fix: 'Resolve against a root and check containment: const file = path.resolve(ROOT, name); if (!file.startsWith(ROOT + path.sep)) return res.sendStatus(403); or pass { root: ROOT } to res.sendFile.',
    },
    'archive-entry-path': {
      message: 'A file name from inside an archive is used as a path.',
      messages: {
        zipSlip:
          '{name} comes from the archive and reaches {call}: an entry named ../../… writes outside the target folder (zip slip).',
      },
      fix: 'Resolve each entry against the target and check containment: const dest = path.resolve(DIR, entry.path); if (!dest.startsWith(DIR + path.sep)) return entry.autodrain(); or use an extractor that refuses such entries.',
    },
    'upload-name-path': {
      message: "An upload's original file name is used as a path.",
      messages: FLOW_MESSAGES,
      fix: 'Store uploads under a name you generate (crypto.randomUUID() plus a checked extension), or at least path.basename(file.originalname), inside a directory that is not served.',
    },
  },
  examples: {
    bad: [
      // A GraphQL mutation's arguments are the client's: ../../ in filePath writes anywhere.
      {
        file: 'src/graphql/resolvers.js',
        code: "const fs = require('fs/promises');\nmodule.exports = {\n  Mutation: {\n    saveFile: async (parent, args) => {\n      await fs.writeFile(`${UPLOADS}/${args.filePath}`, args.content); // ✗\n      return true;\n    },\n  },\n};",
      },
      // The client's object as the view's options: {"layout": "../../../etc/passwd"} is read by hbs.
      {
        file: 'src/routes/profile.js',
        code: "router.post('/profile', (req, res) => {\n  const profile = req.body.profile;\n  res.render('profile', profile); // ✗\n});\nrouter.get('/search', (req, res) => res.render('search', { ...req.query })); // ✗",
      },
      // Two files: a helper reads whatever name it is given; the route gives it the client's.
      {
        file: 'src/routes/docs.ts',
        code: "import { readDoc } from '../lib/docs';\nrouter.get('/docs', async (req, res) => {\n  res.send(await readDoc(req.query.name)); // ✗\n});",
        others: {
          'src/lib/docs.ts':
            "import { readFile } from 'fs/promises';\nimport path from 'path';\nexport const readDoc = (name: string) => readFile(path.join(__dirname, 'docs', name), 'utf8');",
        },
      },
      // Zip slip: the archive names the files it writes.
      {
        file: 'src/unpack.js',
        code: "const fs = require('fs');\nconst unzipper = require('unzipper');\nexports.unpack = (zip, dir) => fs.createReadStream(zip).pipe(unzipper.Parse()).on('entry', (entry) => {\n  const dest = path.join(dir, entry.path);\n  entry.pipe(fs.createWriteStream(dest)); // ✗\n});",
      },
      {
        file: 'src/restore.ts',
        code: "import fs from 'node:fs';\nimport AdmZip from 'adm-zip';\nexport function restore(file: string) {\n  new AdmZip(file).getEntries().forEach((e) => {\n    fs.writeFileSync(`backups/${e.entryName}`, e.getData()); // ✗\n  });\n}",
      },
      {
        file: 'src/files.js',
        code: "app.get('/files/:name', (req, res) => {\n  res.sendFile(path.join(__dirname, 'uploads', req.params.name)); // ✗\n});",
      },
      {
        file: 'src/read.js',
        code: "const fs = require('fs');\napp.get('/read', (req, res) => {\n  fs.readFile(`./files/${req.query.file}`, 'utf8', (err, data) => res.send(data)); // ✗\n});",
      },
      {
        file: 'src/static.ts',
        code: "import fs from 'node:fs';\nimport path from 'node:path';\nrouter.get('/static', async (ctx) => {\n  ctx.body = fs.createReadStream(path.resolve('public', ctx.query.path)); // ✗\n});",
      },
      {
        file: 'src/upload.js',
        code: "const fs = require('fs');\napp.post('/upload', upload.single('file'), (req, res) => {\n  fs.writeFileSync(path.join(UPLOADS, req.file.originalname), req.file.buffer); // ✗\n});",
      },
      {
        file: 'src/fastify.ts',
        code: "import { readFile } from 'node:fs/promises';\nimport { join } from 'node:path';\nfastify.get('/docs/:name', async (request, reply) => {\n  const { name } = request.params;\n  return readFile(join(DOCS, name), 'utf8'); // ✗\n});",
      },
      {
        file: 'app/api/docs/route.ts',
        code: "import { promises as fs } from 'fs';\nexport async function GET(request: NextRequest) {\n  const file = request.nextUrl.searchParams.get('file');\n  const text = await fs.readFile(path.join(process.cwd(), 'docs', file), 'utf8'); // ✗\n  return new Response(text);\n}",
      },
      {
        file: 'src/download.js',
        code: "router.get('/download', (req, res) => {\n  res.download(req.query.path); // ✗\n});",
      },
      {
        file: 'src/files.controller.ts',
        code: "import { join } from 'node:path';\n@Controller('files')\nexport class FilesController {\n  @Get(':name')\n  get(@Param('name') name: string, @Res() res: Response) {\n    return res.sendFile(join(ROOT, name)); // ✗\n  }\n}",
      },
    ],
    good: [
      {
        file: 'src/graphql/resolvers.js',
        code: "const fs = require('fs/promises');\nconst path = require('path');\nmodule.exports = {\n  Mutation: {\n    saveFile: async (parent, args) => {\n      await fs.writeFile(path.join(UPLOADS, path.basename(args.filePath)), args.content);\n      return true;\n    },\n  },\n};",
      },
      // Request values placed under keys the app chose: the engine's options stay the app's.
      {
        file: 'src/routes/profile.js',
        code: "router.post('/profile', (req, res) => {\n  res.render('profile', { title: 'Profile', profile: req.body.profile, q: req.query.q });\n});",
      },
      // Two files: the same helper, given only the base name.
      {
        file: 'src/routes/docs.ts',
        code: "import path from 'path';\nimport { readDoc } from '../lib/docs';\nrouter.get('/docs', async (req, res) => {\n  res.send(await readDoc(path.basename(req.query.name)));\n});",
        others: {
          'src/lib/docs.ts':
            "import { readFile } from 'fs/promises';\nimport path from 'path';\nexport const readDoc = (name: string) => readFile(path.join(__dirname, 'docs', name), 'utf8');",
        },
      },
      // Each entry resolved against the target and checked to stay inside it.
      {
        file: 'src/unpack.js',
        code: "const fs = require('fs');\nconst unzipper = require('unzipper');\nexports.unpack = (zip, dir) => fs.createReadStream(zip).pipe(unzipper.Parse()).on('entry', (entry) => {\n  const dest = path.resolve(dir, entry.path);\n  if (!dest.startsWith(dir + path.sep)) return entry.autodrain();\n  entry.pipe(fs.createWriteStream(dest));\n});",
      },
      {
        file: 'src/files.js',
        code: "app.get('/files/:name', (req, res) => {\n  res.sendFile(req.params.name, { root: path.join(__dirname, 'public') });\n});",
      },
      {
        file: 'src/read.js',
        code: "const fs = require('fs');\napp.get('/read', (req, res) => {\n  const safe = path.basename(req.query.file);\n  fs.readFile(path.join(DIR, safe), 'utf8', (err, data) => res.send(data));\n});",
      },
      {
        file: 'src/contained.ts',
        code: "import fs from 'node:fs';\nrouter.get('/static', (req, res) => {\n  const full = path.resolve(ROOT, req.query.p);\n  if (!full.startsWith(ROOT + path.sep)) return res.sendStatus(403);\n  fs.createReadStream(full).pipe(res);\n});",
      },
      {
        file: 'src/allow.js',
        code: "const FILES = new Set(['terms.pdf', 'privacy.pdf']);\napp.get('/doc', (req, res) => {\n  if (!FILES.has(req.query.f)) return res.sendStatus(404);\n  res.download(path.join(DOCS, req.query.f));\n});",
      },
      {
        file: 'src/config.js',
        code: "const fs = require('fs');\nconst config = JSON.parse(fs.readFileSync(path.join(__dirname, 'config.json'), 'utf8'));",
      },
      {
        file: 'src/ids.js',
        code: "const fs = require('fs');\napp.get('/data/:id', (req, res) => {\n  const id = parseInt(req.params.id, 10);\n  fs.readFile(`./data/${id}.json`, (err, d) => res.send(d));\n});",
      },
      {
        file: 'bin/cat.js',
        code: "const fs = require('fs');\nprocess.stdout.write(fs.readFileSync(process.argv[2], 'utf8'));",
      },
      {
        file: 'src/upload.js',
        code: "const fs = require('fs');\napp.post('/upload', upload.single('file'), (req, res) => {\n  const name = crypto.randomUUID() + '.png';\n  fs.writeFileSync(path.join(UPLOADS, name), req.file.buffer);\n});",
      },
    ],
  },
  check: codeCheck(
    followCalls((m) => [...fsCalls(m), ...zipSlip(m), ...renderOptions(m)], SINK_WORDS),
    sinkWithRequest('request-path', /\b(?:readFile\w*|createReadStream|writeFile\w*|sendFile|download|unlink\w*)\s*\(/),
    followHint(SINK_WORDS),
  ),
});
