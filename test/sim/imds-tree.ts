// Pure: the metadata tree of a fake IMDS config -> the body of one path under /latest/meta-data/ (or null = 404),
// in the chosen value style, with `all` complete, partial, raw or absent.
import type { AllMode, ImdsConfig, ImdsEni, ValueStyle } from './imds-config.ts';
import { ALIBABA_SAMPLE_ITEMS } from './imds-config.ts';

const MACS = 'network/interfaces/macs';

/** ENIs the service lists at `now` (a hot-plugged ENI may be listed late). */
export function visibleEnis(config: ImdsConfig, now: number): ImdsEni[] {
  return config.enis.filter((eni) => (eni.visibleAfter ?? 0) <= now);
}

const nonEmpty = (list: string[] | undefined): list is string[] => list !== undefined && list.length > 0;

export function allModeOf(config: ImdsConfig): AllMode {
  return typeof config.all === 'string' ? config.all : config.all ? 'complete' : 'none';
}

function styleOf(config: ImdsConfig): ValueStyle {
  return config.style ?? 'plain';
}

/** The MAC as this service spells it (in the listing, the `mac` item, `all`'s keys and item paths). */
export function spellMac(config: ImdsConfig, mac: string): string {
  return styleOf(config) === 'upper-mac' ? mac.toUpperCase() : mac.toLowerCase();
}

/** A scalar body in the style: trailing LF or CRLF where the style says so. */
function scalar(style: ValueStyle, value: string): string {
  return style === 'newline' ? `${value}\n` : style === 'crlf' ? `${value}\r\n` : value;
}

/** A listing (or a multi-value item) in the style. */
function lines(style: ValueStyle, entries: string[]): string {
  if (style === 'crlf') return entries.map((entry) => `${entry}\r\n`).join('');
  if (style === 'newline') return entries.map((entry) => `${entry}\n`).join('');
  return entries.join('\n');
}

/** One ENI's items as the per-path service renders them; absent items answer 404. */
function eniItems(eni: ImdsEni, style: ValueStyle): Record<string, string> {
  const json = (list: string[]) => (style === 'spaced' ? `[${list.map((item) => JSON.stringify(item)).join(', ')}]` : JSON.stringify(list));
  const items: Record<string, string> = {
    'network-interface-id': scalar(style, eni.eniId),
    'primary-ip-address': scalar(style, eni.primaryIp),
    'private-ipv4s': scalar(style, json(eni.privateIpv4s)),
    netmask: scalar(style, eni.netmask),
    gateway: scalar(style, eni.gateway),
    'vpc-id': scalar(style, eni.vpcId),
    'vpc-cidr-block': scalar(style, eni.vpcCidr),
    'vswitch-id': scalar(style, eni.vswitchId),
    'vswitch-cidr-block': scalar(style, eni.vswitchCidr),
  };
  // Multi-value prefixes: undocumented; one per line (a single prefix reads exactly like Alibaba's example).
  if (nonEmpty(eni.ipv4Prefixes)) items['ipv4-prefixes'] = lines(style, eni.ipv4Prefixes);
  // Alibaba's docs and terway: brackets, no quotes; the ACK team's mock: quoted JSON (the spaced style).
  if (nonEmpty(eni.ipv6s)) items['ipv6s'] = scalar(style, style === 'spaced' ? json(eni.ipv6s) : `[${eni.ipv6s.join(',')}]`);
  if (eni.ipv6Gateway !== undefined) items['ipv6-gateway'] = scalar(style, eni.ipv6Gateway);
  if (eni.vswitchIpv6Cidr !== undefined) items['vswitch-ipv6-cidr-block'] = scalar(style, eni.vswitchIpv6Cidr);
  if (nonEmpty(eni.ipv6Prefixes)) items['ipv6-prefixes'] = lines(style, eni.ipv6Prefixes);
  return items;
}

/** One ENI's object in a complete `all`: lists as JSON arrays (CRLF-joined strings in the crlf style), scalars as strings. */
function allEntry(eni: ImdsEni, style: ValueStyle): Record<string, string | string[]> {
  const entry: Record<string, string | string[]> = { ...eniItems(eni, style) };
  const list = (values: string[]) => (style === 'crlf' ? values.join('\r\n') : values);
  entry['private-ipv4s'] = list(eni.privateIpv4s);
  if (nonEmpty(eni.ipv4Prefixes)) entry['ipv4-prefixes'] = list(eni.ipv4Prefixes);
  if (nonEmpty(eni.ipv6s)) entry['ipv6s'] = list(eni.ipv6s);
  if (nonEmpty(eni.ipv6Prefixes)) entry['ipv6-prefixes'] = list(eni.ipv6Prefixes);
  return entry;
}

/** The `all` document of the config's mode (null for `none`): absent keys for absent items. */
export function allDocument(config: ImdsConfig, now: number): string | null {
  const mode = allModeOf(config);
  if (mode === 'none') return null;
  const style = styleOf(config);
  const macs: Record<string, Record<string, string | string[]>> = {};
  for (const eni of visibleEnis(config, now)) {
    const mac = spellMac(config, eni.mac);
    const tree = eniItems(eni, style);
    let entry = mode === 'raw' ? tree : allEntry(eni, style);
    if (mode === 'partial') {
      const wanted = config.allItems ?? ALIBABA_SAMPLE_ITEMS;
      entry = Object.fromEntries(Object.entries(entry).filter(([item]) => wanted.includes(item)));
    }
    // A raw override of an item's path is what the service says about that item, in `all` too; so is a lasting
    // fault (no `count`): a body replaces the value, a status or a reset leaves the item out (the tree read hits it).
    for (const item of Object.keys(entry)) {
      const raw = config.rawOverrides?.[`${MACS}/${mac}/${item}`];
      if (raw !== undefined) entry[item] = raw;
      const fault = config.faults.find((candidate) => candidate.count === undefined && new RegExp(candidate.path).test(`/latest/meta-data/${MACS}/${mac}/${item}`));
      if (fault?.body !== undefined) entry[item] = fault.body;
      else if (fault?.status !== undefined || fault?.reset === true) delete entry[item];
    }
    macs[mac] = entry;
  }
  return JSON.stringify({
    'instance-id': config.instanceId,
    'region-id': config.regionId,
    'zone-id': config.zoneId,
    mac: spellMac(config, config.primaryMac),
    network: { interfaces: { macs } },
  });
}

/** The body for `path` (relative to /latest/meta-data/, '' = the root listing), or null for 404. */
export function resolveMetadata(config: ImdsConfig, path: string, now: number): string | null {
  const raw = config.rawOverrides?.[path];
  if (raw !== undefined) return raw;
  const style = styleOf(config);
  const dir = path.replace(/\/$/, '');
  const hasAll = allModeOf(config) !== 'none';
  switch (dir) {
    case '':
      return lines(style, [...(hasAll ? ['all'] : []), 'instance-id', 'mac', 'network/', 'region-id', 'zone-id']);
    case 'instance-id':
    case 'region-id':
    case 'zone-id':
    case 'mac':
    case 'all':
      if (dir !== path) return null;
      if (dir === 'all') return allDocument(config, now);
      if (dir === 'mac') return scalar(style, spellMac(config, config.primaryMac));
      return scalar(style, { 'instance-id': config.instanceId, 'region-id': config.regionId, 'zone-id': config.zoneId }[dir]);
    case 'network':
      return lines(style, ['interfaces/']);
    case 'network/interfaces':
      return lines(style, ['macs/']);
    case MACS:
      return lines(style, visibleEnis(config, now).map((eni) => `${spellMac(config, eni.mac)}/`));
  }
  if (!dir.startsWith(`${MACS}/`)) return null;
  const [mac, item, ...rest] = dir.slice(MACS.length + 1).split('/');
  const eni = visibleEnis(config, now).find((candidate) => spellMac(config, candidate.mac) === mac);
  if (eni === undefined || rest.length > 0) return null;
  const items = eniItems(eni, style);
  if (item === undefined) return lines(style, Object.keys(items));
  return dir === path ? (items[item] ?? null) : null;
}
