// Pure: one ENI's raw metadata values -> a validated EniMetadata, or every problem found (the ENI then fails whole).
import type { EniMetadata, FailedEni, MetadataProblem } from '../model.ts';
import { cidrContains, netmaskToPrefix, networkOf, parseCidr, parseIpv4, parseIpv6, parseMac } from '../net/address.ts';

/** Raw values by metadata item name (`primary-ip-address`...); null = absent (404 on an optional item). */
export type RawEni = Record<string, string | string[] | null>;

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

/** Drops one trailing `\n` or `\r\n`, nothing else. */
/** Drops one trailing LF or CRLF (the service may or may not send one), nothing else. */
export function trimOneNewline(value: string): string {
  if (value.endsWith('\r\n')) return value.slice(0, -2);
  return value.endsWith('\n') ? value.slice(0, -1) : value;
}

type Quoting = 'quoted' | 'bare' | 'either';

/** `[a, b]` / `["a","b"]` -> items; null if the text is not a bracketed list of that quoting. */
function parseBracketList(text: string, quoting: Quoting): string[] | null {
  if (!text.startsWith('[') || !text.endsWith(']')) return null;
  const inner = text.slice(1, -1).replace(/^ +| +$/g, '');
  if (inner === '') return [];
  const items = inner.split(/ *, */);
  const quoted = items.map((item) => /^"[^"\\]*"$/.test(item));
  const allQuoted = quoted.every(Boolean);
  const noneQuoted = !quoted.some(Boolean);
  if ((quoting === 'quoted' && !allQuoted) || (quoting === 'bare' && !noneQuoted) || (!allQuoted && !noneQuoted)) return null;
  return allQuoted ? items.map((item) => item.slice(1, -1)) : items;
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

  /** The raw value: a string with one trailing newline removed, a list as given, or null when absent. */
  raw(raw: RawEni, field: string): string | string[] | null {
    const value = raw[field] ?? null;
    if (value === null) return null;
    const size = typeof value === 'string' ? value.length : value.reduce((sum, item) => sum + item.length + 1, 0);
    if (size > MAX_RAW_CHARS) {
      this.add(field, value, `value too long (${size} characters)`);
      return null;
    }
    return typeof value === 'string' ? trimOneNewline(value) : value;
  }

  /** A required single value. */
  single(raw: RawEni, field: string): string | null {
    const value = this.raw(raw, field);
    if (value === null) {
      if (raw[field] == null) this.add(field, undefined, 'missing');
      return null;
    }
    if (typeof value !== 'string') {
      this.add(field, value, 'expected a single value, got a list');
      return null;
    }
    if (value === '') this.add(field, value, 'empty');
    return value === '' ? null : value;
  }

  /** A list item: a JSON-style list or a list as given; `shapes` says which text forms are accepted. Optional lists default to []. */
  list(raw: RawEni, field: string, shapes: { quoting: Quoting; separators: boolean; bare: boolean; required?: boolean }): string[] | null {
    const value = this.raw(raw, field);
    if (value === null && raw[field] == null && shapes.required) this.add(field, undefined, 'missing');
    if (value === null) return raw[field] == null && !shapes.required ? [] : null;
    let items: string[] | null;
    if (value === '' && shapes.required) {
      this.add(field, value, 'empty');
      return null;
    }
    if (Array.isArray(value)) items = value;
    else if (value === '') items = [];
    else if (value.startsWith('[')) items = parseBracketList(value, shapes.quoting);
    else if (shapes.separators) items = value.split(value.includes('\n') ? /\r?\n/ : / *, */);
    else items = shapes.bare && !value.includes(',') ? [value] : null;
    if (items === null) {
      this.add(field, value, 'not a list in a known format');
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
 * Validates each entry as a CIDR in canonical network form inside the ENI's subnet (a delegated prefix is
 * carved out of the vSwitch; `0.0.0.0/0` would steer all traffic); reports the first bad entry.
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
  const parse = family === 4 ? parseIpv4 : parseIpv6;
  const result: string[] = [];
  for (const item of items ?? []) {
    const ip = parse(item);
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
  const primary = primaryText === null ? null : parseIpv4(primaryText);
  if (primaryText !== null && primary === null) c.add('primary-ip-address', primaryText, 'not a valid IPv4 address');

  const listed = c.list(raw, 'private-ipv4s', { quoting: 'quoted', separators: false, bare: false, required: true });
  const ips = addresses(c, 'private-ipv4s', listed, 4);
  if (listed !== null && ips.length === listed.length && primary !== null && !ips.includes(primary)) {
    // A list without the primary (or an empty one) is malformed, never "no secondary IPs": nothing is removed on it.
    c.add('private-ipv4s', JSON.stringify(listed), `does not list the primary IP ${primary}`);
  }
  const privateIps = unique(primary === null ? ips : [primary, ...ips]);

  const maskText = c.single(raw, 'netmask');
  const prefixLength = maskText === null ? null : netmaskToPrefix(maskText);
  if (maskText !== null && (prefixLength === null || prefixLength < 8)) c.add('netmask', maskText, 'not a contiguous netmask of /8 to /32');
  const subnet = primary !== null && prefixLength ? networkOf(primary, prefixLength, 4) : null;
  if (subnet !== null) {
    const outside = privateIps.find((ip) => !cidrContains(subnet, ip, 4));
    if (outside !== undefined) c.add('private-ipv4s', outside, `address outside the subnet ${subnet}`);
  }

  const gatewayText = c.single(raw, 'gateway');
  const gateway = gatewayText === null ? null : parseIpv4(gatewayText);
  if (gatewayText !== null && gateway === null) c.add('gateway', gatewayText, 'not a valid IPv4 address');
  if (gateway !== null && subnet !== null && !cidrContains(subnet, gateway, 4)) {
    c.add('gateway', gateway, `gateway outside the subnet ${subnet}`);
  }
  if (gateway !== null && privateIps.includes(gateway)) c.add('gateway', gateway, 'gateway equals a private IP of the ENI');

  const ipv4Prefixes = prefixes(c, 'ipv4-prefixes', c.list(raw, 'ipv4-prefixes', { quoting: 'either', separators: true, bare: true }), 4, subnet);
  return { primary, privateIps, prefixLength, subnet, gateway, ipv4Prefixes };
}

function ipv6Part(c: Collector, raw: RawEni) {
  const ipv6s = addresses(c, 'ipv6s', c.list(raw, 'ipv6s', { quoting: 'either', separators: false, bare: true }), 6);
  if (ipv6s.length === 0) return { ipv6s, ipv6Prefixes: [] };

  const gatewayText = c.single(raw, 'ipv6-gateway');
  const gateway = gatewayText === null ? null : parseIpv6(gatewayText);
  if (gatewayText !== null && gateway === null) c.add('ipv6-gateway', gatewayText, 'not a valid IPv6 address');

  const blockText = c.single(raw, 'vswitch-ipv6-cidr-block');
  const block = blockText === null ? null : parseCidr(blockText, 6);
  if (blockText !== null && (block === null || block.prefixLength < 32)) c.add('vswitch-ipv6-cidr-block', blockText, 'not a valid IPv6 CIDR of /32 or longer');
  const subnet = block !== null && block.prefixLength >= 32 ? block.cidr : null;
  const outside = subnet === null ? undefined : ipv6s.find((ip) => !cidrContains(subnet, ip, 6));
  if (outside !== undefined) c.add('ipv6s', outside, `address outside the vSwitch IPv6 block ${subnet}`);

  const ipv6Prefixes = prefixes(c, 'ipv6-prefixes', c.list(raw, 'ipv6-prefixes', { quoting: 'either', separators: true, bare: true }), 6, subnet);
  return { ipv6s: unique(ipv6s), gateway, subnet, ipv6Prefixes };
}

/** Validates one ENI. Any invalid value fails the whole ENI, with a problem naming mac, field and (safe) value. */
export function validateEni(mac: string, raw: RawEni): EniValidation {
  const canonicalMac = parseMac(mac);
  const c = new Collector(canonicalMac ?? printable(mac));
  if (canonicalMac === null) c.add('mac', mac, 'not a valid MAC address');

  const eniIdText = c.single(raw, 'network-interface-id');
  const eniId = eniIdText !== null && ENI_ID.test(eniIdText) ? eniIdText : null;
  if (eniIdText !== null && eniId === null) c.add('network-interface-id', eniIdText, 'not an ENI id (eni-...)');

  const v4 = ipv4Part(c, raw);
  const v6 = ipv6Part(c, raw);

  const { primary, prefixLength, subnet, gateway } = v4;
  if (c.problems.length > 0 || canonicalMac === null || eniId === null || primary === null || prefixLength === null || subnet === null || gateway === null) {
    const failed: FailedEni = { mac: canonicalMac ?? printable(mac), problems: c.problems };
    if (eniId !== null) failed.eniId = eniId;
    if (failed.problems.length === 0) failed.problems.push({ mac: failed.mac, field: 'mac', message: 'incomplete metadata' });
    return { ok: false, failed };
  }
  const eni: EniMetadata = {
    mac: canonicalMac,
    eniId,
    primaryIp: primary,
    privateIpv4s: v4.privateIps,
    prefixLength,
    gateway,
    subnet,
    ipv4Prefixes: v4.ipv4Prefixes,
    ipv6s: v6.ipv6s,
    ipv6Prefixes: v6.ipv6Prefixes,
  };
  if (v6.ipv6s.length > 0 && v6.gateway && v6.subnet) {
    eni.ipv6Gateway = v6.gateway;
    eni.ipv6Subnet = v6.subnet;
  }
  return { ok: true, eni };
}

/**
 * An address or prefix listed by two ENIs is broken or hostile metadata (eth1 claiming eth0's IP would steer
 * the primary's traffic out of eth1): every ENI involved fails, no owner is guessed.
 */
export function rejectSharedAddresses(enis: readonly EniMetadata[]): { enis: EniMetadata[]; failed: FailedEni[] } {
  const owners = new Map<string, string[]>();
  for (const eni of enis) {
    for (const item of new Set([...eni.privateIpv4s, ...eni.ipv4Prefixes, ...eni.ipv6s, ...eni.ipv6Prefixes])) {
      owners.set(item, [...(owners.get(item) ?? []), eni.mac]);
    }
  }
  const kept: EniMetadata[] = [];
  const failed: FailedEni[] = [];
  for (const eni of enis) {
    const problems: MetadataProblem[] = [];
    for (const [item, macs] of owners) {
      if (macs.length > 1 && macs.includes(eni.mac)) {
        const others = macs.filter((mac) => mac !== eni.mac).join(', ');
        problems.push({ mac: eni.mac, field: 'private-ipv4s', value: item, message: `also listed by the ENI with MAC ${others}` });
      }
    }
    if (problems.length === 0) kept.push(eni);
    else failed.push({ mac: eni.mac, eniId: eni.eniId, problems });
  }
  return { enis: kept, failed };
}
