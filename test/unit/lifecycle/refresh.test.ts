// The refresh-interval setting: its grammar (shared with the generator) and a refresh run switched off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/errors.ts';
import { parseRefreshInterval, refreshSwitchedOff } from '../../../src/lifecycle/refresh.ts';

test('empty is the packaged default; off, no, false and 0 switch it off; seconds within 10..86400', () => {
  assert.deepEqual(parseRefreshInterval(''), { kind: 'default' });
  assert.deepEqual(parseRefreshInterval('  '), { kind: 'default' });
  for (const off of ['off', 'OFF', 'no', 'false', '0']) assert.deepEqual(parseRefreshInterval(off), { kind: 'off' }, off);
  assert.deepEqual(parseRefreshInterval('10'), { kind: 'every', seconds: 10 });
  assert.deepEqual(parseRefreshInterval(' 300 '), { kind: 'every', seconds: 300 });
  assert.deepEqual(parseRefreshInterval('86400'), { kind: 'every', seconds: 86400 });
});

test('anything else is a usage error naming the value', () => {
  for (const bad of ['9', '86401', '5min', '1e3', '-5', '3.5', '300s', 'yes', '1234567']) {
    assert.throws(() => parseRefreshInterval(bad, 'eni-init.conf: refresh-interval'), (error: unknown) => error instanceof UsageError && error.message.includes('refresh-interval'), bad);
  }
});

test('only a refresh run is switched off by refresh-interval = off', () => {
  assert.equal(refreshSwitchedOff('refresh', 'off'), true);
  assert.equal(refreshSwitchedOff('refresh', ''), false);
  assert.equal(refreshSwitchedOff('refresh', '60'), false);
  for (const trigger of ['boot', 'hotplug', 'detach', 'manual']) assert.equal(refreshSwitchedOff(trigger, 'off'), false, trigger);
});
