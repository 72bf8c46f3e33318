// End to end: the built executable converges simulated instances; every private IP then answers through the
// cloud's source/destination check; a second run changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presetInstance } from '../sim/instance.ts';
import { addressesOf, ownRules, routesOf, withInstance } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

for (const preset of ['two-enis-same-vswitch', 'three-enis-mixed'] as const) {
  test(`${preset}: every private IP answers after apply, not before; second run changes nothing`, async (t) => {
    await withInstance(t, presetInstance(preset), async (sim) => {
      const before = await sim.reachableAll();
      const secondary = before.filter((entry) => !entry.ip.startsWith('10.0.0.2'));
      assert.ok(secondary.length > 0);
      assert.ok(secondary.every((entry) => !entry.ping && !entry.tcp), `before: ${JSON.stringify(secondary)}`);

      const first = await sim.runEniInit(['--json']);
      const report = first.report as ReportShape;
      assert.equal(first.code, 0, first.stderr);
      assert.equal(report.schemaVersion, 1);
      assert.equal(report.outcome, 'converged');
      assert.ok(report.changes.length > 0);
      assert.equal(report.metadata?.tokenMode, 'token');

      const after = await sim.reachableAll();
      assert.ok(after.every((entry) => entry.ping && entry.tcp), `after: ${JSON.stringify(after)}`);
      assert.ok((await routesOf(sim, 1001)).some((route) => route.startsWith('default via')));
      assert.ok((await ownRules(sim)).some((rule) => rule.endsWith(' 1001')));

      const rulesBefore = await ownRules(sim);
      const second = await sim.runEniInit(['--json']);
      assert.equal(second.code, 0, second.stderr);
      assert.equal((second.report as ReportShape).outcome, 'no-change');
      assert.deepEqual((second.report as ReportShape).changes, []);
      assert.deepEqual(await ownRules(sim), rulesBefore);

      const plan = await sim.runEniInit(['plan']);
      assert.equal(plan.code, 0);
      assert.match(plan.stdout, /plan only, nothing changed/);
      assert.doesNotMatch(plan.stdout, /Would run:/);
      const status = await sim.runEniInit(['status']);
      assert.equal(status.code, 0, status.stdout);
      assert.match(status.stdout, /eth1 .*1001 .*in sync/);
    });
  });
}

test('strict reverse-path filtering (rp_filter=1) on the instance: every private IP answers after apply', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed', { rpFilter: 1 }), async (sim) => {
    const run = await sim.runEniInit([]);
    assert.equal(run.code, 0, run.stderr);
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping && entry.tcp), JSON.stringify(reach));
  });
});

test('plan changes nothing and lists the exact ip commands; status shows drift', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
    const rulesBefore = await ownRules(sim);
    const addresses = await addressesOf(sim, 'eth1');
    const plan = await sim.runEniInit(['plan']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /ip -4 rule add pref 20001 from 10\.0\.0\.\d+\/32 table 1001 protocol 203/);
    assert.match(plan.stdout, /would-create +\/etc\/cloud\/cloud\.cfg\.d\/99-disable-network-config\.cfg/);
    assert.deepEqual(await ownRules(sim), rulesBefore);
    assert.deepEqual(await addressesOf(sim, 'eth1'), addresses);
    const status = await sim.runEniInit(['status']);
    assert.equal(status.code, 3);
    assert.match(status.stdout, /changes? pending/);
  });
});

test('the cloud-init file is written atomically under --root and left alone when identical', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
    const first = await sim.runEniInit(['--json']);
    assert.equal(first.code, 0, first.stderr);
    const { readFile } = await import('node:fs/promises');
    const path = `${sim.rootDir}/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg`;
    assert.match(await readFile(path, 'utf8'), /^network: \{config: disabled\}$/m);
    const reportFile = JSON.parse(await readFile(`${sim.rootDir}/run/eni-init/report.json`, 'utf8')) as ReportShape;
    assert.equal(reportFile.outcome, 'converged');
    const second = await sim.runEniInit(['--json']);
    assert.deepEqual((second.report as { files: unknown[] }).files, [{ path: '/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg', action: 'unchanged' }]);
  });
});
