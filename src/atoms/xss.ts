import type { CallInfo, CodeModule, Node } from '../ast/module.js';
import { keyName, propertyName, unwrap } from '../ast/nodes.js';
import { defineAtom, parsesFirst, type CheckContext, type Hit, type SourceFile, FLOW_MESSAGES } from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { followCalls, followHint, LOCAL_IMPORTS } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';

const HTML_PROPS = new Set(['innerHTML', 'outerHTML']);
const RESPONSE = /^(?:res|response|reply|resp)$/;
const MARKUP = /<[a-z!/]/i;
/** Server templates: files whose unescaped-output syntax is checked line by line. */
const TEMPLATE = /\.(?:ejs|hbs|handlebars|mustache|pug|jade|njk|nunjucks|liquid)$/i;
/** Unescaped output per template language; the capture is the expression (trimmed after: no two repetitions may compete for its spaces). */
const UNESCAPED: Array<[RegExp, RegExp]> = [
  [/\.ejs$/i, /<%-(?!\s*include\b)([^%]*)%>/g],
  [/\.(?:hbs|handlebars|mustache)$/i, /\{\{\{([^{}]*)\}\}\}|\{\{&([^{}]*)\}\}/g],
  [/\.(?:pug|jade)$/i, /!\{([^}]+)\}|^\s*[\w.#-]*(?:\([^)]*\))?!=(.+)$/gm],
  [/\.(?:njk|nunjucks|liquid|html)$/i, /\{\{([^}]*)\|\s*safe\s*\}\}/g],
];
/** Vue v-html and Svelte {@html}. */
const COMPONENT_HTML = /\bv-html\s*=\s*"([^"]*)"|\bv-html\s*=\s*'([^']*)'|\{@html\s([^}]*)\}/g;
const SANITIZED = /\b(?:DOMPurify\.sanitize|sanitize\w*|purify|xss|filterXSS|escape\w*|\$sanitize|sanitizeHtml)\s*\(/i;

function htmlSinks(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  // Angular: DomSanitizer.bypassSecurityTrustHtml(value) marks the value safe, so Angular renders it unsanitised.
  const bypass = (call: Node, value: Node | undefined, method: string) => {
    if (!value || value.type === 'SpreadElement' || m.isConstant(value) || m.isSanitiserCall(value)) return;
    // A URL whose scheme and host (or path) are fixed in the code cannot become javascript: — the common
    // `https://www.youtube.com/embed/${id}` — nor can a blob: URL of the app's own file or a data:image URL.
    if (/Url$/.test(method) && (FIXED_URL.test(m.shape(value) ?? '') || /createObjectURL/.test(m.source(value))))
      return;
    const [t] = m.taints(value, ['request', 'dom']);
    const hit = t
      ? m.flowHit('request-html', call, t, `${method}()`)
      : trustedHtml(m, value)
        ? undefined
        : m.hit('unsanitized-html', call, {
            messageId: 'angular',
            data: { method, code: m.source(value).slice(0, 40) },
          });
    // CSS runs no script in today's browsers: a trusted style is a warning.
    if (hit && method === 'bypassSecurityTrustStyle') hit.severity = 'warning';
    if (hit) hits.push(hit);
  };
  // Handlebars helpers: new Handlebars.SafeString(`<a href="${url}">${text}</a>`) is output unescaped. Only markup
  // built here with unescaped parts: SafeString(options.fn(this)) wraps the template's own escaped output.
  const safeString = (call: Node, value: Node | undefined) => {
    const v = value && unwrap(value);
    if (!v || (v.type !== 'TemplateLiteral' && v.type !== 'BinaryExpression')) return;
    if (
      !/^(?:hbs|handlebars|express-handlebars)$/.test(m.callee(unwrap(call).callee).module ?? '') &&
      !/handlebars/i.test(m.text)
    )
      return;
    if (!MARKUP.test(m.shape(v) ?? '')) return;
    judge(call, v, 'new Handlebars.SafeString()');
  };
  const judge = (
    sink: Node,
    value: Node | undefined,
    what: string,
    opts: { builtOnly?: boolean; direct?: boolean } = {},
  ) => {
    if (!value || value.type === 'SpreadElement' || m.isConstant(value) || m.isSanitiserCall(value)) return;
    const [t] = m.taints(value, ['request', 'dom']);
    const parts = m.dynamicParts(value);
    const shape = m.shape(value) ?? '';
    if (opts.builtOnly) {
      // Server responses: HTML built around request data, or (Express res.send) a request string sent as is.
      if (t && parts.length && MARKUP.test(shape)) hits.push(m.flowHit('request-html', sink, t, `${what} as HTML`));
      else if (
        t &&
        opts.direct &&
        !parts.length &&
        /\.\w+$|\)$/.test(t.label) &&
        !/\.(?:body|query|cookies|headers|params|files?)$/.test(t.label)
      )
        hits.push(m.flowHit('request-html', sink, t, `${what}, which Express sends as text/html`));
      return;
    }
    const read = !t && !parts.length ? pageTextRead(m, value) : undefined;
    if (t) hits.push(m.flowHit('request-html', sink, t, what));
    else if (read)
      hits.push(
        m.hit('unescaped-html', sink, {
          messageId: 'pageText',
          data: { sink: what, read: m.source(read).slice(0, 40) },
          flow: [m.line(read)],
        }),
      );
    else if (parts.length)
      hits.push(
        m.hit('unescaped-html', sink, {
          messageId: 'built',
          data: { sink: what, part: m.source(parts[0]!).slice(0, 40) },
          flow: parts.map((p) => m.line(p)),
        }),
      );
  };
  for (const a of m.nodes('AssignmentExpression')) {
    const left = unwrap(a.left);
    if (left.type !== 'MemberExpression') continue;
    const name = propertyName(left);
    if (name && HTML_PROPS.has(name)) judge(a, a.right, name);
    // Koa: ctx.body = `<p>${ctx.query.q}</p>`
    if (name === 'body' && /^(?:ctx|context)$/.test(m.source(left.object)))
      judge(a, a.right, 'ctx.body', { builtOnly: true });
  }
  for (const call of m.calls()) {
    const { callee } = call;
    const receiver = callee.path.slice(0, -1).join('.');
    if (BYPASS.test(callee.name)) bypass(call.node, call.args[0], callee.name);
    else if (call.isNew && callee.name === 'SafeString') safeString(call.node, call.args[0]);
    else if (callee.name === 'insertAdjacentHTML') judge(call.node, call.args[1], 'insertAdjacentHTML()');
    else if ((callee.name === 'write' || callee.name === 'writeln') && /^(?:window\.)?document$/.test(receiver))
      judge(call.node, call.args[0], `document.${callee.name}()`);
    else if (callee.name === 'html' && /^(?:\$|jQuery)\(\)/.test(callee.path[0] ?? ''))
      judge(call.node, call.args[0], '$(…).html()');
    else if (
      (callee.name === 'send' || callee.name === 'write' || callee.name === 'end') &&
      (RESPONSE.test(receiver) || /^(?:res|reply)\.(?:status|type|header|code|set)\(\)/.test(receiver))
    ) {
      judge(call.node, call.args[0], `${callee.path[0]}.${callee.name}()`, {
        builtOnly: true,
        direct: callee.name === 'send' && callee.path[0] === 'res',
      });
    }
  }
  hits.push(...escapingOff(m));
  // <div dangerouslySetInnerHTML={{ __html: value }} />
  for (const attr of m.nodes('JSXAttribute')) {
    if (attr.name?.name !== 'dangerouslySetInnerHTML' || attr.value?.type !== 'JSXExpressionContainer') continue;
    const obj = m.objectLiteral(attr.value.expression);
    const html = obj?.properties.find((p: Node) => p.type === 'Property' && keyName(p) === '__html')?.value;
    if (!html || m.isConstant(html) || m.isSanitiserCall(html)) continue;
    const [t] = m.taints(html, ['request', 'dom']);
    if (!t && trustedHtml(m, html)) continue;
    hits.push(
      t
        ? m.flowHit('request-html', attr, t, 'dangerouslySetInnerHTML')
        : m.hit('unsanitized-html', attr, { messageId: 'react', data: { code: m.source(html).slice(0, 40) } }),
    );
  }
  return hits;
}

/**
 * Text of the page read back: `el.getAttribute('data-title')`, `el.dataset.title`, `el.textContent`, `el.innerText`
 * (the value itself, or the one definition of the variable holding it). The browser decoded it: `&lt;img …&gt;`
 * in the markup is `<img …>` here, so written back as HTML the escaped text becomes markup.
 */
function pageTextRead(m: CodeModule, value: Node): Node | undefined {
  let n = unwrap(value);
  if (n.type === 'Identifier') {
    const b = m.binding(n);
    const def = b?.kind !== 'param' && b?.defs.length === 1 ? b.defs[0] : undefined;
    if (!def?.value || def.path.length) return undefined;
    n = unwrap(def.value);
  }
  if (n.type === 'CallExpression') {
    const c = unwrap(n.callee);
    return c.type === 'MemberExpression' && propertyName(c) === 'getAttribute' && n.arguments.length === 1
      ? n
      : undefined;
  }
  if (n.type !== 'MemberExpression') return undefined;
  const name = propertyName(n);
  if (name === 'textContent' || name === 'innerText') return n;
  const obj = unwrap(n.object);
  return obj.type === 'MemberExpression' && propertyName(obj) === 'dataset' ? n : undefined;
}

const FIXED_URL = /^(?:https?:\/\/[^/?#$]+[/?#]|\/(?!\/)|\.\/|data:image\/(?!svg))/i;
const BYPASS = /^bypassSecurityTrust(?:Html|Url|ResourceUrl|Script|Style)$/;
const ENGINES = /^(?:nunjucks|swig|handlebars|hbs|express-handlebars)$/;
const WEB_SERVERS = ['express', 'koa', 'fastify', '@hapi/hapi', '@nestjs/core', '@nestjs/common'];

/**
 * A template engine set up with escaping off: nunjucks/swig `autoescape: false`, Handlebars `noEscape: true`
 * (also express-handlebars' `compilerOptions`). Every `{{ value }}` of its templates is then raw HTML. Code and
 * text generators (scaffolding, e-mail text) turn escaping off on purpose, so only an engine that serves web
 * pages blocks (`express: app` or a web framework in the same file); elsewhere it is a warning.
 */
function escapingOff(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  const isFalse = (n: Node | undefined) => !!n && unwrap(n).type === 'Literal' && unwrap(n).value === false;
  const isTrue = (n: Node | undefined) => !!n && unwrap(n).type === 'Literal' && unwrap(n).value === true;
  // Blocks where the engine serves web pages, a warning elsewhere.
  const report = (call: CallInfo, engine: string, option: string, web: boolean) => {
    const hit = m.hit('escaping-off', call.node, { messageId: web ? 'engine' : 'unsure', data: { engine, option } });
    if (!web) hit.severity = 'warning';
    hits.push(hit);
  };
  for (const call of m.calls()) {
    const { callee } = call;
    const engine =
      (callee.module && ENGINES.test(callee.module) && callee.module) ||
      (!callee.module && callee.path.length > 1 && /^(?:nunjucks|swig|handlebars)$/i.test(callee.path[0]!)
        ? callee.path[0]!.toLowerCase()
        : undefined);
    // AngularJS: $sceProvider.enabled(false) turns Strict Contextual Escaping off, so ng-bind-html renders
    // anything it is given as HTML. Only ever in a browser app: it blocks.
    if (callee.path.join('.') === '$sceProvider.enabled' && isFalse(call.args[0])) {
      hits.push(m.hit('escaping-off', call.node, { messageId: 'angular' }));
      continue;
    }
    // Squirrelly: Sqrl.autoEscaping(false) turns escaping off for every template.
    if (
      callee.name === 'autoEscaping' &&
      (callee.module === 'squirrelly' || /^sqrl$/i.test(callee.path[0] ?? '')) &&
      isFalse(call.args[0])
    ) {
      report(call, 'squirrelly', 'autoEscaping(false)', m.imports(...WEB_SERVERS));
      continue;
    }
    // serialize-javascript with unsafe: true leaves <, > and / as they are: the output cannot go into a <script>.
    if (
      callee.module === 'serialize-javascript' &&
      callee.path.length === 0 &&
      call.args[0] &&
      !m.isConstant(call.args[0])
    ) {
      const options = m.objectLiteral(call.args[1]);
      if (!options || !isTrue(m.property(options, 'unsafe'))) continue;
      report(call, 'serialize-javascript', 'unsafe: true', m.imports(...WEB_SERVERS));
      continue;
    }
    if (!engine) continue;
    for (const arg of call.args) {
      const options = m.objectLiteral(arg);
      if (!options) continue;
      const compiler = m.property(options, 'compilerOptions');
      const off = isFalse(m.property(options, 'autoescape'))
        ? 'autoescape: false'
        : isTrue(m.property(options, 'noEscape')) || isTrue(m.property(compiler, 'noEscape'))
          ? 'noEscape: true'
          : undefined;
      if (!off) continue;
      report(call, engine, off, m.hasProperty(options, 'express') || m.imports(...WEB_SERVERS));
    }
  }
  return hits;
}

/**
 * HTML that no request data reaches and that comes from a sanitiser or a renderer that escapes what it
 * renders: `const clean = DOMPurify.sanitize(x)`, `katex.renderToString(tex)`, `renderDocToHtml(doc)`,
 * a CSS inliner, `JSON.stringify(jsonLd)`. Markdown renderers are not on the list: they pass HTML through.
 */
const TRUSTED_RENDERER =
  /renderToString|renderToStaticMarkup|katex|highlight|hljs|prism|shiki|juice|inline\w*css|JSON\.stringify|serializ\w*|toHtml|render\w*Html|\w*HtmlSerializer|generateHTML|sanitiz\w*|purify/i;
const MARKDOWN = /\b(?:marked|markdown\w*|md|showdown|remark|micromark|converter)\b/i;

function trustedHtml(m: CodeModule, html: Node, inState = false): boolean {
  let value = unwrap(html);
  for (let i = 0; i < 3 && value.type === 'Identifier'; i++) {
    const b = m.binding(value);
    const def = b?.kind === 'const' && b.defs.length === 1 ? b.defs[0] : undefined;
    if (def?.value && def.path.length === 1 && def.path[0] === 0 && !inState) return trustedState(m, def.node);
    if (!def?.value || def.path.length) return false;
    value = unwrap(def.value);
  }
  if (value.type === 'AwaitExpression') value = unwrap(value.argument);
  if (value.type !== 'CallExpression') return false;
  if (m.isSanitiserCall(value)) return true;
  const callee = m.source(value.callee);
  return TRUSTED_RENDERER.test(callee) && !MARKDOWN.test(callee);
}

/**
 * `const [rendered, setRendered] = useState('')`, then `setRendered(katex.renderToString(code))`: React state
 * holds its initial value and whatever the setter is given, so it is trusted when each of those is.
 */
function trustedState(m: CodeModule, declarator: Node): boolean {
  const init = declarator.type === 'VariableDeclarator' ? unwrap(declarator.init) : undefined;
  if (init?.type !== 'CallExpression' || !/^(?:React\.)?useState$/.test(m.source(init.callee))) return false;
  const setterId = declarator.id.type === 'ArrayPattern' ? declarator.id.elements[1] : undefined;
  const setter = setterId?.type === 'Identifier' ? m.binding(setterId) : undefined;
  if (!setter) return false;
  const trusted = (v: Node | undefined) => !v || m.isConstant(v) || trustedHtml(m, v, true);
  if (!trusted(init.arguments[0])) return false;
  return m.uses(setter).every((use) => {
    if (use === setter.id) return true;
    const call = m.parent(use);
    return call?.type === 'CallExpression' && call.callee === use && call.arguments[0] && trusted(call.arguments[0]);
  });
}

/** v-html, {@html} and server templates' unescaped output: read line by line. */
function templateHits(file: SourceFile): Hit[] {
  const hits: Hit[] = [];
  const patterns: RegExp[] = [];
  if (/\.(?:vue|svelte)$/i.test(file.path)) patterns.push(COMPONENT_HTML);
  for (const [ext, re] of UNESCAPED) if (ext.test(file.path)) patterns.push(re);
  for (const re of patterns) {
    for (const m of file.text.matchAll(new RegExp(re.source, re.flags))) {
      // EJS's `-%>` trims a newline and Handlebars' `{{{& …}}}` is `{{{ … }}}`: neither mark is part of the expression.
      const expr = (m.slice(1).find((g) => g !== undefined) ?? '').trim().replace(/^&\s*/, '').replace(/\s*-$/, '');
      if (
        !expr ||
        /^(['"`]).*\1$/.test(expr) ||
        SANITIZED.test(expr) ||
        // A layout's own slots and partials: {{{body}}}, {{{block "scripts"}}}, <%- include('nav') %>
        /^(?:body|yield|content|children|slot|partial|block|section|include|extend|embed|>)\b/.test(expr) ||
        /^>/.test(expr)
      )
        continue;
      const pos = file.position(m.index!);
      hits.push({
        rule: 'unsanitized-html',
        ...pos,
        messageId: 'template',
        data: { code: expr.slice(0, 40) },
      });
    }
  }
  return hits;
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = [
  'innerhtml',
  'outerhtml',
  'insertadjacenthtml',
  'document.write',
  'dangerouslysetinnerhtml',
  'v-html',
  '{@html',
  '.send(',
  '.write(',
  '.end(',
  'ctx.body',
  '<%-',
  '{{{',
  '{{&',
  '!{',
  '!=',
  'safe',
  '.html(',
  'bypasssecuritytrust',
  'safestring',
  'autoescape',
  'noescape',
  'autoescaping',
  'serialize-javascript',
  '$sceprovider',
];

const scriptCheck = codeCheck(
  followCalls(htmlSinks, SINK_WORDS),
  sinkWithRequest('request-html', /\binnerHTML\s*=|dangerouslySetInnerHTML|document\.write\s*\(|\.send\s*\(\s*`</),
  followHint(SINK_WORDS),
);

export default defineAtom({
  id: 'xss',
  title: 'HTML is escaped or sanitised before it is rendered',
  criteria: {
    pass: 'Text reaches the page through escaping (textContent, JSX {value}, {{ }} / <%= %>), and raw HTML only through a sanitiser (DOMPurify.sanitize, sanitize-html) or from constants.',
    fail: 'innerHTML/outerHTML/insertAdjacentHTML/document.write, dangerouslySetInnerHTML, Angular bypassSecurityTrust*(), Handlebars SafeString of built markup, v-html, {@html}, a template’s unescaped output (<%- %>, {{{ }}}, !{ }, | safe), or res.send/ctx.body of HTML get request data or values that were not escaped, or a template engine is set up with escaping off (autoescape: false, noEscape: true, Squirrelly autoEscaping(false), serialize-javascript unsafe: true, AngularJS $sceProvider.enabled(false)).',
  },
  files: [...CODE_FILES, '**/*.{html,htm,ejs,hbs,handlebars,mustache,pug,jade,njk,nunjucks,liquid}'],
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'request-html': {
      message: 'Request or URL data is rendered as HTML.',
      messages: FLOW_MESSAGES,
      fix: 'Escape it for HTML (escape-html, he.encode) or set it as text (textContent, res.json, a template’s escaped output); if markup is intended, pass it through DOMPurify.sanitize / sanitize-html.',
    },
    'unescaped-html': {
      message: 'HTML is built from values that are not escaped.',
      messages: {
        across: FLOW_MESSAGES.across,
        built: '{sink} gets HTML built from `{part}` without escaping.',
        pageText:
          '{sink} gets `{read}`, text the browser already decoded: escaped markup in the page (&lt;img …&gt;) comes back as HTML.',
      },
      fix: 'Build the element with textContent / createElement, or escape every value (escapeHtml(item.name)) before it goes into markup; render markup you must keep through DOMPurify.sanitize.',
    },
    'unsanitized-html': {
      message: 'A value is rendered as raw HTML without a sanitiser.',
      messages: {
        across: FLOW_MESSAGES.across,
        react: 'dangerouslySetInnerHTML renders `{code}` without a sanitiser.',
        template: '`{code}` is rendered as raw HTML without escaping or a sanitiser.',
        angular: '{method}() marks `{code}` as safe, so Angular renders it without sanitising.',
      },
      fix: 'Render text with the escaped form ({value}, {{ value }}, <%= value %>), or sanitise first: dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(html) }}, v-html="sanitize(html)".',
    },
    'escaping-off': {
      message: 'A template engine renders every value as raw HTML.',
      messages: {
        across: FLOW_MESSAGES.across,
        engine:
          '{engine} is set up with {option} for a web app: every value its templates print is raw HTML, so request data in any of them runs as script.',
        angular:
          '$sceProvider.enabled(false) turns AngularJS’s Strict Contextual Escaping off: ng-bind-html and the other trusted contexts take any value as HTML or a URL, so request data in them runs as script.',
        unsure:
          '{engine} is set up with {option}: every value its templates print is raw HTML (a warning: no web server is set up in this file, and generators of code or text turn escaping off on purpose).',
      },
      fix: 'Keep escaping on (nunjucks.configure(dir, { autoescape: true }), Handlebars without noEscape) and mark the few trusted values raw in the template ({{ html | safe }}, {{{ html }}}) after sanitising them.',
    },
  },
  examples: {
    bad: [
      // Any window may post a message: a listener that never checks event.origin renders a stranger's HTML.
      {
        file: 'public/receiver.js',
        code: "function receiveMessage(e) {\n  document.getElementById('message').innerHTML = e.data; // ✗\n}\nwindow.addEventListener('message', receiveMessage);",
      },
      // AngularJS with Strict Contextual Escaping off: ng-bind-html renders what the server echoes as HTML.
      {
        file: 'public/index.html',
        code: '<div ng-bind-html="greeting"></div>\n<script>\n  angular.module(\'app\', []).config(function ($sceProvider) {\n    $sceProvider.enabled(false); // ✗\n  });\n</script>',
      },
      // Text read back from the page is decoded: an attribute's &lt;img onerror=…&gt; comes back as markup.
      {
        file: 'src/tooltip.js',
        code: "export function showTip(el, tip) {\n  const text = el.getAttribute('data-tip');\n  tip.insertAdjacentHTML('beforeend', text); // ✗\n  tip.querySelector('.title').innerHTML = el.dataset.title; // ✗\n}",
      },
      // Markup collected in an array and joined: the array carries what was pushed into it.
      {
        file: 'src/routes/search.js',
        code: "app.get('/search', (req, res) => {\n  const rows = [];\n  rows.push(`<li>${req.query.q}</li>`);\n  res.send('<ul>' + rows.join('') + '</ul>'); // ✗\n});",
      },
      // Two files: a page helper puts its argument in markup; the route gives it the query.
      {
        file: 'routes/hello.js',
        code: "const { page } = require('../views/page');\napp.get('/hello', (req, res) => {\n  page(res, req.query.name); // ✗\n});",
        others: { 'views/page.js': 'exports.page = (res, title) => res.send(`<h1>${title}</h1>`);' },
      },
      {
        file: 'src/app/post/post.component.ts',
        code: "import { Component, Input } from '@angular/core';\nimport { DomSanitizer, SafeHtml } from '@angular/platform-browser';\n@Component({ selector: 'app-post', template: '<div [innerHTML]=\"body\"></div>' })\nexport class PostComponent {\n  body!: SafeHtml;\n  constructor(private sanitizer: DomSanitizer) {}\n  @Input() set post(p: Post) {\n    this.body = this.sanitizer.bypassSecurityTrustHtml(p.description); // ✗\n  }\n}",
      },
      {
        file: 'src/app/video.component.ts',
        code: 'export class VideoComponent {\n  constructor(private sanitizer: DomSanitizer, private route: ActivatedRoute) {}\n  src = this.sanitizer.bypassSecurityTrustResourceUrl(location.hash.slice(1)); // ✗\n}',
      },
      {
        file: 'src/server.js',
        code: "const express = require('express');\nconst nunjucks = require('nunjucks');\nconst app = express();\nnunjucks.configure('views', { autoescape: false, express: app }); // ✗",
      },
      {
        file: 'src/views.ts',
        code: "import { engine } from 'express-handlebars';\nexport const hbs = engine({ extname: '.hbs', compilerOptions: { noEscape: true } }); // ✗",
      },
      {
        file: 'src/helpers.js',
        code: "const Handlebars = require('handlebars');\nHandlebars.registerHelper('link', (text, url) => {\n  return new Handlebars.SafeString('<a href=\"' + url + '\">' + text + '</a>'); // ✗\n});",
      },
      {
        file: 'src/render.js',
        code: "const swig = require('swig');\nswig.setDefaults({ autoescape: false }); // ✗\nmodule.exports = (name, data) => swig.renderFile(`views/${name}.html`, data);",
      },
      {
        file: 'src/render.js',
        code: "const express = require('express');\nconst Sqrl = require('squirrelly');\nconst serialize = require('serialize-javascript');\nSqrl.autoEscaping(false); // ✗\nconst state = (data) => `<script>window.__STATE__ = ${serialize(data, { unsafe: true })}</script>`; // ✗",
      },
      // State whose setter is also given the raw text: not only renderer output reaches the page.
      {
        file: 'src/components/Preview.tsx',
        code: "import { useState } from 'react';\nexport function Preview({ code }) {\n  const [rendered, setRendered] = useState('');\n  const show = () => setRendered(katex.renderToString(code));\n  const raw = () => setRendered(code);\n  return <div onClick={show} onDoubleClick={raw} dangerouslySetInnerHTML={{ __html: rendered }} />; // ✗\n}",
      },
      {
        file: 'src/components/Post.tsx',
        code: "import { marked } from 'marked';\nexport function Post({ post }) {\n  const html = marked(post.body);\n  return <article dangerouslySetInnerHTML={{ __html: html }} />; // ✗\n}",
      },
      {
        file: 'src/list.js',
        code: 'for (const item of items) {\n  list.innerHTML += `<li>${item.name}</li>`; // ✗\n}',
      },
      {
        file: 'src/search.js',
        code: "const q = new URLSearchParams(location.search).get('q');\ndocument.getElementById('title').innerHTML = q; // ✗",
      },
      {
        file: 'src/Comment.tsx',
        code: 'export function Comment({ comment }) {\n  return <div dangerouslySetInnerHTML={{ __html: comment.body }} />; // ✗\n}',
      },
      {
        file: 'src/hello.js',
        code: "app.get('/hello', (req, res) => {\n  res.send(`<h1>Hello ${req.query.name}</h1>`); // ✗\n});",
      },
      {
        file: 'src/Post.vue',
        code: '<template>\n  <article v-html="post.content"></article> <!-- ✗ -->\n</template>\n<script setup>\ndefineProps([\'post\']);\n</script>',
      },
      { file: 'views/profile.ejs', code: '<h1><%= user.name %></h1>\n<p><%- user.bio %></p> <!-- ✗ -->' },
      {
        file: 'src/msg.js',
        code: "router.get('/msg', async (ctx) => {\n  ctx.body = '<p>' + ctx.query.msg + '</p>'; // ✗\n});",
      },
      { file: 'src/Bio.svelte', code: '<script>\n  export let bio;\n</script>\n{@html bio} <!-- ✗ -->' },
      { file: 'views/comment.hbs', code: '<div class="comment">{{{ comment.text }}}</div> {{! ✗ }}' },
      {
        file: 'src/notify.js',
        code: "export function notify(text) {\n  toast.insertAdjacentHTML('beforeend', '<div class=\"toast\">' + text + '</div>'); // ✗\n}",
      },
    ],
    good: [
      {
        file: 'public/receiver.js',
        code: "window.addEventListener('message', (event) => {\n  if (event.origin !== 'https://app.example.com') return;\n  document.getElementById('message').innerHTML = event.data;\n});\nfetch('/api/note').then((res) => res.json()).then((res) => { note.textContent = res.data; });",
      },
      {
        file: 'public/index.html',
        code: "<div ng-bind-html=\"greeting\"></div>\n<script>\n  angular.module('app', ['ngSanitize']).config(function ($sceProvider) {\n    $sceProvider.enabled(true);\n  });\n</script>",
      },
      // The same text set as text, or sanitised before it goes in as HTML.
      {
        file: 'src/tooltip.js',
        code: "import DOMPurify from 'dompurify';\nexport function showTip(el, tip) {\n  tip.querySelector('.title').textContent = el.dataset.title;\n  tip.querySelector('.body').innerHTML = DOMPurify.sanitize(el.getAttribute('data-tip'));\n}",
      },
      // The same list, each value escaped before it is pushed; and one holding only fixed markup.
      {
        file: 'src/routes/search.js',
        code: "import escapeHtml from 'escape-html';\napp.get('/search', (req, res) => {\n  const rows = [];\n  rows.push(`<li>${escapeHtml(req.query.q)}</li>`);\n  const head = [];\n  head.push('<h1>Results</h1>');\n  res.send(head.join('') + '<ul>' + rows.join('') + '</ul>');\n});",
      },
      // Two files: the same helper, given the query escaped.
      {
        file: 'routes/hello.js',
        code: "const escapeHtml = require('escape-html');\nconst { page } = require('../views/page');\napp.get('/hello', (req, res) => {\n  page(res, escapeHtml(req.query.name));\n});",
        others: { 'views/page.js': 'exports.page = (res, title) => res.send(`<h1>${title}</h1>`);' },
      },
      // Angular: a constant (an icon), sanitised markup, and the same method name on a look-alike.
      {
        file: 'src/app/icon.component.ts',
        code: 'import DOMPurify from \'dompurify\';\nconst CHECK = \'<svg viewBox="0 0 16 16"><path d="M2 8l4 4 8-8"/></svg>\';\nexport class IconComponent {\n  constructor(private sanitizer: DomSanitizer) {}\n  check = this.sanitizer.bypassSecurityTrustHtml(CHECK);\n  note = (html: string) => this.sanitizer.bypassSecurityTrustHtml(DOMPurify.sanitize(html));\n  bypassSecurityTrust = (x: string) => x;\n}',
      },
      // A helper's SafeString of escaped parts, or of the block's own (escaped) output.
      {
        file: 'src/helpers.js',
        code: "const Handlebars = require('handlebars');\nHandlebars.registerHelper('link', (text, url) => {\n  const t = Handlebars.escapeExpression(text);\n  const u = Handlebars.escapeExpression(url);\n  return new Handlebars.SafeString(`<a href=\"${u}\">${t}</a>`);\n});\nHandlebars.registerHelper('box', function (options) {\n  return new Handlebars.SafeString(options.fn(this));\n});",
      },
      // Escaping on, and escaping off in an engine other than the template's own (false is no escaping switch elsewhere).
      {
        file: 'src/server.js',
        code: "const express = require('express');\nconst nunjucks = require('nunjucks');\nconst app = express();\nnunjucks.configure('views', { autoescape: true, express: app });\nconst hbs = require('handlebars');\nconst page = hbs.compile(source, { strict: true });\nconst config = { autoescape: false };",
      },
      // serialize-javascript escapes <, > and / unless told unsafe; Squirrelly with escaping on.
      {
        file: 'src/render.js',
        code: "const express = require('express');\nconst Sqrl = require('squirrelly');\nconst serialize = require('serialize-javascript');\nSqrl.autoEscaping(true);\nconst state = (data) => `<script>window.__STATE__ = ${serialize(data, { isJSON: true })}</script>`;",
      },
      // HTML from a trusted renderer kept in React state: the state holds only what its setter is given.
      {
        file: 'src/components/KaTeX.tsx',
        code: "import { useEffect, useState } from 'react';\nexport default function KaTeX({ code }) {\n  const [rendered, setRendered] = useState('');\n  useEffect(() => {\n    import('katex').then((katex) => {\n      const html = katex.default.renderToString(code, { throwOnError: true });\n      setRendered(html);\n    });\n  }, [code]);\n  return <div dangerouslySetInnerHTML={{ __html: rendered }} />;\n}",
      },
      {
        file: 'src/components/Formula.tsx',
        code: "import katex from 'katex';\nexport function Formula({ tex }) {\n  const rendered = katex.renderToString(tex, { throwOnError: false });\n  return <span dangerouslySetInnerHTML={{ __html: rendered }} />;\n}",
      },
      {
        file: 'src/components/Article.tsx',
        code: 'import DOMPurify from \'dompurify\';\nexport function Article({ doc, body }) {\n  const html = renderDocToHtml(doc);\n  const clean = DOMPurify.sanitize(body);\n  return (\n    <>\n      <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: JSON.stringify(jsonLd(doc)) }} />\n      <div dangerouslySetInnerHTML={{ __html: html }} />\n      <div dangerouslySetInnerHTML={{ __html: clean }} />\n    </>\n  );\n}',
      },
      { file: 'views/layout.hbs', code: '<head>{{{block "stylesheets"}}}</head>\n<body>{{{body}}}</body>' },
      {
        file: 'src/list.js',
        unrouted: 'textContent and createElement hold no sink keyword, so the pre-filter never asks the check',
        code: "for (const item of items) {\n  const li = document.createElement('li');\n  li.textContent = item.name;\n  list.append(li);\n}",
      },
      {
        file: 'src/render.js',
        code: "import DOMPurify from 'dompurify';\npreview.innerHTML = DOMPurify.sanitize(markdownToHtml(text));\nlist.innerHTML = '';\nspinner.innerHTML = '<span class=\"spin\"></span>';",
      },
      {
        file: 'src/hello.js',
        code: "import escapeHtml from 'escape-html';\napp.get('/hello', (req, res) => {\n  res.send(`<h1>Hello ${escapeHtml(req.query.name)}</h1>`);\n});",
      },
      {
        file: 'src/Comment.tsx',
        code: "import DOMPurify from 'dompurify';\nexport function Comment({ comment }) {\n  return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.body) }} />;\n}\nexport const Name = ({ name }) => <b>{name}</b>;",
      },
      { file: 'views/profile.ejs', code: "<%- include('header') %>\n<p><%= user.bio %></p>" },
      {
        file: 'src/api.js',
        code: "app.get('/echo', (req, res) => {\n  res.json({ name: req.query.name });\n  res.send(req.body);\n});",
      },
      {
        file: 'src/Post.vue',
        unrouted: '{{ }} and v-text hold no sink keyword, so the pre-filter never asks the check',
        code: '<template>\n  <article>{{ post.content }}</article>\n  <p v-text="post.summary"></p>\n</template>',
      },
      {
        file: 'src/status.js',
        code: "app.get('/count', (req, res) => {\n  res.send(`<p>${Number(req.query.n) * 2} items</p>`);\n});",
      },
    ],
  },
  // Synchronous once the engine has parsed a script, so the analysis runs inside the atom's time budget.
  check: parsesFirst(
    (file: SourceFile, ctx: CheckContext<Record<string, never>>) => {
      const hits = templateHits(file);
      if (TEMPLATE.test(file.path)) return hits;
      const more = scriptCheck(file, ctx);
      return more instanceof Promise ? more.then((m) => [...hits, ...m]) : [...hits, ...more];
    },
    (file) => !TEMPLATE.test(file.path),
  ),
});
