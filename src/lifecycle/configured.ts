// The record of the NICs this boot's runs configured (/run/eni-init/configured/IF = "IFINDEX MAC"): pure rules.
import { isSafeInterfaceName } from '../net/interface-name.ts';
//
// Why: udev's coldplug replays "add" for every NIC at boot, which started eni-init@IF.service again for each NIC
// the boot run had just configured (issue 13). eni-init@.service's ExecCondition= (packaging/lib/replayed-add)
// skips the run when this record names the interface with its current ifindex; a NIC that really appears later
// has an ifindex no run recorded (the kernel numbers new devices upwards, see below), so it is still configured.
// The detach run reads the MAC of the interface that went away from the same record (sysfs has nothing left).
//
// Evidence for the ifindex: the kernel gives every new net device the next free index above the last one it
// handed out in that namespace (net/core/dev.c, dev_index_reserve() since 6.5, dev_new_index() before), so a
// NIC detached and attached again under the same name gets a new index. /run is a tmpfs (file-hierarchy(7)):
// the record never outlives the boot whose ifindexes it names.

export const CONFIGURED_DIR = '/run/eni-init/configured';

export interface ConfiguredEntry {
  ifindex: number;
  mac: string;
}

/** The ENI entries of a report this module needs (src/report/report.ts EniReport). */
export interface ReportedEni {
  mac: string;
  interface?: string;
  status: string;
  problems: readonly string[];
}

/**
 * Names used as file names under CONFIGURED_DIR and as unit instance names: what `ip` and udev accept,
 * never a path (no "/", not "." or ".."): the one interface-name rule of src/net/interface-name.ts.
 */
export const isRecordableName = (name: string): boolean => isSafeInterfaceName(name);

export function renderEntry(entry: ConfiguredEntry): string {
  return `${entry.ifindex} ${entry.mac}\n`;
}

/** One line "IFINDEX MAC"; anything else (a half-written or foreign file) is no record. */
export function parseEntry(text: string | null): ConfiguredEntry | undefined {
  if (text === null) return undefined;
  const match = /^([1-9]\d{0,9}) ([0-9a-f]{2}(?::[0-9a-f]{2}){5})\n?$/.exec(text);
  if (!match) return undefined;
  return { ifindex: Number(match[1]), mac: match[2] as string };
}

/**
 * The coldplug decision (the shell script packaging/lib/replayed-add makes the same one, see its test): an "add"
 * for IF is a replay when this boot's record names IF with the ifindex IF has now. No record, a foreign file, or an
 * interface that is gone or has another ifindex: a real "add", to be configured.
 */
export function isReplayedAdd(recordText: string | null, currentIfindex: number | undefined): boolean {
  const entry = parseEntry(recordText);
  return entry !== undefined && currentIfindex !== undefined && entry.ifindex === currentIfindex;
}

export interface RecordChanges {
  write: { ifname: string; content: string }[];
  remove: string[];
}

/**
 * What to write and remove after a run, given the ENIs it reported, the current ifindex of every interface named
 * (undefined: gone) and the record as it is. Recorded: every ENI the run left managed and without problems, on an
 * interface that still exists. Removed: entries whose interface is gone or now has another ifindex (another NIC
 * under that name). Unchanged entries are not rewritten: a run that changed nothing writes nothing here.
 */
export function recordChanges(input: {
  enis: readonly ReportedEni[];
  ifindexOf: ReadonlyMap<string, number | undefined>;
  existing: ReadonlyMap<string, string>;
}): RecordChanges {
  const wanted = new Map<string, string>();
  for (const eni of input.enis) {
    const ifname = eni.interface;
    if (ifname === undefined || !isRecordableName(ifname) || eni.status !== 'managed' || eni.problems.length > 0) continue;
    const ifindex = input.ifindexOf.get(ifname);
    if (ifindex === undefined) continue;
    wanted.set(ifname, renderEntry({ ifindex, mac: eni.mac }));
  }
  const write = [...wanted].filter(([ifname, content]) => input.existing.get(ifname) !== content).map(([ifname, content]) => ({ ifname, content }));
  const remove: string[] = [];
  for (const [ifname, text] of input.existing) {
    if (wanted.has(ifname)) continue;
    const entry = parseEntry(text);
    const now = input.ifindexOf.get(ifname);
    if (entry === undefined || now === undefined || entry.ifindex !== now) remove.push(ifname);
  }
  return { write: write.sort((a, b) => a.ifname.localeCompare(b.ifname)), remove: remove.sort() };
}
