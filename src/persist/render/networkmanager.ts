// Pure: one secondary ENI -> a NetworkManager keyfile profile (addresses, routes in the ENI's table, routing rules).
import { createHash } from 'node:crypto';
import type { Family } from '../../model.ts';
import type { InterfacePersist, PersistRoute, RenderedFile } from '../types.ts';
import { assertIfname, assertRenderable, defaultCidr, fileContent, ofFamily, routeDestination } from './common.ts';

/*
 * Keyfile syntax checked against NetworkManager 1.42.4's keyfile reader (Debian 12) and round-tripped through its
 * `nmcli --offline connection modify` (test/integration/persist/render/nmcli-offline.test.ts). Everything used here exists
 * since 1.22 (the `scope` route attribute; routing rules since 1.18), so RHEL 8.2+ and Alibaba Cloud Linux 3 read it too.
 * - `addressN=ip/plen` without a gateway is valid (a gateway would be `addressN=ip/plen,gw` or `gateway=`).
 * - `routeN=dst/plen[,gw]` plus `routeN_options=name=value,...` with the route attributes of
 *   nm_ip_route_get_variant_attribute_spec(): `table` (uint32), `onlink` (bool), `src` (address), `scope`.
 *   `scope` is a uint8 in keyfiles: it must be the number (253 = link). A value the reader cannot parse
 *   (`scope=link`) makes NetworkManager drop *all* options of that route, table included, silently.
 * - `routing-ruleN=priority P from X/plen table T` (iproute2-like words; NetworkManager requires a priority).
 *   `suppress_prefixlength N` is a rule attribute since 1.20 (NEWS of 1.20; nm-settings-nmcli(5), ipv4.routing-rules);
 *   the table is the number (254 = main), and the words in the order NetworkManager 1.42 writes them back.
 * - There is no route or rule attribute for the protocol in 1.42: NetworkManager installs both as `proto static`.
 */

const RT_SCOPE_LINK = 253;
const MAIN_TABLE = 254;

/**
 * Above cloud-init's keyfile profiles (`autoconnect-priority=120` since cloud-init 23.3), its older and ifcfg
 * profiles and NetworkManager's auto-generated "Wired connection N" (0, -999); the range is -999..999.
 */
export const AUTOCONNECT_PRIORITY = 200;

/** Fixed namespace of the profile UUIDs: the same MAC always gives the same profile UUID on every host. */
const UUID_NAMESPACE = Buffer.from('6b1d0f3a8e2c4f5b9a7d3c1e5f2a4b6d', 'hex');

/** RFC 4122 version-5 (SHA-1, name-based) UUID of the MAC. */
export function profileUuid(mac: string): string {
  const bytes = createHash('sha1').update(UUID_NAMESPACE).update(mac).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Where NetworkManager's keyfile plugin reads profiles (NetworkManager.conf(5), keyfile.path). */
export const KEYFILE_DIR = '/etc/NetworkManager/system-connections';

export const profileName = (ifname: string): string => `eni-init-${ifname}`;
export function keyfilePath(ifname: string): string {
  assertIfname(ifname);
  return `${KEYFILE_DIR}/${profileName(ifname)}.nmconnection`;
}

/** `routeN_options`, attributes sorted by name as NetworkManager writes them. */
function routeOptions(route: PersistRoute): string {
  const options: string[] = [];
  if (route.onlink === true) options.push('onlink=true');
  if (route.scope === 'link' && route.family === 4) options.push(`scope=${RT_SCOPE_LINK}`);
  if (route.prefsrc !== undefined) options.push(`src=${route.prefsrc}`);
  options.push(`table=${route.table}`);
  return options.join(',');
}

/** The `[ipv4]` or `[ipv6]` section. */
function ipSection(iface: InterfacePersist, family: Family): string[] {
  const { addresses, routes, rules, mainFirst } = ofFamily(iface, family);
  const header = family === 4 ? '[ipv4]' : '[ipv6]';
  // An ENI always has an IPv4 address; without IPv6 addresses NetworkManager leaves IPv6 alone (kernel defaults).
  if (addresses.length === 0) return [header, `method=${family === 4 ? 'disabled' : 'ignore'}`];
  const lines = [header, 'method=manual'];
  addresses.forEach((entry, index) => lines.push(`address${index + 1}=${entry.address}/${entry.prefixLength}`));
  // The ENI's default route lives in its own table only: never a default route in main.
  lines.push('never-default=true');
  routes.forEach((route, index) => {
    const gateway = route.gateway === undefined ? '' : `,${route.gateway}`;
    lines.push(`route${index + 1}=${routeDestination(route)}${gateway}`, `route${index + 1}_options=${routeOptions(route)}`);
  });
  rules.forEach((rule, index) => lines.push(`routing-rule${index + 1}=priority ${rule.priority} from ${rule.from} table ${rule.table}`));
  // --main-routes-first, on the one profile chosen to carry it: `from` is required, its /0 is the kernel's `from all`.
  mainFirst.forEach((rule, index) => lines.push(`routing-rule${rules.length + index + 1}=priority ${rule.priority} from ${defaultCidr(family)} suppress_prefixlength 0 table ${MAIN_TABLE}`));
  return lines;
}

/**
 * The keyfile of a secondary ENI: wins autoconnect over other profiles for the same device (AUTOCONNECT_PRIORITY),
 * and the MAC plus the interface name pin it to this one ENI. The primary ENI's profile is the admin's: nothing is
 * rendered for it.
 */
export function renderNetworkManager(iface: InterfacePersist): RenderedFile[] {
  assertRenderable(iface);
  if (iface.primary) return [];
  const name = profileName(iface.ifname);
  const lines = [
    '[connection]',
    `id=${name}`,
    `uuid=${profileUuid(iface.mac)}`,
    'type=ethernet',
    `interface-name=${iface.ifname}`,
    'autoconnect=true',
    `autoconnect-priority=${AUTOCONNECT_PRIORITY}`,
    '',
    '[ethernet]',
    `mac-address=${iface.mac}`,
    '',
    ...ipSection(iface, 4),
    '',
    ...ipSection(iface, 6),
  ];
  return [{ path: keyfilePath(iface.ifname), content: fileContent(lines), mode: 0o600 }];
}
