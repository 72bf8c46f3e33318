// Pure: one ENI's raw metadata values -> typed, canonical EniMetadata (its IPv6 side apart), or every form problem.
//
// Only form is judged here (a value is an address, a list, a contiguous netmask...). Whether the values make sense
// together (addresses and gateway inside the subnet, reserved ranges, the vSwitch block) is the semantic gate's
// (src/plan/gate.ts), the one way to a command line or a file. The IPv6 side keeps its containment checks here:
// a problem there drops only that side (the gate would fail the whole ENI).
import type { EniMetadata, FailedEni, MetadataProblem } from '../../model.ts';
import { canonicalAddress, cidrContains, netmaskToPrefix, networkOf, parseCidr } from '../../net/address.ts';
import { canonicalMac } from '../../net/mac.ts';
import { parseList, parseSingle, trimValue } from './forms.ts';

/** Raw values by metadata item name (`primary-ip-address`...); null = absent (404 on an optional item). */
export type RawEni = Record<string, string | string[] | null>;

/** Items of the IPv6 side: their problems never fail the IPv4 side of the ENI. */
export const IPV6_FIELDS: readonly string[] = ['ipv6s', 'ipv6-gateway', 'vswitch-ipv6-cidr-block', 'ipv6-prefixes'];

export type EniValidation = { ok: true; eni: EniMetadata } | { ok: false; failed: FailedEni };

const ENI_ID = /^eni-[a-z0-9]{1,64}$/;
/** Longest raw value looked at; anything longer is rejected before parsing. */
const MAX_RAW_CHARS = 16384;
const MAX_LIST_ENTRIES = 256;
const PRINTABLE_CHARS = 80;

/** A value made safe to print on one line: control and non-ASCII characters escaped, cut at ~80 characters. */
export function printable(value: string): string {
  const head = value.slice(0, PRINTABLE_CHARS);
  const escaped = head.replace(/[^\x20-\x7e]|\\/g, (char) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };
    return named[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return value.length > PRINTABLE_CHARS ? `${escaped}...(${value.length} chars)` : escaped;
}


class Collector {
  readonly problems: MetadataProblem[] = [];
  constructor(private readonly mac: string) {}

  add(field: string, value: string | string[] | null | undefined, message: string): void {
    const problem: MetadataProblem = { mac: this.mac, field, message };
    if (typeof value === 'string') problem.value = printable(value);
    else if (Array.isArray(value)) problem.value = printable(JSON.stringify(value));
    this.problems.push(problem);
  }

  /** The raw value as delivered (size-checked), or null when absent. */
  raw(raw: RawEni, field: string): string | string[] | null {
    const value = raw[field] ?? null;
    if (value === null) return null;
    const size = typeof value === 'string' ? value.length : value.reduce((sum, item) => sum + item.length + 1, 0);
    if (size > MAX_RAW_CHARS) {
      this.add(field, value, `value too long (${size} characters)`);
      return null;
    }
    return value;
  }

  /** A required single value, trimmed of surrounding whitespace. */
  single(raw: RawEni, field: string): string | null {
    const value = this.raw(raw, field);
    if (value === null) {
      if (raw[field] == null) this.add(field, undefined, 'missing');
      return null;
    }
    const text = parseSingle(value);
    if (text === null) {
      this.add(field, value, 'expected a single value, got a list');
      return null;
    }
    if (text === '') this.add(field, value, 'empty');
    return text === '' ? null : text;
  }

  /** An optional single value: null when absent (404); problems as for `single` otherwise. */
  optionalSingle(raw: RawEni, field: string): string | null {
    return raw[field] == null ? null : this.single(raw, field);
  }

  /** A list in any known form (see forms.ts). Optional lists default to []. */
  list(raw: RawEni, field: string, required = false): string[] | null {
    const value = this.raw(raw, field);
    if (value === null && raw[field] == null && required) this.add(field, undefined, 'missing');
    if (value === null) return raw[field] == null && !required ? [] : null;
    const items = parseList(value);
    if (items === null) {
      this.add(field, value, 'not a list in a known format (JSON array, one entry per line, comma-separated or a single entry)');
      return null;
    }
    if (items.length === 0 && required) {
      this.add(field, value, 'empty');
      return null;
    }
    if (items.length > MAX_LIST_ENTRIES) {
      this.add(field, value, `too many entries (${items.length}, at most ${MAX_LIST_ENTRIES})`);
      return null;
    }
    return items;
  }
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/**
 * Validates each entry as a CIDR in canonical network form; reports the first bad entry. With `subnet` (the IPv6
 * side only), each must also lie inside it; IPv4 prefixes are judged against the subnet by the gate.
 */
function prefixes(c: Collector, field: string, items: string[] | null, family: 4 | 6, subnet: string | null): string[] {
  const result: string[] = [];
  for (const item of items ?? []) {
    const parsed = parseCidr(item, family);
    if (parsed === null) {
      c.add(field, item, `not a valid IPv${family} prefix`);
      return [];
    }
    if (`${parsed.address}/${parsed.prefixLength}` !== parsed.cidr) {
      c.add(field, item, `host bits set: the prefix is ${parsed.cidr}`);
      return [];
    }
    // Without a valid subnet the ENI fails on that field already; the prefix is not judged twice.
    if (subnet !== null && (parsed.prefixLength <= Number(subnet.split('/')[1]) || !cidrContains(subnet, parsed.address, family))) {
      c.add(field, item, `not a prefix inside the subnet ${subnet}`);
      return [];
    }
    result.push(parsed.cidr);
  }
  return unique(result);
}

/** Canonical addresses of a list; stops at (and reports) the first entry that is not an address. */
function addresses(c: Collector, field: string, items: string[] | null, family: 4 | 6): string[] {
  const result: string[] = [];
  for (const item of items ?? []) {
    const ip = canonicalAddress(item, family);
    if (ip === null) {
      c.add(field, item, `not a valid IPv${family} address`);
      break;
    }
    result.push(ip);
  }
  return result;
}

function ipv4Part(c: Collector, raw: RawEni) {
  const primaryText = c.single(raw, 'primary-ip-address');
  const primary = primaryText === null ? null : canonicalAddress(primaryText, 4);
  if (primaryText !== null && primary === null) c.add('primary-ip-address', primaryText, 'not a valid IPv4 address');

  const listed = c.list(raw, 'private-ipv4s', true);
  const ips = addresses(c, 'private-ipv4s', listed, 4);
  if (listed !== null && ips.length === listed.length && primary !== null && !ips.includes(primary)) {
    // A list without the primary (or an empty one) is malformed, never "no secondary IPs": nothing is removed on it.
    c.add('private-ipv4s', JSON.stringify(listed), `does not list the primary IP ${primary}`);
  }
  const privateIps = unique(primary === null ? ips : [primary, ...ips]);

  const maskText = c.single(raw, 'netmask');
  const prefixLength = maskText === null ? null : netmaskToPrefix(maskText);
  if (maskText !== null && (prefixLength === null || prefixLength < 8)) c.add('netmask', maskText, 'not a contiguous netmask of /8 to /32');
  // Addresses outside this subnet are the gate's to reject.
  const subnet = primary !== null && prefixLength ? networkOf(primary, prefixLength, 4) : null;

  const gatewayText = c.single(raw, 'gateway');
  const gateway = gatewayText === null ? null : canonicalAddress(gatewayText, 4);
  if (gatewayText !== null && gateway === null) c.add('gateway', gatewayText, 'not a valid IPv4 address');

  const ipv4Prefixes = prefixes(c, 'ipv4-prefixes', c.list(raw, 'ipv4-prefixes'), 4, null);

  // Read for the semantic gate (does it agree with the netmask?); here only its form is checked. Optional.
  const vswitchText = c.optionalSingle(raw, 'vswitch-cidr-block');
  const vswitchBlock = vswitchText === null ? null : parseCidr(vswitchText, 4);
  if (vswitchText !== null && vswitchBlock === null) c.add('vswitch-cidr-block', vswitchText, 'not a valid IPv4 CIDR');
  return { primary, privateIps, prefixLength, subnet, gateway, ipv4Prefixes, vswitchCidrBlock: vswitchBlock?.cidr };
}

function ipv6Part(c: Collector, raw: RawEni) {
  const ipv6s = addresses(c, 'ipv6s', c.list(raw, 'ipv6s'), 6);
  if (ipv6s.length === 0) return { ipv6s, ipv6Prefixes: [] };

  const gatewayText = c.single(raw, 'ipv6-gateway');
  const gateway = gatewayText === null ? null : canonicalAddress(gatewayText, 6);
  if (gatewayText !== null && gateway === null) c.add('ipv6-gateway', gatewayText, 'not a valid IPv6 address');

  const blockText = c.single(raw, 'vswitch-ipv6-cidr-block');
  const block = blockText === null ? null : parseCidr(blockText, 6);
  if (blockText !== null && (block === null || block.prefixLength < 32)) c.add('vswitch-ipv6-cidr-block', blockText, 'not a valid IPv6 CIDR of /32 or longer');
  const subnet = block !== null && block.prefixLength >= 32 ? block.cidr : null;
  const outside = subnet === null ? undefined : ipv6s.find((ip) => !cidrContains(subnet, ip, 6));
  if (outside !== undefined) c.add('ipv6s', outside, `address outside the vSwitch IPv6 block ${subnet}`);

  const ipv6Prefixes = prefixes(c, 'ipv6-prefixes', c.list(raw, 'ipv6-prefixes'), 6, subnet);
  return { ipv6s: unique(ipv6s), gateway, subnet, ipv6Prefixes };
}

/**
 * Validates one ENI. Any invalid IPv4-side value fails the whole ENI, with a problem naming mac, field and (safe)
 * value. A problem of the IPv6 side only drops that side: the ENI keeps its IPv4 side and carries `ipv6Problems`.
 */
export function validateEni(mac: string, raw: RawEni): EniValidation {
  const macText = canonicalMac(trimValue(mac));
  const c = new Collector(macText ?? printable(mac));
  if (macText === null) c.add('mac', mac, 'not a valid MAC address');

  const eniIdText = c.single(raw, 'network-interface-id');
  const eniId = eniIdText !== null && ENI_ID.test(eniIdText) ? eniIdText : null;
  if (eniIdText !== null && eniId === null) c.add('network-interface-id', eniIdText, 'not an ENI id (eni-...)');

  const v4 = ipv4Part(c, raw);
  const c6 = new Collector(macText ?? printable(mac));
  const v6 = ipv6Part(c6, raw);

  const { primary, prefixLength, subnet, gateway } = v4;
  if (c.problems.length > 0 || macText === null || eniId === null || primary === null || prefixLength === null || subnet === null || gateway === null) {
    const failed: FailedEni = { mac: macText ?? printable(mac), problems: [...c.problems, ...c6.problems] };
    if (eniId !== null) failed.eniId = eniId;
    if (failed.problems.length === 0) failed.problems.push({ mac: failed.mac, field: 'mac', message: 'incomplete metadata' });
    return { ok: false, failed };
  }
  const eni: EniMetadata = {
    mac: macText,
    eniId,
    primaryIp: primary,
    privateIpv4s: v4.privateIps,
    prefixLength,
    gateway,
    subnet,
    ipv4Prefixes: v4.ipv4Prefixes,
    ipv6s: [],
    ipv6Prefixes: [],
  };
  if (v4.vswitchCidrBlock !== undefined) eni.vswitchCidrBlock = v4.vswitchCidrBlock;
  if (c6.problems.length > 0) {
    eni.ipv6Problems = c6.problems;
  } else if (v6.ipv6s.length > 0 && v6.gateway && v6.subnet) {
    eni.ipv6s = v6.ipv6s;
    eni.ipv6Prefixes = v6.ipv6Prefixes;
    eni.ipv6Gateway = v6.gateway;
    eni.ipv6Subnet = v6.subnet;
  }
  return { ok: true, eni };
}

/** Marks the IPv6 side of an ENI as unknown (its items could not be read): that side is dropped, nothing of it removed. */
export function withIpv6Unknown(eni: EniMetadata, problems: readonly MetadataProblem[]): EniMetadata {
  const { ipv6Gateway: _gateway, ipv6Subnet: _subnet, ...rest } = eni;
  return { ...rest, ipv6s: [], ipv6Prefixes: [], ipv6Problems: [...(eni.ipv6Problems ?? []), ...problems] };
}
