// SPAWNS the real `netplan generate --root-dir` (netplan.io): the staged install leaves unchanged generated files untouched.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../src/persist/command.ts';
import { stagedNetplan } from '../../../src/persist/netplan-stage.ts';
import { renderNetplan } from '../../../src/persist/render/netplan.ts';
import { secondary } from '../../unit/persist/render/fixtures.ts';

const CLOUD_INIT = `network:
  version: 2
  ethernets:
    eth0: {dhcp4: true}
    eth1: {dhcp4: true}
`;

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A scratch "live" root with cloud-init's YAML, generated once the way the boot generator does. */
function liveRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'netplan-live-'));
  dirs.push(root);
  mkdirSync(join(root, 'etc/netplan'), { recursive: true });
  writeFileSync(join(root, 'etc/netplan/50-cloud-init.yaml'), CLOUD_INIT, { mode: 0o600 });
  return root;
}

const identity = (path: string) => {
  const stats = statSync(path);
  return `${stats.ino}:${stats.mtimeMs}`;
};

test('only the changed interface\'s generated file is installed; the primary\'s keeps its inode and mtime', async () => {
  const root = liveRoot();
  const stage = stagedNetplan(runCommand, root);
  const first = await stage(60_000);
  assert.equal(first.ok, true, first.message);
  const eth0 = join(root, 'run/systemd/network/10-netplan-eth0.network');
  const eth1 = join(root, 'run/systemd/network/10-netplan-eth1.network');
  assert.ok(existsSync(eth0) && existsSync(eth1));
  assert.ok(first.networkd.includes('/run/systemd/network/10-netplan-eth0.network'));
  const eth0Before = identity(eth0);

  // Nothing changed: nothing installed, so nothing to reload.
  const again = await stage(60_000);
  assert.deepEqual([again.networkd, again.networkManager, again.other], [[], [], []]);

  // eni-init's file for eth1: only eth1's generated file changes.
  for (const file of renderNetplan(secondary, { netplanId: 'eth1' })) writeFileSync(join(root, file.path), file.content, { mode: file.mode });
  const ours = await stage(60_000);
  assert.equal(ours.ok, true, ours.message);
  assert.deepEqual(ours.networkd, ['/run/systemd/network/10-netplan-eth1.network']);
  assert.equal(identity(eth0), eth0Before, 'the primary\'s generated file was rewritten');
  assert.match(readFileSync(eth1, 'utf8'), /^Address=10\.0\.0\.31\/32$/m);
  assert.match(readFileSync(eth1, 'utf8'), /^DHCP=ipv4$/m);

  // Removed again (eni-init remove): eth1's file goes back to DHCP only; eth0 still untouched.
  rmSync(join(root, '/etc/netplan/90-eni-init-eth1.yaml'));
  const removed = await stage(60_000);
  assert.deepEqual(removed.networkd, ['/run/systemd/network/10-netplan-eth1.network']);
  assert.doesNotMatch(readFileSync(eth1, 'utf8'), /Address=/);
  assert.equal(identity(eth0), eth0Before);
});

test('a definition that is gone has its generated files removed; a refused YAML installs nothing', async () => {
  const root = liveRoot();
  const stage = stagedNetplan(runCommand, root);
  writeFileSync(join(root, 'etc/netplan/60-extra.yaml'), 'network:\n  version: 2\n  ethernets:\n    eth3:\n      match: {macaddress: "00:16:3e:00:00:09"}\n      set-name: eth3\n', { mode: 0o600 });
  assert.equal((await stage(60_000)).ok, true);
  assert.ok(existsSync(join(root, 'run/systemd/network/10-netplan-eth3.link')));
  rmSync(join(root, 'etc/netplan/60-extra.yaml'));
  const gone = await stage(60_000);
  assert.deepEqual(gone.networkd.sort(), ['/run/systemd/network/10-netplan-eth3.link', '/run/systemd/network/10-netplan-eth3.network']);
  assert.ok(!existsSync(join(root, 'run/systemd/network/10-netplan-eth3.network')));
  assert.ok(existsSync(join(root, 'run/systemd/network/10-netplan-eth0.network')));

  const eth0 = join(root, 'run/systemd/network/10-netplan-eth0.network');
  const before = identity(eth0);
  writeFileSync(join(root, 'etc/netplan/90-eni-init-eth1.yaml'), 'network:\n  version: 2\n  ethernets:\n    eth1:\n      addresses: [ "not an address" ]\n', { mode: 0o600 });
  const refused = await stage(60_000);
  assert.equal(refused.ok, false);
  assert.match(refused.message ?? '', /netplan generate/);
  assert.equal(identity(eth0), before, 'a refused generate touched a live file');
  assert.doesNotMatch(readFileSync(join(root, 'run/systemd/network/10-netplan-eth1.network'), 'utf8'), /not an address/);
});
