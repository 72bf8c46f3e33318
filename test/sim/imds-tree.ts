// Pure: the metadata tree of a fake IMDS config -> the body of one path under /latest/meta-data/ (or null = 404).
import type { ImdsConfig, ImdsEni } from './imds-config.ts';

const MACS = 'network/interfaces/macs';

/** ENIs the service lists at `now` (a hot-plugged ENI may be listed late). */
export function visibleEnis(config: ImdsConfig, now: number): ImdsEni[] {
  return config.enis.filter((eni) => (eni.visibleAfter ?? 0) <= now);
}

const nonEmpty = (list: string[] | undefined): list is string[] => list !== undefined && list.length > 0;

/** One ENI's items as the per-path service renders them; absent items answer 404. */
function eniItems(eni: ImdsEni): Record<string, string> {
  const items: Record<string, string> = {
    'network-interface-id': eni.eniId,
    'primary-ip-address': eni.primaryIp,
    'private-ipv4s': JSON.stringify(eni.privateIpv4s),
    netmask: eni.netmask,
    gateway: eni.gateway,
    'vpc-id': eni.vpcId,
    'vpc-cidr-block': eni.vpcCidr,
    'vswitch-id': eni.vswitchId,
    'vswitch-cidr-block': eni.vswitchCidr,
  };
  // Multi-value prefixes: undocumented; one per line (a single prefix reads exactly like Alibaba's example).
  if (nonEmpty(eni.ipv4Prefixes)) items['ipv4-prefixes'] = eni.ipv4Prefixes.join('\n');
  if (nonEmpty(eni.ipv6s)) items['ipv6s'] = `[${eni.ipv6s.join(',')}]`;
  if (eni.ipv6Gateway !== undefined) items['ipv6-gateway'] = eni.ipv6Gateway;
  if (eni.vswitchIpv6Cidr !== undefined) items['vswitch-ipv6-cidr-block'] = eni.vswitchIpv6Cidr;
  if (nonEmpty(eni.ipv6Prefixes)) items['ipv6-prefixes'] = eni.ipv6Prefixes.join('\n');
  return items;
}

/** The `all` document: the tree as one JSON object, lists as arrays, absent keys for absent items. */
export function allDocument(config: ImdsConfig, now: number): string {
  const macs: Record<string, Record<string, string | string[]>> = {};
  for (const eni of visibleEnis(config, now)) {
    const entry: Record<string, string | string[]> = { ...eniItems(eni), 'private-ipv4s': eni.privateIpv4s };
    if (nonEmpty(eni.ipv4Prefixes)) entry['ipv4-prefixes'] = eni.ipv4Prefixes;
    if (nonEmpty(eni.ipv6s)) entry['ipv6s'] = eni.ipv6s;
    if (nonEmpty(eni.ipv6Prefixes)) entry['ipv6-prefixes'] = eni.ipv6Prefixes;
    macs[eni.mac] = entry;
  }
  return JSON.stringify({
    'instance-id': config.instanceId,
    'region-id': config.regionId,
    'zone-id': config.zoneId,
    mac: config.primaryMac,
    network: { interfaces: { macs } },
  });
}

/** The body for `path` (relative to /latest/meta-data/, '' = the root listing), or null for 404. */
export function resolveMetadata(config: ImdsConfig, path: string, now: number): string | null {
  const raw = config.rawOverrides?.[path];
  if (raw !== undefined) return raw;
  const dir = path.replace(/\/$/, '');
  const listing = (entries: string[]) => entries.join('\n');
  switch (dir) {
    case '':
      return listing([...(config.all ? ['all'] : []), 'instance-id', 'mac', 'network/', 'region-id', 'zone-id']);
    case 'instance-id':
    case 'region-id':
    case 'zone-id':
    case 'mac':
    case 'all':
      if (dir !== path) return null;
      if (dir === 'all') return config.all ? allDocument(config, now) : null;
      return { 'instance-id': config.instanceId, 'region-id': config.regionId, 'zone-id': config.zoneId, mac: config.primaryMac }[dir];
    case 'network':
      return 'interfaces/';
    case 'network/interfaces':
      return 'macs/';
    case MACS:
      return listing(visibleEnis(config, now).map((eni) => `${eni.mac}/`));
  }
  if (!dir.startsWith(`${MACS}/`)) return null;
  const [mac, item, ...rest] = dir.slice(MACS.length + 1).split('/');
  const eni = visibleEnis(config, now).find((candidate) => candidate.mac === mac);
  if (eni === undefined || rest.length > 0) return null;
  const items = eniItems(eni);
  if (item === undefined) return listing(Object.keys(items));
  return dir === path ? (items[item] ?? null) : null;
}
