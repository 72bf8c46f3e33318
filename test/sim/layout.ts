// The playground's layout file (JSON) -> SimSpec: a strict, pure check that names the file and the field of every bad value.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { dirname, resolve } from 'node:path';
import { ALL_MODES, VALUE_STYLES } from './imds-config.ts';
import type { AllMode, ImdsFault, TokenMode, ValueStyle } from './imds-config.ts';
import type { SimEni, SimSpec } from './spec.ts';

/**
 * A layout, as documented in the README's Playground section (example: test/sim/layouts/example.json):
 * { "comment"?, "vpc"?: CIDR, "enis": [ { "comment"?, "vswitch": CIDR, "ips": [IPv4...], "gateway"?, "mac"?, "id"?,
 *   "state"?: "dhcp" | "down", "ipv4Prefixes"?: [CIDR...], "ipv6"?: { "vswitch": CIDR, "addresses": [...],
 *   "gateway"?, "prefixes"? } } ], "metadata"?: { "token"?, "all"?, "style"?, "latencyMs"?, "faults"?, "capture"? } }
 * enis[0] is the primary ENI (eth0, always up); the others are eth1.. and start as DHCP left them ("dhcp", the
 * default: up with their primary IP only) or "down" without address.
 */
export interface Layout {
  spec: SimSpec;
  /** metadata.capture, resolved against the layout file's directory: served verbatim instead of metadata from `enis`. */
  capturePath?: string;
}

/** Every problem of one layout file, each `FILE: FIELD: what is wrong`. */
export class LayoutError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'LayoutError';
  }
}

const MAX_ENIS = 32;
const TOKEN_MODES: readonly TokenMode[] = ['optional', 'required', 'unsupported'];
/** The sim's vSwitch bridges need a gateway and the ENIs' addresses: /8../30 (spec.ts parseCidr allows up to /30). */
const V4_PREFIX = { min: 8, max: 30 };

type Doc = Record<string, unknown>;

function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one document; `problem(field, text)` collects. Pure: no file is read. */
class Checker {
  readonly problems: string[] = [];
  constructor(private readonly file: string) {}

  problem(field: string, text: string): void {
    this.problems.push(`${this.file}: ${field}: ${text}`);
  }

  /** Unknown keys are errors: a typo must not be silently ignored. */
  keys(doc: Doc, field: string, allowed: readonly string[]): void {
    for (const key of Object.keys(doc)) {
      if (!allowed.includes(key)) this.problem(field === '' ? key : `${field}.${key}`, `unknown key (known: ${allowed.join(', ')})`);
    }
  }

  string(value: unknown, field: string): string | undefined {
    if (typeof value === 'string') return value;
    this.problem(field, `expected a string, got ${JSON.stringify(value)}`);
    return undefined;
  }

  address(value: unknown, field: string, family: 4 | 6): string | undefined {
    const text = this.string(value, field);
    if (text === undefined) return undefined;
    if (family === 4 ? isIPv4(text) : isIPv6(text)) return text;
    this.problem(field, `${JSON.stringify(text)} is not an IPv${family} address`);
    return undefined;
  }

  cidr(value: unknown, field: string, family: 4 | 6): { text: string; block: BlockList } | undefined {
    const text = this.string(value, field);
    if (text === undefined) return undefined;
    const [ip = '', length = '', extra] = text.split('/');
    const prefix = Number(length);
    const range = family === 4 ? V4_PREFIX : { min: 8, max: 128 };
    if (extra !== undefined || !(family === 4 ? isIPv4(ip) : isIPv6(ip)) || !/^\d{1,3}$/.test(length) || prefix < range.min || prefix > range.max) {
      this.problem(field, `${JSON.stringify(text)} is not an IPv${family} CIDR (address/${range.min}..${range.max})`);
      return undefined;
    }
    const block = new BlockList();
    block.addSubnet(ip, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return { text, block };
  }

  list(value: unknown, field: string, min = 0): unknown[] {
    if (!Array.isArray(value)) {
      this.problem(field, `expected a list, got ${JSON.stringify(value)}`);
      return [];
    }
    if (value.length < min) this.problem(field, `needs at least ${min} entr${min === 1 ? 'y' : 'ies'}`);
    return value;
  }

  integer(value: unknown, field: string, min: number, max: number): number | undefined {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    this.problem(field, `expected an integer ${min}..${max}, got ${JSON.stringify(value)}`);
    return undefined;
  }

  choice<T extends string>(value: unknown, field: string, choices: readonly T[]): T | undefined {
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    this.problem(field, `expected one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
    return undefined;
  }
}

function macOf(index: number): string {
  return `00:16:3e:5e:00:${(index + 1).toString(16).padStart(2, '0')}`;
}

function checkIpv6(c: Checker, doc: unknown, field: string): SimEni['ipv6'] | undefined {
  if (!isObject(doc)) return void c.problem(field, 'expected an object');
  c.keys(doc, field, ['vswitch', 'addresses', 'gateway', 'prefixes']);
  const vswitch = c.cidr(doc['vswitch'], `${field}.vswitch`, 6);
  const addresses = c.list(doc['addresses'], `${field}.addresses`, 1).map((ip, index) => {
    const text = c.address(ip, `${field}.addresses[${index}]`, 6);
    if (text !== undefined && vswitch !== undefined && !vswitch.block.check(text, 'ipv6')) c.problem(`${field}.addresses[${index}]`, `${text} is not in the vSwitch ${vswitch.text}`);
    return text;
  });
  const prefixes = doc['prefixes'] === undefined ? [] : c.list(doc['prefixes'], `${field}.prefixes`).map((p, index) => c.cidr(p, `${field}.prefixes[${index}]`, 6)?.text);
  // The IPv6 gateway Alibaba's metadata shows for a /64 vSwitch: PREFIX:ffff:ffff:ffff:fff7 (the sample in the project's
  // metadata notes, design/imds.md, ipv6-gateway); must be given explicitly for any other vSwitch.
  let gateway = doc['gateway'] === undefined ? undefined : c.address(doc['gateway'], `${field}.gateway`, 6);
  if (doc['gateway'] === undefined && vswitch !== undefined) {
    if (!vswitch.text.endsWith('::/64')) c.problem(`${field}.gateway`, `required unless the vSwitch is written as PREFIX::/64 (got ${vswitch.text})`);
    else gateway = `${vswitch.text.slice(0, -'::/64'.length)}:ffff:ffff:ffff:fff7`;
  }
  if (vswitch === undefined || gateway === undefined || addresses.includes(undefined) || prefixes.includes(undefined)) return undefined;
  return { vswitchCidr: vswitch.text, addresses: addresses as string[], gateway, ...(prefixes.length > 0 ? { prefixes: prefixes as string[] } : {}) };
}

function checkEni(c: Checker, doc: unknown, index: number, seen: Map<string, string>): SimEni | undefined {
  const field = `enis[${index}]`;
  if (!isObject(doc)) return void c.problem(field, 'expected an object');
  c.keys(doc, field, ['comment', 'vswitch', 'ips', 'gateway', 'mac', 'id', 'state', 'ipv4Prefixes', 'ipv6']);
  const vswitch = c.cidr(doc['vswitch'], `${field}.vswitch`, 4);
  const ips = c.list(doc['ips'], `${field}.ips`, 1).map((ip, i) => {
    const at = `${field}.ips[${i}]`;
    const text = c.address(ip, at, 4);
    if (text === undefined) return undefined;
    if (vswitch !== undefined && !vswitch.block.check(text, 'ipv4')) c.problem(at, `${text} is not in the vSwitch ${vswitch.text}`);
    const other = seen.get(text);
    if (other !== undefined) c.problem(at, `${text} is already used by ${other}`);
    seen.set(text, at);
    return text;
  });
  const gateway = doc['gateway'] === undefined ? undefined : c.address(doc['gateway'], `${field}.gateway`, 4);
  if (gateway !== undefined && vswitch !== undefined && !vswitch.block.check(gateway, 'ipv4')) c.problem(`${field}.gateway`, `${gateway} is not in the vSwitch ${vswitch.text}`);
  let mac = macOf(index);
  if (doc['mac'] !== undefined) {
    const text = c.string(doc['mac'], `${field}.mac`);
    if (text !== undefined && !/^00:16:3e(:[0-9a-f]{2}){3}$/.test(text)) c.problem(`${field}.mac`, `${JSON.stringify(text)} is not an Alibaba Cloud MAC (00:16:3e:xx:xx:xx, lowercase)`);
    mac = text ?? mac;
  }
  let eniId = `eni-layout${String(index).padStart(12, '0')}`;
  if (doc['id'] !== undefined) {
    const text = c.string(doc['id'], `${field}.id`);
    if (text !== undefined && !/^eni-[a-z0-9]{1,40}$/.test(text)) c.problem(`${field}.id`, `${JSON.stringify(text)} is not an ENI ID (eni-[a-z0-9]+)`);
    eniId = text ?? eniId;
  }
  let start: SimEni['start'];
  if (doc['state'] !== undefined) {
    if (index === 0) c.problem(`${field}.state`, 'the primary ENI (eth0) is always up: leave "state" out');
    else start = c.choice(doc['state'], `${field}.state`, ['dhcp', 'down'] as const);
  }
  const prefixes = doc['ipv4Prefixes'] === undefined ? [] : c.list(doc['ipv4Prefixes'], `${field}.ipv4Prefixes`).map((p, i) => c.cidr(p, `${field}.ipv4Prefixes[${i}]`, 4)?.text);
  const ipv6 = doc['ipv6'] === undefined ? undefined : checkIpv6(c, doc['ipv6'], `${field}.ipv6`);
  if (vswitch === undefined || ips.includes(undefined)) return undefined;
  return {
    ifname: `eth${index}`,
    mac,
    eniId,
    privateIps: ips as string[],
    vswitch: vswitch.text,
    ...(gateway === undefined ? {} : { gateway }),
    ...(start === undefined ? {} : { start }),
    ...(prefixes.length > 0 && !prefixes.includes(undefined) ? { ipv4Prefixes: prefixes as string[] } : {}),
    ...(ipv6 === undefined ? {} : { ipv6 }),
  };
}

function checkFault(c: Checker, doc: unknown, field: string): ImdsFault | undefined {
  if (!isObject(doc)) return void c.problem(field, 'expected an object');
  c.keys(doc, field, ['path', 'status', 'count', 'delayMs', 'body', 'reset']);
  const path = c.string(doc['path'], `${field}.path`);
  if (path !== undefined) {
    try {
      new RegExp(path);
    } catch (error) {
      c.problem(`${field}.path`, `${JSON.stringify(path)} is not a regular expression (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const fault: ImdsFault = { path: path ?? '' };
  if (doc['status'] !== undefined) fault.status = c.integer(doc['status'], `${field}.status`, 100, 599) ?? 0;
  if (doc['count'] !== undefined) fault.count = c.integer(doc['count'], `${field}.count`, 1, 1_000_000) ?? 0;
  if (doc['delayMs'] !== undefined) fault.delayMs = c.integer(doc['delayMs'], `${field}.delayMs`, 0, 600_000) ?? 0;
  if (doc['body'] !== undefined) fault.body = c.string(doc['body'], `${field}.body`) ?? '';
  if (doc['reset'] !== undefined) {
    if (typeof doc['reset'] === 'boolean') fault.reset = doc['reset'];
    else c.problem(`${field}.reset`, `expected true or false, got ${JSON.stringify(doc['reset'])}`);
  }
  return fault;
}

function checkMetadata(c: Checker, doc: unknown, file: string, spec: SimSpec): string | undefined {
  if (!isObject(doc)) return void c.problem('metadata', 'expected an object');
  c.keys(doc, 'metadata', ['token', 'all', 'style', 'latencyMs', 'faults', 'capture']);
  if (doc['token'] !== undefined) spec.token = c.choice(doc['token'], 'metadata.token', TOKEN_MODES) ?? 'optional';
  if (doc['all'] !== undefined) spec.allMode = c.choice<AllMode>(doc['all'], 'metadata.all', ALL_MODES) ?? 'partial';
  if (doc['style'] !== undefined) spec.style = c.choice<ValueStyle>(doc['style'], 'metadata.style', VALUE_STYLES) ?? 'plain';
  if (doc['latencyMs'] !== undefined) spec.latencyMs = c.integer(doc['latencyMs'], 'metadata.latencyMs', 0, 60_000) ?? 0;
  if (doc['faults'] !== undefined) spec.faults = c.list(doc['faults'], 'metadata.faults').map((fault, index) => checkFault(c, fault, `metadata.faults[${index}]`)).filter((f) => f !== undefined);
  if (doc['capture'] === undefined) return undefined;
  const capture = c.string(doc['capture'], 'metadata.capture');
  return capture === undefined ? undefined : resolve(dirname(file), capture);
}

/** Parses and checks a layout file's text; throws LayoutError listing every problem, each naming `file` and the field. */
export function parseLayout(text: string, file: string): Layout {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new LayoutError([`${file}: not JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const c = new Checker(file);
  if (!isObject(doc)) throw new LayoutError([`${file}: expected a JSON object with an "enis" list`]);
  c.keys(doc, '', ['comment', 'vpc', 'enis', 'metadata']);
  const spec: SimSpec = { enis: [] };
  if (doc['vpc'] !== undefined) spec.vpcCidr = c.cidr(doc['vpc'], 'vpc', 4)?.text ?? '';
  const enis = c.list(doc['enis'], 'enis', 1);
  if (enis.length > MAX_ENIS) c.problem('enis', `at most ${MAX_ENIS} ENIs (got ${enis.length})`);
  const seen = new Map<string, string>();
  const macs = new Map<string, number>();
  enis.forEach((eni, index) => {
    const checked = checkEni(c, eni, index, seen);
    if (checked === undefined) return;
    const other = macs.get(checked.mac);
    if (other !== undefined) c.problem(`enis[${index}].mac`, `${checked.mac} is already used by enis[${other}]`);
    macs.set(checked.mac, index);
    spec.enis.push(checked);
  });
  const capturePath = doc['metadata'] === undefined ? undefined : checkMetadata(c, doc['metadata'], file, spec);
  if (c.problems.length > 0) throw new LayoutError(c.problems);
  return capturePath === undefined ? { spec } : { spec, capturePath };
}
