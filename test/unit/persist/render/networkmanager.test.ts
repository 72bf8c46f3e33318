// The NetworkManager renderer: golden keyfiles, the profile UUID, name and path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyfilePath, profileName, profileUuid, renderNetworkManager } from '../../../../src/persist/render/networkmanager.ts';
import { dualStack, primary, secondary } from './fixtures.ts';
import { goldenTests } from './golden.ts';

goldenTests('networkmanager');

test('NetworkManager profile UUID: RFC 4122 version 5, stable per MAC, different per MAC', () => {
  const uuid = profileUuid(secondary.mac);
  assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(profileUuid(secondary.mac), uuid);
  assert.notEqual(profileUuid(dualStack.mac), uuid);
});

test('the keyfile of an ENI: its name and path; none for the primary', () => {
  assert.equal(profileName('eth1'), 'eni-init-eth1');
  assert.equal(keyfilePath('eth1'), '/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection');
  assert.throws(() => keyfilePath('../eth1'), /invalid interface name/);
  const [file, ...rest] = renderNetworkManager(secondary);
  assert.deepEqual([file?.path, file?.mode, rest.length], [keyfilePath('eth1'), 0o600, 0], 'NetworkManager refuses a keyfile others can read');
  assert.match(file?.content ?? '', new RegExp(`^uuid=${profileUuid(secondary.mac)}$`, 'm'));
  assert.deepEqual(renderNetworkManager(primary), []);
});
