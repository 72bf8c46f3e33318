// Every capture fixture written from public evidence (test/fixtures/metadata), replayed by the fake metadata service
// into a simulated instance and run through the built executable: every ENI configured where the data allows,
// or a precise per-ENI error, and nothing of a failed ENI touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureSpec, listFixtures } from '../sim/imds-capture.ts';
import { addressesOf, rules, withInstance } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

const fixtures = listFixtures();

test('there are fixtures, each naming its source', () => {
  assert.ok(fixtures.length >= 6, fixtures.map((fixture) => fixture.name).join(', '));
  for (const fixture of fixtures) assert.ok(fixture.source.length > 40, fixture.name);
});

for (const fixture of fixtures) {
  test(`fixture ${fixture.name}`, async (t) => {
    await withInstance(t, fixtureSpec(fixture), async (sim) => {
      const run = await sim.runEniInit(['--json']);
      const report = run.report as ReportShape & { metadata?: { sources?: Record<string, string> } };
      assert.equal(run.code, fixture.expect.exitCode, `${run.stdout.slice(0, 1500)}\n${run.stderr.slice(-1500)}`);
      const reach = await sim.reachableAll();
      const v4Rules = await rules(sim, 4);
      const v6Rules = await rules(sim, 6);
      for (const [index, eni] of fixture.expect.enis.entries()) {
        const name = `${fixture.name} ${eni.ifname}`;
        const problems = report.problems.filter((problem) => problem.mac === eni.mac);
        if (eni.problem === undefined) assert.deepEqual(problems, [], name);
        else assert.ok(problems.some((problem) => problem.field === eni.problem && problem.message.includes(eni.problem ?? '?')), `${name}: ${JSON.stringify(report.problems)}`);
        const v4 = eni.privateIps;
        const v6 = eni.ipv6?.addresses ?? [];
        const answers = (ip: string) => reach.find((entry) => entry.ip === ip)?.ping === true;
        if (eni.configured === 'none') {
          // Left alone: no rule of its table, no address of it added (DHCP's primary IP is not eni-init's).
          assert.ok(!v4Rules.some((rule) => rule.table === String(1000 + index)), `${name}: no rule`);
          assert.ok(!(await addressesOf(sim, eni.ifname)).some((address) => v4.slice(1).some((ip) => address.startsWith(`${ip}/`))), `${name}: nothing added`);
          continue;
        }
        for (const ip of v4) assert.ok(answers(ip), `${name}: ${ip} answers ${JSON.stringify(reach)}`);
        if (eni.configured === 'all') for (const ip of v6) assert.ok(answers(ip), `${name}: ${ip} answers`);
        else assert.ok(!v6Rules.some((rule) => rule.table === String(1000 + index)), `${name}: no IPv6 rule while its IPv6 side is unknown`);
      }
      assert.equal(report.metadata?.complete, fixture.expect.exitCode === 0);
    });
  });
}
