// Addresses and ranges as integers, and the reserved ranges no ENI value may touch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalAddress } from '../../../src/net/address.ts';
import type { Family } from '../../../src/model.ts';
import { cidrRange, ipValue, overlaps, reservedName, reservedRanges, within } from '../../../src/plan/ranges.ts';

test('integer values of addresses; anything not a canonical address of the family is undefined', () => {
  assert.equal(ipValue('10.0.0.1', 4), 0x0a000001n);
  assert.equal(ipValue('255.255.255.255', 4), 0xffffffffn);
  assert.equal(ipValue('::1', 6), 1n);
  assert.equal(ipValue('fd00::1:0', 6), (0xfd00n << 112n) | 0x10000n);
  assert.equal(ipValue('2001:db8::', 6), (0x2001n << 112n) | (0xdb8n << 96n));
  assert.equal(ipValue('10.0.0.01', 4), undefined);
  assert.equal(ipValue('10.0.0.1', 6), undefined);
  assert.equal(ipValue('::ffff:10.0.0.1', 6), undefined, 'the IPv4-mapped form is no ENI address');
});

/** The BigInt reduce over the canonical form that ipValue's number parse replaced, kept here as the reference. */
function referenceIpValue(address: string, family: Family): bigint | undefined {
  const canonical = canonicalAddress(address, family);
  if (canonical === null) return undefined;
  if (family === 4) return canonical.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
  const [head = '', tail] = canonical.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':').map((group) => BigInt(parseInt(group, 16))));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  return [...front, ...new Array<bigint>(8 - front.length - back.length).fill(0n), ...back].reduce((value, group) => (value << 16n) | group, 0n);
}

test('ipValue agrees with the reference over addresses, near-addresses and anything else, in both families', () => {
  const text = fc.oneof(
    fc.ipV4(),
    fc.ipV4Extended(),
    fc.ipV6(),
    fc.ipV6().map((ip) => ip.toUpperCase()),
    fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', ':', 'a', 'f', 'F', ' ', '+', '%'), maxLength: 24 }),
    fc.string(),
  );
  fc.assert(
    fc.property(text, (address) => {
      for (const family of [4, 6] as const) assert.equal(ipValue(address, family), referenceIpValue(address, family), `${family} ${JSON.stringify(address)}`);
    }),
    { numRuns: 2000 },
  );
});

test('a CIDR as an inclusive range, host bits ignored; within and overlaps', () => {
  assert.deepEqual(cidrRange('10.0.0.7/24', 4), { family: 4, first: 0x0a000000n, last: 0x0a0000ffn });
  assert.deepEqual(cidrRange('10.0.0.7/32', 4), { family: 4, first: 0x0a000007n, last: 0x0a000007n });
  assert.deepEqual(cidrRange('fd00::/64', 6), { family: 6, first: 0xfd00n << 112n, last: (0xfd00n << 112n) + (1n << 64n) - 1n });
  assert.deepEqual(cidrRange('::ffff:0:0/96', 6), { family: 6, first: 0xffffn << 32n, last: (0xffffn << 32n) | 0xffffffffn });
  assert.equal(cidrRange('10.0.0.0/33', 4), undefined);
  assert.equal(cidrRange('10.0.0.0', 4), undefined);
  const net = cidrRange('10.0.0.0/24', 4) as NonNullable<ReturnType<typeof cidrRange>>;
  assert.equal(within(0x0a0000ffn, net), true);
  assert.equal(within(0x0a000100n, net), false);
  assert.equal(overlaps(net, cidrRange('10.0.0.128/25', 4) as typeof net), true);
  assert.equal(overlaps(net, cidrRange('10.0.1.0/24', 4) as typeof net), false);
});

test('reserved ranges by name; an ordinary or invalid address is in none', () => {
  assert.equal(reservedName('100.100.100.200', 4)?.startsWith('range 100.64.0.0/10'), true);
  assert.equal(reservedName('0.1.2.3', 4), 'this-network range 0.0.0.0/8');
  assert.equal(reservedName('127.0.0.1', 4), 'loopback range 127.0.0.0/8');
  assert.equal(reservedName('127.255.255.254', 4), 'loopback range 127.0.0.0/8', 'the whole /8');
  assert.equal(reservedName('255.255.255.255', 4)?.startsWith('reserved range 240.0.0.0/4'), true);
  assert.equal(reservedName('239.1.1.1', 4), 'multicast range 224.0.0.0/4');
  assert.equal(reservedName('100.63.255.255', 4), undefined, 'just below 100.64/10');
  assert.equal(reservedName('10.0.0.1', 4), undefined);
  assert.equal(reservedName('fe80::1', 6), 'link-local range fe80::/10');
  assert.equal(reservedName('::', 6), 'the unspecified address ::');
  assert.equal(reservedName('ff02::1', 6), 'multicast range ff00::/8');
  assert.equal(reservedName('fd00::1', 6), undefined);
  assert.equal(reservedName('not an address', 4), undefined);
  assert.equal(reservedRanges(4).length, 6);
  assert.equal(reservedRanges(6).length, 5);
});
