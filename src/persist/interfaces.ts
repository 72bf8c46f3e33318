// Pure: the desired state of each managed ENI, in the per-interface shape the persistent backends render.
import type { Family } from '../model.ts';
import type { DesiredState } from '../plan/desired.ts';
import type { InterfacePersist, PersistRoute } from './types.ts';

export function persistInterfaces(desired: DesiredState): InterfacePersist[] {
  const result: InterfacePersist[] = [];
  const slots = new Map<string, number>();
  for (const eni of desired.enis) {
    // IPv6 side unknown this run: the ENI's persisted config (with its IPv6) stays as it is rather than lose IPv6.
    if (eni.status !== 'managed' || eni.ifname === undefined || eni.metadata?.ipv6Problems !== undefined) continue;
    const iface: InterfacePersist = { ifname: eni.ifname, mac: eni.mac, primary: eni.primary, addresses: [], routes: [], rules: [] };
    if (eni.eniId !== undefined) iface.eniId = eni.eniId;
    slots.set(eni.ifname, eni.slot ?? Number.MAX_SAFE_INTEGER);
    for (const object of eni.objects) {
      if (object.kind === 'address') iface.addresses.push({ family: object.family, address: object.address, prefixLength: object.prefixLength });
      else if (object.kind === 'route') {
        const route: PersistRoute = { family: object.family, table: object.table, dst: object.dst };
        if (object.gateway !== undefined) route.gateway = object.gateway;
        if (object.prefsrc !== undefined) route.prefsrc = object.prefsrc;
        if (object.scope !== undefined) route.scope = object.scope;
        // Same as the runtime batch: the IPv4 gateway is outside the /32 addresses, so its default route is onlink.
        if (object.family === 4 && object.dst === 'default') route.onlink = true;
        iface.routes.push(route);
      } else if (object.kind === 'rule' && object.from !== undefined && typeof object.table === 'number') {
        iface.rules.push({ family: object.family, priority: object.priority, from: object.from, table: object.table });
      }
    }
    iface.addresses.sort((a, b) => a.family - b.family);
    result.push(iface);
  }
  for (const object of desired.global) {
    if (object.kind !== 'rule' || object.table !== 'main' || object.suppressPrefixLength !== 0) continue;
    const carrier = mainFirstCarrier(result, object.family, slots);
    if (carrier !== undefined) carrier.mainFirst = [...(carrier.mainFirst ?? []), { family: object.family, priority: object.priority }];
  }
  return result;
}

/**
 * The one interface whose file carries a main-routes-first rule: the secondary ENI with the lowest slot that has
 * rules of that family (its file is eni-init's own on every backend, and the lowest slot is the most stable choice:
 * usually eth1, attached first and detached last); the primary only when it alone has rules (--primary-rules):
 * only ifcfg writes rule files for the primary, so elsewhere the rule is then runtime-only, re-added at every run.
 * One place only: two files carrying the same rule would give the kernel two copies of it again.
 */
function mainFirstCarrier(ifaces: readonly InterfacePersist[], family: Family, slots: ReadonlyMap<string, number>): InterfacePersist | undefined {
  const withRules = ifaces.filter((iface) => iface.rules.some((rule) => rule.family === family));
  const order = (iface: InterfacePersist) => slots.get(iface.ifname) ?? Number.MAX_SAFE_INTEGER;
  const secondaries = withRules.filter((iface) => !iface.primary).sort((a, b) => order(a) - order(b));
  return secondaries[0] ?? withRules.find((iface) => iface.primary);
}
