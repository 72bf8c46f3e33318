// Entry point: argv/env/config -> options; builds the real adapters; runs; prints; the only place that sets the exit code.
import './v8-flags.ts';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseCommandLine } from './cli/options.ts';
import { helpText } from './cli/help.ts';
import type { Options } from './cli/spec.ts';
import { EXIT, exitCodeFor } from './errors.ts';
import { createLogger } from './log.ts';
import type { Logger } from './log.ts';
import { createMetadataHttp } from './metadata/http.ts';
import { readAliyunMetadata } from './metadata/aliyun.ts';
import { createIpRunner } from './kernel/ip.ts';
import { rootedPath } from './files/rooted.ts';
import { removeFileIfContent, writeFileAtomic } from './files/atomic.ts';
import { acquireLock } from './files/lock.ts';
import { readState, writeState } from './files/state.ts';
import { runCommand } from './persist/command.ts';
import { stagedNetplan } from './persist/netplan-stage.ts';
import { lastRuns, lastRunsText, reportPathFor } from './report/last-runs.ts';
import { NO_FACTS } from './persist/facts.ts';
import { listOwnFiles } from './persist/own-files.ts';
import { probeManagers } from './persist/probe.ts';
import { run } from './run.ts';
import type { Deps } from './run.ts';
import { renderText } from './report/text.ts';

declare const ENI_INIT_VERSION: string | undefined;
const VERSION = typeof ENI_INIT_VERSION === 'string' ? ENI_INIT_VERSION : '0.0.0-dev';

const RUN_DIR = '/run/eni-init';

function readConfigSync(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

interface StopState {
  requested: boolean;
  critical: boolean;
}

function buildDeps(options: Options, log: Logger, stop: StopState, closers: (() => Promise<void>)[]): Deps {
  const at = (path: string) => rootedPath(options.root, path);
  const kernel = createIpRunner({ log });
  const liveHost = rootedPath(options.root, '/') === '/';
  return {
    version: VERSION,
    log,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async readMetadata(deadline) {
      const http = createMetadataHttp({ baseUrl: options.metadataUrl, deadline, tokenMode: options.metadataToken, log });
      closers.push(() => http.close());
      return readAliyunMetadata(http, log);
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
    lock: (deadline) => acquireLock(at(`${RUN_DIR}/lock`), { deadline, log }),
    stopRequested: () => stop.requested,
    async critical(step) {
      stop.critical = true;
      try {
        return await step();
      } finally {
        stop.critical = false;
      }
    },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  let request;
  try {
    request = parseCommandLine(argv, process.env, readConfigSync);
  } catch (error) {
    process.stderr.write(`eni-init: ${error instanceof Error ? error.message : String(error)}\nTry 'eni-init --help'.\n`);
    return exitCodeFor(error);
  }
  if (request.kind === 'help') {
    process.stdout.write(helpText(VERSION));
    return EXIT.OK;
  }
  if (request.kind === 'version') {
    process.stdout.write(`eni-init ${VERSION}\n`);
    return EXIT.OK;
  }
  const { options } = request;
  const log = createLogger(options.logLevel, (line) => process.stderr.write(line));
  const stop: StopState = { requested: false, critical: false };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stop.critical) {
        // Nothing is being changed: stop now. A lock left behind names a dead PID and is taken over by the next run.
        log.warn(`${signal} received before any change: stopping`);
        process.exit(EXIT.INTERRUPTED);
      }
      if (!stop.requested) log.warn(`${signal} received while applying: finishing this step (one ip batch), then stopping`);
      stop.requested = true;
    });
  }
  const closers: (() => Promise<void>)[] = [];
  const report = await run(options, buildDeps(options, log, stop, closers));
  await Promise.allSettled(closers.map((close) => close()));
  // One report per run kind: --only-interface runs (hot-plug) write their own, never the boot run's.
  const reportFile = reportPathFor(options.reportFile, options.onlyInterface);
  if (reportFile !== '' && (options.command === 'apply' || options.command === 'remove')) {
    try {
      await writeFileAtomic(rootedPath(options.root, reportFile), JSON.stringify(report, null, 2) + '\n', { mode: 0o644 });
    } catch (error) {
      log.warn('cannot write the report file', { path: reportFile, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const runs = options.command === 'status' ? await lastRuns((path) => rootedPath(options.root, path)) : undefined;
  if (options.json) process.stdout.write(JSON.stringify(runs === undefined ? report : { ...report, lastRuns: runs }, null, 2) + '\n');
  else process.stdout.write(renderText(report) + (runs === undefined ? '' : lastRunsText(runs)));
  const summary = { outcome: report.outcome, exit: report.exitCode, changes: report.changes.length, problems: report.problems.length, ms: report.durationMs };
  if (report.exitCode === EXIT.OK) log.info(`${options.command} done`, summary);
  else log.error(`${options.command} ended with ${report.outcome}`, { ...summary, error: report.error?.message });
  return report.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`eni-init: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT.INTERNAL;
  },
);
