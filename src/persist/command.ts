// Runs one network-manager command (nmcli, networkctl, netplan, systemctl) with a bounded time and output; never a shell.
import { spawn } from 'node:child_process';

export interface CommandResult {
  /** Exit code 0. */
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program is missing, timed out or could not be started. */
  failure?: string;
}

export type CommandRunner = (argv: readonly string[], timeoutMs: number) => Promise<CommandResult>;

const MAX_OUTPUT = 4 << 20;

export const runCommand: CommandRunner = (argv, timeoutMs) =>
  new Promise((resolve) => {
    const [program, ...args] = argv;
    if (program === undefined) {
      resolve({ ok: false, code: null, stdout: '', stderr: '', failure: 'empty command' });
      return;
    }
    let stdout = '';
    let stderr = '';
    let failure: string | undefined;
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const timer = setTimeout(() => {
      failure = `timed out after ${Math.round(timeoutMs / 1000)} s`;
      child.kill('SIGKILL');
    }, Math.max(1, timeoutMs));
    const collect = (target: 'out' | 'err') => (chunk: Buffer) => {
      if (stdout.length + stderr.length > MAX_OUTPUT) {
        failure = 'too much output';
        child.kill('SIGKILL');
        return;
      }
      if (target === 'out') stdout += chunk.toString('utf8');
      else stderr += chunk.toString('utf8');
    };
    child.stdout.on('data', collect('out'));
    child.stderr.on('data', collect('err'));
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure = error.code === 'ENOENT' ? `${program} is not installed` : error.message;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && failure === undefined, code, stdout, stderr, ...(failure === undefined ? {} : { failure }) });
    });
  });

/** One line saying why a command failed: its own failure, else its stderr's last line, else its exit code. */
export function describeFailure(argv: readonly string[], result: CommandResult): string {
  const lastLine = result.stderr.trim().split('\n').pop()?.trim();
  return `${argv.join(' ')}: ${result.failure ?? (lastLine !== undefined && lastLine !== '' ? lastLine : `exit code ${result.code}`)}`;
}
