// Two runs at once are serialized by the lock and reach the same end state as one run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presetInstance } from '../sim/instance.ts';
import { ownRules, withInstance } from './helpers.ts';

test('two runs at once: serialized, same end state, no duplicates', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const [a, b] = await Promise.all([sim.runEniInit(['--json']), sim.runEniInit(['--json'])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const outcomes = [a, b].map((run) => (run.report as { outcome: string }).outcome).sort();
    assert.deepEqual(outcomes, ['converged', 'no-change']);
    const rules = await ownRules(sim);
    assert.equal(new Set(rules).size, rules.length, 'no duplicate rules');
    const again = await sim.runEniInit(['--json']);
    assert.equal((again.report as { outcome: string }).outcome, 'no-change');
    assert.deepEqual(await ownRules(sim), rules);
  });
});
