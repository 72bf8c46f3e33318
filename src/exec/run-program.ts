// The one way eni-init runs a program (ip, nmcli, networkctl, netplan, systemctl): no shell, bounded time and output, one result shape.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** What one run of a program gave. A program that could not start has `startError` and no exit code. */
export interface ProgramResult {
  /** The argv as run (program first). */
  command: readonly string[];
  exitCode: number | null;
  /** The signal that ended it (ours on a timeout or an output cap, or someone else's). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed because it ran past its timeout. */
  timedOut: boolean;
  /** The timeout it had (milliseconds), after the deadline shortened it. */
  timeoutMs: number;
  /** stdout went over its cap (the program was killed) or stderr over its cap (the rest was dropped). */
  outputTruncated: boolean;
  /** spawn's own error (ENOENT: not installed, EACCES, ...). */
  startError?: NodeJS.ErrnoException;
}

export interface RunOptions {
  /** Killed (SIGKILL) after this many milliseconds. */
  timeoutMs: number;
  /** Milliseconds left of the run's deadline: the timeout is never longer (at least 1 ms). */
  timeLeft?: () => number;
  /** stdin: text through a pipe, an open file descriptor (read from where it stands), or none. */
  input?: string | number;
  /** Bytes of stdout kept; beyond them the program is killed. Default 4 MiB. */
  maxStdout?: number;
  /** Bytes of stderr kept; beyond them the rest is dropped (the program goes on). Default 4 MiB. */
  maxStderr?: number;
}

const DEFAULT_CAP = 4 << 20;

/**
 * Programs running now: killed when eni-init exits (process.exit from a signal handler included). They are never
 * detached: they stay in eni-init's process group and cgroup, so a signal to the group (Ctrl-C) or systemd
 * stopping the unit stops them too. Node cannot set PR_SET_PDEATHSIG, so a SIGKILL of eni-init's pid alone leaves
 * them running (kernel/ip.ts says what that means for an `ip` batch, and how the next run reaps it).
 */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The timeout of one run: `timeoutMs`, shortened to what is left of the deadline. */
export const effectiveTimeout = (options: Pick<RunOptions, 'timeoutMs' | 'timeLeft'>): number =>
  Math.max(1, Math.min(options.timeoutMs, options.timeLeft?.() ?? Number.POSITIVE_INFINITY));

/** Runs `argv` with LC_ALL=C; never rejects: every failure is in the result. */
export function runProgram(argv: readonly string[], options: RunOptions): Promise<ProgramResult> {
  const [program, ...args] = argv;
  const timeoutMs = effectiveTimeout(options);
  const base = { command: argv, exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, timeoutMs, outputTruncated: false };
  if (program === undefined) return Promise.resolve({ ...base, startError: Object.assign(new Error('empty command'), { code: 'EINVAL' }) });
  const maxStdout = options.maxStdout ?? DEFAULT_CAP;
  const maxStderr = options.maxStderr ?? DEFAULT_CAP;
  return new Promise((resolve) => {
    const stdin = options.input === undefined ? 'ignore' : typeof options.input === 'string' ? 'pipe' : options.input;
    const child = spawn(program, args, { stdio: [stdin, 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, detached: false });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let outputTruncated = false;
    let startError: NodeJS.ErrnoException | undefined;
    /**
     * SIGKILL, then stop reading: a process it started (`sh -c 'x &'`) may hold the pipes open after it died, and
     * 'close' (which waits for them) would never come.
     */
    const kill = () => {
      child.kill('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes <= maxStdout) return void out.push(chunk);
      outputTruncated = true;
      kill();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (errBytes < maxStderr) err.push(chunk);
      errBytes += chunk.length;
      if (errBytes > maxStderr) outputTruncated = true;
    });
    // A program may exit before reading all of its stdin (an argument error): EPIPE is then expected.
    child.stdin?.on('error', () => {});
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      running.delete(child);
      clearTimeout(timer);
      resolve({
        command: argv,
        exitCode: code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8').slice(0, maxStderr),
        timedOut,
        timeoutMs,
        outputTruncated,
        ...(startError === undefined ? {} : { startError }),
      });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      startError = error;
      // Never started: no 'close' is owed.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', finish);
    if (typeof options.input === 'string') child.stdin?.end(options.input);
  });
}

/** Why a result is not a clean exit 0, in a few words ('' when it is one). */
export function failureOf(result: ProgramResult): string {
  const program = result.command[0] ?? '';
  if (result.startError !== undefined) return result.startError.code === 'ENOENT' ? `${program} is not installed` : result.startError.message;
  if (result.timedOut) return `timed out after ${result.timeoutMs} ms`;
  if (result.outputTruncated && result.signal !== null) return 'too much output';
  if (result.signal !== null) return `killed by ${result.signal}`;
  return result.exitCode === 0 ? '' : `exit code ${String(result.exitCode)}`;
}
