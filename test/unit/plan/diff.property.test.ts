// Property test of the diff: over generated live states with foreign rules, routes (merged next hops included)
// and addresses beside eni-init's own, and a state file that may lie, nothing that is not ours is ever deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diff } from '../../../src/plan/diff.ts';
import type { LiveInterface, Operation } from '../../../src/model.ts';
import { NUMBERING, planOf, scenarioArbitrary } from './arbitraries.ts';
import type { Scenario } from './arbitraries.ts';

const RUNS = { numRuns: 200, seed: Number(process.env.FC_SEED ?? 20261202) };

/** True when `operation` deletes exactly an object eni-init owns in `live`, or a recorded /32 it added. */
function deletesOurs(operation: Operation, scenario: Scenario): boolean {
  const object = operation.object;
  const ours = (protocol: string | undefined) => protocol === '203' || protocol === 'eni-init';
  const ownTable = (table: number | string) => typeof table === 'number' && table >= 1000 && table <= 1255;
  if (object.kind === 'rule') {
    return scenario.rules.some(
      (rule) =>
        ours(rule.protocol) &&
        rule.priority === object.priority &&
        rule.priority >= 19999 &&
        rule.priority <= 20255 &&
        rule.table === object.table &&
        rule.from === object.from &&
        rule.suppressPrefixLength === object.suppressPrefixLength &&
        (ownTable(rule.table) ? rule.suppressPrefixLength === undefined : rule.table === 'main' && rule.priority === 19999 && rule.suppressPrefixLength === 0 && rule.from === undefined),
    );
  }
  if (object.kind === 'route') {
    return scenario.routes.some((route) => {
      if (!ours(route.protocol) || !ownTable(route.table) || route.table !== object.table || route.dst !== object.dst) return false;
      const hop = route.nexthops?.[0] ?? { gateway: route.gateway, dev: route.dev };
      return hop.gateway === object.gateway && (hop.dev ?? '') === object.ifname;
    });
  }
  if (object.kind === 'address') {
    const live = scenario.interfaces.find((iface) => iface.name === object.ifname)?.addresses.find((entry) => entry.address === object.address);
    const recorded = scenario.recorded.some((entry) => entry.ifname === object.ifname && entry.address === object.address && entry.prefixLength === object.prefixLength);
    const primary = scenario.metadata.enis.find((eni) => eni.mac === scenario.metadata.instance.primaryMac);
    const onPrimaryInterface = scenario.interfaces.find((iface) => iface.name === object.ifname)?.mac === scenario.metadata.instance.primaryMac;
    return (
      recorded &&
      live !== undefined &&
      live.prefixLength === object.prefixLength &&
      (object.prefixLength === 32 || object.prefixLength === 128) &&
      live.dynamic !== true &&
      !(onPrimaryInterface && object.address === primary?.primaryIp)
    );
  }
  return false;
}

test('no deletion of an object that is not ours (foreign rules, routes and addresses beside ours), in apply and in remove', () => {
  fc.assert(
    fc.property(scenarioArbitrary, (scenario) => {
      const { live, plan } = planOf(scenario);
      const nothing = { enis: [], global: [], protectedTables: new Set<number>(), protectedInterfaces: new Set<string>(), unmanagedInterfaces: [] };
      const removal = diff({ desired: nothing, live, recorded: scenario.recorded, numbering: NUMBERING, allowRemovals: true });
      for (const operation of [...plan.operations, ...plan.deferred, ...removal.operations]) {
        if (operation.action !== 'delete') continue;
        assert.ok(deletesOurs(operation, scenario), `deletes what is not ours: ${JSON.stringify(operation)}`);
      }
    }),
    RUNS,
  );
});

test('addresses: the index of live addresses decides as a scan of the interface does, with names and addresses listed twice', () => {
  const twist = fc.record({ twinInterface: fc.boolean(), twoPrefixes: fc.boolean() });
  fc.assert(
    fc.property(scenarioArbitrary, twist, (scenario, { twinInterface, twoPrefixes }) => {
      const interfaces = scenario.interfaces.map((iface) => ({ ...iface, addresses: [...iface.addresses] }));
      if (twinInterface) interfaces.push({ ...(interfaces[2] as LiveInterface), index: 99, addresses: [...(interfaces[1] as LiveInterface).addresses] });
      if (twoPrefixes) for (const iface of interfaces) iface.addresses = iface.addresses.flatMap((address) => [address, { ...address, prefixLength: address.prefixLength === 32 ? 24 : 32 }]);
      const { desired, live, plan } = planOf({ ...scenario, interfaces });
      // The interface a name stands for is the last one listed under it (a Map of names), as before the index.
      const scan = (ifname: string, address: string, prefixLength?: number) =>
        [...live.interfaces].reverse().find((iface) => iface.name === ifname)?.addresses.some((entry) => entry.address === address && (prefixLength === undefined || entry.prefixLength === prefixLength)) ?? false;
      const wanted = desired.enis.flatMap((eni) => eni.objects).filter((object) => object.kind === 'address');
      const added = plan.operations.filter((operation) => operation.action === 'add' && operation.object.kind === 'address').map((operation) => operation.object);
      assert.deepEqual(added, wanted.filter((object) => !scan(object.ifname, object.address)));
      // A trusted entry not wanted is removed (or held back) only when live with exactly its prefix length.
      const wantedKeys = new Set(wanted.map((object) => `${object.ifname}|${object.address}`));
      const removed = [...plan.operations, ...plan.deferred].filter((operation) => operation.action === 'delete' && operation.object.kind === 'address').map((operation) => operation.object);
      const expected = plan.recorded.filter((entry) => !wantedKeys.has(`${entry.ifname}|${entry.address}`) && scan(entry.ifname, entry.address, entry.prefixLength));
      assert.equal(removed.length <= expected.length, true);
      for (const object of removed) assert.ok(expected.some((entry) => object.kind === 'address' && entry.ifname === object.ifname && entry.address === object.address), JSON.stringify(object));
    }),
    RUNS,
  );
});

test('operations in order: changes by kind (link, address, route, rule), subnet routes before default routes; then removals in reverse', () => {
  const rank = (operation: Operation) => ['link-up', 'address', 'route', 'rule'].indexOf(operation.object.kind);
  const key = (operation: Operation) => rank(operation) * 2 + (operation.object.kind === 'route' && operation.object.dst === 'default' ? 1 : 0);
  const ordered = <T>(items: readonly T[], inOrder: (a: T, b: T) => boolean) => items.every((item, index) => index === 0 || inOrder(items[index - 1] as T, item));
  fc.assert(
    fc.property(scenarioArbitrary, (scenario) => {
      const { live, plan } = planOf(scenario);
      const nothing = { enis: [], global: [], protectedTables: new Set<number>(), protectedInterfaces: new Set<string>(), unmanagedInterfaces: [] };
      const removal = diff({ desired: nothing, live, recorded: scenario.recorded, numbering: NUMBERING, allowRemovals: true });
      for (const { operations } of [plan, removal]) {
        // Some split: changes (adds, and the exact delete before re-adding a changed route) first, removals after.
        const split = Array.from({ length: operations.length + 1 }, (_, index) => index).some(
          (index) =>
            ordered(operations.slice(0, index), (a, b) => key(a) <= key(b)) &&
            operations.slice(0, index).every((operation) => operation.action === 'add' || operation.object.kind === 'route') &&
            operations.slice(index).every((operation) => operation.action === 'delete') &&
            ordered(operations.slice(index), (a, b) => rank(a) >= rank(b)),
        );
        assert.ok(split, JSON.stringify(operations.map((operation) => `${operation.action} ${operation.object.kind}`)));
      }
    }),
    RUNS,
  );
});
