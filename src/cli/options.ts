// argv, environment and config file -> Options (flags win over environment, environment over the config file).
import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../errors.ts';
import { rootedPath } from '../files/rooted.ts';
import { isSafeInterfaceName } from '../net/interface-name.ts';
import { canonicalMac } from '../net/mac.ts';
import { parseArgv } from './argv.ts';
import type { FlagValue } from './argv.ts';
import { parseConfigFile } from './config-file.ts';
import type { ConfigValue } from './config-file.ts';
import { COMMANDS, DEFAULTS, DEFAULT_CONFIG_FILE, OPTION_SPECS, envName } from './spec.ts';
import type { Command, OptionSpec, Options } from './spec.ts';
import { didYouMean } from './suggest.ts';
import { parseRefreshInterval } from '../lifecycle/refresh.ts';

export type CliRequest = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; options: Options };

/** Reads a config file; returns null when it does not exist. */
export type ReadConfig = (path: string) => string | null;

/**
 * Interface names are case-sensitive (`enP2s0`); MACs are compared in lowercase. Surrounding spaces are
 * dropped; anything else that is neither a MAC nor an interface name is a usage error naming the value
 * (`eth2   # comment`, `eth2; eth1`, a newline would otherwise match nothing, silently).
 */
function normalizeSelector(text: string, where: string): string {
  const trimmed = text.replace(/^ +| +$/g, '');
  if (trimmed === '') return '';
  const mac = canonicalMac(trimmed);
  if (mac !== null) return mac;
  if (!isSafeInterfaceName(trimmed)) throw new UsageError(`${where}: ${JSON.stringify(text)} is neither an interface name nor a MAC address`);
  return trimmed;
}

/** An absolute path without control characters (a NUL cuts it, a newline splits a log line or a unit file). */
function checkPath(text: string, where: string): void {
  if (!text.startsWith('/')) throw new UsageError(`${where}: expected an absolute path, got ${JSON.stringify(text)}`);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new UsageError(`${where}: control character in path ${JSON.stringify(text)}`);
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * `http://HOST[:PORT]` (an optional trailing `/`), checked on the raw text before any URL parser normalizes
 * it (WHATWG parsing drops tabs and newlines, which silently changed the port): HOST is a dotted IPv4
 * address, a bracketed IPv6 address or a DNS name; no userinfo, path, query or fragment.
 */
export function checkMetadataUrl(text: string, where = '--metadata-url'): void {
  const bad = (why: string) => new UsageError(`${where}: ${why}; expected http://HOST[:PORT], got ${JSON.stringify(text)}`);
  const match = /^http:\/\/(\[[^\]]*\]|[^/:[\]]*)(?::(\d{1,5}))?\/?$/.exec(text);
  if (!match) throw bad(text.startsWith('http://') ? 'userinfo, path, query or stray characters' : 'not an http:// URL');
  const host = match[1] as string;
  const port = match[2];
  if (host.startsWith('[')) {
    if (!isIPv6(host.slice(1, -1))) throw bad(`${host} is not an IPv6 address`);
  } else if (/^[\d.]+$/.test(host)) {
    if (!isIPv4(host)) throw bad(`${host} is not an IPv4 address`);
  } else if (!HOSTNAME.test(host)) {
    throw bad(`${JSON.stringify(host)} is not a host name`);
  }
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw bad(`port ${port} is outside 1..65535`);
}

function parseBoolean(text: string, where: string): boolean {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
  throw new UsageError(`${where}: expected yes or no, got ${JSON.stringify(text)}`);
}

function convert(spec: OptionSpec, raw: string | boolean | string[], where: string): Options[keyof Options] {
  if (spec.kind === 'boolean') return typeof raw === 'boolean' ? raw : parseBoolean(String(raw), where);
  if (spec.kind === 'list') {
    const parts = (Array.isArray(raw) ? raw : [String(raw)]).flatMap((item) => item.split(','));
    return parts.map((item) => normalizeSelector(item, where)).filter((item) => item.length > 0);
  }
  const text = String(raw);
  if (spec.kind === 'integer' || spec.kind === 'seconds') {
    const number = spec.kind === 'seconds' ? Number(text) : Number.parseInt(text, 10);
    const valid = spec.kind === 'seconds' ? /^\d+(\.\d+)?$/.test(text) : /^\d+$/.test(text);
    if (!valid || !Number.isFinite(number)) throw new UsageError(`${where}: expected a number, got ${JSON.stringify(text)}`);
    if ((spec.min !== undefined && number < spec.min) || (spec.max !== undefined && number > spec.max)) {
      throw new UsageError(`${where}: ${number} is outside ${spec.min ?? '-inf'}..${spec.max ?? 'inf'}`);
    }
    return number;
  }
  if (spec.choices && !spec.choices.includes(text)) {
    throw new UsageError(`${where}: expected one of ${spec.choices.join(', ')}, got ${JSON.stringify(text)}${didYouMean(text, spec.choices)}`);
  }
  return text;
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv, readConfig: ReadConfig): CliRequest {
  const { flags, positionals } = parseArgv(argv);
  if (flags.get('help') === true) return { kind: 'help' };
  if (flags.get('version') === true) return { kind: 'version' };
  if (positionals.length > 1) throw new UsageError(`one command at most, got: ${positionals.join(' ')}`);
  const command = (positionals[0] ?? 'apply') as Command;
  if (!COMMANDS.includes(command)) {
    throw new UsageError(`unknown command ${JSON.stringify(command)}${didYouMean(command, COMMANDS)} (commands: ${COMMANDS.join(', ')})`);
  }

  const flagValue = (spec: OptionSpec): FlagValue | undefined => flags.get(spec.flag);
  const early = (flag: string): string | undefined => {
    const spec = OPTION_SPECS.find((candidate) => candidate.flag === flag) as OptionSpec;
    const value = flagValue(spec);
    return typeof value === 'string' ? value : env[envName(flag)];
  };
  const root = early('root') ?? DEFAULTS.root;
  const configPath = early('config') ?? DEFAULT_CONFIG_FILE;
  checkPath(root, '--root');
  checkPath(configPath, '--config');
  // Messages name the file that was read: under --root, the path under the root.
  const configRealPath = rootedPath(root, configPath);
  const configText = readConfig(configRealPath);
  const config = configText === null ? new Map<string, ConfigValue>() : parseConfigFile(configText, configRealPath);

  const options: Record<string, unknown> = { ...DEFAULTS, command };
  /** Where each value came from, as messages name it: `--deadline`, `ENI_INIT_DEADLINE` or `file:line: deadline`. */
  const sources = new Map<string, string>();
  for (const spec of OPTION_SPECS) {
    const fromFlag = flagValue(spec);
    const fromEnv = env[envName(spec.flag)];
    const fromConfig = config.get(spec.flag);
    if (fromFlag !== undefined && !(Array.isArray(fromFlag) && fromFlag.length === 0)) {
      sources.set(spec.flag, `--${spec.flag}`);
      options[spec.key] = convert(spec, fromFlag, `--${spec.flag}`);
    } else if (fromEnv !== undefined) {
      sources.set(spec.flag, envName(spec.flag));
      options[spec.key] = convert(spec, fromEnv, envName(spec.flag));
    } else if (fromConfig !== undefined) {
      sources.set(spec.flag, `${fromConfig.where}: ${spec.flag}`);
      options[spec.key] = convert(spec, fromConfig.value, `${fromConfig.where}: ${spec.flag}`);
    }
  }
  if (sources.has('metadata-url')) options['metadataUrlExplicit'] = true;
  const result = options as unknown as Options;
  validateCombination(result, (flag) => sources.get(flag) ?? `--${flag}`);
  return { kind: 'run', options: result };
}

function validateCombination(options: Options, from: (flag: string) => string): void {
  checkMetadataUrl(options.metadataUrl, from('metadata-url'));
  options.onlyInterface = normalizeSelector(options.onlyInterface, from('only-interface'));
  checkPath(options.root, from('root'));
  checkPath(options.configFile, from('config'));
  if (options.reportFile !== '') checkPath(options.reportFile, from('report-file'));
  parseRefreshInterval(options.refreshInterval, from('refresh-interval'));
  if (options.trigger === 'detach' && options.onlyInterface === '') throw new UsageError(`${from('trigger')}: detach needs --only-interface IFACE (the interface that went away)`);
  if (options.priorityBase + 255 >= 32766) {
    throw new UsageError(`${from('priority-base')}: priorities up to ${options.priorityBase + 255} must stay below the main rule (32766)`);
  }
}
