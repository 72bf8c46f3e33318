// --help text, generated entirely from the tables of commands, options and exit codes (spec.ts, exit-codes.ts).
import { exitDocs } from './exit-codes.ts';
import { COMMAND_SPECS, DEFAULT_CONFIG_FILE, META_FLAGS, OPTION_SPECS, defaultText, envName } from './spec.ts';
import type { OptionSpec } from './spec.ts';

const FLAG_WIDTH = 28;
const INDENT = `  ${''.padEnd(FLAG_WIDTH)} `;

/** `--persist BACKEND` as the help, the man page and the README write it. */
export function flagUsage(spec: OptionSpec): string {
  return `--${spec.flag}${spec.placeholder ? ` ${spec.placeholder}` : ''}`;
}

function optionEntry(spec: OptionSpec): string {
  const facts: string[] = [];
  if (spec.choices) facts.push(`one of: ${spec.choices.join(', ')}`);
  if (spec.min !== undefined && spec.max !== undefined) facts.push(`${spec.min}..${spec.max}`);
  const fallback = defaultText(spec);
  if (fallback !== undefined) facts.push(`default: ${fallback}`);
  const where = `env ${envName(spec.flag)}; ${spec.inConfigFile === false ? 'not in the config file' : `config key ${spec.flag}`}`;
  const lines = [`  ${flagUsage(spec).padEnd(FLAG_WIDTH)} ${spec.help}`];
  if (facts.length > 0) lines.push(INDENT + facts.join('; '));
  lines.push(INDENT + where);
  return lines.join('\n');
}

export function helpText(version: string): string {
  const width = Math.max(...COMMAND_SPECS.map((spec) => spec.name.length));
  const commands = COMMAND_SPECS.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.help}`);
  const meta = META_FLAGS.map((spec) => `  ${`-${spec.short}, --${spec.flag}`.padEnd(FLAG_WIDTH)} ${spec.help}`);
  const exits = exitDocs().map((doc) => `  ${String(doc.code).padStart(2)}  ${doc.meaning}`);
  return [
    `eni-init ${version}: configure secondary ENIs, private IPs and per-ENI policy routing from instance metadata`,
    '',
    'Usage: eni-init [command] [options]',
    '',
    'Commands:',
    ...commands,
    '',
    'Options (flags win over environment variables, which win over the config file):',
    ...OPTION_SPECS.map(optionEntry),
    ...meta,
    '',
    `Config file: "key = value" lines, keys are the flag names (default ${DEFAULT_CONFIG_FILE}, under --root);`,
    '"#" at the start of a line or after a space starts a comment; quote a value that holds " #" ("a #b").',
    '',
    'Exit codes:',
    ...exits,
    '',
  ].join('\n');
}
