import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownsLiveRoute, ownsLiveRule, trustRecorded } from '../../../src/plan/ownership.ts';
import { eni, MAC0 } from '../fixtures.ts';

const numbering = { tableBase: 1000, priorityBase: 20000 };

test('a rule is ours only with our protocol, priority range and table range (or exactly the main-routes-first rule)', () => {
  const rule = { family: 4 as const, priority: 20001, from: '10.0.0.30/32', table: 1001 as number | string, protocol: '203' };
  assert.equal(ownsLiveRule(rule, numbering), true);
  assert.equal(ownsLiveRule({ ...rule, protocol: 'eni-init' }, numbering), true);
  assert.equal(ownsLiveRule({ ...rule, protocol: 'static' }, numbering), false);
  assert.equal(ownsLiveRule({ ...rule, table: 5000 }, numbering), false, 'table outside our range');
  assert.equal(ownsLiveRule({ ...rule, table: 'main' }, numbering), false, 'main only for the suppress rule');
  assert.equal(ownsLiveRule({ ...rule, priority: 20256 }, numbering), false);
  assert.equal(ownsLiveRule({ family: 4, priority: 19999, table: 'main', protocol: '203', suppressPrefixLength: 0 }, numbering), true);
  assert.equal(ownsLiveRule({ family: 4, priority: 20000, table: 'main', protocol: '203', suppressPrefixLength: 0 }, numbering), false);
});

test('a route is ours only with our protocol and a table in our range', () => {
  const route = { family: 4 as const, table: 1001, dst: 'default', gateway: '10.0.0.253', dev: 'eth1', protocol: '203' };
  assert.equal(ownsLiveRoute(route, numbering), true);
  assert.equal(ownsLiveRoute({ ...route, protocol: 'static' }, numbering), false);
  assert.equal(ownsLiveRoute({ ...route, table: 254 }, numbering), false);
  assert.equal(ownsLiveRoute({ ...route, table: 1256 }, numbering), false);
});

test("an address eni-init added to eth0 stays trusted when it is listed first (eth0's lease dropped and re-added)", () => {
  const live = {
    interfaces: [
      {
        name: 'eth0',
        index: 2,
        mac: MAC0,
        up: true,
        addresses: [
          { family: 4 as const, address: '10.0.0.21', prefixLength: 32 },
          { family: 4 as const, address: '10.0.0.20', prefixLength: 24, dynamic: true },
        ],
      },
    ],
    routes: [{ family: 4 as const, table: 254, dst: 'default', gateway: '10.0.0.253', dev: 'eth0', protocol: 'dhcp' }],
  };
  const recorded = [{ ifname: 'eth0', mac: MAC0, family: 4 as const, address: '10.0.0.21', prefixLength: 32 }];
  const primary = eni(MAC0, 'eni-0', ['10.0.0.20', '10.0.0.21'], '10.0.0.0/24', '10.0.0.253');
  const known = trustRecorded(recorded, live, primary, numbering);
  assert.deepEqual(known.trusted, recorded);
  assert.deepEqual(known.ignored, []);
  // Without the primary ENI's metadata, the first IPv4 address of an interface with a default route stays its own.
  const unknown = trustRecorded(recorded, live, undefined, numbering);
  assert.deepEqual(unknown.trusted, []);
  assert.equal(unknown.ignored.length, 1);
});
