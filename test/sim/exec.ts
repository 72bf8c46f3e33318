// Running commands (optionally inside a network namespace) with a hard timeout; never through a shell.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface ExecOptions {
  /** Killed (SIGKILL) after this long; default 20 s. */
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ExecResult {
  /** Exit code; 124 after the timeout, 127 when the command could not be started, 128+N after signal N. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Children still running, so an instance can kill what it started (by PID). */
export type ChildSet = Set<ChildProcess>;

export function nsArgv(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

export function run(argv: readonly string[], options: ExecOptions = {}, children?: ChildSet): Promise<ExecResult> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(new Error('run: empty argv'));
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
    children?.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    let startError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 20_000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      startError = error;
    });
    child.stdin.end(options.input ?? '');
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children?.delete(child);
      const err = Buffer.concat(stderr).toString('utf8') + (startError ? `${startError.message}\n` : '');
      const status = timedOut ? 124 : startError ? 127 : (code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
      resolve({ code: status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: timedOut ? `${err}timed out after ${options.timeoutMs ?? 20_000} ms\n` : err });
    });
  });
}

/** Like run, but a non-zero exit is an error carrying the command and its stderr. */
export async function runOk(argv: readonly string[], options: ExecOptions = {}, children?: ChildSet): Promise<ExecResult> {
  const result = await run(argv, options, children);
  if (result.code !== 0) {
    throw new Error(`\`${argv.join(' ')}\` exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result;
}

/** Applies `ip` batch lines inside a namespace in one process; nothing to do for no lines. */
export async function ipBatch(ns: string, lines: readonly string[], children?: ChildSet): Promise<void> {
  if (lines.length === 0) return;
  await runOk(['ip', '-n', ns, '-batch', '-'], { input: `${lines.join('\n')}\n`, timeoutMs: 20_000 }, children);
}
