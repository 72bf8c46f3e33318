// Triggers: report file per kind of run, the refresh's lock deadline, which busy run ends quietly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../../../src/errors.ts';
import { FULL_RUN_REPORT } from '../../../src/report/last-runs.ts';
import { REFRESH_REPORT, endsQuietly, lockDeadline, reportPathForRun } from '../../../src/lifecycle/trigger.ts';
import { TRIGGERS } from '../../../src/cli/spec.ts';

test('a refresh writes refresh-report.json, so report.json stays the boot run\'s; detach and hotplug write the interface\'s', () => {
  assert.equal(REFRESH_REPORT, '/run/eni-init/refresh-report.json');
  assert.equal(reportPathForRun(FULL_RUN_REPORT, '', 'refresh'), REFRESH_REPORT);
  assert.equal(reportPathForRun(FULL_RUN_REPORT, '', 'boot'), FULL_RUN_REPORT);
  assert.equal(reportPathForRun(FULL_RUN_REPORT, '', 'manual'), FULL_RUN_REPORT);
  assert.equal(reportPathForRun(FULL_RUN_REPORT, 'eth3', 'hotplug'), '/run/eni-init/report-eth3.json');
  assert.equal(reportPathForRun(FULL_RUN_REPORT, 'eth3', 'detach'), '/run/eni-init/report-eth3.json');
  // An explicit file is the caller's, and "" still disables it.
  assert.equal(reportPathForRun('/var/tmp/r.json', '', 'refresh'), '/var/tmp/r.json');
  assert.equal(reportPathForRun('', '', 'refresh'), '');
});

test('a refresh does not wait for the lock; every other run waits as before', () => {
  for (const trigger of TRIGGERS) assert.equal(lockDeadline(trigger, 1000, 23_500), trigger === 'refresh' ? 1000 : 23_500, trigger);
});

test('only a busy refresh ends quietly', () => {
  for (const trigger of TRIGGERS) {
    assert.equal(endsQuietly(trigger, EXIT.BUSY), trigger === 'refresh', trigger);
    assert.equal(endsQuietly(trigger, EXIT.OK), false);
    assert.equal(endsQuietly(trigger, EXIT.METADATA_UNREACHABLE), false);
  }
});
