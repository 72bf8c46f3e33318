// Pure: desired state x live kernel state x recorded addresses -> ordered operations over eni-init's own objects only.
import type { DesiredObject, LiveState, Operation, RecordedAddress } from '../model.ts';
export type { RecordedAddress } from '../model.ts';
import type { DesiredState } from './desired.ts';
import { PROTOCOL_NAMES, ownsPriority, ownsTable } from './numbering.ts';
import type { Numbering } from './numbering.ts';


export interface DiffInput {
  desired: DesiredState;
  live: LiveState;
  recorded: readonly RecordedAddress[];
  numbering: Numbering;
  /** Removals happen only when the metadata was read completely and successfully. */
  allowRemovals: boolean;
}

export interface Conflict {
  mac?: string;
  message: string;
}

export interface Plan {
  operations: Operation[];
  /** Removals held back (metadata incomplete, or the object belongs to a protected ENI). */
  deferred: Operation[];
  conflicts: Conflict[];
}

/** Identity of an object: two objects with the same key are the same kernel object. */
export function objectKey(object: DesiredObject): string {
  switch (object.kind) {
    case 'link-up':
      return `link|${object.ifname}`;
    case 'address':
      return `address|${object.ifname}|${object.address}`;
    case 'route':
      return `route|${object.family}|${object.table}|${object.dst}`;
    case 'rule':
      return `rule|${object.family}|${object.priority}|${object.from ?? 'all'}|${object.table}|${object.suppressPrefixLength ?? ''}`;
  }
}

type Route = Extract<DesiredObject, { kind: 'route' }>;
type Rule = Extract<DesiredObject, { kind: 'rule' }>;

const ORDER: Record<DesiredObject['kind'], number> = { 'link-up': 0, address: 1, route: 2, rule: 3 };

function sameRoute(a: Route, b: Route): boolean {
  return a.ifname === b.ifname && a.gateway === b.gateway && a.prefsrc === b.prefsrc && a.scope === b.scope;
}

export function diff(input: DiffInput): Plan {
  const { desired, live, numbering } = input;
  const operations: Operation[] = [];
  const removals: Operation[] = [];
  const deferred: Operation[] = [];
  const conflicts: Conflict[] = [];
  const macOf = new Map<string, string>();
  const macOfTable = new Map<number, string>();

  const wanted = new Map<string, { object: DesiredObject; mac?: string }>();
  for (const eni of desired.enis) {
    for (const object of eni.objects) wanted.set(objectKey(object), { object, mac: eni.mac });
    if (eni.ifname !== undefined) macOf.set(eni.ifname, eni.mac);
    if (eni.table !== undefined) macOfTable.set(eni.table, eni.mac);
  }
  for (const object of desired.global) wanted.set(objectKey(object), { object });

  // Live objects by key; `owned` marks what carries our tag inside our ranges.
  const liveRoutes = new Map<string, { object: Route; owned: boolean; protocol: string }>();
  for (const route of live.routes) {
    const object: Route = { kind: 'route', family: route.family, table: route.table, dst: route.dst, ifname: route.dev ?? '' };
    if (route.gateway !== undefined) object.gateway = route.gateway;
    if (route.prefsrc !== undefined) object.prefsrc = route.prefsrc;
    if (route.scope === 'link') object.scope = 'link';
    const owned = PROTOCOL_NAMES.has(route.protocol) && ownsTable(route.table, numbering);
    // The same route can exist twice (ours and a manager's copy with another metric): ours is the one that counts.
    const key = objectKey(object);
    if (!liveRoutes.get(key)?.owned) liveRoutes.set(key, { object, owned, protocol: route.protocol });
  }
  const liveRules = new Map<string, { object: Rule; owned: boolean }>();
  for (const rule of live.rules) {
    const table = typeof rule.table === 'number' ? rule.table : rule.table === 'main' ? 'main' : undefined;
    if (table === undefined) continue;
    const object: Rule = { kind: 'rule', family: rule.family, priority: rule.priority, table };
    if (rule.from !== undefined) object.from = rule.from;
    if (rule.suppressPrefixLength !== undefined) object.suppressPrefixLength = rule.suppressPrefixLength;
    const owned = rule.protocol !== undefined && PROTOCOL_NAMES.has(rule.protocol) && ownsPriority(rule.priority, numbering);
    // A manager that persists the ENI adds its own copy of our rule (proto static): ours must still be seen.
    const key = objectKey(object);
    if (!liveRules.get(key)?.owned) liveRules.set(key, { object, owned });
  }
  const ifaces = new Map(live.interfaces.map((iface) => [iface.name, iface]));
  const hasAddress = (ifname: string, address: string, prefixLength?: number) =>
    ifaces.get(ifname)?.addresses.some((entry) => entry.address === address && (prefixLength === undefined || entry.prefixLength === prefixLength)) ?? false;

  for (const [key, { object, mac }] of wanted) {
    const withMac = (operation: Operation): Operation => (mac === undefined ? operation : { ...operation, mac });
    if (object.kind === 'link-up') {
      if (!(ifaces.get(object.ifname)?.up ?? false)) operations.push(withMac({ action: 'add', object, reason: 'interface is down' }));
    } else if (object.kind === 'address') {
      if (!hasAddress(object.ifname, object.address)) operations.push(withMac({ action: 'add', object, reason: 'private IP in metadata' }));
    } else if (object.kind === 'route') {
      const current = liveRoutes.get(key);
      if (!current) operations.push(withMac({ action: 'add', object, reason: 'ENI table route' }));
      else if (!current.owned) {
        // The same route from the network manager that persists this ENI (proto static, kernel, ...) is what we want.
        if (!sameRoute(current.object, object)) conflicts.push({ ...(mac === undefined ? {} : { mac }), message: `table ${object.table} already has a ${object.dst} route of another tool (proto ${current.protocol}); left alone` });
      }
      else if (!sameRoute(current.object, object)) operations.push(withMac({ action: 'replace', object, reason: 'route differs from metadata' }));
    } else if (!liveRules.has(key)) {
      operations.push(withMac({ action: 'add', object, reason: object.table === 'main' ? 'main routes first' : 'private IP rule' }));
    }
  }

  const scope = desired.removalScope;
  const inScope = (object: DesiredObject): boolean => {
    if (!scope) return true;
    if (object.kind === 'rule') return typeof object.table === 'number' && scope.tables.has(object.table);
    if (object.kind === 'route') return scope.tables.has(object.table);
    return object.kind === 'address' && scope.interfaces.has(object.ifname);
  };
  const remove = (object: DesiredObject, reason: string, protectedObject: boolean) => {
    if (!inScope(object)) return;
    const mac =
      object.kind === 'address' || object.kind === 'route'
        ? macOf.get(object.ifname)
        : object.kind === 'rule' && typeof object.table === 'number'
          ? macOfTable.get(object.table)
          : undefined;
    const operation: Operation = { action: 'delete', object, reason, ...(mac === undefined ? {} : { mac }) };
    (input.allowRemovals && !protectedObject ? removals : deferred).push(operation);
  };
  for (const [key, { object, owned }] of liveRules) {
    if (owned && !wanted.has(key)) remove(object, 'no longer in metadata', typeof object.table === 'number' && desired.protectedTables.has(object.table));
  }
  for (const [key, { object, owned }] of liveRoutes) {
    if (owned && !wanted.has(key)) remove(object, 'no longer in metadata', desired.protectedTables.has(object.table) || desired.protectedInterfaces.has(object.ifname));
  }
  for (const recorded of input.recorded) {
    const object: DesiredObject = { kind: 'address', family: recorded.family, ifname: recorded.ifname, address: recorded.address, prefixLength: recorded.prefixLength };
    // Only the exact address we added: the same IP with another prefix (say DHCP's /24) is someone else's.
    if (!wanted.has(objectKey(object)) && hasAddress(recorded.ifname, recorded.address, recorded.prefixLength)) {
      remove(object, 'no longer in metadata', desired.protectedInterfaces.has(recorded.ifname));
    }
  }

  operations.sort((a, b) => ORDER[a.object.kind] - ORDER[b.object.kind] || routeOrder(a.object) - routeOrder(b.object));
  removals.sort((a, b) => ORDER[b.object.kind] - ORDER[a.object.kind]);
  return { operations: [...operations, ...removals], deferred, conflicts };
}

/** Subnet routes go in before default routes, so the gateway is reachable inside the table. */
function routeOrder(object: DesiredObject): number {
  return object.kind === 'route' && object.dst === 'default' ? 1 : 0;
}
