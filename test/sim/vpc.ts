// Pure: the simulated VPC router's configuration as `ip -batch` lines and an nft script, from metadata and attached ports.
import { isIPv4, isIPv6 } from 'node:net';
import type { ImdsConfig } from './imds-config.ts';
import { gatewayOf, prefixLengthOf } from './spec.ts';
import type { SimEni } from './spec.ts';

/** A router-side veth end of one attached ENI, enslaved to its vSwitch bridge. */
export interface Port {
  ifname: string;
  mac: string;
  port: string;
  bridge: string;
}

export const NFT_TABLE = 'eni_sim_srccheck';
export const CLIENT = { ip: '198.51.100.10', router: '198.51.100.1', ip6: '2001:db8:ffff::10', router6: '2001:db8:ffff::1' } as const;
export const IMDS_IP = '100.100.100.200';

/** Only well-formed addresses or prefixes reach an `ip` or `nft` line (metadata may be hostile in tests). */
export function isAddress(text: string, family: 4 | 6): boolean {
  const [address = '', length, ...rest] = text.split('/');
  if (rest.length > 0 || (length !== undefined && !/^\d{1,3}$/.test(length))) return false;
  if (length !== undefined && Number(length) > (family === 4 ? 32 : 128)) return false;
  return family === 4 ? isIPv4(address) : isIPv6(address) && !address.includes('%');
}

export function portName(ifname: string): string {
  return `r-${ifname}`.slice(0, 15);
}

/** The router itself: loopback with the metadata address, the client link, forwarding. */
export function routerLines(nsClient: string): string[] {
  return [
    'link set lo up',
    `addr add ${IMDS_IP}/32 dev lo`,
    `link add r-cli type veth peer name eth0 netns ${nsClient}`,
    'link set r-cli up',
    `addr add ${CLIENT.router}/24 dev r-cli`,
    `addr add ${CLIENT.router6}/64 dev r-cli nodad`,
  ];
}

export function clientLines(): string[] {
  return [
    'link set lo up',
    'link set eth0 up',
    `addr add ${CLIENT.ip}/24 dev eth0`,
    `addr add ${CLIENT.ip6}/64 dev eth0 nodad`,
    `route add default via ${CLIENT.router}`,
    `route add ::/0 via ${CLIENT.router6}`,
  ];
}

/** A vSwitch: a bridge carrying the gateway address. */
export function bridgeLines(bridge: string, eni: SimEni): string[] {
  return [`link add ${bridge} type bridge`, `link set ${bridge} up`, `addr add ${gatewayOf(eni)}/${prefixLengthOf(eni.vswitch)} dev ${bridge}`];
}

/** An ENI's cable: the instance end gets the ENI's name and MAC, the router end joins the vSwitch bridge. */
export function portLines(eni: SimEni, port: Port, nsInst: string): string[] {
  return [
    `link add ${port.port} type veth peer name ${eni.ifname} netns ${nsInst} address ${eni.mac}`,
    `link set ${port.port} master ${port.bridge}`,
    `link set ${port.port} up`,
  ];
}

/**
 * What the cloud's forwarding knows, keyed for diffing: every private IP is delivered to the MAC of the ENI that owns
 * it (permanent neighbours, no ARP guessing), delegated prefixes are routed to the ENI, IPv6 gateways sit on the bridge.
 * Value: [add line, delete line].
 */
export function forwardingEntries(config: ImdsConfig, ports: readonly Port[]): Map<string, [string, string]> {
  const entries = new Map<string, [string, string]>();
  for (const eni of config.enis) {
    const port = ports.find((candidate) => candidate.mac === eni.mac);
    if (port === undefined) continue;
    const dev = port.bridge;
    const v4 = (list: string[] | undefined) => (list ?? []).filter((item) => isAddress(item, 4));
    const v6 = (list: string[] | undefined) => (list ?? []).filter((item) => isAddress(item, 6));
    for (const ip of [...v4(eni.privateIpv4s), ...v6(eni.ipv6s)].filter((item) => !item.includes('/'))) {
      entries.set(`neigh ${ip} ${dev}`, [`neigh replace ${ip} lladdr ${port.mac} dev ${dev} nud permanent`, `neigh del ${ip} dev ${dev}`]);
    }
    for (const prefix of isAddress(eni.primaryIp, 4) ? v4(eni.ipv4Prefixes) : []) {
      entries.set(`route ${prefix} ${dev}`, [`route replace ${prefix} via ${eni.primaryIp} dev ${dev}`, `route del ${prefix} dev ${dev}`]);
    }
    const firstIpv6 = v6(eni.ipv6s)[0];
    if (firstIpv6 !== undefined) {
      for (const prefix of v6(eni.ipv6Prefixes)) {
        entries.set(`route ${prefix} ${dev}`, [`route replace ${prefix} via ${firstIpv6} dev ${dev}`, `route del ${prefix} dev ${dev}`]);
      }
    }
    const length = eni.vswitchIpv6Cidr?.split('/')[1] ?? '64';
    if (eni.ipv6Gateway !== undefined && isAddress(`${eni.ipv6Gateway}/${length}`, 6)) {
      const address = `${eni.ipv6Gateway}/${length}`;
      entries.set(`addr ${address} ${dev}`, [`addr replace ${address} dev ${dev} nodad`, `addr del ${address} dev ${dev}`]);
    }
  }
  return entries;
}

/**
 * The source/destination check: one ingress chain per router-side ENI port that drops IPv4 (and non-link-local IPv6)
 * packets whose source is not an address or delegated prefix of that ENI. Replaces the whole table atomically.
 */
export function sourceCheckScript(config: ImdsConfig, ports: readonly Port[]): string {
  const chains = ports.map((port) => {
    const eni = config.enis.find((candidate) => candidate.mac === port.mac);
    const v4 = eni === undefined ? [] : [...eni.privateIpv4s, ...(eni.ipv4Prefixes ?? [])].filter((item) => isAddress(item, 4));
    const v6 = eni === undefined ? [] : [...(eni.ipv6s ?? []), ...(eni.ipv6Prefixes ?? [])].filter((item) => isAddress(item, 6));
    return [
      `  chain port_${port.ifname.replace(/[^A-Za-z0-9_]/g, '_')} {`,
      `    type filter hook ingress device "${port.port}" priority 0; policy accept;`,
      ...[...new Set(v4)].map((source) => `    ip saddr ${source} accept`),
      '    meta protocol ip counter drop comment "ipv4 source not of this ENI"',
      '    ip6 saddr { fe80::/10, :: } accept',
      ...[...new Set(v6)].map((source) => `    ip6 saddr ${source} accept`),
      '    meta protocol ip6 counter drop comment "ipv6 source not of this ENI"',
      '  }',
    ].join('\n');
  });
  return [`table netdev ${NFT_TABLE}`, `delete table netdev ${NFT_TABLE}`, `table netdev ${NFT_TABLE} {`, ...chains, '}', ''].join('\n');
}
