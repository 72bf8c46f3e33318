// The fake metadata service's config file: types and a shape check (shared by the service and the sim).

export type TokenMode = 'optional' | 'required' | 'unsupported';

/**
 * What `meta-data/all` serves: none (404); complete (every item the tree has); partial (only `allItems` per ENI,
 * default Alibaba's samples: gateway, netmask, network-interface-id); raw (complete, every value as the endpoint's text).
 */
export type AllMode = 'none' | 'complete' | 'partial' | 'raw';
/** How values are written: as the tree renders them, with a trailing LF, CRLF-joined with a trailing CRLF, spaced JSON, upper-case MACs. */
export type ValueStyle = 'plain' | 'newline' | 'crlf' | 'spaced' | 'upper-mac';
export const ALL_MODES: readonly AllMode[] = ['none', 'complete', 'partial', 'raw'];
export const VALUE_STYLES: readonly ValueStyle[] = ['plain', 'newline', 'crlf', 'spaced', 'upper-mac'];
/** Alibaba's samples in cloud-init (its Aliyun helper and tests) hold only these per ENI. */
export const ALIBABA_SAMPLE_ITEMS: readonly string[] = ['gateway', 'netmask', 'network-interface-id', 'vpc-cidr-block'];

/** A capture (`eni-init metadata` output or a fixture): full paths -> exact bodies, other statuses; served verbatim. */
export interface ImdsCapture {
  source?: string;
  responses: Record<string, string>;
  statuses?: Record<string, number>;
  errors?: Record<string, string>;
}

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
  /** With token `unsupported`: the status of the token PUT (default 404; 405 seen on other services). */
  tokenStatus?: number;
  /** `meta-data/all`: true = complete, false = none (404), or a mode. */
  all: boolean | AllMode;
  /** Items per ENI in a partial `all` (default ALIBABA_SAMPLE_ITEMS). */
  allItems?: string[];
  style?: ValueStyle;
  /** Serve this capture verbatim instead of the ENIs above (token mode, latency and faults still apply). */
  capture?: ImdsCapture;
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
  if (typeof doc['all'] !== 'boolean' && !ALL_MODES.includes(doc['all'] as AllMode)) problems.push(`all: expected a boolean or one of ${ALL_MODES.join(', ')}`);
  if (doc['allItems'] !== undefined && !isStringList(doc['allItems'])) problems.push('allItems: expected a list of strings');
  if (doc['style'] !== undefined && !VALUE_STYLES.includes(doc['style'] as ValueStyle)) problems.push(`style: expected one of ${VALUE_STYLES.join(', ')}`);
  if (doc['tokenStatus'] !== undefined && !Number.isInteger(doc['tokenStatus'])) problems.push('tokenStatus: expected an integer');
  const capture = doc['capture'];
  if (capture !== undefined) {
    if (!isObject(capture) || !isObject(capture['responses']) || !Object.values(capture['responses']).every(isString)) problems.push('capture.responses: expected an object of path -> body');
    else if (capture['statuses'] !== undefined && !(isObject(capture['statuses']) && Object.values(capture['statuses']).every((v) => Number.isInteger(v)))) problems.push('capture.statuses: expected an object of path -> status');
  }
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
