// What the renderers share (common.ts) and the properties every renderer keeps: deterministic, marked, newline-terminated,
// safe values only, the primary's config left to the admin. Each renderer's own output: <backend>.test.ts beside this one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from '../../../../src/persist/backends/index.ts';
import { assertIfname, assertRenderable, defaultCidr, fileContent, ofFamily, routeDestination } from '../../../../src/persist/render/common.ts';
import { writtenByUs as isWrittenByUs } from '../../../../src/persist/own-files.ts';
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
});

test('the checks themselves: a safe interface, canonical values, integer tables and priorities', () => {
  assert.doesNotThrow(() => assertIfname('enP2s0'));
  assert.throws(() => assertIfname('eth1/x'), /^Error: refusing to render persistent config: invalid interface name "eth1\/x"$/);
  for (const iface of cases.map((entry) => entry.iface)) assert.doesNotThrow(() => assertRenderable(iface), iface.ifname);
  const bad: [Partial<InterfacePersist>, RegExp][] = [
    [{ addresses: [{ family: 6, address: '2408:0::5', prefixLength: 128 }] }, /invalid address "2408:0::5"/],
    [{ addresses: [{ family: 4, address: '10.0.0.30', prefixLength: -1 }] }, /invalid prefix length -1/],
    [{ routes: [{ family: 4, table: 1001, dst: 'default', gateway: '10.0.0.253', scope: 'host' as 'link' }] }, /invalid route scope "host"/],
    [{ routes: [{ family: 4, table: 2 ** 32, dst: 'default' }] }, /invalid route table 4294967296/],
    [{ rules: [{ family: 4, priority: -1, from: '10.0.0.30/32', table: 1001 }] }, /invalid rule priority -1/],
    [{ mainFirst: [{ family: 5 as 4, priority: 19999 }] }, /invalid address family 5/],
  ];
  for (const [change, message] of bad) assert.throws(() => assertRenderable({ ...structuredClone(secondary), ...change }), message, message.source);
});

test('helpers: the parts of one family in order, default destinations, file content', () => {
  const v6 = ofFamily(dualStack, 6);
  assert.ok(v6.addresses.length > 0 && [...v6.addresses, ...v6.routes, ...v6.rules, ...v6.mainFirst].every((entry) => entry.family === 6));
  assert.deepEqual(ofFamily(dualStack, 4).addresses, dualStack.addresses.filter((entry) => entry.family === 4));
  const { mainFirst: _none, ...withoutMainFirst } = secondary;
  assert.deepEqual(ofFamily(withoutMainFirst, 4).mainFirst, []);
  assert.equal(defaultCidr(4), '0.0.0.0/0');
  assert.equal(defaultCidr(6), '::/0');
  assert.equal(routeDestination({ family: 6, table: 1001, dst: 'default' }), '::/0');
  assert.equal(routeDestination({ family: 4, table: 1001, dst: '10.0.0.0/24' }), '10.0.0.0/24');
  assert.equal(fileContent(['a=1', 'b=2']), `${WRITTEN_BY}\na=1\nb=2\n`);
  assert.equal(fileContent([]), `${WRITTEN_BY}\n`);
});
