// Why a run started (boot, hotplug, detach, refresh, manual), and the few ways in which that changes the run.
import { EXIT } from '../errors.ts';
import { FULL_RUN_REPORT, reportPathFor } from '../report/last-runs.ts';
import posix from 'node:path/posix';
import type { Trigger } from '../model.ts';


/** Where a refresh leaves its report: beside report.json, which stays the boot run's. Not report-*.json (an interface could be named "refresh"). */
export const REFRESH_REPORT = posix.join(posix.dirname(FULL_RUN_REPORT), 'refresh-report.json');

/**
 * The report file of a run: a refresh writes refresh-report.json (every 5 minutes it would otherwise replace the
 * boot run's report); a detach run writes the report of its interface (report-IF.json, where the hot-plug run of
 * that interface wrote its own: "the last run for IF"); everything else as before. An explicit --report-file wins.
 */
export function reportPathForRun(reportFile: string, onlyInterface: string, trigger: Trigger): string {
  if (trigger === 'refresh' && reportFile === FULL_RUN_REPORT) return REFRESH_REPORT;
  return reportPathFor(reportFile, onlyInterface);
}

/**
 * The deadline (epoch ms) for acquiring the run lock. A refresh does not wait: whoever holds the lock (the boot
 * run, a hot-plug run, an admin's run) converges the host itself, and the next period comes anyway; waiting would
 * only make timer runs queue behind each other. Every other run waits as before (`waitUntil`).
 */
export function lockDeadline(trigger: Trigger, startedAt: number, waitUntil: number): number {
  return trigger === 'refresh' ? startedAt : waitUntil;
}

/**
 * A refresh that found the lock held ends quietly: exit 7 (busy) as for any run, so the exit-code table stays one
 * table, but logged at info, not as an error, and eni-init-refresh.service lists 7 in SuccessExitStatus= so that
 * the unit does not fail. Any other run that finds the lock held for its whole wait is an error, as before.
 */
export function endsQuietly(trigger: Trigger, exitCode: number): boolean {
  return trigger === 'refresh' && exitCode === EXIT.BUSY;
}
