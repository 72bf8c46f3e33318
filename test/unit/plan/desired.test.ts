import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDesiredState } from '../../../src/plan/desired.ts';
import type { DesiredInput } from '../../../src/plan/desired.ts';
import { MAC0, MAC1, MAC2, eni, iface, liveState, metadata } from '../fixtures.ts';

const numbering = { tableBase: 1000, priorityBase: 20000 };
const base = (overrides: Partial<DesiredInput> = {}): DesiredInput => ({
  metadata: metadata(),
  interfaces: liveState().interfaces,
  exclude: [],
  primaryRules: false,
  mainRoutesFirst: false,
  numbering,
  ...overrides,
});

test('secondary ENI: all its IPs as /32, table 1001 with subnet and default routes, one rule per IP', () => {
  const state = buildDesiredState(base());
  const eth1 = state.enis.find((entry) => entry.mac === MAC1);
  assert.equal(eth1?.table, 1001);
  assert.equal(eth1?.priority, 20001);
  assert.deepEqual(eth1?.objects, [
    { kind: 'address', family: 4, ifname: 'eth1', address: '10.0.0.30', prefixLength: 32 },
    { kind: 'address', family: 4, ifname: 'eth1', address: '10.0.0.31', prefixLength: 32 },
    { kind: 'route', family: 4, table: 1001, dst: '10.0.0.0/24', ifname: 'eth1', scope: 'link', prefsrc: '10.0.0.30' },
    { kind: 'route', family: 4, table: 1001, dst: 'default', ifname: 'eth1', gateway: '10.0.0.253' },
    { kind: 'rule', family: 4, priority: 20001, from: '10.0.0.30/32', table: 1001 },
    { kind: 'rule', family: 4, priority: 20001, from: '10.0.0.31/32', table: 1001 },
  ]);
});

test('a down secondary interface is brought up; the primary never is', () => {
  const state = buildDesiredState(base());
  assert.deepEqual(state.enis.find((entry) => entry.mac === MAC2)?.objects[0], { kind: 'link-up', ifname: 'eth2' });
  const eth0 = state.enis.find((entry) => entry.mac === MAC0);
  assert.ok(!eth0?.objects.some((object) => object.kind === 'link-up'));
});

test('primary ENI: secondary IPs only, no table and no rules unless asked', () => {
  const eth0 = buildDesiredState(base()).enis.find((entry) => entry.mac === MAC0);
  assert.deepEqual(eth0?.objects, [{ kind: 'address', family: 4, ifname: 'eth0', address: '10.0.0.21', prefixLength: 32 }]);
  const withRules = buildDesiredState(base({ primaryRules: true })).enis.find((entry) => entry.mac === MAC0);
  assert.ok(withRules?.objects.some((object) => object.kind === 'rule' && object.table === 1000 && object.from === '10.0.0.20/32'));
  assert.ok(!withRules?.objects.some((object) => object.kind === 'route' && object.table === 254), 'main table never touched');
});

test('main-routes-first adds one suppress rule per family in use, before every ENI rule', () => {
  const state = buildDesiredState(base({ mainRoutesFirst: true }));
  assert.deepEqual(state.global, [{ kind: 'rule', family: 4, priority: 19999, table: 'main', suppressPrefixLength: 0 }]);
});

test('IPv6 addresses, table routes and rules, and delegated prefixes', () => {
  const meta = metadata({
    enis: [
      eni(MAC0, 'eni-0', ['10.0.0.20'], '10.0.0.0/24', '10.0.0.253'),
      eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253', {
        ipv4Prefixes: ['10.0.0.32/28'],
        ipv6s: ['2408:4005:325:a204::e4e'],
        ipv6Gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7',
        ipv6Subnet: '2408:4005:325:a204::/64',
      }),
    ],
  });
  const eth1 = buildDesiredState(base({ metadata: meta })).enis.find((entry) => entry.mac === MAC1);
  const objects = eth1?.objects ?? [];
  assert.ok(objects.some((o) => o.kind === 'address' && o.family === 6 && o.address === '2408:4005:325:a204::e4e' && o.prefixLength === 128));
  assert.ok(objects.some((o) => o.kind === 'rule' && o.from === '10.0.0.32/28'));
  assert.ok(objects.some((o) => o.kind === 'rule' && o.family === 6 && o.from === '2408:4005:325:a204::e4e/128'));
  assert.ok(objects.some((o) => o.kind === 'route' && o.family === 6 && o.dst === 'default' && o.gateway === '2408:4005:325:a204:ffff:ffff:ffff:fff7'));
});

test('excluded, missing and bad ENIs get no objects; excluded and bad ones are protected', () => {
  const meta = metadata({ failed: [{ mac: '00:16:3e:00:00:09', problems: [{ field: 'gateway', value: 'x', message: 'not an IPv4 address' }] }] });
  const interfaces = [...liveState().interfaces, iface('eth9', 9, '00:16:3e:00:00:09'), iface('docker0', 10, '02:42:ac:11:00:01')];
  const state = buildDesiredState(base({ metadata: meta, interfaces: interfaces.filter((i) => i.name !== 'eth2'), exclude: ['eth1'] }));
  const status = Object.fromEntries(state.enis.map((entry) => [entry.ifname ?? entry.mac, entry.status]));
  assert.deepEqual(status, { eth0: 'managed', eth1: 'excluded', [MAC2]: 'missing-interface', eth9: 'bad-metadata' });
  assert.deepEqual([...state.protectedTables].sort(), [1001, 1009]);
  assert.deepEqual([...state.protectedInterfaces].sort(), ['eth1', 'eth9']);
  assert.deepEqual(state.unmanagedInterfaces, [{ name: 'docker0', mac: '02:42:ac:11:00:01' }]);
  assert.equal(state.enis.filter((entry) => entry.status !== 'managed').flatMap((entry) => entry.objects).length, 0);
});

test('a VLAN or bond port sharing the ENI MAC does not take the ENI; two plain interfaces with one MAC are ambiguous', () => {
  const vlan = { ...iface('eth1.100', 20, MAC1), stacked: true };
  const withVlan = buildDesiredState(base({ interfaces: [...liveState().interfaces, vlan] }));
  assert.equal(withVlan.enis.find((entry) => entry.mac === MAC1)?.ifname, 'eth1');
  const twin = iface('eth9', 21, MAC1);
  const ambiguous = buildDesiredState(base({ interfaces: [...liveState().interfaces, twin] }));
  const eni1 = ambiguous.enis.find((entry) => entry.mac === MAC1);
  assert.equal(eni1?.status, 'ambiguous-interface');
  assert.deepEqual(eni1?.objects, []);
});

test('an excluded interface the metadata does not list is protected too', () => {
  const interfaces = [...liveState().interfaces, iface('eth3', 30, '00:16:3e:00:00:33')];
  const state = buildDesiredState(base({ interfaces, exclude: ['eth3'] }));
  assert.ok(state.protectedInterfaces.has('eth3'));
  assert.ok(state.protectedTables.has(1003));
});

test('interface names that ip -batch would misread are left alone', () => {
  const interfaces = liveState().interfaces.map((entry) => (entry.name === 'eth1' ? { ...entry, name: 'eth#1' } : entry));
  const eni1 = buildDesiredState(base({ interfaces })).enis.find((entry) => entry.mac === MAC1);
  assert.equal(eni1?.status, 'unsafe-interface-name');
  assert.deepEqual(eni1?.objects, []);
});

test('IPv6 side unknown (ipv6Problems): the IPv4 side is configured, the problems reported, nothing of the ENI removable', () => {
  const problems = [{ mac: MAC1, field: 'ipv6-gateway', message: 'could not read: HTTP 500' }];
  const meta = metadata({
    complete: false,
    enis: [eni(MAC0, 'eni-0', ['10.0.0.20'], '10.0.0.0/24', '10.0.0.253'), eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253', { ipv6Problems: problems })],
  });
  const state = buildDesiredState(base({ metadata: meta }));
  const eth1 = state.enis.find((entry) => entry.mac === MAC1);
  assert.equal(eth1?.status, 'managed');
  assert.deepEqual(eth1?.problems, problems);
  assert.ok(eth1?.objects.some((object) => object.kind === 'rule' && object.from === '10.0.0.30/32'));
  assert.ok(!eth1?.objects.some((object) => 'family' in object && object.family === 6));
  assert.ok(state.protectedTables.has(1001) && state.protectedInterfaces.has('eth1'));
});

test('the semantic gate runs before the desired state: an ENI it fails has no objects and is protected', () => {
  const meta = metadata();
  meta.enis[2] = eni(MAC2, 'eni-2', ['0.0.0.0', '0.0.0.1'], '0.0.0.0/8', '0.0.0.253');
  const state = buildDesiredState(base({ metadata: meta }));
  const eth2 = state.enis.find((entry) => entry.mac === MAC2);
  assert.equal(eth2?.status, 'bad-metadata');
  assert.deepEqual(eth2?.objects, []);
  assert.ok(eth2?.problems.some((problem) => problem.field === 'private-ipv4s' && problem.value === '0.0.0.0'));
  assert.ok(state.protectedInterfaces.has('eth2'));
  assert.ok(state.protectedTables.has(1002));
  assert.equal(state.enis.find((entry) => entry.mac === MAC1)?.status, 'managed', 'the others are still configured');
});

test('the --metadata-url host and the main-table gateway reach the gate', () => {
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.99'], '10.0.0.0/24', '10.0.0.253');
  const failed = (overrides: Partial<DesiredInput>) => buildDesiredState(base({ metadata: meta, ...overrides })).enis.find((entry) => entry.mac === MAC1)?.status === 'bad-metadata';
  assert.equal(failed({}), false);
  assert.equal(failed({ metadataUrl: 'http://10.0.0.99/' }), true);
  assert.equal(failed({ routes: [{ family: 4, table: 254, dst: 'default', gateway: '10.0.0.99', dev: 'eth0', protocol: 'dhcp' }] }), true);
});
