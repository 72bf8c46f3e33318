// The detach run (eni-init-detach@IF.service, from udev's "remove"): which ENI went away, and waiting for the metadata to drop it.
import type { MetadataResult } from '../model.ts';
import { listsMac } from '../discover/discover.ts';
import { parseEntry } from './configured.ts';

/**
 * The MAC of the ENI whose interface went away, from this boot's record (CONFIGURED_DIR/IF): sysfs has nothing
 * left of a removed device, and udev's "remove" event carries no ATTR{address}. No record: eni-init did not
 * configure that interface in this boot (another tool's NIC, or one that failed), so the detach run has nothing
 * to clean up and ends without reading the metadata; the next refresh still converges the host.
 */
export function detachedMac(recordText: string | null): string | undefined {
  return parseEntry(recordText)?.mac;
}

/** Between two reads while waiting for the metadata to drop a detached ENI (the service lags the detach by seconds). */
export const DROP_POLL_MS = 2000;

/**
 * Reads the metadata until a complete read no longer lists `mac`, or `until` (epoch ms) passes; returns that last
 * read, with the requests of every read counted. The run that follows removes the ENI's rules and files only
 * when the read it gets is complete and does not list the MAC (the rule of every run); a read that still lists it
 * at `until`, or an incomplete one, leaves them to the next refresh. A read that fails (outage) ends the wait
 * with its error: the run reports the outage and changes nothing.
 */
export async function readUntilDropped(input: {
  mac: string;
  read(): Promise<MetadataResult>;
  now(): number;
  sleep(ms: number): Promise<void>;
  until: number;
  pollMs?: number;
  onWait?(metadata: MetadataResult): void;
}): Promise<MetadataResult> {
  const pollMs = input.pollMs ?? DROP_POLL_MS;
  let requests = 0;
  for (;;) {
    const metadata = await input.read();
    requests += metadata.requests;
    const dropped = metadata.complete && !listsMac(metadata, input.mac);
    if (dropped || input.now() + pollMs > input.until) return { ...metadata, requests };
    input.onWait?.(metadata);
    await input.sleep(pollMs);
  }
}
