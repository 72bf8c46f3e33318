// Pure: one ENI -> a netplan YAML file that adds eni-init's addresses, routes and rules to the interface's definition.
import type { InterfacePersist, PersistRoute, PersistRule, RenderContext, RenderedFile } from '../types.ts';
import { assertIfname, assertRenderable, fileContent } from './common.ts';

/*
 * How this file combines with the admin's (netplan-generate(8), "Handling multiple files", netplan 0.106):
 * all files of /{lib,etc,run}/netplan are read in lexical order of their names, and definitions with the same
 * id under `ethernets:` are merged: scalars of later files override, *sequences are concatenated* (new values
 * appended) and mappings merge key by key. So `90-eni-init-<ifname>.yaml`, read after cloud-init's
 * `50-cloud-init.yaml`, appends our `addresses`, `routes` and `routing-policy` to the admin's lists under the
 * admin's id (ctx.netplanId) and overrides nothing: no scalar of ours is written into an admin's definition.
 * Checked with `netplan generate` (test/integration/persist/render/netplan-generate.test.ts).
 * netplan 0.106 (Debian 12, Ubuntu 22.04/24.04) has no `suppress_prefixlength` in `routing-policy` (its keys: from,
 * to, table, priority, mark, type-of-service): the --main-routes-first rule is not persisted here. eni-init adds it
 * again at every run, and networkd's ManageForeignRoutingPolicyRules=no drop-in keeps it across networkd restarts.
 * Values are validated addresses, CIDRs and numbers; strings are still emitted as JSON strings, which are YAML
 * double-quoted scalars.
 */

const quote = (value: string): string => JSON.stringify(value);

/** The admin's netplan directory (netplan-generate(8)). */
export const NETPLAN_DIR = '/etc/netplan';

export function netplanPath(ifname: string): string {
  assertIfname(ifname);
  return `${NETPLAN_DIR}/90-eni-init-${ifname}.yaml`;
}

/** One `routes:` entry (netplan writes `from` as networkd's PreferredSource=). */
function routeLines(route: PersistRoute): string[] {
  const fields = [`to: ${quote(route.dst)}`];
  if (route.gateway !== undefined) fields.push(`via: ${quote(route.gateway)}`);
  if (route.onlink === true) fields.push('on-link: true');
  if (route.scope !== undefined) fields.push(`scope: ${quote(route.scope)}`);
  if (route.prefsrc !== undefined) fields.push(`from: ${quote(route.prefsrc)}`);
  fields.push(`table: ${route.table}`);
  return fields.map((field, index) => `${index === 0 ? '        - ' : '          '}${field}`);
}

function ruleLines(rule: PersistRule): string[] {
  return [`        - from: ${quote(rule.from)}`, `          table: ${rule.table}`, `          priority: ${rule.priority}`];
}

/**
 * The netplan file of an ENI. With ctx.netplanId the interface is already defined by the admin (or cloud-init):
 * we add to that definition only, so its DHCP and matching stay as they are. Without it, a secondary ENI gets a
 * definition of its own (matched by MAC, named, no DHCP, no router advertisements). The primary ENI gets nothing:
 * any change to its definition makes `netplan generate` rewrite its networkd file, and the reload then restarts
 * its DHCP client (sync.ts gives it networkd's keep-foreign-config drop-in instead).
 */
export function renderNetplan(iface: InterfacePersist, ctx: RenderContext): RenderedFile[] {
  assertRenderable(iface);
  const id = ctx.netplanId ?? iface.ifname;
  if (id.length === 0) throw new Error('refusing to render persistent config: empty netplan id');
  if (iface.primary) return [];
  const body: string[] = [];
  if (ctx.netplanId === undefined) {
    body.push('      match:', `        macaddress: ${quote(iface.mac)}`, `      set-name: ${quote(iface.ifname)}`);
    body.push('      dhcp4: false', '      dhcp6: false', '      accept-ra: false');
  }
  if (iface.addresses.length > 0) {
    body.push('      addresses:', ...iface.addresses.map((entry) => `        - ${quote(`${entry.address}/${entry.prefixLength}`)}`));
  }
  if (iface.routes.length > 0) body.push('      routes:', ...iface.routes.flatMap(routeLines));
  if (iface.rules.length > 0) body.push('      routing-policy:', ...iface.rules.flatMap(ruleLines));
  if (body.length === 0) return [];
  const lines = ['network:', '  version: 2', '  ethernets:', `    ${quote(id)}:`, ...body];
  return [{ path: netplanPath(iface.ifname), content: fileContent(lines), mode: 0o600 }];
}
