// Tests for the strict address validators: good values, canonical forms and hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cidrContains,
  isValidInterfaceName,
  netmaskToPrefix,
  networkOf,
  parseCidr,
  parseIpv4,
  parseIpv6,
  parseMac,
} from '../../../src/net/address.ts';

const HOSTILE = [
  '',
  ' ',
  '\n',
  '10.0.0.1\nrule del all',
  '10.0.0.1\n',
  '10.0.0.1\r\n',
  ' 10.0.0.1',
  '10.0.0.1 ',
  '10.0.0.1\t',
  '10.0.0.1\0',
  '10.0.0.1;reboot',
  '10.0.0.1/32',
  '-1.0.0.1',
  '+1.0.0.1',
  '１0.0.0.1',
];

test('parseIpv4 accepts strict dotted quads', () => {
  for (const ip of ['0.0.0.0', '10.0.0.1', '255.255.255.255', '192.168.100.200', '1.2.3.4']) {
    assert.equal(parseIpv4(ip), ip);
  }
});

test('parseIpv4 rejects everything else', () => {
  for (const bad of [
    ...HOSTILE,
    '999.1.1.1',
    '256.0.0.0',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.04',
    '00.0.0.0',
    '1..2.3',
    '1.2.3.',
    '.1.2.3',
    '0x1.2.3.4',
    '1e2.0.0.1',
    '1000.0.0.1',
    '::1',
    '::ffff:10.0.0.1',
  ]) {
    assert.equal(parseIpv4(bad), null, JSON.stringify(bad));
  }
});

test('parseIpv6 returns the RFC 5952 form', () => {
  const cases: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2408:4005:325:a204:1875:217f:184a:e4e', '2408:4005:325:a204:1875:217f:184a:e4e'],
    ['2408:4005:0325:A204:0000:0000:0000:0E4E', '2408:4005:325:a204::e4e'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['fe80::', 'fe80::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ];
  for (const [input, expected] of cases) assert.equal(parseIpv6(input), expected, input);
});

test('parseIpv6 rejects hostile and unsupported forms', () => {
  for (const bad of [
    ...HOSTILE,
    ':',
    ':::',
    '1:::2',
    '1::2::3',
    ':1::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::',
    '1::2:3:4:5:6:7:8',
    '12345::',
    'g::1',
    'fe80::1%eth0',
    '[::1]',
    '::ffff:10.0.0.1',
    '::ffff:a00:1',
    '::10.0.0.1',
    '2408::e4e\n',
    '2408::e4e\nrule del all',
    ' 2408::e4e',
    '2408::e4e ',
    '2408::/64',
  ]) {
    assert.equal(parseIpv6(bad), null, JSON.stringify(bad));
  }
});

test('netmaskToPrefix handles contiguous masks only', () => {
  assert.equal(netmaskToPrefix('255.255.255.0'), 24);
  assert.equal(netmaskToPrefix('255.255.255.255'), 32);
  assert.equal(netmaskToPrefix('255.255.240.0'), 20);
  assert.equal(netmaskToPrefix('128.0.0.0'), 1);
  assert.equal(netmaskToPrefix('0.0.0.0'), 0);
  for (const bad of ['255.0.255.0', '255.255.255.1', '0.255.255.255', '255.255.255.0 ', '24', '/24', '255.255.255', '256.0.0.0']) {
    assert.equal(netmaskToPrefix(bad), null, bad);
  }
});

test('networkOf clears host bits', () => {
  assert.equal(networkOf('10.0.1.7', 24, 4), '10.0.1.0/24');
  assert.equal(networkOf('10.0.1.7', 32, 4), '10.0.1.7/32');
  assert.equal(networkOf('10.0.1.7', 0, 4), '0.0.0.0/0');
  assert.equal(networkOf('10.0.0.47', 28, 4), '10.0.0.32/28');
  assert.equal(networkOf('255.255.255.255', 1, 4), '128.0.0.0/1');
  assert.equal(networkOf('2408:4005:325:a204:1875:217f:184a:e4e', 64, 6), '2408:4005:325:a204::/64');
  assert.equal(networkOf('2408:4005:325:a204:1a00:217f:184a:e4e', 80, 6), '2408:4005:325:a204:1a00::/80');
  assert.equal(networkOf('2408:4005:325:a204:ffff::', 70, 6), '2408:4005:325:a204:fc00::/70');
  assert.equal(networkOf('::1', 128, 6), '::1/128');
  assert.equal(networkOf('ffff::1', 0, 6), '::/0');
  assert.throws(() => networkOf('10.0.0.1', 33, 4), TypeError);
  assert.throws(() => networkOf('10.0.0.1\n', 24, 4), TypeError);
  assert.throws(() => networkOf('::1', 129, 6), TypeError);
  assert.throws(() => networkOf('10.0.0.1', 24, 6), TypeError);
});

test('parseCidr keeps the address and derives the network', () => {
  assert.deepEqual(parseCidr('10.0.0.32/28', 4), { address: '10.0.0.32', prefixLength: 28, cidr: '10.0.0.32/28' });
  assert.deepEqual(parseCidr('10.0.0.33/28', 4), { address: '10.0.0.33', prefixLength: 28, cidr: '10.0.0.32/28' });
  assert.deepEqual(parseCidr('0.0.0.0/0', 4), { address: '0.0.0.0', prefixLength: 0, cidr: '0.0.0.0/0' });
  assert.deepEqual(parseCidr('2408:4005:325:A204::/64', 6), {
    address: '2408:4005:325:a204::',
    prefixLength: 64,
    cidr: '2408:4005:325:a204::/64',
  });
  for (const bad of [
    '10.0.0.0',
    '10.0.0.0/',
    '/24',
    '10.0.0.0/33',
    '10.0.0.0/024',
    '10.0.0.0/24/1',
    '10.0.0.0/24\n',
    '10.0.0.0/24 ',
    '10.0.0.0 /24',
    '10.0.0.0/+24',
    '10.0.0.0/2a',
    '10.0.0.0/24\nrule del all',
    '2408::/64',
  ]) {
    assert.equal(parseCidr(bad, 4), null, JSON.stringify(bad));
  }
  for (const bad of ['2408::/129', '2408::', '10.0.0.0/8', 'fe80::/10%eth0', '2408::/64\n']) {
    assert.equal(parseCidr(bad, 6), null, JSON.stringify(bad));
  }
});

test('cidrContains', () => {
  assert.equal(cidrContains('10.0.0.0/24', '10.0.0.255', 4), true);
  assert.equal(cidrContains('10.0.0.0/24', '10.0.1.0', 4), false);
  assert.equal(cidrContains('10.0.0.7/24', '10.0.0.9', 4), true);
  assert.equal(cidrContains('0.0.0.0/0', '1.2.3.4', 4), true);
  assert.equal(cidrContains('10.0.0.0/24', '10.0.0.1\n', 4), false);
  assert.equal(cidrContains('10.0.0.0/24', '::1', 4), false);
  assert.equal(cidrContains('2408:4005:325:a204::/64', '2408:4005:325:a204:1875:217f:184a:e4e', 6), true);
  assert.equal(cidrContains('2408:4005:325:a204::/64', '2408:4005:325:a205::1', 6), false);
  assert.equal(cidrContains('garbage', '10.0.0.1', 4), false);
});

test('parseMac', () => {
  assert.equal(parseMac('00:16:3e:12:e7:01'), '00:16:3e:12:e7:01');
  assert.equal(parseMac('00:16:3E:12:E7:0A'), '00:16:3e:12:e7:0a');
  for (const bad of [
    '',
    '00-16-3e-12-e7-01',
    '00:16:3e:12:e7',
    '00:16:3e:12:e7:01:02',
    '00:16:3e:12:e7:01/',
    '00:16:3e:12:e7:01\n',
    ' 00:16:3e:12:e7:01',
    '00:16:3e:12:e7:1',
    '0016.3e12.e701',
    '00163e12e701',
    '00:16:3e:12:e7:0g',
    '../../../etc',
  ]) {
    assert.equal(parseMac(bad), null, JSON.stringify(bad));
  }
});

test('isValidInterfaceName', () => {
  for (const good of ['eth0', 'eth1', 'ens5', 'a', 'x'.repeat(15), 'veth-1_a.b', '..a']) {
    assert.equal(isValidInterfaceName(good), true, good);
  }
  for (const bad of ['', '.', '..', 'x'.repeat(16), 'eth/0', 'eth 0', 'eth0\n', 'eth0\t', 'eth:0', 'éth0', 'eth0\0', '\x7f']) {
    assert.equal(isValidInterfaceName(bad), false, JSON.stringify(bad));
  }
});
