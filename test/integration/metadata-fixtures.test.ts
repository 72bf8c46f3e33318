// Every capture fixture written from public evidence (test/fixtures/metadata), replayed by the fake metadata service
// into a simulated instance and run through the built executable: every ENI configured where the data allows,
// or a precise per-ENI error, and nothing of a failed ENI touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { FIXTURES_DIR, fixtureSpec, listFixtures } from '../sim/imds-capture.ts';
import { addressesOf, rules, withInstance } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

const fixtures = listFixtures();

test('there are fixtures, each naming its source', () => {
  assert.ok(fixtures.length >= 6, fixtures.map((fixture) => fixture.name).join(', '));
  for (const fixture of fixtures) assert.ok(fixture.source.length > 40, fixture.name);
});

test('fake-imds --capture FILE serves the capture verbatim (bodies byte for byte, recorded statuses, 404 elsewhere)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eni-capture-'));
  const file = join(FIXTURES_DIR, 'alibaba-docs-tree.json');
  const ready = join(dir, 'ready');
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'test/sim/fake-imds.ts'), '--capture', file, '--listen', '127.0.0.1:0', '--ready-file', ready, '--parent-pid', String(process.pid)], { cwd: repo, stdio: 'ignore' });
  try {
    for (let i = 0; i < 500 && !existsSync(ready); i++) await sleep(20);
    const base = `http://${readFileSync(ready, 'utf8').trim()}`;
    const capture = JSON.parse(readFileSync(file, 'utf8')) as { responses: Record<string, string>; statuses: Record<string, number> };
    assert.ok(Object.keys(capture.statuses).length > 0);
    for (const [path, status] of Object.entries(capture.statuses)) assert.equal((await fetch(`${base}${path}`)).status, status, path);
    for (const [path, body] of Object.entries(capture.responses)) {
      const answer = await fetch(`${base}${path}`);
      assert.equal(answer.status, 200, path);
      assert.equal(await answer.text(), body, path);
    }
    assert.equal((await fetch(`${base}/latest/meta-data/user-data`)).status, 404);
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
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
