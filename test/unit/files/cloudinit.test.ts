// The cloud-init drop-in: its content disables network config, and the decision never overwrites someone else's file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLOUD_INIT_CONTENT, CLOUD_INIT_FILE, cloudInitDecision, disablesNetworkConfig } from '../../../src/files/cloudinit.ts';

test('the file is a cloud.cfg.d drop-in whose content disables network config', () => {
  assert.match(CLOUD_INIT_FILE, /^\/etc\/cloud\/cloud\.cfg\.d\/[^/]+\.cfg$/);
  assert.equal(disablesNetworkConfig(CLOUD_INIT_CONTENT), true);
  assert.ok(CLOUD_INIT_CONTENT.endsWith('\n'));
});

test('both YAML styles disable it; other content does not', () => {
  assert.equal(disablesNetworkConfig('network: {config: disabled}\n'), true);
  assert.equal(disablesNetworkConfig('# x\nnetwork:\n  config: disabled\n'), true);
  assert.equal(disablesNetworkConfig('network: { config: disabled }'), true);
  assert.equal(disablesNetworkConfig('network: {config: enabled}\n'), false);
  assert.equal(disablesNetworkConfig('# network: {config: disabled}\n'), false, 'a comment disables nothing');
  assert.equal(disablesNetworkConfig('network:\nconfig: disabled\n'), false, 'config must be indented under network');
  assert.equal(disablesNetworkConfig(''), false);
});

test('write when absent, unchanged when ours, kept when someone else wrote it', () => {
  assert.equal(cloudInitDecision(null), 'write');
  assert.equal(cloudInitDecision(CLOUD_INIT_CONTENT), 'unchanged');
  assert.equal(cloudInitDecision('network:\n  config: disabled\n'), 'kept-equivalent');
  assert.equal(cloudInitDecision('datasource_list: [AliYun]\n'), 'kept-foreign');
  assert.equal(cloudInitDecision(''), 'kept-foreign');
});
