// Brings eni-init's persistent files in line with the desired state: render, write what differs, remove stale ones.
import { posix } from 'node:path';
import type { FileEntry, FilePreview, PersistChoice, Problem } from '../model.ts';
import { messageOf } from './activation.ts';
import { backendModule, backendOfPath } from './backends/index.ts';
import type { ManagerFacts } from './facts.ts';
import { fileInterface } from './own-files.ts';
import { chooseOwner } from './owner.ts';
import type { Ownership } from './owner.ts';
import { renderNetworkdGlobal } from './render/networkd.ts';
import type { DesiredFile, FileChange, FileIo, InterfacePersist, OwnFile } from './types.ts';

/** Owners and the files they should hold; pure. */
export function desiredFiles(
  choice: PersistChoice,
  interfaces: readonly InterfacePersist[],
  facts: ManagerFacts,
): { owners: Ownership[]; files: DesiredFile[]; problems: Problem[] } {
  const owners: Ownership[] = [];
  const files: DesiredFile[] = [];
  const problems: Problem[] = [];
  for (const iface of interfaces) {
    const owner = chooseOwner(choice, iface.ifname, facts);
    owners.push(owner);
    if (owner.backend === 'none') continue;
    try {
      // A primary under networkd (netplan's included) only gets networkd's keep-config drop-in, after the reload.
      const primaryDropIn = iface.primary && (owner.backend === 'networkd' || owner.backend === 'netplan');
      const backend = primaryDropIn ? 'networkd' : owner.backend;
      for (const file of backendModule(backend).render(iface, owner.context)) files.push({ ...file, backend, ifname: iface.ifname, ...(primaryDropIn ? { afterActivation: true } : {}) });
    } catch (error) {
      // One interface that cannot be rendered (say an admin's file name networkd accepts and we do not) is reported alone.
      problems.push({ code: 'persist-foreign', message: `${iface.ifname}: not persisted: ${messageOf(error)}`, interface: iface.ifname });
    }
  }
  // systemd-networkd deletes every rule it does not know when it starts, unless told to leave foreign rules alone.
  const hasRules = interfaces.some((iface) => iface.rules.length > 0);
  const networkdInUse = choice === 'networkd' || choice === 'netplan' || (choice === 'auto' && facts.networkd.running);
  if (hasRules && networkdInUse) files.push({ ...renderNetworkdGlobal(), backend: 'networkd' });
  return { owners, files, problems };
}

export interface SyncInput {
  files: readonly DesiredFile[];
  present: readonly OwnFile[];
  /** Remove eni-init files that are no longer wanted (complete metadata, no --only-interface). */
  removeStale: boolean;
  /** Interfaces whose files must stay (excluded, bad metadata, ...): a file of unknown interface stays when there are any. */
  protectedInterfaces: ReadonlySet<string>;
  /** Paths wanted but written by a later call (after activation): never stale. */
  alsoWanted?: readonly string[];
  /** Interfaces of the ENIs in metadata (says why a stale file goes). */
  inMetadata?: ReadonlySet<string>;
  dryRun: boolean;
}

export interface SyncResult {
  entries: FileEntry[];
  changes: FileChange[];
  problems: Problem[];
  /** Dry run: each file that would be written or removed, its content now and after (for plan's diff). */
  previews: FilePreview[];
}

/** Whom a file serves, for the reasons below. */
function subject(file: DesiredFile): string {
  return file.ifname === undefined ? `eni-init's ${file.backend} setup` : `the ENI on ${file.ifname}`;
}

/** Why a wanted file is written: absent, or its content is not what the metadata gives. */
function writeReason(file: DesiredFile, previous: string | null): string {
  return previous === null ? `missing: ${subject(file)} needs it` : `its content differs from what the metadata gives for ${subject(file)}`;
}

/** Why a file of ours is no longer wanted (only asked when stale files may go: every ENI is managed or excluded). */
function staleReason(path: string, inMetadata: ReadonlySet<string> | undefined): string {
  const ifname = fileInterface(path);
  if (ifname === undefined) return 'no longer needed by any ENI in metadata';
  if (inMetadata?.has(ifname) === true) return `${ifname} is now persisted otherwise (another backend or other files)`;
  return `no ENI in metadata is on ${ifname} any more`;
}

export async function syncFiles(input: SyncInput, io: FileIo): Promise<SyncResult> {
  const entries: FileEntry[] = [];
  const changes: FileChange[] = [];
  const problems: Problem[] = [];
  const previews: FilePreview[] = [];
  const wanted = new Set([...input.files.map((file) => file.path), ...(input.alsoWanted ?? [])]);
  for (const file of input.files) {
    const where = file.ifname === undefined ? {} : { interface: file.ifname };
    let previous: string | null;
    try {
      previous = await io.read(file.path);
    } catch (error) {
      problems.push({ code: 'persist-write', message: `cannot read ${file.path}: ${messageOf(error)}`, ...where });
      entries.push({ path: file.path, action: 'skipped', note: 'read failed' });
      continue;
    }
    const ours = previous === null || input.present.some((own) => own.path === file.path);
    if (!ours && posix.basename(file.path).startsWith('ifcfg-')) {
      // network-scripts: the admin's ifcfg-IF stays theirs; our route-/rule- files go beside it.
      entries.push({ path: file.path, action: 'kept', note: "the admin's: its extra addresses are kept by the boot-time run only" });
      continue;
    }
    if (!ours) {
      // Someone else's file at our path (hand-written or from another tool): never overwritten.
      problems.push({ code: 'persist-foreign', message: `${file.path} exists and was not written by eni-init; left alone, ${file.ifname ?? 'the setting'} is not persisted`, ...where });
      entries.push({ path: file.path, action: 'kept', note: 'not written by eni-init' });
      continue;
    }
    if (input.dryRun) {
      if (previous === file.content) entries.push({ path: file.path, action: 'unchanged' });
      else {
        entries.push({ path: file.path, action: previous === null ? 'would-create' : 'would-replace', reason: writeReason(file, previous) });
        previews.push({ path: file.path, before: previous, after: file.content });
      }
      continue;
    }
    try {
      const action = await io.write(file.path, file.content, file.mode);
      entries.push({ path: file.path, action, note: file.backend, ...(action === 'unchanged' ? {} : { reason: writeReason(file, previous) }) });
      if (action !== 'unchanged') changes.push({ backend: file.backend, ...(file.ifname === undefined ? {} : { ifname: file.ifname }), path: file.path, action, content: file.content, previous, mode: file.mode });
    } catch (error) {
      problems.push({ code: 'persist-write', message: `cannot write ${file.path}: ${messageOf(error)}`, ...where });
      entries.push({ path: file.path, action: 'skipped', note: 'write failed' });
    }
  }
  for (const own of input.present) {
    if (wanted.has(own.path)) continue;
    const owner = fileInterface(own.path);
    const protectedFile = owner === undefined ? input.protectedInterfaces.size > 0 : input.protectedInterfaces.has(owner);
    if (!input.removeStale || protectedFile) {
      entries.push({ path: own.path, action: 'kept', note: protectedFile ? 'its interface is left alone this run' : 'no longer wanted; kept until metadata is complete' });
      continue;
    }
    const reason = staleReason(own.path, input.inMetadata);
    if (input.dryRun) {
      entries.push({ path: own.path, action: 'would-remove', reason });
      previews.push({ path: own.path, before: own.content, after: null });
      continue;
    }
    try {
      const action = await io.remove(own.path, own.content);
      entries.push({ path: own.path, action: action === 'different' ? 'kept' : action, ...(action === 'different' ? { note: 'changed since it was read' } : action === 'removed' ? { reason } : {}) });
      // With its interface: NetworkManager has to connect a device whose profile of ours is gone (activate.ts).
      const ifname = fileInterface(own.path);
      const backend = backendOfPath(own.path)?.name;
      // Every listed file is in a backend's place (own-files.ts lists nothing else).
      if (action === 'removed' && backend !== undefined) changes.push({ backend, ...(ifname === undefined ? {} : { ifname }), path: own.path, action, content: own.content, previous: own.content, mode: 0o600 });
    } catch (error) {
      problems.push({ code: 'persist-write', message: `cannot remove ${own.path}: ${messageOf(error)}` });
      entries.push({ path: own.path, action: 'skipped', note: 'remove failed' });
    }
  }
  return { entries, changes, problems, previews };
}

