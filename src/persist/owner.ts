// Pure: which backend keeps one interface's config, from --persist and the probed facts, with the reason in words.
import type { ManagerFacts } from './facts.ts';
import { netplanIdOf, networkdManages, nmManages } from './facts.ts';
import type { Backend, PersistChoice } from '../model.ts';
import type { RenderContext } from './types.ts';

export interface Ownership {
  ifname: string;
  backend: Backend | 'none';
  context: RenderContext;
  /** The manager runs and manages the interface now: its files are activated and checked live. */
  live: boolean;
  why: string;
}

function contextFor(ifname: string, facts: ManagerFacts): RenderContext {
  const link = facts.networkd.links[ifname];
  const device = facts.networkManager.devices[ifname];
  const context: RenderContext = {};
  // Only the primary's keep-config drop-in uses it (harmless on a catch-all file); secondaries get files of their own.
  if (facts.networkd.running && networkdManages(link) && link?.networkFile !== undefined) context.networkFile = link.networkFile;
  const netplanId = netplanIdOf(context.networkFile) ?? (nmManages(device) ? netplanIdOf(device?.connectionFile) : undefined);
  if (netplanId !== undefined) context.netplanId = netplanId;
  return context;
}

/** The manager that really owns the interface now, or none. */
function detect(ifname: string, facts: ManagerFacts, context: RenderContext): { backend: Backend | 'none'; why: string } {
  if (!facts.probed) return { backend: 'none', why: 'managers are not probed under --root: pass --persist=<backend> to render files for an image' };
  const device = facts.networkManager.devices[ifname];
  if (facts.networkManager.running && nmManages(device)) {
    if (context.netplanId !== undefined && facts.netplan) return { backend: 'netplan', why: `NetworkManager runs a netplan-generated profile (${device?.connectionFile})` };
    return { backend: 'networkmanager', why: `NetworkManager manages ${ifname} (${device?.state})` };
  }
  const link = facts.networkd.links[ifname];
  if (facts.networkd.running && networkdManages(link)) {
    if (context.netplanId !== undefined && facts.netplan) return { backend: 'netplan', why: `systemd-networkd applies netplan's ${link?.networkFile}` };
    return { backend: 'networkd', why: `systemd-networkd applies ${link?.networkFile}` };
  }
  if (facts.ifcfg.includes(ifname) && !facts.networkManager.running) return { backend: 'ifcfg', why: `network-scripts: /etc/sysconfig/network-scripts/ifcfg-${ifname} exists` };
  return { backend: 'none', why: 'no running network manager manages it: eni-init at boot keeps it' };
}

function running(backend: Backend, ifname: string, facts: ManagerFacts): boolean {
  if (!facts.probed) return false;
  if (backend === 'networkmanager') return facts.networkManager.running && nmManages(facts.networkManager.devices[ifname]);
  if (backend === 'networkd') return facts.networkd.running;
  if (backend === 'netplan') return facts.netplan && (facts.networkd.running || facts.networkManager.running);
  return false;
}

export function chooseOwner(choice: PersistChoice, ifname: string, facts: ManagerFacts): Ownership {
  const context = contextFor(ifname, facts);
  if (choice === 'none') return { ifname, backend: 'none', context, live: false, why: '--persist=none' };
  if (choice === 'auto') {
    const found = detect(ifname, facts, context);
    return { ifname, ...found, context, live: found.backend !== 'none' && running(found.backend, ifname, facts) };
  }
  const live = running(choice, ifname, facts);
  return { ifname, backend: choice, context, live, why: `--persist=${choice}${live ? '' : ' (not running here: files take effect when it starts)'}` };
}
