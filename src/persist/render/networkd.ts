// Pure: one ENI -> a systemd-networkd .network file of its own (primary: a keep-foreign-config drop-in); plus networkd.conf's keep-our-rules drop-in.
import { posix } from 'node:path';
import type { InterfacePersist, PersistMainFirst, PersistRoute, PersistRule, RenderContext, RenderedFile } from '../types.ts';
import { assertIfname, assertRenderable, fileContent, routeDestination } from './common.ts';

/*
 * Checked against systemd 252 (Debian 12): systemd.network(5), networkd.conf(5).
 * - Drop-ins: for a network file foo.network, networkd reads foo.network.d/*.conf from *every* network directory
 *   (/etc, /run, /usr/local/lib, /usr/lib/systemd/network), after the main file, whichever directory that file is in.
 *   So a drop-in in /etc reaches a netplan-generated /run/systemd/network/10-netplan-eth1.network too.
 * - [Route] Destination= is given explicitly (0.0.0.0/0, ::/0) for default routes; Scope= applies to IPv4 only.
 * - [RoutingPolicyRule] takes its family from From=, so Family= is not needed (the main-routes-first rule has no
 *   From= and names it); SuppressPrefixLength= and Table=main exist since systemd 235/237.
 * - Protocol= is left at networkd's default (`static`), like the routes of the other backends.
 */

/** Names networkd accepts for a .network file, and nothing a path could be tricked with. */
const NETWORK_FILE = /^\/[A-Za-z0-9_.@+\-/]*\/[A-Za-z0-9_.@+-]+\.network$/;

/** The admin's directories of .network files and of networkd.conf drop-ins (systemd.network(5), networkd.conf(5)). */
export const NETWORK_DIR = '/etc/systemd/network';
export const NETWORKD_CONF_DIR = '/etc/systemd/networkd.conf.d';

/** The name of both drop-ins eni-init writes (a .network's and networkd.conf's). */
export const DROP_IN_NAME = '50-eni-init.conf';

export function networkdFullPath(ifname: string): string {
  assertIfname(ifname);
  return `${NETWORK_DIR}/05-eni-init-${ifname}.network`;
}

/** `/etc/systemd/network/<basename>.d/50-eni-init.conf` for the network file networkd applies to the link. */
export function networkdDropInPath(networkFile: string): string {
  if (!NETWORK_FILE.test(networkFile) || networkFile.split('/').includes('..')) {
    throw new Error(`refusing to render persistent config: invalid networkd file ${JSON.stringify(networkFile)}`);
  }
  return `${NETWORK_DIR}/${posix.basename(networkFile)}.d/${DROP_IN_NAME}`;
}

function routeSection(route: PersistRoute): string[] {
  const lines = ['[Route]', `Destination=${routeDestination(route)}`];
  if (route.gateway !== undefined) lines.push(`Gateway=${route.gateway}`);
  if (route.onlink === true) lines.push('GatewayOnLink=yes');
  if (route.prefsrc !== undefined) lines.push(`PreferredSource=${route.prefsrc}`);
  if (route.scope !== undefined && route.family === 4) lines.push(`Scope=${route.scope}`);
  lines.push(`Table=${route.table}`);
  return lines;
}

const ruleSection = (rule: PersistRule): string[] => ['[RoutingPolicyRule]', `From=${rule.from}`, `Table=${rule.table}`, `Priority=${rule.priority}`];

/** --main-routes-first: without From= the family must be named (Family= defaults to ipv4). */
const mainFirstSection = (rule: PersistMainFirst): string[] => [
  '[RoutingPolicyRule]',
  `Family=${rule.family === 4 ? 'ipv4' : 'ipv6'}`,
  'Table=main',
  `Priority=${rule.priority}`,
  'SuppressPrefixLength=0',
];

/** [Address], [Route] and [RoutingPolicyRule] sections, each preceded by an empty line. */
function objectSections(iface: InterfacePersist): string[] {
  const sections = [
    ...iface.addresses.map((entry) => ['[Address]', `Address=${entry.address}/${entry.prefixLength}`]),
    ...iface.routes.map(routeSection),
    ...iface.rules.map(ruleSection),
    ...(iface.mainFirst ?? []).map(mainFirstSection),
  ];
  return sections.flatMap((section) => ['', ...section]);
}

/**
 * A secondary ENI gets a .network file of its own, matched by MAC and name, named to sort before the
 * distribution's and netplan's files, so that networkd applies it alone to that link (a drop-in would reach
 * every link a catch-all file matches). The primary's file stays the admin's: with ctx.networkFile it gets a
 * drop-in that only keeps eni-init's runtime addresses and routes when networkd (re)starts
 * (KeepConfiguration=static); adding them to it would make networkd reconfigure the primary, DHCP included.
 */
export function renderNetworkd(iface: InterfacePersist, ctx: RenderContext): RenderedFile[] {
  assertRenderable(iface);
  if (iface.primary) {
    if (ctx.networkFile === undefined) return [];
    return [{ path: networkdDropInPath(ctx.networkFile), content: fileContent(['[Network]', 'KeepConfiguration=static']), mode: 0o644 }];
  }
  const hasIpv6 = iface.addresses.some((entry) => entry.family === 6);
  const lines = [
    '',
    '[Match]',
    `MACAddress=${iface.mac}`,
    `Name=${iface.ifname}`,
    '',
    '[Link]',
    // A secondary ENI must not hold up network-online.target (nor fail systemd-networkd-wait-online).
    'RequiredForOnline=no',
    '',
    '[Network]',
    'DHCP=no',
    // IPv6 needs the link-local address to reach the gateway; routes come from metadata, not from RAs.
    `LinkLocalAddressing=${hasIpv6 ? 'ipv6' : 'no'}`,
    'IPv6AcceptRA=no',
    ...objectSections(iface),
  ];
  return [{ path: networkdFullPath(iface.ifname), content: fileContent(lines), mode: 0o644 }];
}

/**
 * networkd.conf drop-in: by default networkd deletes, when it starts or restarts, every routing policy rule it
 * did not configure itself (ManageForeignRoutingPolicyRules=yes), eni-init's runtime rules included.
 */
export function renderNetworkdGlobal(): RenderedFile {
  return {
    path: `${NETWORKD_CONF_DIR}/${DROP_IN_NAME}`,
    content: fileContent(['[Network]', 'ManageForeignRoutingPolicyRules=no']),
    mode: 0o644,
  };
}
