import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDesiredState } from '../../../src/plan/desired.ts';
import { diff } from '../../../src/plan/diff.ts';
import type { LiveRoute, LiveRule, LiveState, MetadataResult } from '../../../src/model.ts';
import { MAC0, MAC1, eni, liveState, metadata } from '../fixtures.ts';

const numbering = { tableBase: 1000, priorityBase: 20000 };

function planFor(meta: MetadataResult, live: LiveState, recorded = [] as Parameters<typeof diff>[0]['recorded']) {
  const desired = buildDesiredState({ metadata: meta, interfaces: live.interfaces, exclude: [], primaryRules: false, mainRoutesFirst: false, numbering, routes: live.routes, recorded });
  return diff({ desired, live, recorded, numbering, allowRemovals: meta.complete });
}

/** The live state after the plan was applied perfectly: what a second run sees. */
function converged(): LiveState {
  const live = liveState();
  const eth0 = live.interfaces[1];
  const eth1 = live.interfaces[2];
  const eth2 = live.interfaces[3];
  eth0?.addresses.push({ family: 4, address: '10.0.0.21', prefixLength: 32 });
  eth1?.addresses.push({ family: 4, address: '10.0.0.31', prefixLength: 32 });
  if (eth2) {
    eth2.up = true;
    eth2.addresses.push({ family: 4, address: '10.0.1.40', prefixLength: 32 });
  }
  const routes: LiveRoute[] = [
    { family: 4, table: 1001, dst: '10.0.0.0/24', dev: 'eth1', protocol: '203', scope: 'link', prefsrc: '10.0.0.30' },
    { family: 4, table: 1001, dst: 'default', gateway: '10.0.0.253', dev: 'eth1', protocol: '203' },
    { family: 4, table: 1002, dst: '10.0.1.0/24', dev: 'eth2', protocol: 'eni-init', scope: 'link', prefsrc: '10.0.1.40' },
    { family: 4, table: 1002, dst: 'default', gateway: '10.0.1.253', dev: 'eth2', protocol: 'eni-init' },
  ];
  const rules: LiveRule[] = [
    { family: 4, priority: 20001, from: '10.0.0.30/32', table: 1001, protocol: '203' },
    { family: 4, priority: 20001, from: '10.0.0.31/32', table: 1001, protocol: '203' },
    { family: 4, priority: 20002, from: '10.0.1.40/32', table: 1002, protocol: 'eni-init' },
  ];
  return { ...live, routes: [...live.routes, ...routes], rules: [...live.rules, ...rules] };
}

test('first run adds link, addresses, routes (subnet before default) and rules, in that order', () => {
  const plan = planFor(metadata(), liveState());
  const kinds = plan.operations.map((operation) => operation.object.kind);
  assert.deepEqual(kinds, ['link-up', 'address', 'address', 'address', 'route', 'route', 'route', 'route', 'rule', 'rule', 'rule']);
  const routes = plan.operations.filter((operation) => operation.object.kind === 'route').map((operation) => (operation.object as { dst: string }).dst);
  assert.deepEqual(routes, ['10.0.0.0/24', '10.0.1.0/24', 'default', 'default']);
  assert.ok(plan.operations.every((operation) => operation.action === 'add'));
});

test('second run: nothing to do', () => {
  const plan = planFor(metadata(), converged());
  assert.deepEqual(plan.operations, []);
  assert.deepEqual(plan.deferred, []);
});

test('an IP removed from metadata: its rule and our address go, nothing else', () => {
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253');
  const recorded = [{ ifname: 'eth1', mac: MAC1, family: 4 as const, address: '10.0.0.31', prefixLength: 32 }];
  const plan = planFor(meta, converged(), recorded);
  assert.deepEqual(
    plan.operations.map((operation) => [operation.action, operation.object.kind, 'from' in operation.object ? operation.object.from : (operation.object as { address?: string }).address]),
    [['delete', 'rule', '10.0.0.31/32'], ['delete', 'address', '10.0.0.31']],
  );
});

test('an address we did not add is never removed', () => {
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253');
  const plan = planFor(meta, converged(), []);
  assert.ok(!plan.operations.some((operation) => operation.object.kind === 'address'));
});

test('incomplete metadata: removals are deferred, additions still happen', () => {
  const meta = metadata({ complete: false });
  meta.enis.splice(2, 1);
  const live = converged();
  live.interfaces[1]?.addresses.splice(1, 1);
  const plan = planFor(meta, live, []);
  assert.deepEqual(plan.operations.map((operation) => operation.action), ['add']);
  assert.equal(plan.deferred.length, 3, 'eth2 rule and two routes kept');
});

test('foreign rules and routes, and ours outside our ranges, are never touched', () => {
  const live = converged();
  live.rules.push(
    { family: 4, priority: 100, from: '10.0.0.30/32', table: 200 },
    { family: 4, priority: 32765, from: '10.0.0.99/32', table: 1001 },
    { family: 4, priority: 5000, table: 1001, protocol: '203' },
  );
  live.routes.push(
    { family: 4, table: 1001, dst: '192.168.0.0/16', dev: 'eth1', protocol: 'static' },
    { family: 4, table: 200, dst: 'default', gateway: '10.0.0.253', dev: 'eth1', protocol: '203' },
    { family: 4, table: 254, dst: '172.17.0.0/16', dev: 'docker0', protocol: 'kernel' },
  );
  assert.deepEqual(planFor(metadata(), live).operations, []);
});

test('a gateway change: exact delete of our old default route, then add of the new one (never replace)', () => {
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.31'], '10.0.0.0/24', '10.0.0.1');
  const plan = planFor(meta, converged());
  assert.deepEqual(
    plan.operations.map((operation) => [operation.action, operation.object.kind, (operation.object as { gateway?: string }).gateway]),
    [
      ['delete', 'route', '10.0.0.253'],
      ['add', 'route', '10.0.0.1'],
    ],
  );
  assert.ok(!plan.operations.some((operation) => operation.action === 'replace'));
});

test('a route of another tool prepended beside ours: a gateway change is a conflict, nothing of it is touched', () => {
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.31'], '10.0.0.0/24', '10.0.0.1');
  const live = converged();
  live.routes.unshift({ family: 4, table: 1001, dst: 'default', gateway: '10.0.0.99', dev: 'eth1', protocol: 'static' });
  const plan = planFor(meta, live);
  assert.deepEqual(plan.operations, []);
  assert.equal(plan.conflicts.length, 1);
  assert.match(plan.conflicts[0]?.message ?? '', /another tool \(proto static\)/);
  // remove: only our route goes, by an exact delete (gateway, device, our protocol in the batch line).
  const nothing = { enis: [], global: [], protectedTables: new Set<number>(), protectedInterfaces: new Set<string>(), unmanagedInterfaces: [] };
  const removal = diff({ desired: nothing, live, recorded: [], numbering, allowRemovals: true });
  const routes = removal.operations.filter((operation) => operation.object.kind === 'route');
  assert.ok(routes.every((operation) => operation.action === 'delete'));
  assert.ok(!routes.some((operation) => (operation.object as { gateway?: string }).gateway === '10.0.0.99'));
});

test('an IPv6 next hop of another tool merged into our default route: left alone by apply; remove deletes only our hop', () => {
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.31'], '10.0.0.0/24', '10.0.0.253', {
    ipv6s: ['2408:4005:325:a204::e4e'],
    ipv6Gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7',
    ipv6Subnet: '2408:4005:325:a204::/64',
  });
  const live = converged();
  live.interfaces[2]?.addresses.push({ family: 6, address: '2408:4005:325:a204::e4e', prefixLength: 128 });
  live.routes.push(
    { family: 6, table: 1001, dst: '2408:4005:325:a204::/64', dev: 'eth1', protocol: '203' },
    {
      family: 6,
      table: 1001,
      dst: 'default',
      protocol: '203',
      nexthops: [
        { gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7', dev: 'eth1' },
        { gateway: 'fd00::1', dev: 'eth2' },
      ],
    },
  );
  live.rules.push({ family: 6, priority: 20001, from: '2408:4005:325:a204::e4e/128', table: 1001, protocol: '203' });
  const plan = planFor(meta, live);
  assert.deepEqual(plan.operations, []);
  assert.equal(plan.conflicts.length, 1);
  assert.match(plan.conflicts[0]?.message ?? '', /merged/);
  const nothing = { enis: [], global: [], protectedTables: new Set<number>(), protectedInterfaces: new Set<string>(), unmanagedInterfaces: [] };
  const removal = diff({ desired: nothing, live, recorded: [], numbering, allowRemovals: true });
  const defaults6 = removal.operations.filter((operation) => operation.object.kind === 'route' && operation.object.family === 6 && operation.object.dst === 'default');
  assert.deepEqual(
    defaults6.map((operation) => [operation.action, (operation.object as { gateway?: string }).gateway, (operation.object as { ifname: string }).ifname]),
    [['delete', '2408:4005:325:a204:ffff:ffff:ffff:fff7', 'eth1']],
  );
});

test('a proto-203 rule in our priority range but pointing at a table outside our range is not ours', () => {
  const live = converged();
  live.rules.push(
    { family: 4, priority: 20005, from: '10.0.0.77/32', table: 5000, protocol: '203' },
    { family: 4, priority: 20005, from: '10.0.0.78/32', table: 'main', protocol: '203' },
    { family: 4, priority: 20001, from: '10.0.0.79/32', table: 1001, protocol: '203', suppressPrefixLength: 0 },
  );
  const nothing = { enis: [], global: [], protectedTables: new Set<number>(), protectedInterfaces: new Set<string>(), unmanagedInterfaces: [] };
  for (const plan of [planFor(metadata(), live), diff({ desired: nothing, live, recorded: [], numbering, allowRemovals: true })]) {
    const deleted = plan.operations.filter((operation) => operation.object.kind === 'rule').map((operation) => (operation.object as { from?: string }).from);
    assert.ok(!deleted.some((from) => ['10.0.0.77/32', '10.0.0.78/32', '10.0.0.79/32'].includes(from ?? '')), JSON.stringify(deleted));
  }
});

test('state is a hint: a non-/32, a leased address, the primary IP, the source of a main route are reported and never removed', () => {
  const live = converged();
  const eth0 = live.interfaces[1];
  if (eth0) eth0.addresses.push({ family: 4, address: '10.0.0.50', prefixLength: 32, dynamic: true }, { family: 4, address: '10.0.0.60', prefixLength: 32 });
  live.routes.push({ family: 4, table: 254, dst: '10.0.0.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.60' });
  const recorded = [
    { ifname: 'eth0', mac: MAC0, family: 4 as const, address: '10.0.0.20', prefixLength: 24 },
    { ifname: 'eth0', mac: MAC0, family: 4 as const, address: '10.0.0.50', prefixLength: 32 },
    { ifname: 'eth0', mac: MAC0, family: 4 as const, address: '10.0.0.60', prefixLength: 32 },
    { ifname: 'eth1', mac: MAC1, family: 4 as const, address: '10.0.0.31', prefixLength: 32 },
    { ifname: 'eth1', mac: MAC1, family: 4 as const, address: '10.0.0.99', prefixLength: 32 },
  ];
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253');
  const plan = planFor(meta, live, recorded);
  const deleted = plan.operations.filter((operation) => operation.object.kind === 'address').map((operation) => (operation.object as { address: string }).address);
  assert.deepEqual(deleted, ['10.0.0.31']);
  assert.deepEqual(plan.recorded.map((entry) => entry.address), ['10.0.0.31']);
  const reported = plan.conflicts.filter((conflict) => conflict.code === 'state-file').map((conflict) => conflict.message);
  assert.equal(reported.length, 3, reported.join('\n'));
  assert.ok(reported.some((message) => message.includes('10.0.0.20/24') && message.includes('/32')));
  assert.ok(reported.some((message) => message.includes('10.0.0.50/32') && message.includes('leased')));
  assert.ok(reported.some((message) => message.includes('10.0.0.60/32') && message.includes('source address')));
  // remove trusts the state no more than apply.
  const nothing = { enis: [], global: [], protectedTables: new Set<number>(), protectedInterfaces: new Set<string>(), unmanagedInterfaces: [] };
  const removal = diff({ desired: nothing, live, recorded, numbering, allowRemovals: true });
  const removed = removal.operations.filter((operation) => operation.object.kind === 'address').map((operation) => (operation.object as { address: string }).address);
  assert.deepEqual(removed, ['10.0.0.31']);
});

test('a route of another tool at our key is a conflict, not overwritten', () => {
  const live = converged();
  const index = live.routes.findIndex((route) => route.table === 1001 && route.dst === 'default');
  live.routes[index] = { family: 4, table: 1001, dst: 'default', gateway: '10.0.0.1', dev: 'eth1', protocol: 'static' };
  const plan = planFor(metadata(), live);
  assert.deepEqual(plan.operations, []);
  assert.equal(plan.conflicts.length, 1);
  assert.equal(plan.conflicts[0]?.mac, MAC1);
});

test('a detached ENI: its rules and routes go once metadata is complete', () => {
  const meta = metadata();
  meta.enis.splice(2, 1);
  const live = converged();
  live.interfaces.splice(3, 1);
  live.routes = live.routes.filter((route) => route.dev !== 'eth2');
  const plan = planFor(meta, live);
  assert.deepEqual(plan.operations.map((operation) => [operation.action, operation.object.kind]), [['delete', 'rule']]);
  assert.equal(MAC0.length, 17);
});

test('a recorded /32 whose IP now sits there as a /24 of someone else is not deleted', () => {
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253');
  const live = converged();
  const eth1 = live.interfaces[2];
  if (eth1) eth1.addresses = [{ family: 4, address: '10.0.0.30', prefixLength: 24 }, { family: 4, address: '10.0.0.31', prefixLength: 24 }];
  const recorded = [{ ifname: 'eth1', mac: MAC1, family: 4 as const, address: '10.0.0.31', prefixLength: 32 }];
  const plan = planFor(meta, live, recorded);
  assert.ok(!plan.operations.some((operation) => operation.object.kind === 'address'), JSON.stringify(plan.operations));
});

test('a manager\'s copy of our rule or route (proto static) never hides ours: a removed IP still loses our rule', () => {
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253');
  const live = converged();
  // The manager's copy comes after ours in the kernel's list (the order `ip rule` prints).
  live.rules.push({ family: 4, priority: 20001, from: '10.0.0.31/32', table: 1001, protocol: 'static' });
  live.routes.push({ family: 4, table: 1001, dst: 'default', gateway: '10.0.0.253', dev: 'eth1', protocol: 'static' });
  const plan = planFor(meta, live);
  assert.deepEqual(
    plan.operations.map((operation) => [operation.action, operation.object.kind, 'from' in operation.object ? operation.object.from : '']),
    [['delete', 'rule', '10.0.0.31/32']],
  );
  assert.deepEqual(plan.conflicts, []);
});

test('IPv6 addresses are listed newest first: a recorded /128 first on a DHCP interface is still ours', () => {
  const live = converged();
  const eth1 = live.interfaces[2];
  if (eth1) eth1.addresses.unshift({ family: 6, address: '2408:4005:325:a204::31', prefixLength: 128 });
  live.routes.push({ family: 4, table: 254, dst: 'default', gateway: '10.0.0.253', dev: 'eth1', protocol: 'dhcp' });
  const recorded = [{ ifname: 'eth1', mac: MAC1, family: 6 as const, address: '2408:4005:325:a204::31', prefixLength: 128 }];
  const plan = planFor(metadata(), live, recorded);
  assert.deepEqual(plan.conflicts, []);
  assert.deepEqual(plan.recorded, recorded);
  assert.ok(plan.operations.some((operation) => operation.action === 'delete' && operation.object.kind === 'address'));
});

test('an ENI failed by the semantic gate holds every removal back, like any invalid value', () => {
  const meta = metadata();
  meta.enis[1] = eni(MAC1, 'eni-1', ['10.0.0.30', '127.0.0.1'], '10.0.0.0/24', '10.0.0.253');
  meta.enis.splice(2, 1);
  const live = converged();
  live.interfaces.splice(3, 1);
  const plan = planFor(meta, live);
  assert.ok(!plan.operations.some((operation) => operation.action === 'delete'), JSON.stringify(plan.operations));
  assert.ok(plan.deferred.some((operation) => operation.object.kind === 'rule'), 'the detached ENI\'s rule is held back');
});

test("a copy of eth0's primary IP that eni-init once added to eth1 (the case-3 residue) is removed from eth1, never from eth0", () => {
  const live = converged();
  live.interfaces[2]?.addresses.push({ family: 4, address: '10.0.0.20', prefixLength: 32 });
  const recorded = [
    { ifname: 'eth1', mac: MAC1, family: 4 as const, address: '10.0.0.20', prefixLength: 32 },
    { ifname: 'eth0', mac: MAC0, family: 4 as const, address: '10.0.0.20', prefixLength: 32 },
  ];
  const plan = planFor(metadata(), live, recorded);
  const deleted = plan.operations.filter((operation) => operation.object.kind === 'address').map((operation) => `${(operation.object as { ifname: string }).ifname} ${(operation.object as { address: string }).address}`);
  assert.deepEqual(deleted, ['eth1 10.0.0.20']);
});

test("the source of eth0's main route protects that address on eth0 only: a copy on eth1 is removable (remove, no metadata)", () => {
  const live = converged();
  live.interfaces[2]?.addresses.push({ family: 4, address: '10.0.0.20', prefixLength: 32 });
  live.routes.push({ family: 4, table: 254, dst: '10.0.0.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.20' });
  const recorded = [{ ifname: 'eth1', mac: MAC1, family: 4 as const, address: '10.0.0.20', prefixLength: 32 }];
  const nothing = { enis: [], global: [], protectedTables: new Set<number>(), protectedInterfaces: new Set<string>(), unmanagedInterfaces: [] };
  const removal = diff({ desired: nothing, live, recorded, numbering, allowRemovals: true });
  const deleted = removal.operations.filter((operation) => operation.object.kind === 'address').map((operation) => `${(operation.object as { ifname: string }).ifname} ${(operation.object as { address: string }).address}`);
  assert.deepEqual(deleted, ['eth1 10.0.0.20']);
});
