// Pure: what the instance's OS has configured at boot (DHCP on eth0; NetworkManager-style DHCP on secondaries), as `ip -batch` lines.
import { gatewayOf, ifIndex, parseCidr, prefixLengthOf } from './spec.ts';
import type { EniStart, SimEni } from './spec.ts';

function networkOf(cidr: string): string {
  const { network, length } = parseCidr(cidr);
  return `${[network >>> 24, (network >>> 16) & 255, (network >>> 8) & 255, network & 255].join('.')}/${length}`;
}

/**
 * - primary (eth0): up, primary IP with the vSwitch prefix length, `default via <gateway>` (what dhclient gives);
 *   its first IPv6 address and IPv6 default route when it has IPv6.
 * - `dhcp` secondary: up, primary IP with `noprefixroute`, then the subnet route and a default route with metric
 *   100+N in main, as NetworkManager leaves a DHCP'd secondary NIC.
 * - `down`: nothing (the interface exists, down, without address).
 */
export function guestLines(eni: SimEni, primary: boolean, start: EniStart = 'dhcp'): string[] {
  const ip = eni.privateIps[0];
  if (ip === undefined) return [];
  const length = prefixLengthOf(eni.vswitch);
  const gateway = gatewayOf(eni);
  if (primary) {
    const lines = [`link set ${eni.ifname} up`, `addr add ${ip}/${length} dev ${eni.ifname}`, `route add default via ${gateway} dev ${eni.ifname} proto dhcp`];
    const ipv6 = eni.ipv6?.addresses[0];
    if (eni.ipv6 !== undefined && ipv6 !== undefined) {
      lines.push(`addr add ${ipv6}/${eni.ipv6.vswitchCidr.split('/')[1] ?? '64'} dev ${eni.ifname} nodad`, `route add ::/0 via ${eni.ipv6.gateway} dev ${eni.ifname} proto dhcp`);
    }
    return lines;
  }
  if (start !== 'dhcp') return [];
  const metric = 100 + ifIndex(eni.ifname);
  return [
    `link set ${eni.ifname} up`,
    `addr add ${ip}/${length} dev ${eni.ifname} noprefixroute`,
    `route add ${networkOf(eni.vswitch)} dev ${eni.ifname} proto dhcp scope link src ${ip} metric ${metric}`,
    `route add default via ${gateway} dev ${eni.ifname} proto dhcp metric ${metric}`,
  ];
}
