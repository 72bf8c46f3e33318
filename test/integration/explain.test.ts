// NEEDS ROOT (network namespaces): the built executable explains itself under --root (issue 12): `plan` prints the
// diff of a profile that changed, `status` the reason of each pending change and file, and --json carries the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { presetInstance } from '../sim/instance.ts';
import { withInstance } from './helpers.ts';

const NETWORKD_ETH1 = '/etc/systemd/network/05-eni-init-eth1.network';

test('after a new private IP: plan shows the changed lines of the networkd file, status says why each change is pending', async (t) => {
  // three-enis-mixed (test/sim/presets.ts): eth1 holds 10.0.0.30-.32 in 10.0.0.0/24; 10.0.0.33 is free.
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const applied = await sim.runEniInit(['--persist', 'networkd']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const before = readFileSync(join(sim.rootDir, NETWORKD_ETH1), 'utf8');
    await sim.setEniIps('eth1', ['10.0.0.30', '10.0.0.31', '10.0.0.32', '10.0.0.33']);

    const plan = await sim.runEniInit(['plan', '--persist', 'networkd']);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, new RegExp(`would-replace +${NETWORKD_ETH1} {2}\\(its content differs from what the metadata gives for the ENI on eth1\\)\\n {6}--- ${NETWORKD_ETH1}\\n {6}\\+\\+\\+ ${NETWORKD_ETH1}\\n {6}@@ -\\d+(,\\d+)? \\+\\d+(,\\d+)? @@\\n`));
    assert.match(plan.stdout, /^ {6}\+.*10\.0\.0\.33/m, 'the new address is an added line of the diff');
    assert.doesNotMatch(plan.stdout, /^ {6}-(?!-- )/m, 'nothing of the file goes');
    assert.match(plan.stdout, /ip -4 address add 10\.0\.0\.33\/32 dev eth1[^\n]*# private IP in metadata\n/);
    assert.equal(readFileSync(join(sim.rootDir, NETWORKD_ETH1), 'utf8'), before, 'plan writes nothing');

    const status = await sim.runEniInit(['status', '--persist', 'networkd']);
    assert.equal(status.code, 3, status.stdout + status.stderr);
    assert.match(status.stdout, /ip -4 rule add pref \d+ from 10\.0\.0\.33\/32 table \d+ protocol 203 {3}# private IP rule\n/);
    assert.match(status.stdout, new RegExp(`would-replace +${NETWORKD_ETH1} {2}\\(its content differs from what the metadata gives for the ENI on eth1\\)\\n`));
    assert.doesNotMatch(status.stdout, /^ {6}@@/m, 'status names the files; the diff is plan\'s');

    const json = await sim.runEniInit(['status', '--persist', 'networkd', '--json']);
    const files = (json.report as { files: { path: string; diff?: string }[] }).files;
    assert.match(files.find((file) => file.path === NETWORKD_ETH1)?.diff ?? '', /^\+.*10\.0\.0\.33/m, 'the JSON report has the diff');
  });
});
