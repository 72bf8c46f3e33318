// The registry of backends: the one list own-files, sync and activation ask about paths, ownership, rendering and activation.
import type { BackendModule } from '../backend.ts';
import { placeOf } from '../backend.ts';
import type { Backend } from '../../model.ts';
import type { InterfacePersist, RenderContext, RenderedFile } from '../types.ts';
import { ifcfg } from './ifcfg.ts';
import { netplan } from './netplan.ts';
import { networkd } from './networkd.ts';
import { networkManager } from './networkmanager.ts';

/** Every backend, in the order their files are listed. */
export const BACKEND_MODULES: readonly BackendModule[] = [networkManager, netplan, networkd, ifcfg];

/**
 * The order of activation: netplan first (its generate may hand files to NetworkManager), then networkd's reload,
 * then NetworkManager's load and up, which the ownership check after them waits for.
 */
export const ACTIVATION_ORDER: readonly BackendModule[] = [netplan, networkd, networkManager, ifcfg];

export function backendModule(name: Backend): BackendModule {
  const found = BACKEND_MODULES.find((backend) => backend.name === name);
  if (found === undefined) throw new Error(`no backend ${name}`);
  return found;
}

/** What `backend` renders for `iface` (see BackendModule.render). */
export const render = (backend: Backend, iface: InterfacePersist, ctx: RenderContext): RenderedFile[] => backendModule(backend).render(iface, ctx);

/** The backend one of whose places holds `path`, if any. */
export const backendOfPath = (path: string): BackendModule | undefined => BACKEND_MODULES.find((backend) => placeOf(backend.places, path) !== undefined);
