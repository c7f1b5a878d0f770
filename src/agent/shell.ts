/**
 * Enough of a POSIX shell parser to see which programs a command line runs
 * and with which arguments, for the PreToolUse guard (src/agent/pre-tool.ts).
 * It sees through `&&`, `||`, `;`, `|`, `&`, newlines, subshells `( )`,
 * `{ }`, `$( )`, backticks, quoting ('…', "…", $'…'), backslash escapes,
 * variables set earlier in the same line, `${X:-default}`, `VAR=… cmd`,
 * `export`, wrappers (`env`, `command`, `exec`, `nohup`, `nice`, `timeout`,
 * `sudo`, `xargs`, …), `sh -c '…'` and friends, `eval`, scripts piped or
 * here-doc'ed into a shell, and `sh FILE` / `source FILE` for files on disk.
 *
 * It never runs anything. What it cannot know (a variable from the
 * environment, the output of `$(…)`) comes back as a word marked `dynamic`,
 * with UNKNOWN standing for the unknown part, so the guard can err on the
 * side of refusing.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** Stands for text the parser cannot know (a variable's value, a command's output). */
export const UNKNOWN = '\u0000';

export interface Word {
  /** The word after quote removal; unknown parts are UNKNOWN. */
  text: string;
  dynamic: boolean;
}

export interface Redirect {
  op: string;
  target: Word;
}

/** One program run: its environment assignments, its arguments (wrappers removed) and redirections. */
export interface Command {
  assigns: Array<{ name: string; value: Word }>;
  argv: Word[];
  redirects: Redirect[];
  /** The wrapper programs removed from the front (`env`, `sudo`, `xargs`, …). */
  wrappers: string[];
  /** The directory it runs in, as far as the line says (`cd`, `git -C` are applied by the caller). */
  cwd: string;
}

type Part = { lit: string } | { var: string; fallback?: RawWord } | { sub: string; echo?: boolean } | { unknown: true };
type RawWord = Part[];
type Token =
  | { word: RawWord; raw: string }
  | { op: string }
  | { redirect: string; target?: RawWord; heredoc?: string; heredocQuoted?: boolean };

const MAX_DEPTH = 6;
const MAX_SCRIPT_FILE = 64 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Tokenizer

class Tokenizer {
  private i = 0;
  private readonly tokens: Token[] = [];
  private pendingHeredocs: Array<Extract<Token, { redirect: string }> & { delim: string; strip: boolean }> = [];

  constructor(private readonly s: string) {}

  run(): Token[] {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === ' ' || c === '\t') {
        this.i++;
      } else if (c === '\n') {
        this.i++;
        this.tokens.push({ op: ';' });
        this.readHeredocBodies();
      } else if (c === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else if (c === '\\' && s[this.i + 1] === '\n') {
        this.i += 2;
      } else if (';&|()'.includes(c)) {
        this.readOperator();
      } else if ((c === '<' || c === '>') && !(s[this.i + 1] === '(')) {
        this.readRedirect('');
      } else {
        const start = this.i;
        const word = this.readWord();
        const raw = s.slice(start, this.i);
        // `2>file`, `2>&1`: a file descriptor number right before a redirection.
        if (/^\d+$/.test(raw) && (s[this.i] === '<' || s[this.i] === '>')) this.readRedirect(raw);
        else this.tokens.push({ word, raw });
      }
    }
    return this.tokens;
  }

  private readOperator() {
    const s = this.s;
    const two = s.slice(this.i, this.i + 2);
    if (two === '&&' || two === '||' || two === ';;' || two === '|&') {
      this.tokens.push({ op: two });
      this.i += 2;
    } else if (two === '&>') {
      this.readRedirect('');
    } else {
      this.tokens.push({ op: s[this.i]! });
      this.i++;
    }
  }

  private readRedirect(fd: string) {
    const s = this.s;
    const m = /^(?:<<<|<<-|<<|&>>|&>|>>|>\||>&|<&|<>|>|<)/.exec(s.slice(this.i))!;
    const op = fd + m[0];
    this.i += m[0].length;
    while (s[this.i] === ' ' || s[this.i] === '\t') this.i++;
    if (m[0] === '<<' || m[0] === '<<-') {
      const start = this.i;
      const delimWord = this.readWord();
      const quoted = /['"\\]/.test(s.slice(start, this.i));
      const token = {
        redirect: op,
        heredoc: '',
        heredocQuoted: quoted,
        delim: literal(delimWord),
        strip: m[0] === '<<-',
      };
      this.tokens.push(token);
      this.pendingHeredocs.push(token);
      return;
    }
    const target = this.readWord();
    this.tokens.push({ redirect: op, target });
  }

  /** Here-document bodies start on the line after their operator. */
  private readHeredocBodies() {
    const s = this.s;
    for (const doc of this.pendingHeredocs) {
      const lines: string[] = [];
      while (this.i < s.length) {
        const end = s.indexOf('\n', this.i);
        const line = s.slice(this.i, end < 0 ? s.length : end);
        this.i = end < 0 ? s.length : end + 1;
        if ((doc.strip ? line.replace(/^\t+/, '') : line) === doc.delim) break;
        lines.push(line);
      }
      doc.heredoc = lines.join('\n');
    }
    this.pendingHeredocs = [];
  }

  private readWord(): RawWord {
    const s = this.s;
    const parts: Part[] = [];
    const lit = (text: string) => {
      const last = parts.at(-1);
      if (last && 'lit' in last) last.lit += text;
      else parts.push({ lit: text });
    };
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (' \t\n;&|()<>'.includes(c)) {
        // `<(…)` / `>(…)`: process substitution, a command that runs.
        if ((c === '<' || c === '>') && s[this.i + 1] === '(') {
          this.i += 2;
          parts.push({ sub: this.readUntilParen() });
          continue;
        }
        break;
      }
      if (c === '\\') {
        if (s[this.i + 1] === '\n') this.i += 2;
        else {
          lit(s[this.i + 1] ?? '');
          this.i += 2;
        }
      } else if (c === "'") {
        const end = s.indexOf("'", this.i + 1);
        lit(s.slice(this.i + 1, end < 0 ? s.length : end));
        this.i = end < 0 ? s.length : end + 1;
      } else if (c === '"') {
        this.i++;
        this.readDoubleQuoted(parts, lit);
      } else if (c === '`') {
        parts.push({ sub: this.readBackticks() });
      } else if (c === '$') {
        if (s[this.i + 1] === "'") {
          this.i += 2;
          lit(this.readAnsiC());
        } else if (s[this.i + 1] === '"') {
          this.i += 2;
          this.readDoubleQuoted(parts, lit);
        } else this.readDollar(parts, lit);
      } else {
        lit(c);
        this.i++;
      }
    }
    return parts;
  }

  private readDoubleQuoted(parts: Part[], lit: (text: string) => void) {
    const s = this.s;
    while (this.i < s.length && s[this.i] !== '"') {
      const c = s[this.i]!;
      if (c === '\\') {
        const next = s[this.i + 1] ?? '';
        if ('$`"\\'.includes(next)) lit(next);
        else if (next !== '\n') lit('\\' + next);
        this.i += 2;
      } else if (c === '`') parts.push({ sub: this.readBackticks() });
      else if (c === '$') this.readDollar(parts, lit);
      else {
        lit(c);
        this.i++;
      }
    }
    this.i++; // closing quote
  }

  private readDollar(parts: Part[], lit: (text: string) => void) {
    const s = this.s;
    const next = s[this.i + 1] ?? '';
    if (s.startsWith('$((', this.i)) {
      this.i += 3;
      this.readUntilParen();
      if (s[this.i] === ')') this.i++;
      parts.push({ unknown: true });
    } else if (next === '(') {
      this.i += 2;
      parts.push({ sub: this.readUntilParen() });
    } else if (next === '{') {
      const end = matchingBrace(s, this.i + 2);
      const inner = s.slice(this.i + 2, end);
      this.i = end + 1;
      const m = /^[#!]?([A-Za-z_][A-Za-z0-9_]*|\d+|[@*?$!#-])(?:(:?[-=+?])([\s\S]*))?/.exec(inner);
      if (!m) parts.push({ unknown: true });
      else if (m[2] === '-' || m[2] === ':-' || m[2] === '=' || m[2] === ':=')
        parts.push({ var: m[1]!, fallback: new Tokenizer(m[3] ?? '').readWordFromStart() });
      else parts.push({ var: m[1]! });
    } else if (/[A-Za-z_]/.test(next)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(this.i + 1))!;
      parts.push({ var: m[0] });
      this.i += 1 + m[0].length;
    } else if (/[0-9@*?$!#-]/.test(next) && next !== '') {
      parts.push({ var: next });
      this.i += 2;
    } else {
      lit('$');
      this.i++;
    }
  }

  readWordFromStart(): RawWord {
    const parts = this.readWord();
    // A default value may hold spaces: `${X:-a b}` — keep the rest literally.
    if (this.i < this.s.length) parts.push({ lit: this.s.slice(this.i) });
    return parts;
  }

  /** From after `(` to the matching `)`, quotes and nesting respected; returns the text between. */
  private readUntilParen(): string {
    const s = this.s;
    const start = this.i;
    let depth = 1;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '\\') this.i += 2;
      else if (c === "'") {
        const end = s.indexOf("'", this.i + 1);
        this.i = end < 0 ? s.length : end + 1;
      } else if (c === '"') {
        this.i++;
        while (this.i < s.length && s[this.i] !== '"') this.i += s[this.i] === '\\' ? 2 : 1;
        this.i++;
      } else if (c === '(') {
        depth++;
        this.i++;
      } else if (c === ')') {
        depth--;
        this.i++;
        if (!depth) return s.slice(start, this.i - 1);
      } else this.i++;
    }
    return s.slice(start);
  }

  private readBackticks(): string {
    const s = this.s;
    let out = '';
    this.i++;
    while (this.i < s.length && s[this.i] !== '`') {
      if (s[this.i] === '\\' && '`\\$'.includes(s[this.i + 1] ?? '')) {
        out += s[this.i + 1];
        this.i += 2;
      } else out += s[this.i++];
    }
    this.i++;
    return out;
  }

  /** `$'…'`: backslash escapes as bash reads them (\n, \t, \xHH, \uHHHH, \NNN octal, \', \\). */
  private readAnsiC(): string {
    const s = this.s;
    let out = '';
    while (this.i < s.length && s[this.i] !== "'") {
      if (s[this.i] !== '\\') {
        out += s[this.i++];
        continue;
      }
      const rest = s.slice(this.i + 1);
      let m: RegExpExecArray | null;
      if ((m = /^x([0-9a-fA-F]{1,2})/.exec(rest))) out += String.fromCharCode(parseInt(m[1]!, 16));
      else if ((m = /^u([0-9a-fA-F]{1,4})/.exec(rest)) || (m = /^U([0-9a-fA-F]{1,8})/.exec(rest)))
        out += String.fromCodePoint(Math.min(parseInt(m[1]!, 16), 0x10ffff));
      else if ((m = /^([0-7]{1,3})/.exec(rest))) out += String.fromCharCode(parseInt(m[1]!, 8));
      else if ((m = /^c(.)/.exec(rest))) out += String.fromCharCode(m[1]!.charCodeAt(0) & 31);
      else {
        m = /^[\s\S]/.exec(rest) ?? ([''] as unknown as RegExpExecArray);
        const map: Record<string, string> = {
          n: '\n',
          t: '\t',
          r: '\r',
          a: '\x07',
          b: '\b',
          e: '\x1b',
          E: '\x1b',
          f: '\f',
          v: '\v',
        };
        out += map[m[0]] ?? m[0];
      }
      this.i += 1 + m[0].length;
    }
    this.i++;
    return out;
  }
}

function matchingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}' && !--depth) return i;
  }
  return s.length;
}

function literal(word: RawWord): string {
  return word.map((p) => ('lit' in p ? p.lit : '')).join('');
}

// ---------------------------------------------------------------------------------------------------------
// Commands

interface RawCommand {
  words: Array<{ word: RawWord; raw: string }>;
  redirects: Array<Extract<Token, { redirect: string }>>;
  /** The command whose output this one reads (`a | b`). */
  pipedFrom?: RawCommand;
}

function splitCommands(tokens: Token[]): RawCommand[] {
  const commands: RawCommand[] = [];
  let current: RawCommand = { words: [], redirects: [] };
  let pipe = false;
  const end = (op: string) => {
    if (current.words.length || current.redirects.length) {
      commands.push(current);
      const next: RawCommand = { words: [], redirects: [] };
      if (op === '|' || op === '|&') next.pipedFrom = current;
      current = next;
    }
    pipe = op === '|' || op === '|&';
  };
  for (const token of tokens) {
    if ('op' in token) end(token.op);
    else if ('redirect' in token) current.redirects.push(token);
    else current.words.push(token);
  }
  end(';');
  void pipe;
  return commands;
}

// Words that open or close a compound command; what follows them is the command that runs.
const KEYWORDS_BEFORE = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time', 'coproc']);
const KEYWORDS_ALONE = new Set(['fi', 'done', '}', 'esac', 'in']);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'busybox', 'fish', 'yash', 'posh']);
const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/;

export interface ParseOptions {
  /** Directory the command line starts in (for `sh FILE`, `source FILE`). */
  cwd: string;
}

/**
 * Every command a shell line would run, in order, with the contents of
 * `$( )`, `sh -c`, `eval`, piped scripts and sourced files included.
 */
export function parseCommands(line: string, opts: ParseOptions): Command[] {
  const out: Command[] = [];
  walk(line, new Map(), opts.cwd, 0, out);
  return out;
}

function walk(script: string, vars: Map<string, string>, cwd: string, depth: number, out: Command[]) {
  if (depth > MAX_DEPTH) {
    // Nested beyond reason: say so as a command the guard cannot read.
    out.push({ assigns: [], argv: [{ text: UNKNOWN, dynamic: true }], redirects: [], wrappers: [], cwd });
    return;
  }
  const raws = splitCommands(new Tokenizer(script).run());
  const outputs = new Map<RawCommand, string[]>();
  for (const raw of raws) {
    const resolve = (w: RawWord) => resolveWord(w, vars, cwd, depth, out);
    let words = raw.words.map((w) => resolve(w.word));
    while (words.length && KEYWORDS_BEFORE.has(words[0]!.text) && !words[0]!.dynamic) words = words.slice(1);
    if (words.length === 1 && KEYWORDS_ALONE.has(words[0]!.text)) words = [];
    // `for x in a b` and `case x in`: only their bodies run programs.
    if (words[0] && (words[0].text === 'for' || words[0].text === 'case' || words[0].text === 'select')) words = [];

    const assigns: Command['assigns'] = [];
    while (words.length && ASSIGN.test(words[0]!.text)) {
      const w = words.shift()!;
      const m = ASSIGN.exec(w.text)!;
      assigns.push({ name: m[1]!, value: { text: w.text.slice(m[0].length), dynamic: w.dynamic } });
    }
    const redirects = raw.redirects.map((r) => ({
      op: r.redirect,
      target: r.target ? resolve(r.target) : { text: '', dynamic: false },
    }));
    const command: Command = { assigns, argv: words, redirects, wrappers: [], cwd };
    if (!words.length) {
      // `X=1; …`: later words see X.
      for (const a of assigns) if (!a.value.dynamic) vars.set(a.name, a.value.text);
      out.push(command);
      continue;
    }
    let stdin: string | undefined;
    const doc = raw.redirects.find((r) => r.heredoc !== undefined || r.redirect.endsWith('<<<'));
    if (doc) stdin = doc.heredoc ?? (doc.target ? resolve(doc.target).text : undefined);
    if (stdin === undefined && raw.pipedFrom) stdin = outputs.get(raw.pipedFrom)?.join(' ');
    unwrap(command, { vars, depth, out, stdin, stdinKnown: stdin !== undefined || !raw.pipedFrom });
    // What echo/printf would print, for a shell or xargs reading it through a pipe.
    const name = programName(command.argv[0]);
    if (name === 'echo' || name === 'printf')
      outputs.set(
        raw,
        command.argv.slice(1).map((w) => w.text),
      );
    if (name === 'cd' && command.argv[1] && !command.argv[1].dynamic) cwd = resolvePath(cwd, command.argv[1].text);
  }
}

function resolveWord(word: RawWord, vars: Map<string, string>, cwd: string, depth: number, out: Command[]): Word {
  let text = '';
  let dynamic = false;
  for (const part of word) {
    if ('lit' in part) text += part.lit;
    else if ('var' in part) {
      const value = vars.get(part.var);
      if (value !== undefined) text += value;
      else if (part.fallback) {
        const w = resolveWord(part.fallback, vars, cwd, depth, out);
        text += w.text;
        dynamic ||= w.dynamic;
      } else {
        text += UNKNOWN;
        dynamic = true;
      }
    } else if ('sub' in part) {
      const before = out.length;
      walk(part.sub, new Map(vars), cwd, depth + 1, out);
      // `$(echo X)` prints X; anything else prints what the guard cannot know.
      const inner = out.slice(before).filter((c) => c.argv.length);
      const only = inner.length === 1 ? inner[0]! : null;
      if (only && programName(only.argv[0]) === 'echo' && !only.redirects.length)
        text += only.argv
          .slice(1)
          .map((w) => w.text)
          .join(' ');
      else {
        text += UNKNOWN;
        dynamic = true;
      }
    } else {
      text += UNKNOWN;
      dynamic = true;
    }
  }
  return { text, dynamic };
}

/** The program's name: the last path segment of the first word. */
export function programName(word: Word | undefined): string {
  if (!word) return '';
  return word.text.slice(word.text.lastIndexOf('/') + 1);
}

interface UnwrapContext {
  vars: Map<string, string>;
  depth: number;
  out: Command[];
  stdin: string | undefined;
  /** False when a pipe feeds it output the guard cannot know. */
  stdinKnown: boolean;
}

// Options of wrapper programs that take a value (so the value is not the program).
const WRAPPER_VALUE_OPTIONS: Record<string, RegExp> = {
  env: /^-[uCS]$|^--(unset|chdir|split-string)$/,
  sudo: /^-[ugCDhprTU]$|^--(user|group|close-from|chdir|host|prompt|role|type|command-timeout|other-user)$/,
  doas: /^-[uC]$/,
  nice: /^-n$|^--adjustment$/,
  timeout: /^-[sk]$|^--(signal|kill-after)$/,
  stdbuf: /^-[ioe]$/,
  xargs: /^-[IiLlnPsdEa]$|^--(replace|max-lines|max-args|max-procs|max-chars|delimiter|eof|arg-file)$/,
  command: /^$/,
  builtin: /^$/,
  exec: /^-a$/,
  nohup: /^$/,
  time: /^-[fo]$/,
  chronic: /^$/,
  unbuffer: /^$/,
  ionice: /^-[cnp]$/,
  chrt: /^$/,
  taskset: /^$/,
  setsid: /^$/,
  flock: /^-[wEn]$/,
};

function unwrap(command: Command, ctx: UnwrapContext) {
  const { out } = ctx;
  for (let guard = 0; guard < 20; guard++) {
    const name = programName(command.argv[0]);
    if (command.argv[0]?.dynamic) break;
    if (name === 'export' || name === 'declare' || name === 'typeset' || name === 'readonly' || name === 'local') {
      for (const w of command.argv.slice(1)) {
        const m = ASSIGN.exec(w.text);
        if (!m) continue;
        const value = { text: w.text.slice(m[0].length), dynamic: w.dynamic };
        command.assigns.push({ name: m[1]!, value });
        if (!value.dynamic) ctx.vars.set(m[1]!, value.text);
      }
      break;
    }
    const valueOptions = WRAPPER_VALUE_OPTIONS[name];
    if (valueOptions) {
      command.wrappers.push(name);
      let i = 1;
      let extra: Word[] = [];
      // `timeout 10 cmd`, `nice -5 cmd`, `flock FILE cmd`: one leading operand belongs to the wrapper.
      let operands = name === 'timeout' || name === 'flock' || name === 'taskset' || name === 'chrt' ? 1 : 0;
      while (i < command.argv.length) {
        const w = command.argv[i]!;
        if (name === 'env' && ASSIGN.test(w.text)) {
          const m = ASSIGN.exec(w.text)!;
          command.assigns.push({ name: m[1]!, value: { text: w.text.slice(m[0].length), dynamic: w.dynamic } });
          i++;
        } else if (
          name === 'env' &&
          (w.text === '-S' || w.text.startsWith('--split-string') || /^-[a-zA-Z]*S/.test(w.text))
        ) {
          // `env -S 'git commit --no-verify'`: the string is split into words.
          const inline = w.text.startsWith('--split-string=')
            ? w.text.slice('--split-string='.length)
            : w.text.replace(/^-[a-zA-Z]*S/, '');
          const str = inline || command.argv[i + 1]?.text || '';
          const rest = command.argv.slice(inline ? i + 1 : i + 2);
          const before = out.length;
          walk(str, ctx.vars, command.cwd, ctx.depth + 1, out);
          const split = out
            .splice(before)
            .flatMap((c) => [
              ...c.assigns.map((a) => ({ text: `${a.name}=${a.value.text}`, dynamic: a.value.dynamic })),
              ...c.argv,
            ]);
          command.argv = [command.argv[0]!, ...split, ...rest];
          i = 1;
        } else if (w.text === '--') {
          i++;
          break;
        } else if (w.text.startsWith('-') && w.text.length > 1 && name !== 'command' && name !== 'builtin') {
          i += valueOptions.test(w.text) ? 2 : 1;
        } else if (w.text.startsWith('-') && (name === 'command' || name === 'builtin') && /^-[pvV]+$/.test(w.text)) {
          i++;
        } else if (operands > 0) {
          operands--;
          i++;
        } else break;
      }
      if (name === 'xargs') {
        // xargs appends what it reads: the piped echo's words when known, else words the guard cannot know.
        extra =
          ctx.stdin !== undefined
            ? ctx.stdin
                .split(/\s+/)
                .filter(Boolean)
                .map((text) => ({ text, dynamic: false }))
            : [{ text: UNKNOWN, dynamic: true }];
        if (!ctx.stdinKnown) extra = [{ text: UNKNOWN, dynamic: true }];
      }
      command.argv = command.argv.slice(i);
      if (extra.length) command.argv.push(...extra);
      if (!command.argv.length) break;
      continue;
    }
    if (name === 'eval') {
      command.wrappers.push('eval');
      const script = command.argv
        .slice(1)
        .map((w) => w.text)
        .join(' ');
      walk(script, ctx.vars, command.cwd, ctx.depth + 1, out);
      command.argv = [];
      break;
    }
    if (SHELLS.has(name)) {
      const args = name === 'busybox' ? command.argv.slice(2) : command.argv.slice(1);
      if (name === 'busybox' && !SHELLS.has(programName(command.argv[1]))) break;
      let script: string | undefined;
      let file: string | undefined;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!.text;
        if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a) || a === '--command') {
          script = args[i + 1]?.text ?? '';
          break;
        }
        if (a.startsWith('-') || a.startsWith('+')) continue;
        file = a;
        break;
      }
      if (script === undefined && file !== undefined) script = readScript(command.cwd, file);
      if (script === undefined && ctx.stdin !== undefined) script = ctx.stdin;
      if (script === undefined && !ctx.stdinKnown) script = UNKNOWN;
      if (script !== undefined) {
        command.wrappers.push(name);
        if (script === UNKNOWN) command.argv = [{ text: UNKNOWN, dynamic: true }];
        else {
          walk(script, new Map(ctx.vars), command.cwd, ctx.depth + 1, out);
          command.argv = [];
        }
      }
      break;
    }
    if ((name === 'source' || name === '.') && command.argv[1]) {
      const script = readScript(command.cwd, command.argv[1].text);
      if (script !== undefined) walk(script, ctx.vars, command.cwd, ctx.depth + 1, out);
      break;
    }
    break;
  }
  out.push(command);
}

function resolvePath(cwd: string, path: string): string {
  return isAbsolute(path) ? path : join(cwd, path);
}

/** A small script file the line runs, as text; undefined when it is not there (or too big to be a script). */
function readScript(cwd: string, path: string): string | undefined {
  if (path.includes(UNKNOWN)) return undefined;
  const full = resolvePath(cwd, path);
  try {
    if (statSync(full).size > MAX_SCRIPT_FILE) return undefined;
    return readFileSync(full, 'utf8');
  } catch {
    return undefined;
  }
}
