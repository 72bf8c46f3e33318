// The network-scripts backend (initscripts): ifcfg-, route- and rule- files, read by ifup at the next boot; nothing to activate.
import type { BackendModule } from '../backend.ts';
import { IFCFG_DIR, renderIfcfg } from '../render/ifcfg.ts';

export const ifcfg: BackendModule = {
  name: 'ifcfg',
  // Also the admin's ifcfg-<if> files: only those whose first line is WRITTEN_BY are eni-init's.
  places: [{ dir: IFCFG_DIR, name: /^(?:ifcfg|route6?|rule6?)-(.+)$/ }],
  render: renderIfcfg,
  // eni-init applies the runtime state itself; initscripts reads the files at the next boot or ifup.
  activate: async () => {},
};
