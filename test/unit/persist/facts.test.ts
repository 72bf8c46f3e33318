// Parsers of nmcli's terse output and networkd's link state files, on text captured from NetworkManager 1.42 / systemd 252.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netplanIdOf, networkdManages, nmManages, parseNetifLink, parseNmDevices, splitTerse } from '../../../src/persist/facts.ts';

test('terse nmcli lines split on unescaped colons only', () => {
  assert.deepEqual(splitTerse('eth0:connected:1b4e28ba-2fa1-11d2-883f-0016d3cca427'), ['eth0', 'connected', '1b4e28ba-2fa1-11d2-883f-0016d3cca427']);
  assert.deepEqual(splitTerse('a\\:b:c\\\\d:'), ['a:b', 'c\\d', '']);
});

test('devices get their active profile file; only unmanaged devices are not NetworkManager\'s', () => {
  const devices = parseNmDevices(
    [
      'eth0:connected:11111111-1111-1111-1111-111111111111',
      'eth1:connected:22222222-2222-2222-2222-222222222222',
      'eth2:unmanaged:',
      'eth3:connected (externally):33333333-3333-3333-3333-333333333333',
      'lo:connected (externally):44444444-4444-4444-4444-444444444444',
      '',
    ].join('\n'),
    [
      '11111111-1111-1111-1111-111111111111:/run/NetworkManager/system-connections/netplan-eth0.nmconnection',
      '22222222-2222-2222-2222-222222222222:/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection',
    ].join('\n'),
  );
  assert.equal(devices.eth0?.connectionFile, '/run/NetworkManager/system-connections/netplan-eth0.nmconnection');
  assert.equal(devices.eth1?.connectionUuid, '22222222-2222-2222-2222-222222222222');
  assert.equal(devices.eth2?.connectionUuid, undefined);
  assert.equal(nmManages(devices.eth1), true);
  assert.equal(nmManages(devices.eth2), false);
  // Externally connected (eni-init's own runtime addresses, say): NetworkManager will take a profile for it.
  assert.equal(nmManages(devices.eth3), true);
  assert.equal(nmManages(undefined), false);
});

test('a networkd link file gives its .network file and drop-ins', () => {
  const link = parseNetifLink(
    [
      '# This is private data. Do not parse.',
      'ADMIN_STATE=configured',
      'OPER_STATE=routable',
      'NETWORK_FILE=/run/systemd/network/10-netplan-eth1.network',
      'NETWORK_FILE_DROPINS="/etc/systemd/network/10-netplan-eth1.network.d/50-eni-init.conf:/etc/systemd/network/10-netplan-eth1.network.d/60\\x3ax.conf"',
    ].join('\n'),
  );
  assert.equal(link.adminState, 'configured');
  assert.equal(link.networkFile, '/run/systemd/network/10-netplan-eth1.network');
  assert.equal(networkdManages(link), true);
  assert.equal(networkdManages(parseNetifLink('ADMIN_STATE=unmanaged\n')), false);
  assert.deepEqual(parseNetifLink(''), { adminState: 'unknown' });
});

test('netplan ids come from generated file names only', () => {
  assert.equal(netplanIdOf('/run/systemd/network/10-netplan-eth1.network'), 'eth1');
  assert.equal(netplanIdOf('/run/NetworkManager/system-connections/netplan-ens5.nmconnection'), 'ens5');
  assert.equal(netplanIdOf('/etc/systemd/network/10-eth1.network'), undefined);
  assert.equal(netplanIdOf(undefined), undefined);
});
