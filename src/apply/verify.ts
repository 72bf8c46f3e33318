// The verify step: re-reads the live state after a change, keeps the recorded addresses that exist, and diffs again.
import type { LiveState, Operation, Problem, RecordedAddress } from '../model.ts';
import type { DesiredState } from '../plan/desired.ts';
import { diff } from '../plan/diff.ts';
import type { Numbering } from '../plan/numbering.ts';
import { changeEntry } from './batch.ts';

export interface VerifyDeps {
  kernel: { readLive(): Promise<LiveState> };
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

/** Recorded addresses that still exist, each once: the state to keep. */
export function keepPresent(recorded: readonly RecordedAddress[], live: LiveState): RecordedAddress[] {
  const seen = new Set<string>();
  return recorded.filter((entry) => {
    const key = `${entry.ifname}|${entry.address}`;
    const present = live.interfaces.some(
      (iface) => iface.name === entry.ifname && iface.addresses.some((address) => address.address === entry.address && address.prefixLength === entry.prefixLength),
    );
    if (!present || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function verify(input: VerifyInput, deps: VerifyDeps): Promise<Verified> {
  const changed = input.unchanged === undefined;
  const live = input.unchanged ?? (await deps.kernel.readLive());
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
