// The fake metadata service's config file: types and a shape check (shared by the service and the sim).

export type TokenMode = 'optional' | 'required' | 'unsupported';

/** One ENI as the metadata service describes it. Optional lists absent or empty = the item answers 404. */
export interface ImdsEni {
  mac: string;
  eniId: string;
  primaryIp: string;
  privateIpv4s: string[];
  netmask: string;
  gateway: string;
  vswitchCidr: string;
  vpcCidr: string;
  vswitchId: string;
  vpcId: string;
  ipv4Prefixes?: string[];
  ipv6s?: string[];
  ipv6Gateway?: string;
  vswitchIpv6Cidr?: string;
  ipv6Prefixes?: string[];
  /** Epoch ms before which the service does not list this ENI (metadata lagging a hot-plug). */
  visibleAfter?: number;
}

/** Misbehaviour for requests whose path matches `path` (a regex); `count` = only the first N matches. */
export interface ImdsFault {
  path: string;
  status?: number;
  count?: number;
  delayMs?: number;
  body?: string;
  reset?: boolean;
}

export interface ImdsConfig {
  instanceId: string;
  regionId: string;
  zoneId: string;
  primaryMac: string;
  enis: ImdsEni[];
  token: TokenMode;
  all: boolean;
  latencyMs: number;
  faults: ImdsFault[];
  /** Raw bodies by path under `/latest/meta-data/` (exact path, e.g. `network/interfaces/macs/`). */
  rawOverrides?: Record<string, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

/** Problems with a parsed config document (empty = usable as an ImdsConfig). */
export function configProblems(doc: unknown): string[] {
  if (!isObject(doc)) return ['config is not a JSON object'];
  const problems: string[] = [];
  for (const key of ['instanceId', 'regionId', 'zoneId', 'primaryMac']) {
    if (!isString(doc[key])) problems.push(`${key}: expected a string`);
  }
  if (!['optional', 'required', 'unsupported'].includes(String(doc['token']))) problems.push('token: expected optional, required or unsupported');
  if (typeof doc['all'] !== 'boolean') problems.push('all: expected a boolean');
  if (typeof doc['latencyMs'] !== 'number' || !(doc['latencyMs'] >= 0)) problems.push('latencyMs: expected a number >= 0');
  const faults = doc['faults'];
  if (!Array.isArray(faults)) problems.push('faults: expected an array');
  else {
    faults.forEach((fault: unknown, index) => {
      if (!isObject(fault) || !isString(fault['path'])) problems.push(`faults[${index}].path: expected a string`);
      else {
        try {
          new RegExp(fault['path']);
        } catch {
          problems.push(`faults[${index}].path: not a regex`);
        }
      }
    });
  }
  const overrides = doc['rawOverrides'];
  if (overrides !== undefined && !(isObject(overrides) && Object.values(overrides).every(isString))) {
    problems.push('rawOverrides: expected an object of strings');
  }
  const enis = doc['enis'];
  if (!Array.isArray(enis)) return [...problems, 'enis: expected an array'];
  enis.forEach((eni: unknown, index) => {
    if (!isObject(eni)) return void problems.push(`enis[${index}]: expected an object`);
    for (const key of ['mac', 'eniId', 'primaryIp', 'netmask', 'gateway', 'vswitchCidr', 'vpcCidr', 'vswitchId', 'vpcId']) {
      if (!isString(eni[key])) problems.push(`enis[${index}].${key}: expected a string`);
    }
    if (!isStringList(eni['privateIpv4s'])) problems.push(`enis[${index}].privateIpv4s: expected a list of strings`);
    for (const key of ['ipv4Prefixes', 'ipv6s', 'ipv6Prefixes']) {
      if (eni[key] !== undefined && !isStringList(eni[key])) problems.push(`enis[${index}].${key}: expected a list of strings`);
    }
    for (const key of ['ipv6Gateway', 'vswitchIpv6Cidr']) {
      if (eni[key] !== undefined && !isString(eni[key])) problems.push(`enis[${index}].${key}: expected a string`);
    }
    if (eni['visibleAfter'] !== undefined && typeof eni['visibleAfter'] !== 'number') problems.push(`enis[${index}].visibleAfter: expected a number`);
  });
  return problems;
}

/** Parses config text; throws with every problem listed. */
export function parseConfig(text: string): ImdsConfig {
  const doc: unknown = JSON.parse(text);
  const problems = configProblems(doc);
  if (problems.length > 0) throw new Error(`invalid fake IMDS config: ${problems.join('; ')}`);
  return doc as ImdsConfig;
}
