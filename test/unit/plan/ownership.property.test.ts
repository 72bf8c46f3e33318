// trustRecorded's index of live addresses (liveAddressLookup) agrees with the scan it replaced, over generated (partly hostile) states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Family, LiveInterface } from '../../../src/model.ts';
import { liveAddressLookup } from '../../../src/plan/ownership.ts';
import { scenarioArbitrary } from './arbitraries.ts';

const RUNS = { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20261202) };

test('the live-address index finds what a scan of the interfaces finds, with interface names and addresses listed twice', () => {
  const twist = fc.record({ twinInterface: fc.boolean(), twoPrefixes: fc.boolean(), recordLive: fc.boolean() });
  fc.assert(
    fc.property(scenarioArbitrary, twist, (scenario, { twinInterface, twoPrefixes, recordLive }) => {
      const interfaces = scenario.interfaces.map((iface) => ({ ...iface, addresses: [...iface.addresses] }));
      // Hostile or odd live states: a second interface of one name (other addresses), one address under two prefix lengths.
      if (twinInterface) interfaces.push({ ...(interfaces[2] as LiveInterface), index: 99, addresses: [...(interfaces[1] as LiveInterface).addresses] });
      if (twoPrefixes) for (const iface of interfaces) iface.addresses = iface.addresses.flatMap((address) => [address, { ...address, prefixLength: address.prefixLength === 32 ? 24 : 32 }]);
      // Entries for live addresses too (as a converged run records them), so most reach the last checks.
      const recorded = [...scenario.recorded];
      if (recordLive) for (const iface of interfaces) for (const address of iface.addresses) recorded.push({ ifname: iface.name, mac: iface.mac, family: address.family, address: address.address, prefixLength: address.prefixLength });
      // The scan trustRecorded did per state entry before the index: the first interface of the name, its first such address.
      const scan = (ifname: string, family: Family, address: string) =>
        interfaces.find((iface) => iface.name === ifname)?.addresses.find((candidate) => candidate.family === family && candidate.address === address);
      const lookup = liveAddressLookup(interfaces);
      for (const entry of recorded) assert.equal(lookup(entry.ifname, entry.family, entry.address), scan(entry.ifname, entry.family, entry.address));
    }),
    RUNS,
  );
});
