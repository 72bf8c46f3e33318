// The NetworkManager backend: keyfile profiles in system-connections, loaded and brought up with nmcli.
import type { ActivationContext, BackendModule, CheckContext } from '../backend.ts';
import type { Steps } from '../activation.ts';
import { rollBack } from '../activation.ts';
import type { ManagerFacts } from '../facts.ts';
import type { Ownership } from '../owner.ts';
import { nmManages } from '../facts.ts';
import { KEYFILE_DIR, renderNetworkManager } from '../render/networkmanager.ts';
import type { DesiredFile, FileChange } from '../types.ts';

/** The `uuid=` of a NetworkManager keyfile. */
export function keyfileUuid(content: string): string | undefined {
  return /^uuid=([0-9a-f-]{36})$/m.exec(content)?.[1];
}

/** The profile UUID of our keyfile for `ifname` among the desired files. */
export function ownUuid(files: readonly DesiredFile[], ifname: string): string | undefined {
  const keyfile = files.find((file) => file.backend === 'networkmanager' && file.ifname === ifname);
  return keyfile === undefined ? undefined : keyfileUuid(keyfile.content);
}

export const networkManager: BackendModule = {
  name: 'networkmanager',
  places: [{ dir: KEYFILE_DIR, name: /^eni-init-(.+)\.nmconnection$/ }],
  render: (iface) => renderNetworkManager(iface),
  activate,
  check,
};

/** The device must run our profile. */
async function check(owner: Ownership, mine: readonly DesiredFile[], { facts, files }: CheckContext): Promise<string | undefined> {
  const device = facts.networkManager.devices[owner.ifname];
  if (device?.connectionUuid === ownUuid(files, owner.ifname)) return undefined;
  return `NetworkManager runs ${device?.connectionFile ?? device?.connectionUuid ?? 'no connection'}, not ${mine.map((file) => file.path).join(', ')}`;
}

async function activate({ changes, input, deps, steps }: ActivationContext): Promise<void> {
  const { facts } = input;
  if (!facts.networkManager.running) return;
  // A profile NetworkManager refuses is rolled back and never brought up: the device stays as it was.
  const refused = new Set<string>();
  for (const change of changes) {
    const inTime = steps.timeout() >= 500;
    if ((await steps.run(['nmcli', 'connection', 'load', change.path], change.ifname)) || !inTime || change.action === 'removed') continue;
    await rollBack([change], deps.io, steps);
    await steps.run(['nmcli', 'connection', 'load', change.path], change.ifname);
    if (change.ifname !== undefined) refused.add(change.ifname);
  }
  await reconnectReleased(changes, steps, facts, deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))));
  for (const owner of input.owners) {
    if (owner.backend !== 'networkmanager' || !owner.live || refused.has(owner.ifname)) continue;
    const uuid = ownUuid(input.files, owner.ifname);
    const fileChanged = input.changes.some((change) => change.ifname === owner.ifname);
    if (uuid === undefined) continue;
    const running = facts.networkManager.devices[owner.ifname]?.connectionUuid === uuid;
    if (running && fileChanged && (await reapplied(owner.ifname, steps))) continue;
    if (fileChanged || !running) {
      // Activates only this secondary interface (the primary never has a profile of ours).
      await steps.run(['nmcli', '--wait', waitSeconds(steps), 'connection', 'up', 'uuid', uuid, 'ifname', owner.ifname], owner.ifname);
    }
  }
}

const waitSeconds = (steps: Steps): string => String(Math.max(1, Math.floor(steps.timeout() / 1000) - 1));

/**
 * The device already runs our profile and only its file changed (a refresh added or dropped an IP): the changed
 * profile is applied in place, `nmcli device reapply IF`, not `connection up`, which deactivates the device first
 * (every address of the NIC gone for a moment: seen in the VM refresh step, "Activation: starting connection
 * 'eni-init-eth1'" right after the refresh's `connection load`).
 * Evidence: the D-Bus method behind it, org.freedesktop.NetworkManager.Device.Reapply (NetworkManager >= 1.2;
 * networkmanager.dev/docs/api/latest/gdbus-org.freedesktop.NetworkManager.Device.html): "Attempts to update the
 * configuration of a device without deactivating it"; it makes the interface match the applied connection, adding
 * and removing addresses and routes (NetworkManager commit "device: add reapply flag preserve-external-ip", which
 * describes that default); Red Hat, "Introduction to NetworkManager reapply method" (RHEL 9, Configuring and
 * managing networking, 30.1): "updating modified connection settings without deactivation or restart of a network
 * interface". Not every property can be reapplied; one that cannot makes it fail ("Can't reapply changes to ..."):
 * then the profile is brought up as before. The refusal is not a problem of the run (the `up` that follows
 * decides), so it is taken back out of the problems. That our changes (ipv4 addresses, routes, routing rules) are
 * reapplied in place is checked on a real NetworkManager (Debian 12's) by the VM refresh step (test/vm/lifecycle.ts):
 * eth1's kept addresses never go, and NetworkManager logs no activation of eth1 while its profile changes.
 */
async function reapplied(ifname: string, steps: Steps): Promise<boolean> {
  if (steps.timeout() < 500) return false;
  const before = steps.problems.length;
  if (await steps.run(['nmcli', '--wait', waitSeconds(steps), 'device', 'reapply', ifname], ifname)) return true;
  steps.problems.splice(before);
  return false;
}

/**
 * A profile of ours that NetworkManager ran is gone (`remove`): NetworkManager does not connect the device again by
 * itself (it made no default wired connection for a device that had a matching profile at boot, and it does not
 * make one later: seen in the VM boot test, eth1/eth2 stayed "disconnected"). So, once the device has left our
 * profile, a device no other profile took is given what NetworkManager would have made for it at boot: an
 * in-memory (`save no`, gone at the next restart, when NetworkManager makes its own) "Wired connection IF" with
 * DHCP and the lowest autoconnect priority. Then every such device must be connected again, on another profile.
 */
async function reconnectReleased(changes: readonly FileChange[], steps: Steps, facts: ManagerFacts, sleep: (ms: number) => Promise<void>): Promise<void> {
  const released = changes.filter((change) => change.action === 'removed' && change.ifname !== undefined && nmManages(facts.networkManager.devices[change.ifname]));
  if (released.length === 0) return;
  const ours = new Map(released.map((change) => [change.ifname as string, keyfileUuid(change.content)]));
  let after = await steps.probe();
  const onOther = (ifname: string) => {
    const device = after.networkManager.devices[ifname];
    return device !== undefined && device.connectionUuid !== undefined && device.connectionUuid !== ours.get(ifname);
  };
  const connected = (ifname: string) => onOther(ifname) && (after.networkManager.devices[ifname]?.state ?? '').startsWith('connected');
  const stillOurs = () => [...ours.keys()].filter((ifname) => after.networkManager.devices[ifname]?.connectionUuid === ours.get(ifname));
  // Deactivation of the deleted profile is asynchronous: a few seconds at most.
  for (let looks = 0; stillOurs().length > 0 && looks < 5 && steps.timeout() > 1500; looks++) {
    await sleep(1000);
    after = await steps.probe();
  }
  for (const ifname of ours.keys()) {
    if (onOther(ifname)) continue;
    const name = `Wired connection ${ifname}`;
    const added = await steps.run(['nmcli', 'connection', 'add', 'save', 'no', 'type', 'ethernet', 'ifname', ifname, 'con-name', name, 'connection.autoconnect-priority', '-999', 'ipv4.method', 'auto'], ifname);
    if (added) await steps.run(['nmcli', '--wait', '0', 'connection', 'up', 'id', name, 'ifname', ifname], ifname);
  }
  // Connected again, all of them, within the run's time (20 s at most): checked, not assumed.
  const until = Date.now() + Math.min(20_000, steps.timeout());
  const pending = () => [...ours.keys()].filter((ifname) => !connected(ifname));
  after = await steps.probe();
  for (let looks = 1; pending().length > 0 && looks < 20 && Date.now() + 1000 < until && steps.timeout() > 1500; looks++) {
    await sleep(1000);
    after = await steps.probe();
  }
  for (const ifname of pending()) {
    const state = after.networkManager.devices[ifname]?.state ?? 'gone';
    steps.problems.push({ code: 'persist-activate', message: `${ifname}: NetworkManager did not connect it again after its eni-init profile was removed (${state})`, interface: ifname });
  }
}
