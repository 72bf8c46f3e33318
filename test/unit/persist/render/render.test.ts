// Properties every renderer keeps: deterministic, marked, newline-terminated, safe values only, the primary's config left to the admin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from '../../../../src/persist/backends/index.ts';
import { renderNetworkdGlobal } from '../../../../src/persist/render/networkd.ts';
import { writtenByUs as isWrittenByUs } from '../../../../src/persist/own-files.ts';
import { networkdDropInPath } from '../../../../src/persist/render/networkd.ts';
import { profileUuid } from '../../../../src/persist/render/networkmanager.ts';
import { BACKENDS, WRITTEN_BY } from '../../../../src/persist/types.ts';
import type { InterfacePersist, RenderContext } from '../../../../src/persist/types.ts';
import { cases, dualStack, primary, secondary } from './fixtures.ts';

const contexts: RenderContext[] = [{}, { netplanId: 'eth9', networkFile: '/usr/lib/systemd/network/99-default.network' }];
const clone = (iface: InterfacePersist): InterfacePersist => structuredClone(iface);

test('same input, byte-identical output; every file marked and newline-terminated', () => {
  for (const backend of BACKENDS) {
    for (const { iface } of cases) {
      for (const ctx of contexts) {
        const first = render(backend, iface, ctx);
        assert.deepEqual(render(backend, clone(iface), { ...ctx }), first, `${backend} ${iface.ifname}`);
        for (const file of first) {
          assert.ok(isWrittenByUs(file.content), file.path);
          assert.ok(file.content.endsWith('\n') && !file.content.endsWith('\n\n'), file.path);
          assert.ok(file.path.startsWith('/etc/') && !file.path.includes('..'), file.path);
          assert.ok(file.mode === 0o600 || file.mode === 0o644, file.path);
        }
      }
    }
  }
});

test('an unsafe interface name throws in every renderer', () => {
  for (const ifname of ['', 'eth1/../../x', 'eth 1', 'eth1\nx', 'a'.repeat(16), '.', '..', 'eth1;rm', 'eth:1']) {
    for (const backend of BACKENDS) {
      for (const base of [secondary, primary]) {
        assert.throws(() => render(backend, { ...clone(base), ifname }, {}), /invalid interface name/, `${backend} ${JSON.stringify(ifname)}`);
      }
    }
  }
});

test('any other unsafe value throws: a newline never becomes a second line or key', () => {
  const bad: InterfacePersist[] = [
    { ...clone(secondary), mac: '00:16:3e:00:00:02\nmethod=auto' },
    { ...clone(secondary), mac: '00:16:3E:00:00:02' },
    { ...clone(secondary), addresses: [{ family: 4, address: '10.0.0.30\nDNS=1.1.1.1', prefixLength: 32 }] },
    { ...clone(secondary), addresses: [{ family: 4, address: '10.0.0.30', prefixLength: 33 }] },
    { ...clone(secondary), routes: [{ family: 4, table: 1001, dst: '10.0.0.5/24' }] },
    { ...clone(secondary), routes: [{ family: 4, table: 0, dst: 'default', gateway: '10.0.0.253' }] },
    { ...clone(secondary), routes: [{ family: 4, table: 1001, dst: 'default', gateway: '2408::1' }] },
    { ...clone(secondary), rules: [{ family: 6, priority: 20001, from: '10.0.0.30/32', table: 1001 }] },
    { ...clone(secondary), rules: [{ family: 4, priority: 1.5, from: '10.0.0.30/32', table: 1001 }] },
  ];
  for (const iface of bad) {
    for (const backend of BACKENDS) assert.throws(() => render(backend, iface, {}), /refusing to render/, `${backend} ${JSON.stringify(iface)}`);
  }
  for (const networkFile of ['10-eth0.network', '/etc/systemd/network/../x.network', '/etc/systemd/network/a b.network', '/etc/x.conf']) {
    assert.throws(() => networkdDropInPath(networkFile), /invalid networkd file/, networkFile);
  }
});

test('the primary never gets a profile or a config file of its own', () => {
  for (const ctx of [{}, { netplanId: 'eth0', networkFile: '/etc/systemd/network/10-eth0.network' }]) {
    const paths = BACKENDS.flatMap((backend) => render(backend, primary, ctx).map((file) => file.path));
    assert.deepEqual(
      paths.filter((path) => /NetworkManager|\.network$|ifcfg-/.test(path)),
      [],
      'no keyfile, no .network file, no ifcfg file',
    );
  }
  assert.deepEqual(render('netplan', primary, {}), [], 'no netplan definition for a primary netplan does not define');
  assert.deepEqual(render('networkd', primary, {}), []);
  assert.deepEqual(render('netplan', primary, { netplanId: 'eth0' }), [], 'the primary\'s netplan definition stays the admin\'s');
  const keep = render('networkd', primary, { networkFile: '/run/systemd/network/10-netplan-eth0.network' });
  assert.deepEqual(keep.map((file) => file.path), ['/etc/systemd/network/10-netplan-eth0.network.d/50-eni-init.conf']);
  assert.match(keep[0]?.content ?? '', /^KeepConfiguration=static$/m);
  const ifcfg = render('ifcfg', primary, {}).map((file) => file.path);
  assert.deepEqual(ifcfg, ['/etc/sysconfig/network-scripts/route-eth0', '/etc/sysconfig/network-scripts/rule-eth0']);
  assert.deepEqual(render('ifcfg', { ...primary, routes: [], rules: [] }, {}), [], 'without --primary-rules: nothing');
});

test('an interface already known to the manager is extended, not redefined', () => {
  const netplan = render('netplan', secondary, { netplanId: 'ens5' })[0];
  assert.match(netplan?.content ?? '', /^ {4}"ens5":$/m);
  assert.doesNotMatch(netplan?.content ?? '', /match:|set-name:|dhcp4:/);
  assert.equal(netplan?.path, '/etc/netplan/90-eni-init-eth1.yaml');
  // networkd: a secondary always gets a file of its own (a drop-in would reach every link a catch-all file matches).
  const networkd = render('networkd', secondary, { networkFile: '/etc/systemd/network/80-dhcp.network' });
  assert.deepEqual(networkd.map((file) => file.path), ['/etc/systemd/network/05-eni-init-eth1.network']);
  assert.match(networkd[0]?.content ?? '', /^MACAddress=00:16:3e:00:00:02$/m);
});

test('NetworkManager profile UUID: RFC 4122 version 5, stable per MAC, different per MAC', () => {
  const uuid = profileUuid(secondary.mac);
  assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(profileUuid(secondary.mac), uuid);
  assert.notEqual(profileUuid(dualStack.mac), uuid);
});

test('networkd.conf drop-in keeps networkd off rules it did not configure', () => {
  const file = renderNetworkdGlobal();
  assert.deepEqual(file, {
    path: '/etc/systemd/networkd.conf.d/50-eni-init.conf',
    content: `${WRITTEN_BY}\n[Network]\nManageForeignRoutingPolicyRules=no\n`,
    mode: 0o644,
  });
});

test('isWrittenByUs: exactly the first line', () => {
  assert.ok(isWrittenByUs(`${WRITTEN_BY}\nx=1\n`));
  assert.ok(isWrittenByUs(WRITTEN_BY));
  assert.ok(!isWrittenByUs(`x=1\n${WRITTEN_BY}\n`));
  assert.ok(!isWrittenByUs(` ${WRITTEN_BY}\n`));
  assert.ok(!isWrittenByUs(`${WRITTEN_BY} extra\n`));
  assert.ok(!isWrittenByUs(''));
});
