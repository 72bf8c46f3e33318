// trustRecorded's index of live addresses agrees with the scans it replaced, over generated (partly hostile) states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EniMetadata, LiveInterface, LiveRoute, RecordedAddress } from '../../../src/model.ts';
import { hostPrefix } from '../../../src/net/address.ts';
import type { Numbering } from '../../../src/plan/numbering.ts';
import { ownsLiveRoute, trustRecorded } from '../../../src/plan/ownership.ts';
import type { Conflict } from '../../../src/plan/ownership.ts';
import { reservedName } from '../../../src/plan/ranges.ts';
import { NUMBERING, scenarioArbitrary } from './arbitraries.ts';

const RUNS = { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20261202) };

/** trustRecorded as it was, with a scan of the interfaces and their addresses per entry: the reference. */
function scanTrustRecorded(
  recorded: readonly RecordedAddress[],
  live: { interfaces: readonly LiveInterface[]; routes: readonly LiveRoute[] },
  primary: EniMetadata | undefined,
  numbering: Numbering,
): { trusted: RecordedAddress[]; ignored: Conflict[] } {
  const primaryInterfaces = new Set(primary === undefined ? [] : live.interfaces.filter((iface) => iface.mac === primary.mac).map((iface) => iface.name));
  const primaryAddresses = new Set(
    primary === undefined ? [] : [...primaryInterfaces].flatMap((name) => [`${name}|4|${primary.primaryIp}`, ...(primary.ipv6s[0] === undefined ? [] : [`${name}|6|${primary.ipv6s[0]}`])]),
  );
  const foreignSources = new Set(
    live.routes.filter((route) => route.table === 254 && route.prefsrc !== undefined && !ownsLiveRoute(route, numbering)).map((route) => `${route.dev ?? ''}|${route.family}|${route.prefsrc}`),
  );
  const defaultRouteInterfaces = new Set(live.routes.filter((route) => route.table === 254 && route.dst === 'default' && !ownsLiveRoute(route, numbering)).flatMap((route) => [route.dev, ...(route.nexthops ?? []).map((hop) => hop.dev)]));
  const firstAddresses = new Set(
    live.interfaces
      .filter((iface) => defaultRouteInterfaces.has(iface.name) && !primaryInterfaces.has(iface.name))
      .flatMap((iface) => {
        const first = iface.addresses.find((address) => address.family === 4 && reservedName(address.address, 4) === undefined);
        return first === undefined ? [] : [`${iface.name}|4|${first.address}`];
      }),
  );
  const trusted: RecordedAddress[] = [];
  const ignored: Conflict[] = [];
  const seen = new Set<string>();
  for (const entry of recorded) {
    const where = `${entry.address}/${entry.prefixLength} on ${entry.ifname}`;
    const ignore = (why: string) => ignored.push({ code: 'state-file', ...(entry.mac === '' ? {} : { mac: entry.mac }), message: `state file entry ${where}: ${why}; ignored, never removed` });
    const key = `${entry.ifname}|${entry.family}|${entry.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (entry.prefixLength !== hostPrefix(entry.family)) {
      ignore(`not a /${hostPrefix(entry.family)} (eni-init adds only /32 and /128 addresses)`);
      continue;
    }
    const value = live.interfaces.find((iface) => iface.name === entry.ifname)?.addresses.find((address) => address.family === entry.family && address.address === entry.address);
    if (value === undefined) continue;
    if (value.prefixLength !== entry.prefixLength) ignore(`the interface holds it as /${value.prefixLength}, not as eni-init adds it`);
    else if (value.dynamic === true) ignore('a leased (DHCP/SLAAC) address, never one eni-init added');
    else if (primaryAddresses.has(key)) ignore("the primary ENI's primary address");
    else if (firstAddresses.has(key)) ignore(`the first IPv4 address of ${entry.ifname}, which has a default route in main (its primary address)`);
    else if (foreignSources.has(key)) ignore("the source address of a main-table route of another tool (an interface's primary address)");
    else if (reservedName(entry.address, entry.family) !== undefined) ignore(`in the ${reservedName(entry.address, entry.family) as string}`);
    else trusted.push(entry);
  }
  return { trusted, ignored };
}

test('trustRecorded trusts and ignores exactly what the scan does, with interface names and addresses listed twice', () => {
  const twist = fc.record({ twinInterface: fc.boolean(), twoPrefixes: fc.boolean(), recordLive: fc.boolean(), primary: fc.nat() });
  fc.assert(
    fc.property(scenarioArbitrary, twist, (scenario, { twinInterface, twoPrefixes, recordLive, primary }) => {
      const interfaces = scenario.interfaces.map((iface) => ({ ...iface, addresses: [...iface.addresses] }));
      // Hostile or odd live states: a second interface of one name (other addresses), one address under two prefix lengths.
      if (twinInterface) interfaces.push({ ...(interfaces[2] as LiveInterface), index: 99, addresses: [...(interfaces[1] as LiveInterface).addresses] });
      if (twoPrefixes) for (const iface of interfaces) iface.addresses = iface.addresses.flatMap((address) => [address, { ...address, prefixLength: address.prefixLength === 32 ? 24 : 32 }]);
      // Entries for live addresses too (as a converged run records them), so most reach the last checks.
      const recorded = [...scenario.recorded];
      if (recordLive) for (const iface of interfaces) for (const address of iface.addresses) recorded.push({ ifname: iface.name, mac: iface.mac, family: address.family, address: address.address, prefixLength: address.prefixLength });
      const live = { interfaces, routes: scenario.routes };
      const eni = [undefined, ...scenario.metadata.enis][primary % (scenario.metadata.enis.length + 1)];
      assert.deepEqual(trustRecorded(recorded, live, eni, NUMBERING), scanTrustRecorded(recorded, live, eni, NUMBERING));
    }),
    RUNS,
  );
});
