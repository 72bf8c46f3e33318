// `status`: the last apply run that converged, with its time and trigger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastConverged, lastConvergedText } from '../../../src/report/last-converged.ts';
import type { RunSeen } from '../../../src/report/last-converged.ts';

const run = (path: string, startedAt: string, outcome: string, trigger?: string, command = 'apply'): RunSeen => ({
  path,
  command,
  startedAt,
  outcome,
  ...(trigger === undefined ? {} : { trigger }),
});

test('the latest converged or no-change apply run wins; partial, failed and busy runs do not count', () => {
  const runs = [
    run('/run/eni-init/report.json', '2026-12-03T06:00:00.000Z', 'converged', 'boot'),
    run('/run/eni-init/refresh-report.json', '2026-12-03T06:10:00.000Z', 'no-change', 'refresh'),
    run('/run/eni-init/report-eth3.json', '2026-12-03T06:20:00.000Z', 'partial', 'hotplug'),
    run('/run/eni-init/report-eth4.json', '2026-12-03T06:30:00.000Z', 'busy', 'refresh'),
  ];
  assert.equal(lastConverged(runs)?.path, '/run/eni-init/refresh-report.json');
  assert.equal(lastConvergedText(runs), 'Last converged: 2026-12-03T06:10:00.000Z (trigger refresh, no-change, /run/eni-init/refresh-report.json)\n');
});

test('reports without a trigger (older versions) and no converged run at all', () => {
  assert.match(lastConvergedText([run('/r.json', '2026-12-03T06:00:00.000Z', 'converged')]), /trigger unknown/);
  assert.match(lastConvergedText([run('/r.json', '2026-12-03T06:00:00.000Z', 'metadata-unreachable', 'boot')]), /^Last converged: never in this boot/);
  assert.match(lastConvergedText([run('/r.json', '2026-12-03T06:00:00.000Z', 'removed', 'manual', 'remove')]), /never/);
  assert.match(lastConvergedText([]), /never/);
});
