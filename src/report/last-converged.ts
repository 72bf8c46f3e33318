// For `status`: when the host last converged, and why that run started (its trigger), from the reports under /run/eni-init.

/** What this needs of a report found under /run/eni-init (src/report/last-runs.ts LastRun). */
export interface RunSeen {
  path: string;
  command?: string;
  startedAt?: string;
  outcome?: string;
  /** Absent in reports of versions before the trigger field. */
  trigger?: string;
}

/**
 * Outcomes after which the host matched the metadata: `converged` (changes made) and `no-change` (nothing to do).
 * `partial`, failures and `busy` are not: something was left undone.
 */
const CONVERGED = new Set(['converged', 'no-change']);

/** The latest apply run that converged (by start time; ISO-8601 UTC strings compare in time order). */
export function lastConverged<T extends RunSeen>(runs: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const run of runs) {
    if (run.command !== 'apply' || run.outcome === undefined || !CONVERGED.has(run.outcome) || run.startedAt === undefined) continue;
    if (best === undefined || (best.startedAt ?? '') < run.startedAt) best = run;
  }
  return best;
}

/** One line for `status`; reports written before the trigger field existed say "trigger unknown". */
export function lastConvergedText(runs: readonly RunSeen[]): string {
  const run = lastConverged(runs);
  if (run === undefined) return 'Last converged: never in this boot (no apply run ended converged or no-change)\n';
  return `Last converged: ${run.startedAt ?? '?'} (trigger ${run.trigger ?? 'unknown'}, ${run.outcome ?? '?'}, ${run.path})\n`;
}
