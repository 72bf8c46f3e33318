// Pure: one ENI -> network-scripts files: ifcfg-<if> (addresses), route-/route6-<if> and rule-/rule6-<if>.
import type { Family } from '../../model.ts';
import type { InterfacePersist, PersistMainFirst, PersistRoute, PersistRule, RenderContext, RenderedFile } from '../types.ts';
import { assertRenderable, fileContent, ofFamily } from './common.ts';

/*
 * For the legacy network-scripts (initscripts' ifup-eth, ifup-routes: RHEL/CentOS 7, Alibaba Cloud Linux 2).
 * ifup-routes passes every non-comment line of route-<if> to `ip -4 route add`, of route6-<if> to `ip -6 route
 * add`, of rule-<if> to `ip -4 rule add`, of rule6-<if> to `ip -6 rule add`: so lines are `ip` arguments, with
 * `dev` (required by `ip route add` for routes without a gateway). ifcfg-<if> is sourced by bash.
 *
 * NOT for NetworkManager's ifcfg-rh plugin (RHEL 8+, Alibaba Cloud Linux 3): it reads route-<if> itself (with no
 * `proto` word) but never applies rule- files, and when a rule-<if> or rule6-<if> file exists it ignores *all*
 * routes of route-<if> and route6-<if> ("you will need to use a dispatcher script"); it wants ROUTING_RULE_<n>
 * keys instead. Where NetworkManager owns the interface, use the networkmanager backend.
 */

/** Where initscripts reads ifcfg-, route- and rule- files. */
export const IFCFG_DIR = '/etc/sysconfig/network-scripts';

/** `10.0.0.0/24 dev eth1 scope link src 10.0.0.30 table 1001`, `default via 10.0.0.253 dev eth1 onlink table 1001`. */
function routeLine(ifname: string, route: PersistRoute): string {
  const words = [route.dst];
  if (route.gateway !== undefined) words.push('via', route.gateway);
  words.push('dev', ifname);
  if (route.scope !== undefined && route.family === 4) words.push('scope', route.scope);
  if (route.prefsrc !== undefined) words.push('src', route.prefsrc);
  if (route.onlink === true) words.push('onlink');
  words.push('table', String(route.table));
  return words.join(' ');
}

const ruleLine = (rule: PersistRule): string => `priority ${rule.priority} from ${rule.from} table ${rule.table}`;

/** --main-routes-first, as `ip rule add` arguments. */
const mainFirstLine = (rule: PersistMainFirst): string => `priority ${rule.priority} from all table main suppress_prefixlength 0`;

/** route-<if>/rule-<if> (IPv4) or route6-<if>/rule6-<if> (IPv6), each only when it has lines. */
function policyFiles(iface: InterfacePersist, family: Family): RenderedFile[] {
  const { routes, rules, mainFirst } = ofFamily(iface, family);
  const suffix = family === 4 ? '' : '6';
  const files: RenderedFile[] = [];
  if (routes.length > 0) {
    const lines = routes.map((route) => routeLine(iface.ifname, route));
    files.push({ path: `${IFCFG_DIR}/route${suffix}-${iface.ifname}`, content: fileContent(lines), mode: 0o644 });
  }
  const ruleLines = [...rules.map(ruleLine), ...mainFirst.map(mainFirstLine)];
  if (ruleLines.length > 0) files.push({ path: `${IFCFG_DIR}/rule${suffix}-${iface.ifname}`, content: fileContent(ruleLines), mode: 0o644 });
  return files;
}

/** ifcfg-<if> of a secondary ENI: static, no default route, no DNS; IPADDRn/PREFIXn from 0. */
function ifcfgFile(iface: InterfacePersist): RenderedFile {
  const v4 = ofFamily(iface, 4).addresses;
  const v6 = ofFamily(iface, 6).addresses;
  const lines = [
    `DEVICE=${iface.ifname}`,
    `HWADDR=${iface.mac}`,
    'TYPE=Ethernet',
    'ONBOOT=yes',
    'BOOTPROTO=none',
    'DEFROUTE=no',
    'PEERDNS=no',
  ];
  v4.forEach((entry, index) => lines.push(`IPADDR${index}=${entry.address}`, `PREFIX${index}=${entry.prefixLength}`));
  if (v6.length === 0) {
    lines.push('IPV6INIT=no');
  } else {
    const [first, ...rest] = v6.map((entry) => `${entry.address}/${entry.prefixLength}`);
    lines.push('IPV6INIT=yes', 'IPV6_AUTOCONF=no', 'IPV6_DEFROUTE=no', `IPV6ADDR=${first ?? ''}`);
    if (rest.length > 0) lines.push(`IPV6ADDR_SECONDARIES="${rest.join(' ')}"`);
  }
  return { path: `${IFCFG_DIR}/ifcfg-${iface.ifname}`, content: fileContent(lines), mode: 0o644 };
}

/**
 * A secondary ENI: ifcfg-<if> plus its route and rule files. The primary ENI: its ifcfg-<if> is the admin's, so
 * only route and rule files (with --primary-rules); its extra private IPs are NOT persisted by this backend (that
 * would mean editing the admin's ifcfg file): eni-init adds them again at every boot.
 */
export function renderIfcfg(iface: InterfacePersist, _ctx?: RenderContext): RenderedFile[] {
  assertRenderable(iface);
  const policy = [...policyFiles(iface, 4), ...policyFiles(iface, 6)];
  return iface.primary ? policy : [ifcfgFile(iface), ...policy];
}
