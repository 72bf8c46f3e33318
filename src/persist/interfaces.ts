// Pure: the desired state of each managed ENI, in the per-interface shape the persistent backends render.
import type { DesiredState } from '../plan/desired.ts';
import type { InterfacePersist, PersistRoute } from './types.ts';

export function persistInterfaces(desired: DesiredState): InterfacePersist[] {
  const result: InterfacePersist[] = [];
  for (const eni of desired.enis) {
    // IPv6 side unknown this run: the ENI's persisted config (with its IPv6) stays as it is rather than lose IPv6.
    if (eni.status !== 'managed' || eni.ifname === undefined || eni.metadata?.ipv6Problems !== undefined) continue;
    const iface: InterfacePersist = { ifname: eni.ifname, mac: eni.mac, primary: eni.primary, addresses: [], routes: [], rules: [] };
    if (eni.eniId !== undefined) iface.eniId = eni.eniId;
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
  return result;
}
