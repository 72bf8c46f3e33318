// IPv6 addresses, IPv6 tables and rules, and delegated IPv4 prefixes, end to end through the source/destination check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presetInstance } from '../sim/instance.ts';
import type { SimSpec } from '../sim/instance.ts';
import { rules, withInstance } from './helpers.ts';

function dualStack(): SimSpec {
  const spec = presetInstance('three-enis-mixed');
  const v6a = { vswitchCidr: '2408:4005:325:a204::/64', gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7' };
  const v6b = { vswitchCidr: '2408:4005:325:a205::/64', gateway: '2408:4005:325:a205:ffff:ffff:ffff:fff7' };
  const [eth0, eth1, eth2] = spec.enis;
  if (!eth0 || !eth1 || !eth2) throw new Error('preset changed');
  eth0.ipv6 = { ...v6a, addresses: ['2408:4005:325:a204::20'] };
  eth1.ipv6 = { ...v6a, addresses: ['2408:4005:325:a204::30', '2408:4005:325:a204::31'] };
  eth2.ipv6 = { ...v6b, addresses: ['2408:4005:325:a205::40'] };
  eth1.ipv4Prefixes = ['10.0.0.48/28'];
  return spec;
}

test('dual stack: every IPv4 and IPv6 address answers after apply; prefixes get rules; second run changes nothing', async (t) => {
  await withInstance(t, dualStack(), async (sim) => {
    const before = await sim.reachableAll();
    assert.ok(before.some((entry) => entry.ip === '2408:4005:325:a204::31' && !entry.ping), JSON.stringify(before));
    const run = await sim.runEniInit(['--json']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const after = await sim.reachableAll();
    assert.ok(after.some((entry) => entry.ip.includes(':')), 'IPv6 addresses are probed');
    assert.ok(after.every((entry) => entry.ping && entry.tcp), JSON.stringify(after));
    const v6 = await rules(sim, 6);
    assert.ok(v6.some((rule) => rule.src === '2408:4005:325:a204::31' && rule.table === '1001' && rule.protocol === '203'), JSON.stringify(v6));
    const v4 = await rules(sim, 4);
    assert.ok(v4.some((rule) => rule.src === '10.0.0.48' && rule.srclen === 28 && rule.table === '1001'), JSON.stringify(v4));
    const second = await sim.runEniInit(['--json']);
    assert.equal(second.code, 0);
    assert.equal((second.report as { outcome: string }).outcome, 'no-change');
  });
});
