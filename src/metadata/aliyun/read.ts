// Aliyun metadata reader: takes what `meta-data/all` holds, reads what every ENI still lacks from the tree in one
// concurrent wave, and validates each ENI on its own (its IPv6 side apart) into a MetadataResult.
import type { EniMetadata, FailedEni, InstanceInfo, MetadataResult, MetadataSource } from '../../model.ts';
import type { Logger } from '../../log.ts';
import { BadMetadataError, EniInitError, MetadataUnreachableError } from '../../errors.ts';
import { canonicalMac } from '../../net/mac.ts';
import { MetadataRequestError } from '../http.ts';
import type { MetadataHttp } from '../http.ts';
import { parseAllDocument } from './all-doc.ts';
import type { AllDocument } from './all-doc.ts';
import { listingEntries, trimValue } from './forms.ts';
import { printable } from './validate.ts';
import { ENI_ITEMS, missingItems, readItems, sourceOf, suspectFromAll, validate } from './eni-read.ts';
import type { EniRead } from './eni-read.ts';

export const META = '/latest/meta-data';
export const ALL_PATH = `${META}/all`;
export const MACS_PATH = `${META}/network/interfaces/macs/`;
export const TOKEN_PATH = '/latest/api/token';
const INSTANCE_ITEMS = [['instanceId', 'instance-id'], ['regionId', 'region-id'], ['zoneId', 'zone-id']] as const;
const INSTANCE_VALUE = /^[A-Za-z0-9._-]{1,128}$/;
/** Far above any real instance (72 ENIs at most); a longer listing is garbage, not 10,000 ENIs to read. */
const MAX_LISTING_ENTRIES = 256;

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

/** A failed read of an instance-level item is fatal: an answer we cannot use, or none before the deadline. */
function fatal(path: string, error: unknown): unknown {
  if (!(error instanceof MetadataRequestError)) return error;
  const { status } = error;
  const details = { path, status };
  if (status !== undefined && status < 500 && status !== 429) {
    return new BadMetadataError(`metadata ${path} unusable: ${error.message}`, { cause: error, details });
  }
  return new MetadataUnreachableError(`metadata ${path} not delivered before the deadline: ${error.message}`, { cause: error, details });
}

async function required(http: MetadataHttp, path: string): Promise<string> {
  try {
    return (await http.get(path)) ?? '';
  } catch (error) {
    throw fatal(path, error);
  }
}

function primaryMac(path: string, value: string): string {
  const mac = canonicalMac(trimValue(value));
  if (mac === null) throw new BadMetadataError(`metadata ${path} is not a MAC address: ${quote(value)}`, { details: { path } });
  return mac;
}

function setInstanceValue(instance: InstanceInfo, key: 'instanceId' | 'regionId' | 'zoneId', item: string, value: string | null | undefined, log: Logger): void {
  if (value === null || value === undefined) return;
  const text = trimValue(value);
  if (INSTANCE_VALUE.test(text)) instance[key] = text;
  else log.warn('ignoring an invalid metadata value', { item, value: printable(value) });
}

/** Listing entries -> unique MACs with their spelling, plus failures for bad lines. */
function parseListing(path: string, entries: readonly string[]): { macs: Map<string, string>; bad: FailedEni[] } {
  if (entries.length > MAX_LISTING_ENTRIES) {
    throw new BadMetadataError(`metadata ${path} lists ${entries.length} entries (at most ${MAX_LISTING_ENTRIES} expected)`, { details: { path } });
  }
  const macs = new Map<string, string>();
  const bad: FailedEni[] = [];
  for (const entry of entries) {
    const mac = canonicalMac(entry);
    if (mac === null) {
      const value = printable(entry);
      bad.push({ mac: value, problems: [{ mac: value, field: 'macs', value, message: 'listing entry is not a MAC address' }] });
    } else if (!macs.has(mac)) {
      macs.set(mac, entry);
    }
  }
  return { macs, bad };
}

/** The `all` document, or null when the service has none or it could not be read (then the tree is read). */
async function readAll(http: MetadataHttp, log: Logger): Promise<AllDocument | null> {
  let text: string | null;
  try {
    text = await http.get(ALL_PATH, { optional: true });
  } catch (error) {
    if (error instanceof EniInitError || !(error instanceof MetadataRequestError)) throw error;
    log.warn('metadata all document unreadable; reading items one by one', { error: error.message });
    return null;
  }
  if (text === null) return null;
  const doc = parseAllDocument(text);
  if (doc === null) log.warn('metadata all document is not a JSON object; reading items one by one', { value: printable(text) });
  return doc;
}

/** Reads and validates the metadata of every ENI the service lists. */
export async function readAliyunMetadata(http: MetadataHttp, log: Logger): Promise<MetadataResult> {
  const doc = await readAll(http, log);
  const instance: InstanceInfo = { primaryMac: '' };
  const enis = new Map<string, EniRead>();
  const badEntries: FailedEni[] = [...(doc?.bad ?? [])];
  let listingRead = false;
  let listingOk = true;

  const useListing = (text: string) => {
    const { macs, bad } = parseListing(MACS_PATH, listingEntries(text));
    badEntries.push(...bad);
    for (const [mac, spelling] of macs) {
      if (!enis.has(mac)) enis.set(mac, { mac, spelling, values: {}, from: new Map(), problems: [] });
    }
    return macs.size;
  };

  // From `all`: the primary MAC, instance values, and every ENI's items in a usable type.
  if (doc?.primaryMac !== undefined && canonicalMac(trimValue(doc.primaryMac)) !== null) instance.primaryMac = primaryMac(`${ALL_PATH} (mac)`, doc.primaryMac);
  // More ENIs than any instance has is garbage, not thousands of ENIs to read: the listing decides then.
  const allEnis = doc?.enis ?? [];
  if (allEnis.length > MAX_LISTING_ENTRIES) log.warn('metadata all document lists too many MACs; ignoring its ENIs', { count: allEnis.length });
  for (const eni of allEnis.length > MAX_LISTING_ENTRIES ? [] : allEnis) {
    const read: EniRead = { mac: eni.mac, spelling: eni.spelling, values: {}, from: new Map(), problems: [] };
    for (const [item, value] of Object.entries(eni.items)) {
      if (!ENI_ITEMS.includes(item)) continue;
      read.values[item] = value;
      read.from.set(item, 'all');
    }
    enis.set(eni.mac, read);
  }
  for (const [key, item] of INSTANCE_ITEMS) setInstanceValue(instance, key, item, doc?.values[item], log);

  // What `all` cannot tell: read before the ENIs (the primary MAC and the listing decide what is read next).
  if (instance.primaryMac === '' || enis.size === 0) {
    const [macText, listing, instanceId] = await Promise.all([
      instance.primaryMac === '' ? required(http, `${META}/mac`) : Promise.resolve(null),
      required(http, MACS_PATH),
      instance.instanceId === undefined
        ? http.get(`${META}/instance-id`, { optional: true }).catch((error: unknown) => {
            if (!(error instanceof MetadataRequestError)) throw error;
            log.warn('could not read an instance metadata item', { item: 'instance-id', error: error.message });
            return null;
          })
        : Promise.resolve(null),
    ]);
    if (macText !== null) instance.primaryMac = primaryMac(`${META}/mac`, macText);
    setInstanceValue(instance, 'instanceId', 'instance-id', instanceId, log);
    listingRead = true;
    if (useListing(listing) === 0) throw new BadMetadataError(`metadata ${MACS_PATH} lists no valid MAC: ${quote(listing)}`, { details: { path: MACS_PATH } });
  }

  // One wave: every item every known ENI lacks, and (when `all` gave the ENIs) the listing, to catch an ENI it left out.
  const known = [...enis.values()];
  const listingTask = listingRead
    ? Promise.resolve()
    : http.get(MACS_PATH).then(
        (text) => {
          if (useListing(text ?? '') === 0) listingOk = false;
        },
        (error: unknown) => {
          if (!(error instanceof MetadataRequestError)) throw error;
          listingOk = false;
          log.warn('could not read the interface listing; taking the ENIs of the all document, removals held back', { error: error.message });
        },
      );
  await Promise.all([listingTask, ...known.map((eni) => readItems(http, eni, missingItems(eni)))]);
  // ENIs the listing names but `all` left out: read whole (only then a further round trip).
  const late = [...enis.values()].filter((eni) => !known.includes(eni));
  if (late.length > 0) await Promise.all(late.map((eni) => readItems(http, eni, missingItems(eni))));
  // A value from `all` that does not validate is read once more from the tree before the ENI is given up.
  const retry = [...enis.values()].map((eni) => [eni, suspectFromAll(eni)] as const).filter(([, fields]) => fields.length > 0);
  if (retry.length > 0) {
    log.warn('values of the all document did not validate; reading them from the tree', { enis: retry.map(([eni, fields]) => `${eni.mac}: ${fields.join(',')}`).join('; ') });
    await Promise.all(retry.map(([eni, fields]) => readItems(http, eni, fields)));
  }

  const valid: EniMetadata[] = [];
  const failed: FailedEni[] = [...badEntries];
  const sources: Record<string, MetadataSource> = {};
  for (const eni of enis.values()) {
    sources[eni.mac] = sourceOf(eni);
    const outcome = validate(eni, log);
    if ('ok' in outcome) valid.push(outcome.ok);
    else failed.push(outcome.failed);
  }
  // An address or prefix listed by two ENIs is the gate's to reject (src/plan/gate.ts), with every other semantic check.
  for (const entry of failed) {
    const first = entry.problems[0];
    log.warn('ENI metadata unusable; leaving that ENI alone', { mac: entry.mac, field: first?.field, problem: first?.message });
  }
  const ipv6Unknown = valid.filter((eni) => eni.ipv6Problems !== undefined);
  for (const eni of ipv6Unknown) {
    const first = eni.ipv6Problems?.[0];
    log.warn('ENI IPv6 metadata unusable; configuring its IPv4 side only, keeping what IPv6 it has', { mac: eni.mac, field: first?.field, problem: first?.message });
  }
  // A listing without the primary ENI is not the whole truth: nothing may be removed on it.
  const listsPrimary = enis.has(instance.primaryMac);
  if (!listsPrimary) log.warn('primary MAC not in the interface listing; removals held back', { mac: instance.primaryMac });
  const byPath = http.requestsByPath();
  const token = byPath[TOKEN_PATH] ?? 0;
  const all = byPath[ALL_PATH] ?? 0;
  return {
    instance,
    enis: valid,
    failed,
    complete: failed.length === 0 && ipv6Unknown.length === 0 && listsPrimary && listingOk,
    requests: http.requestCount(),
    tokenMode: http.tokenMode(),
    source: Object.values(sources).some((source) => source !== 'tree') ? 'all' : 'tree',
    sources,
    requestsBy: { token, all, tree: http.requestCount() - token - all },
  };
}
