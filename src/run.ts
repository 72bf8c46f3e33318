// The pipeline in straight-line steps over injected adapters: metadata -> discover -> plan -> apply -> persist -> verify -> report.
import type { Family, FileEntry, LiveState, MetadataResult, Problem } from './model.ts';
import type { Options } from './cli/spec.ts';
import type { Logger } from './log.ts';
import { InterruptedError } from './errors.ts';
import { discover } from './discover/discover.ts';
import type { DiscoverDeps } from './discover/discover.ts';
import { NOTHING, conflictProblems, numberingOf, planStep } from './pipeline/plan.ts';
import type { PlanDeps, Planned } from './pipeline/plan.ts';
import { applyOperations } from './apply/apply.ts';
import type { ApplyDeps } from './apply/apply.ts';
import { changeEntry, familyOf } from './apply/batch.ts';
import { previewCloudInit, removeCloudInit, writeCloudInit } from './apply/cloud-init.ts';
import type { CloudInitDeps } from './apply/cloud-init.ts';
import { verify, verifyProblems } from './apply/verify.ts';
import type { VerifyDeps } from './apply/verify.ts';
import { diff } from './plan/diff.ts';
import type { PersistDeps } from './persist/step.ts';
import { persist, persistFailed, persistInput, recordPersist, unpersist, withDiff } from './pipeline/persist.ts';
import { fail, finish } from './pipeline/outcome.ts';
import { dropRedundantCopies } from './pipeline/dedupe.ts';
import { forgottenObjects } from './persist/held.ts';
import { phaseTimer } from './pipeline/phases.ts';
import type { Timed } from './pipeline/phases.ts';
import { emptyReport, eniReports } from './report/report.ts';
import type { Outcome, Report } from './report/report.ts';

/** Every adapter a run uses (kernel and state merge the steps' parts); each step takes only its own part. */
export type Deps = DiscoverDeps & PlanDeps & ApplyDeps & VerifyDeps & CloudInitDeps & RunDeps;

interface RunDeps {
  version: string;
  log: Logger;
  /** Persistent backends: probes of the live managers, their commands, eni-init's files. */
  persist: PersistDeps;
  lock(deadline: number): Promise<{ release(): Promise<void> }>;
  /** Checks decided before anything else (permissions, file types): throws EnvironmentError/PermissionError. */
  preflight?(): Promise<void>;
  /** Runs the changing step as one unit: a signal during it is honoured only after it (main.ts exits at once otherwise). */
  critical<T>(step: () => Promise<T>): Promise<T>;
}

export async function run(options: Options, deps: Deps): Promise<Report> {
  const startedAt = deps.now();
  const deadline = startedAt + options.deadlineSeconds * 1000;
  const report: Report = emptyReport(options.command, deps.version, startedAt);
  const timed = phaseTimer(report, deps.now);
  let lock: { release(): Promise<void> } | undefined;
  try {
    await deps.preflight?.();
    // Waiting for another run may take three quarters of the deadline: the rest is for this run's own work.
    const locking = options.command === 'apply' || options.command === 'remove' ? deps.lock(startedAt + (deadline - startedAt) * 0.75) : undefined;
    if (options.command === 'remove') {
      lock = await locking;
      return finish(report, await removeAll(options, deps, report, timed), deps.now() - startedAt);
    }
    const started = startReads(deps, deadline, locking);
    lock = await locking;
    const outcome = await converge(options, deps, deadline, report, timed, started);
    return finish(report, outcome, deps.now() - startedAt);
  } catch (error) {
    return fail(report, error, deps.now() - startedAt, deps.log);
  } finally {
    await lock?.release();
  }
}

function recordMetadata(report: Report, metadata: MetadataResult, url: string): void {
  report.instance = metadata.instance;
  report.metadata = { url, tokenMode: metadata.tokenMode, source: metadata.source, requests: metadata.requests, complete: metadata.complete };
  if (metadata.requestsBy) report.metadata.requestsBy = metadata.requestsBy;
  if (metadata.sources) report.metadata.sources = metadata.sources;
}

/** The metadata and kernel reads apply starts beside the lock. */
interface Started {
  metadata: Promise<{ result: MetadataResult; ms: number } | { error: unknown; ms: number }>;
  live: Promise<LiveState>;
}

/**
 * apply: the lock, the metadata read and the kernel read run side by side (plan, status: the two reads, no lock).
 * The kernel is read only once the lock is held: another run holding it may be changing the state, so a read
 * before could be stale; once we hold it, no eni-init run changes anything until we release it. The metadata is
 * not ours to change, so reading it while waiting for the lock loses nothing. run() awaits the lock first: a busy
 * lock still ends the run with exit 7 whatever the metadata read did, as when the lock came first; a signal
 * meanwhile still ends it with exit 8 (main.ts releases the lock), nothing having been changed.
 * Both reads settle into values or handled rejections: nothing is left unhandled when the run ends early.
 */
function startReads(deps: Deps, deadline: number, locking: Promise<unknown> | undefined): Started {
  const metadataStarted = deps.now();
  const metadata = deps.readMetadata(deadline).then(
    (result) => ({ result, ms: deps.now() - metadataStarted }),
    (error: unknown) => ({ error, ms: deps.now() - metadataStarted }),
  );
  const live = (locking ?? Promise.resolve()).then(() => deps.kernel.readLive());
  live.catch(() => {});
  return { metadata, live };
}

/** The metadata read started beside the lock: its duration recorded as `timed` would (a failed read counts too). */
async function startedMetadata(started: Started, report: Report): Promise<MetadataResult> {
  const settled = await started.metadata;
  report.durations.metadata = (report.durations.metadata ?? 0) + Math.max(0, Math.round(settled.ms));
  if ('error' in settled) throw settled.error;
  return settled.result;
}

/**
 * The live state read beside the metadata, unless the metadata names an ENI whose interface it lacks: that
 * interface may have appeared while the metadata was read (boot, hot-plug), so discovery reads again at once
 * rather than after its first poll interval, as it did when it read only after the metadata.
 */
function prefetchedFor(metadata: MetadataResult, live: LiveState): LiveState | undefined {
  const macs = new Set(live.interfaces.map((iface) => iface.mac));
  return metadata.enis.every((eni) => macs.has(eni.mac)) ? live : undefined;
}

/** apply, plan, status: metadata -> discover -> plan, then a preview (plan, status) or the changing steps (apply). */
async function converge(options: Options, deps: Deps, deadline: number, report: Report, timed: Timed, started: Started): Promise<Outcome> {
  const first = await startedMetadata(started, report);
  const prefetched = prefetchedFor(first, await timed('discovery', () => started.live));
  const { metadata, live, problem } = await timed('discovery', () => discover(first, options, deps, deadline, prefetched));
  if (problem) report.problems.push(problem);
  recordMetadata(report, metadata, options.metadataUrl);
  const planned = await timed('plan', () => planStep(options, metadata, live, deps));
  report.unmanagedInterfaces = planned.desired.unmanagedInterfaces;
  report.deferred = planned.plan.deferred.map((operation) => changeEntry(operation));
  report.problems.push(...planned.problems);
  report.enis = eniReports(planned.desired, planned.plan.operations);
  const timeLeft = () => deadline - deps.now();
  if (options.command !== 'apply') {
    report.changes = planned.plan.operations.map((operation) => changeEntry(operation));
    if (!options.skipCloudInit) {
      const { entry, preview } = await previewCloudInit(deps);
      report.files.push(withDiff(entry, preview ? [preview] : []));
    }
    const persisted = await timed('persist', () => persist(persistInput(options, planned.desired, metadata.complete, true, timeLeft), deps));
    recordPersist(persisted, report);
    if (options.command === 'plan') return 'planned';
    const filesPending = persisted.files.some((file) => file.action.startsWith('would-'));
    return planned.plan.operations.length === 0 && !filesPending && report.problems.length === 0 ? 'in-sync' : 'drift';
  }
  if (deps.stopRequested()) throw new InterruptedError();
  return deps.critical(() => applyAll(options, deps, timeLeft, report, timed, { ...planned, live, complete: metadata.complete }));
}

/** apply's changing steps, as one critical unit: cloud-init file, kernel, the managers' config, state file, verification. */
async function applyAll(options: Options, deps: Deps, timeLeft: () => number, report: Report, timed: Timed, planned: Planned & { live: LiveState; complete: boolean }): Promise<Outcome> {
  const { desired, plan, stored, live, complete } = planned;
  const nothingToDo = plan.operations.length === 0;
  const { cloudInit, applied } = await timed('apply', async () => {
    const cloudInit = options.skipCloudInit ? undefined : await writeCloudInit(deps);
    if (cloudInit) note(report, cloudInit.entry, cloudInit.problem);
    // Only the recorded addresses the plan still trusts are kept: an entry reported as untrusted is reported once.
    const applied = nothingToDo ? { ok: true, recorded: [...plan.recorded], changes: [] } : await applyOperations(plan.operations, plan.recorded, deps);
    report.changes.push(...applied.changes);
    return { cloudInit, applied };
  });
  // After the kernel has the state: the manager that owns an interface gets the same state in its own config.
  const persisted = await timed('persist', () => persist(persistInput(options, desired, complete, false, timeLeft), deps));
  // One copy of every object: ours goes where the manager applied its exact copy from our files (pipeline/dedupe.ts).
  const deduped = await timed('verify', () =>
    dropRedundantCopies({ desired, numbering: numberingOf(options), recorded: applied.recorded, persisted, ...(!nothingToDo || persisted.changed ? {} : { unchanged: live }) }, deps),
  );
  report.changes.push(...deduped.changes);
  // Nothing changed since the state was read: no second read, no verification; the state file written only if stale.
  const liveChanged = !nothingToDo || persisted.changed || deduped.changed;
  // Only the families the batches changed are read again; the managers (or the one-copy step) may have changed anything: then both.
  // A link set up (an IPv4 batch line) makes the kernel add IPv6 link-local addresses and routes: both then too.
  const families = new Set(plan.operations.flatMap((operation) => (operation.object.kind === 'link-up' ? [4, 6] : [familyOf(operation.object)])));
  const touched = { families: [...families] as Family[], before: live };
  const verified = await timed('verify', () =>
    verify({ desired, recorded: applied.recorded, numbering: numberingOf(options), allowRemovals: complete, stored, ...(liveChanged ? (persisted.changed || deduped.changed ? {} : { touched }) : { unchanged: live }) }, deps),
  );
  report.problems.push(...verifyProblems(verified.remaining, 'apply'));
  recordPersist(persisted, report);
  if (!applied.ok || verified.remaining.length > 0 || cloudInit?.entry.action === 'skipped' || persistFailed(persisted)) return 'apply-failed';
  if (report.problems.length > 0) return 'partial';
  return nothingToDo && !persisted.changed && !deduped.changed ? 'no-change' : 'converged';
}

function note(report: Report, entry: FileEntry, problem: Problem | undefined): void {
  report.files.push(entry);
  if (problem) report.problems.push(problem);
}

/** remove: the managers' files first, then the kernel objects, then the state file and the cloud-init file. */
async function removeAll(options: Options, deps: Deps, report: Report, timed: Timed): Promise<Outcome> {
  const live = await timed('discovery', () => deps.kernel.readLive());
  const stored = await timed('plan', () => deps.state.read());
  if (stored.problem) report.problems.push({ code: 'state-file', message: stored.problem });
  if (deps.stopRequested()) throw new InterruptedError();
  const deadline = deps.now() + options.deadlineSeconds * 1000;
  const { applied, verified, persisted } = await deps.critical(async () => {
    // Files first: the managers forget our profiles and drop-ins before the kernel objects go; what a manager
    // already took away with them is not ours to delete again, so the plan is made from the state after that.
    const persisted = await timed('persist', () => unpersist(() => deadline - deps.now(), deps));
    const current = persisted.changed ? await timed('discovery', () => deps.kernel.readLive()) : live;
    // The managers' copies of what our files held, if a manager left them: exact matches in our ranges only.
    const forgotten = forgottenObjects(persisted.removed ?? []);
    const plan = await timed('plan', async () => diff({ desired: NOTHING, live: current, recorded: stored.addresses, numbering: numberingOf(options), allowRemovals: true, forgotten }));
    report.problems.push(...conflictProblems(plan));
    const applied = await timed('apply', () => applyOperations(plan.operations, plan.recorded, deps));
    report.changes.push(...applied.changes);
    const verified = await timed('verify', () => verify({ desired: NOTHING, recorded: applied.recorded, numbering: numberingOf(options), allowRemovals: true, stored }, deps));
    return { applied, verified, persisted };
  });
  recordPersist(persisted, report);
  report.problems.push(...verifyProblems(verified.remaining, 'remove'));
  report.files.push(await timed('apply', () => removeCloudInit(deps)));
  // A delete that failed because the object was already gone (a manager dropping an interface's config after
  // its files went, asynchronously) is not a failure: what counts is that nothing of ours is left.
  if (!applied.ok && verified.remaining.length === 0) deps.log.info('some deletions found their object already gone');
  if (verified.remaining.length > 0 || persistFailed(persisted)) return 'apply-failed';
  return 'removed';
}
