// The apply step: the plan's operations as one `ip -batch` per family, with the added addresses recorded first.
import type { ChangeEntry, Family, Operation, RecordedAddress } from '../model.ts';
import type { BatchFailure } from '../kernel/parse.ts';
import type { Logger } from '../log.ts';
import { changeEntry, renderBatches } from './batch.ts';

export interface ApplyDeps {
  log: Logger;
  kernel: {
    /** Runs the lines as one `ip -force -batch` of that family; failures name their 1-based line. */
    runBatch(family: Family, lines: string[]): Promise<{ ok: boolean; failures: BatchFailure[] }>;
  };
  state: { write(addresses: RecordedAddress[]): Promise<void> };
}

export interface Applied {
  /** Every line ran without a failure. */
  ok: boolean;
  /** The recorded addresses the plan still trusts, plus the ones this step added. */
  recorded: RecordedAddress[];
  /** One entry per line run, in order, with its failure if it failed. */
  changes: ChangeEntry[];
}

/** The addresses the operations add: recorded before they are added (write-ahead), so a crash never orphans one. */
export function addedAddresses(operations: readonly Operation[]): RecordedAddress[] {
  return operations.flatMap((operation) =>
    operation.action === 'add' && operation.object.kind === 'address'
      ? [{ ifname: operation.object.ifname, mac: operation.mac ?? '', family: operation.object.family, address: operation.object.address, prefixLength: operation.object.prefixLength }]
      : [],
  );
}

/** Runs the operations as one `ip -batch` per family (IPv4 first); records added addresses first (write-ahead). */
export async function applyOperations(operations: readonly Operation[], recorded: readonly RecordedAddress[], deps: ApplyDeps): Promise<Applied> {
  const added = addedAddresses(operations);
  const allRecorded = [...recorded, ...added];
  if (added.length > 0) await deps.state.write(allRecorded);
  let ok = true;
  const changes: ChangeEntry[] = [];
  const batches = renderBatches(operations);
  for (const family of [4, 6] as const) {
    const lines = batches[family];
    if (lines.length === 0) continue;
    deps.log.info(`applying ${lines.length} change${lines.length === 1 ? '' : 's'}`, { family: `ipv${family}` });
    const result = await deps.kernel.runBatch(family, lines.map((entry) => entry.line));
    const failedAt = new Map(result.failures.map((failure) => [failure.line, failure.message]));
    lines.forEach((entry, index) => changes.push(changeEntry(entry.operation, failedAt.get(index + 1), entry.line)));
    for (const failure of result.failures) deps.log.error('ip command failed', { command: failure.command, error: failure.message });
    if (!result.ok) ok = false;
  }
  return { ok, recorded: allRecorded, changes };
}
