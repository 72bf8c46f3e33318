// Per-phase durations: integer milliseconds per phase, added up when a phase runs twice, counted when it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phaseTimer } from '../../../src/pipeline/phases.ts';
import { emptyReport } from '../../../src/report/report.ts';

test('each phase gets its rounded milliseconds; a second run adds; a failing step still counts and still throws', async () => {
  let clock = 0.4;
  const report = emptyReport('apply', 't', 0);
  const timed = phaseTimer(report, () => clock);
  assert.equal(await timed('metadata', async () => ((clock += 10.6), 'meta')), 'meta');
  await timed('apply', async () => (clock += 3));
  await timed('apply', async () => (clock += 4));
  await assert.rejects(timed('verify', async () => {
    clock += 2;
    throw new Error('read failed');
  }), /read failed/);
  assert.deepEqual(report.durations, { metadata: 11, apply: 7, verify: 2 });
});
