// The networkd renderer: golden .network files, the primary's drop-in, the global networkd.conf drop-in, paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkdDropInPath, networkdFullPath, renderNetworkd, renderNetworkdGlobal } from '../../../../src/persist/render/networkd.ts';
import { WRITTEN_BY } from '../../../../src/persist/types.ts';
import { primary, secondary } from './fixtures.ts';
import { goldenTests } from './golden.ts';

goldenTests('networkd');

test('a secondary always gets a file of its own (a drop-in would reach every link a catch-all file matches)', () => {
  const networkd = renderNetworkd(secondary, { networkFile: '/etc/systemd/network/80-dhcp.network' });
  assert.deepEqual(networkd.map((file) => file.path), [networkdFullPath('eth1')]);
  assert.equal(networkdFullPath('eth1'), '/etc/systemd/network/05-eni-init-eth1.network');
  assert.match(networkd[0]?.content ?? '', /^MACAddress=00:16:3e:00:00:02$/m);
});

test('the primary: nothing, or with its network file a drop-in that keeps our runtime config', () => {
  assert.deepEqual(renderNetworkd(primary, {}), []);
  const keep = renderNetworkd(primary, { networkFile: '/run/systemd/network/10-netplan-eth0.network' });
  assert.deepEqual(keep.map((file) => file.path), ['/etc/systemd/network/10-netplan-eth0.network.d/50-eni-init.conf']);
  assert.match(keep[0]?.content ?? '', /^KeepConfiguration=static$/m);
  assert.equal(networkdDropInPath('/usr/lib/systemd/network/99-default.network'), '/etc/systemd/network/99-default.network.d/50-eni-init.conf');
  for (const networkFile of ['10-eth0.network', '/etc/systemd/network/../x.network', '/etc/systemd/network/a b.network', '/etc/x.conf']) {
    assert.throws(() => networkdDropInPath(networkFile), /invalid networkd file/, networkFile);
  }
});

test('networkd.conf drop-in keeps networkd off rules it did not configure', () => {
  const file = renderNetworkdGlobal();
  assert.deepEqual(file, {
    path: '/etc/systemd/networkd.conf.d/50-eni-init.conf',
    content: `${WRITTEN_BY}\n[Network]\nManageForeignRoutingPolicyRules=no\n`,
    mode: 0o644,
  });
});
