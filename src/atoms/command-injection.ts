import type { CallInfo, CodeModule, Node } from '../ast/module.js';
import { defineAtom, type Hit, FLOW_MESSAGES } from '../kit/atom.js';
import { codeCheck, sinkWithRequest } from '../kit/code.js';
import { followCalls, followHint, LOCAL_IMPORTS } from '../kit/summaries.js';
import { CODE_FILES } from '../kit/files.js';

/** Functions that hand their first argument to a shell. */
const SHELL_ALWAYS: Record<string, readonly string[]> = {
  child_process: ['exec', 'execSync'],
  shelljs: ['exec'],
  execa: ['execaCommand', 'execaCommandSync', 'command', 'commandSync'],
};
/** Functions that take a program and an argument array, and use a shell only with `{ shell: true }`. */
const SHELL_OPTION: Record<string, readonly string[]> = {
  child_process: ['spawn', 'spawnSync', 'execFile', 'execFileSync'],
  execa: ['execa', 'execaSync', 'default'],
  'cross-spawn': ['default', 'sync', 'spawn'],
};

function shellCalls(m: CodeModule): Hit[] {
  const hits: Hit[] = [];
  for (const call of m.calls()) {
    const { module, path } = call.callee;
    if (!module) continue;
    const name = path.length ? path.join('.') : 'default';
    if (SHELL_ALWAYS[module]?.includes(name)) {
      judge(m, hits, call, call.args[0], `${module === 'child_process' ? 'child_process.' : ''}${call.callee.name}()`);
    } else if (SHELL_OPTION[module]?.includes(name)) {
      const options = call.args.find((a, i) => i > 0 && m.objectLiteral(a));
      const shell = options && m.property(options, 'shell');
      if (!shell || m.stringValue(shell) === 'false' || (shell.type === 'Literal' && shell.value === false)) continue;
      const argList = call.args[1] && m.objectLiteral(call.args[1]) === undefined ? call.args[1] : undefined;
      const pieces: Node[] = [
        call.args[0]!,
        ...(argList?.type === 'ArrayExpression' ? argList.elements.filter(Boolean) : argList ? [argList] : []),
      ];
      for (const piece of pieces) if (judge(m, hits, call, piece, `${call.callee.name}() with shell: true`)) break;
    }
  }
  return hits;
}

/** Reports the command when it carries request data or is built from non-constant parts. */
function judge(m: CodeModule, hits: Hit[], call: CallInfo, command: Node | undefined, what: string): boolean {
  if (!command || command.type === 'SpreadElement' || m.isConstant(command)) return false;
  const [t] = m.taints(command, ['request', 'upload', 'argv']);
  if (t) {
    hits.push(m.flowHit('request-in-command', call.node, t, `the shell through ${what}`));
    return true;
  }
  const parts = m.dynamicParts(command);
  if (parts.length) {
    hits.push(
      m.hit('interpolated-command', call.node, {
        messageId: 'built',
        data: { part: m.source(parts[0]!).slice(0, 40), sink: what },
        flow: parts.map((p) => m.line(p)),
      }),
    );
    return true;
  }
  return false;
}

/** The words of its sinks: a file (or a helper module it calls) without any of them has nothing to check. */
const SINK_WORDS = ['child_process', 'shelljs', 'execa', 'cross-spawn'];

export default defineAtom({
  id: 'command-injection',
  title: 'Commands run without a shell, with arguments apart',
  criteria: {
    pass: 'Programs run through execFile/spawn with a fixed program and an argument array (no shell), or the shell line is a constant; values that must reach a shell are quoted with shell-quote.',
    fail: 'child_process.exec/execSync, shelljs.exec, execa’s command, or spawn/execFile with shell: true run a command line that holds request data or is built from non-constant parts.',
  },
  files: CODE_FILES,
  keywords: [...SINK_WORDS, ...LOCAL_IMPORTS],
  defaultLevel: 'block',
  rules: {
    'request-in-command': {
      message: 'Request data reaches a shell command line.',
      messages: FLOW_MESSAGES,
      fix: "Run the program without a shell and pass the value as one argument: execFile('ping', ['-c', '1', host]); validate it first (an allow-list or a strict pattern such as /^[\\w.-]+$/).",
    },
    'interpolated-command': {
      message: 'A shell command line is built from non-constant parts.',
      messages: {
        across: FLOW_MESSAGES.across,
        built: 'A shell line built from `{part}` runs through {sink}: any ; | $( ) or space in it is shell syntax.',
      },
      fix: "Use execFile/spawn with an argument array instead of a command string (spawn('tar', ['-xzf', archive])); if a shell is unavoidable, quote every value with shell-quote's quote().",
    },
  },
  examples: {
    bad: [
      // Two files: a helper runs its argument in a shell; the route passes it the query.
      {
        file: 'src/routes/ping.js',
        code: "const { ping } = require('../lib/net');\napp.get('/ping', async (req, res) => {\n  res.send(await ping(req.query.host)); // ✗\n});",
        others: {
          'src/lib/net.js':
            "const { execSync } = require('child_process');\nexports.ping = (host) => execSync(`ping -c 1 ${host}`).toString();",
        },
      },
      {
        file: 'src/ping.js',
        code: "const { exec } = require('child_process');\napp.get('/ping', (req, res) => {\n  exec(`ping -c 1 ${req.query.host}`, (err, out) => res.send(out)); // ✗\n});",
      },
      {
        file: 'src/thumbs.ts',
        code: "import { execSync } from 'node:child_process';\nexport function thumbnail(file: string) {\n  execSync('convert ' + file + ' -resize 200x200 thumb.png'); // ✗\n}",
      },
      {
        file: 'src/git.ts',
        code: "import { spawn } from 'child_process';\nexport const log = (req, res) => {\n  const child = spawn('git', ['log', req.query.ref], { shell: true }); // ✗\n  child.stdout.pipe(res);\n};",
      },
      {
        file: 'src/unpack.js',
        code: "import shell from 'shelljs';\nexport function unpack(archive) {\n  shell.exec(`tar -xzf ${archive} -C /srv/data`); // ✗\n}",
      },
      {
        file: 'src/tools.js',
        code: "const cp = require('child_process');\nfunction run(cmd) {\n  return cp.execSync(cmd).toString();\n}\nrouter.post('/ls', (req, res) => {\n  res.send(run('ls ' + req.body.dir)); // ✗\n});",
      },
      {
        file: 'src/clone.ts',
        code: "import { exec } from 'child_process';\nrouter.post('/clone', async (ctx) => {\n  const { repo } = ctx.request.body;\n  exec('git clone ' + repo); // ✗\n});",
      },
      {
        file: 'src/lambda.js',
        code: "const { execSync } = require('child_process');\nexports.handler = async (event) => {\n  const { name } = JSON.parse(event.body);\n  execSync(`rm -f /tmp/${name}`); // ✗\n};",
      },
      // A long script that requires the module again further down: the name still means child_process.
      {
        file: 'server.js',
        code: "var exe = require('child_process');\nexe.execSync('uptime');\n// … more routes …\nvar exe = require('child_process');\nrouter.post('/ls', function (req, res) {\n  exe.exec('ls ' + req.body.dir, (err, out) => res.send(out)); // ✗\n});",
      },
      {
        file: 'src/dig.mjs',
        code: "import util from 'node:util';\nimport cp from 'node:child_process';\nconst run = util.promisify(cp.exec);\nexport const lookup = (domain) => run(`dig +short ${domain}`); // ✗",
      },
    ],
    good: [
      // Two files: the same helper, given a host from a fixed list.
      {
        file: 'src/routes/ping.js',
        code: "const { ping } = require('../lib/net');\nconst HOSTS = { db: 'db.internal', cache: 'cache.internal' };\napp.get('/ping', async (req, res) => {\n  res.send(await ping(HOSTS[req.query.host] ?? 'db.internal'));\n});",
        others: {
          'src/lib/net.js':
            "const { execSync } = require('child_process');\nexports.ping = (host) => execSync(`ping -c 1 ${host}`).toString();",
        },
      },
      // A version checked by semver.valid before it reaches the shell: nothing but digits, dots and a tag is left.
      {
        file: 'scripts/release.js',
        code: "const { execSync } = require('child_process');\nconst semver = require('semver');\nconst version = process.argv[2];\nif (!semver.valid(version)) process.exit(1);\nexecSync(`git tag v${version}`);",
      },
      {
        file: 'src/ping.js',
        code: "const { execFile } = require('child_process');\napp.get('/ping', (req, res) => {\n  execFile('ping', ['-c', '1', req.query.host], (err, out) => res.send(out));\n});",
      },
      {
        file: 'src/git.ts',
        code: "import { spawn } from 'child_process';\nexport const log = (ref: string) => spawn('git', ['log', ref]);",
      },
      {
        file: 'src/status.ts',
        code: "import { execSync } from 'child_process';\nconst GIT = 'git';\nexport const status = () => execSync(`${GIT} status --porcelain`).toString();",
      },
      {
        file: 'src/kill.js',
        code: "const { exec } = require('child_process');\napp.post('/kill/:pid', (req, res) => {\n  exec(`kill -TERM ${Number(req.params.pid)}`);\n});",
      },
      {
        file: 'src/quote.js',
        code: "import { quote } from 'shell-quote';\nimport { execSync } from 'child_process';\nexport const convert = (file) => execSync(`convert ${quote([file])} out.png`);",
      },
      {
        file: 'src/regex.js',
        code: "const { exec } = require('child_process');\nconst m = /id=(\\d+)/.exec(req.query.q);\nconst found = pattern.exec(input);",
      },
      {
        file: 'src/spawn.ts',
        code: "import { spawn } from 'node:child_process';\nspawn('ls', ['-la', dir], { shell: false, stdio: 'inherit' });",
      },
    ],
  },
  check: codeCheck(
    followCalls(shellCalls, SINK_WORDS),
    sinkWithRequest('request-in-command', /\b(?:exec|execSync|spawn)\s*\(/),
    followHint(SINK_WORDS),
  ),
});
