// The persistence step of a run: owners -> files -> writes -> activation -> checks, and its undoing for `remove`.
import type { DesiredState } from '../plan/desired.ts';
import type { FileEntry, Problem } from '../report/report.ts';
import { activate } from './activate.ts';
import type { CommandRunner } from './command.ts';
import type { ManagerFacts } from './facts.ts';
import { persistInterfaces } from './interfaces.ts';
import type { OwnFile } from './own-files.ts';
import type { Ownership } from './owner.ts';
import { desiredFiles, syncFiles } from './sync.ts';
import type { FileIo } from './sync.ts';
import type { PersistChoice } from './types.ts';

export interface PersistDeps {
  io: FileIo;
  /** Probes the live managers; NO_FACTS under --root. */
  probe(): Promise<ManagerFacts>;
  /** Runs manager commands; absent under --root (files are rendered for an image, never activated). */
  run?: CommandRunner;
  listOwnFiles(): Promise<OwnFile[]>;
}

export interface PersistResult {
  owners: Ownership[];
  files: FileEntry[];
  problems: Problem[];
  /** Something was written, removed or activated: live state may have changed. */
  changed: boolean;
}

export interface PersistInput {
  choice: PersistChoice;
  desired: DesiredState;
  removeStale: boolean;
  /** Interfaces of ENIs left alone this run: their files are kept. */
  protectedInterfaces: ReadonlySet<string>;
  dryRun: boolean;
  timeLeft(): number;
}

export async function persistStep(input: PersistInput, deps: PersistDeps): Promise<PersistResult> {
  if (input.choice === 'none') return { owners: [], files: [], problems: [], changed: false };
  const facts = await deps.probe();
  const { owners, files } = desiredFiles(input.choice, persistInterfaces(input.desired), facts);
  const present = await deps.listOwnFiles();
  const synced = await syncFiles({ files, present, removeStale: input.removeStale, protectedInterfaces: input.protectedInterfaces, dryRun: input.dryRun }, deps.io);
  const problems = [...synced.problems];
  const needsActivation = synced.changes.length > 0 || owners.some((owner) => owner.live && owner.backend === 'networkmanager');
  if (!input.dryRun && deps.run !== undefined && needsActivation) {
    problems.push(...(await activate({ changes: synced.changes, owners, files, facts, timeLeft: input.timeLeft }, { run: deps.run, io: deps.io, probe: deps.probe })));
  }
  return { owners, files: synced.entries, problems, changed: synced.changes.length > 0 || (needsActivation && !input.dryRun) };
}

/** `remove`: deletes every eni-init file (content-checked) and lets the running managers forget them. */
export async function unpersistStep(timeLeft: () => number, deps: PersistDeps): Promise<PersistResult> {
  const present = await deps.listOwnFiles();
  if (present.length === 0) return { owners: [], files: [], problems: [], changed: false };
  const facts = await deps.probe();
  const synced = await syncFiles({ files: [], present, removeStale: true, protectedInterfaces: new Set(), dryRun: false }, deps.io);
  const problems = [...synced.problems];
  if (deps.run !== undefined && synced.changes.length > 0) {
    problems.push(...(await activate({ changes: synced.changes, owners: [], files: [], facts, timeLeft }, { run: deps.run, io: deps.io, probe: deps.probe })));
  }
  return { owners: [], files: synced.entries, problems, changed: synced.changes.length > 0 };
}
