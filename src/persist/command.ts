// Runs one network-manager command (nmcli, networkctl, netplan, systemctl) through the one runner, as the persistence step's result shape.
import { failureOf, runProgram } from '../exec/run-program.ts';
import type { ProgramResult } from '../exec/run-program.ts';

/** What the persistence step needs of a run: the runner's result, reduced (activate.ts, probe.ts, netplan-stage.ts). */
export interface CommandResult {
  /** Exit code 0. */
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program is missing, timed out, printed too much or could not be started. */
  failure?: string;
}

export type CommandRunner = (argv: readonly string[], timeoutMs: number) => Promise<CommandResult>;

/** Output of one manager command: 4 MiB of each stream (nmcli's longest lists are a few KiB). */
const MAX_OUTPUT = 4 << 20;

/** The runner's result as a CommandResult: a kill, a timeout or a start error is a `failure`; an exit code alone is not. */
export function toCommandResult(result: ProgramResult): CommandResult {
  const killed = result.startError !== undefined || result.timedOut || (result.outputTruncated && result.signal !== null);
  const failure = result.timedOut ? `timed out after ${Math.round(result.timeoutMs / 1000)} s` : killed ? failureOf(result) : undefined;
  return {
    ok: result.exitCode === 0 && failure === undefined,
    code: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    ...(failure === undefined ? {} : { failure }),
  };
}

export const runCommand: CommandRunner = async (argv, timeoutMs) =>
  toCommandResult(await runProgram(argv, { timeoutMs, maxStdout: MAX_OUTPUT, maxStderr: MAX_OUTPUT }));

/** One line saying why a command failed: its own failure, else its stderr's last line, else its exit code. */
export function describeFailure(argv: readonly string[], result: CommandResult): string {
  const lastLine = result.stderr.trim().split('\n').pop()?.trim();
  return `${argv.join(' ')}: ${result.failure ?? (lastLine !== undefined && lastLine !== '' ? lastLine : `exit code ${result.code}`)}`;
}
