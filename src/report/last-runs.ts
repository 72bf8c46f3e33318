// Where each kind of run leaves its JSON report (full runs: one file; --only-interface runs: one per interface), and `status`'s note of them.
import { readFile, readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { lastConvergedText } from './last-converged.ts';

/** The default --report-file: the boot unit's (eni-init.service) run and any other full run write it. */
export const FULL_RUN_REPORT = '/run/eni-init/report.json';

/**
 * A run with --only-interface (eni-init@IFACE.service at hot-plug, and udev's coldplug replays at boot) must not
 * overwrite the boot run's report: with the default --report-file it writes report-<selector>.json beside it.
 * The selector (an interface name or a MAC) is reduced to [A-Za-z0-9_-] so that it can never leave the directory.
 */
export function reportPathFor(reportFile: string, onlyInterface: string): string {
  if (reportFile !== FULL_RUN_REPORT || onlyInterface === '') return reportFile;
  const safe = onlyInterface.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return posix.join(posix.dirname(FULL_RUN_REPORT), `report-${safe}.json`);
}

export interface LastRun {
  kind: 'full' | 'interface' | 'refresh';
  /** The interface selector of an --only-interface run. */
  selector?: string;
  path: string;
  command?: string;
  startedAt?: string;
  outcome?: string;
  exitCode?: number;
  /** Why the run started (boot, hotplug, detach, refresh, manual); absent in reports of older versions. */
  trigger?: string;
}

/** The reports found under `at(/run/eni-init)`: the full run's first, then one per interface (sorted). Never throws. */
export async function lastRuns(at: (path: string) => string): Promise<LastRun[]> {
  const dir = posix.dirname(FULL_RUN_REPORT);
  let names: string[];
  try {
    names = await readdir(at(dir));
  } catch {
    return [];
  }
  const runs: LastRun[] = [];
  const first = (name: string) => (name === 'report.json' ? 0 : name === 'refresh-report.json' ? 1 : 2);
  const wanted = names
    .filter((name) => name === 'report.json' || name === 'refresh-report.json' || /^report-[A-Za-z0-9_-]{1,64}\.json$/.test(name))
    .sort((a, b) => first(a) - first(b) || a.localeCompare(b));
  for (const name of wanted) {
    const path = posix.join(dir, name);
    const run: LastRun =
      name === 'report.json' ? { kind: 'full', path } : name === 'refresh-report.json' ? { kind: 'refresh', path } : { kind: 'interface', selector: name.slice('report-'.length, -'.json'.length), path };
    try {
      const report = JSON.parse(await readFile(at(path), 'utf8')) as Record<string, unknown>;
      if (typeof report['command'] === 'string') run.command = report['command'];
      if (typeof report['startedAt'] === 'string') run.startedAt = report['startedAt'];
      if (typeof report['outcome'] === 'string') run.outcome = report['outcome'];
      if (typeof report['exitCode'] === 'number') run.exitCode = report['exitCode'];
      if (typeof report['trigger'] === 'string') run.trigger = report['trigger'];
    } catch {
      // unreadable or half-written: named without its result
    }
    runs.push(run);
  }
  return runs;
}

/** Lines for `status`: the last full (boot) run and the last run of each interface. */
export function lastRunsText(runs: readonly LastRun[]): string {
  if (runs.length === 0) return '\nLast runs: none recorded (no report under /run/eni-init)\n';
  const lines = runs.map((run) => {
    const what = run.kind === 'full' ? 'last full run (boot unit)' : run.kind === 'refresh' ? 'last refresh (timer)' : `last run for ${run.selector ?? '?'} (${run.trigger === 'detach' ? 'detach' : 'hot-plug'})`;
    const result = run.outcome === undefined ? 'unreadable' : `${run.command ?? '?'} ${run.outcome}, exit ${run.exitCode ?? '?'}, started ${run.startedAt ?? '?'}`;
    return `  ${what}: ${result} (${run.path})`;
  });
  return `\nLast runs:\n${lines.join('\n')}\n${lastConvergedText(runs)}`;
}
