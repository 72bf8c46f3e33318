// Pure: metadata x local interfaces x options -> the objects every ENI should have (desired state).
import type { DesiredObject, EniMetadata, Family, LiveInterface, LiveRoute, MetadataProblem, MetadataResult, RecordedAddress } from '../model.ts';
import { hostPrefix } from '../net/address.ts';
import { isSafeInterfaceName } from '../net/interface-name.ts';
import { assignSlots, mainFirstPriority, priorityFor, tableFor } from './numbering.ts';
import type { Numbering } from './numbering.ts';
import { gate, metadataAddressOf } from './gate.ts';

export interface DesiredInput {
  metadata: MetadataResult;
  interfaces: readonly LiveInterface[];
  /** Interface names or MACs, lowercase. */
  exclude: readonly string[];
  /** When set (interface name or MAC), every other ENI is left alone. */
  only?: string;
  primaryRules: boolean;
  mainRoutesFirst: boolean;
  numbering: Numbering;
  /** Live routes: the main table's default gateways are never claimed as an ENI's address. */
  routes?: readonly LiveRoute[];
  /** Addresses eni-init recorded as added: such an address may move between interfaces. */
  recorded?: readonly RecordedAddress[];
  /** `--metadata-url`: its host (when an IP) is never an ENI address, like 100.100.100.200. */
  metadataUrl?: string;
}

export type EniStatus = 'managed' | 'excluded' | 'not-selected' | 'missing-interface' | 'ambiguous-interface' | 'unsafe-interface-name' | 'bad-metadata' | 'no-slot';

export interface DesiredEni {
  mac: string;
  eniId?: string;
  ifname?: string;
  primary: boolean;
  status: EniStatus;
  slot?: number;
  table?: number;
  priority?: number;
  metadata?: EniMetadata;
  problems: MetadataProblem[];
  objects: DesiredObject[];
}

export interface DesiredState {
  enis: DesiredEni[];
  /** Objects shared by all ENIs (the optional main-routes-first rules). */
  global: DesiredObject[];
  /** Tables and interfaces of ENIs we must not touch this run (excluded, bad metadata): nothing of theirs is removed. */
  protectedTables: Set<number>;
  protectedInterfaces: Set<string>;
  /** With --only-interface: removals are limited to this ENI's table and interface. */
  removalScope?: { tables: Set<number>; interfaces: Set<string> };
  /** Local interfaces with a MAC that the metadata does not list: left alone, reported. */
  unmanagedInterfaces: { name: string; mac: string }[];
  /** False when the semantic gate failed an ENI: like any invalid value, that holds every removal back. */
  complete?: boolean;
}

/** MAC -> the one interface that carries it; `ambiguous` when several unstacked interfaces share it. */
function interfacesByMac(interfaces: readonly LiveInterface[]): Map<string, LiveInterface | 'ambiguous'> {
  const groups = new Map<string, LiveInterface[]>();
  for (const iface of interfaces) if (iface.mac !== '') groups.set(iface.mac, [...(groups.get(iface.mac) ?? []), iface]);
  const result = new Map<string, LiveInterface | 'ambiguous'>();
  for (const [mac, group] of groups) {
    // A VLAN, macvlan or bond/bridge port shares its MAC with the interface that really carries the ENI's IPs.
    const candidates = group.length === 1 ? group : group.filter((iface) => !iface.stacked);
    result.set(mac, candidates.length === 1 ? (candidates[0] as LiveInterface) : 'ambiguous');
  }
  return result;
}

function addressObjects(ifname: string, family: Family, addresses: readonly string[]): DesiredObject[] {
  return addresses.map((address) => ({ kind: 'address', family, ifname, address, prefixLength: hostPrefix(family) }));
}

function ruleObjects(family: Family, sources: readonly string[], table: number, priority: number): DesiredObject[] {
  return sources.map((from) => ({ kind: 'rule', family, priority, from, table }));
}

const hostCidr = (address: string, family: Family): string => `${address}/${hostPrefix(family)}`;

/** The table (subnet route, default route) and the rules of one ENI. */
function policyObjects(eni: EniMetadata, ifname: string, table: number, priority: number): DesiredObject[] {
  const objects: DesiredObject[] = [
    { kind: 'route', family: 4, table, dst: eni.subnet, ifname, scope: 'link', prefsrc: eni.primaryIp },
    { kind: 'route', family: 4, table, dst: 'default', ifname, gateway: eni.gateway },
    ...ruleObjects(4, [...eni.privateIpv4s.map((ip) => hostCidr(ip, 4)), ...eni.ipv4Prefixes], table, priority),
  ];
  if (eni.ipv6s.length > 0 && eni.ipv6Gateway !== undefined && eni.ipv6Subnet !== undefined) {
    objects.push(
      { kind: 'route', family: 6, table, dst: eni.ipv6Subnet, ifname },
      { kind: 'route', family: 6, table, dst: 'default', ifname, gateway: eni.ipv6Gateway },
      ...ruleObjects(6, [...eni.ipv6s.map((ip) => hostCidr(ip, 6)), ...eni.ipv6Prefixes], table, priority),
    );
  }
  return objects;
}

function managedObjects(eni: EniMetadata, iface: LiveInterface, primary: boolean, withRules: boolean, table: number, priority: number): DesiredObject[] {
  const objects: DesiredObject[] = [];
  if (!primary && !iface.up) objects.push({ kind: 'link-up', ifname: iface.name });
  // The primary's own primary IPv4 and first IPv6 belong to DHCP/DHCPv6; every other private IP is ours to ensure.
  const ipv4s = primary ? eni.privateIpv4s.filter((ip) => ip !== eni.primaryIp) : eni.privateIpv4s;
  const ipv6s = primary ? eni.ipv6s.slice(1) : eni.ipv6s;
  objects.push(...addressObjects(iface.name, 4, ipv4s), ...addressObjects(iface.name, 6, ipv6s));
  if (withRules) objects.push(...policyObjects(eni, iface.name, table, priority));
  return objects;
}

export function buildDesiredState(input: DesiredInput): DesiredState {
  const { numbering } = input;
  // The semantic gate first: an ENI with one unsafe value is failed whole, so nothing of it reaches the plan.
  const gated = gate({
    enis: input.metadata.enis,
    failed: input.metadata.failed,
    primaryMac: input.metadata.instance.primaryMac,
    interfaces: input.interfaces,
    ...(input.routes === undefined ? {} : { routes: input.routes }),
    ...(input.recorded === undefined ? {} : { recorded: input.recorded }),
    metadataAddresses: metadataAddressOf(input.metadataUrl),
    numbering,
  });
  const metadata: MetadataResult = { ...input.metadata, enis: gated.enis, failed: gated.failed };
  const byMac = interfacesByMac(input.interfaces);
  const primaryMac = metadata.instance.primaryMac;
  const listed = [
    ...metadata.enis.map((eni) => ({ mac: eni.mac, eni, failed: undefined })),
    ...metadata.failed.map((failed) => ({ mac: failed.mac, eni: undefined, failed })),
  ];
  const slots = assignSlots(
    listed.flatMap(({ mac }) => {
      const iface = byMac.get(mac);
      return iface && iface !== 'ambiguous' ? [{ mac, ifname: iface.name, primary: mac === primaryMac }] : [];
    }),
  );
  const excluded = (mac: string, ifname: string | undefined) => input.exclude.includes(mac) || (ifname !== undefined && input.exclude.includes(ifname));

  const state: DesiredState = { enis: [], global: [], protectedTables: new Set(), protectedInterfaces: new Set(), unmanagedInterfaces: [] };
  if (gated.failed.length > input.metadata.failed.length) state.complete = false;
  for (const { mac, eni, failed } of listed) {
    const match = byMac.get(mac);
    const iface = match === 'ambiguous' ? undefined : match;
    const primary = mac === primaryMac;
    const slot = slots.get(mac);
    // An ENI whose IPv6 side is unknown (ipv6Problems) is configured for IPv4; its problems are reported.
    const desired: DesiredEni = { mac, primary, status: 'managed', problems: failed?.problems ?? eni?.ipv6Problems ?? [], objects: [] };
    const eniId = eni?.eniId ?? failed?.eniId;
    if (eniId !== undefined) desired.eniId = eniId;
    if (eni) desired.metadata = eni;
    if (iface) desired.ifname = iface.name;
    if (slot !== undefined) {
      desired.slot = slot;
      desired.table = tableFor(slot, numbering);
      desired.priority = priorityFor(slot, numbering);
    }
    if (excluded(mac, iface?.name)) desired.status = 'excluded';
    else if (input.only !== undefined && input.only !== mac && input.only !== iface?.name) desired.status = 'not-selected';
    else if (!eni) desired.status = 'bad-metadata';
    else if (match === 'ambiguous') desired.status = 'ambiguous-interface';
    else if (!iface) desired.status = 'missing-interface';
    else if (!isSafeInterfaceName(iface.name)) desired.status = 'unsafe-interface-name';
    else if (slot === undefined) desired.status = 'no-slot';
    // IPv6 unknown: none of its objects may be removed (IPv6 ones are not in the desired state), so the ENI is protected.
    if (['excluded', 'not-selected', 'bad-metadata', 'unsafe-interface-name'].includes(desired.status) || eni?.ipv6Problems !== undefined) {
      if (desired.table !== undefined) state.protectedTables.add(desired.table);
      if (iface) state.protectedInterfaces.add(iface.name);
    }
    if (desired.status === 'managed' && eni && iface && desired.table !== undefined && desired.priority !== undefined) {
      desired.objects = managedObjects(eni, iface, primary, !primary || input.primaryRules, desired.table, desired.priority);
    }
    state.enis.push(desired);
  }

  if (input.mainRoutesFirst && input.only === undefined) {
    for (const family of [4, 6] as const) {
      const hasRules = state.enis.some((eni) => eni.objects.some((object) => object.kind === 'rule' && object.family === family));
      if (hasRules) state.global.push({ kind: 'rule', family, priority: mainFirstPriority(numbering), table: 'main', suppressPrefixLength: 0 });
    }
  }
  if (input.only !== undefined) {
    const selected = state.enis.filter((eni) => eni.status === 'managed');
    state.removalScope = {
      tables: new Set(selected.flatMap((eni) => (eni.table === undefined ? [] : [eni.table]))),
      interfaces: new Set(selected.flatMap((eni) => (eni.ifname === undefined ? [] : [eni.ifname]))),
    };
  }
  const listedMacs = new Set(listed.map(({ mac }) => mac));
  // An excluded interface the metadata does not list is still the admin's: nothing of it is removed either.
  for (const iface of input.interfaces) {
    if (listedMacs.has(iface.mac) || !excluded(iface.mac, iface.name)) continue;
    state.protectedInterfaces.add(iface.name);
    const number = /(\d+)$/.exec(iface.name);
    if (number) state.protectedTables.add(numbering.tableBase + Number(number[1]));
  }
  state.unmanagedInterfaces = input.interfaces
    .filter((iface) => iface.mac !== '' && iface.mac !== '00:00:00:00:00:00' && !listedMacs.has(iface.mac))
    .map((iface) => ({ name: iface.name, mac: iface.mac }));
  return state;
}
