// The plan step: the state file's problem, each ENI's problems, conflicts and held-back removals, in report order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eniProblems, numberingOf, planStep } from '../../../src/pipeline/plan.ts';
import type { PlanOptions } from '../../../src/pipeline/plan.ts';
import { DEFAULTS } from '../../../src/cli/spec.ts';
import type { RecordedAddress } from '../../../src/model.ts';
import { MAC1, liveState, metadata } from '../fixtures.ts';

const options: PlanOptions = DEFAULTS;
const stateOf = (addresses: RecordedAddress[] = [], problem?: string) => ({ state: { read: async () => (problem === undefined ? { addresses } : { addresses, problem }) } });

test('a clean plan: operations, no problems, the state file as read', async () => {
  const planned = await planStep(options, metadata(), liveState(), stateOf());
  assert.ok(planned.plan.operations.some((operation) => operation.mac === MAC1));
  assert.deepEqual(planned.problems, []);
  assert.deepEqual(planned.stored, { addresses: [] });
  assert.deepEqual(numberingOf(options), { tableBase: DEFAULTS.tableBase, priorityBase: DEFAULTS.priorityBase });
});

test('problems in report order: state file first, then the ENIs, then removals held back', async () => {
  const live = liveState();
  live.rules.push({ family: 4, priority: 20007, table: 1007, protocol: '203', from: '10.0.7.9/32' });
  const meta = metadata({ complete: false, failed: [{ mac: '00:16:3e:00:00:09', problems: [{ field: 'gateway', value: 'x', message: 'not an IPv4 address' }] }] });
  const planned = await planStep(options, meta, live, stateOf([], 'state file is not valid JSON'));
  assert.deepEqual(planned.problems.map((problem) => problem.code), ['state-file', 'bad-metadata', 'removals-held-back']);
  assert.equal(planned.problems[2]?.message, 'metadata incomplete: 1 removal held back (listed under deferred)');
  assert.equal(planned.plan.deferred.length, 1);
});

test('what the admin excluded is not a problem of the run; a missing interface is', async () => {
  const live = liveState();
  live.interfaces = live.interfaces.filter((iface) => iface.name !== 'eth2');
  const planned = await planStep({ ...options, exclude: [MAC1] }, metadata(), live, stateOf());
  assert.deepEqual(
    eniProblems(planned.desired).map((problem) => problem.code),
    ['missing-interface'],
  );
});
