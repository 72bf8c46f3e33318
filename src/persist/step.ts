// The persistence step of a run: owners -> files -> writes -> activation -> checks, and its undoing for `remove`.
import type { DesiredState } from '../plan/desired.ts';
import type { FileEntry, FilePreview, PersistChoice, Problem } from '../model.ts';
import { activate } from './activate.ts';
import type { CommandRunner } from './command.ts';
import type { ManagerFacts } from './facts.ts';
import { probeTimeout } from './facts.ts';
import { persistedKeys } from './held.ts';
import { persistInterfaces } from './interfaces.ts';
import type { NetplanStager } from './netplan-stage.ts';
import type { Ownership } from './owner.ts';
import { isNetworkdDropIn } from './backends/networkd.ts';
import { desiredFiles, syncFiles } from './sync.ts';
import type { FileIo, OwnFile } from './types.ts';

export interface PersistDeps {
  io: FileIo;
  /** Probes the live managers within `timeoutMs`; NO_FACTS under --root. */
  probe(timeoutMs: number): Promise<ManagerFacts>;
  /** Runs manager commands; absent under --root (files are rendered for an image, never activated). */
  run?: CommandRunner;
  /** netplan generate in a scratch root, installing only what changed; absent under --root. */
  netplan?: NetplanStager;
  listOwnFiles(): Promise<OwnFile[]>;
}

export interface PersistResult {
  owners: Ownership[];
  files: FileEntry[];
  problems: Problem[];
  /** Something was written or removed, or a manager re-read its config: live state may have changed. */
  changed: boolean;
  /** Dry run (plan, status): every file that would be written or removed, with its content now and after. */
  previews: FilePreview[];
  /** Keys of the rules and routes a manager applied from our files (held.ts): where its copy is live, ours is redundant. */
  persistedKeys?: Set<string>;
  /** `remove`: the files deleted, with what they held (a manager may leave its copies of their objects behind). */
  removed?: OwnFile[];
}

export interface PersistInput {
  choice: PersistChoice;
  desired: DesiredState;
  /** Files no longer wanted may go (complete metadata, every ENI configured or excluded, no --only-interface). */
  removeStale: boolean;
  /** Interfaces of ENIs left alone this run: their files are kept. */
  protectedInterfaces: ReadonlySet<string>;
  dryRun: boolean;
  timeLeft(): number;
}

export async function persistStep(input: PersistInput, deps: PersistDeps): Promise<PersistResult> {
  if (input.choice === 'none') return { owners: [], files: [], problems: [], changed: false, previews: [] };
  const facts = await deps.probe(probeTimeout(input.timeLeft));
  const interfaces = persistInterfaces(input.desired);
  const rendered = desiredFiles(input.choice, interfaces, facts);
  const now = rendered.files.filter((file) => file.afterActivation !== true);
  const later = rendered.files.filter((file) => file.afterActivation === true);
  const present = await deps.listOwnFiles();
  // A manager that did not answer its probe is not a manager that went away: nothing of its files is removed.
  // Under --root nothing is probed: a named backend still replaces its own files, auto removes nothing.
  const removeStale = input.removeStale && (facts.complete || (!facts.probed && input.choice !== 'auto'));
  // Nor is a manager that is down right now (stopped, crashed, failed at boot): with auto, an interface no running
  // manager claims keeps its files, so that the manager finds them when it comes back (`remove` deletes them).
  const protectedInterfaces = new Set(input.protectedInterfaces);
  if (input.choice === 'auto') for (const owner of rendered.owners) if (owner.backend === 'none') protectedInterfaces.add(owner.ifname);
  const common = { present, protectedInterfaces, dryRun: input.dryRun, inMetadata: new Set(input.desired.enis.flatMap((eni) => (eni.ifname === undefined ? [] : [eni.ifname]))) };
  const first = await syncFiles({ ...common, files: now, removeStale, alsoWanted: later.map((file) => file.path) }, deps.io);
  const problems = [...rendered.problems, ...first.problems];
  let activated = false;
  if (!input.dryRun && deps.run !== undefined) {
    const result = await activate(
      { changes: first.changes, owners: rendered.owners, files: rendered.files, facts, timeLeft: input.timeLeft },
      { run: deps.run, io: deps.io, probe: deps.probe, ...(deps.netplan === undefined ? {} : { netplan: deps.netplan }) },
    );
    problems.push(...result.problems);
    activated = result.ran;
  }
  // Only the later files' own entries: every other file was handled (and reported) by the first pass.
  const laterPresent = present.filter((own) => later.some((file) => file.path === own.path));
  const second = await syncFiles({ ...common, present: laterPresent, files: later, removeStale: false }, deps.io);
  problems.push(...second.problems);
  // Not an interface with a problem of its own (not rendered, not written, not taken by its manager).
  const failed = new Set(problems.flatMap((problem) => (problem.interface === undefined ? [] : [problem.interface])));
  return {
    owners: rendered.owners,
    files: [...first.entries, ...second.entries],
    problems,
    changed: first.changes.length > 0 || second.changes.length > 0 || activated,
    previews: [...first.previews, ...second.previews],
    persistedKeys: input.dryRun ? new Set() : persistedKeys(rendered.owners, interfaces, failed, facts.probed),
  };
}

/** `remove`: deletes every eni-init file (content-checked) and lets the running managers forget them. */
export async function unpersistStep(timeLeft: () => number, deps: PersistDeps): Promise<PersistResult> {
  const present = await deps.listOwnFiles();
  if (present.length === 0) return { owners: [], files: [], problems: [], changed: false, previews: [] };
  const facts = await deps.probe(probeTimeout(timeLeft));
  // The primary's keep-config drop-in goes last, after the managers re-read the rest: a networkd reload that saw it
  // vanish would re-configure the primary (its DHCP client restarted, its extra addresses dropped).
  const dropIns = present.filter((own) => isNetworkdDropIn(own.path));
  const rest = present.filter((own) => !isNetworkdDropIn(own.path));
  const common = { files: [], removeStale: true, protectedInterfaces: new Set<string>(), dryRun: false };
  const synced = await syncFiles({ ...common, present: rest }, deps.io);
  const problems = [...synced.problems];
  if (deps.run !== undefined && synced.changes.length > 0) {
    problems.push(...(await activate({ changes: synced.changes, owners: [], files: [], facts, timeLeft }, { run: deps.run, io: deps.io, probe: deps.probe, ...(deps.netplan === undefined ? {} : { netplan: deps.netplan }) })).problems);
  }
  const last = await syncFiles({ ...common, present: dropIns }, deps.io);
  problems.push(...last.problems);
  const removed = [...synced.changes, ...last.changes].filter((change) => change.action === 'removed').map((change) => ({ path: change.path, content: change.content }));
  return { owners: [], files: [...synced.entries, ...last.entries], problems, changed: synced.changes.length > 0 || last.changes.length > 0, previews: [], removed };
}
