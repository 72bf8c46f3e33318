// Decided before a run reads anything: a refresh switched off, a replayed coldplug "add", a detach of a NIC that is not ours.
import { UsageError } from '../errors.ts';
import { isReplayedAdd } from './configured.ts';
import { detachedMac } from './detach.ts';
import { refreshSwitchedOff } from './refresh.ts';
import type { Trigger } from '../model.ts';

export type BeforeRun =
  /** An ordinary run. */
  | { kind: 'run' }
  /** Nothing to do: ends at once with exit 0, without the lock, the metadata, a report or a summary line. */
  | { kind: 'skip'; message: string }
  /** A full apply that first waits for the metadata to drop `mac` (the ENI of the interface that went away). */
  | { kind: 'detach'; mac: string };

/**
 * `record` is CONFIGURED_DIR/<--only-interface> (null when absent) and `ifindex` that interface's current ifindex;
 * both are only read for hotplug and detach runs.
 * - refresh with refresh-interval = off: skipped (the timer is masked at the next boot or daemon-reload).
 * - hotplug for an interface this boot's runs configured with this very ifindex: a replayed coldplug "add",
 *   skipped. eni-init@.service skips it earlier with ExecCondition= (systemd >= 243); this covers older systemd,
 *   where that key is ignored (RHEL 8, Alibaba Cloud Linux 3: systemd 239).
 * - detach: the MAC comes from the record; no record, nothing of ours to clean up (interfaces of other tools are
 *   never touched).
 */
export function beforeRun(input: { trigger: Trigger; onlyInterface: string; refreshInterval: string; record: string | null; ifindex: number | undefined }): BeforeRun {
  const { trigger, onlyInterface } = input;
  if (refreshSwitchedOff(trigger, input.refreshInterval)) return { kind: 'skip', message: 'refresh switched off (refresh-interval = off): nothing done' };
  if (trigger === 'hotplug' && onlyInterface !== '' && isReplayedAdd(input.record, input.ifindex)) {
    return { kind: 'skip', message: `${onlyInterface} (ifindex ${input.ifindex ?? '?'}) was configured by an earlier run of this boot: replayed "add", nothing to do` };
  }
  if (trigger === 'detach') {
    if (onlyInterface === '') throw new UsageError('--trigger detach needs --only-interface IFACE (the interface that went away)');
    const mac = detachedMac(input.record);
    if (mac === undefined) return { kind: 'skip', message: `${onlyInterface} was not configured by eni-init in this boot: nothing to clean up` };
    return { kind: 'detach', mac };
  }
  return { kind: 'run' };
}
