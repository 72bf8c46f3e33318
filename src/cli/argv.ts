// argv -> flags and positionals, against the option table, with messages that name the flag and what to do.
import { UsageError } from '../errors.ts';
import { didYouMean } from './suggest.ts';
import { META_FLAGS, OPTION_SPECS } from './spec.ts';

export type FlagValue = string | boolean | string[];

export interface ParsedArgv {
  /** By long flag name (`deadline`); list options collect every occurrence. */
  flags: Map<string, FlagValue>;
  positionals: string[];
}

const LONG_FLAGS = [...OPTION_SPECS.map((spec) => spec.flag), ...META_FLAGS.map((spec) => spec.flag)];

function kindOf(flag: string): 'boolean' | 'string' | 'list' | undefined {
  if (META_FLAGS.some((spec) => spec.flag === flag)) return 'boolean';
  const spec = OPTION_SPECS.find((candidate) => candidate.flag === flag);
  if (spec === undefined) return undefined;
  return spec.kind === 'boolean' ? 'boolean' : spec.kind === 'list' ? 'list' : 'string';
}

function unknownFlag(text: string, name: string): UsageError {
  return new UsageError(`unknown option ${text}${didYouMean(name, LONG_FLAGS, '--')}`);
}

/**
 * `--flag value`, `--flag=value`, `--switch`, `-h`, `-V`, `--` (the rest are positionals). Written by hand
 * rather than with util.parseArgs so that no message of Node's parser reaches the user.
 */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      const meta = META_FLAGS.find((spec) => `-${spec.short}` === arg);
      if (meta === undefined) throw new UsageError(`unknown option ${arg} (short options: ${META_FLAGS.map((spec) => `-${spec.short}`).join(', ')})${didYouMean(arg.slice(1), LONG_FLAGS, '--')}`);
      flags.set(meta.flag, true);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    const kind = kindOf(name);
    if (kind === undefined) throw unknownFlag(`--${name}`, name);
    if (kind === 'boolean') {
      if (equals !== -1) throw new UsageError(`--${name} takes no value (got ${JSON.stringify(arg.slice(equals + 1))}); write --${name} alone`);
      flags.set(name, true);
      continue;
    }
    let value: string;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      const next = argv[index + 1];
      // A value that starts with "-" is taken for a forgotten value followed by the next option.
      if (next === undefined || (next.startsWith('-') && next !== '-')) {
        const spec = OPTION_SPECS.find((candidate) => candidate.flag === name);
        throw new UsageError(`--${name} needs a value: --${name} ${spec?.placeholder ?? 'VALUE'} (or --${name}=VALUE)`);
      }
      value = next;
      index++;
    }
    if (kind === 'list') {
      const previous = flags.get(name);
      flags.set(name, [...(Array.isArray(previous) ? previous : []), value]);
    } else {
      flags.set(name, value);
    }
  }
  return { flags, positionals };
}
