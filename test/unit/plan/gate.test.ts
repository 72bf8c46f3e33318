// The semantic gate: what metadata may reach a command line or a file, and the problem that names each value refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gate, metadataAddressOf } from '../../../src/plan/gate.ts';
import type { GateInput } from '../../../src/plan/gate.ts';
import type { EniMetadata } from '../../../src/model.ts';
import { MAC0, MAC1, MAC2, eni, iface, liveState, metadata } from '../fixtures.ts';

const input = (overrides: Partial<GateInput> = {}): GateInput => {
  const meta = metadata();
  return { enis: meta.enis, failed: [], primaryMac: MAC0, interfaces: liveState().interfaces, ...overrides };
};
const withEni1 = (replacement: EniMetadata, overrides: Partial<GateInput> = {}) => {
  const enis = metadata().enis.map((entry) => (entry.mac === MAC1 ? replacement : entry));
  return gate(input({ enis, ...overrides }));
};
const problemsOf = (result: ReturnType<typeof gate>, mac: string) => result.failed.find((entry) => entry.mac === mac)?.problems ?? [];

test('valid metadata passes the gate unchanged', () => {
  const result = gate(input());
  assert.deepEqual(result.enis, metadata().enis);
  assert.deepEqual(result.failed, []);
});

test('the metadata URL host (address values and ranges: ranges.test.ts)', () => {
  assert.deepEqual(metadataAddressOf(undefined), ['100.100.100.200']);
  assert.deepEqual(metadataAddressOf('http://10.9.8.7:8080/x'), ['100.100.100.200', '10.9.8.7']);
  assert.deepEqual(metadataAddressOf('http://[FD00::1]/'), ['100.100.100.200', 'fd00::1']);
  assert.deepEqual(metadataAddressOf('http://metadata.local/'), ['100.100.100.200']);
  assert.deepEqual(metadataAddressOf('not a url'), ['100.100.100.200']);
});

test('case 1: an all-zero ENI fails whole, with the field and the value', () => {
  const zero = eni(MAC1, 'eni-1', ['0.0.0.0', '0.0.0.1'], '0.0.0.0/8', '0.0.0.253');
  const result = withEni1(zero);
  assert.ok(!result.enis.some((entry) => entry.mac === MAC1));
  const problems = problemsOf(result, MAC1);
  assert.ok(problems.some((problem) => problem.field === 'private-ipv4s' && problem.value === '0.0.0.0' && /0\.0\.0\.0\/8/.test(problem.message)));
  assert.ok(problems.some((problem) => problem.field === 'gateway' && problem.value === '0.0.0.253'));
  assert.equal(result.enis.length, 2, 'the other ENIs pass');
});

test('case 2: the metadata service address (default and --metadata-url host) is never a private IP', () => {
  const wide = eni(MAC1, 'eni-1', ['100.100.100.10', '100.100.100.200'], '100.100.100.0/24', '100.100.100.253');
  assert.ok(problemsOf(withEni1(wide), MAC1).some((problem) => problem.value === '100.100.100.200'));
  const custom = eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.99'], '10.0.0.0/24', '10.0.0.253');
  const result = withEni1(custom, { metadataAddresses: metadataAddressOf('http://10.0.0.99:8080') });
  assert.ok(problemsOf(result, MAC1).some((problem) => problem.value === '10.0.0.99' && problem.message === 'is the metadata service address'));
});

test("case 3: eth1 listing eth0's live primary IP fails, even when eth0's own metadata failed", () => {
  const meta = metadata();
  const eth1 = eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.20'], '10.0.0.0/24', '10.0.0.253');
  const result = gate(input({ enis: [eth1, meta.enis[2] as EniMetadata], failed: [{ mac: MAC0, problems: [{ field: 'netmask', value: '255.0.255.0', message: 'bad' }] }] }));
  assert.deepEqual(result.enis.map((entry) => entry.mac), [MAC2]);
  const problems = problemsOf(result, MAC1);
  assert.ok(problems.some((problem) => problem.value === '10.0.0.20' && problem.message.includes('already on interface eth0')), JSON.stringify(problems));
  assert.ok(result.failed.some((entry) => entry.mac === MAC0), 'the failed primary stays failed');
});

test('an address live on another interface is claimable only when recorded as added there by eni-init (a move)', () => {
  const live = liveState();
  live.interfaces[3]?.addresses.push({ family: 4, address: '10.0.0.31', prefixLength: 32 });
  assert.ok(problemsOf(gate(input({ interfaces: live.interfaces })), MAC1).some((problem) => problem.value === '10.0.0.31'));
  const recorded = [{ ifname: 'eth2', mac: MAC2, family: 4 as const, address: '10.0.0.31', prefixLength: 32 }];
  assert.deepEqual(gate(input({ interfaces: live.interfaces, recorded })).failed, []);
});

test("case 9: values accepted before are rejected: 169.254/16, 255.255.255.255, network, broadcast, eth0's gateway", () => {
  const cases: [string[], string, string, RegExp][] = [
    [['10.0.0.30', '169.254.1.1'], '10.0.0.0/24', '169.254.1.1', /link-local/],
    [['10.0.0.30', '10.0.0.0'], '10.0.0.0/24', '10.0.0.0', /network address/],
    [['10.0.0.30', '10.0.0.255'], '10.0.0.0/24', '10.0.0.255', /broadcast/],
    [['10.0.0.30', '10.0.0.253'], '10.0.0.0/24', '10.0.0.253', /gateway/],
  ];
  for (const [ips, subnet, bad, why] of cases) {
    const problems = problemsOf(withEni1(eni(MAC1, 'eni-1', ips, subnet, '10.0.0.253')), MAC1);
    assert.ok(problems.some((problem) => problem.value === bad && why.test(problem.message)), `${bad}: ${JSON.stringify(problems)}`);
  }
  // 255.255.255.255 with a wide mask (the validator only checks the subnet); and eth0's gateway claimed by eth2 (another vSwitch).
  assert.ok(problemsOf(withEni1(eni(MAC1, 'eni-1', ['255.255.255.1', '255.255.255.255'], '255.255.255.0/24', '255.255.255.253')), MAC1).some((problem) => problem.value === '255.255.255.255'));
  const eth2 = eni(MAC2, 'eni-2', ['10.0.1.40', '10.0.0.253'], '10.0.0.0/16', '10.0.1.253');
  const result = gate(input({ enis: [metadata().enis[0] as EniMetadata, eth2] }));
  assert.ok(problemsOf(result, MAC2).some((problem) => problem.value === '10.0.0.253' && /gateway/.test(problem.message)));
  // With eth0's metadata failed, eth0's gateway is still known from the main table's default route.
  const routes = [{ family: 4 as const, table: 254, dst: 'default', gateway: '10.0.0.253', dev: 'eth0', protocol: 'dhcp' }];
  const alone = gate(input({ enis: [eth2], routes }));
  assert.ok(problemsOf(alone, MAC2).some((problem) => problem.value === '10.0.0.253' && /main table/.test(problem.message)));
});

test('case 9: 127/8, 224/4, ::, ::1, ff02::, fe80:: never pass', () => {
  for (const bad of ['127.0.0.1', '224.0.0.1', '240.0.0.1']) {
    const problems = problemsOf(withEni1(eni(MAC1, 'eni-1', ['10.0.0.30', bad], '10.0.0.0/24', '10.0.0.253')), MAC1);
    assert.ok(problems.some((problem) => problem.value === bad), bad);
  }
  const v6 = { ipv6Gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7', ipv6Subnet: '2408:4005:325:a204::/64' };
  for (const bad of ['::', '::1', 'ff02::1', 'fe80::1', '2408:4005:325:a204::']) {
    const problems = problemsOf(withEni1(eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253', { ...v6, ipv6s: ['2408:4005:325:a204::e4e', bad] })), MAC1);
    assert.ok(problems.some((problem) => problem.field === 'ipv6s' && problem.value === bad), `${bad}: ${JSON.stringify(problems)}`);
  }
  const badGateway = withEni1(eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253', { ipv6s: ['2408:4005:325:a204::e4e'], ipv6Gateway: 'fe80::1', ipv6Subnet: '2408:4005:325:a204::/64' }));
  assert.ok(problemsOf(badGateway, MAC1).some((problem) => problem.field === 'ipv6-gateway'));
});

test('case 9: a netmask that disagrees with vswitch-cidr-block fails the ENI', () => {
  const wide = eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/16', '10.0.0.253', { vswitchCidrBlock: '10.0.0.0/24' });
  const problems = problemsOf(withEni1(wide), MAC1);
  assert.ok(problems.some((problem) => problem.field === 'netmask' && /vswitch-cidr-block 10\.0\.0\.0\/24/.test(problem.message)));
  assert.deepEqual(problemsOf(withEni1(eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253', { vswitchCidrBlock: '10.0.0.0/24' })), MAC1), []);
});

test('a gateway outside the subnet, or a subnet end, fails', () => {
  assert.ok(problemsOf(withEni1(eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.9.1')), MAC1).some((problem) => problem.field === 'gateway'));
  assert.ok(problemsOf(withEni1(eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.255')), MAC1).some((problem) => problem.field === 'gateway'));
});

test('delegated prefixes: never over the gateway, another interface, another ENI or a reserved range', () => {
  const over = (prefix: string) => problemsOf(withEni1(eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253', { ipv4Prefixes: [prefix] })), MAC1);
  assert.deepEqual(over('10.0.0.96/28'), []);
  assert.ok(over('10.0.0.240/28').some((problem) => /gateway|last address/.test(problem.message)));
  assert.ok(over('10.0.0.16/28').some((problem) => /10\.0\.0\.20/.test(problem.message)), "covers eth0's address");
  assert.ok(over('10.0.0.0/25').length > 0);
});

test('an address listed by two ENIs fails both, whatever the validator did', () => {
  const eth2 = eni(MAC2, 'eni-2', ['10.0.1.40', '10.0.0.31'], '10.0.0.0/16', '10.0.1.253');
  const result = gate(input({ enis: [...metadata().enis.slice(0, 2), eth2] }));
  assert.ok(problemsOf(result, MAC1).some((problem) => problem.value === '10.0.0.31'));
  assert.ok(problemsOf(result, MAC2).some((problem) => problem.value === '10.0.0.31'));
});

test('an interface sharing the MAC (VLAN) counts as the ENI itself', () => {
  const vlan = { ...iface('eth1.100', 20, MAC1, ['10.0.0.31/32']), stacked: true };
  assert.deepEqual(gate(input({ interfaces: [...liveState().interfaces, vlan] })).failed, []);
});

test("a lying state file cannot open eth0's address to another ENI: only entries the live state confirms count", () => {
  const eth1 = eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.20'], '10.0.0.0/24', '10.0.0.253');
  const lies = [
    { ifname: 'eth0', mac: MAC0, family: 4 as const, address: '10.0.0.20', prefixLength: 24 },
    { ifname: 'eth0', mac: MAC0, family: 4 as const, address: '10.0.0.20', prefixLength: 32 },
  ];
  const result = gate(input({ enis: [eth1], recorded: lies }));
  assert.ok(problemsOf(result, MAC1).some((problem) => problem.value === '10.0.0.20' && problem.message.includes('eth0')));
  // eth0's address as a permanent /32 that is its first IPv4 address, with a default route in main: still eth0's.
  const live = liveState();
  const eth0 = live.interfaces.find((entry) => entry.name === 'eth0');
  if (eth0) eth0.addresses = [{ family: 4, address: '10.0.0.20', prefixLength: 32 }];
  const firstAddress = gate(input({ enis: [eth1], interfaces: live.interfaces, routes: live.routes, recorded: lies }));
  assert.ok(problemsOf(firstAddress, MAC1).some((problem) => problem.value === '10.0.0.20'));
});

test("an address eni-init added to a failed ENI's interface is never moved to another ENI", () => {
  const live = liveState();
  live.interfaces[1]?.addresses.push({ family: 4, address: '10.0.0.21', prefixLength: 32 });
  const recorded = [{ ifname: 'eth0', mac: MAC0, family: 4 as const, address: '10.0.0.21', prefixLength: 32 }];
  const eth1 = eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.21'], '10.0.0.0/24', '10.0.0.253');
  const failedPrimary = gate(input({ enis: [eth1], failed: [{ mac: MAC0, problems: [{ field: 'netmask', message: 'bad' }] }], interfaces: live.interfaces, recorded }));
  assert.ok(problemsOf(failedPrimary, MAC1).some((problem) => problem.value === '10.0.0.21' && problem.message.includes('eth0')));
  // With eth0's metadata valid (and no longer listing it), the move is allowed.
  const eth0 = eni(MAC0, 'eni-0', ['10.0.0.20'], '10.0.0.0/24', '10.0.0.253');
  assert.deepEqual(gate(input({ enis: [eth0, eth1], interfaces: live.interfaces, recorded })).failed, []);
});
