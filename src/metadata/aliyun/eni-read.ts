// One ENI while it is read: what `all` gave, what the tree still has to give (one wave), where each value came
// from, and its validation with read failures first (those of the IPv6 side leave the IPv4 side configured).
import type { EniMetadata, FailedEni, MetadataProblem, MetadataSource } from '../../model.ts';
import type { Logger } from '../../log.ts';
import { MetadataRequestError } from '../http.ts';
import type { MetadataHttp } from '../http.ts';
import { parseList } from './forms.ts';
import type { RawValue } from './forms.ts';
import { IPV6_FIELDS, validateEni, withIpv6Unknown } from './validate.ts';
import type { RawEni } from './validate.ts';

const MACS_PATH = '/latest/meta-data/network/interfaces/macs/';
/** A 404 on these is an error of the ENI. */
const REQUIRED_ITEMS = ['network-interface-id', 'primary-ip-address', 'private-ipv4s', 'netmask', 'gateway'];
/** A 404 on these means "none" (or, for the IPv6 gateway and block, "no IPv6": judged with `ipv6s`). */
const OPTIONAL_ITEMS = ['ipv4-prefixes', 'vswitch-cidr-block', ...IPV6_FIELDS];
export const ENI_ITEMS = [...REQUIRED_ITEMS, ...OPTIONAL_ITEMS];

/** One ENI while it is being read: values by item, where each came from, and read failures. */
export interface EniRead {
  mac: string;
  /** The MAC as the service spelled it (listing line or `all` key): item paths use it. */
  spelling: string;
  values: RawEni;
  from: Map<string, 'all' | 'tree'>;
  problems: MetadataProblem[];
}

/** True when `ipv6s` is known to be empty: the other IPv6 items need not be read. */
function noIpv6(value: RawValue | null | undefined): boolean {
  if (value === undefined) return false;
  if (value === null) return true;
  const items = parseList(value);
  return items !== null && items.length === 0;
}

/** The items an ENI still lacks (all of them for an ENI only the tree knows). */
export function missingItems(eni: EniRead): string[] {
  return ENI_ITEMS.filter((item) => !(item in eni.values) && !(IPV6_FIELDS.includes(item) && item !== 'ipv6s' && eni.from.get('ipv6s') === 'all' && noIpv6(eni.values['ipv6s'])));
}

/** Reads `items` of one ENI from the tree; a failed read becomes a problem of that ENI, a hard error stops everything. */
export async function readItems(http: MetadataHttp, eni: EniRead, items: readonly string[]): Promise<void> {
  await Promise.all(
    items.map(async (item) => {
      try {
        eni.values[item] = await http.get(`${MACS_PATH}${eni.spelling}/${item}`, { optional: !REQUIRED_ITEMS.includes(item) });
        eni.from.set(item, 'tree');
        eni.problems = eni.problems.filter((problem) => problem.field !== item);
      } catch (error) {
        if (!(error instanceof MetadataRequestError)) throw error;
        eni.problems.push({ mac: eni.mac, field: item, message: `could not read: ${error.message}` });
      }
    }),
  );
}

export function sourceOf(eni: EniRead): MetadataSource {
  const kinds = new Set(eni.from.values());
  return kinds.has('all') ? (kinds.has('tree') ? 'both' : 'all') : 'tree';
}

/** Validates one ENI: read failures first; of the IPv6 side only, they leave the IPv4 side configured. */
export function validate(eni: EniRead, log: Logger): { ok: EniMetadata } | { failed: FailedEni } {
  // `vswitch-cidr-block` is only informative (the gate compares it with the netmask): unreadable = not served.
  const informative = eni.problems.filter((problem) => problem.field === 'vswitch-cidr-block');
  for (const problem of informative) log.warn('could not read an informative item; going on without it', { mac: eni.mac, item: problem.field, error: problem.message });
  eni.problems = eni.problems.filter((problem) => problem.field !== 'vswitch-cidr-block');
  const result = validateEni(eni.mac, eni.values);
  const unread = new Set(eni.problems.map((problem) => problem.field));
  const v4Unread = eni.problems.filter((problem) => !IPV6_FIELDS.includes(problem.field));
  if (result.ok && v4Unread.length === 0) {
    if (eni.problems.length === 0) return { ok: result.eni };
    // Validation said "missing" for the IPv6 items that could not be read: the read failure is the problem to report.
    const { ipv6Problems, ...rest } = result.eni;
    const kept = (ipv6Problems ?? []).filter((problem) => !unread.has(problem.field));
    return { ok: withIpv6Unknown(kept.length > 0 ? { ...rest, ipv6Problems: kept } : rest, eni.problems) };
  }
  const entry: FailedEni = { mac: eni.mac, problems: [...eni.problems] };
  if (!result.ok) entry.problems.push(...result.failed.problems.filter((problem) => !unread.has(problem.field)));
  const eniId = result.ok ? result.eni.eniId : result.failed.eniId;
  if (eniId !== undefined) entry.eniId = eniId;
  return { failed: entry };
}

/** Fields whose value came from `all` and did not validate: worth one more read from the tree. */
export function suspectFromAll(eni: EniRead): string[] {
  const result = validateEni(eni.mac, eni.values);
  const problems = result.ok ? (result.eni.ipv6Problems ?? []) : result.failed.problems;
  return [...new Set(problems.map((problem) => problem.field))].filter((field) => eni.from.get(field) === 'all');
}
