// Discovery: wait, within the deadline, until local interfaces and metadata agree on the ENIs to configure.
import type { LiveInterface, LiveState, MetadataResult } from './model.ts';
import type { Options } from './cli/spec.ts';
import type { Deps } from './run.ts';
import { canonicalMac } from './net/mac.ts';

/** How often local interfaces are listed again while an ENI in metadata has none yet. */
const INTERFACE_POLL_MS = 250;
/** How often the metadata is re-read while it does not list a hot-plugged ENI yet. */
const METADATA_POLL_MS = 1000;

/** Until when waiting is allowed: a reserve of the deadline stays for applying what is there. */
function waitLimit(deps: Deps, deadline: number): number {
  return deadline - Math.min(5000, (deadline - deps.now()) / 4);
}

export const listsMac = (metadata: MetadataResult, mac: string) => metadata.enis.some((eni) => eni.mac === mac) || metadata.failed.some((eni) => eni.mac === mac);

/**
 * --only-interface (hotplug): the interface may have appeared before the metadata lists its ENI, and the
 * metadata may list an ENI whose interface is not there yet; wait for both within the deadline.
 */
export async function waitForSelected(initial: MetadataResult, live: LiveState, options: Options, deps: Deps, deadline: number) {
  const until = waitLimit(deps, deadline);
  const selector = options.onlyInterface;
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

export async function waitForInterfaces(metadata: MetadataResult, live: LiveState, options: Options, deps: Deps, deadline: number): Promise<LiveState> {
  const wanted = metadata.enis.map((eni) => eni.mac).filter((mac) => !options.exclude.includes(mac));
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

