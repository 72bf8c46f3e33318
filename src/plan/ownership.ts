// Pure: what in the live state is eni-init's: routes and rules by tag and ranges, addresses by a state entry
// that the live state confirms (the state file is a hint, never an order).
import type { EniMetadata, Family, LiveAddress, LiveInterface, LiveRoute, LiveRule, RecordedAddress } from '../model.ts';
import { hostPrefix } from '../net/address.ts';
import { PROTOCOL_NAMES, mainFirstPriority, ownsPriority, ownsTable } from './numbering.ts';
import type { Numbering } from './numbering.ts';
import { reservedName } from './ranges.ts';

/** A state-file entry not trusted, or another tool's object where ours should be. */
export interface Conflict {
  /** `conflict` (another tool's object where ours should be) or `state-file` (an entry of the state file not trusted). */
  code?: 'conflict' | 'state-file';
  mac?: string;
  message: string;
}

const ours = (protocol: string | undefined): boolean => protocol !== undefined && PROTOCOL_NAMES.has(protocol);

/**
 * A rule is ours only with our protocol, a priority in our range AND a table in our range; the one exception is
 * the `--main-routes-first` rule (`lookup main suppress_prefixlength 0` at priority-base - 1).
 */
export function ownsLiveRule(rule: LiveRule, numbering: Numbering): boolean {
  if (!ours(rule.protocol) || !ownsPriority(rule.priority, numbering)) return false;
  if (rule.table === 'main') return rule.priority === mainFirstPriority(numbering) && rule.suppressPrefixLength === 0 && rule.from === undefined;
  return typeof rule.table === 'number' && ownsTable(rule.table, numbering) && rule.suppressPrefixLength === undefined;
}

/** A route is ours only with our protocol and a table in our range. */
export function ownsLiveRoute(route: LiveRoute, numbering: Numbering): boolean {
  return ours(route.protocol) && ownsTable(route.table, numbering);
}

/**
 * The live address of an interface by name, family and address, from an index built once (one lookup per state
 * entry, not a scan). As a scan finds it: the first interface of a name, its first copy of an address (hostile
 * input may repeat both).
 */
export function liveAddressLookup(interfaces: readonly LiveInterface[]): (ifname: string, family: Family, address: string) => LiveAddress | undefined {
  const index = new Map<string, LiveAddress>();
  const named = new Set<string>();
  for (const iface of interfaces) {
    if (named.has(iface.name)) continue;
    named.add(iface.name);
    for (const address of iface.addresses) {
      const key = `${iface.name}|${address.family}|${address.address}`;
      if (!index.has(key)) index.set(key, address);
    }
  }
  return (ifname, family, address) => index.get(`${ifname}|${family}|${address}`);
}

/**
 * Which recorded addresses may be removed. The state file is a hint, never an order: an entry is trusted only
 * when it is a /32 or /128, sits on the recorded interface with exactly that prefix, is permanent (not a
 * DHCP/SLAAC lease), is no interface's primary address (the primary ENI's primary IP, the source of a main-table
 * route of another tool, the first IPv4 address of an interface with a default route in main) and is no reserved
 * address. Entries no longer live are dropped silently; the rest is
 * reported and ignored.
 */
export function trustRecorded(
  recorded: readonly RecordedAddress[],
  live: { interfaces: readonly LiveInterface[]; routes: readonly LiveRoute[] },
  primary: EniMetadata | undefined,
  numbering: Numbering,
): { trusted: RecordedAddress[]; ignored: Conflict[] } {
  // The primary ENI's own primary addresses on its own interface (elsewhere they are a copy: one eni-init once
  // added to another interface is removable like any other of its addresses).
  const primaryInterfaces = new Set(primary === undefined ? [] : live.interfaces.filter((iface) => iface.mac === primary.mac).map((iface) => iface.name));
  const primaryAddresses = new Set(
    primary === undefined ? [] : [...primaryInterfaces].flatMap((name) => [`${name}|4|${primary.primaryIp}`, ...(primary.ipv6s[0] === undefined ? [] : [`${name}|6|${primary.ipv6s[0]}`])]),
  );
  // The source of another tool's main-table route is the primary address of that route's interface (only there).
  const foreignSources = new Set(
    live.routes.filter((route) => route.table === 254 && route.prefsrc !== undefined && !ownsLiveRoute(route, numbering)).map((route) => `${route.dev ?? ''}|${route.family}|${route.prefsrc}`),
  );
  // An interface with a default route in main is a primary interface (eth0, a DHCP'd secondary): its first IPv4
  // address is its own primary address (DHCP's, or static), which eni-init never added first. IPv4 only: the
  // kernel lists IPv4 addresses in the order they were added, IPv6 ones newest first.
  const defaultRouteInterfaces = new Set(live.routes.filter((route) => route.table === 254 && route.dst === 'default' && !ownsLiveRoute(route, numbering)).flatMap((route) => [route.dev, ...(route.nexthops ?? []).map((hop) => hop.dev)]));
  const firstAddresses = new Set(
    live.interfaces
      // Where the primary ENI's metadata names the primary address, that is the fact: after a DHCP client dropped
      // and re-added its lease, an address eni-init added is listed first (seen on networkd and netplan in the VM test).
      .filter((iface) => defaultRouteInterfaces.has(iface.name) && !primaryInterfaces.has(iface.name))
      .flatMap((iface) => {
        const first = iface.addresses.find((address) => address.family === 4 && reservedName(address.address, 4) === undefined);
        return first === undefined ? [] : [`${iface.name}|4|${first.address}`];
      }),
  );
  const liveAddress = liveAddressLookup(live.interfaces);
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
    const value = liveAddress(entry.ifname, entry.family, entry.address);
    if (value === undefined) continue;
    if (value.prefixLength !== entry.prefixLength) ignore(`the interface holds it as /${value.prefixLength}, not as eni-init adds it`);
    else if (value.dynamic === true) ignore('a leased (DHCP/SLAAC) address, never one eni-init added');
    else if (primaryAddresses.has(key)) ignore("the primary ENI's primary address");
    else if (firstAddresses.has(key)) ignore(`the first IPv4 address of ${entry.ifname}, which has a default route in main (its primary address)`);
    else if (foreignSources.has(key)) ignore("the source address of a main-table route of another tool (an interface's primary address)");
    else {
      const reserved = reservedName(entry.address, entry.family);
      if (reserved !== undefined) ignore(`in the ${reserved}`);
      else trusted.push(entry);
    }
  }
  return { trusted, ignored };
}

