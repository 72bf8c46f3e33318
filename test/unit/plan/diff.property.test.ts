// Property test of the diff: over generated live states with foreign rules, routes (merged next hops included)
// and addresses beside eni-init's own, and a state file that may lie, nothing that is not ours is ever deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diff } from '../../../src/plan/diff.ts';
import type { Operation } from '../../../src/model.ts';
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
