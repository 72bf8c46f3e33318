// Pure: dispatch one ENI's persistent state to its backend's renderer.
import type { Backend } from '../../model.ts';
import type { InterfacePersist, RenderContext, RenderedFile } from '../types.ts';
import { renderIfcfg } from './ifcfg.ts';
import { renderNetplan } from './netplan.ts';
import { renderNetworkd } from './networkd.ts';
import { renderNetworkManager } from './networkmanager.ts';

export { renderIfcfg } from './ifcfg.ts';
export { renderNetplan } from './netplan.ts';
export { renderNetworkd, renderNetworkdGlobal } from './networkd.ts';
export { renderNetworkManager } from './networkmanager.ts';

/**
 * The files `backend` needs for `iface`: absolute host paths, exact contents (deterministic, newline-terminated,
 * first line WRITTEN_BY) and modes. Empty when the backend has nothing to persist for it (e.g. a primary ENI
 * whose config is the admin's). Throws on a value that is unsafe in a path or a file.
 */
export function render(backend: Backend, iface: InterfacePersist, ctx: RenderContext): RenderedFile[] {
  switch (backend) {
    case 'networkmanager':
      return renderNetworkManager(iface);
    case 'netplan':
      return renderNetplan(iface, ctx);
    case 'networkd':
      return renderNetworkd(iface, ctx);
    case 'ifcfg':
      return renderIfcfg(iface, ctx);
  }
}
