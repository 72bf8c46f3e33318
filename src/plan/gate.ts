// Pure: the semantic gate. Every metadata value passes here before it can reach an `ip` line or a file; an ENI
// with one value that could cut the host off, steal another interface's traffic or hit a reserved range fails whole.
import type { EniMetadata, FailedEni, Family, LiveInterface, LiveRoute, MetadataProblem, RecordedAddress } from '../model.ts';
import { canonicalAddress, parseCidr } from '../net/address.ts';
import { cidrRange, ipValue, overlaps, reservedRanges, within } from './ranges.ts';
import type { Range } from './ranges.ts';
import { trustRecorded } from './ownership.ts';
import type { Numbering } from './numbering.ts';
import { covered, valueIndex } from './value-index.ts';

export { cidrRange, ipValue, reservedName } from './ranges.ts';

/** The metadata service's address on every Alibaba Cloud instance (`--metadata-url`'s default). */
export const DEFAULT_METADATA_ADDRESS = '100.100.100.200';

export interface GateInput {
  /** ENIs that passed the metadata validation (parsed, canonical values). */
  enis: readonly EniMetadata[];
  /** ENIs that did not: nothing of theirs is configured, and their interfaces' addresses stay theirs. */
  failed: readonly FailedEni[];
  primaryMac: string;
  /** Live interfaces with their addresses. */
  interfaces: readonly LiveInterface[];
  /** Live routes (main-table default gateways are other ENIs' gateways even when their metadata failed). */
  routes?: readonly LiveRoute[];
  /**
   * Addresses eni-init recorded as added: such an address may move to another interface. Only entries the live
   * state confirms count (a /32 or /128, permanent, no interface's primary address), so a lying state file
   * cannot open eth0's address to another ENI.
   */
  recorded?: readonly RecordedAddress[];
  /** Table and priority ranges (for which routes are ours when judging state entries); default 1000/20000. */
  numbering?: Numbering;
  /** The metadata service's address(es): DEFAULT_METADATA_ADDRESS and the host of --metadata-url when it is an IP. */
  metadataAddresses?: readonly string[];
}

export interface GateResult {
  enis: EniMetadata[];
  failed: FailedEni[];
}

/** The host of a metadata URL when it is an IP address (brackets of an IPv6 literal removed). */
export function metadataAddressOf(url: string | undefined): string[] {
  const addresses = [DEFAULT_METADATA_ADDRESS];
  if (url === undefined) return addresses;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return addresses;
  }
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const ip = canonicalAddress(bare);
  if (ip !== null && !addresses.includes(ip)) addresses.push(ip);
  return addresses;
}

const familyOfAddress = (address: string): Family => (address.includes(':') ? 6 : 4);

/** Checks of one address of an ENI against its subnet; returns the problem message or undefined. */
function addressProblem(value: bigint, family: Family, subnet: Range | undefined, gateway: bigint | undefined, metadata: readonly bigint[]): string | undefined {
  for (const { range, name } of reservedRanges(family)) if (within(value, range)) return `in the ${name}`;
  if (metadata.includes(value)) return 'is the metadata service address';
  if (subnet === undefined) return undefined;
  if (!within(value, subnet)) return 'outside the subnet';
  // IPv4: network and broadcast; IPv6: the subnet-router anycast address (RFC 4291 2.6.1).
  if (value === subnet.first) return family === 4 ? "is the subnet's network address" : "is the subnet-router anycast address (the subnet's first address)";
  if (family === 4 && value === subnet.last) return "is the subnet's broadcast address";
  if (gateway !== undefined && value === gateway) return 'is the gateway';
  return undefined;
}

/** One map per family, keyed by address: a lookup needs no key built from family and address. */
type ByFamily<T> = Record<Family, Map<string, T>>;
const byFamily = <T>(): ByFamily<T> => ({ 4: new Map<string, T>(), 6: new Map<string, T>() });

/** Owner of every live address: interface names by family and address, in the order listed. */
function liveOwners(interfaces: readonly LiveInterface[]): ByFamily<string[]> {
  const owners = byFamily<string[]>();
  for (const iface of interfaces) {
    for (const address of iface.addresses) {
      const names = owners[address.family].get(address.address);
      if (names === undefined) owners[address.family].set(address.address, [iface.name]);
      else names.push(iface.name);
    }
  }
  return owners;
}

/** The first of `macs` that is not `mac`: another ENI's claim. */
function otherThan(macs: ReadonlySet<string> | undefined, mac: string): string | undefined {
  if (macs !== undefined) for (const other of macs) if (other !== mac) return other;
  return undefined;
}

/** `make()`, computed on first use only: most runs never need it (no delegated prefix, no address on another interface). */
function lazy<T>(make: () => T): () => T {
  let value: { made: T } | undefined;
  return () => (value ??= { made: make() }).made;
}

/**
 * Runs every check on every validated ENI. An ENI fails (moved to `failed` with one precise problem per value:
 * ENI, field, value, why) when any value:
 * - is not a unicast host address inside its subnet (reserved ranges, the metadata service, the network,
 *   broadcast or IPv6 subnet-router address, the gateway), or its gateway is not one itself;
 * - disagrees with the vSwitch CIDR block when the service names one (IPv4 netmask vs `vswitch-cidr-block`);
 * - is a delegated prefix that overlaps a reserved range, covers the gateway or the subnet's ends, or covers an
 *   address of another ENI or another interface;
 * - is also claimed (an address or a delegated prefix) by another ENI, is another ENI's gateway or a main-table default gateway (eth0's);
 * - is live on another interface and was not recorded as added there by eni-init.
 */
export function gate(input: GateInput): GateResult {
  const metadataAddresses = (input.metadataAddresses ?? [DEFAULT_METADATA_ADDRESS]).flatMap((address) => {
    const value = ipValue(address, familyOfAddress(address));
    return value === undefined ? [] : [{ family: familyOfAddress(address), value }];
  });
  const metadataByFamily: Record<Family, bigint[]> = { 4: [], 6: [] };
  for (const entry of metadataAddresses) metadataByFamily[entry.family].push(entry.value);
  const metadataOf = (family: Family): readonly bigint[] => metadataByFamily[family];
  // Every interface that carries the ENI's MAC (a VLAN on it, or a twin left for the caller to call ambiguous) is its own.
  // Every lookup below is a Map or a sorted index built once (linear in ENIs, interfaces and addresses), not a scan per ENI.
  const namesByMac = new Map<string, Set<string>>();
  for (const iface of input.interfaces) namesByMac.set(iface.mac, (namesByMac.get(iface.mac) ?? new Set()).add(iface.name));
  const namesOf = (mac: string) => namesByMac.get(mac) ?? new Set<string>();
  const owners = liveOwners(input.interfaces);
  const primary = input.enis.find((eni) => eni.mac === input.primaryMac);
  // A move (an address eni-init added to one interface, now listed for another ENI) is allowed only away from the
  // interface of an ENI whose metadata validated: never away from a failed ENI's or an unlisted interface.
  // Needed only where an address is live on another interface (or a prefix covers one): judged then, once.
  const recordedMoves = lazy(() => {
    const { trusted } = trustRecorded(input.recorded ?? [], { interfaces: input.interfaces, routes: input.routes ?? [] }, primary, input.numbering ?? { tableBase: 1000, priorityBase: 20000 });
    const validMacs = new Set(input.enis.map((eni) => eni.mac));
    const validNames = new Set(input.interfaces.filter((iface) => validMacs.has(iface.mac)).map((iface) => iface.name));
    const movable = trusted.filter((entry) => validNames.has(entry.ifname));
    return new Set(movable.map((entry) => `${entry.family}|${entry.address}|${entry.ifname}`));
  });
  const recorded = (family: Family, address: string, ifname: string): boolean => recordedMoves().has(`${family}|${address}|${ifname}`);

  // Addresses every ENI claims (private IPs), and every gateway known (ENIs' and the main table's defaults).
  const claims = byFamily<Set<string>>();
  const claim = (family: Family, address: string, mac: string) => {
    const macs = claims[family].get(address);
    if (macs === undefined) claims[family].set(address, new Set([mac]));
    else macs.add(mac);
  };
  for (const eni of input.enis) {
    for (const ip of eni.privateIpv4s) claim(4, ip, eni.mac);
    for (const ip of eni.ipv6s) claim(6, ip, eni.mac);
  }
  // Delegated prefixes every ENI lists: one listed twice would get two `from <prefix>` rules to two tables.
  const prefixClaims = new Map<string, Set<string>>();
  for (const eni of input.enis) {
    for (const prefix of [...eni.ipv4Prefixes, ...eni.ipv6Prefixes]) prefixClaims.set(prefix, (prefixClaims.get(prefix) ?? new Set()).add(eni.mac));
  }
  const gateways = byFamily<string>();
  for (const eni of input.enis) {
    gateways[4].set(eni.gateway, `the gateway of the ENI with MAC ${eni.mac}`);
    if (eni.ipv6Gateway !== undefined) gateways[6].set(eni.ipv6Gateway, `the IPv6 gateway of the ENI with MAC ${eni.mac}`);
  }
  for (const route of input.routes ?? []) {
    if (route.table === 254 && route.dst === 'default' && route.gateway !== undefined && !gateways[route.family].has(route.gateway)) {
      gateways[route.family].set(route.gateway, `the gateway of the main table's default route${route.dev === undefined ? '' : ` (dev ${route.dev})`}`);
    }
  }

  // What a delegated prefix may cover: claimed private IPs, live addresses, gateways, each found by binary search
  // (indexes built on the first delegated prefix only).
  const entriesOf = <T>(map: ByFamily<T>) => ([4, 6] as const).flatMap((family) => [...map[family]].map(([address, value]) => ({ family, address, value })));
  const claimIndex = lazy(() => valueIndex(entriesOf(claims), (entry) => entry.family, (entry) => entry.address));
  const liveIndex = lazy(() => {
    const liveAddresses = input.interfaces.flatMap((iface) => iface.addresses.map((address) => ({ iface, address })));
    return valueIndex(liveAddresses, ({ address }) => address.family, ({ address }) => address.address);
  });
  const gatewayIndex = lazy(() => valueIndex(entriesOf(gateways), (entry) => entry.family, (entry) => entry.address));

  const kept: EniMetadata[] = [];
  const failed: FailedEni[] = [...input.failed];
  for (const eni of input.enis) {
    const problems: MetadataProblem[] = [];
    const fail = (field: string, value: string, message: string) => problems.push({ mac: eni.mac, field, value, message });
    const own = namesOf(eni.mac);

    // Live addresses of other interfaces (eth0's included, whatever its own metadata said) are never claimed.
    const foreignOwner = (family: Family, address: string): string | undefined =>
      owners[family].get(address)?.find((owner) => !own.has(owner) && !recorded(family, address, owner));
    const otherClaim = (family: Family, address: string): string | undefined => otherThan(claims[family].get(address), eni.mac);

    const checkFamily = (
      family: Family,
      addresses: readonly string[],
      addressField: string,
      subnetCidr: string | undefined,
      subnetField: string,
      gateway: string | undefined,
      gatewayField: string,
      prefixes: readonly string[],
      prefixField: string,
    ) => {
      const subnet = subnetCidr === undefined ? undefined : cidrRange(subnetCidr, family);
      if (subnetCidr !== undefined && subnet === undefined) fail(subnetField, subnetCidr, 'not a valid subnet');
      const gatewayValue = gateway === undefined ? undefined : ipValue(gateway, family);
      if (gateway !== undefined) {
        const problem = gatewayValue === undefined ? 'not a valid address' : addressProblem(gatewayValue, family, subnet, undefined, metadataOf(family));
        if (problem !== undefined) fail(gatewayField, gateway, `gateway ${problem}${problem === 'outside the subnet' ? ` ${String(subnetCidr)}` : ''}`);
      }
      if (addresses.length > 0 && subnet === undefined) fail(subnetField, subnetCidr ?? '', 'no subnet known for the addresses');
      for (const address of addresses) {
        const value = ipValue(address, family);
        const problem = value === undefined ? 'not a valid address' : addressProblem(value, family, subnet, gatewayValue, metadataOf(family));
        if (problem !== undefined) {
          fail(addressField, address, `${problem}${problem === 'outside the subnet' ? ` ${subnetCidr}` : ''}`);
          continue;
        }
        const other = otherClaim(family, address);
        if (other !== undefined) fail(addressField, address, `also listed by the ENI with MAC ${other}`);
        const gatewayOwner = gateways[family].get(address);
        if (gatewayOwner !== undefined) fail(addressField, address, `is ${gatewayOwner}`);
        const owner = foreignOwner(family, address);
        if (owner !== undefined) fail(addressField, address, `already on interface ${owner} and not added there by eni-init`);
      }
      for (const prefix of prefixes) {
        const range = cidrRange(prefix, family);
        if (range === undefined) {
          fail(prefixField, prefix, 'not a valid prefix');
          continue;
        }
        const sharer = otherThan(prefixClaims.get(prefix), eni.mac);
        if (sharer !== undefined) fail(prefixField, prefix, `also listed by the ENI with MAC ${sharer}`);
        const reserved = reservedRanges(family).find((entry) => overlaps(range, entry.range));
        if (reserved !== undefined) {
          fail(prefixField, prefix, `overlaps the ${reserved.name}`);
          continue;
        }
        if (subnet === undefined || range.first < subnet.first || range.last > subnet.last) {
          fail(prefixField, prefix, `not inside the subnet${subnetCidr === undefined ? '' : ` ${subnetCidr}`}`);
          continue;
        }
        if (range.first === subnet.first || (family === 4 && range.last === subnet.last)) fail(prefixField, prefix, "covers the subnet's first or last address");
        if (gatewayValue !== undefined && within(gatewayValue, range)) fail(prefixField, prefix, `covers the gateway ${gateway}`);
        if (metadataOf(family).some((value) => within(value, range))) fail(prefixField, prefix, 'covers the metadata service address');
        // A `from <prefix>` rule would take over the traffic of every address inside it.
        for (const { address, value: macs } of covered(claimIndex(), range)) {
          if (otherThan(macs, eni.mac) === undefined) continue;
          fail(prefixField, prefix, `covers ${address}, a private IP of another ENI`);
        }
        for (const { iface, address } of covered(liveIndex(), range)) {
          if (own.has(iface.name) || recorded(family, address.address, iface.name)) continue;
          fail(prefixField, prefix, `covers ${address.address}, live on interface ${iface.name}`);
        }
        for (const { address, value: owner } of covered(gatewayIndex(), range)) {
          if (address !== gateway) fail(prefixField, prefix, `covers ${address}, ${owner}`);
        }
      }
    };

    // IPv4: the subnet from primary IP and netmask must be the vSwitch's block when the service names it.
    if (eni.vswitchCidrBlock !== undefined && eni.vswitchCidrBlock !== eni.subnet) {
      fail('netmask', `/${eni.prefixLength}`, `subnet ${eni.subnet} (primary IP and netmask) disagrees with vswitch-cidr-block ${eni.vswitchCidrBlock}`);
    }
    const primaryIndex = eni.privateIpv4s.indexOf(eni.primaryIp);
    if (primaryIndex < 0) fail('primary-ip-address', eni.primaryIp, 'not among the private IPs');
    checkFamily(4, eni.privateIpv4s, 'private-ipv4s', eni.subnet, 'netmask', eni.gateway, 'gateway', eni.ipv4Prefixes, 'ipv4-prefixes');
    if (eni.subnet !== undefined) {
      const parsed = parseCidr(eni.subnet, 4);
      if (parsed === null || parsed.prefixLength !== eni.prefixLength) fail('netmask', `/${eni.prefixLength}`, `prefix length disagrees with the subnet ${eni.subnet}`);
    }
    // IPv6: addresses, gateway and prefixes inside the vSwitch IPv6 block; all of it or nothing of it.
    const ipv6Used = eni.ipv6s.length > 0 || eni.ipv6Prefixes.length > 0;
    if (ipv6Used && (eni.ipv6Subnet === undefined || eni.ipv6Gateway === undefined) && eni.ipv6s.length > 0) {
      fail('vswitch-ipv6-cidr-block', eni.ipv6Subnet ?? '', 'IPv6 addresses without an IPv6 block and gateway');
    }
    if (ipv6Used || eni.ipv6Gateway !== undefined) {
      checkFamily(6, eni.ipv6s, 'ipv6s', eni.ipv6Subnet, 'vswitch-ipv6-cidr-block', eni.ipv6Gateway, 'ipv6-gateway', eni.ipv6Prefixes, 'ipv6-prefixes');
    }
    if (eni.ipv6Subnet !== undefined) {
      const parsed = parseCidr(eni.ipv6Subnet, 6);
      if (parsed === null || parsed.cidr !== eni.ipv6Subnet || parsed.prefixLength < 32 || parsed.prefixLength > 126) fail('vswitch-ipv6-cidr-block', eni.ipv6Subnet, 'not a canonical IPv6 block of /32 to /126');
    }
    if (problems.length === 0) kept.push(eni);
    else failed.push({ mac: eni.mac, eniId: eni.eniId, problems: dedupe(problems) });
  }
  return { enis: kept, failed };
}

function dedupe(problems: readonly MetadataProblem[]): MetadataProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.field}|${problem.value ?? ''}|${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
