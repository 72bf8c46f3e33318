// The sim's long-lived processes, started by PID inside namespaces: the fake metadata service and the TCP echo server.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nsArgv } from './exec.ts';
import { ECHO_PORT, ECHO_SERVER } from './probes.ts';
import { IMDS_IP } from './vpc.ts';

export interface Helper {
  name: string;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after 2 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

/** The bundled fake IMDS when it is at least as new as every sim source file, else the TypeScript entry via tsx. */
function imdsCommand(repo: string): string[] {
  const bundle = join(repo, 'dist', 'fake-imds.cjs');
  const sources = join(repo, 'test', 'sim');
  if (existsSync(bundle)) {
    const newest = Math.max(...readdirSync(sources).map((file) => statSync(join(sources, file)).mtimeMs));
    if (statSync(bundle).mtimeMs >= newest) return [process.execPath, bundle];
  }
  return [process.execPath, '--import', 'tsx', join(sources, 'fake-imds.ts')];
}

function startOne(name: string, ns: string, argv: string[], cwd: string, logPath: string): Helper {
  const log = openSync(logPath, 'a');
  const child = spawn(nsArgv(ns, argv)[0] as string, nsArgv(ns, argv).slice(1), { cwd, stdio: ['ignore', log, log] });
  closeSync(log);
  child.on('error', () => undefined);
  child.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitReady(helper: Helper, readyFile: string, logPath: string): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (!existsSync(readyFile)) {
    if (helper.child.exitCode !== null || helper.child.signalCode !== null || Date.now() > until) {
      const log = existsSync(logPath) ? readFileSync(logPath, 'utf8').slice(-2000) : '';
      throw new Error(`${helper.name} did not start (exit ${helper.child.exitCode ?? helper.child.signalCode ?? 'none, timed out'}): ${log}`);
    }
    await sleep(20);
  }
}

export async function startHelpers(options: { repo: string; workDir: string; nsVpc: string; nsInst: string; configPath: string }): Promise<Helper[]> {
  const { repo, workDir } = options;
  const parent = String(process.pid);
  const imdsReady = join(workDir, 'imds.ready');
  const echoReady = join(workDir, 'echo.ready');
  const imdsArgv = [...imdsCommand(repo), '--config', options.configPath, '--listen', `${IMDS_IP}:80`, '--ready-file', imdsReady, '--parent-pid', parent];
  const helpers = [
    startOne('fake IMDS', options.nsVpc, imdsArgv, repo, join(workDir, 'imds.log')),
    startOne('echo server', options.nsInst, [process.execPath, '-e', ECHO_SERVER, String(ECHO_PORT), echoReady, parent], repo, join(workDir, 'echo.log')),
  ];
  try {
    await Promise.all([waitReady(helpers[0] as Helper, imdsReady, join(workDir, 'imds.log')), waitReady(helpers[1] as Helper, echoReady, join(workDir, 'echo.log'))]);
  } catch (error) {
    await Promise.all(helpers.map((helper) => helper.stop()));
    throw error;
  }
  return helpers;
}
