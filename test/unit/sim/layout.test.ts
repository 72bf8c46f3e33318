// Unit tests of test/sim/layout.ts: the playground's layout file -> SimSpec, and every bad value named by file and field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LayoutError, parseLayout } from '../../sim/layout.ts';

const EXAMPLE = fileURLToPath(new URL('../../sim/layouts/example.json', import.meta.url));

function problems(doc: unknown, file = 'layout.json'): string[] {
  try {
    parseLayout(JSON.stringify(doc), file);
  } catch (error) {
    if (error instanceof LayoutError) return error.problems;
    throw error;
  }
  assert.fail('expected a LayoutError');
}

const PRIMARY = { vswitch: '10.0.0.0/24', ips: ['10.0.0.20'] };

test('the example layout: 3 ENIs, eth1 dual-stack, eth2 down, one metadata fault', () => {
  const { spec, capturePath } = parseLayout(readFileSync(EXAMPLE, 'utf8'), EXAMPLE);
  assert.equal(capturePath, undefined);
  // No start: the primary (always up) and eth1 (the default, dhcp).
  assert.deepEqual(spec.enis.map((eni) => [eni.ifname, eni.mac, eni.start ?? 'default']), [
    ['eth0', '00:16:3e:5e:00:01', 'default'],
    ['eth1', '00:16:3e:5e:00:02', 'default'],
    ['eth2', '00:16:3e:5e:00:03', 'down'],
  ]);
  assert.deepEqual(spec.enis[1]?.ipv6, {
    vswitchCidr: '2408:4005:325:a204::/64',
    addresses: ['2408:4005:325:a204::30', '2408:4005:325:a204::31'],
    gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7',
  });
  assert.equal(spec.vpcCidr, '10.0.0.0/16');
  assert.deepEqual(spec.faults, [{ path: 'private-ipv4s', status: 500, count: 1 }]);
});

test('defaults: MACs and ENI IDs by position; explicit ones kept; capture resolved against the layout file', () => {
  const { spec, capturePath } = parseLayout(
    JSON.stringify({ enis: [PRIMARY, { vswitch: '10.0.1.0/24', ips: ['10.0.1.5'], mac: '00:16:3e:aa:bb:cc', id: 'eni-abc', gateway: '10.0.1.1', state: 'dhcp' }], metadata: { capture: 'cap.json', token: 'required', all: 'none' } }),
    '/x/y/layout.json',
  );
  assert.equal(capturePath, '/x/y/cap.json');
  assert.deepEqual(spec.enis[1], { ifname: 'eth1', mac: '00:16:3e:aa:bb:cc', eniId: 'eni-abc', privateIps: ['10.0.1.5'], vswitch: '10.0.1.0/24', gateway: '10.0.1.1', start: 'dhcp' });
  assert.equal(spec.enis[0]?.eniId, 'eni-layout000000000000');
  assert.equal(spec.token, 'required');
  assert.equal(spec.allMode, 'none');
});

test('a bad address names the file, the field and the value', () => {
  assert.deepEqual(problems({ enis: [PRIMARY, { vswitch: '10.0.0.0/24', ips: ['10.0.0.300'] }] }), ['layout.json: enis[1].ips[0]: "10.0.0.300" is not an IPv4 address']);
});

test('every problem is listed, not just the first', () => {
  const found = problems({
    vpc: '10.0.0.0/33',
    enis: [
      { ...PRIMARY, state: 'down' },
      { vswitch: '10.0.1.0/24', ips: ['10.0.0.20', '10.0.2.1'], mac: '00:16:3E:00:00:01', state: 'up', color: 'red' },
      { vswitch: '10.0.2.0/24', ips: [], ipv6: { vswitch: '2408::/48', addresses: ['2409::1', 'nope'] } },
    ],
    metadata: { token: 'sometimes', faults: [{ path: '(', status: 700 }], extra: 1 },
    typo: true,
  });
  for (const expected of [
    'layout.json: typo: unknown key',
    'layout.json: vpc: "10.0.0.0/33" is not an IPv4 CIDR',
    'layout.json: enis[0].state: the primary ENI (eth0) is always up',
    'layout.json: enis[1].color: unknown key',
    'layout.json: enis[1].ips[0]: 10.0.0.20 is not in the vSwitch 10.0.1.0/24',
    'layout.json: enis[1].ips[0]: 10.0.0.20 is already used by enis[0].ips[0]',
    'layout.json: enis[1].ips[1]: 10.0.2.1 is not in the vSwitch 10.0.1.0/24',
    'layout.json: enis[1].mac: "00:16:3E:00:00:01" is not an Alibaba Cloud MAC',
    'layout.json: enis[1].state: expected one of dhcp, down, got "up"',
    'layout.json: enis[2].ips: needs at least 1 entry',
    'layout.json: enis[2].ipv6.addresses[0]: 2409::1 is not in the vSwitch 2408::/48',
    'layout.json: enis[2].ipv6.addresses[1]: "nope" is not an IPv6 address',
    'layout.json: enis[2].ipv6.gateway: required unless the vSwitch is written as PREFIX::/64',
    'layout.json: metadata.extra: unknown key',
    'layout.json: metadata.token: expected one of optional, required, unsupported, got "sometimes"',
    'layout.json: metadata.faults[0].path: "(" is not a regular expression',
    'layout.json: metadata.faults[0].status: expected an integer 100..599, got 700',
  ]) {
    assert.ok(found.some((problem) => problem.startsWith(expected)), `missing ${JSON.stringify(expected)} in:\n${found.join('\n')}`);
  }
});

test('not JSON, not an object, no ENIs, duplicate MACs', () => {
  assert.throws(() => parseLayout('{', 'l.json'), (error: unknown) => error instanceof LayoutError && /^l\.json: not JSON: /.test(error.problems[0] ?? ''));
  assert.deepEqual(problems([]), ['layout.json: expected a JSON object with an "enis" list']);
  assert.deepEqual(problems({ enis: [] }), ['layout.json: enis: needs at least 1 entry']);
  assert.deepEqual(problems({ enis: [PRIMARY, { vswitch: '10.0.0.0/24', ips: ['10.0.0.21'], mac: '00:16:3e:5e:00:01' }] }), ['layout.json: enis[1].mac: 00:16:3e:5e:00:01 is already used by enis[0]']);
});
