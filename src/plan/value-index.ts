// Pure: addresses indexed by their integer value, so "which of them does this range cover" costs a binary search, not a scan.
import type { Family } from '../model.ts';
import { ipValue } from './ranges.ts';
import type { Range } from './ranges.ts';

/** Entries of one kind (e.g. live addresses) sorted by value per family; each keeps its place in the input. */
export interface ValueIndex<T> {
  byFamily: Record<Family, { value: bigint; order: number; item: T }[]>;
}

/** Indexes `items` by the value of `addressOf(item)` in `familyOf(item)`; an item whose address is no address of its family is left out. */
export function valueIndex<T>(items: readonly T[], familyOf: (item: T) => Family, addressOf: (item: T) => string): ValueIndex<T> {
  const byFamily: ValueIndex<T>['byFamily'] = { 4: [], 6: [] };
  items.forEach((item, order) => {
    const family = familyOf(item);
    const value = ipValue(addressOf(item), family);
    if (value !== undefined) byFamily[family].push({ value, order, item });
  });
  for (const entries of Object.values(byFamily)) entries.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.order - b.order));
  return { byFamily };
}

/** The items whose value lies inside `range`, in their input order: O(log n + hits). */
export function covered<T>(index: ValueIndex<T>, range: Range): T[] {
  const entries = index.byFamily[range.family];
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((entries[middle] as { value: bigint }).value < range.first) low = middle + 1;
    else high = middle;
  }
  const hits: { order: number; item: T }[] = [];
  for (let i = low; i < entries.length && (entries[i] as { value: bigint }).value <= range.last; i += 1) hits.push(entries[i] as { order: number; item: T });
  return hits.sort((a, b) => a.order - b.order).map((hit) => hit.item);
}
