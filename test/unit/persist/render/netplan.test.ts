// The netplan renderer: golden files, a definition of our own or an extension of the admin's, none for the primary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netplanPath, renderNetplan } from '../../../../src/persist/render/netplan.ts';
import { primary, secondary } from './fixtures.ts';
import { goldenTests } from './golden.ts';

goldenTests('netplan');

test('an interface already known to netplan is extended, not redefined', () => {
  const netplan = renderNetplan(secondary, { netplanId: 'ens5' })[0];
  assert.match(netplan?.content ?? '', /^ {4}"ens5":$/m);
  assert.doesNotMatch(netplan?.content ?? '', /match:|set-name:|dhcp4:/);
  assert.equal(netplan?.path, netplanPath('eth1'));
  assert.equal(netplanPath('eth1'), '/etc/netplan/90-eni-init-eth1.yaml');
  assert.match(renderNetplan(secondary, {})[0]?.content ?? '', /match:/, 'a definition of its own is matched by MAC');
});

test('the primary never gets a netplan definition', () => {
  assert.deepEqual(renderNetplan(primary, {}), [], 'none when netplan does not define it');
  assert.deepEqual(renderNetplan(primary, { netplanId: 'eth0' }), [], 'the definition of the primary stays the admin one');
});
