/**
 * One way to read a command line for every subcommand: its options declared
 * once (with a line of help each), `--help`/`-h` printing them, and every
 * mistake a usage error of one sentence that names the flag, suggests the
 * nearest known one and says what to run.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { didYouMean } from '../suggest.js';

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** The value's name in the help (`--format FMT`). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  /** As typed after `ralph-guard`: `check`, `db update`. */
  name: string;
  /** What follows the name in the usage line. */
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** How many positional arguments it takes (default none). */
  positionals?: number;
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** The parsed command line, or null after printing the help that `--help` asked for. */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed | null {
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(commandHelp(spec));
    return null;
  }
  checkFlags(spec, flags);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: Object.fromEntries(
        Object.entries(spec.options).map(([name, o]) => [
          name,
          o.short ? { type: o.type, short: o.short } : { type: o.type },
        ]),
      ),
    });
  } catch (e) {
    // checkFlags catches what a user mistypes; this is the rest, put in the same words.
    throw usage(spec, (e as Error).message.split('. ')[0]!.replace(/'/g, ''));
  }
  const max = spec.positionals ?? 0;
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max);
    throw usage(
      spec,
      `unexpected ${extra.length === 1 ? 'argument' : 'arguments'} ${extra.map((a) => `"${a}"`).join(' ')}`,
    );
  }
  return parsed as Parsed;
}

/** Unknown flags and flags missing their value, found before node's parser words them. */
function checkFlags(spec: CommandSpec, flags: string[]) {
  const longs = Object.keys(spec.options);
  const shorts = new Map(Object.entries(spec.options).flatMap(([name, o]) => (o.short ? [[o.short, name]] : [])));
  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i]!;
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = arg.startsWith('--') ? arg.slice(2).replace(/=.*/s, '') : shorts.get(arg.slice(1, 2));
    const option = name === undefined ? undefined : spec.options[name];
    if (!option) {
      const typed = arg.replace(/=.*/s, '');
      throw usage(spec, `unknown option ${typed}${didYouMean(typed, [...longs.map((l) => `--${l}`), '--help'])}`);
    }
    if (option.type === 'boolean' && arg.startsWith('--') && arg.includes('='))
      throw usage(spec, `--${name} takes no value`);
    if (option.type === 'string' && !arg.includes('=') && (arg.startsWith('--') || arg.length === 2)) {
      const value = flags[i + 1];
      if (value === undefined || (value.startsWith('-') && value !== '-'))
        throw usage(spec, `--${name} needs a value (${option.value ?? 'VALUE'})`);
      i++;
    }
  }
}

function usage(spec: CommandSpec, problem: string): UsageError {
  return new UsageError(`${spec.name}: ${problem}; run \`ralph-guard ${spec.name} --help\` for its options`);
}

export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    o.help,
  ]);
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([left]) => left!.length));
  return [
    `Usage: ralph-guard ${spec.name}${spec.usage ? ` ${spec.usage}` : ''}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([left, help]) => `  ${left!.padEnd(width)}  ${help}`),
    '',
  ].join('\n');
}
