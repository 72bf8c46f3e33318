// Shell: asks the running system which network managers run and what they do with each interface.
import { access, readFile } from 'node:fs/promises';
import type { LiveInterface } from '../model.ts';
import type { CommandResult, CommandRunner } from './command.ts';
import type { ManagerFacts, NetworkdLink } from './facts.ts';
import { parseNetifLink, parseNmDevices } from './facts.ts';
import { IFCFG_DIR } from './render/ifcfg.ts';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A probe that did not answer (timeout, crash): unlike "not installed" or "not running", it proves nothing. */
const unanswered = (result: CommandResult): boolean => result.failure !== undefined && !result.failure.endsWith('is not installed');

type Probed<T> = T & { answered: boolean };

async function probeNetworkManager(run: CommandRunner, timeoutMs: number): Promise<Probed<ManagerFacts['networkManager']>> {
  const general = await run(['nmcli', '-t', '-f', 'RUNNING', 'general'], timeoutMs);
  if (!general.ok || general.stdout.trim() !== 'running') return { running: false, devices: {}, answered: !unanswered(general) };
  const [devices, connections] = await Promise.all([
    run(['nmcli', '-t', '-f', 'DEVICE,STATE,CON-UUID', 'device', 'status'], timeoutMs),
    run(['nmcli', '-t', '-f', 'UUID,FILENAME', 'connection', 'show'], timeoutMs),
  ]);
  return { running: true, devices: parseNmDevices(devices.stdout, connections.stdout), answered: devices.ok && connections.ok };
}

async function probeNetworkd(run: CommandRunner, interfaces: readonly LiveInterface[], timeoutMs: number): Promise<Probed<ManagerFacts['networkd']>> {
  const active = await run(['systemctl', 'is-active', 'systemd-networkd.service'], timeoutMs);
  if (active.stdout.trim() !== 'active') return { running: false, links: {}, answered: !unanswered(active) };
  const links: Record<string, NetworkdLink> = {};
  for (const iface of interfaces) {
    try {
      links[iface.name] = parseNetifLink(await readFile(`/run/systemd/netif/links/${iface.index}`, 'utf8'));
    } catch {
      // No state file: networkd has not seen the link (yet).
    }
  }
  return { running: true, links, answered: true };
}

/** Facts about the live host (only meaningful with --root /); every command within `timeoutMs`. */
export async function probeManagers(run: CommandRunner, interfaces: readonly LiveInterface[], timeoutMs: number): Promise<ManagerFacts> {
  const [{ answered: nmAnswered, ...networkManager }, { answered: networkdAnswered, ...networkd }, netplan] = await Promise.all([
    probeNetworkManager(run, timeoutMs),
    probeNetworkd(run, interfaces, timeoutMs),
    Promise.all(['/usr/sbin/netplan', '/usr/bin/netplan'].map(exists)).then((found) => found.some(Boolean)),
  ]);
  const ifcfg: string[] = [];
  for (const iface of interfaces) if (await exists(`${IFCFG_DIR}/ifcfg-${iface.name}`)) ifcfg.push(iface.name);
  return { probed: true, complete: nmAnswered && networkdAnswered, networkManager, networkd, netplan, ifcfg };
}
