// Pure: IP addresses and ranges as integers, and the ranges no ENI value may touch (reserved, special-purpose).
import type { Family } from '../model.ts';
import { ipv4Value, ipv6Groups, parseCidr } from '../net/address.ts';

/**
 * IPv4 ranges no ENI address, gateway or delegated prefix may touch. 0/8 (this host: `from 0.0.0.0` catches
 * every socket without a source yet), 127/8, 169.254/16, 224/4 and 240/4 (with 255.255.255.255) by RFC 1122/
 * 3927/5771/1112; 100.64/10 because Alibaba Cloud forbids it (with 224/4, 127/8 and 169.254/16) as a VPC CIDR
 * block (terraform docs of alicloud_vpc / alicloud_vpc_ipv4_cidr_block, "custom CIDR block other than
 * 100.64.0.0/10, 224.0.0.0/4, 127.0.0.0/8, 169.254.0.0/16") and it holds the cloud's own services: the metadata
 * service 100.100.100.200 and the DNS servers 100.100.2.136/138.
 */
const RESERVED_V4: readonly [string, string][] = [
  ['0.0.0.0/8', 'this-network range 0.0.0.0/8'],
  ['100.64.0.0/10', 'range 100.64.0.0/10 (the cloud services: metadata service, DNS; never a VPC address)'],
  ['127.0.0.0/8', 'loopback range 127.0.0.0/8'],
  ['169.254.0.0/16', 'link-local range 169.254.0.0/16'],
  ['224.0.0.0/4', 'multicast range 224.0.0.0/4'],
  ['240.0.0.0/4', 'reserved range 240.0.0.0/4 (with the broadcast address 255.255.255.255)'],
];
/** IPv6 ranges no ENI address or gateway may touch (RFC 4291): unspecified, loopback, IPv4-mapped, link-local, multicast. */
const RESERVED_V6: readonly [string, string][] = [
  ['::/128', 'the unspecified address ::'],
  ['::1/128', 'the loopback address ::1'],
  ['::ffff:0:0/96', 'the IPv4-mapped range ::ffff:0:0/96'],
  ['fe80::/10', 'link-local range fe80::/10'],
  ['ff00::/8', 'multicast range ff00::/8'],
];

/** A range as two inclusive big integers. */
export interface Range {
  family: Family;
  first: bigint;
  last: bigint;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/**
 * The integer value of an address of `family` (any text canonicalAddress accepts for it), or undefined. Parsed
 * straight to numbers, one BigInt at the end: it runs for every address of every ENI and interface, several times a run.
 */
export function ipValue(address: string, family: Family): bigint | undefined {
  if (family === 4) {
    const value = ipv4Value(address);
    return value === null ? undefined : BigInt(value);
  }
  // ipv6Groups refuses the IPv4-mapped form: such a value is no ENI address ("not a valid address").
  const groups = ipv6Groups(address);
  if (groups === null) return undefined;
  // Four 32-bit words, exact as numbers (< 2^32).
  const word = (index: number) => (groups[index] as number) * 0x10000 + (groups[index + 1] as number);
  return (BigInt(word(0)) << 96n) | (BigInt(word(2)) << 64n) | (BigInt(word(4)) << 32n) | BigInt(word(6));
}

/** `cidr` as a range (host bits ignored), or undefined when it is not a CIDR of `family`. */
export function cidrRange(cidr: string, family: Family): Range | undefined {
  const parsed = parseCidr(cidr, family);
  if (parsed === null) {
    // The IPv4-mapped range itself (parseCidr refuses mapped addresses).
    if (family === 6 && cidr === '::ffff:0:0/96') return { family, first: 0xffffn << 32n, last: (0xffffn << 32n) | 0xffffffffn };
    return undefined;
  }
  const first = ipValue(parsed.cidr.split('/')[0] as string, family);
  if (first === undefined) return undefined;
  const size = 1n << BigInt(BITS[family] - parsed.prefixLength);
  return { family, first, last: first + size - 1n };
}

export const within = (value: bigint, range: Range): boolean => value >= range.first && value <= range.last;
export const overlaps = (a: Range, b: Range): boolean => a.first <= b.last && b.first <= a.last;

const RESERVED: Record<Family, readonly { range: Range; name: string }[]> = {
  4: RESERVED_V4.map(([cidr, name]) => ({ range: cidrRange(cidr, 4) as Range, name })),
  6: RESERVED_V6.map(([cidr, name]) => ({ range: cidrRange(cidr, 6) as Range, name })),
};

/** The reserved ranges of a family with their names. */
export const reservedRanges = (family: Family): readonly { range: Range; name: string }[] => RESERVED[family];

/** The name of the reserved range `address` lies in, or undefined (also for an invalid address). */
export function reservedName(address: string, family: Family): string | undefined {
  const value = ipValue(address, family);
  return value === undefined ? undefined : reservedRanges(family).find((entry) => within(value, entry.range))?.name;
}

