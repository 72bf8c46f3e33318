// The one table of commands and options (flag, environment variable, config-file key, type, allowed values,
// default, help): --help, the bash completion and the docs-agreement test all read it (exit codes: exit-codes.ts).
import type { PersistChoice, Trigger } from '../model.ts';

export type Command = 'apply' | 'plan' | 'status' | 'remove' | 'metadata';

export interface CommandSpec {
  name: Command;
  help: string;
}

export const COMMAND_SPECS: readonly CommandSpec[] = [
  { name: 'apply', help: 'converge addresses, routing tables and rules to the metadata (default)' },
  { name: 'plan', help: 'print what apply would change; change nothing' },
  { name: 'status', help: 'compare metadata with the live state, per ENI' },
  { name: 'remove', help: 'delete everything eni-init created (addresses, routes, rules, its cloud-init and backend files)' },
  { name: 'metadata', help: 'print, as JSON, every metadata path read and its exact body, and what eni-init made of it' },
];
export const COMMANDS: readonly Command[] = COMMAND_SPECS.map((spec) => spec.name);

export type TokenMode = 'auto' | 'required' | 'off';
export type LogLevelOption = 'error' | 'warn' | 'info' | 'debug';

export interface Options {
  command: Command;
  metadataUrl: string;
  /** True when the metadata URL came from a flag, the environment or the config file: the DMI check is skipped. */
  metadataUrlExplicit?: boolean;
  deadlineSeconds: number;
  json: boolean;
  reportFile: string;
  exclude: string[];
  onlyInterface: string;
  tableBase: number;
  priorityBase: number;
  primaryRules: boolean;
  mainRoutesFirst: boolean;
  skipCloudInit: boolean;
  persist: PersistChoice;
  root: string;
  logLevel: LogLevelOption;
  metadataToken: TokenMode;
  configFile: string;
  /** Why this run started (the units set it; by hand: manual). */
  trigger: Trigger;
  /** eni-init-refresh.timer's period in seconds, or `off`; '' = the timer's own default (300). */
  refreshInterval: string;
}

export type Kind = 'string' | 'boolean' | 'integer' | 'list' | 'seconds';

/** What the shell completion offers for an option's value (choices win when the option has them). */
export type ValueHint = 'file' | 'directory' | 'interface' | 'none';

export interface OptionSpec {
  /** Long flag without dashes; also the config-file key. */
  flag: string;
  key: Exclude<keyof Options, 'command'>;
  kind: Kind;
  /** Allowed values for enumerations. */
  choices?: readonly string[];
  min?: number;
  max?: number;
  placeholder?: string;
  help: string;
  /** False for options that decide where the config file is (root, config): flag and environment only. */
  inConfigFile?: false;
  /** The default as --help shows it when the value itself says nothing (an empty string or list). */
  defaultText?: string;
  valueHint?: ValueHint;
}

/** Flags that are not options of a run: they print and exit. */
export const META_FLAGS: readonly { flag: string; short: string; help: string }[] = [
  { flag: 'help', short: 'h', help: 'print this text and exit' },
  { flag: 'version', short: 'V', help: 'print the version and exit' },
];

export const DEFAULT_CONFIG_FILE = '/etc/eni-init/eni-init.conf';

export const DEFAULTS: Omit<Options, 'command'> = {
  metadataUrl: 'http://100.100.100.200',
  deadlineSeconds: 30,
  json: false,
  reportFile: '/run/eni-init/report.json',
  exclude: [],
  onlyInterface: '',
  tableBase: 1000,
  priorityBase: 20000,
  primaryRules: false,
  mainRoutesFirst: false,
  skipCloudInit: false,
  persist: 'auto',
  root: '/',
  logLevel: 'info',
  metadataToken: 'auto',
  configFile: DEFAULT_CONFIG_FILE,
  trigger: 'manual',
  refreshInterval: '',
};

export const TRIGGERS: readonly Trigger[] = ['boot', 'hotplug', 'detach', 'refresh', 'manual'];

export const OPTION_SPECS: readonly OptionSpec[] = [
  { flag: 'metadata-url', key: 'metadataUrl', kind: 'string', placeholder: 'URL', help: 'metadata service base URL' },
  { flag: 'metadata-token', key: 'metadataToken', kind: 'string', choices: ['auto', 'required', 'off'], placeholder: 'MODE',
    help: 'token (hardened) mode: auto = token first, plain GETs only if the service has no tokens; required = tokens only; off = plain GETs only' },
  { flag: 'deadline', key: 'deadlineSeconds', kind: 'seconds', min: 1, max: 3600, placeholder: 'SECONDS',
    help: 'overall deadline for the whole run, metadata retries and interface waits included' },
  { flag: 'json', key: 'json', kind: 'boolean', help: 'print the JSON report on stdout instead of the summary' },
  { flag: 'report-file', key: 'reportFile', kind: 'string', placeholder: 'PATH', valueHint: 'file',
    help: 'where apply and remove write the JSON report ("" to disable; --only-interface runs: report-IFACE.json)' },
  { flag: 'exclude', key: 'exclude', kind: 'list', placeholder: 'IFACE|MAC,...', valueHint: 'interface', defaultText: 'none',
    help: 'interfaces or MACs to leave alone (repeatable, comma-separated)' },
  { flag: 'only-interface', key: 'onlyInterface', kind: 'string', placeholder: 'IFACE|MAC', valueHint: 'interface', defaultText: 'all ENIs',
    help: 'configure only this ENI (hotplug); waits within the deadline for metadata to list it; removes nothing of other ENIs' },
  { flag: 'table-base', key: 'tableBase', kind: 'integer', min: 256, max: 2147483000, placeholder: 'N',
    help: 'routing table of the ENI in slot S is N+S (eth1 -> 1001)' },
  { flag: 'priority-base', key: 'priorityBase', kind: 'integer', min: 2, max: 32500, placeholder: 'N',
    help: 'rules of the ENI in slot S have priority N+S; the main-routes-first rule has N-1' },
  { flag: 'primary-rules', key: 'primaryRules', kind: 'boolean', help: 'also give the primary ENI a table and per-IP rules' },
  { flag: 'main-routes-first', key: 'mainRoutesFirst', kind: 'boolean',
    help: 'add "lookup main suppress_prefixlength 0" before the ENI rules (Docker/CNI/VPN routes win)' },
  { flag: 'skip-cloud-init', key: 'skipCloudInit', kind: 'boolean', help: 'do not write the cloud-init network-config file' },
  { flag: 'persist', key: 'persist', kind: 'string', choices: ['auto', 'none', 'networkmanager', 'netplan', 'networkd', 'ifcfg'], placeholder: 'BACKEND',
    help: 'also write the config of the network manager that owns each interface, so it keeps the setup across its restarts (auto: detect; none: boot-time only)' },
  { flag: 'root', key: 'root', kind: 'string', placeholder: 'DIR', valueHint: 'directory', inConfigFile: false,
    help: 'prefix every file read or written with DIR (tests, image builds)' },
  { flag: 'log-level', key: 'logLevel', kind: 'string', choices: ['error', 'warn', 'info', 'debug'], placeholder: 'LEVEL', help: 'stderr log level' },
  { flag: 'trigger', key: 'trigger', kind: 'string', choices: TRIGGERS, placeholder: 'KIND', inConfigFile: false,
    help: 'why this run started, recorded in the report (the units set boot, hotplug, detach, refresh)' },
  { flag: 'refresh-interval', key: 'refreshInterval', kind: 'string', placeholder: 'SECONDS|off', defaultText: '300',
    help: "period of eni-init-refresh.timer (10..86400 s) or off; read from the config file by the package's systemd generator" },
  { flag: 'config', key: 'configFile', kind: 'string', placeholder: 'PATH', valueHint: 'file', inConfigFile: false, help: 'config file (under --root)' },
];

/** `metadata-url` -> `ENI_INIT_METADATA_URL`. */
export function envName(flag: string): string {
  return 'ENI_INIT_' + flag.toUpperCase().replace(/-/g, '_');
}

/** The default as documentation shows it, or undefined when there is nothing to show (booleans are off). */
export function defaultText(spec: OptionSpec): string | undefined {
  if (spec.defaultText !== undefined) return spec.defaultText;
  const value = DEFAULTS[spec.key];
  if (typeof value === 'boolean') return value ? 'on' : undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(',');
  const text = String(value);
  return text === '' ? undefined : text;
}
