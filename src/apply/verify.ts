// The verify step: re-reads the live state after a change, keeps the recorded addresses that exist, and diffs again.
import type { Family, LiveState, Operation, Problem, RecordedAddress } from '../model.ts';
import type { DesiredState } from '../plan/desired.ts';
import { diff } from '../plan/diff.ts';
import type { Numbering } from '../plan/numbering.ts';
import { changeEntry } from './batch.ts';

export interface VerifyDeps {
  kernel: { readLive(families?: readonly Family[]): Promise<LiveState> };
  state: { write(addresses: RecordedAddress[]): Promise<void> };
}

export interface VerifyInput {
  desired: DesiredState;
  /** The addresses recorded by the apply step: kept where they still exist. */
  recorded: readonly RecordedAddress[];
  numbering: Numbering;
  allowRemovals: boolean;
  /** The live state read before, when nothing was changed since: then it is not read again, nor verified. */
  unchanged?: LiveState;
  /**
   * Only these families were changed (the apply batches'; a persist step that changed files counts as both):
   * only they are read again; the other family is taken from `before`, the state the plan was made from.
   */
  touched?: { families: readonly Family[]; before: LiveState };
  /** The state file as read: when nothing changed, it is rewritten only if stale or corrupt (reported once). */
  stored: { addresses: readonly RecordedAddress[]; problem?: string };
}

export interface Verified {
  live: LiveState;
  /** The recorded addresses that exist: what the state file now holds. */
  kept: RecordedAddress[];
  /** What a plan made now would still do: empty when the change took. */
  remaining: Operation[];
}

/** Recorded addresses that still exist, each once: the state to keep. Linear: one Set of the live addresses. */
export function keepPresent(recorded: readonly RecordedAddress[], live: LiveState): RecordedAddress[] {
  const liveKeys = new Set<string>();
  for (const iface of live.interfaces) for (const address of iface.addresses) liveKeys.add(`${iface.name}|${address.address}|${address.prefixLength}`);
  const seen = new Set<string>();
  return recorded.filter((entry) => {
    const key = `${entry.ifname}|${entry.address}`;
    if (!liveKeys.has(`${key}|${entry.prefixLength}`) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The live state after a change, reading again only the families the change touched. Why the rest of `before`
 * still holds: the lock keeps other eni-init runs out, our batch of one family (`ip -4`/`-6`, link-up lines are
 * IPv4's) changes nothing of the other, and the persist step (managers that may change anything) makes its
 * caller pass both families. So every mismatch our own change can leave is still found; what a program other
 * than eni-init changes meanwhile in a family we did not touch is left to the next run, as it is between runs.
 */
export async function readTouched(touched: VerifyInput['touched'], deps: VerifyDeps): Promise<LiveState> {
  if (touched === undefined || (touched.families.includes(4) && touched.families.includes(6))) return deps.kernel.readLive();
  const fresh = await deps.kernel.readLive(touched.families);
  const kept = (family: Family) => !touched.families.includes(family);
  const beforeOf = new Map(touched.before.interfaces.map((iface) => [iface.name, iface.addresses]));
  // IPv4 first, as a full read lists them (a stable sort keeps each family's own order).
  const merge = <T extends { family: Family }>(old: readonly T[], now: readonly T[]) => [...old.filter((item) => kept(item.family)), ...now.filter((item) => !kept(item.family))].sort((a, b) => a.family - b.family);
  return {
    interfaces: fresh.interfaces.map((iface) => ({ ...iface, addresses: merge(beforeOf.get(iface.name) ?? [], iface.addresses) })),
    routes: merge(touched.before.routes, fresh.routes),
    rules: merge(touched.before.rules, fresh.rules),
  };
}

export async function verify(input: VerifyInput, deps: VerifyDeps): Promise<Verified> {
  const changed = input.unchanged === undefined;
  const live = input.unchanged ?? (await readTouched(input.touched, deps));
  const kept = keepPresent(input.recorded, live);
  if (changed || kept.length !== input.stored.addresses.length || input.stored.problem !== undefined) await deps.state.write(kept);
  if (!changed) return { live, kept, remaining: [] };
  const { operations } = diff({ desired: input.desired, live, recorded: kept, numbering: input.numbering, allowRemovals: input.allowRemovals });
  return { live, kept, remaining: operations };
}

/** One `verify` problem per operation still needed after applying (`apply`) or still present (`remove`). */
export function verifyProblems(remaining: readonly Operation[], command: 'apply' | 'remove'): Problem[] {
  return remaining.map((operation) =>
    command === 'apply'
      ? { code: 'verify', message: `after applying, still needed: ${changeEntry(operation).command}`, ...(operation.mac === undefined ? {} : { mac: operation.mac }) }
      : { code: 'verify', message: `still present after remove: ${changeEntry(operation).command}` },
  );
}
