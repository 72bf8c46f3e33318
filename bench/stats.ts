// Pure helpers of the bench: medians, process counts from strace output, metadata request classification.

/** The report's phases (report.durations, integer ms), in run order. */
export const PHASES = ['metadata', 'discovery', 'plan', 'apply', 'persist', 'verify'] as const;
export type Phase = (typeof PHASES)[number];

export interface Sample {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function sample(values: readonly number[], digits = 1): Sample {
  const round = (value: number) => Number(value.toFixed(digits));
  return { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)), runs: values.map(round) };
}

export interface ProcessCount {
  /** New processes (fork, vfork, clone/clone3 without CLONE_THREAD) created by the command and its descendants. */
  processes: number;
  /** Successful execve calls, the command's own first one excluded. */
  execs: number;
  /** Executables run, by basename, with counts. */
  byProgram: Record<string, number>;
}

/**
 * Counts from `strace -f -e trace=clone,clone3,fork,vfork,execve -o FILE` output. With -f, a call interrupted by
 * another process's event is split into `PID call(args <unfinished ...>` and `PID <... call resumed>rest) = RET`;
 * the halves are joined per PID before parsing.
 */
export function countProcesses(strace: string): ProcessCount {
  const pending = new Map<string, string>();
  const calls: string[] = [];
  for (const line of strace.split('\n')) {
    const match = /^(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, pid = '', rest = ''] = match;
    if (rest.endsWith('<unfinished ...>')) {
      pending.set(pid, rest.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(rest);
    if (resumed) {
      calls.push(`${pending.get(pid) ?? ''}${resumed[1] ?? ''}`);
      pending.delete(pid);
      continue;
    }
    calls.push(rest);
  }
  let processes = 0;
  let execs = -1;
  const byProgram: Record<string, number> = {};
  for (const call of calls) {
    const name = /^(\w+)\(/.exec(call)?.[1];
    // `... ) = 0`, `... ) = 22007`, `... ) = -1 ENOENT (No such file or directory)`
    const ret = /\)\s+=\s+(-?\d+)(?:\s+[A-Z].*)?$/.exec(call)?.[1];
    const value = ret === undefined ? NaN : Number(ret);
    if (name === 'execve' && value === 0) {
      execs++;
      if (execs > 0) {
        const program = /^execve\("([^"]*)"/.exec(call)?.[1]?.split('/').pop() ?? '?';
        byProgram[program] = (byProgram[program] ?? 0) + 1;
      }
    } else if ((name === 'fork' || name === 'vfork') && value > 0) processes++;
    else if ((name === 'clone' || name === 'clone3') && value > 0 && !call.includes('CLONE_THREAD')) processes++;
  }
  return { processes, execs: Math.max(0, execs), byProgram };
}

export interface RequestBreakdown {
  total: number;
  token: number;
  listing: number;
  /** Requests for per-ENI items (`.../macs/<mac>/<item>`). */
  perEni: number;
  /** Distinct per-ENI item names read. */
  items: string[];
  /** Every other path with its count (instance items, `all`, ...). */
  other: Record<string, number>;
}

/** Classifies the fake metadata service's per-path counts. */
export function classifyRequests(byPath: Record<string, number>): RequestBreakdown {
  const result: RequestBreakdown = { total: 0, token: 0, listing: 0, perEni: 0, items: [], other: {} };
  const items = new Set<string>();
  for (const [path, count] of Object.entries(byPath)) {
    result.total += count;
    const normalized = path.replace(/^\/2016-01-01\//, '/latest/');
    const item = /^\/latest\/meta-data\/network\/interfaces\/macs\/[0-9a-fA-F:]{17}\/([^/]+)$/.exec(normalized)?.[1];
    if (normalized === '/latest/api/token') result.token += count;
    else if (/^\/latest\/meta-data\/network\/interfaces\/macs\/?$/.test(normalized)) result.listing += count;
    else if (item !== undefined) {
      result.perEni += count;
      items.add(item);
    } else result.other[normalized.replace(/^\/latest\/meta-data\/?/, '') || '/'] = count;
  }
  result.items = [...items].sort();
  return result;
}

export function ratio(numerator: number, denominator: number, digits = 2): number {
  return denominator > 0 && Number.isFinite(numerator) ? Number((numerator / denominator).toFixed(digits)) : NaN;
}
