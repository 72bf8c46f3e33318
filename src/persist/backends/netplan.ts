// The netplan backend: YAML in /etc/netplan merged into the admin's definitions, generated in a scratch root and installed by difference.
import type { ActivationContext, BackendModule, CheckContext } from '../backend.ts';
import type { Ownership } from '../owner.ts';
import type { DesiredFile } from '../types.ts';
import { messageOf, rollBack } from '../activation.ts';
import { NETPLAN_DIR, renderNetplan } from '../render/netplan.ts';

export const netplan: BackendModule = {
  name: 'netplan',
  places: [{ dir: NETPLAN_DIR, name: /^90-eni-init-(.+)\.yaml$/ }],
  render: renderNetplan,
  activate,
  check,
};

/** netplan renders for networkd: when networkd runs, the file it generated for the link must carry our rules. */
async function check(owner: Ownership, mine: readonly DesiredFile[], { facts, io }: CheckContext): Promise<string | undefined> {
  if (!facts.networkd.running) return undefined;
  const generated = facts.networkd.links[owner.ifname]?.networkFile;
  const text = generated === undefined ? null : await io.read(generated).catch(() => null);
  const missing = text !== null && !text.includes('[RoutingPolicyRule]') && mine.some((file) => file.content.includes('routing-policy:'));
  if (text !== null && !missing) return undefined;
  return `the networkd file netplan generated (${generated ?? 'none'}) does not carry ${mine.map((file) => file.path).join(', ')}`;
}

/**
 * netplan: generated in a scratch root; only the generated files that differ are installed, so the primary's
 * generated file (it has no file of ours) is never rewritten by us. A refused generate installs nothing: our
 * files are rolled back and nothing live was touched.
 *
 * systemd-networkd is NOT reloaded. networkd (252) re-configures, on `networkctl reload`, every link whose
 * .network file or drop-ins differ (inode, mtime) from what it loaded, restarting its DHCP client ("DHCP lease
 * lost") and dropping the addresses it did not configure. Under netplan such a difference is there most of the
 * time: every `systemctl daemon-reload` (any package install runs one, ours too) re-runs netplan's systemd
 * generator, which rewrites every /run/systemd/network/10-netplan-*.network file, the primary's included (seen
 * in the VM boot test: eth0's file rewritten by dpkg's daemon-reload after networkd had loaded it, then our
 * reload re-configured eth0). So a reload of ours would re-configure the primary. eni-init applies the runtime
 * state itself (addresses, routes, rules: the same as the files say); networkd reads the generated files when it
 * next starts (boot, restart) or when someone else reloads it. NetworkManager's `connection reload` only re-reads
 * profiles (an active connection keeps running as it is), so it stays.
 */
async function activate({ changes, input, deps, steps }: ActivationContext): Promise<void> {
  if (changes.length === 0 || !input.facts.netplan) return;
  const stager = deps.netplan;
  if (stager === undefined) {
    steps.problems.push({ code: 'persist-activate', message: `netplan files not activated (no netplan generator here): ${changes.map((change) => change.path).join(', ')}` });
    return;
  }
  if (steps.timeout() < 500) {
    steps.problems.push({ code: 'persist-activate', message: 'netplan generate: not run, the deadline is reached' });
    return;
  }
  steps.ran = true;
  let staged;
  try {
    staged = await stager(steps.timeout());
  } catch (error) {
    staged = { ok: false, networkd: [], networkManager: [], other: [], message: `netplan generate: ${messageOf(error)}` };
  }
  if (!staged.ok) {
    steps.problems.push({ code: 'persist-activate', message: staged.message ?? 'netplan generate failed' });
    await rollBack(changes, deps.io, steps);
    return;
  }
  if (staged.networkManager.length > 0 && input.facts.networkManager.running) await steps.run(['nmcli', 'connection', 'reload']);
}
