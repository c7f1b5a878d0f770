import type { CodeModule, Node } from '../ast/module.js';
import { isFunction, unwrap } from '../ast/nodes.js';
import { defineAtom, type CheckContext, type Hit, type SourceFile } from '../kit/atom.js';
import { APP_FILES, appMentions, callbackAnswer, decoratorName, otherModulesMatching } from '../kit/app.js';
import { codeCheck } from '../kit/code.js';

/** A place where uploads are configured or written. */
interface Upload {
  node: Node;
  what: string;
  /** The options, when written here; null when they come from elsewhere (then nothing is judged). */
  options: Node | undefined | null;
  storage: 'disk' | 'memory' | 'remote';
  /** The directory uploads land in, when it is a constant. */
  dest?: string;
  destNode?: Node;
  needsSize: boolean;
  /** A type check seen for this upload (fileFilter, a ParseFilePipe validator). */
  typeChecked: boolean;
  /** Where the stored name is made from the client's file name. */
  clientName?: Node;
}

/** An upload whose options (the first argument) need `limits.fileSize`: busboy, express-fileupload. */
function withFileSizeLimit(
  m: CodeModule,
  node: Node,
  arg: Node | undefined,
  what: string,
  storage: Upload['storage'],
  typeChecked: boolean,
): Upload {
  const opts = m.objectLiteral(arg);
  const limits = opts && m.property(opts, 'limits');
  return {
    node,
    what,
    options: arg && !opts ? null : opts,
    storage,
    needsSize: !(limits && (!m.objectLiteral(limits) || m.hasProperty(limits, 'fileSize'))),
    typeChecked,
  };
}

const NEST_INTERCEPTORS = new Set([
  'FileInterceptor',
  'FilesInterceptor',
  'FileFieldsInterceptor',
  'AnyFilesInterceptor',
]);
/** The module checks the content type somewhere (after storing, or in a helper). */
const TYPE_CHECK_TEXT =
  /\bmime_?type\b|mimeType|fileTypeFromBuffer|fileTypeFromFile|['"]file-type['"]|['"]mmmagic['"]|['"]magic-bytes\.js['"]|\.fileType\b/i;
/** The upload's own name checked for an extension (`file.name.endsWith('.xml')`): a type check, if a weak one. */
const NAME_EXTENSION_CHECK = /\.(?:name|filename|originalname)\s*\.\s*(?:toLowerCase\(\)\s*\.\s*)?endsWith\s*\(/;
const STATIC_TEXT =
  /express\.static|serve-static|serveStatic|koa-static|@fastify\/static|useStaticAssets|ServeStaticModule/;

/** A client-supplied name used as (part of) the stored name: `file.originalname`, `file.name`, `data.filename`, not only its extension. */
function usesClientName(m: CodeModule, expr: Node, names: RegExp): boolean {
  const text = m.source(expr).replace(/\bextname\s*\([^()]*(?:\([^()]*\)[^()]*)?\)/g, '');
  return names.test(text);
}

/** A constant directory, relative and normalised: 'public/uploads' for path.join(__dirname, '../public', 'uploads/'). */
function foldPath(m: CodeModule, node: Node | undefined, depth = 0): string | undefined {
  if (!node || depth > 4) return undefined;
  const n = unwrap(node);
  const s = m.stringValue(n);
  if (s !== undefined) return normalise(s);
  if (n.type === 'Identifier') {
    const b = m.binding(n);
    const def = b?.defs.length === 1 ? b.defs[0] : undefined;
    return def?.value && def.path.length === 0 ? foldPath(m, def.value, depth + 1) : undefined;
  }
  if (n.type === 'CallExpression') {
    const c = m.callee(n.callee);
    if (c.module !== 'path' || (c.name !== 'join' && c.name !== 'resolve')) return undefined;
    const parts: string[] = [];
    for (const a of n.arguments as Node[]) {
      const src = m.source(a);
      if (/^(?:__dirname|process\.cwd\(\)|import\.meta\.dirname)$/.test(src)) continue;
      const v = m.stringValue(a);
      if (v === undefined) return undefined;
      parts.push(v);
    }
    return normalise(parts.join('/'));
  }
  if (n.type === 'TemplateLiteral') {
    const shape = m.shape(n);
    return shape ? normalise(shape.replace(/^\$\{…\}/, '')) : undefined;
  }
  return undefined;
}

/** What a local variable holds: its declaration and plain assignments (an undeclared one's in the same function). */
function heldValues(m: CodeModule, expr: Node): Node[] {
  const n = unwrap(expr);
  if (n.type !== 'Identifier') return [];
  const b = m.binding(n);
  if (b) return b.defs.filter((d) => d.value && !d.path.length && d.kind !== 'param').map((d) => d.value!);
  const fn = m.enclosingFunction(n);
  return m
    .nodes('AssignmentExpression')
    .filter((a) => {
      const left = unwrap(a.left);
      return a.operator === '=' && left.type === 'Identifier' && left.name === n.name && m.enclosingFunction(a) === fn;
    })
    .map((a) => a.right);
}

/**
 * The constant directory a built path starts with: 'public/uploads' for
 * `__dirname + '/../public/uploads/' + user + '/' + file.name` (the file lands in it or below it).
 */
function leadingDirectory(m: CodeModule, expr: Node): string | undefined {
  // The path's pieces in order, a dynamic one as undefined; path.join's arguments with '/' between them.
  const pieces: Array<string | undefined> = [];
  const flatten = (x: Node) => {
    const u = unwrap(x);
    const callee = u.type === 'CallExpression' ? m.callee(u.callee) : undefined;
    if (u.type === 'BinaryExpression' && u.operator === '+') {
      flatten(u.left);
      flatten(u.right);
    } else if (callee?.module === 'path' && callee.name === 'join')
      for (const a of u.arguments as Node[]) {
        flatten(a);
        pieces.push('/');
      }
    else if (/^(?:__dirname|process\.cwd\(\)|import\.meta\.dirname)$/.test(m.source(u))) pieces.push('');
    else pieces.push(m.stringValue(u));
  };
  flatten(expr);
  const known = pieces.indexOf(undefined);
  const text = (known < 0 ? pieces : pieces.slice(0, known)).join('');
  const dir = text.slice(0, text.lastIndexOf('/') + 1);
  return dir ? normalise(dir) || undefined : undefined;
}

function normalise(p: string): string | undefined {
  if (p.includes('${')) return undefined;
  const parts = p.split(/[\\/]+/).filter((x) => x && x !== '.' && x !== '..');
  return parts.join('/');
}

/** Directories served as static files anywhere in the module. */
function staticRoots(m: CodeModule): string[] {
  const roots: string[] = [];
  for (const call of m.calls()) {
    const { callee } = call;
    let root: Node | undefined;
    if (callee.name === 'static' && (callee.module === 'express' || callee.path[0] === 'express')) root = call.args[0];
    else if (callee.module === 'serve-static' || callee.module === 'koa-static' || callee.module === 'koa-static-cache')
      root = call.args[0];
    else if (callee.name === 'useStaticAssets') root = call.args[0];
    else if (callee.name === 'register' && call.args[0] && m.callee(call.args[0]).module === '@fastify/static')
      root = m.property(call.args[1], 'root');
    else if (callee.name === 'forRoot' && callee.path[0] === 'ServeStaticModule')
      root = m.property(call.args[0], 'rootPath');
    const folded = foldPath(m, root);
    if (folded) roots.push(folded);
  }
  return roots;
}

/** multer({ … }) options: storage, destination, size limit, file filter, stored name. */
function multerUpload(m: CodeModule, node: Node, what: string, arg: Node | undefined): Upload {
  const opts = arg ? (m.objectLiteral(arg) ?? null) : undefined;
  const upload: Upload = { node, what, options: opts, storage: 'memory', needsSize: true, typeChecked: false };
  if (!opts) return upload;
  const limits = m.property(opts, 'limits');
  if (limits && (!m.objectLiteral(limits) || m.hasProperty(limits, 'fileSize'))) upload.needsSize = false;
  if (m.hasProperty(opts, 'fileFilter')) upload.typeChecked = true;
  const dest = m.property(opts, 'dest');
  if (dest) {
    upload.storage = 'disk';
    const d = foldPath(m, dest);
    if (d !== undefined) upload.dest = d;
    upload.destNode = dest;
  }
  const storage = m.property(opts, 'storage');
  const storageCall =
    storage &&
    (unwrap(storage).type === 'CallExpression'
      ? unwrap(storage)
      : m.objectLiteral(storage)
        ? undefined
        : resolveCall(m, storage));
  if (storageCall) {
    const name = m.callee(storageCall.callee).name;
    upload.storage = name === 'diskStorage' ? 'disk' : name === 'memoryStorage' ? 'memory' : 'remote';
    const conf = m.objectLiteral(storageCall.arguments[0]);
    const destination = conf && m.property(conf, 'destination');
    if (destination) {
      const fn = isFunction(unwrap(destination)) ? unwrap(destination) : undefined;
      const cb = fn && callbackAnswer(m, fn);
      const d = foldPath(m, cb ? cb.args[1] : destination);
      if (d !== undefined) upload.dest = d;
      upload.destNode = destination;
    }
    for (const key of ['filename', 'key']) {
      const namer = conf && m.property(conf, key);
      const fn = namer && isFunction(unwrap(namer)) ? unwrap(namer) : undefined;
      if (!fn) continue;
      // cb(null, file.originalname), cb(null, Date.now() + '-' + file.originalname)
      const cb = callbackAnswer(m, fn, (name) => usesClientName(m, name, /\boriginalname\b/));
      const returned = fn.body.type !== 'BlockStatement' && usesClientName(m, fn.body, /\boriginalname\b/);
      if (cb || returned) upload.clientName = namer;
    }
  } else if (storage) upload.storage = 'remote';
  return upload;
}

function resolveCall(m: CodeModule, n: Node): Node | undefined {
  const u = unwrap(n);
  if (u.type !== 'Identifier') return undefined;
  const b = m.binding(u);
  const v = b?.defs.length === 1 && b.defs[0]!.path.length === 0 ? b.defs[0]!.value : undefined;
  return v && unwrap(v).type === 'CallExpression' ? unwrap(v) : undefined;
}

function uploadsIn(m: CodeModule): Upload[] {
  const uploads: Upload[] = [];
  const typeCheckedHere = TYPE_CHECK_TEXT.test(m.text);
  for (const call of m.calls()) {
    const { callee } = call;
    const mod = callee.module;
    if (mod === 'multer' && (callee.path.length === 0 || callee.path[0] === 'default')) {
      uploads.push(multerUpload(m, call.node, 'multer', call.args[0]));
    } else if (mod === '@nestjs/platform-express' && NEST_INTERCEPTORS.has(callee.name)) {
      const arg =
        [...call.args].reverse().find((a) => m.objectLiteral(a)) ??
        (call.args.length > (callee.name === 'FilesInterceptor' ? 2 : 1) ? call.args.at(-1) : undefined);
      const upload = multerUpload(m, call.node, callee.name, arg);
      // @UploadedFile(new ParseFilePipe({ validators: [new MaxFileSizeValidator(…), new FileTypeValidator(…)] }))
      const method = [...m.ancestors(call.node)].find((a) => a.type === 'MethodDefinition');
      const params = method
        ? ((method.value?.params ?? []) as Node[])
            .flatMap((p) => (p.decorators ?? []) as Node[])
            .filter((d) => /^UploadedFiles?$/.test(decoratorName(m, d)))
        : [];
      const pipes = params.map((d) => m.source(d)).join(' ');
      if (/MaxFileSize|addMaxSizeValidator|maxSize/.test(pipes)) upload.needsSize = false;
      if (/FileType|addFileTypeValidator|mimetype/i.test(pipes)) upload.typeChecked = true;
      uploads.push(upload);
    } else if (
      callee.name === 'register' &&
      call.args[0] &&
      /^(?:@fastify\/multipart|fastify-multipart)$/.test(m.callee(unwrap(call.args[0])).module ?? '')
    ) {
      // @fastify/multipart limits files to 1 MB unless told otherwise: fileSize: Infinity lifts it.
      const opts = m.objectLiteral(call.args[1]);
      const limits = opts && m.objectLiteral(m.property(opts, 'limits'));
      const size = limits && m.property(limits, 'fileSize');
      if (size && /^(?:Infinity|Number\.MAX_SAFE_INTEGER|Number\.POSITIVE_INFINITY)$/.test(m.source(unwrap(size))))
        uploads.push({
          node: call.node,
          what: '@fastify/multipart',
          options: opts,
          storage: 'memory',
          needsSize: true,
          typeChecked: true,
        });
    } else if (mod === 'busboy' && (callee.path.length === 0 || callee.path[0] === 'default')) {
      const storage = /createWriteStream|writeFile/.test(m.text) ? 'disk' : 'memory';
      uploads.push(withFileSizeLimit(m, call.node, call.args[0], 'busboy', storage, typeCheckedHere));
    } else if (mod === 'express-fileupload' && callee.path.length === 0) {
      uploads.push(withFileSizeLimit(m, call.node, call.args[0], 'express-fileupload', 'memory', true));
    } else if (
      (mod === 'formidable' &&
        /^(?:|default|formidable|IncomingForm|default\.IncomingForm)$/.test(callee.path.join('.'))) ||
      // koa-body: koaBody({ multipart: true, formidable: { uploadDir } }) hands the files to formidable.
      ((mod === 'koa-body' || mod === 'koa-better-body') &&
        m.objectLiteral(call.args[0]) !== undefined &&
        m.source(m.property(m.objectLiteral(call.args[0])!, 'multipart') ?? call.node) === 'true')
    ) {
      const outer = mod === 'formidable' ? undefined : m.objectLiteral(call.args[0]);
      const inner = outer && m.property(outer, 'formidable');
      if (outer && !inner) continue; // formidable's defaults: the system's temp directory, random names
      const opts = m.objectLiteral(inner ?? call.args[0]);
      const upload: Upload = {
        node: call.node,
        what: mod === 'formidable' ? 'formidable' : `${mod} (formidable)`,
        options: (inner ?? call.args[0]) && !opts ? null : opts,
        storage: 'disk',
        needsSize: false,
        typeChecked: typeCheckedHere || (opts !== undefined && m.hasProperty(opts, 'filter')),
      };
      const dir = opts && m.property(opts, 'uploadDir');
      if (dir) {
        const d = foldPath(m, dir);
        if (d !== undefined) upload.dest = d;
        upload.destNode = dir;
      } else upload.typeChecked = true; // random names in the system's temp directory
      const namer = opts && m.property(opts, 'filename');
      if (namer && usesClientName(m, namer, /\b(?:originalFilename|originalname|name)\b/)) upload.clientName = namer;
      uploads.push(upload);
    } else if (
      /^(?:mv|createWriteStream|writeFile|writeFileSync|rename|renameSync|copyFile|copyFileSync)$/.test(callee.name) &&
      call.args[0]
    ) {
      // express-fileupload's file.mv(path), @fastify/multipart's data.filename in a write: the client's name as the stored name.
      const multipart =
        m.imports('@fastify/multipart', 'express-fileupload') ||
        /\.(?:file|files|parts)\s*\(\s*\)|req\.files\b|request\.files\b|saveRequestFiles/.test(m.text);
      if (!multipart) continue;
      const target = call.args[callee.name.startsWith('rename') || callee.name.startsWith('copy') ? 1 : 0];
      // The path as written, or the variable's value(s): `filePath = dir + file.name; file.mv(filePath)`.
      const named = (target ? [target, ...heldValues(m, target)] : []).find((t) =>
        usesClientName(
          m,
          t,
          /\b\w*(?:file|upload|data|part|image|avatar|attachment|document|photo|doc)\w*\.(?:filename|name)\b/i,
        ),
      );
      if (named) {
        const dest = leadingDirectory(m, named);
        uploads.push({
          node: call.node,
          what: callee.name === 'mv' ? 'file.mv()' : `${callee.name}()`,
          options: undefined,
          storage: 'disk',
          needsSize: false,
          typeChecked: typeCheckedHere || NAME_EXTENSION_CHECK.test(m.text),
          clientName: call.node,
          ...(dest ? { dest, destNode: named } : {}),
        });
      }
    }
  }
  return uploads;
}

async function uploadHits(m: CodeModule, file: SourceFile, ctx: CheckContext<Record<string, never>>): Promise<Hit[]> {
  const hits: Hit[] = [];
  const typeCheckedHere = TYPE_CHECK_TEXT.test(file.text);
  for (const u of uploadsIn(m)) {
    if (u.options === null) continue;
    const from = m.line(u.node);
    const to = m.position(u.node.end).line;
    const lines = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    if (!file.allAdded && !lines.some((n) => file.isAdded(n))) continue;
    if (u.needsSize) {
      // NestJS: MulterModule.register({ limits }) in another module sets the default.
      const nestDefault =
        u.what.endsWith('Interceptor') &&
        (await appMentions(ctx.project, file, /MulterModule\.register(?:Async)?\s*\([\s\S]{0,600}?fileSize/));
      if (!nestDefault)
        hits.push(
          m.hit('no-size-limit', u.node, {
            messageId: 'anySize',
            data: { upload: u.what },
            flow: lines,
          }),
        );
    }
    if (u.storage === 'disk' && !u.typeChecked && !typeCheckedHere) {
      hits.push(
        m.hit('no-type-check', u.node, {
          messageId: 'anyType',
          data: { upload: u.what },
          flow: lines,
        }),
      );
    }
    if (u.clientName)
      hits.push(
        m.hit('client-filename', u.clientName, {
          messageId: 'clientName',
          data: { upload: u.what },
        }),
      );
    if (u.storage === 'disk' && u.dest !== undefined && u.dest !== '') {
      const roots = [...staticRoots(m)];
      for (const path of await otherModulesMatching(ctx.project, file, STATIC_TEXT)) {
        const parsed = await (await ctx.project.source(path))?.ast();
        if (parsed?.ok) roots.push(...staticRoots(parsed));
      }
      const root = roots.find((r) => r !== '' && (u.dest === r || u.dest!.startsWith(r + '/')));
      if (root !== undefined)
        hits.push(
          m.hit('public-destination', u.destNode ?? u.node, {
            messageId: 'served',
            data: { dest: u.dest, root },
            flow: lines,
          }),
        );
    }
  }
  return hits;
}

export default defineAtom({
  id: 'file-upload',
  title: 'Uploads are limited in size and type and stored under names the server chooses',
  criteria: {
    pass: 'Every upload handler (multer, busboy, formidable, koa-body, express-fileupload, @fastify/multipart, NestJS FileInterceptor) sets a file size limit, checks the type (fileFilter, FileTypeValidator, a content check) before files are kept on disk, stores them under a name the server generates (randomUUID() plus a checked extension), in a directory the app does not serve statically.',
    fail: "An upload handler has no size limit (or lifts @fastify/multipart's to fileSize: Infinity), stores files on disk without a type check, stores them under the client’s file name (originalname, file.name, filename), or writes them into a directory served by express.static / serve-static / koa-static / @fastify/static.",
  },
  files: APP_FILES,
  keywords: [
    'multer',
    'busboy',
    'formidable',
    'fileupload',
    'multipart',
    'fileinterceptor',
    'filesinterceptor',
    'anyfilesinterceptor',
    'filefieldsinterceptor',
    // express-fileupload's files, in a controller that does not import it (app.use(fileUpload()) is elsewhere).
    'req.files',
  ],
  defaultLevel: 'block',
  rules: {
    'no-size-limit': {
      message: 'Uploads of any size are accepted.',
      messages: {
        anySize:
          '{upload} accepts uploads of any size (no limits.fileSize): one request can fill the disk or the memory.',
      },
      fix: 'Set a limit: multer({ limits: { fileSize: 5 * 1024 * 1024, files: 1 } }), busboy({ headers, limits: { fileSize } }), fileUpload({ limits: { fileSize }, abortOnLimit: true }), or a MaxFileSizeValidator in the ParseFilePipe (NestJS).',
    },
    'no-type-check': {
      message: 'Uploaded files of any type are stored.',
      messages: {
        anyType:
          '{upload} stores files of any type (no fileFilter or content-type check): an .html or .svg upload becomes stored XSS once served.',
      },
      fix: "Accept only the types you need: fileFilter: (req, file, cb) => cb(null, ['image/png', 'image/jpeg'].includes(file.mimetype)), and check the content (file-type) before keeping it; NestJS: new FileTypeValidator({ fileType: /^image\\/(png|jpeg)$/ }).",
    },
    'client-filename': {
      message: 'Uploads are stored under the client’s file name.',
      messages: {
        clientName:
          "{upload} stores uploads under the name the client chose: names can collide, overwrite others' files, or carry ../ and executable extensions.",
      },
      fix: 'Generate the name: filename: (req, file, cb) => cb(null, `${crypto.randomUUID()}${ALLOWED_EXT[file.mimetype]}`); keep the original name only as data in the database.',
    },
    'public-destination': {
      message: 'Uploads are stored inside a directory the app serves statically.',
      messages: {
        served:
          'Uploads land in {dest}/, inside {root}/, which the app serves as static files: an uploaded page or script is served from your origin.',
      },
      fix: 'Store uploads outside every static root (e.g. ./var/uploads or object storage) and serve them through a handler that sets Content-Type from your own records and Content-Disposition: attachment.',
    },
  },
  examples: {
    bad: [
      // A controller (express-fileupload registered in app.js): the stored path is built in a variable first,
      // from the client's name, inside the folder app.js serves.
      {
        file: 'src/controllers/storage.js',
        code: "module.exports = {\n  post: (req, res) => {\n    const file = req.files.file;\n    if (!file.name.endsWith('.xml')) return res.sendStatus(400);\n    const filePath = __dirname + '/../public/uploads/' + req.user.id + '/' + file.name; // ✗\n    file.mv(filePath, (err) => res.sendStatus(err ? 500 : 201)); // ✗\n  },\n};",
        others: {
          'src/app.js':
            "const express = require('express');\nconst app = express();\napp.use(express.static('public'));\napp.use(require('express-fileupload')({ limits: { fileSize: 1e6 } }));",
        },
      },
      {
        file: 'src/server.ts',
        code: "import Fastify from 'fastify';\nimport multipart from '@fastify/multipart';\nconst app = Fastify();\nawait app.register(multipart, { limits: { fileSize: Infinity } }); // ✗",
      },
      {
        file: 'src/app.ts',
        code: "import Koa from 'koa';\nimport { koaBody } from 'koa-body';\nconst app = new Koa();\napp.use(koaBody({ multipart: true, formidable: { uploadDir: './uploads', keepExtensions: true } })); // ✗",
      },
      {
        file: 'src/upload.js',
        code: "const multer = require('multer');\nconst upload = multer({ dest: 'uploads/' }); // ✗\napp.post('/avatar', upload.single('avatar'), saveAvatar);",
      },
      {
        file: 'src/upload.ts',
        code: "import multer from 'multer';\nconst storage = multer.diskStorage({\n  destination: 'var/uploads',\n  filename: (req, file, cb) => cb(null, Date.now() + '-' + file.originalname), // ✗\n});\nexport const upload = multer({ storage, limits: { fileSize: 2_000_000 }, fileFilter: imagesOnly });",
      },
      {
        file: 'src/import.js',
        code: "const multer = require('multer');\nconst upload = multer(); // ✗\nrouter.post('/import', upload.single('csv'), importCsv);",
      },
      {
        file: 'src/busboy.js',
        code: "const busboy = require('busboy');\napp.post('/upload', (req, res) => {\n  const bb = busboy({ headers: req.headers }); // ✗\n  bb.on('file', (name, stream, info) => stream.pipe(sink(info)));\n  req.pipe(bb);\n});",
      },
      {
        file: 'src/files.js',
        code: "const fileUpload = require('express-fileupload');\napp.use(fileUpload({ limits: { fileSize: 10e6 } }));\napp.post('/upload', (req, res) => {\n  const file = req.files.document;\n  file.mv(path.join(__dirname, 'uploads', file.name)); // ✗\n  res.sendStatus(201);\n});",
      },
      {
        file: 'src/app.js',
        code: "const multer = require('multer');\napp.use(express.static('public'));\nconst upload = multer({\n  dest: 'public/uploads', // ✗\n  limits: { fileSize: 1e6 },\n  fileFilter: imagesOnly,\n});",
      },
      {
        file: 'src/files.controller.ts',
        code: "import { FileInterceptor } from '@nestjs/platform-express';\n@Controller('files')\nexport class FilesController {\n  @Post()\n  @UseInterceptors(FileInterceptor('file')) // ✗\n  upload(@UploadedFile() file: Express.Multer.File) { return this.files.save(file); }\n}",
      },
      {
        file: 'src/upload.ts',
        code: "import multipart from '@fastify/multipart';\nfastify.post('/upload', async (request) => {\n  const data = await request.file();\n  await pipeline(data.file, fs.createWriteStream(`./uploads/${data.filename}`)); // ✗\n});",
      },
    ],
    good: [
      // The same controller: a name the server makes (the client's only for its checked extension), outside public/.
      {
        file: 'src/controllers/storage.js',
        code: "const { randomUUID } = require('crypto');\nmodule.exports = {\n  post: (req, res) => {\n    const file = req.files.file;\n    if (!file.name.endsWith('.xml')) return res.sendStatus(400);\n    const filePath = __dirname + '/../storage/' + randomUUID() + path.extname(file.name);\n    file.mv(filePath, (err) => res.sendStatus(err ? 500 : 201));\n  },\n};",
        others: {
          'src/app.js':
            "const express = require('express');\nconst app = express();\napp.use(express.static('public'));\napp.use(require('express-fileupload')({ limits: { fileSize: 1e6 } }));",
        },
      },
      {
        file: 'src/controllers/avatar.js',
        code: "module.exports = {\n  put: (req, res) => {\n    const avatar = req.files.avatar;\n    if (avatar.mimetype !== 'image/png') return res.sendStatus(415);\n    let target = path.join(AVATARS, `${req.user.id}.png`);\n    avatar.mv(target, () => res.json({ name: avatar.name }));\n  },\n};",
      },
      {
        file: 'src/app.ts',
        code: "import Koa from 'koa';\nimport { koaBody } from 'koa-body';\nimport Fastify from 'fastify';\nimport multipart from '@fastify/multipart';\nconst app = new Koa();\napp.use(koaBody({ multipart: true, formidable: { uploadDir: './uploads', filter: ({ mimetype }) => mimetype === 'image/png' } }));\nawait Fastify().register(multipart, { limits: { fileSize: 5 * 1024 * 1024 } });",
      },
      {
        file: 'src/upload.ts',
        code: "import multer from 'multer';\nimport { randomUUID } from 'node:crypto';\nconst storage = multer.diskStorage({\n  destination: 'var/uploads',\n  filename: (req, file, cb) => cb(null, randomUUID() + path.extname(file.originalname)),\n});\nexport const upload = multer({ storage, limits: { fileSize: 5 * 1024 * 1024 }, fileFilter: (req, file, cb) => cb(null, IMAGE_TYPES.includes(file.mimetype)) });",
      },
      {
        file: 'src/import.js',
        code: "const multer = require('multer');\nconst upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 2 * 1024 * 1024 } });",
      },
      {
        file: 'src/busboy.js',
        code: "const busboy = require('busboy');\napp.post('/upload', (req, res) => {\n  const bb = busboy({ headers: req.headers, limits: { fileSize: 1e6, files: 1 } });\n  bb.on('file', (name, stream, { mimeType }) => (mimeType === 'image/png' ? stream.pipe(sink()) : stream.resume()));\n  req.pipe(bb);\n});",
      },
      {
        file: 'src/files.js',
        code: "const fileUpload = require('express-fileupload');\napp.use(fileUpload({ limits: { fileSize: 10e6 }, abortOnLimit: true }));\napp.post('/upload', (req, res) => {\n  const file = req.files.document;\n  if (file.mimetype !== 'application/pdf') return res.sendStatus(415);\n  file.mv(path.join(UPLOADS, `${randomUUID()}.pdf`));\n  res.sendStatus(201);\n});",
      },
      {
        file: 'src/app.js',
        code: "const multer = require('multer');\napp.use(express.static('public'));\nconst upload = multer({ dest: 'var/uploads', limits: { fileSize: 1e6 }, fileFilter: imagesOnly });",
      },
      {
        file: 'src/files.controller.ts',
        code: "import { FileInterceptor } from '@nestjs/platform-express';\n@Controller('files')\nexport class FilesController {\n  @Post()\n  @UseInterceptors(FileInterceptor('file'))\n  upload(@UploadedFile(new ParseFilePipe({ validators: [new MaxFileSizeValidator({ maxSize: 1e6 }), new FileTypeValidator({ fileType: 'image/png' })] })) file: Express.Multer.File) {\n    return this.files.save(file);\n  }\n}",
      },
      { file: 'src/upload.js', code: "const multer = require('multer');\nconst upload = multer(uploadOptions);" },
    ],
  },
  check: codeCheck(uploadHits, []),
});
