// Drives bench/runner.mjs inside a simulated instance (one long-lived process per instance, killed by PID).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const RUNNER = fileURLToPath(new URL('./runner.mjs', import.meta.url));

export interface ExecAnswer {
  code: number;
  signal: string | null;
  wallMs: number;
  maxRssKb: number | null;
  /** With rssFile: user+system CPU time of the command (GNU time, 10 ms resolution). */
  cpuMs?: number | null;
  /** With memSampleMs: the highest sampled RssAnon+RssShmem and RssFile of the measured process (kB). */
  privateKb?: number | null;
  fileKb?: number | null;
  memSamples?: number;
  stdout: string;
  stderr: string;
  error?: string;
}

export interface MetadataAnswer {
  wallMs: number;
  requests: number;
  enis: number;
}

export interface ExecRequest {
  argv: string[];
  env: Record<string, string>;
  input?: string;
  rssFile?: string;
  straceFile?: string;
  /** With rssFile: sample the measured process's private and file-backed RSS every this many ms. */
  memSampleMs?: number;
  timeoutMs?: number;
}

export class Runner {
  private readonly child: ChildProcess;
  private readonly waiting: { resolve: (value: unknown) => void; reject: (error: Error) => void }[] = [];
  private stderr = '';
  private gone = false;

  constructor(ns: string) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, RUNNER], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.on('error', (error) => this.fail(new Error(`runner: ${error.message}`)));
    this.child.on('exit', (code, signal) => {
      this.gone = true;
      this.fail(new Error(`runner exited (${code ?? signal ?? '?'}): ${this.stderr.slice(-2000)}`));
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-8000);
    });
    this.child.stdin?.on('error', () => undefined);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const next = this.waiting.shift();
      if (!next) return;
      const answer = JSON.parse(line) as { error?: string };
      if (answer.error !== undefined && !('code' in answer)) next.reject(new Error(`runner: ${answer.error}`));
      else next.resolve(answer);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private fail(error: Error): void {
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }

  private ask<T>(request: object): Promise<T> {
    if (this.gone) return Promise.reject(new Error(`runner is gone: ${this.stderr.slice(-2000)}`));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ resolve: resolve as (value: unknown) => void, reject });
      this.child.stdin?.write(`${JSON.stringify(request)}\n`);
    });
  }

  exec(request: ExecRequest): Promise<ExecAnswer> {
    return this.ask<ExecAnswer>({ op: 'exec', ...request });
  }

  /** `maxSockets`: connections of the client (keep-alive); default unbounded. */
  metadata(base: string, items: string[], maxSockets?: number, timeoutMs = 10_000): Promise<MetadataAnswer> {
    return this.ask<MetadataAnswer>({ op: 'metadata', base, items, timeoutMs, ...(maxSockets === undefined ? {} : { maxSockets }) });
  }

  /** SIGTERM by PID (the runner kills the command it is running, then exits); SIGKILL if it is still there after 2 s. */
  async stop(): Promise<void> {
    if (this.gone) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  /** For exit handlers (cannot wait): SIGTERM, a bounded synchronous wait of at most 1 s, then SIGKILL. */
  stopSync(): void {
    const pid = this.child.pid;
    if (this.gone || pid === undefined) return;
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let waited = 0; waited < 1000 && alive(); waited += 20) Atomics.wait(pause, 0, 0, 20);
    if (alive()) process.kill(pid, 'SIGKILL');
  }
}
