// Shell: asks the running system which network managers run and what they do with each interface.
import { access, readFile } from 'node:fs/promises';
import type { LiveInterface } from '../model.ts';
import type { CommandRunner } from './command.ts';
import type { ManagerFacts, NetworkdLink } from './facts.ts';
import { parseNetifLink, parseNmDevices } from './facts.ts';
import { IFCFG_DIR } from './own-files.ts';

const PROBE_TIMEOUT_MS = 5000;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function probeNetworkManager(run: CommandRunner): Promise<ManagerFacts['networkManager']> {
  const general = await run(['nmcli', '-t', '-f', 'RUNNING', 'general'], PROBE_TIMEOUT_MS);
  if (!general.ok || general.stdout.trim() !== 'running') return { running: false, devices: {} };
  const [devices, connections] = await Promise.all([
    run(['nmcli', '-t', '-f', 'DEVICE,STATE,CON-UUID', 'device', 'status'], PROBE_TIMEOUT_MS),
    run(['nmcli', '-t', '-f', 'UUID,FILENAME', 'connection', 'show'], PROBE_TIMEOUT_MS),
  ]);
  return { running: true, devices: parseNmDevices(devices.stdout, connections.stdout) };
}

async function probeNetworkd(run: CommandRunner, interfaces: readonly LiveInterface[]): Promise<ManagerFacts['networkd']> {
  const active = await run(['systemctl', 'is-active', 'systemd-networkd.service'], PROBE_TIMEOUT_MS);
  if (active.stdout.trim() !== 'active') return { running: false, links: {} };
  const links: Record<string, NetworkdLink> = {};
  for (const iface of interfaces) {
    try {
      links[iface.name] = parseNetifLink(await readFile(`/run/systemd/netif/links/${iface.index}`, 'utf8'));
    } catch {
      // No state file: networkd has not seen the link (yet).
    }
  }
  return { running: true, links };
}

/** Facts about the live host (only meaningful with --root /). */
export async function probeManagers(run: CommandRunner, interfaces: readonly LiveInterface[]): Promise<ManagerFacts> {
  const [networkManager, networkd, netplan] = await Promise.all([
    probeNetworkManager(run),
    probeNetworkd(run, interfaces),
    Promise.all(['/usr/sbin/netplan', '/usr/bin/netplan'].map(exists)).then((found) => found.some(Boolean)),
  ]);
  const ifcfg: string[] = [];
  for (const iface of interfaces) if (await exists(`${IFCFG_DIR}/ifcfg-${iface.name}`)) ifcfg.push(iface.name);
  return { probed: true, networkManager, networkd, netplan, ifcfg };
}
