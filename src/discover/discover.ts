// Discovery: wait, within the deadline, until local interfaces and metadata agree on the ENIs to configure.
import type { LiveInterface, LiveState, MetadataResult, Problem } from '../model.ts';
import type { Logger } from '../log.ts';
import { canonicalMac } from '../net/mac.ts';

/** What discovery needs: a clock, the interface list and live state, and the metadata (re-read while waiting). */
export interface DiscoverDeps {
  log: Logger;
  now(): number;
  sleep(ms: number): Promise<void>;
  stopRequested(): boolean;
  readMetadata(deadline: number): Promise<MetadataResult>;
  kernel: {
    readLive(): Promise<LiveState>;
    listInterfaces(): Promise<LiveInterface[]>;
  };
}

/** Which ENIs the run is about: all but the excluded ones, or the one interface (name or MAC) of a hot-plug run. */
export interface Selection {
  /** `--only-interface`: an interface name or a MAC; '' for all. */
  onlyInterface: string;
  /** `--exclude`: interface names or MACs left alone. */
  exclude: readonly string[];
}

/** What discovery found: the metadata and live state to plan from, and the problem of a selection that matches nothing. */
export interface Discovered {
  metadata: MetadataResult;
  live: LiveState;
  problem?: Problem;
}

/** How often local interfaces are listed again while an ENI in metadata has none yet. */
const INTERFACE_POLL_MS = 250;
/** How often the metadata is re-read while it does not list a hot-plugged ENI yet. */
const METADATA_POLL_MS = 1000;

/** Until when waiting is allowed: a reserve of the deadline stays for applying what is there. */
function waitLimit(deps: DiscoverDeps, deadline: number): number {
  return deadline - Math.min(5000, (deadline - deps.now()) / 4);
}

/** The metadata lists this MAC, read or failed. */
export const listsMac = (metadata: MetadataResult, mac: string) => metadata.enis.some((eni) => eni.mac === mac) || metadata.failed.some((eni) => eni.mac === mac);

/**
 * --only-interface (hotplug): the interface may have appeared before the metadata lists its ENI, and the
 * metadata may list an ENI whose interface is not there yet; wait for both within the deadline.
 */
async function waitForSelected(initial: MetadataResult, live: LiveState, selector: string, deps: DiscoverDeps, deadline: number) {
  const until = waitLimit(deps, deadline);
  let metadata = initial;
  let interfaces = live.interfaces;
  const macOf = () => {
    if (canonicalMac(selector) !== null) return canonicalMac(selector) as string;
    const mac = interfaces.find((iface) => iface.name === selector)?.mac;
    return mac === '' ? undefined : mac;
  };
  while (deps.now() + INTERFACE_POLL_MS < until && !deps.stopRequested()) {
    const mac = macOf();
    const localOk = mac !== undefined && interfaces.some((iface) => iface.mac === mac);
    if (localOk && listsMac(metadata, mac)) break;
    await deps.sleep(localOk ? METADATA_POLL_MS : INTERFACE_POLL_MS);
    if (!localOk) {
      interfaces = await deps.kernel.listInterfaces();
      continue;
    }
    try {
      metadata = await deps.readMetadata(deadline);
    } catch (error) {
      // The first read succeeded: a failed re-read keeps what we had, the wait goes on.
      deps.log.warn('metadata re-read failed while waiting for the ENI', { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { metadata, live: interfaces === live.interfaces ? live : await deps.kernel.readLive(), mac: macOf() };
}

async function waitForInterfaces(metadata: MetadataResult, live: LiveState, exclude: readonly string[], deps: DiscoverDeps, deadline: number): Promise<LiveState> {
  const wanted = metadata.enis.map((eni) => eni.mac).filter((mac) => !exclude.includes(mac));
  const missing = (interfaces: readonly LiveInterface[]) => wanted.filter((mac) => !interfaces.some((iface) => iface.mac === mac));
  if (missing(live.interfaces).length === 0) return live;
  const waitUntil = waitLimit(deps, deadline);
  deps.log.info('waiting for interfaces listed in metadata', { macs: missing(live.interfaces).join(',') });
  let interfaces = live.interfaces;
  while (missing(interfaces).length > 0 && deps.now() + INTERFACE_POLL_MS < waitUntil && !deps.stopRequested()) {
    await deps.sleep(INTERFACE_POLL_MS);
    interfaces = await deps.kernel.listInterfaces();
  }
  return interfaces === live.interfaces ? live : deps.kernel.readLive();
}


/**
 * The discovery step: reads the live state and waits, within the deadline, until the interfaces and the metadata
 * agree on the ENIs to configure (hot-plug: the selected one). `prefetched`: a live state read (under the lock)
 * while the metadata was read, used instead of a first read of its own.
 */
export async function discover(first: MetadataResult, selection: Selection, deps: DiscoverDeps, deadline: number, prefetched?: LiveState): Promise<Discovered> {
  const live = prefetched ?? (await deps.kernel.readLive());
  if (selection.onlyInterface === '') return { metadata: first, live: await waitForInterfaces(first, live, selection.exclude, deps, deadline) };
  const selected = await waitForSelected(first, live, selection.onlyInterface, deps, deadline);
  const { metadata, mac } = selected;
  const found = { metadata, live: selected.live };
  if (mac === undefined) {
    const problem = { code: 'no-such-interface', message: `--only-interface ${selection.onlyInterface}: no local interface has this name or MAC` };
    return { ...found, problem };
  }
  if (!listsMac(metadata, mac)) return { ...found, problem: { code: 'not-in-metadata', message: `--only-interface ${selection.onlyInterface}: metadata does not list MAC ${mac}`, mac } };
  return found;
}
