// The run path of main.ts, loaded only once the command line asks for a run: builds the real adapters, runs, prints, writes the report.
// V8 flags for undici's WebAssembly parser and a small heap, set here so that --version and --help (which never
// load undici) keep Node's built-in code cache whole. They must be in force before undici loads (below).
import './v8-flags.ts';
import { signals } from './signals.ts';
import type { StopSignal } from './signals.ts';
import { readFile } from 'node:fs/promises';
import type { Options } from './cli/spec.ts';
import { EXIT, InterruptedError, ReadError, exitCodeFor } from './errors.ts';
import { preflight } from './preflight.ts';
import { emptyReport } from './report/report.ts';
import type { Report } from './report/report.ts';
import { createLogger } from './log.ts';
import type { Logger } from './log.ts';
import { createMetadataHttp } from './metadata/http.ts';
import { PROVIDERS, detectProvider } from './metadata/providers.ts';
import type { MetadataProvider } from './metadata/provider.ts';
import { metadataCommand } from './metadata/command.ts';
import { createIpRunner } from './kernel/ip.ts';
import { rootedPath } from './files/rooted.ts';
import { removeFileIfContent, writeFileAtomic } from './files/atomic.ts';
import { acquireLock } from './files/lock.ts';
import { readState, writeState } from './files/state.ts';
import { runCommand } from './persist/command.ts';
import { stagedNetplan } from './persist/netplan-stage.ts';
import { lastRuns, lastRunsText } from './report/last-runs.ts';
import { endsQuietly, lockDeadline, reportPathForRun } from './lifecycle/trigger.ts';
import { beforeRun } from './lifecycle/before-run.ts';
import { readUntilDropped } from './lifecycle/detach.ts';
import { readIfindex, readRecord, syncConfigured } from './lifecycle/configured-files.ts';
import { NO_FACTS } from './persist/facts.ts';
import { listOwnFiles } from './persist/own-files.ts';
import { probeManagers } from './persist/probe.ts';
import { run } from './run.ts';
import type { Deps } from './run.ts';
import { renderText } from './report/text.ts';
import { VERSION } from './version.ts';

const RUN_DIR = '/run/eni-init';

/** A file eni-init needs: absent is null; any other failure is a ReadError (exit 11 where it ends the run). */
async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT') return null;
    // Node's message names the call and the path (`EACCES: permission denied, open '/etc/...'`); callers prefix their own words.
    throw new ReadError((error as Error).message, { cause: error, details: { path, ...(errno === undefined ? {} : { errno }) } });
  }
}

interface StopState {
  requested: boolean;
  /** A changing step is running now. */
  critical: boolean;
  /** A changing step has started: from then on a signal never means "nothing was changed". */
  changed: boolean;
  /** The lock of this run, while held: released when a signal stops the run before any change. */
  lock?: { release(): Promise<void> };
}

function buildDeps(options: Options, log: Logger, stop: StopState, closers: (() => Promise<void>)[], provider: MetadataProvider): Deps {
  const at = (path: string) => rootedPath(options.root, path);
  const kernel = createIpRunner({ log, batchDir: at(RUN_DIR) });
  const liveHost = rootedPath(options.root, '/') === '/';
  return {
    version: VERSION,
    log,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async readMetadata(deadline) {
      const http = createMetadataHttp({ baseUrl: options.metadataUrl, deadline, tokenMode: options.metadataToken, log });
      closers.push(() => http.close());
      return provider.read(http, log);
    },
    kernel,
    files: {
      read: (path) => readOptional(at(path)),
      writeAtomic: (path, content) => writeFileAtomic(at(path), content, { mode: 0o644 }),
      removeIfContent: (path, content) => removeFileIfContent(at(path), content),
    },
    state: {
      async read() {
        const { state, problem } = await readState(at(`${RUN_DIR}/state.json`));
        return problem === undefined ? { addresses: state.addresses } : { addresses: state.addresses, problem };
      },
      write: (addresses) => writeState(at(`${RUN_DIR}/state.json`), { version: 1, addresses }),
    },
    persist: {
      io: {
        read: (path) => readOptional(at(path)),
        write: (path, content, mode) => writeFileAtomic(at(path), content, { mode }),
        remove: (path, content) => removeFileIfContent(at(path), content),
      },
      // Under --root the running managers are not the target's: nothing is probed or activated.
      probe: async (timeoutMs) => (liveHost ? probeManagers(runCommand, await kernel.listInterfaces(), timeoutMs) : NO_FACTS),
      ...(liveHost ? { run: runCommand, netplan: stagedNetplan(runCommand) } : {}),
      listOwnFiles: () => listOwnFiles(at),
    },
    preflight: () => preflight(options, RUN_DIR),
    async lock(deadline) {
      // A refresh does not wait for another run's lock (lifecycle/trigger.ts): that run converges the host itself.
      const lock = await acquireLock(at(`${RUN_DIR}/lock`), { deadline: lockDeadline(options.trigger, Date.now(), deadline), log });
      stop.lock = lock;
      return {
        async release() {
          delete stop.lock;
          await lock.release();
        },
      };
    },
    stopRequested: () => stop.requested,
    async critical(step) {
      // A signal that already arrived wins: nothing is changed after it.
      if (stop.requested && !stop.changed) throw new InterruptedError();
      stop.critical = true;
      stop.changed = true;
      try {
        return await step();
      } finally {
        stop.critical = false;
      }
    },
  };
}

/** The report of a run stopped by a signal before it changed anything. */
function interruptedReport(options: Options, startedAt: number, signal: StopSignal): Report {
  return {
    ...emptyReport(options.command, VERSION, startedAt),
    durationMs: Date.now() - startedAt,
    outcome: 'interrupted',
    exitCode: EXIT.INTERRUPTED,
    trigger: options.trigger,
    error: { code: 'interrupted', message: `stopped by ${signal} before changing anything` },
  };
}

/**
 * One report per run kind: --only-interface runs (hot-plug) write their own, never the boot run's.
 * Built whole, not streamed: at 72 ENIs x 30 IPs (4431 changes, fake kernel) the JSON is 1.0 MB pretty-printed
 * (0.75 MB compact), under 4% of the run's V8 heap (about 27 MB): a streaming writer would not pay for itself.
 */
async function writeReport(options: Options, report: Report, log: Logger): Promise<void> {
  const reportFile = reportPathForRun(options.reportFile, options.onlyInterface, options.trigger);
  if (reportFile === '' || (options.command !== 'apply' && options.command !== 'remove')) return;
  try {
    await writeFileAtomic(rootedPath(options.root, reportFile), JSON.stringify(report, null, 2) + '\n', { mode: 0o644, durable: !reportFile.startsWith('/run/') }); // /run is a tmpfs: no fsync there (files/atomic.ts)
  } catch (error) {
    // Without permission the report usually cannot be written either: the one line of the refusal is enough.
    const say = report.outcome === 'permission' ? log.debug : log.warn;
    say('cannot write the report file', { path: reportFile, error: error instanceof Error ? error.message : String(error) });
  }
}

/** A command that runs (apply, remove, plan, status, metadata): its exit code. `startedAt` is when main() began. */
export async function runRequest(options: Options, startedAt: number, journal: boolean): Promise<number> {
  const log = createLogger(options.logLevel, (line) => process.stderr.write(line), { priorities: journal });
  log.debug('starting', { version: VERSION, command: options.command, pid: process.pid });
  const stop: StopState = { requested: false, critical: false, changed: false };
  let interrupt: (signal: StopSignal) => void = () => {};
  const interrupted = new Promise<StopSignal>((resolve) => {
    interrupt = resolve;
  });
  signals.listener = (signal) => {
    if (stop.changed) {
      // Changes were made (or are being made): finish this step, verify and report what changed; never exit 8.
      if (!stop.requested) log.warn(`${signal} received while applying: finishing this step, then reporting what changed`);
      stop.requested = true;
      return;
    }
    stop.requested = true;
    interrupt(signal);
  };
  if (signals.received !== undefined) signals.listener(signals.received); // arrived while starting up
  // Where am I: before any network request (`remove` reads no metadata). ENI_INIT_TEST_SYS_ROOT is for tests only: a fake /sys.
  let provider = PROVIDERS[0] as MetadataProvider;
  if (options.command !== 'remove') {
    try {
      ({ provider } = await detectProvider(options, process.env['ENI_INIT_TEST_SYS_ROOT'] ?? '/'));
    } catch (error) {
      process.stderr.write(`eni-init: ${error instanceof Error ? error.message : String(error)}\n`);
      return exitCodeFor(error);
    }
  }
  if (options.command === 'metadata') {
    // Reads only: a signal ends it at once with exit 8.
    const result = await Promise.race([metadataCommand(options, log, VERSION, provider), interrupted.then((signal) => ({ signal }))]);
    // In-flight requests would keep the process alive until the deadline: end it now, as apply does.
    if ('signal' in result) process.exit(EXIT.INTERRUPTED);
    process.stdout.write(result.output);
    return result.exitCode;
  }
  // Before the lock and the metadata: a refresh switched off, a replayed coldplug "add" (systemd < 243 ignores the
  // unit's ExecCondition=), a detach of a NIC that is not ours: nothing to do (src/lifecycle/before-run.ts).
  const at = (path: string) => rootedPath(options.root, path);
  const selected = options.command === 'apply' && (options.trigger === 'hotplug' || options.trigger === 'detach');
  const decision = beforeRun({
    trigger: options.trigger,
    onlyInterface: options.onlyInterface,
    refreshInterval: options.refreshInterval,
    record: selected ? await readRecord(at, options.onlyInterface) : null,
    ifindex: selected && options.trigger === 'hotplug' ? await readIfindex(options.onlyInterface) : undefined,
  });
  if (options.command === 'apply' && decision.kind === 'skip') {
    log.info(decision.message, { trigger: options.trigger });
    return EXIT.OK;
  }
  // A detach run is a full apply (the interface is gone: nothing is left to select) that first waits, within its
  // deadline, for the metadata to drop the ENI; its report is still the interface's (report-IF.json).
  const runOptions = decision.kind === 'detach' ? { ...options, onlyInterface: '' } : options;
  const closers: (() => Promise<void>)[] = [];
  const deps = buildDeps(runOptions, log, stop, closers, provider);
  if (decision.kind === 'detach') {
    const read = deps.readMetadata;
    let said = false;
    deps.readMetadata = (deadline) =>
      readUntilDropped({
        mac: decision.mac,
        read: () => read(deadline),
        now: deps.now,
        sleep: deps.sleep,
        until: deadline - 10_000,
        onWait: () => {
          if (!said) log.info(`waiting for the metadata to drop the ENI of ${options.onlyInterface}`, { mac: decision.mac });
          said = true;
        },
      });
  }
  const outcome = await Promise.race([
    run(runOptions, deps).then((report) => ({ report })),
    interrupted.then((signal) => ({ signal })),
  ]);
  if ('signal' in outcome) {
    // Nothing was changed, and a changing step can no longer start (critical() refuses): stop now.
    log.warn(`${outcome.signal} received before any change: stopping`);
    const report = interruptedReport(options, startedAt, outcome.signal);
    await stop.lock?.release().catch(() => {});
    await writeReport(options, report, log);
    process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report));
    process.exit(EXIT.INTERRUPTED); // in-flight metadata requests are abandoned; running `ip show` readers are killed
  }
  const { report } = outcome;
  report.trigger = options.trigger;
  await Promise.allSettled(closers.map((close) => close()));
  await writeReport(options, report, log);
  if (options.command === 'apply') {
    // This boot's record of configured NICs (coldplug replays, detach runs); unchanged entries are not rewritten.
    await syncConfigured(at, report.enis).catch((error: unknown) => log.warn('cannot update /run/eni-init/configured', { error: error instanceof Error ? error.message : String(error) }));
  }
  if (report.outcome === 'permission' && !options.json) {
    // Refused before doing anything: one line says what is missing and what to do (no summary, no noise).
    process.stderr.write(`eni-init: ${report.error?.message ?? 'not permitted'}\n`);
    return report.exitCode;
  }
  const runs = options.command === 'status' ? await lastRuns((path) => rootedPath(options.root, path)) : undefined;
  if (options.json) process.stdout.write(JSON.stringify(runs === undefined ? report : { ...report, lastRuns: runs }, null, 2) + '\n');
  else process.stdout.write(renderText(report) + (runs === undefined ? '' : lastRunsText(runs)));
  const summary = { outcome: report.outcome, exit: report.exitCode, changes: report.changes.length, problems: report.problems.length, ms: report.durationMs, trigger: options.trigger };
  if (report.exitCode === EXIT.OK) log.info(`${options.command} done`, summary);
  else if (endsQuietly(options.trigger, report.exitCode)) log.info(`${options.command} skipped: another eni-init run holds the lock; the next refresh comes anyway`, summary);
  else log.error(`${options.command} ended with ${report.outcome}`, { ...summary, error: report.error?.message });
  return report.exitCode;
}

