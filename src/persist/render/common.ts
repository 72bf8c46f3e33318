// Shared by the renderers: defense-in-depth checks of every value that reaches a path or a file, and small helpers.
import { canonicalAddress, hostPrefix, parseCidr } from '../../net/address.ts';
import { isSafeInterfaceName } from '../../net/interface-name.ts';
import { canonicalMac } from '../../net/mac.ts';
import type { Family } from '../../model.ts';
import { WRITTEN_BY } from '../types.ts';
import type { InterfacePersist, PersistMainFirst, PersistRoute, PersistRule } from '../types.ts';

const UINT32_MAX = 0xffffffff;

function fail(what: string, value: unknown): never {
  throw new Error(`refusing to render persistent config: invalid ${what} ${JSON.stringify(value)}`);
}

export function assertIfname(ifname: string): void {
  if (!isSafeInterfaceName(ifname)) fail('interface name', ifname);
}

function assertAddress(family: Family, text: string | undefined, what: string): void {
  if (text !== undefined && canonicalAddress(text, family) !== text) fail(what, text);
}

function assertCidr(family: Family, text: string, what: string): void {
  if (parseCidr(text, family)?.cidr !== text) fail(what, text);
}

function assertUint32(value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > UINT32_MAX) fail(what, value);
}

function assertFamily(family: unknown): asserts family is Family {
  if (family !== 4 && family !== 6) fail('address family', family);
}

function assertRoute(route: PersistRoute): void {
  assertFamily(route.family);
  assertUint32(route.table, 1, 'route table');
  if (route.dst !== 'default') assertCidr(route.family, route.dst, 'route destination');
  assertAddress(route.family, route.gateway, 'route gateway');
  assertAddress(route.family, route.prefsrc, 'route source');
  if (route.scope !== undefined && route.scope !== 'link') fail('route scope', route.scope);
}

function assertRule(rule: PersistRule): void {
  assertFamily(rule.family);
  assertUint32(rule.priority, 0, 'rule priority');
  assertUint32(rule.table, 1, 'rule table');
  assertCidr(rule.family, rule.from, 'rule source');
}

/** Throws unless every value of `iface` is one the renderers can write verbatim (validated upstream; checked again here). */
export function assertRenderable(iface: InterfacePersist): void {
  assertIfname(iface.ifname);
  if (canonicalMac(iface.mac) !== iface.mac) fail('MAC address', iface.mac);
  for (const entry of iface.addresses) {
    assertFamily(entry.family);
    assertAddress(entry.family, entry.address, 'address');
    if (!Number.isInteger(entry.prefixLength) || entry.prefixLength < 0 || entry.prefixLength > hostPrefix(entry.family)) {
      fail('prefix length', entry.prefixLength);
    }
  }
  iface.routes.forEach(assertRoute);
  iface.rules.forEach(assertRule);
  for (const rule of iface.mainFirst ?? []) {
    assertFamily(rule.family);
    assertUint32(rule.priority, 0, 'rule priority');
  }
}

/** The parts of `iface` of one address family, in their given order. */
export function ofFamily(iface: InterfacePersist, family: Family): Pick<InterfacePersist, 'addresses' | 'routes' | 'rules'> & { mainFirst: PersistMainFirst[] } {
  return {
    addresses: iface.addresses.filter((entry) => entry.family === family),
    routes: iface.routes.filter((entry) => entry.family === family),
    rules: iface.rules.filter((entry) => entry.family === family),
    mainFirst: (iface.mainFirst ?? []).filter((entry) => entry.family === family),
  };
}

/** `default` as a CIDR (keyfile and networkd want an explicit destination). */
export const defaultCidr = (family: Family): string => (family === 4 ? '0.0.0.0/0' : '::/0');

export const routeDestination = (route: PersistRoute): string => (route.dst === 'default' ? defaultCidr(route.family) : route.dst);

/** A file's content: the WRITTEN_BY line, then the given lines, newline-terminated. */
export function fileContent(lines: readonly string[]): string {
  return [WRITTEN_BY, ...lines].join('\n') + '\n';
}
