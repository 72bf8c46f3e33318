// The pipeline in straight-line steps over injected adapters: metadata -> desired -> diff -> apply -> verify -> report.
import type { Family, LiveInterface, LiveState, MetadataResult, Operation } from './model.ts';
import type { BatchResult } from './kernel/ip.ts';
import type { Options } from './cli/spec.ts';
import type { Logger } from './log.ts';
import { EniInitError, InterruptedError, exitCodeFor, EXIT } from './errors.ts';
import { listsMac, waitForInterfaces, waitForSelected } from './discovery.ts';
import { buildDesiredState } from './plan/desired.ts';
import type { DesiredState } from './plan/desired.ts';
import { diff } from './plan/diff.ts';
import type { Plan, RecordedAddress } from './plan/diff.ts';
import type { Numbering } from './plan/numbering.ts';
import { renderBatches } from './apply/batch.ts';
import { CLOUD_INIT_CONTENT, CLOUD_INIT_FILE, cloudInitDecision } from './files/cloudinit.ts';
import { changeEntry, emptyReport, eniReport } from './report/report.ts';
import type { FileEntry, Outcome, Problem, Report } from './report/report.ts';
import { persistStep, unpersistStep } from './persist/step.ts';
import type { PersistDeps } from './persist/step.ts';
import { guarded, persistFailed, persistInput, recordPersist } from './persist/outcome.ts';

export interface Deps {
  version: string;
  log: Logger;
  now(): number;
  sleep(ms: number): Promise<void>;
  readMetadata(deadline: number): Promise<MetadataResult>;
  kernel: {
    readLive(): Promise<LiveState>;
    listInterfaces(): Promise<LiveInterface[]>;
    runBatch(family: Family, lines: string[]): Promise<BatchResult>;
  };
  /** Files under the root directory option; paths are absolute as on the real host. */
  files: {
    read(path: string): Promise<string | null>;
    writeAtomic(path: string, content: string): Promise<'created' | 'replaced' | 'unchanged'>;
    removeIfContent(path: string, content: string): Promise<'removed' | 'absent' | 'different'>;
  };
  state: {
    read(): Promise<{ addresses: RecordedAddress[]; problem?: string }>;
    write(addresses: RecordedAddress[]): Promise<void>;
  };
  /** Persistent backends: probes of the live managers, their commands, eni-init's files. */
  persist: PersistDeps;
  lock(deadline: number): Promise<{ release(): Promise<void> }>;
  /** Checks decided before anything else (permissions, file types): throws EnvironmentError/PermissionError. */
  preflight?(): Promise<void>;
  /** True once SIGTERM/SIGINT arrived: stop before changing anything, never in the middle of a batch. */
  stopRequested(): boolean;
  /** Runs the changing step as one unit: a signal during it is honoured only after it (main.ts exits at once otherwise). */
  critical<T>(step: () => Promise<T>): Promise<T>;
}

export async function run(options: Options, deps: Deps): Promise<Report> {
  const startedAt = deps.now();
  const deadline = startedAt + options.deadlineSeconds * 1000;
  const report: Report = emptyReport(options.command, deps.version, startedAt);

  const finish = (outcome: Outcome, exitCode: number): Report => {
    report.outcome = outcome;
    report.exitCode = exitCode;
    report.durationMs = deps.now() - startedAt;
    return report;
  };
  const mutating = options.command === 'apply' || options.command === 'remove';
  let lock: { release(): Promise<void> } | undefined;
  try {
    // Waiting for another run may take three quarters of the deadline: the rest is for this run's own work.
    await deps.preflight?.();
    if (mutating) lock = await deps.lock(startedAt + (deadline - startedAt) * 0.75);
    if (options.command === 'remove') return await removeAll(options, deps, report, finish);
    return await converge(options, deps, deadline, report, finish);
  } catch (error) {
    const code = error instanceof EniInitError ? error.code : 'internal';
    const message = error instanceof Error ? error.message : String(error);
    report.error = { code, message, ...(error instanceof EniInitError && Object.keys(error.details).length > 0 ? { details: error.details } : {}) };
    if (!(error instanceof EniInitError)) {
      // The stack only at debug: a user sees what failed, a developer where.
      deps.log.error('unexpected error (a bug: please report it; --log-level debug shows where)', { error: message });
      deps.log.debug('unexpected error', { stack: error instanceof Error ? error.stack : String(error) });
    }
    const outcome: Outcome = code === 'usage' ? 'internal' : code;
    return finish(outcome, exitCodeFor(error));
  } finally {
    await lock?.release();
  }
}

function numberingOf(options: Options): Numbering {
  return { tableBase: options.tableBase, priorityBase: options.priorityBase };
}

function collectProblems(desired: DesiredState, plan: Plan, report: Report): void {
  for (const eni of desired.enis) {
    // What the admin told us to leave alone is not a problem of this run.
    if (eni.status === 'excluded' || eni.status === 'not-selected') continue;
    const where = { mac: eni.mac, ...(eni.ifname === undefined ? {} : { interface: eni.ifname }) };
    const name = `ENI ${eni.eniId ?? eni.mac}${eni.ifname ? ` (${eni.ifname})` : ''}`;
    if (eni.status === 'ambiguous-interface') report.problems.push({ code: 'ambiguous-interface', message: `${name}: several interfaces carry MAC ${eni.mac}; left alone`, ...where });
    if (eni.status === 'unsafe-interface-name') report.problems.push({ code: 'unsafe-interface-name', message: `${name}: interface name ${JSON.stringify(eni.ifname)} is not safe to pass to ip; left alone`, ...where });
    for (const problem of eni.problems) {
      report.problems.push({
        code: 'bad-metadata',
        message: `ENI ${eni.eniId ?? eni.mac}${eni.ifname ? ` (${eni.ifname})` : ''}: ${problem.field}${problem.value === undefined ? '' : ` ${JSON.stringify(problem.value)}`}: ${problem.message}`,
        ...where,
        field: problem.field,
        ...(problem.value === undefined ? {} : { value: problem.value }),
      });
    }
    if (eni.status === 'missing-interface') {
      report.problems.push({ code: 'missing-interface', message: `ENI ${eni.eniId ?? eni.mac}: no local interface has MAC ${eni.mac}`, ...where });
    }
    if (eni.status === 'no-slot') report.problems.push({ code: 'no-slot', message: `ENI ${eni.eniId ?? eni.mac}: no free table slot`, ...where });
  }
  for (const conflict of plan.conflicts) report.problems.push({ code: conflict.code ?? 'conflict', message: conflict.message, ...(conflict.mac === undefined ? {} : { mac: conflict.mac }) });
}

/** One report entry per ENI with its number of operations (counted in one pass). */
function eniReports(desired: DesiredState, operations: readonly Operation[]) {
  const counts = new Map<string, number>();
  for (const operation of operations) if (operation.mac !== undefined) counts.set(operation.mac, (counts.get(operation.mac) ?? 0) + 1);
  return desired.enis.map((eni) => eniReport(eni, counts.get(eni.mac) ?? 0));
}

async function converge(options: Options, deps: Deps, deadline: number, report: Report, finish: (o: Outcome, c: number) => Report): Promise<Report> {
  let metadata = await deps.readMetadata(deadline);
  let live = await deps.kernel.readLive();
  if (options.onlyInterface === '') {
    live = await waitForInterfaces(metadata, live, options, deps, deadline);
  } else {
    const selected = await waitForSelected(metadata, live, options, deps, deadline);
    ({ metadata, live } = selected);
    if (selected.mac === undefined || !listsMac(metadata, selected.mac)) {
      report.problems.push({
        code: 'not-in-metadata',
        message: `--only-interface ${options.onlyInterface}: ${selected.mac === undefined ? 'no such local interface' : `metadata does not list MAC ${selected.mac}`}`,
        ...(selected.mac === undefined ? {} : { mac: selected.mac }),
      });
    }
  }
  report.instance = metadata.instance;
  report.metadata = { url: options.metadataUrl, tokenMode: metadata.tokenMode, source: metadata.source, requests: metadata.requests, complete: metadata.complete };
  if (metadata.requestsBy) report.metadata.requestsBy = metadata.requestsBy;
  if (metadata.sources) report.metadata.sources = metadata.sources;
  const stored = await deps.state.read();
  if (stored.problem) report.problems.push({ code: 'state-file', message: stored.problem });
  const desired = buildDesiredState({
    metadata,
    interfaces: live.interfaces,
    exclude: options.exclude,
    ...(options.onlyInterface === '' ? {} : { only: options.onlyInterface }),
    primaryRules: options.primaryRules,
    mainRoutesFirst: options.mainRoutesFirst,
    numbering: numberingOf(options),
    routes: live.routes,
    recorded: stored.addresses,
    metadataUrl: options.metadataUrl,
  });
  const plan = diff({ desired, live, recorded: stored.addresses, numbering: numberingOf(options), allowRemovals: metadata.complete });
  report.unmanagedInterfaces = desired.unmanagedInterfaces;
  report.deferred = plan.deferred.map((operation) => changeEntry(operation));
  collectProblems(desired, plan, report);
  if (!metadata.complete && plan.deferred.length > 0) {
    // Removals wait for complete metadata; what waits is a problem of this run, never a silent success.
    const count = plan.deferred.length;
    report.problems.push({ code: 'removals-held-back', message: `metadata incomplete: ${count} removal${count === 1 ? '' : 's'} held back (listed under deferred)` });
  }

  if (options.command !== 'apply') {
    const partial = report.problems.length > 0;
    report.changes = plan.operations.map((operation) => changeEntry(operation));
    report.enis = eniReports(desired, plan.operations);
    if (!options.skipCloudInit) {
      const decision = cloudInitDecision(await deps.files.read(CLOUD_INIT_FILE));
      report.files.push({ path: CLOUD_INIT_FILE, action: decision === 'write' ? 'would-create' : decision === 'unchanged' ? 'unchanged' : 'kept' });
    }
    const persisted = await guarded(() => persistStep(persistInput(options, desired, metadata.complete, true, () => deadline - deps.now()), deps.persist));
    recordPersist(persisted, report);
    if (options.command === 'plan') return finish('planned', report.problems.length > 0 ? EXIT.PARTIAL : EXIT.OK);
    const filesPending = persisted.files.some((file) => file.action.startsWith('would-'));
    const inSync = plan.operations.length === 0 && !filesPending && report.problems.length === 0;
    return finish(inSync ? 'in-sync' : 'drift', inSync ? EXIT.OK : EXIT.PARTIAL);
  }

  if (deps.stopRequested()) throw new InterruptedError();
  const nothingToDo = plan.operations.length === 0;
  const { cloudInit, applied, after, persisted, liveChanged } = await deps.critical(async () => {
    const cloudInit = options.skipCloudInit ? undefined : await writeCloudInit(deps, report.problems);
    if (cloudInit) report.files.push(cloudInit);
    // Only the recorded addresses the plan still trusts are kept: an entry reported as untrusted is reported once.
    const applied = nothingToDo ? { ok: true, recorded: [...plan.recorded] } : await applyOperations(plan.operations, plan.recorded, deps, report);
    // After the kernel has the state: the manager that owns an interface gets the same state in its own config.
    const persisted = await guarded(() => persistStep(persistInput(options, desired, metadata.complete, false, () => deadline - deps.now()), deps.persist));
    // Nothing changed since the state was read: no second read, no verification; state written only if stale.
    const liveChanged = !nothingToDo || persisted.changed;
    const after = liveChanged ? await deps.kernel.readLive() : live;
    const kept = keepPresent(applied.recorded, after);
    // A corrupt or unknown file is rewritten (reported once, not on every run).
    if (liveChanged || kept.length !== stored.addresses.length || stored.problem !== undefined) await deps.state.write(kept);
    return { cloudInit, applied, after, persisted, liveChanged };
  });
  const verify = !liveChanged
    ? { operations: [] }
    : diff({ desired, live: after, recorded: keepPresent(applied.recorded, after), numbering: numberingOf(options), allowRemovals: metadata.complete });
  for (const operation of verify.operations) {
    report.problems.push({ code: 'verify', message: `after applying, still needed: ${changeEntry(operation).command}`, ...(operation.mac === undefined ? {} : { mac: operation.mac }) });
  }
  report.enis = eniReports(desired, plan.operations);
  recordPersist(persisted, report);
  if (!applied.ok || verify.operations.length > 0 || cloudInit?.action === 'skipped' || persistFailed(persisted)) return finish('apply-failed', EXIT.APPLY_FAILED);
  if (report.problems.length > 0) return finish('partial', EXIT.PARTIAL);
  return finish(plan.operations.length === 0 && !persisted.changed ? 'no-change' : 'converged', EXIT.OK);
}

async function writeCloudInit(deps: Deps, problems: Problem[]): Promise<FileEntry> {
  let decision;
  try {
    decision = cloudInitDecision(await deps.files.read(CLOUD_INIT_FILE));
  } catch (error) {
    problems.push({ code: 'cloud-init-file', message: `cannot read ${CLOUD_INIT_FILE}: ${error instanceof Error ? error.message : String(error)}` });
    return { path: CLOUD_INIT_FILE, action: 'skipped', note: 'read failed' };
  }
  if (decision === 'kept-equivalent') return { path: CLOUD_INIT_FILE, action: 'kept', note: 'an equivalent file of someone else is already there' };
  if (decision === 'kept-foreign') {
    problems.push({ code: 'cloud-init-file', message: `${CLOUD_INIT_FILE} exists with other content; left alone, cloud-init may still rewrite network config` });
    return { path: CLOUD_INIT_FILE, action: 'kept', note: 'other content, left alone' };
  }
  try {
    return { path: CLOUD_INIT_FILE, action: await deps.files.writeAtomic(CLOUD_INIT_FILE, CLOUD_INIT_CONTENT) };
  } catch (error) {
    problems.push({ code: 'cloud-init-file', message: `cannot write ${CLOUD_INIT_FILE}: ${error instanceof Error ? error.message : String(error)}` });
    return { path: CLOUD_INIT_FILE, action: 'skipped', note: 'write failed' };
  }
}

/** Recorded addresses that still exist: the state to keep. */
function keepPresent(recorded: readonly RecordedAddress[], live: LiveState): RecordedAddress[] {
  const seen = new Set<string>();
  return recorded.filter((entry) => {
    const key = `${entry.ifname}|${entry.address}`;
    const present = live.interfaces.some(
      (iface) => iface.name === entry.ifname && iface.addresses.some((address) => address.address === entry.address && address.prefixLength === entry.prefixLength),
    );
    if (!present || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Runs the operations as one `ip -batch` per family; records added addresses first (write-ahead). */
async function applyOperations(operations: readonly Operation[], recorded: readonly RecordedAddress[], deps: Deps, report: Report) {
  const added: RecordedAddress[] = operations.flatMap((operation) =>
    operation.action === 'add' && operation.object.kind === 'address'
      ? [{ ifname: operation.object.ifname, mac: operation.mac ?? '', family: operation.object.family, address: operation.object.address, prefixLength: operation.object.prefixLength }]
      : [],
  );
  const allRecorded = [...recorded, ...added];
  if (added.length > 0) await deps.state.write(allRecorded);
  let ok = true;
  const batches = renderBatches(operations);
  for (const family of [4, 6] as const) {
    const lines = batches[family];
    if (lines.length === 0) continue;
    deps.log.info(`applying ${lines.length} change${lines.length === 1 ? '' : 's'}`, { family: `ipv${family}` });
    const result = await deps.kernel.runBatch(family, lines.map((entry) => entry.line));
    const failedAt = new Map(result.failures.map((failure) => [failure.line, failure.message]));
    lines.forEach((entry, index) => report.changes.push(changeEntry(entry.operation, failedAt.get(index + 1))));
    for (const failure of result.failures) deps.log.error('ip command failed', { command: failure.command, error: failure.message });
    if (!result.ok) ok = false;
  }
  return { ok, recorded: allRecorded };
}

async function removeAll(options: Options, deps: Deps, report: Report, finish: (o: Outcome, c: number) => Report): Promise<Report> {
  const live = await deps.kernel.readLive();
  const stored = await deps.state.read();
  if (stored.problem) report.problems.push({ code: 'state-file', message: stored.problem });
  const nothing: DesiredState = { enis: [], global: [], protectedTables: new Set(), protectedInterfaces: new Set(), unmanagedInterfaces: [] };
  if (deps.stopRequested()) throw new InterruptedError();
  const deadline = deps.now() + options.deadlineSeconds * 1000;
  const { applied, after, remaining, persisted } = await deps.critical(async () => {
    // Files first: the managers forget our profiles and drop-ins before the kernel objects go; what a manager
    // already took away with them is not ours to delete again, so the plan is made from the state after that.
    const persisted = await guarded(() => unpersistStep(() => deadline - deps.now(), deps.persist));
    const current = persisted.changed ? await deps.kernel.readLive() : live;
    const plan = diff({ desired: nothing, live: current, recorded: stored.addresses, numbering: numberingOf(options), allowRemovals: true });
    for (const conflict of plan.conflicts) report.problems.push({ code: conflict.code ?? 'conflict', message: conflict.message, ...(conflict.mac === undefined ? {} : { mac: conflict.mac }) });
    const applied = await applyOperations(plan.operations, plan.recorded, deps, report);
    const after = await deps.kernel.readLive();
    const remaining = keepPresent(applied.recorded, after);
    await deps.state.write(remaining);
    return { applied, after, remaining, persisted };
  });
  recordPersist(persisted, report);
  const verify = diff({ desired: nothing, live: after, recorded: remaining, numbering: numberingOf(options), allowRemovals: true });
  for (const operation of verify.operations) report.problems.push({ code: 'verify', message: `still present after remove: ${changeEntry(operation).command}` });
  const removed = await deps.files.removeIfContent(CLOUD_INIT_FILE, CLOUD_INIT_CONTENT);
  report.files.push({ path: CLOUD_INIT_FILE, action: removed === 'different' ? 'kept' : removed, ...(removed === 'different' ? { note: 'not written by eni-init' } : {}) });
  // A delete that failed because the object was already gone (a manager dropping an interface's config after
  // its files went, asynchronously) is not a failure: what counts is that nothing of ours is left.
  if (!applied.ok && verify.operations.length === 0) deps.log.info('some deletions found their object already gone');
  if (verify.operations.length > 0 || persistFailed(persisted)) return finish('apply-failed', EXIT.APPLY_FAILED);
  return finish('removed', EXIT.OK);
}
