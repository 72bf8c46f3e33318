// Shared test fixtures: a validated metadata result and a matching live state of a 3-ENI instance.
import type { EniMetadata, LiveInterface, LiveState, MetadataResult } from '../../src/model.ts';

export const MAC0 = '00:16:3e:00:00:01';
export const MAC1 = '00:16:3e:00:00:02';
export const MAC2 = '00:16:3e:00:00:03';

export function eni(mac: string, eniId: string, ips: string[], subnet: string, gateway: string, extra: Partial<EniMetadata> = {}): EniMetadata {
  return {
    mac,
    eniId,
    primaryIp: ips[0] as string,
    privateIpv4s: ips,
    prefixLength: Number(subnet.split('/')[1]),
    gateway,
    subnet,
    ipv4Prefixes: [],
    ipv6s: [],
    ipv6Prefixes: [],
    ...extra,
  };
}

export function metadata(overrides: Partial<MetadataResult> = {}): MetadataResult {
  return {
    instance: { primaryMac: MAC0, instanceId: 'i-test' },
    enis: [
      eni(MAC0, 'eni-0', ['10.0.0.20', '10.0.0.21'], '10.0.0.0/24', '10.0.0.253'),
      eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.31'], '10.0.0.0/24', '10.0.0.253'),
      eni(MAC2, 'eni-2', ['10.0.1.40'], '10.0.1.0/24', '10.0.1.253'),
    ],
    failed: [],
    complete: true,
    requests: 10,
    tokenMode: 'token',
    source: 'tree',
    ...overrides,
  };
}

export function iface(name: string, index: number, mac: string, addresses: string[] = [], up = true): LiveInterface {
  return {
    name,
    index,
    mac,
    up,
    addresses: addresses.map((entry) => {
      const [address, prefix] = entry.split('/');
      return { family: address?.includes(':') ? 6 : 4, address: address as string, prefixLength: Number(prefix) };
    }),
  };
}

export function liveState(overrides: Partial<LiveState> = {}): LiveState {
  return {
    interfaces: [
      iface('lo', 1, '', ['127.0.0.1/8']),
      iface('eth0', 2, MAC0, ['10.0.0.20/24']),
      iface('eth1', 3, MAC1, ['10.0.0.30/24']),
      iface('eth2', 4, MAC2, [], false),
    ],
    routes: [{ family: 4, table: 254, dst: 'default', gateway: '10.0.0.253', dev: 'eth0', protocol: 'dhcp' }],
    rules: [
      { family: 4, priority: 0, table: 'local' },
      { family: 4, priority: 32766, table: 'main' },
      { family: 4, priority: 32767, table: 'default' },
    ],
    ...overrides,
  };
}
