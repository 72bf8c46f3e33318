// Per-phase durations: each pipeline step runs inside `timed`, which adds its integer milliseconds to the report.
import type { Phase, Report } from '../report/report.ts';

export type Timed = <T>(phase: Phase, step: () => Promise<T>) => Promise<T>;

/** A phase that runs twice (remove reads the live state in two places) adds up; one that fails still counts. */
export function phaseTimer(report: Report, now: () => number): Timed {
  return async (phase, step) => {
    const started = now();
    try {
      return await step();
    } finally {
      report.durations[phase] = (report.durations[phase] ?? 0) + Math.max(0, Math.round(now() - started));
    }
  };
}
