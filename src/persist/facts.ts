// What the running system says about its network managers, and the pure parsers of what nmcli and networkd print.

export interface NmDevice {
  /** nmcli's STATE: `connected`, `disconnected`, `unmanaged`, `connected (externally)`, ... */
  state: string;
  connectionUuid?: string;
  /** The profile file of the active connection, when it has one. */
  connectionFile?: string;
}

export interface NetworkdLink {
  /** ADMIN_STATE of /run/systemd/netif/links/<index>: `configured`, `configuring`, `unmanaged`, `failed`, ... */
  adminState: string;
  networkFile?: string;
}

export interface ManagerFacts {
  /** False when facts are not probed at all (--root other than /): nothing is known about the target's managers. */
  probed: boolean;
  /** Every probe answered (none timed out or failed): only then may a manager's absence remove files. */
  complete: boolean;
  networkManager: { running: boolean; devices: Record<string, NmDevice> };
  networkd: { running: boolean; links: Record<string, NetworkdLink> };
  /** The netplan generator is installed. */
  netplan: boolean;
  /** Interfaces with an `ifcfg-<name>` file in /etc/sysconfig/network-scripts. */
  ifcfg: string[];
}

/** A probe gets at most 5 s, and never more than the run has left. */
export const probeTimeout = (timeLeft: () => number): number => Math.max(100, Math.min(5000, timeLeft()));

export const NO_FACTS: ManagerFacts = {
  probed: false,
  complete: false,
  networkManager: { running: false, devices: {} },
  networkd: { running: false, links: {} },
  netplan: false,
  ifcfg: [],
};

/** Splits one line of `nmcli -t` output on unescaped colons, unescaping `\:` and `\\`. */
export function splitTerse(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let index = 0; index < line.length; index++) {
    const char = line[index] as string;
    if (char === '\\' && index + 1 < line.length) current += line[++index];
    else if (char === ':') {
      fields.push(current);
      current = '';
    } else current += char;
  }
  fields.push(current);
  return fields;
}

/** `nmcli -t -f DEVICE,STATE,CON-UUID device status` + `nmcli -t -f UUID,FILENAME connection show` -> devices. */
export function parseNmDevices(deviceText: string, connectionText: string): Record<string, NmDevice> {
  const files = new Map<string, string>();
  for (const line of connectionText.split('\n')) {
    const [uuid, file] = splitTerse(line);
    if (uuid && file) files.set(uuid, file);
  }
  const devices: Record<string, NmDevice> = {};
  for (const line of deviceText.split('\n')) {
    const [name, state, uuid] = splitTerse(line);
    if (!name || state === undefined) continue;
    const device: NmDevice = { state };
    if (uuid) {
      device.connectionUuid = uuid;
      const file = files.get(uuid);
      if (file) device.connectionFile = file;
    }
    devices[name] = device;
  }
  return devices;
}

/**
 * True when NetworkManager may manage the device: anything but `unmanaged`. `connected (externally)` counts: NM
 * only watches config it did not make (eni-init's runtime addresses, say) and will activate a profile for it.
 */
export function nmManages(device: NmDevice | undefined): boolean {
  return device !== undefined && !device.state.startsWith('unmanaged');
}

/** One /run/systemd/netif/links/<index> file (KEY=value lines, values possibly double-quoted) -> the link's facts. */
export function parseNetifLink(text: string): NetworkdLink {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1] as string, (match[2] as string).replace(/^"(.*)"$/, '$1'));
  }
  const link: NetworkdLink = { adminState: values.get('ADMIN_STATE') ?? 'unknown' };
  const file = values.get('NETWORK_FILE');
  if (file) link.networkFile = file;
  return link;
}

/** True when networkd applies a .network file to the link. */
export function networkdManages(link: NetworkdLink | undefined): boolean {
  return link !== undefined && link.networkFile !== undefined && !['unmanaged', 'pending', 'initialized', 'linger'].includes(link.adminState);
}

/** The netplan id behind a generated networkd file or NetworkManager profile (`10-netplan-eth1.network`, `netplan-eth1.nmconnection`). */
export function netplanIdOf(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const match = /\/(?:10-netplan-([A-Za-z0-9_.@+-]+)\.network|netplan-([A-Za-z0-9_.@+-]+)\.nmconnection)$/.exec(path);
  return match?.[1] ?? match?.[2];
}
