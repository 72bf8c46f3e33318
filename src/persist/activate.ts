// Shell: makes the running managers take the changed files (nmcli load/up, networkctl reload, netplan generate), then checks they did.
import type { Problem } from '../report/report.ts';
import type { CommandRunner } from './command.ts';
import { describeFailure } from './command.ts';
import type { ManagerFacts } from './facts.ts';
import { keyfileUuid } from './own-files.ts';
import type { Ownership } from './owner.ts';
import type { DesiredFile, FileChange, FileIo } from './sync.ts';
import { isGlobalNetworkdConf, messageOf } from './sync.ts';

export interface ActivationInput {
  changes: readonly FileChange[];
  owners: readonly Ownership[];
  files: readonly DesiredFile[];
  /** Facts probed before the files were written. */
  facts: ManagerFacts;
  /** Milliseconds left for activation; each command gets at most 20 s of it. */
  timeLeft(): number;
}

export interface ActivationDeps {
  run: CommandRunner;
  io: FileIo;
  probe(): Promise<ManagerFacts>;
}

export async function activate(input: ActivationInput, deps: ActivationDeps): Promise<Problem[]> {
  const problems: Problem[] = [];
  const timeout = () => Math.max(1000, Math.min(20_000, input.timeLeft()));
  const step = async (argv: string[], ifname?: string): Promise<boolean> => {
    const result = await deps.run(argv, timeout());
    if (!result.ok) problems.push({ code: 'persist-activate', message: describeFailure(argv, result), ...(ifname === undefined ? {} : { interface: ifname }) });
    return result.ok;
  };
  const changed = (backend: FileChange['backend']) => input.changes.filter((change) => change.backend === backend);
  const { facts } = input;

  if (changed('netplan').length > 0 && facts.netplan) {
    if (!(await step(['netplan', 'generate']))) await rollBack(changed('netplan'), deps, problems, () => step(['netplan', 'generate']));
    else {
      if (facts.networkd.running) await step(['networkctl', 'reload']);
      if (facts.networkManager.running) await step(['nmcli', 'connection', 'reload']);
    }
  }
  if (facts.networkd.running && changed('networkd').some((change) => !isGlobalNetworkdConf(change.path))) await step(['networkctl', 'reload']);
  if (facts.networkManager.running) {
    for (const change of changed('networkmanager')) await step(['nmcli', 'connection', 'load', change.path], change.ifname);
    for (const owner of input.owners) {
      if (owner.backend !== 'networkmanager' || !owner.live) continue;
      const uuid = ownUuid(input.files, owner.ifname);
      const fileChanged = input.changes.some((change) => change.ifname === owner.ifname);
      if (uuid !== undefined && (fileChanged || facts.networkManager.devices[owner.ifname]?.connectionUuid !== uuid)) {
        // Activates only this secondary interface; the primary's connection is never touched.
        await step(['nmcli', '--wait', String(Math.ceil(timeout() / 1000)), 'connection', 'up', 'uuid', uuid, 'ifname', owner.ifname], owner.ifname);
      }
    }
  }
  if (input.owners.some((owner) => owner.live && owner.backend !== 'ifcfg')) problems.push(...(await checkOwnership(input, deps)));
  return problems;
}

function ownUuid(files: readonly DesiredFile[], ifname: string): string | undefined {
  const keyfile = files.find((file) => file.backend === 'networkmanager' && file.ifname === ifname);
  return keyfile === undefined ? undefined : keyfileUuid(keyfile.content);
}

/** Puts back what the rejected files replaced (or removes them when new), then lets the manager re-read. */
async function rollBack(changes: readonly FileChange[], deps: ActivationDeps, problems: Problem[], reread: () => Promise<boolean>): Promise<void> {
  for (const change of changes) {
    try {
      if (change.previous === null) await deps.io.remove(change.path, change.content);
      else await deps.io.write(change.path, change.previous, change.mode);
    } catch (error) {
      problems.push({ code: 'persist-write', message: `cannot roll back ${change.path}: ${messageOf(error)}` });
    }
  }
  problems.push({ code: 'persist-activate', message: `the manager refused the new files; rolled back: ${changes.map((change) => change.path).join(', ')}` });
  await reread();
}

/** After activation: the manager must really use our profile or drop-in; a shadowed file is reported, not assumed. */
async function checkOwnership(input: ActivationInput, deps: ActivationDeps): Promise<Problem[]> {
  const problems: Problem[] = [];
  let facts = await deps.probe();
  for (const owner of input.owners) {
    if (!owner.live) continue;
    const mine = input.files.filter((file) => file.ifname === owner.ifname).map((file) => file.path);
    if (mine.length === 0) continue;
    if (owner.backend === 'networkmanager') {
      const device = facts.networkManager.devices[owner.ifname];
      const uuid = ownUuid(input.files, owner.ifname);
      if (device?.connectionUuid !== uuid) {
        problems.push({
          code: 'persist-shadowed',
          message: `${owner.ifname}: NetworkManager runs ${device?.connectionFile ?? device?.connectionUuid ?? 'no connection'}, not ${mine.join(', ')}`,
          interface: owner.ifname,
        });
      }
    } else if (owner.backend === 'networkd') {
      const applied = () => {
        const link = facts.networkd.links[owner.ifname];
        return mine.some((path) => link?.networkFile === path || link?.dropins.includes(path));
      };
      if (!applied()) {
        await deps.run(['networkctl', 'reconfigure', owner.ifname], Math.max(1000, Math.min(20_000, input.timeLeft())));
        facts = await deps.probe();
      }
      if (!applied()) {
        const link = facts.networkd.links[owner.ifname];
        problems.push({ code: 'persist-shadowed', message: `${owner.ifname}: systemd-networkd applies ${link?.networkFile ?? 'no file'} without ${mine.join(', ')}`, interface: owner.ifname });
      }
    }
  }
  return problems;
}
