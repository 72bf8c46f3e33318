// Pure, strict validators and canonicalizers for IP addresses, CIDRs and netmasks: the one rule for each.
import type { Family } from '../model.ts';

const IPV6_CHARS = /^[0-9a-fA-F:]{2,39}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;

const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * The value of a strict dotted quad (four parts of 0-255, no leading zeros, no sign, no whitespace), or null.
 * One pass over the characters: it runs for every address of every ENI, several times a run.
 */
export function ipv4Value(text: string): number | null {
  const length = text.length;
  if (length < 7 || length > 15) return null;
  let value = 0;
  let parts = 0;
  let i = 0;
  while (i <= length) {
    const start = i;
    let octet = 0;
    while (i < length) {
      const code = text.charCodeAt(i);
      if (code < ZERO || code > NINE) break;
      octet = octet * 10 + (code - ZERO);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && text.charCodeAt(start) === ZERO)) return null;
    value = value * 256 + octet;
    parts++;
    if (i === length) break;
    if (text.charCodeAt(i) !== DOT || parts === 4) return null;
    i++;
  }
  return parts === 4 ? value : null;
}

function intToIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Strict dotted quad (no leading zeros, no whitespace); returns the canonical form or null. */
function parseIpv4(text: string): string | null {
  // A strict dotted quad is its own canonical form.
  return ipv4Value(text) === null ? null : text;
}

/** The eight 16-bit groups of an IPv6 address, or null. Dotted IPv4 tails and zone ids are rejected. */
function ipv6ToGroups(text: string): number[] | null {
  if (!IPV6_CHARS.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (half: string): number[] | null => {
    if (half === '') return [];
    const groups: number[] = [];
    for (const group of half.split(':')) {
      if (!HEX_GROUP.test(group)) return null;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  const head = parse(halves[0] ?? '');
  if (head === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const tail = parse(halves[1] ?? '');
  if (tail === null || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952: lowercase, no leading zeros, the longest run (>= 2) of zero groups compressed, the first on a tie. */
function groupsToIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => groups.slice(from, to).map((group) => group.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

/**
 * Strict IPv6; returns the canonical RFC 5952 form or null. Rejects zone ids, whitespace, dotted IPv4 tails
 * and IPv4-mapped addresses (`::ffff:0:0/96`), which never belong on an ENI.
 */
function parseIpv6(text: string): string | null {
  const groups = ipv6Groups(text);
  return groups === null ? null : groupsToIpv6(groups);
}

/** The eight 16-bit groups of a strict IPv6 address (the rules of canonicalAddress: no IPv4-mapped form), or null. */
export function ipv6Groups(text: string): number[] | null {
  const groups = ipv6ToGroups(text);
  return groups === null || isIpv4Mapped(groups) ? null : groups;
}

/**
 * The one canonical text of an IP address: a dotted quad without leading zeros, or RFC 5952 IPv6 (lowercase,
 * longest zero run compressed). Null for anything else, including whitespace, zone ids (`%eth0`), dotted IPv4
 * tails and IPv4-mapped IPv6 addresses (never an ENI's). Without `family`, either family is accepted.
 */
export function canonicalAddress(text: string, family?: Family): string | null {
  if (family === 4) return parseIpv4(text);
  if (family === 6) return parseIpv6(text);
  return parseIpv4(text) ?? parseIpv6(text);
}

/** `255.255.255.0` -> 24; null for anything that is not a contiguous IPv4 netmask. */
export function netmaskToPrefix(mask: string): number | null {
  const value = ipv4Value(mask);
  if (value === null) return null;
  const inverted = ~value >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return null;
  let hostBits = 0;
  for (let rest = inverted; rest !== 0; rest >>>= 1) hostBits++;
  return 32 - hostBits;
}

/** The prefix length of one host address, also the longest prefix of the family: 32 or 128. */
export function hostPrefix(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** The canonical CIDR of the network containing ip: `networkOf('10.0.1.7', 24, 4) === '10.0.1.0/24'`. Throws on invalid input. */
export function networkOf(ip: string, prefixLength: number, family: Family): string {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > hostPrefix(family)) {
    throw new TypeError(`invalid IPv${family} prefix length: ${JSON.stringify(prefixLength)}`);
  }
  if (family === 4) {
    const value = ipv4Value(ip);
    if (value === null) throw new TypeError(`invalid IPv4 address: ${JSON.stringify(ip)}`);
    const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
    return `${intToIpv4((value & mask) >>> 0)}/${prefixLength}`;
  }
  const groups = parseIpv6(ip) === null ? null : ipv6ToGroups(ip);
  if (groups === null) throw new TypeError(`invalid IPv6 address: ${JSON.stringify(ip)}`);
  const masked = groups.map((group, index) => {
    const bits = Math.min(16, Math.max(0, prefixLength - index * 16));
    return bits === 0 ? 0 : group & ((0xffff << (16 - bits)) & 0xffff);
  });
  return `${groupsToIpv6(masked)}/${prefixLength}`;
}

/**
 * Strict `address/prefix`. `address` is the canonical form of the address as given (host bits kept);
 * `cidr` is the network containing it (host bits cleared). Callers decide whether both must agree.
 */
export function parseCidr(text: string, family: Family): { address: string; prefixLength: number; cidr: string } | null {
  const parts = text.split('/');
  if (parts.length !== 2) return null;
  const [rawAddress = '', rawPrefix = ''] = parts;
  if (!PREFIX_LENGTH.test(rawPrefix)) return null;
  const prefixLength = Number(rawPrefix);
  if (prefixLength > hostPrefix(family)) return null;
  const address = family === 4 ? parseIpv4(rawAddress) : parseIpv6(rawAddress);
  if (address === null) return null;
  return { address, prefixLength, cidr: networkOf(address, prefixLength, family) };
}

/** True when ip lies inside cidr; false for any invalid input. */
export function cidrContains(cidr: string, ip: string, family: Family): boolean {
  const parsed = parseCidr(cidr, family);
  const address = family === 4 ? parseIpv4(ip) : parseIpv6(ip);
  if (parsed === null || address === null) return false;
  return networkOf(address, parsed.prefixLength, family) === parsed.cidr;
}
