// Glue between a run and its persistence step: the step's input from the options, its result in the report and exit code.
import type { Options } from '../cli/spec.ts';
import type { FileEntry, FilePreview } from '../model.ts';
import type { DesiredState } from '../plan/desired.ts';
import type { Report } from '../report/report.ts';
import { unifiedDiff } from '../report/unified-diff.ts';
import { persistStep, unpersistStep } from '../persist/step.ts';
import type { PersistDeps, PersistInput, PersistResult } from '../persist/step.ts';

/** The persistence step never takes the run down with it: the kernel state is already applied and recorded. */
async function guarded(step: () => Promise<PersistResult>): Promise<PersistResult> {
  try {
    return await step();
  } catch (error) {
    return { owners: [], files: [], changed: false, previews: [], problems: [{ code: 'persist-write', message: `persistent config: ${error instanceof Error ? error.message : String(error)}` }] };
  }
}

/** Files could not be written, or the manager refused them: the setup would not survive its next restart. */
export function persistFailed(persisted: PersistResult): boolean {
  return persisted.problems.some((problem) => problem.code === 'persist-write' || problem.code === 'persist-activate');
}

/** The persist step of apply, plan and status (dryRun): the desired state in the managers' own config. */
export function persist(input: PersistInput, deps: { persist: PersistDeps }): Promise<PersistResult> {
  return guarded(() => persistStep(input, deps.persist));
}

/** The persist step of remove: every eni-init file deleted (content-checked), the managers told. */
export function unpersist(timeLeft: () => number, deps: { persist: PersistDeps }): Promise<PersistResult> {
  return guarded(() => unpersistStep(timeLeft, deps.persist));
}

export function persistInput(options: Pick<Options, 'persist' | 'onlyInterface'>, desired: DesiredState, complete: boolean, dryRun: boolean, timeLeft: () => number): PersistInput {
  const protectedInterfaces = new Set(desired.enis.filter((eni) => eni.status !== 'managed' && eni.ifname !== undefined).map((eni) => eni.ifname as string));
  for (const name of desired.protectedInterfaces) protectedInterfaces.add(name);
  return {
    choice: options.persist,
    desired,
    // An ENI whose interface is late, ambiguous or without a slot may still own files: nothing is stale then.
    removeStale: complete && options.onlyInterface === '' && desired.enis.every((eni) => eni.status === 'managed' || eni.status === 'excluded'),
    protectedInterfaces,
    dryRun,
    timeLeft,
  };
}

/** A file entry of a dry run with the diff of what it would write (the report carries the diff, never whole contents). */
export function withDiff(entry: FileEntry, previews: readonly FilePreview[]): FileEntry {
  const preview = entry.action.startsWith('would-') ? previews.find((one) => one.path === entry.path) : undefined;
  return preview === undefined ? entry : { ...entry, diff: unifiedDiff(preview.path, preview.before, preview.after) };
}

export function recordPersist(persisted: PersistResult, report: Report): void {
  report.files.push(...persisted.files.map((entry) => withDiff(entry, persisted.previews)));
  report.problems.push(...persisted.problems);
  for (const owner of persisted.owners) {
    const eni = report.enis.find((entry) => entry.interface === owner.ifname);
    if (eni) eni.persist = { backend: owner.backend, why: owner.why };
  }
}
