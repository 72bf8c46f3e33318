// The systemd-networkd backend: a .network file per secondary ENI, the primary's keep-config drop-in, networkd.conf's keep-our-rules drop-in.
import type { ActivationContext, BackendModule, CheckContext } from '../backend.ts';
import type { Ownership } from '../owner.ts';
import type { DesiredFile } from '../types.ts';
import { placeOf } from '../backend.ts';
import { DROP_IN_NAME, NETWORK_DIR, NETWORKD_CONF_DIR, renderNetworkd } from '../render/networkd.ts';

const dropInName = new RegExp(`^${DROP_IN_NAME.replace(/\./g, '\\.')}$`);
const CONF_PLACE = { dir: NETWORKD_CONF_DIR, name: dropInName };
/** The primary's keep-config drop-in (`<its .network>.d/50-eni-init.conf`). */
const DROP_IN_PLACE = { dir: NETWORK_DIR, subdirs: /\.network\.d$/, name: dropInName };

/** networkd.conf's drop-in: read when networkd starts, so a change alone needs no reload. */
export const isGlobalNetworkdConf = (path: string): boolean => placeOf([CONF_PLACE], path) !== undefined;
/** The primary's keep-config drop-in: the only .network drop-in eni-init writes. */
export const isNetworkdDropIn = (path: string): boolean => placeOf([DROP_IN_PLACE], path) !== undefined;

export const networkd: BackendModule = {
  name: 'networkd',
  places: [{ dir: NETWORK_DIR, name: /^05-eni-init-(.+)\.network$/ }, CONF_PLACE, DROP_IN_PLACE],
  render: renderNetworkd,
  activate,
  check,
};

/** networkd must apply our .network file to the link: if not, one `networkctl reconfigure`, then look again. */
async function check(owner: Ownership, mine: readonly DesiredFile[], ctx: CheckContext): Promise<string | undefined> {
  const applied = () => mine.some((file) => ctx.facts.networkd.links[owner.ifname]?.networkFile === file.path);
  if (!applied()) {
    await ctx.steps.run(['networkctl', 'reconfigure', owner.ifname], owner.ifname);
    ctx.facts = await ctx.steps.probe();
  }
  if (applied()) return undefined;
  return `systemd-networkd applies ${ctx.facts.networkd.links[owner.ifname]?.networkFile ?? 'no file'}, not ${mine.map((file) => file.path).join(', ')}`;
}

/**
 * A reload, never a restart. networkd.conf is read when networkd starts: a changed networkd.conf.d file alone needs
 * no reload. Nor does the primary's drop-in: a reload that sees it appear or vanish re-configures the primary (DHCP restart).
 */
async function activate({ changes, input, steps }: ActivationContext): Promise<void> {
  if (input.facts.networkd.running && changes.some((change) => !isGlobalNetworkdConf(change.path) && !isNetworkdDropIn(change.path))) await steps.run(['networkctl', 'reload']);
}
