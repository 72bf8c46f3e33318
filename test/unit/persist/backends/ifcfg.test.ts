// The network-scripts backend: which files are its own, and that it activates nothing (ifup reads them at the next boot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeOf } from '../../../../src/persist/backend.ts';
import { ifcfg } from '../../../../src/persist/backends/ifcfg.ts';
import { renderIfcfg } from '../../../../src/persist/render/ifcfg.ts';
import { secondary } from '../render/fixtures.ts';

test('its places: ifcfg-, route-, route6-, rule- and rule6- files of network-scripts, by interface', () => {
  for (const name of ['ifcfg-eth1', 'route-eth1', 'route6-eth1', 'rule-eth1', 'rule6-eth1']) {
    assert.ok(placeOf(ifcfg.places, `/etc/sysconfig/network-scripts/${name}`), name);
  }
  for (const path of ['/etc/sysconfig/network-scripts/ifup-eth1', '/etc/sysconfig/network-scripts/ifcfg-', '/etc/sysconfig/ifcfg-eth1', '/etc/netplan/90-eni-init-eth1.yaml']) {
    assert.equal(placeOf(ifcfg.places, path), undefined, path);
  }
  for (const file of renderIfcfg(secondary)) assert.ok(placeOf(ifcfg.places, file.path), `${file.path}: what it renders is its own`);
  assert.equal(ifcfg.render, renderIfcfg);
});

test('activation runs nothing', async () => {
  const ran: string[] = [];
  const steps = { run: async (argv: string[]) => (ran.push(argv.join(' ')), true) } as never;
  await ifcfg.activate({ changes: [], input: {} as never, deps: {} as never, steps });
  assert.deepEqual(ran, []);
  assert.equal(ifcfg.check, undefined, 'nothing to check: no manager runs the files before the next boot');
});
