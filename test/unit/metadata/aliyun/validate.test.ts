// Tests for per-ENI metadata validation: good shapes from the service and hostile values that must fail the ENI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printable, validateEni } from '../../../../src/metadata/aliyun/validate.ts';
import type { RawEni } from '../../../../src/metadata/aliyun/validate.ts';

const MAC = '00:16:3e:12:e7:01';

function raw(overrides: RawEni = {}): RawEni {
  return {
    'network-interface-id': 'eni-bp1b2c0jvnj0g17bxxxx',
    'primary-ip-address': '10.0.0.20',
    'private-ipv4s': '["10.0.0.20","10.0.0.21"]',
    netmask: '255.255.255.0',
    gateway: '10.0.0.253',
    'ipv4-prefixes': null,
    ipv6s: null,
    ...overrides,
  };
}

function ok(input: RawEni, mac = MAC) {
  const result = validateEni(mac, input);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.failed));
  return result.eni;
}

function fails(input: RawEni, field: string) {
  const result = validateEni(MAC, input);
  assert.ok(!result.ok, `expected failure on ${field}`);
  assert.ok(
    result.failed.problems.some((problem) => problem.field === field),
    `no problem for ${field}: ${JSON.stringify(result.failed.problems)}`,
  );
  for (const problem of result.failed.problems) {
    assert.equal(problem.mac, MAC);
    assert.ok(problem.message.length > 0);
    if (problem.value !== undefined) assert.match(problem.value, /^[\x20-\x7e]*$/, 'value must be printable');
    if (problem.value !== undefined) assert.ok(problem.value.length < 120, 'value must be truncated');
  }
  return result.failed;
}

test('a typical ENI validates', () => {
  assert.deepEqual(ok(raw()), {
    mac: MAC,
    eniId: 'eni-bp1b2c0jvnj0g17bxxxx',
    primaryIp: '10.0.0.20',
    privateIpv4s: ['10.0.0.20', '10.0.0.21'],
    prefixLength: 24,
    gateway: '10.0.0.253',
    subnet: '10.0.0.0/24',
    ipv4Prefixes: [],
    ipv6s: [],
    ipv6Prefixes: [],
  });
});

test('tolerated shapes: trailing newline, spaced JSON, primary not first, duplicates, arrays, upper-case MAC', () => {
  const eni = ok(
    raw({
      'network-interface-id': 'eni-abc\n',
      'primary-ip-address': '10.0.0.20\r\n',
      'private-ipv4s': '["10.0.0.22", "10.0.0.21", "10.0.0.20", "10.0.0.22"]\n',
      netmask: '255.255.255.0\n',
    }),
    '00:16:3E:12:E7:01',
  );
  assert.equal(eni.mac, MAC);
  assert.equal(eni.eniId, 'eni-abc');
  assert.deepEqual(eni.privateIpv4s, ['10.0.0.20', '10.0.0.22', '10.0.0.21']);
  assert.deepEqual(ok(raw({ 'private-ipv4s': ['10.0.0.21', '10.0.0.20'] })).privateIpv4s, ['10.0.0.20', '10.0.0.21']);
});

test('every value form seen in the wild: whitespace trimmed, lists in JSON, pretty, bare, line, comma forms', () => {
  const forms = [
    '["10.0.0.20","10.0.0.21"]',
    '["10.0.0.20", "10.0.0.21"]',
    '[\n  "10.0.0.20",\n  "10.0.0.21"\n]\n',
    '[10.0.0.20, 10.0.0.21]',
    '10.0.0.20\r\n10.0.0.21\r\n',
    '10.0.0.20\n10.0.0.21',
    '10.0.0.20,10.0.0.21',
    ' 10.0.0.20 , 10.0.0.21 ',
    ['10.0.0.20', '10.0.0.21'],
    [' 10.0.0.20\r\n', '10.0.0.21'],
  ];
  for (const form of forms) assert.deepEqual(ok(raw({ 'private-ipv4s': form })).privateIpv4s, ['10.0.0.20', '10.0.0.21'], JSON.stringify(form));
  assert.deepEqual(ok(raw({ 'private-ipv4s': ' 10.0.0.20\n' })).privateIpv4s, ['10.0.0.20'], 'a bare single address');
  const spaced = ok(raw({ 'primary-ip-address': ' 10.0.0.20\r\n', netmask: '\t255.255.255.0 ', gateway: '10.0.0.253\n\n', 'network-interface-id': 'eni-bp1b2c0jvnj0g17bxxxx\r\n' }));
  assert.deepEqual([spaced.primaryIp, spaced.prefixLength, spaced.gateway], ['10.0.0.20', 24, '10.0.0.253']);
  const v6 = { 'ipv6-gateway': '2408:4005:325:a204:ffff:ffff:ffff:fff7\n', 'vswitch-ipv6-cidr-block': '2408:4005:325:a204::/64' };
  for (const form of ['[2408:4005:325:a204::1,2408:4005:325:a204::2]', '["2408:4005:325:a204::1", "2408:4005:325:a204::2"]', '2408:4005:325:a204::1\r\n2408:4005:325:a204::2', ['2408:4005:325:a204::1', '2408:4005:325:a204::2']]) {
    assert.deepEqual(ok(raw({ ...v6, ipv6s: form })).ipv6s, ['2408:4005:325:a204::1', '2408:4005:325:a204::2'], JSON.stringify(form));
  }
  assert.deepEqual(ok(raw({ 'ipv4-prefixes': '10.0.0.32/28\n\n10.0.0.48/28\n' })).ipv4Prefixes, ['10.0.0.32/28', '10.0.0.48/28']);
  assert.equal(ok(raw({ 'vswitch-cidr-block': '10.0.0.0/24\n' })).vswitchCidrBlock, '10.0.0.0/24');
  assert.equal(ok(raw({ 'vswitch-cidr-block': null })).vswitchCidrBlock, undefined);
  assert.equal(ok(raw()).vswitchCidrBlock, undefined);
  assert.equal(ok(raw(), '00:16:3E:12:E7:01\n').mac, MAC);
});

test('a private-ipv4s list without the primary IP (or empty) fails the ENI: never read as "no secondary IPs"', () => {
  for (const [list, message] of [['[]', /empty/], ['["10.0.0.21"]', /does not list the primary IP 10\.0\.0\.20/]] as const) {
    const result = validateEni(MAC, raw({ 'private-ipv4s': list }));
    assert.equal(result.ok, false, list);
    if (!result.ok) assert.match(result.failed.problems[0]?.message ?? '', message);
  }
});

test('only the form is judged here: values that disagree with the subnet validate, and the gate rejects them', () => {
  // test/unit/plan/gate.metadata.test.ts runs the same values through the gate.
  for (const prefix of ['0.0.0.0/0', '10.0.0.0/24', '10.0.0.0/16', '192.168.0.0/28']) assert.deepEqual(ok(raw({ 'ipv4-prefixes': prefix })).ipv4Prefixes, [prefix]);
  assert.deepEqual(ok(raw({ 'private-ipv4s': '["10.0.0.20","10.0.1.21"]' })).privateIpv4s, ['10.0.0.20', '10.0.1.21']);
  assert.equal(ok(raw({ gateway: '10.0.1.253' })).gateway, '10.0.1.253');
  assert.equal(ok(raw({ gateway: '10.0.0.21' })).gateway, '10.0.0.21');
});

test('IPv4 prefixes in newline, comma and JSON forms', () => {
  const expected = ['10.0.0.32/28', '10.0.0.48/28'];
  for (const form of ['10.0.0.32/28\n10.0.0.48/28', '10.0.0.32/28\r\n10.0.0.48/28\n', '10.0.0.32/28,10.0.0.48/28', '10.0.0.32/28, 10.0.0.48/28', '["10.0.0.32/28","10.0.0.48/28"]', '[10.0.0.32/28,10.0.0.48/28]']) {
    assert.deepEqual(ok(raw({ 'ipv4-prefixes': form })).ipv4Prefixes, expected, form);
  }
  assert.deepEqual(ok(raw({ 'ipv4-prefixes': '10.0.0.32/28' })).ipv4Prefixes, ['10.0.0.32/28']);
  assert.deepEqual(ok(raw({ 'ipv4-prefixes': '' })).ipv4Prefixes, []);
  assert.deepEqual(ok(raw({ 'ipv4-prefixes': ['10.0.0.32/28'] })).ipv4Prefixes, ['10.0.0.32/28']);
});

test('IPv6 addresses, gateway, vSwitch block and prefixes', () => {
  const v6 = {
    ipv6s: '[2408:4005:325:a204:1875:217f:184a:e4e,2408:4005:325:A204:0:0:0:1]',
    'ipv6-gateway': '2408:4005:325:a204:ffff:ffff:ffff:fff7',
    'vswitch-ipv6-cidr-block': '2408:4005:325:a204::/64',
    'ipv6-prefixes': '2408:4005:325:a204:1a00::/80',
  };
  const eni = ok(raw(v6));
  assert.deepEqual(eni.ipv6s, ['2408:4005:325:a204:1875:217f:184a:e4e', '2408:4005:325:a204::1']);
  assert.equal(eni.ipv6Gateway, '2408:4005:325:a204:ffff:ffff:ffff:fff7');
  assert.equal(eni.ipv6Subnet, '2408:4005:325:a204::/64');
  assert.deepEqual(eni.ipv6Prefixes, ['2408:4005:325:a204:1a00::/80']);
  for (const form of ['["2408:4005:325:a204::1"]', '2408:4005:325:a204::1', '[2408:4005:325:a204::1]\n', '[ 2408:4005:325:a204::1 ]']) {
    assert.deepEqual(ok(raw({ ...v6, ipv6s: form, 'ipv6-prefixes': null })).ipv6s, ['2408:4005:325:a204::1'], form);
  }
  // No IPv6: gateway and block are not needed, and ignored when present.
  const none = ok(raw({ ipv6s: '[]', 'ipv6-gateway': 'garbage' }));
  assert.deepEqual(none.ipv6s, []);
  assert.equal('ipv6Gateway' in none, false);
});

/** The IPv6 side fails, the IPv4 side stays valid: ipv6Problems names the field, no IPv6 value is kept. */
function ipv6Fails(input: RawEni, field: string) {
  const eni = ok(input);
  assert.ok(eni.ipv6Problems?.some((problem) => problem.field === field), `no IPv6 problem for ${field}: ${JSON.stringify(eni.ipv6Problems)}`);
  assert.deepEqual([eni.ipv6s, eni.ipv6Prefixes, eni.ipv6Gateway, eni.ipv6Subnet], [[], [], undefined, undefined]);
  assert.deepEqual(eni.privateIpv4s, ['10.0.0.20', '10.0.0.21']);
}

test('IPv6 problems drop only the IPv6 side: the IPv4 side stays valid', () => {
  const v6 = {
    ipv6s: '[2408:4005:325:a204::1]',
    'ipv6-gateway': '2408:4005:325:a204:ffff:ffff:ffff:fff7',
    'vswitch-ipv6-cidr-block': '2408:4005:325:a204::/64',
  };
  ipv6Fails(raw({ ...v6, 'ipv6-gateway': null }), 'ipv6-gateway');
  ipv6Fails(raw({ ...v6, 'ipv6-gateway': 'fe80::1%eth1' }), 'ipv6-gateway');
  ipv6Fails(raw({ ...v6, 'vswitch-ipv6-cidr-block': null }), 'vswitch-ipv6-cidr-block');
  ipv6Fails(raw({ ...v6, 'vswitch-ipv6-cidr-block': '2408:4005:325:a204::' }), 'vswitch-ipv6-cidr-block');
  ipv6Fails(raw({ ...v6, ipv6s: '[2408:4005:325:a205::1]' }), 'ipv6s');
  ipv6Fails(raw({ ...v6, ipv6s: '[2408::1 ,2408::zz]' }), 'ipv6s');
  ipv6Fails(raw({ ...v6, ipv6s: '["2408::1",2408::2]' }), 'ipv6s');
  ipv6Fails(raw({ ...v6, ipv6s: '[::ffff:10.0.0.1]' }), 'ipv6s');
  ipv6Fails(raw({ ...v6, ipv6s: '[2408:4005:325:a204::1]\nrule del all' }), 'ipv6s');
  ipv6Fails(raw({ ...v6, 'ipv6-prefixes': '2408:4005:325:a204:1a00::1/80' }), 'ipv6-prefixes');
});

test('hostile and invalid IPv4 values fail the whole ENI', () => {
  fails(raw({ 'network-interface-id': 'eni-ABC' }), 'network-interface-id');
  fails(raw({ 'network-interface-id': 'eni-abc\nrule del all' }), 'network-interface-id');
  fails(raw({ 'network-interface-id': `eni-${'a'.repeat(65)}` }), 'network-interface-id');
  fails(raw({ 'network-interface-id': null }), 'network-interface-id');
  fails(raw({ 'primary-ip-address': '10.0.0.20\nrule del all' }), 'primary-ip-address');
  fails(raw({ 'primary-ip-address': '' }), 'primary-ip-address');
  fails(raw({ 'private-ipv4s': '["10.0.0.20","999.1.1.1"]' }), 'private-ipv4s');
  fails(raw({ 'private-ipv4s': '["10.0.0.20","10.0.0.21\\nrule del all"]' }), 'private-ipv4s');
  fails(raw({ 'private-ipv4s': '' }), 'private-ipv4s');
  fails(raw({ 'private-ipv4s': null }), 'private-ipv4s');
  fails(raw({ 'private-ipv4s': JSON.stringify(Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`)) }), 'private-ipv4s');
  fails(raw({ netmask: '255.0.255.0' }), 'netmask');
  fails(raw({ netmask: '0.0.0.0' }), 'netmask');
  fails(raw({ netmask: '24' }), 'netmask');
  fails(raw({ 'primary-ip-address': ['10.0.0.20', '10.0.0.21'] }), 'primary-ip-address');
  fails(raw({ 'private-ipv4s': '["10.0.0.20" "10.0.0.21"]' }), 'private-ipv4s');
  fails(raw({ 'private-ipv4s': '["10.0.0.20",]' }), 'private-ipv4s');
  fails(raw({ 'private-ipv4s': '["10.0.0.20"' }), 'private-ipv4s');
  fails(raw({ 'private-ipv4s': '10.0.0.20 10.0.0.21' }), 'private-ipv4s');
  fails(raw({ 'vswitch-cidr-block': '10.0.0.0/24; reboot' }), 'vswitch-cidr-block');
  fails(raw({ gateway: null }), 'gateway');
  fails(raw({ 'ipv4-prefixes': '10.0.0.33/28' }), 'ipv4-prefixes');
  fails(raw({ 'ipv4-prefixes': '10.0.0.32/28\nrule del all' }), 'ipv4-prefixes');
  fails(raw({ 'ipv4-prefixes': '10.0.0.32/28,' }), 'ipv4-prefixes');
});

test('problems carry mac, field, a safe truncated value, and the eni id when it was valid', () => {
  const failed = fails(raw({ gateway: `10.0.0.253\n${'x'.repeat(5000)}\u0007` }), 'gateway');
  assert.equal(failed.eniId, 'eni-bp1b2c0jvnj0g17bxxxx');
  const problem = failed.problems.find((p) => p.field === 'gateway');
  assert.ok(problem?.value?.startsWith('10.0.0.253\\nxxx'));
  assert.ok(problem?.value?.endsWith('...(5012 chars)'));

  const huge = fails(raw({ 'private-ipv4s': `["${'1'.repeat(100_000)}"]` }), 'private-ipv4s');
  assert.match(huge.problems[0]?.message ?? '', /too long/);

  const several = fails(raw({ 'network-interface-id': 'bad', netmask: 'bad' }), 'netmask');
  assert.equal(several.eniId, undefined);
  assert.deepEqual(several.problems.map((p) => p.field).sort(), ['netmask', 'network-interface-id']);
});

test('an invalid MAC fails the ENI', () => {
  const result = validateEni('00:16:3e:12:e7:01\nx', raw());
  assert.ok(!result.ok);
  assert.equal(result.failed.mac, '00:16:3e:12:e7:01\\nx');
  assert.equal(result.failed.problems[0]?.field, 'mac');
});

test('printable escapes control and non-ASCII characters and truncates', () => {
  assert.equal(printable('10.0.0.1\nrule del all'), '10.0.0.1\\nrule del all');
  assert.equal(printable('a\r\tb\\c\u0000é'), 'a\\r\\tb\\\\c\\u0000\\u00e9');
  assert.equal(printable('x'.repeat(81)), `${'x'.repeat(80)}...(81 chars)`);
  assert.equal(printable('x'.repeat(80)), 'x'.repeat(80));
});
