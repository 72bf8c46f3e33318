// The pipeline explains itself (issue 12): status names why each change and file is pending, plan shows the diff of each file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/run.ts';
import { CLOUD_INIT_CONTENT, CLOUD_INIT_FILE } from '../../src/files/cloudinit.ts';
import { renderText } from '../../src/report/text.ts';
import { MAC1, eni, metadata } from './fixtures.ts';
import { opts, world } from './run-world.ts';

const PROFILE = '/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection';

test('a fresh instance: plan shows the cloud-init file and each profile as all added lines, with why', async () => {
  const w = world(async () => metadata());
  const report = await run(opts('plan', { persist: 'networkmanager' }), w.deps);
  const cloudInit = report.files.find((file) => file.path === CLOUD_INIT_FILE);
  assert.equal(cloudInit?.action, 'would-create');
  assert.match(cloudInit?.reason ?? '', /cloud-init may rewrite the network config/);
  assert.equal(cloudInit?.diff, `--- /dev/null\n+++ ${CLOUD_INIT_FILE}\n@@ -0,0 +1,3 @@\n${CLOUD_INIT_CONTENT.replace(/^(.)/gm, '+$1')}`);
  const profile = report.files.find((file) => file.path === PROFILE);
  assert.equal(profile?.reason, 'missing: the ENI on eth1 needs it');
  assert.match(profile?.diff ?? '', /^--- \/dev\/null\n\+\+\+ .*eni-init-eth1\.nmconnection\n@@ -0,0 \+1,\d+ @@\n\+# Written by eni-init/);
  assert.match(renderText(report), /would-create +\/etc\/NetworkManager\/system-connections\/eni-init-eth1\.nmconnection {2}\(missing: the ENI on eth1 needs it\)\n {6}--- \/dev\/null\n/);
  assert.equal(w.files.size, 0, 'plan writes nothing');
});

test('after a new private IP: plan shows the changed lines of the profile, status the reasons of the changes and the file', async () => {
  let current = metadata();
  const w = world(async () => current);
  assert.equal((await run(opts('apply', { persist: 'networkmanager' }), w.deps)).exitCode, 0);
  const before = w.files.get(PROFILE) ?? '';
  current = metadata({ enis: current.enis.map((one) => (one.mac === MAC1 ? eni(MAC1, 'eni-1', ['10.0.0.30', '10.0.0.31', '10.0.0.32'], '10.0.0.0/24', '10.0.0.253') : one)) });
  const plan = await run(opts('plan', { persist: 'networkmanager' }), w.deps);
  const profile = plan.files.find((file) => file.path === PROFILE);
  assert.equal(profile?.action, 'would-replace');
  assert.equal(profile?.reason, 'its content differs from what the metadata gives for the ENI on eth1');
  assert.match(profile?.diff ?? '', /^\+.*10\.0\.0\.32/m, 'the new address is an added line');
  assert.doesNotMatch(profile?.diff ?? '', /^[-+].*10\.0\.0\.30\b/m, 'the unchanged address is context at most');
  assert.equal(plan.files.find((file) => file.path === CLOUD_INIT_FILE)?.action, 'unchanged');
  assert.equal(w.files.get(PROFILE), before, 'plan wrote nothing');

  const status = await run(opts('status', { persist: 'networkmanager' }), w.deps);
  assert.equal(status.outcome, 'drift');
  const text = renderText(status);
  assert.match(text, /ip -4 address add 10\.0\.0\.32\/32 dev eth1[^\n]*# private IP in metadata\n/);
  assert.match(text, /would-replace +\/etc\/NetworkManager\/system-connections\/eni-init-eth1\.nmconnection {2}\(its content differs from what the metadata gives for the ENI on eth1\)\n/);
  assert.doesNotMatch(text, /^ {6}@@/m, 'status names the files; the diff is plan\'s');
  assert.ok(status.files.find((file) => file.path === PROFILE)?.diff, 'the JSON report of status has the diff too');
});
