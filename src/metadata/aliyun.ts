// Aliyun provider: reads the `all` document or the per-item tree into a MetadataResult, isolating failures per ENI.
import type { EniMetadata, FailedEni, InstanceInfo, MetadataProblem, MetadataResult } from '../model.ts';
import type { Logger } from '../log.ts';
import { BadMetadataError, MetadataUnreachableError } from '../errors.ts';
import { parseMac } from '../net/address.ts';
import { MetadataRequestError } from './http.ts';
import type { MetadataHttp } from './http.ts';
import { printable, rejectSharedAddresses, trimOneNewline, validateEni } from './validate.ts';
import type { RawEni } from './validate.ts';

const META = '/latest/meta-data';
const MACS_PATH = `${META}/network/interfaces/macs/`;
const REQUIRED_ITEMS = ['network-interface-id', 'primary-ip-address', 'private-ipv4s', 'netmask', 'gateway'];
const OPTIONAL_ITEMS = ['ipv4-prefixes', 'ipv6s'];
/** Read only when the ENI has IPv6 addresses; `true` = required. */
const IPV6_ITEMS: [string, boolean][] = [['ipv6-gateway', true], ['vswitch-ipv6-cidr-block', true], ['ipv6-prefixes', false]];
const INSTANCE_ITEMS = [['instanceId', 'instance-id'], ['regionId', 'region-id'], ['zoneId', 'zone-id']] as const;
/** Read item by item only the instance id: region and zone are not worth two more requests on every boot. */
const TREE_INSTANCE_ITEMS = INSTANCE_ITEMS.slice(0, 1);
const INSTANCE_VALUE = /^[A-Za-z0-9._-]{1,128}$/;
/** Far above any real instance (72 ENIs at most); a longer listing is garbage, not 10,000 ENIs to read. */
const MAX_LISTING_ENTRIES = 256;

/** What both sources produce before validation: the primary MAC, the listing, and raw values (or a read failure) per ENI. */
interface Snapshot {
  instance: InstanceInfo;
  source: 'all' | 'tree';
  enis: { mac: string; raw: RawEni | null; problems: MetadataProblem[] }[];
  badEntries: FailedEni[];
}

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

function primaryMac(path: string, value: unknown): string {
  const mac = typeof value === 'string' ? parseMac(trimOneNewline(value)) : null;
  if (mac === null) throw new BadMetadataError(`metadata ${path} is not a MAC address: ${quote(String(value))}`, { details: { path } });
  return mac;
}

function setInstanceValue(instance: InstanceInfo, key: 'instanceId' | 'regionId' | 'zoneId', item: string, value: unknown, log: Logger): void {
  if (value === null || value === undefined) return;
  const text = typeof value === 'string' ? trimOneNewline(value) : '';
  if (INSTANCE_VALUE.test(text)) instance[key] = text;
  else log.warn('ignoring an invalid metadata value', { item, value: printable(String(value)) });
}

/** Listing lines (`aa:bb:..:ff/`, CRLF or LF, trailing newline or not) -> unique MACs plus failures for bad lines. */
function parseListing(path: string, entries: readonly string[]): { macs: string[]; bad: FailedEni[] } {
  if (entries.length > MAX_LISTING_ENTRIES) {
    throw new BadMetadataError(`metadata ${path} lists ${entries.length} entries (at most ${MAX_LISTING_ENTRIES} expected)`, { details: { path } });
  }
  const macs: string[] = [];
  const bad: FailedEni[] = [];
  for (const entry of entries) {
    const mac = parseMac(entry.endsWith('/') ? entry.slice(0, -1) : entry);
    if (mac === null) {
      const value = printable(entry);
      bad.push({ mac: value, problems: [{ mac: value, field: 'macs', value, message: 'listing entry is not a MAC address' }] });
    } else if (!macs.includes(mac)) {
      macs.push(mac);
    }
  }
  return { macs, bad };
}

function hasIpv6(value: string | string[] | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  return !/^(?:\[ *\])?(?:\r?\n)?$/.test(value);
}

/** Reads one ENI's items; a failed read becomes a problem of that ENI, a hard error (EniInitError) stops everything. */
async function readEniItems(http: MetadataHttp, mac: string): Promise<{ raw: RawEni; problems: MetadataProblem[] }> {
  const raw: RawEni = {};
  const problems: MetadataProblem[] = [];
  const read = async (item: string, isRequired: boolean) => {
    try {
      raw[item] = await http.get(`${MACS_PATH}${mac}/${item}`, { optional: !isRequired });
    } catch (error) {
      if (!(error instanceof MetadataRequestError)) throw error;
      problems.push({ mac, field: item, message: `could not read: ${error.message}` });
    }
  };
  await Promise.all([...REQUIRED_ITEMS.map((item) => read(item, true)), ...OPTIONAL_ITEMS.map((item) => read(item, false))]);
  if (hasIpv6(raw['ipv6s'])) await Promise.all(IPV6_ITEMS.map(([item, isRequired]) => read(item, isRequired)));
  return { raw, problems };
}

async function readTree(http: MetadataHttp, log: Logger): Promise<Snapshot> {
  const [macText, listing, ...extra] = await Promise.all([
    required(http, `${META}/mac`),
    required(http, MACS_PATH),
    ...TREE_INSTANCE_ITEMS.map(([, item]) =>
      http.get(`${META}/${item}`, { optional: true }).catch((error: unknown) => {
        if (!(error instanceof MetadataRequestError)) throw error;
        log.warn('could not read an instance metadata item', { item, error: error.message });
        return null;
      }),
    ),
  ]);
  const instance: InstanceInfo = { primaryMac: primaryMac(`${META}/mac`, macText) };
  TREE_INSTANCE_ITEMS.forEach(([key, item], index) => setInstanceValue(instance, key, item, extra[index], log));

  const { macs, bad } = parseListing(MACS_PATH, listing.split(/\r?\n/).filter((line) => line !== ''));
  if (macs.length === 0) throw new BadMetadataError(`metadata ${MACS_PATH} lists no valid MAC: ${quote(listing)}`, { details: { path: MACS_PATH } });
  const enis = await Promise.all(macs.map(async (mac) => ({ mac, ...(await readEniItems(http, mac)) })));
  return { instance, source: 'tree', enis, badEntries: bad };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value of the `all` document as a raw value: strings and string lists as given, anything else as (invalid) text. */
function rawValue(value: unknown): string | string[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return JSON.stringify(value);
}

/** The `all` document, or null when the service has none or it is not shaped like the tree (then the tree is read). */
async function readAll(http: MetadataHttp, log: Logger): Promise<Snapshot | null> {
  const path = `${META}/all`;
  let text: string | null;
  try {
    text = await http.get(path, { optional: true });
  } catch (error) {
    const status = error instanceof MetadataRequestError ? error.status : undefined;
    if (status === undefined || status >= 500 || status === 429) throw fatal(path, error);
    log.warn('metadata all document unusable; reading items one by one', { error: (error as Error).message });
    return null;
  }
  if (text === null) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const network = isObject(doc) && isObject(doc['network']) ? doc['network'] : {};
  const macsObject = isObject(network['interfaces']) ? network['interfaces']['macs'] : undefined;
  if (!isObject(doc) || !isObject(macsObject) || typeof doc['mac'] !== 'string') {
    log.warn('metadata all document not shaped like the tree; reading items one by one', { value: printable(text) });
    return null;
  }
  const instance: InstanceInfo = { primaryMac: primaryMac(`${path} (mac)`, doc['mac']) };
  for (const [key, item] of INSTANCE_ITEMS) setInstanceValue(instance, key, item, doc[item], log);

  const { macs, bad } = parseListing(path, Object.keys(macsObject));
  if (macs.length === 0) throw new BadMetadataError(`metadata ${path} lists no valid MAC: ${quote(Object.keys(macsObject).join(','))}`);
  const enis = Object.entries(macsObject).flatMap(([key, value]): Snapshot['enis'] => {
    const mac = parseMac(key.replace(/\/$/, ''));
    if (mac === null || !macs.includes(mac)) return [];
    macs.splice(macs.indexOf(mac), 1);
    if (!isObject(value)) return [{ mac, raw: null, problems: [{ mac, field: 'macs', message: `${path}: entry is not an object` }] }];
    const raw: RawEni = {};
    const items = [...REQUIRED_ITEMS, ...OPTIONAL_ITEMS, ...IPV6_ITEMS.map(([item]) => item)];
    for (const item of items) raw[item] = rawValue(value[item]);
    return [{ mac, raw, problems: [] }];
  });
  return { instance, source: 'all', enis, badEntries: bad };
}

/** Reads and validates the metadata of every ENI the service lists. */
export async function readAliyunMetadata(http: MetadataHttp, log: Logger): Promise<MetadataResult> {
  const snapshot = (await readAll(http, log)) ?? (await readTree(http, log));
  const enis: EniMetadata[] = [];
  const failed: FailedEni[] = [...snapshot.badEntries];
  for (const { mac, raw, problems } of snapshot.enis) {
    const result = raw === null ? null : validateEni(mac, raw);
    if (result?.ok && problems.length === 0) {
      enis.push(result.eni);
      continue;
    }
    // Read failures first; validation problems only for the fields that were read.
    const unread = new Set(problems.map((problem) => problem.field));
    const entry: FailedEni = { mac, problems: [...problems] };
    if (result !== null && !result.ok) entry.problems.push(...result.failed.problems.filter((problem) => !unread.has(problem.field)));
    const eniId = result === null ? undefined : result.ok ? result.eni.eniId : result.failed.eniId;
    if (eniId !== undefined) entry.eniId = eniId;
    failed.push(entry);
  }
  const shared = rejectSharedAddresses(enis);
  enis.splice(0, enis.length, ...shared.enis);
  failed.push(...shared.failed);
  for (const entry of failed) {
    const first = entry.problems[0];
    log.warn('ENI metadata unusable; leaving that ENI alone', { mac: entry.mac, field: first?.field, problem: first?.message });
  }
  // A listing without the primary ENI is not the whole truth: nothing may be removed on it.
  const listsPrimary = snapshot.enis.some((eni) => eni.mac === snapshot.instance.primaryMac);
  if (!listsPrimary) log.warn('primary MAC not in the interface listing; removals held back', { mac: snapshot.instance.primaryMac });
  return {
    instance: snapshot.instance,
    enis,
    failed,
    complete: failed.length === 0 && listsPrimary,
    requests: http.requestCount(),
    tokenMode: http.tokenMode(),
    source: snapshot.source,
  };
}
