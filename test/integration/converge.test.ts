// Metadata changes between runs: stale objects of removed IPs and detached ENIs go, everything else stays;
// `remove` takes away exactly what eni-init created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presetInstance } from '../sim/instance.ts';
import { addressesOf, ownRules, routesOf, withInstance } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

test('an IP removed from metadata: its rule and address go, the rest keeps working', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    assert.equal((await sim.runEniInit([])).code, 0);
    const eth1 = sim.spec.enis.find((eni) => eni.ifname === 'eth1');
    const gone = eth1?.privateIps.at(-1) as string;
    await sim.updateMetadata((config) => {
      const entry = config.enis.find((eni) => eni.mac === eth1?.mac);
      if (entry) entry.privateIpv4s = entry.privateIpv4s.filter((ip) => ip !== gone);
    });
    const run = await sim.runEniInit(['--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = run.report as ReportShape;
    assert.ok(report.changes.some((change) => change.command.includes(`rule del pref 20001 from ${gone}/32`)));
    assert.ok(!(await ownRules(sim)).some((rule) => rule.includes(`${gone}/`) || rule.includes(` ${gone} `)));
    assert.ok(!(await addressesOf(sim, 'eth1')).includes(`${gone}/32`));
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping), JSON.stringify(reach));
  });
});

test('an ENI detached: its rules go, the other ENIs stay intact', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    assert.equal((await sim.runEniInit([])).code, 0);
    const eth1Rules = (await ownRules(sim)).filter((rule) => rule.endsWith(' 1001'));
    await sim.detachEni('eth2');
    const run = await sim.runEniInit(['--json']);
    assert.equal(run.code, 0, run.stderr);
    const after = await ownRules(sim);
    assert.ok(!after.some((rule) => rule.endsWith(' 1002')), `eth2 rules left: ${after.join(', ')}`);
    assert.deepEqual(after.filter((rule) => rule.endsWith(' 1001')), eth1Rules);
    assert.ok((await routesOf(sim, 1001)).length >= 2);
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping && entry.tcp), JSON.stringify(reach));
  });
});

test('an ENI attached later is configured by the next run; --only-interface touches only it', async (t) => {
  const spec = presetInstance('three-enis-mixed');
  await withInstance(t, spec, async (sim) => {
    const eth2 = spec.enis.find((eni) => eni.ifname === 'eth2');
    assert.ok(eth2);
    await sim.detachEni('eth2');
    assert.equal((await sim.runEniInit([])).code, 0);
    const eth1Rules = (await ownRules(sim)).filter((rule) => rule.endsWith(' 1001'));
    await sim.attachEni(eth2);
    const run = await sim.runEniInit(['--only-interface', 'eth2', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = run.report as ReportShape;
    assert.ok(report.changes.every((change) => !change.command.includes('eth1') && !change.command.includes('table 1001')));
    assert.ok((await ownRules(sim)).some((rule) => rule.endsWith(' 1002')));
    assert.deepEqual((await ownRules(sim)).filter((rule) => rule.endsWith(' 1001')), eth1Rules);
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping), JSON.stringify(reach));
  });
});

test('remove deletes what eni-init created and nothing else', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const before = await addressesOf(sim, 'eth1');
    await sim.exec(['ip', 'rule', 'add', 'pref', '20001', 'from', '192.0.2.1', 'lookup', '1001']);
    await sim.exec(['ip', 'route', 'add', '192.0.2.0/24', 'dev', 'eth1', 'table', '1001']);
    assert.equal((await sim.runEniInit([])).code, 0);
    const removed = await sim.runEniInit(['remove', '--json']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((removed.report as ReportShape).outcome, 'removed');
    assert.deepEqual(await ownRules(sim), []);
    assert.deepEqual(await addressesOf(sim, 'eth1'), before, 'addresses back to what DHCP gave');
    assert.deepEqual(await routesOf(sim, 1001), ['192.0.2.0/24 dev eth1 scope link'], 'the admin route stays');
    const adminRule = await sim.exec(['ip', 'rule', 'show', 'from', '192.0.2.1']);
    assert.match(adminRule.stdout, /20001:\s+from 192\.0\.2\.1 lookup 1001/);
    const { existsSync } = await import('node:fs');
    assert.ok(!existsSync(`${sim.rootDir}/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg`));
  });
});
