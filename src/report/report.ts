// The versioned report: one object for JSON output, the report file and the human summary.
import type { ChangeEntry, FileEntry, InstanceInfo, Operation, Problem, Trigger } from '../model.ts';
import type { Command } from '../cli/spec.ts';
import type { DesiredEni, DesiredState, EniStatus } from '../plan/desired.ts';
import { EXIT } from '../errors.ts';


export const REPORT_SCHEMA_VERSION = 1;

export type Outcome =
  | 'converged'
  | 'no-change'
  | 'partial'
  | 'planned'
  | 'in-sync'
  | 'drift'
  | 'removed'
  | 'metadata-unreachable'
  | 'bad-metadata'
  | 'apply-failed'
  | 'busy'
  | 'interrupted'
  | 'environment'
  | 'permission'
  | 'read-failed'
  | 'not-on-cloud'
  | 'internal';

/** The phases of a run, in pipeline order; `durations` has one entry per phase that ran. */
export const PHASES = ['metadata', 'discovery', 'plan', 'apply', 'persist', 'verify'] as const;
export type Phase = (typeof PHASES)[number];

export interface EniReport {
  mac: string;
  eniId?: string;
  interface?: string;
  primary: boolean;
  status: EniStatus;
  slot?: number;
  table?: number;
  priority?: number;
  ipv4: string[];
  ipv6: string[];
  gateway?: string;
  subnet?: string;
  /** Which network manager keeps this ENI's setup across its restarts (`none`: eni-init at boot), and why. */
  persist?: { backend: string; why: string };
  /** Number of changes made (apply, remove) or pending (plan, status) for this ENI. */
  changes: number;
  problems: string[];
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: 'eni-init';
  version: string;
  command: Command;
  startedAt: string;
  durationMs: number;
  /** Integer milliseconds per phase that ran (a phase not run is absent). */
  durations: Partial<Record<Phase, number>>;
  outcome: Outcome;
  exitCode: number;
  dryRun: boolean;
  instance?: InstanceInfo;
  metadata?: {
    url: string;
    tokenMode: string;
    source: string;
    requests: number;
    complete: boolean;
    /** Requests by kind: token PUT, the `all` document, per-item (tree) reads. */
    requestsBy?: { token: number; all: number; tree: number };
    /** Per ENI MAC: where its values came from (`all`, `tree` or `both`). */
    sources?: Record<string, string>;
  };
  enis: EniReport[];
  unmanagedInterfaces: { name: string; mac: string }[];
  files: FileEntry[];
  changes: ChangeEntry[];
  /** Removals held back because metadata was incomplete or the ENI is protected. */
  deferred: ChangeEntry[];
  problems: Problem[];
  error?: { code: string; message: string; details?: Record<string, unknown> };
  /** Why the run started: boot, hotplug, detach, refresh or manual (--trigger, set by the units). */
  trigger?: Trigger;
}

/** A report with nothing in it yet: the outcome says `internal` until the run finishes it. */
export function emptyReport(command: Command, version: string, startedAt: number): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'eni-init',
    version,
    command,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: 0,
    durations: {},
    outcome: 'internal',
    exitCode: EXIT.INTERNAL,
    dryRun: command === 'plan' || command === 'status',
    enis: [],
    unmanagedInterfaces: [],
    files: [],
    changes: [],
    deferred: [],
    problems: [],
  };
}

export function eniReport(eni: DesiredEni, changes: number): EniReport {
  const report: EniReport = {
    mac: eni.mac,
    primary: eni.primary,
    status: eni.status,
    ipv4: eni.metadata?.privateIpv4s ?? [],
    ipv6: eni.metadata?.ipv6s ?? [],
    changes,
    problems: eni.problems.map((problem) => `${problem.field}${problem.value === undefined ? '' : ` ${JSON.stringify(problem.value)}`}: ${problem.message}`),
  };
  const optional = {
    eniId: eni.eniId,
    interface: eni.ifname,
    gateway: eni.metadata?.gateway,
    subnet: eni.metadata?.subnet,
    ...(eni.status === 'managed' && (!eni.primary || eni.objects.some((object) => object.kind === 'rule'))
      ? { slot: eni.slot, table: eni.table, priority: eni.priority }
      : {}),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (report as unknown as Record<string, unknown>)[key] = value;
  return report;
}

/** One report entry per ENI with its number of operations (counted in one pass). */
export function eniReports(desired: DesiredState, operations: readonly Operation[]): EniReport[] {
  const counts = new Map<string, number>();
  for (const operation of operations) if (operation.mac !== undefined) counts.set(operation.mac, (counts.get(operation.mac) ?? 0) + 1);
  return desired.enis.map((eni) => eniReport(eni, counts.get(eni.mac) ?? 0));
}
