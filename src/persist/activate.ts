// Shell: makes the running managers take the changed files (nmcli load/up, networkctl reload, netplan generate), then checks they did.
import type { Problem } from '../model.ts';
import type { CommandRunner } from './command.ts';
import { describeFailure } from './command.ts';
import type { ManagerFacts } from './facts.ts';
import { nmManages, probeTimeout } from './facts.ts';
import type { NetplanStager } from './netplan-stage.ts';
import { keyfileUuid } from './own-files.ts';
import type { Ownership } from './owner.ts';
import type { DesiredFile, FileChange, FileIo } from './sync.ts';
import { isGlobalNetworkdConf, isNetworkdDropIn, messageOf } from './sync.ts';

export interface ActivationInput {
  changes: readonly FileChange[];
  owners: readonly Ownership[];
  files: readonly DesiredFile[];
  /** Facts probed before the files were written. */
  facts: ManagerFacts;
  /** Milliseconds left of the run's deadline: no command starts after it, none runs past it (20 s at most). */
  timeLeft(): number;
}

export interface ActivationDeps {
  run: CommandRunner;
  io: FileIo;
  probe(timeoutMs: number): Promise<ManagerFacts>;
  /** netplan generate in a scratch root, installing only what changed (netplan-stage.ts); absent: netplan files are not activated. */
  netplan?: NetplanStager;
  /** Waits between checks (tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>;
}

/** Runs commands in order within the deadline; a command that cannot start in time is reported, not run. */
class Steps {
  readonly problems: Problem[] = [];
  ran = false;
  constructor(
    private readonly deps: ActivationDeps,
    private readonly timeLeft: () => number,
  ) {}

  timeout(): number {
    return Math.min(20_000, this.timeLeft());
  }

  async run(argv: string[], ifname?: string): Promise<boolean> {
    const where = ifname === undefined ? {} : { interface: ifname };
    if (this.timeout() < 500) {
      this.problems.push({ code: 'persist-activate', message: `${argv.join(' ')}: not run, the deadline is reached`, ...where });
      return false;
    }
    this.ran = true;
    const result = await this.deps.run(argv, this.timeout());
    if (!result.ok) this.problems.push({ code: 'persist-activate', message: describeFailure(argv, result), ...where });
    return result.ok;
  }

  probe(): Promise<ManagerFacts> {
    return this.deps.probe(probeTimeout(this.timeLeft));
  }
}

export async function activate(input: ActivationInput, deps: ActivationDeps): Promise<{ problems: Problem[]; ran: boolean }> {
  const steps = new Steps(deps, input.timeLeft);
  const changed = (backend: FileChange['backend']) => input.changes.filter((change) => change.backend === backend);
  const { facts } = input;

  if (changed('netplan').length > 0 && facts.netplan) await activateNetplan(changed('netplan'), steps, deps, facts);
  // networkd.conf is read when networkd starts: a changed networkd.conf.d file alone needs no reload.
  // Nor does the primary's drop-in: a reload that sees it appear or vanish re-configures the primary (DHCP restart).
  if (facts.networkd.running && changed('networkd').some((change) => !isGlobalNetworkdConf(change.path) && !isNetworkdDropIn(change.path))) await steps.run(['networkctl', 'reload']);
  if (facts.networkManager.running) {
    // A profile NetworkManager refuses is rolled back and never brought up: the device stays as it was.
    const refused = new Set<string>();
    for (const change of changed('networkmanager')) {
      const inTime = steps.timeout() >= 500;
      if ((await steps.run(['nmcli', 'connection', 'load', change.path], change.ifname)) || !inTime || change.action === 'removed') continue;
      await rollBack([change], deps.io, steps);
      await steps.run(['nmcli', 'connection', 'load', change.path], change.ifname);
      if (change.ifname !== undefined) refused.add(change.ifname);
    }
    await reconnectReleased(changed('networkmanager'), steps, facts, deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))));
    for (const owner of input.owners) {
      if (owner.backend !== 'networkmanager' || !owner.live || refused.has(owner.ifname)) continue;
      const uuid = ownUuid(input.files, owner.ifname);
      const fileChanged = input.changes.some((change) => change.ifname === owner.ifname);
      if (uuid !== undefined && (fileChanged || facts.networkManager.devices[owner.ifname]?.connectionUuid !== uuid)) {
        // Activates only this secondary interface (the primary never has a profile of ours).
        await steps.run(['nmcli', '--wait', String(Math.max(1, Math.floor(steps.timeout() / 1000) - 1)), 'connection', 'up', 'uuid', uuid, 'ifname', owner.ifname], owner.ifname);
      }
    }
  }
  if (steps.ran && input.owners.some((owner) => owner.live && owner.backend !== 'ifcfg')) await checkOwnership(input, deps.io, steps);
  return { problems: steps.problems, ran: steps.ran };
}

function ownUuid(files: readonly DesiredFile[], ifname: string): string | undefined {
  const keyfile = files.find((file) => file.backend === 'networkmanager' && file.ifname === ifname);
  return keyfile === undefined ? undefined : keyfileUuid(keyfile.content);
}

/**
 * netplan: generated in a scratch root; only the generated files that differ are installed, so the primary's
 * generated file (it has no file of ours) is never rewritten by us. A refused generate installs nothing: our
 * files are rolled back and nothing live was touched.
 *
 * systemd-networkd is NOT reloaded. networkd (252) re-configures, on `networkctl reload`, every link whose
 * .network file or drop-ins differ (inode, mtime) from what it loaded, restarting its DHCP client ("DHCP lease
 * lost") and dropping the addresses it did not configure. Under netplan such a difference is there most of the
 * time: every `systemctl daemon-reload` (any package install runs one, ours too) re-runs netplan's systemd
 * generator, which rewrites every /run/systemd/network/10-netplan-*.network file, the primary's included (seen
 * in the VM boot test: eth0's file rewritten by dpkg's daemon-reload after networkd had loaded it, then our
 * reload re-configured eth0). So a reload of ours would re-configure the primary. eni-init applies the runtime
 * state itself (addresses, routes, rules: the same as the files say); networkd reads the generated files when it
 * next starts (boot, restart) or when someone else reloads it. NetworkManager's `connection reload` only re-reads
 * profiles (an active connection keeps running as it is), so it stays.
 */
async function activateNetplan(changes: readonly FileChange[], steps: Steps, deps: ActivationDeps, facts: ManagerFacts): Promise<void> {
  const stager = deps.netplan;
  if (stager === undefined) {
    steps.problems.push({ code: 'persist-activate', message: `netplan files not activated (no netplan generator here): ${changes.map((change) => change.path).join(', ')}` });
    return;
  }
  if (steps.timeout() < 500) {
    steps.problems.push({ code: 'persist-activate', message: 'netplan generate: not run, the deadline is reached' });
    return;
  }
  steps.ran = true;
  let staged;
  try {
    staged = await stager(steps.timeout());
  } catch (error) {
    staged = { ok: false, networkd: [], networkManager: [], other: [], message: `netplan generate: ${messageOf(error)}` };
  }
  if (!staged.ok) {
    steps.problems.push({ code: 'persist-activate', message: staged.message ?? 'netplan generate failed' });
    await rollBack(changes, deps.io, steps);
    return;
  }
  if (staged.networkManager.length > 0 && facts.networkManager.running) await steps.run(['nmcli', 'connection', 'reload']);
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

/** Puts back what the rejected files replaced (or removes them when new); nothing was installed live. */
async function rollBack(changes: readonly FileChange[], io: FileIo, steps: Steps): Promise<void> {
  for (const change of changes) {
    try {
      if (change.previous === null) await io.remove(change.path, change.content);
      else await io.write(change.path, change.previous, change.mode);
    } catch (error) {
      steps.problems.push({ code: 'persist-write', message: `cannot roll back ${change.path}: ${messageOf(error)}` });
    }
  }
  steps.problems.push({ code: 'persist-activate', message: `the manager refused the new files; rolled back: ${changes.map((change) => change.path).join(', ')}` });
}

/** After activation: the manager must really use our profile or file; a shadowed one is reported, not assumed. */
async function checkOwnership(input: ActivationInput, io: FileIo, steps: Steps): Promise<void> {
  let facts = await steps.probe();
  for (const owner of input.owners) {
    if (!owner.live) continue;
    const mine = input.files.filter((file) => file.ifname === owner.ifname && file.afterActivation !== true);
    if (mine.length === 0) continue;
    const paths = mine.map((file) => file.path).join(', ');
    const shadowed = (message: string) => steps.problems.push({ code: 'persist-shadowed', message: `${owner.ifname}: ${message}`, interface: owner.ifname });
    if (owner.backend === 'networkmanager') {
      const device = facts.networkManager.devices[owner.ifname];
      if (device?.connectionUuid !== ownUuid(input.files, owner.ifname)) {
        shadowed(`NetworkManager runs ${device?.connectionFile ?? device?.connectionUuid ?? 'no connection'}, not ${paths}`);
      }
    } else if (owner.backend === 'networkd') {
      const applied = () => mine.some((file) => facts.networkd.links[owner.ifname]?.networkFile === file.path);
      if (!applied()) {
        await steps.run(['networkctl', 'reconfigure', owner.ifname], owner.ifname);
        facts = await steps.probe();
      }
      if (!applied()) shadowed(`systemd-networkd applies ${facts.networkd.links[owner.ifname]?.networkFile ?? 'no file'}, not ${paths}`);
    } else if (owner.backend === 'netplan' && facts.networkd.running) {
      // netplan renders for networkd: the generated file of the link must carry our rules.
      const generated = facts.networkd.links[owner.ifname]?.networkFile;
      const text = generated === undefined ? null : await io.read(generated).catch(() => null);
      const missing = mine.length > 0 && text !== null && !text.includes('[RoutingPolicyRule]') && mine.some((file) => file.content.includes('routing-policy:'));
      if (text === null || missing) shadowed(`the networkd file netplan generated (${generated ?? 'none'}) does not carry ${paths}`);
    }
  }
}
