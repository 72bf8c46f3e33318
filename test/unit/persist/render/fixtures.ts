// Inputs of the renderer golden tests: a secondary ENI, a dual-stack ENI with prefixes, a primary ENI with rules, and
// --main-routes-first variants (the interface chosen to carry the host's main-routes-first rules).
import type { InterfacePersist, RenderContext } from '../../../../src/persist/types.ts';

/** eth1: three IPv4s, table 1001, priority 20001 (slot 1 with the default numbering). */
export const secondary: InterfacePersist = {
  ifname: 'eth1',
  mac: '00:16:3e:00:00:02',
  eniId: 'eni-1',
  primary: false,
  addresses: [
    { family: 4, address: '10.0.0.30', prefixLength: 32 },
    { family: 4, address: '10.0.0.31', prefixLength: 32 },
    { family: 4, address: '10.0.0.32', prefixLength: 32 },
  ],
  routes: [
    { family: 4, table: 1001, dst: '10.0.0.0/24', scope: 'link', prefsrc: '10.0.0.30' },
    { family: 4, table: 1001, dst: 'default', gateway: '10.0.0.253', onlink: true },
  ],
  rules: [
    { family: 4, priority: 20001, from: '10.0.0.30/32', table: 1001 },
    { family: 4, priority: 20001, from: '10.0.0.31/32', table: 1001 },
    { family: 4, priority: 20001, from: '10.0.0.32/32', table: 1001 },
  ],
};

/** eth2: two IPv4s and an IPv4 prefix, two IPv6s and an IPv6 prefix, table 1002, priority 20002. */
export const dualStack: InterfacePersist = {
  ifname: 'eth2',
  mac: '00:16:3e:00:00:03',
  eniId: 'eni-2',
  primary: false,
  addresses: [
    { family: 4, address: '10.0.1.40', prefixLength: 32 },
    { family: 4, address: '10.0.1.41', prefixLength: 32 },
    { family: 6, address: '2408:4005:325:a204:1875:217f:184a:e4e', prefixLength: 128 },
    { family: 6, address: '2408:4005:325:a204::1', prefixLength: 128 },
  ],
  routes: [
    { family: 4, table: 1002, dst: '10.0.1.0/24', scope: 'link', prefsrc: '10.0.1.40' },
    { family: 4, table: 1002, dst: 'default', gateway: '10.0.1.253', onlink: true },
    { family: 6, table: 1002, dst: '2408:4005:325:a204::/64' },
    { family: 6, table: 1002, dst: 'default', gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7' },
  ],
  rules: [
    { family: 4, priority: 20002, from: '10.0.1.40/32', table: 1002 },
    { family: 4, priority: 20002, from: '10.0.1.41/32', table: 1002 },
    { family: 4, priority: 20002, from: '10.0.1.64/28', table: 1002 },
    { family: 6, priority: 20002, from: '2408:4005:325:a204:1875:217f:184a:e4e/128', table: 1002 },
    { family: 6, priority: 20002, from: '2408:4005:325:a204::1/128', table: 1002 },
    { family: 6, priority: 20002, from: '2408:4005:325:a204:1a00::/80', table: 1002 },
  ],
};

/** eth0, the primary: two secondary IPs (its DHCP address 10.0.0.20 is not ours), --primary-rules: table 1000. */
export const primary: InterfacePersist = {
  ifname: 'eth0',
  mac: '00:16:3e:00:00:01',
  eniId: 'eni-0',
  primary: true,
  addresses: [
    { family: 4, address: '10.0.0.21', prefixLength: 32 },
    { family: 4, address: '10.0.0.22', prefixLength: 32 },
  ],
  routes: [
    { family: 4, table: 1000, dst: '10.0.0.0/24', scope: 'link', prefsrc: '10.0.0.20' },
    { family: 4, table: 1000, dst: 'default', gateway: '10.0.0.253', onlink: true },
  ],
  rules: [
    { family: 4, priority: 20000, from: '10.0.0.20/32', table: 1000 },
    { family: 4, priority: 20000, from: '10.0.0.21/32', table: 1000 },
    { family: 4, priority: 20000, from: '10.0.0.22/32', table: 1000 },
  ],
};

/** The dual-stack ENI carrying --main-routes-first for both families (priority-base - 1 = 19999). */
export const dualStackMainFirst: InterfacePersist = {
  ...dualStack,
  mainFirst: [
    { family: 4, priority: 19999 },
    { family: 6, priority: 19999 },
  ],
};

/** The primary carrying it alone (--primary-rules, no secondary ENI): only ifcfg writes the primary's rules. */
export const primaryMainFirst: InterfacePersist = { ...primary, mainFirst: [{ family: 4, priority: 19999 }] };

export interface GoldenCase {
  name: string;
  iface: InterfacePersist;
  /** Context per backend, as detection would find it. */
  ctx: { netplan: RenderContext; networkd: RenderContext; ifcfg: RenderContext };
}

export const cases: GoldenCase[] = [
  // No manager config for eth1 yet: files of our own.
  { name: 'secondary', iface: secondary, ctx: { netplan: {}, networkd: {}, ifcfg: {} } },
  // eth2 already defined by cloud-init's netplan file (and so by netplan's generated .network file).
  {
    name: 'dualstack',
    iface: dualStack,
    ctx: { netplan: { netplanId: 'eth2' }, networkd: { networkFile: '/run/systemd/network/10-netplan-eth2.network' }, ifcfg: {} },
  },
  // The primary, configured by the admin's DHCP config.
  {
    name: 'primary',
    iface: primary,
    ctx: { netplan: { netplanId: 'eth0' }, networkd: { networkFile: '/etc/systemd/network/10-eth0.network' }, ifcfg: {} },
  },
  // --main-routes-first on a file of our own (netplan cannot express it: its file is the same as without).
  { name: 'dualstack-mainfirst', iface: dualStackMainFirst, ctx: { netplan: {}, networkd: {}, ifcfg: {} } },
  {
    name: 'primary-mainfirst',
    iface: primaryMainFirst,
    ctx: { netplan: { netplanId: 'eth0' }, networkd: { networkFile: '/etc/systemd/network/10-eth0.network' }, ifcfg: {} },
  },
];
