// The one table of options: flag, environment variable, config-file key, default, and help text.
import type { PersistChoice } from '../persist/types.ts';
import { TRIGGERS } from '../lifecycle/trigger.ts';
import type { Trigger } from '../lifecycle/trigger.ts';

export type Command = 'apply' | 'plan' | 'status' | 'remove' | 'metadata';
export const COMMANDS: readonly Command[] = ['apply', 'plan', 'status', 'remove', 'metadata'];

export type TokenMode = 'auto' | 'required' | 'off';
export type LogLevelOption = 'error' | 'warn' | 'info' | 'debug';

export interface Options {
  command: Command;
  metadataUrl: string;
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
  trigger: Trigger;
  refreshInterval: string;
}

type Kind = 'string' | 'boolean' | 'integer' | 'list' | 'seconds';

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
}

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

export const OPTION_SPECS: readonly OptionSpec[] = [
  { flag: 'metadata-url', key: 'metadataUrl', kind: 'string', placeholder: 'URL', help: 'metadata service base URL' },
  { flag: 'metadata-token', key: 'metadataToken', kind: 'string', choices: ['auto', 'required', 'off'], placeholder: 'MODE',
    help: 'token (hardened) mode: auto = token first, plain GETs only if the service has no tokens' },
  { flag: 'deadline', key: 'deadlineSeconds', kind: 'seconds', min: 1, max: 3600, placeholder: 'SECONDS',
    help: 'overall deadline for the whole run, metadata retries and interface waits included' },
  { flag: 'json', key: 'json', kind: 'boolean', help: 'print the JSON report on stdout instead of the summary' },
  { flag: 'report-file', key: 'reportFile', kind: 'string', placeholder: 'PATH', help: 'where apply and remove write the JSON report ("" to disable)' },
  { flag: 'exclude', key: 'exclude', kind: 'list', placeholder: 'IFACE|MAC,...', help: 'interfaces or MACs to leave alone (repeatable, comma-separated)' },
  { flag: 'only-interface', key: 'onlyInterface', kind: 'string', placeholder: 'IFACE|MAC',
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
  { flag: 'root', key: 'root', kind: 'string', placeholder: 'DIR', help: 'prefix every file read or written with DIR (tests, image builds)' },
  { flag: 'log-level', key: 'logLevel', kind: 'string', choices: ['error', 'warn', 'info', 'debug'], placeholder: 'LEVEL', help: 'stderr log level' },
  { flag: 'config', key: 'configFile', kind: 'string', placeholder: 'PATH', help: 'config file (under --root)' },
  { flag: 'trigger', key: 'trigger', kind: 'string', choices: TRIGGERS, placeholder: 'KIND', help: 'why this run started, recorded in the report (the units set boot, hotplug, detach, refresh; default manual)' },
  { flag: 'refresh-interval', key: 'refreshInterval', kind: 'string', placeholder: 'SECONDS|off',
    help: 'period of eni-init-refresh.timer (default 300) or off; read from the config file by the package\'s systemd generator' },
];

/** `metadata-url` -> `ENI_INIT_METADATA_URL`. */
export function envName(flag: string): string {
  return 'ENI_INIT_' + flag.toUpperCase().replace(/-/g, '_');
}
