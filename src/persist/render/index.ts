// Pure: dispatch one ENI's persistent state to its backend's renderer; recognise files eni-init wrote.
import { WRITTEN_BY } from '../types.ts';
import type { Backend, InterfacePersist, RenderContext, RenderedFile } from '../types.ts';
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

/** True when `content` is a file eni-init wrote (its first line is WRITTEN_BY): the only files it may replace or delete. */
export function isWrittenByUs(content: string): boolean {
  const end = content.indexOf('\n');
  return (end === -1 ? content : content.slice(0, end)) === WRITTEN_BY;
}
