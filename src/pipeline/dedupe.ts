// The one-copy step of apply: after the persist step, our copy of what a manager applied from our files is deleted.
import type { ChangeEntry, LiveState, RecordedAddress } from '../model.ts';
import type { DesiredState } from '../plan/desired.ts';
import { diff } from '../plan/diff.ts';
import { DUPLICATE_REASON } from '../plan/copies.ts';
import type { Numbering } from '../plan/numbering.ts';
import { applyOperations } from '../apply/apply.ts';
import type { ApplyDeps } from '../apply/apply.ts';
import type { PersistResult } from '../persist/step.ts';
import { persistFailed } from './persist.ts';

/*
 * Why here, after the persist step, and only for objects a backend's files hold (persistedKeys): a manager adds its
 * copy when it applies our file (NetworkManager's `up`, networkd's reconfigure, initscripts' ifup at boot). Where it
 * did, its copy is the one that lasts (it survives the manager's restarts and re-applies), so ours is the redundant
 * one. With `--persist=none`, or an ENI no running manager took, an identical rule of another protocol is an
 * admin's or another tool's: it may go at any time, and ours must stay; so the redundant-copy rule never applies
 * there. Deleting ours when the manager's copy is the same object in every selector loses no traffic: the kernel
 * keeps matching the other copy. A failed persist step drops nothing.
 */

export interface DedupeInput {
  desired: DesiredState;
  numbering: Numbering;
  recorded: readonly RecordedAddress[];
  persisted: PersistResult;
  /** The live state read before, when nothing changed since (apply had nothing to do, the persist step no change). */
  unchanged?: LiveState;
}

export interface Deduped {
  changes: ChangeEntry[];
  /** Something was deleted: the live state changed. */
  changed: boolean;
  ok: boolean;
}

export async function dropRedundantCopies(input: DedupeInput, deps: ApplyDeps & { kernel: { readLive(): Promise<LiveState> } }): Promise<Deduped> {
  const keys = input.persisted.persistedKeys;
  if (keys === undefined || keys.size === 0 || persistFailed(input.persisted)) return { changes: [], changed: false, ok: true };
  const live = input.unchanged ?? (await deps.kernel.readLive());
  // allowRemovals false: nothing but the redundant copies (which lose nothing) may come out of this diff.
  const plan = diff({ desired: input.desired, live, recorded: input.recorded, numbering: input.numbering, allowRemovals: false, persistedKeys: keys });
  const redundant = plan.operations.filter((operation) => operation.action === 'delete' && operation.reason === DUPLICATE_REASON);
  if (redundant.length === 0) return { changes: [], changed: false, ok: true };
  const applied = await applyOperations(redundant, input.recorded, deps);
  return { changes: applied.changes, changed: true, ok: applied.ok };
}
