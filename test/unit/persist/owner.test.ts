// Which backend owns an interface: detection under auto, forced choices, and nothing probed under --root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_FACTS } from '../../../src/persist/facts.ts';
import type { ManagerFacts } from '../../../src/persist/facts.ts';
import { chooseOwner } from '../../../src/persist/owner.ts';

const facts = (extra: Partial<ManagerFacts>): ManagerFacts => ({ ...NO_FACTS, probed: true, ...extra });

test('NetworkManager managing the device owns it; a netplan-generated profile makes it netplan', () => {
  const nm = facts({ networkManager: { running: true, devices: { eth1: { state: 'connected', connectionUuid: 'u', connectionFile: '/etc/NetworkManager/system-connections/x.nmconnection' } } } });
  assert.equal(chooseOwner('auto', 'eth1', nm).backend, 'networkmanager');
  assert.equal(chooseOwner('auto', 'eth1', nm).live, true);
  const viaNetplan = facts({
    netplan: true,
    networkManager: { running: true, devices: { eth1: { state: 'connected', connectionUuid: 'u', connectionFile: '/run/NetworkManager/system-connections/netplan-eth1.nmconnection' } } },
  });
  const owner = chooseOwner('auto', 'eth1', viaNetplan);
  assert.equal(owner.backend, 'netplan');
  assert.equal(owner.context.netplanId, 'eth1');
});

test('networkd applying a file owns the link and passes the file to the renderer', () => {
  const networkd = facts({ networkd: { running: true, links: { eth1: { adminState: 'configured', networkFile: '/etc/systemd/network/80-ecs.network' } } } });
  const owner = chooseOwner('auto', 'eth1', networkd);
  assert.equal(owner.backend, 'networkd');
  assert.equal(owner.context.networkFile, '/etc/systemd/network/80-ecs.network');
  const netplan = facts({ netplan: true, networkd: { running: true, links: { eth1: { adminState: 'configured', networkFile: '/run/systemd/network/10-netplan-eth1.network' } } } });
  assert.equal(chooseOwner('auto', 'eth1', netplan).backend, 'netplan');
});

test('unmanaged interfaces and ifcfg files', () => {
  const unmanaged = facts({ networkManager: { running: true, devices: { eth1: { state: 'unmanaged' } } } });
  assert.equal(chooseOwner('auto', 'eth1', unmanaged).backend, 'none');
  assert.equal(chooseOwner('auto', 'eth2', facts({ ifcfg: ['eth2'] })).backend, 'ifcfg');
  // With NetworkManager running, ifcfg files are NetworkManager's (ifcfg-rh plugin), not network-scripts'.
  assert.equal(chooseOwner('auto', 'eth2', facts({ ifcfg: ['eth2'], networkManager: { running: true, devices: {} } })).backend, 'none');
});

test('forced backends and --root', () => {
  const forced = chooseOwner('networkd', 'eth1', NO_FACTS);
  assert.equal(forced.backend, 'networkd');
  assert.equal(forced.live, false);
  assert.match(forced.why, /not running here/);
  assert.equal(chooseOwner('auto', 'eth1', NO_FACTS).backend, 'none');
  assert.match(chooseOwner('auto', 'eth1', NO_FACTS).why, /--root/);
  assert.equal(chooseOwner('none', 'eth1', facts({})).backend, 'none');
});

test('networkd facts: the link\'s current file is passed on (for the primary\'s keep-config drop-in)', () => {
  const shared = { adminState: 'configured', networkFile: '/etc/systemd/network/80-dhcp.network' };
  const networkd = facts({ networkd: { running: true, links: { eth0: shared, eth1: shared } } });
  assert.equal(chooseOwner('auto', 'eth0', networkd).context.networkFile, '/etc/systemd/network/80-dhcp.network');
  assert.equal(chooseOwner('auto', 'eth1', networkd).backend, 'networkd');
});
