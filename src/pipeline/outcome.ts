// The one table from a run's outcome to its exit code, and the two ways a run ends: with an outcome, or with an error.
import { EXIT, EXIT_BY_CODE, EniInitError, exitCodeFor } from '../errors.ts';
import type { ExitCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Outcome, Report } from '../report/report.ts';

/** Each outcome's exit code; `withProblems` where the same outcome exits differently when the run found problems. */
export const OUTCOME_EXIT: Readonly<Record<Outcome, { exit: ExitCode; withProblems?: ExitCode }>> = {
  converged: { exit: EXIT.OK },
  'no-change': { exit: EXIT.OK },
  partial: { exit: EXIT.PARTIAL },
  planned: { exit: EXIT.OK, withProblems: EXIT.PARTIAL },
  'in-sync': { exit: EXIT.OK },
  drift: { exit: EXIT.PARTIAL },
  removed: { exit: EXIT.OK },
  // A run that ended with an error: the exit code of the error's code (errors.ts), so the two never disagree.
  'metadata-unreachable': { exit: EXIT_BY_CODE['metadata-unreachable'] },
  'bad-metadata': { exit: EXIT_BY_CODE['bad-metadata'] },
  'apply-failed': { exit: EXIT_BY_CODE['apply-failed'] },
  busy: { exit: EXIT_BY_CODE.busy },
  interrupted: { exit: EXIT_BY_CODE.interrupted },
  environment: { exit: EXIT_BY_CODE.environment },
  permission: { exit: EXIT_BY_CODE.permission },
  'read-failed': { exit: EXIT_BY_CODE['read-failed'] },
  'not-on-cloud': { exit: EXIT_BY_CODE['not-on-cloud'] },
  internal: { exit: EXIT_BY_CODE.internal },
};

export function exitCodeOf(outcome: Outcome, problems: number): ExitCode {
  const row = OUTCOME_EXIT[outcome];
  return problems > 0 && row.withProblems !== undefined ? row.withProblems : row.exit;
}

/** Ends the report with an outcome: its exit code comes from the table. */
export function finish(report: Report, outcome: Outcome, durationMs: number): Report {
  report.outcome = outcome;
  report.exitCode = exitCodeOf(outcome, report.problems.length);
  report.durationMs = durationMs;
  return report;
}

/**
 * Ends the report with an error: the outcome is the error's code, and so is the exit code (a usage error found
 * during the run, e.g. a path under --root, reports outcome `internal` with exit 2). Anything untyped is a bug.
 */
export function fail(report: Report, error: unknown, durationMs: number, log: Logger): Report {
  const code = error instanceof EniInitError ? error.code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  report.error = { code, message, ...(error instanceof EniInitError && Object.keys(error.details).length > 0 ? { details: error.details } : {}) };
  if (!(error instanceof EniInitError)) log.error('unexpected error', { stack: error instanceof Error ? error.stack : String(error) });
  report.outcome = code === 'usage' ? 'internal' : code;
  report.exitCode = exitCodeFor(error);
  report.durationMs = durationMs;
  return report;
}
