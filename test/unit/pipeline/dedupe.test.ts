// The one-copy step: after a persist step whose manager applied our files, our copy of each object it holds is deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../../src/cli/spec.ts';
import { applyOperations } from '../../../src/apply/apply.ts';
import { silentLogger } from '../../../src/log.ts';
import type { DesiredObject, LiveRule } from '../../../src/model.ts';
import { objectKey } from '../../../src/plan/diff.ts';
import { dropRedundantCopies } from '../../../src/pipeline/dedupe.ts';
import { planStep } from '../../../src/pipeline/plan.ts';
import type { PersistResult } from '../../../src/persist/step.ts';
import { fakeKernel } from '../fake-kernel.ts';
import { liveState, metadata } from '../fixtures.ts';

/** A kernel converged to the fixtures' metadata, plus the manager's copy (`proto static`) of one of our rules. */
async function setup() {
  const state = { read: async () => ({ addresses: [] }) };
  const planned = await planStep(DEFAULTS, metadata(), liveState(), { state });
  const kernel = fakeKernel(liveState());
  const deps = { log: silentLogger, kernel, state: { write: async () => {} } };
  assert.equal((await applyOperations(planned.plan.operations, [], deps)).ok, true);
  const rule = planned.plan.operations.map((operation) => operation.object).find((object): object is Extract<DesiredObject, { kind: 'rule' }> => object.kind === 'rule');
  assert.ok(rule);
  const { kind: _kind, ...fields } = rule;
  kernel.state.rules.push({ ...fields, protocol: 'static' } as LiveRule);
  kernel.lines.length = 0;
  const input = (persisted: Partial<PersistResult>) => ({ desired: planned.desired, numbering: { tableBase: DEFAULTS.tableBase, priorityBase: DEFAULTS.priorityBase }, recorded: [], persisted: { owners: [], files: [], problems: [], changed: true, previews: [], ...persisted } });
  const copiesOf = () => kernel.state.rules.filter((live) => live.priority === rule.priority && live.from === rule.from && live.table === rule.table).map((live) => live.protocol);
  return { kernel, deps, rule, input, copiesOf };
}

test('ours goes where the manager holds the object and its copy is live: exactly one delete, with our protocol', async () => {
  const { kernel, deps, rule, input, copiesOf } = await setup();
  assert.deepEqual(copiesOf().sort(), ['203', 'static']);
  // A stale rule of ours that metadata no longer holds: a removal for apply to judge, never for this step.
  const stale: LiveRule = { family: 4, priority: 20009, table: 1009, protocol: '203', from: '10.0.9.9/32' };
  kernel.state.rules.push(stale);
  const result = await dropRedundantCopies(input({ persistedKeys: new Set([objectKey(rule)]) }), deps);
  assert.equal(result.ok, true);
  assert.equal(result.changed, true);
  assert.equal(result.changes.length, 1);
  assert.equal(kernel.lines.length, 1);
  assert.match(kernel.lines[0] ?? '', /^rule del .* protocol 203$/);
  assert.deepEqual(copiesOf(), ['static']);
  assert.ok(kernel.state.rules.some((live) => live.from === stale.from), 'the stale rule stays');
});

test('nothing goes without persisted keys, after a failed persist step, or when no manager copy is live', async () => {
  const { kernel, deps, rule, input, copiesOf } = await setup();
  const keys = new Set([objectKey(rule)]);
  for (const persisted of [{}, { persistedKeys: new Set<string>() }, { persistedKeys: keys, problems: [{ code: 'persist-write', message: 'disk full' }] }]) {
    assert.deepEqual(await dropRedundantCopies(input(persisted), deps), { changes: [], changed: false, ok: true });
  }
  assert.equal(kernel.reads.length, 0, 'the kernel is not even read');
  kernel.state.rules = kernel.state.rules.filter((live) => live.protocol !== 'static');
  assert.equal((await dropRedundantCopies(input({ persistedKeys: keys }), deps)).changed, false);
  assert.deepEqual(copiesOf(), ['203'], 'our only copy stays');
});

test('the live state read before is used when nothing changed since', async () => {
  const { kernel, deps, rule, input } = await setup();
  const unchanged = structuredClone(kernel.state);
  const result = await dropRedundantCopies({ ...input({ persistedKeys: new Set([objectKey(rule)]) }), unchanged }, deps);
  assert.equal(result.changed, true);
  assert.equal(kernel.reads.length, 0);
});
