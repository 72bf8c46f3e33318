// Shell of the per-boot NIC record: reads /sys/class/net/IF/ifindex and CONFIGURED_DIR, writes and removes entries.
import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import posix from 'node:path/posix';
import { writeFileAtomic } from '../files/atomic.ts';
import { CONFIGURED_DIR, isRecordableName, recordChanges } from './configured.ts';
import type { RecordChanges, ReportedEni } from './configured.ts';

/** The interface's ifindex now (sysfs: Documentation/ABI/testing/sysfs-class-net, "ifindex"); undefined when it is gone. */
export async function readIfindex(ifname: string): Promise<number | undefined> {
  if (!isRecordableName(ifname)) return undefined;
  try {
    const value = Number((await readFile(`/sys/class/net/${ifname}/ifindex`, 'utf8')).trim());
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The record of one interface, or null. `at` maps a host path to the --root path. */
export async function readRecord(at: (path: string) => string, ifname: string): Promise<string | null> {
  if (!isRecordableName(ifname)) return null;
  try {
    return await readFile(at(posix.join(CONFIGURED_DIR, ifname)), 'utf8');
  } catch {
    return null;
  }
}

async function readExisting(at: (path: string) => string): Promise<Map<string, string>> {
  const existing = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(at(CONFIGURED_DIR));
  } catch {
    return existing;
  }
  const recordable = names.filter(isRecordableName);
  const texts = await Promise.all(recordable.map((name) => readRecord(at, name)));
  recordable.forEach((name, index) => {
    const text = texts[index];
    if (text !== null && text !== undefined) existing.set(name, text);
  });
  return existing;
}

/**
 * Brings the record in line with a finished apply run (see recordChanges): writes only entries that differ,
 * removes stale ones. Returns what it did. Errors propagate: the caller logs them as a warning (the record only
 * saves work; without it the next coldplug "add" configures that NIC again, as before).
 */
export async function syncConfigured(
  at: (path: string) => string,
  enis: readonly ReportedEni[],
  ifindexOf: (ifname: string) => Promise<number | undefined> = readIfindex,
): Promise<RecordChanges> {
  const existing = await readExisting(at);
  const names = new Set([...existing.keys(), ...enis.flatMap((eni) => (eni.interface === undefined ? [] : [eni.interface]))]);
  const ifindexes = new Map(await Promise.all([...names].map(async (name) => [name, await ifindexOf(name)] as const)));
  const changes = recordChanges({ enis, ifindexOf: ifindexes, existing });
  if (changes.write.length > 0) await mkdir(at(CONFIGURED_DIR), { recursive: true, mode: 0o755 });
  // One record per NIC (72 on the largest instance), side by side; /run is a tmpfs, so no fsync (files/atomic.ts).
  await Promise.all([
    ...changes.write.map((entry) => writeFileAtomic(at(posix.join(CONFIGURED_DIR, entry.ifname)), entry.content, { mode: 0o644, durable: false })),
    ...changes.remove.map((ifname) => unlink(at(posix.join(CONFIGURED_DIR, ifname))).catch(() => undefined)),
  ]);
  return changes;
}
