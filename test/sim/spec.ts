// What a simulated ECS instance is made of (SimSpec), and the pure derivations from it: gateways, IDs, metadata config.
import { createHash } from 'node:crypto';
import type { AllMode, ImdsCapture, ImdsConfig, ImdsEni, ImdsFault, TokenMode, ValueStyle } from './imds-config.ts';

/** How a secondary interface looks when the instance boots: down without address, DHCP'd primary IP only, or not attached yet. */
export type EniStart = 'down' | 'dhcp' | 'absent';

export interface SimEni {
  /** eth0 (the primary ENI, always first) .. ethN. */
  ifname: string;
  /** `00:16:3e:xx:xx:xx`, lowercase. */
  mac: string;
  eniId: string;
  /** All private IPv4s; the first is the ENI's primary IP. */
  privateIps: string[];
  /** The vSwitch, e.g. `10.0.0.0/24`: ENIs with the same CIDR share a vSwitch (one bridge). */
  vswitch: string;
  /** Default: the vSwitch's last address minus 2 (`.253` in a /24). */
  gateway?: string;
  /** Secondary ENIs only; default `dhcp`. The primary ENI is always up with its primary IP and the default route. */
  start?: EniStart;
  ipv4Prefixes?: string[];
  ipv6?: { addresses: string[]; vswitchCidr: string; gateway: string; prefixes?: string[] };
}

export interface SimSpec {
  /** Short unique prefix of the namespace names (`[a-z0-9]{1,6}`); default `e` + 4 random hex digits. */
  prefix?: string;
  /** enis[0] is the primary ENI (eth0). */
  enis: SimEni[];
  vpcCidr?: string;
  /** Metadata token mode; default `optional` (tokens work, plain GETs too). */
  token?: TokenMode;
  /** Serve a complete `meta-data/all` (true) or none (false); default: a partial one (`allMode`). */
  all?: boolean;
  /** What `meta-data/all` serves; wins over `all`. Default `partial`, shaped like Alibaba's samples (what a real instance serves). */
  allMode?: AllMode;
  /** Items per ENI in a partial `all` (default gateway, netmask, network-interface-id, vpc-cidr-block). */
  allItems?: string[];
  /** How values are written (default plain). */
  style?: ValueStyle;
  /** With token `unsupported`: the status of the token PUT (default 404). */
  tokenStatus?: number;
  /** Serve this capture (`eni-init metadata` output or a fixture) verbatim instead of metadata derived from `enis`. */
  capture?: ImdsCapture;
  latencyMs?: number;
  faults?: ImdsFault[];
  /** rp_filter of the instance (net.ipv4.conf.all/default); default 0. */
  rpFilter?: 0 | 1 | 2;
  /** The agent to run in runEniInit; default `<repo>/dist/eni-init`. */
  binary?: string;
}

function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return parts.reduce((value, part) => value * 256 + part, 0);
}

function intToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export function parseCidr(cidr: string): { network: number; length: number } {
  const [ip, lengthText] = cidr.split('/');
  const length = Number(lengthText);
  if (ip === undefined || !Number.isInteger(length) || length < 0 || length > 30) throw new Error(`not an IPv4 CIDR (/0../30): ${cidr}`);
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return { network: (ipv4ToInt(ip) & mask) >>> 0, length };
}

export function netmaskOf(cidr: string): string {
  const { length } = parseCidr(cidr);
  return intToIpv4(length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);
}

export function prefixLengthOf(cidr: string): number {
  return parseCidr(cidr).length;
}

/** Alibaba's vSwitch gateway: the last address minus 2 (`x.y.z.253` in a /24). */
export function gatewayOf(eni: SimEni): string {
  if (eni.gateway !== undefined) return eni.gateway;
  const { network, length } = parseCidr(eni.vswitch);
  return intToIpv4(network + 2 ** (32 - length) - 3);
}

function cloudId(kind: string, seed: string, length = 21): string {
  return `${kind}-${createHash('sha256').update(seed).digest('hex').slice(0, length)}`;
}

/** The slot number of `ethN` (0 for eth0). */
export function ifIndex(ifname: string): number {
  const match = /(\d+)$/.exec(ifname);
  return match ? Number(match[1]) : 0;
}

/** One ENI as the metadata service lists it. */
export function imdsEniOf(eni: SimEni, vpcCidr: string): ImdsEni {
  const primaryIp = eni.privateIps[0];
  if (primaryIp === undefined) throw new Error(`${eni.ifname}: an ENI needs at least one private IP`);
  const result: ImdsEni = {
    mac: eni.mac.toLowerCase(),
    eniId: eni.eniId,
    primaryIp,
    privateIpv4s: [...eni.privateIps],
    netmask: netmaskOf(eni.vswitch),
    gateway: gatewayOf(eni),
    vswitchCidr: eni.vswitch,
    vpcCidr,
    vswitchId: cloudId('vsw', eni.vswitch),
    vpcId: cloudId('vpc', vpcCidr),
  };
  if (eni.ipv4Prefixes !== undefined && eni.ipv4Prefixes.length > 0) result.ipv4Prefixes = [...eni.ipv4Prefixes];
  if (eni.ipv6 !== undefined && eni.ipv6.addresses.length > 0) {
    result.ipv6s = [...eni.ipv6.addresses];
    result.ipv6Gateway = eni.ipv6.gateway;
    result.vswitchIpv6Cidr = eni.ipv6.vswitchCidr;
    if (eni.ipv6.prefixes !== undefined && eni.ipv6.prefixes.length > 0) result.ipv6Prefixes = [...eni.ipv6.prefixes];
  }
  return result;
}

/** The metadata service's initial config: every ENI that is attached at boot. */
export function imdsConfigOf(spec: SimSpec, prefix: string): ImdsConfig {
  const primary = spec.enis[0];
  if (primary === undefined) throw new Error('a SimSpec needs at least the primary ENI');
  const vpcCidr = spec.vpcCidr ?? '10.0.0.0/16';
  return {
    instanceId: cloudId('i', prefix, 20),
    regionId: 'cn-hangzhou',
    zoneId: 'cn-hangzhou-i',
    primaryMac: primary.mac.toLowerCase(),
    enis: spec.enis.filter((eni, index) => index === 0 || eni.start !== 'absent').map((eni) => imdsEniOf(eni, vpcCidr)),
    token: spec.token ?? 'optional',
    all: spec.allMode ?? spec.all ?? 'partial',
    ...(spec.allItems === undefined ? {} : { allItems: [...spec.allItems] }),
    ...(spec.style === undefined ? {} : { style: spec.style }),
    ...(spec.tokenStatus === undefined ? {} : { tokenStatus: spec.tokenStatus }),
    ...(spec.capture === undefined ? {} : { capture: spec.capture }),
    latencyMs: spec.latencyMs ?? 0,
    faults: [...(spec.faults ?? [])],
  };
}
