// fast-check generators for the pure core's property tests: metadata (hostile values included) and live states
// with foreign rules, routes and addresses beside eni-init's own.
import fc from 'fast-check';
import type { EniMetadata, Family, LiveInterface, LiveRoute, LiveRule, LiveState, MetadataResult, RecordedAddress } from '../../../src/model.ts';
import { buildDesiredState } from '../../../src/plan/desired.ts';
import { diff } from '../../../src/plan/diff.ts';
import { canonicalAddress, networkOf } from '../../../src/net/address.ts';

export const NUMBERING = { tableBase: 1000, priorityBase: 20000 };
export const MACS = ['00:16:3e:00:00:01', '00:16:3e:00:00:02', '00:16:3e:00:00:03', '00:16:3e:00:00:04'];
export const IFNAMES = ['eth0', 'eth1', 'eth2', 'eth3'];

/** Addresses that must never reach the kernel through an ENI, whatever its subnet. */
export const HOSTILE_V4 = ['0.0.0.0', '0.0.0.1', '127.0.0.1', '169.254.169.254', '224.0.0.1', '240.0.0.1', '255.255.255.255', '100.100.100.200', '100.100.2.136'];
export const HOSTILE_V6 = ['::', '::1', 'fe80::1', 'ff02::1', 'ff02::'];

const SUBNETS_V4: [string, number][] = [
  ['10.0.0.0', 24],
  ['10.0.1.0', 24],
  ['10.0.0.0', 16],
  ['10.0.0.0', 30],
  ['0.0.0.0', 8],
  ['100.100.100.0', 24],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['224.0.0.0', 8],
  ['255.255.255.0', 24],
];
const BLOCKS_V6 = ['2408:4005:325:a204::', '2408:4005:325:a205::', 'fe80::', 'ff02::', '::'];

const intToIpv4 = (value: number): string => [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
const ipv4ToInt = (ip: string): number => ip.split('.').reduce((value, part) => value * 256 + Number(part), 0);

/** An address of the subnet at an offset that favours its ends and the `.253` gateway. */
function inSubnetV4(network: string, length: number): fc.Arbitrary<string> {
  const size = 2 ** (32 - length);
  const base = ipv4ToInt(network);
  return fc
    .oneof(fc.constantFrom(0, size - 1, Math.max(0, size - 3), 1), fc.integer({ min: 0, max: size - 1 }))
    .map((offset) => intToIpv4(base + offset));
}

const v4 = (network: string, length: number) => fc.oneof({ weight: 4, arbitrary: inSubnetV4(network, length) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_V4) });

function inBlockV6(block: string): fc.Arbitrary<string> {
  return fc
    .oneof(fc.constantFrom(0, 1, 0xe4e), fc.integer({ min: 0, max: 0xffff }), fc.constant(-1))
    .map((offset) => canonicalAddress(offset < 0 ? `${block}ffff:ffff:ffff:fff7` : `${block}${offset.toString(16)}`, 6) ?? '::');
}
const v6 = (block: string) => fc.oneof({ weight: 4, arbitrary: inBlockV6(block) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_V6) });

/** A well-formed ENI of a real instance: its own addresses (per index), `.253` gateway, maybe IPv6 and a /28. */
function cleanEni(mac: string, index: number): fc.Arbitrary<EniMetadata> {
  return fc
    .record({
      network: fc.constantFrom('10.0.0.0', '10.0.1.0'),
      offsets: fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { minLength: 1, maxLength: 4 }),
      block: fc.boolean(),
      prefix: fc.boolean(),
      ipv6: fc.uniqueArray(fc.integer({ min: 1, max: 0xff }), { maxLength: 3 }),
    })
    .map(({ network, offsets, block, prefix, ipv6 }) => {
      const base = ipv4ToInt(network);
      const ips = offsets.map((offset) => intToIpv4(base + 10 + index * 40 + offset));
      const eni: EniMetadata = {
        mac,
        eniId: `eni-${index}`,
        primaryIp: ips[0] as string,
        privateIpv4s: ips,
        prefixLength: 24,
        gateway: intToIpv4(base + 253),
        subnet: `${network}/24`,
        ipv4Prefixes: prefix ? [intToIpv4(base + 176 + index * 16) + '/28'] : [],
        ipv6s: [],
        ipv6Prefixes: [],
      };
      if (block) eni.vswitchCidrBlock = eni.subnet;
      if (ipv6.length > 0) {
        eni.ipv6s = ipv6.map((offset) => canonicalAddress(`2408:4005:325:a204::${(index * 0x100 + offset).toString(16)}`, 6) as string);
        eni.ipv6Gateway = '2408:4005:325:a204:ffff:ffff:ffff:fff7';
        eni.ipv6Subnet = '2408:4005:325:a204::/64';
      }
      return eni;
    });
}

/** One ENI's metadata as the validator may hand it over: canonical syntax, any semantics; a third of them hostile. */
export function eniArbitrary(mac: string, index: number): fc.Arbitrary<EniMetadata> {
  return fc.oneof({ weight: 2, arbitrary: cleanEni(mac, index) }, { weight: 1, arbitrary: hostileEni(mac, index) });
}

function hostileEni(mac: string, index: number): fc.Arbitrary<EniMetadata> {
  return fc.constantFrom(...SUBNETS_V4).chain(([network, length]) =>
    fc
      .record({
        primary: v4(network, length),
        others: fc.array(v4(network, length), { maxLength: 4 }),
        gateway: v4(network, length),
        block: fc.option(fc.constantFrom(`${network}/${length}`, '10.0.0.0/24', '10.0.0.0/16'), { nil: undefined }),
        prefixes: fc.array(fc.oneof(inSubnetV4(network, length).map((ip) => networkOf(ip, Math.max(length, 28), 4)), fc.constantFrom('0.0.0.0/8', '100.100.100.192/28')), { maxLength: 2 }),
        ipv6: fc.option(
          fc.constantFrom(...BLOCKS_V6).chain((block) =>
            fc.record({ block: fc.constant(`${block}/64`), addresses: fc.array(v6(block), { minLength: 1, maxLength: 3 }), gateway: v6(block) }),
          ),
          { nil: undefined },
        ),
      })
      .map(({ primary, others, gateway, block, prefixes, ipv6 }) => {
        const eni: EniMetadata = {
          mac,
          eniId: `eni-${index}`,
          primaryIp: primary,
          privateIpv4s: [...new Set([primary, ...others])],
          prefixLength: length,
          gateway,
          subnet: networkOf(primary, length, 4),
          ipv4Prefixes: [...new Set(prefixes)],
          ipv6s: [],
          ipv6Prefixes: [],
        };
        if (block !== undefined) eni.vswitchCidrBlock = block;
        if (ipv6 !== undefined) {
          eni.ipv6s = [...new Set(ipv6.addresses)];
          eni.ipv6Gateway = ipv6.gateway;
          eni.ipv6Subnet = ipv6.block;
        }
        return eni;
      }),
  );
}

export interface Scenario {
  metadata: MetadataResult;
  interfaces: LiveInterface[];
  routes: LiveRoute[];
  rules: LiveRule[];
  recorded: RecordedAddress[];
  primaryRules: boolean;
  mainRoutesFirst: boolean;
  metadataUrl?: string;
}

/** Live or recorded addresses: ENI addresses of clean ENIs (10.0.x.10..169), neighbours, hostile ones. */
const POOL = fc.oneof(
  fc.integer({ min: 10, max: 169 }).map((offset) => `10.0.0.${offset}`),
  fc.integer({ min: 10, max: 169 }).map((offset) => `10.0.1.${offset}`),
  inSubnetV4('10.0.0.0', 23),
  fc.constantFrom(...HOSTILE_V4),
);

const address = (family: Family, text: string, prefixLength: number, dynamic: boolean) => ({ family, address: text, prefixLength, ...(dynamic ? { dynamic } : {}) });

/** A whole instance: 1..4 ENIs (eth0 primary), some failed, live state with foreign and own objects, a state file. */
export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .integer({ min: 1, max: 4 })
  .chain((count) =>
    fc.record({
      enis: fc.tuple(...MACS.slice(0, count).map((mac, index) => eniArbitrary(mac, index))),
      failedMask: fc.array(fc.boolean(), { minLength: count, maxLength: count }),
      complete: fc.boolean(),
      primaryRules: fc.boolean(),
      mainRoutesFirst: fc.boolean(),
      metadataUrl: fc.option(fc.constantFrom('http://100.100.100.200', 'http://10.0.0.31:8080', 'http://[2408:4005:325:a204::1]/'), { nil: undefined }),
      // Extra live addresses: an interface index, an address from a pool (ENI IPs, neighbours, hostile), prefix, lease.
      extraAddresses: fc.array(fc.record({ on: fc.integer({ min: 0, max: 3 }), ip: POOL, wide: fc.boolean(), dynamic: fc.boolean() }), { maxLength: 4 }),
      routes: fc.array(
        fc.record({
          table: fc.constantFrom(254, 1000, 1001, 1002, 1255, 1256, 5000),
          dst: fc.constantFrom('default', '10.0.0.0/24', '10.0.1.0/24', '192.168.0.0/16'),
          gateway: fc.option(fc.constantFrom('10.0.0.253', '10.0.1.253', '10.0.0.1', '10.0.0.99'), { nil: undefined }),
          dev: fc.constantFrom(...IFNAMES),
          protocol: fc.constantFrom('203', 'eni-init', 'static', 'boot', 'kernel', 'dhcp'),
          multipath: fc.boolean(),
        }),
        { maxLength: 6 },
      ),
      rules: fc.array(
        fc.record({
          priority: fc.constantFrom(100, 19999, 20000, 20001, 20002, 20255, 20256, 32765),
          from: fc.option(fc.constantFrom('10.0.0.30/32', '10.0.0.20/32', '10.0.1.40/32', '10.0.0.0/24'), { nil: undefined }),
          table: fc.constantFrom<number | string>(1000, 1001, 1002, 1256, 5000, 'main', 'local'),
          protocol: fc.option(fc.constantFrom('203', 'eni-init', 'static', 'boot'), { nil: undefined }),
          suppress: fc.option(fc.constantFrom(0, 24), { nil: undefined }),
        }),
        { maxLength: 6 },
      ),
      recorded: fc.array(fc.record({ on: fc.integer({ min: 0, max: 3 }), ip: POOL, wide: fc.boolean() }), { maxLength: 5 }),
      // One ENI's address placed live on another interface (an attack or a stale copy), maybe recorded there.
      steal: fc.option(fc.record({ from: fc.nat(), pick: fc.nat(), to: fc.integer({ min: 0, max: 3 }), wide: fc.boolean(), recorded: fc.boolean() }), { nil: undefined }),
      // Case 3: a secondary ENI lists eth0's primary IP (eth0's own metadata may have failed too).
      claimPrimary: fc.boolean(),
    }),
  )
  .map(({ enis, failedMask, complete, primaryRules, mainRoutesFirst, metadataUrl, extraAddresses, routes, rules, recorded, steal, claimPrimary }) => {
    const primary = enis[0] as EniMetadata;
    const second = enis[1];
    if (claimPrimary && second !== undefined && !second.privateIpv4s.includes(primary.primaryIp)) second.privateIpv4s = [...second.privateIpv4s, primary.primaryIp];
    const valid = enis.filter((_, index) => !failedMask[index]);
    const failed = enis.filter((_, index) => failedMask[index]).map((eni) => ({ mac: eni.mac, eniId: eni.eniId, problems: [{ mac: eni.mac, field: 'netmask', message: 'generated failure' }] }));
    const interfaces: LiveInterface[] = [
      { name: 'lo', index: 1, mac: '', up: true, addresses: [address(4, '127.0.0.1', 8, false), address(6, '::1', 128, false)] },
      ...IFNAMES.map((name, index) => ({ name, index: index + 2, mac: MACS[index] as string, up: index < 2, addresses: [] as LiveInterface['addresses'] })),
    ];
    // eth0 as DHCP left it: the primary IP with the subnet prefix, the default route in main.
    interfaces[1]?.addresses.push(address(4, primary.primaryIp, primary.prefixLength, true));
    for (const extra of extraAddresses) interfaces[extra.on + 1]?.addresses.push(address(4, extra.ip, extra.wide ? 24 : 32, extra.dynamic));
    const stolen: RecordedAddress[] = [];
    if (steal !== undefined) {
      const victim = enis[steal.from % enis.length] as EniMetadata;
      const ip = victim.privateIpv4s[steal.pick % victim.privateIpv4s.length] as string;
      interfaces[steal.to + 1]?.addresses.push(address(4, ip, steal.wide ? 24 : 32, false));
      if (steal.recorded) stolen.push({ ifname: IFNAMES[steal.to] as string, mac: MACS[steal.to] as string, family: 4, address: ip, prefixLength: 32 });
    }
    const liveRoutes: LiveRoute[] = [{ family: 4, table: 254, dst: 'default', gateway: primary.gateway, dev: 'eth0', protocol: 'dhcp' }];
    for (const route of routes) {
      const entry: LiveRoute = { family: 4, table: route.table, dst: route.dst, dev: route.dev, protocol: route.protocol };
      if (route.gateway !== undefined) entry.gateway = route.gateway;
      if (route.multipath && route.gateway !== undefined) {
        delete entry.dev;
        delete entry.gateway;
        entry.nexthops = [{ gateway: route.gateway, dev: route.dev }, { gateway: '10.0.9.1', dev: 'eth3' }];
      }
      liveRoutes.push(entry);
    }
    const liveRules: LiveRule[] = rules.map((rule) => ({
      family: 4,
      priority: rule.priority,
      table: rule.table,
      ...(rule.from === undefined ? {} : { from: rule.from }),
      ...(rule.protocol === undefined ? {} : { protocol: rule.protocol }),
      ...(rule.suppress === undefined ? {} : { suppressPrefixLength: rule.suppress }),
    }));
    const scenario: Scenario = {
      metadata: { instance: { primaryMac: MACS[0] as string }, enis: valid, failed, complete, requests: 1, tokenMode: 'token', source: 'tree' },
      interfaces,
      routes: liveRoutes,
      rules: liveRules,
      recorded: [...recorded.map((entry) => ({ ifname: IFNAMES[entry.on] as string, mac: MACS[entry.on] as string, family: 4 as const, address: entry.ip, prefixLength: entry.wide ? 24 : 32 })), ...stolen],
      primaryRules,
      mainRoutesFirst,
    };
    if (metadataUrl !== undefined) scenario.metadataUrl = metadataUrl;
    return scenario;
  });

/** The pure core over one scenario: desired state and plan against its live state. */
export function planOf(scenario: Scenario) {
  const live: LiveState = { interfaces: scenario.interfaces, routes: scenario.routes, rules: scenario.rules };
  const desired = buildDesiredState({
    metadata: scenario.metadata,
    interfaces: live.interfaces,
    exclude: [],
    primaryRules: scenario.primaryRules,
    mainRoutesFirst: scenario.mainRoutesFirst,
    numbering: NUMBERING,
    routes: live.routes,
    recorded: scenario.recorded,
    ...(scenario.metadataUrl === undefined ? {} : { metadataUrl: scenario.metadataUrl }),
  });
  const plan = diff({ desired, live, recorded: scenario.recorded, numbering: NUMBERING, allowRemovals: scenario.metadata.complete });
  return { live, desired, plan };
}
