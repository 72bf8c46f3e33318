// Pure: desired state x live kernel state x recorded addresses -> ordered operations over eni-init's own objects only.
import type { DesiredObject, LiveRoute, LiveState, Operation, RecordedAddress } from '../model.ts';
import type { DesiredState } from './desired.ts';
import { ownsLiveRoute, ownsLiveRule, trustRecorded } from './ownership.ts';
import { DUPLICATE_REASON, forgottenCopies, liveRuleObject } from './copies.ts';
import type { Conflict } from './ownership.ts';
import type { Numbering } from './numbering.ts';

export interface DiffInput {
  desired: DesiredState;
  live: LiveState;
  recorded: readonly RecordedAddress[];
  numbering: Numbering;
  /** Removals happen only when the metadata was read completely and successfully. */
  allowRemovals: boolean;
  /**
   * Object keys of the rules and routes that a backend's files hold and its manager applied (see persistedKeys in
   * src/persist/held.ts). Where such an object has our copy and the manager's exact copy live, ours is redundant and
   * is deleted (exactly: our protocol). Absent (`--persist=none`, plan, status): our copy always stays.
   */
  persistedKeys?: ReadonlySet<string>;
  /** `remove`: the rules and routes eni-init's removed files held; a manager's exact copy left in our ranges goes too. */
  forgotten?: readonly DesiredObject[];
}

export interface Plan {
  operations: Operation[];
  /** Removals held back (metadata incomplete, or the object belongs to a protected ENI). */
  deferred: Operation[];
  conflicts: Conflict[];
  /** The recorded addresses still trusted as ours (what the state file should keep); the rest is in `conflicts`. */
  recorded: RecordedAddress[];
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

function routeObject(route: LiveRoute): Route {
  const object: Route = { kind: 'route', family: route.family, table: route.table, dst: route.dst, ifname: route.dev ?? '' };
  if (route.gateway !== undefined) object.gateway = route.gateway;
  if (route.prefsrc !== undefined) object.prefsrc = route.prefsrc;
  if (route.scope === 'link') object.scope = 'link';
  return object;
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

  // Live routes by key, every one of them: ours and another tool's can share a key (prepended, appended, merged).
  const liveRoutes = new Map<string, { route: LiveRoute; object: Route; owned: boolean }[]>();
  for (const route of live.routes) {
    const object = routeObject(route);
    const key = objectKey(object);
    const entry = { route, object, owned: ownsLiveRoute(route, numbering) };
    const entries = liveRoutes.get(key);
    if (entries === undefined) liveRoutes.set(key, [entry]);
    else entries.push(entry);
  }
  // Every live rule by key: ours (owned) and another protocol's exact copy (foreign) can both be there: a manager
  // that persists the ENI adds its own copy of our rule (NetworkManager and networkd: proto static).
  const liveRules = new Map<string, { object: Rule; owned: boolean; foreign: boolean }>();
  for (const rule of live.rules) {
    const object = liveRuleObject(rule);
    if (object === undefined) continue;
    const owned = ownsLiveRule(rule, numbering);
    const key = objectKey(object);
    const entry = liveRules.get(key) ?? { object, owned: false, foreign: false };
    liveRules.set(key, { object: entry.object, owned: entry.owned || owned, foreign: entry.foreign || !owned });
  }
  const persisted = input.persistedKeys ?? new Set<string>();
  /** Our copy goes where the manager's exact copy stands in for it: never a remove gated by metadata (nothing is lost). */
  const dropRedundant = (object: DesiredObject, mac: string | undefined) => removals.push({ action: 'delete', object, reason: DUPLICATE_REASON, ...(mac === undefined ? {} : { mac }) });
  const ifaces = new Map(live.interfaces.map((iface) => [iface.name, iface]));
  // Every live address of the interface each name maps to (as in `ifaces`), without and with its prefix length:
  // one lookup per object, not a scan. Addresses are canonical (no `|`, no `/`), so the keys are unambiguous.
  const liveAddresses = new Set<string>();
  const liveAddressesWithPrefix = new Set<string>();
  for (const iface of ifaces.values()) {
    for (const entry of iface.addresses) {
      liveAddresses.add(`${iface.name}|${entry.address}`);
      liveAddressesWithPrefix.add(`${iface.name}|${entry.address}/${entry.prefixLength}`);
    }
  }
  const hasAddress = (ifname: string, address: string, prefixLength?: number) =>
    prefixLength === undefined ? liveAddresses.has(`${ifname}|${address}`) : liveAddressesWithPrefix.has(`${ifname}|${address}/${prefixLength}`);

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
    (input.allowRemovals && desired.complete !== false && !protectedObject ? removals : deferred).push(operation);
  };
  const routeProtected = (object: Route) => desired.protectedTables.has(object.table) || desired.protectedInterfaces.has(object.ifname);
  /** Exact delete of our own route: with its gateway, device and our protocol, so the kernel never picks another tool's. */
  const removeOwnRoute = (entry: { route: LiveRoute; object: Route }, reason: string) => {
    if (entry.route.nexthops !== undefined) {
      // The kernel shows a merged multipath route with its first route's protocol: only that first next hop is ours.
      const [first] = entry.route.nexthops;
      if (first?.dev === undefined) return;
      const hop: Route = { kind: 'route', family: entry.route.family, table: entry.route.table, dst: entry.route.dst, ifname: first.dev };
      if (first.gateway !== undefined) hop.gateway = first.gateway;
      remove(hop, reason, routeProtected(hop));
    } else remove(entry.object, reason, routeProtected(entry.object));
  };

  const handledRoutes = new Set<string>();
  wanted.forEach(({ object, mac }, key) => {
    if (object.kind === 'link-up') {
      if (!(ifaces.get(object.ifname)?.up ?? false)) operations.push(change('add', object, 'interface is down', mac));
    } else if (object.kind === 'address') {
      if (!hasAddress(object.ifname, object.address)) operations.push(change('add', object, 'private IP in metadata', mac));
    } else if (object.kind === 'route') {
      handledRoutes.add(key);
      const entries = liveRoutes.get(key) ?? [];
      const mine = entries.filter((entry) => entry.owned);
      const foreign = entries.filter((entry) => !entry.owned);
      const merged = mine.find((entry) => entry.route.nexthops !== undefined);
      const satisfies = (entry: { route: LiveRoute; object: Route }) =>
        entry.route.nexthops === undefined ? sameRoute(entry.object, object) : entry.route.nexthops.some((hop) => hop.gateway === object.gateway && hop.dev === object.ifname);
      if (merged !== undefined) {
        // Another tool's next hop merged into ours (IPv6 multipath): touching the route would take it away too.
        conflicts.push({ code: 'conflict', ...(mac === undefined ? {} : { mac }), message: `table ${object.table}: the ${object.dst} route of eni-init has next hops of another tool merged in; left alone` });
      } else if (entries.some(satisfies)) {
        // Ours (or the same route of the manager that persists this ENI) is there; stale ones of ours go, exactly.
        for (const entry of mine) if (!satisfies(entry)) removeOwnRoute(entry, 'route differs from metadata');
        // The manager's exact copy of a route its files hold: ours is the redundant one (metrics differ, so both live).
        if (persisted.has(key) && foreign.some(satisfies)) for (const entry of mine) if (satisfies(entry)) dropRedundant(entry.object, mac);
      } else if (foreign.length > 0) {
        const protocols = [...new Set(foreign.map((entry) => entry.route.protocol))].join(', ');
        conflicts.push({ code: 'conflict', ...(mac === undefined ? {} : { mac }), message: `table ${object.table} already has a ${object.dst} route of another tool (proto ${protocols}); left alone` });
      } else {
        // Our route changed (a new gateway): exact delete of ours, then add; never `replace`, which takes the first
        // route at that key, whoever it belongs to.
        for (const entry of mine) operations.push(change('delete', entry.object, 'route differs from metadata', mac));
        operations.push(change('add', object, mine.length > 0 ? 'route differs from metadata' : 'ENI table route', mac));
      }
    } else if (!liveRules.has(key)) {
      operations.push(change('add', object, object.table === 'main' ? 'main routes first' : 'private IP rule', mac));
    } else if (persisted.has(key) && liveRules.get(key)?.owned === true && liveRules.get(key)?.foreign === true) {
      dropRedundant(object, mac);
    }
  });

  for (const [key, { object, owned }] of liveRules) {
    if (owned && !wanted.has(key)) remove(object, 'no longer in metadata', typeof object.table === 'number' && desired.protectedTables.has(object.table));
  }
  for (const [key, entries] of liveRoutes) {
    if (handledRoutes.has(key)) continue;
    for (const entry of entries) if (entry.owned) removeOwnRoute(entry, 'no longer in metadata');
  }
  const { trusted, ignored } = trustRecorded(input.recorded, live, desired.enis.find((eni) => eni.primary)?.metadata, numbering);
  conflicts.push(...ignored);
  for (const recorded of trusted) {
    const object: DesiredObject = { kind: 'address', family: recorded.family, ifname: recorded.ifname, address: recorded.address, prefixLength: recorded.prefixLength };
    // Only the exact address we added: the same IP with another prefix (say DHCP's /24) is someone else's.
    if (!wanted.has(objectKey(object)) && hasAddress(recorded.ifname, recorded.address, recorded.prefixLength)) {
      remove(object, 'no longer in metadata', desired.protectedInterfaces.has(recorded.ifname));
    }
  }

  removals.push(...forgottenCopies(input.forgotten ?? [], live, numbering, objectKey));
  // Additions by kind (subnet routes before default routes), removals in the reverse order of kinds.
  const added = ranked(operations, (operation) => ORDER[operation.object.kind] * 2 + routeOrder(operation.object), 8);
  const removed = ranked(removals, (operation) => 3 - ORDER[operation.object.kind], 4);
  return { operations: [...added, ...removed], deferred, conflicts, recorded: trusted };
}

/** An operation on one ENI's object (`mac`), or on a shared one. */
function change(action: 'add' | 'delete', object: DesiredObject, reason: string, mac: string | undefined): Operation {
  return mac === undefined ? { action, object, reason } : { action, object, reason, mac };
}

/** Subnet routes go in before default routes, so the gateway is reachable inside the table. */
function routeOrder(object: DesiredObject): number {
  return object.kind === 'route' && object.dst === 'default' ? 1 : 0;
}

/** `items` ordered by `rank` (0 .. ranks - 1), each rank in input order: a stable sort in one pass. */
function ranked<T>(items: readonly T[], rank: (item: T) => number, ranks: number): T[] {
  const buckets = Array.from({ length: ranks }, (): T[] => []);
  for (const item of items) (buckets[rank(item)] as T[]).push(item);
  const result: T[] = [];
  for (const bucket of buckets) for (const item of bucket) result.push(item);
  return result;
}
