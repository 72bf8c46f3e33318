// Named simulated instances used by the demo and the integration tests.
import type { SimEni, SimSpec } from './spec.ts';

export type PresetName = 'demo' | 'two-enis-same-vswitch' | 'three-enis-mixed';

function eni(index: number, ips: string[], vswitch: string, start: SimEni['start'] = 'dhcp'): SimEni {
  const n = (index + 1).toString(16).padStart(2, '0');
  return { ifname: `eth${index}`, mac: `00:16:3e:5e:00:${n}`, eniId: `eni-bp1sim00000000000${n}`, privateIps: ips, vswitch, start };
}

const ETH0 = () => eni(0, ['10.0.0.20', '10.0.0.21', '10.0.0.22'], '10.0.0.0/24');
const ETH1 = (start: SimEni['start']) => eni(1, ['10.0.0.30', '10.0.0.31', '10.0.0.32'], '10.0.0.0/24', start);
const ETH2 = (start: SimEni['start']) => eni(2, ['10.0.1.40', '10.0.1.41', '10.0.1.42'], '10.0.1.0/24', start);

/**
 * - demo: eth0 (10.0.0.20-.22), eth1 in the same vSwitch (10.0.0.30-.32), eth2 in 10.0.1.0/24 (10.0.1.40-.42);
 *   eth1 and eth2 came up through DHCP with their primary IPs only (as NetworkManager leaves them).
 * - two-enis-same-vswitch: eth0 and eth1 (DHCP'd) in 10.0.0.0/24.
 * - three-enis-mixed: like demo, but eth2 (other vSwitch) is down without address.
 */
export function presetInstance(name: PresetName, overrides: Partial<SimSpec> = {}): SimSpec {
  const enis: Record<PresetName, () => SimEni[]> = {
    demo: () => [ETH0(), ETH1('dhcp'), ETH2('dhcp')],
    'two-enis-same-vswitch': () => [ETH0(), ETH1('dhcp')],
    'three-enis-mixed': () => [ETH0(), ETH1('dhcp'), ETH2('down')],
  };
  const make = enis[name];
  if (make === undefined) throw new Error(`unknown preset ${JSON.stringify(name)}`);
  return { enis: make(), vpcCidr: '10.0.0.0/16', ...overrides };
}
