// Slot numbering: which routing table and rule priority each ENI owns, stable across runs and reboots.
import type { Family } from '../model.ts';

/** Slots 0..MAX_SLOT; slot 0 is always the primary ENI. */
export const MAX_SLOT = 255;
/** Protocol number that tags every route and rule eni-init creates (`ip` shows `eni-init` once rt_protos.d names it). */
export const PROTOCOL = 203;
export const PROTOCOL_NAMES: ReadonlySet<string> = new Set([String(PROTOCOL), 'eni-init']);

export interface Numbering {
  tableBase: number;
  priorityBase: number;
}

export interface SlotCandidate {
  mac: string;
  ifname: string;
  primary: boolean;
}

/** Plain code-unit order: the same on every host, whatever its locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Trailing decimal number of an interface name: eth1 -> 1, ens5 -> 5, enp0s6 -> 6; null without one. */
function nameNumber(ifname: string): number | null {
  const match = /(\d+)$/.exec(ifname);
  return match ? Number.parseInt(match[1] as string, 10) : null;
}

/**
 * Assigns slots: the primary ENI gets 0; a secondary ENI gets its interface name's number when that is
 * 1..MAX_SLOT and free; the rest, in order of (name number, name), get the lowest free slot.
 * Returns a map from MAC to slot; ENIs that do not fit are absent.
 */
export function assignSlots(candidates: readonly SlotCandidate[]): Map<string, number> {
  const slots = new Map<string, number>();
  const taken = new Set<number>();
  const primary = candidates.find((candidate) => candidate.primary);
  if (primary) {
    slots.set(primary.mac, 0);
    taken.add(0);
  }
  const secondaries = candidates
    .filter((candidate) => !candidate.primary)
    .sort((a, b) => (nameNumber(a.ifname) ?? Infinity) - (nameNumber(b.ifname) ?? Infinity) || compare(a.ifname, b.ifname) || compare(a.mac, b.mac));
  const leftovers: SlotCandidate[] = [];
  for (const candidate of secondaries) {
    const wanted = nameNumber(candidate.ifname);
    if (wanted !== null && wanted >= 1 && wanted <= MAX_SLOT && !taken.has(wanted)) {
      slots.set(candidate.mac, wanted);
      taken.add(wanted);
    } else {
      leftovers.push(candidate);
    }
  }
  let next = 1;
  for (const candidate of leftovers) {
    while (taken.has(next)) next += 1;
    if (next > MAX_SLOT) break;
    slots.set(candidate.mac, next);
    taken.add(next);
  }
  return slots;
}

export const tableFor = (slot: number, numbering: Numbering): number => numbering.tableBase + slot;
export const priorityFor = (slot: number, numbering: Numbering): number => numbering.priorityBase + slot;
/** Priority of the optional `lookup main suppress_prefixlength 0` rule, just before every ENI rule. */
export const mainFirstPriority = (numbering: Numbering): number => numbering.priorityBase - 1;

export function ownsTable(table: number | string, numbering: Numbering): boolean {
  return typeof table === 'number' && table >= numbering.tableBase && table <= numbering.tableBase + MAX_SLOT;
}

export function ownsPriority(priority: number, numbering: Numbering): boolean {
  return priority >= mainFirstPriority(numbering) && priority <= numbering.priorityBase + MAX_SLOT;
}
