// A difficult metadata service: flaky, slow, unreachable, token-only, malformed and hostile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presetInstance } from '../sim/instance.ts';
import { ownRules, rules, withInstance } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

test('500s, 429s and slow answers: success within the deadline', async (t) => {
  const spec = presetInstance('two-enis-same-vswitch', {
    faults: [
      { path: 'private-ipv4s', status: 500, count: 3 },
      { path: 'gateway', status: 429, count: 2 },
      { path: 'netmask', delayMs: 400, count: 2 },
      { path: 'api/token', status: 503, count: 1 },
    ],
  });
  await withInstance(t, spec, async (sim) => {
    const run = await sim.runEniInit(['--json', '--deadline', '20']);
    assert.equal(run.code, 0, run.stderr);
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping), JSON.stringify(reach));
  });
});

test('metadata unreachable: exit 4 within the deadline, nothing changed', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
    const rulesBefore = await rules(sim);
    const started = Date.now();
    const run = await sim.runEniInit(['--json', '--deadline', '3', '--metadata-url', 'http://100.100.100.201']);
    const elapsed = Date.now() - started;
    assert.equal(run.code, 4, run.stdout + run.stderr);
    // The deadline is the run's own (its report's clock); the wall clock adds process start, slow on a loaded machine.
    const report = run.report as ReportShape & { durationMs: number };
    assert.ok(report.durationMs <= 3000 + 1000, `the run took ${report.durationMs} ms`);
    assert.ok(elapsed < 3000 + 10_000, `the process took ${elapsed} ms`);
    assert.equal(report.outcome, 'metadata-unreachable');
    assert.deepEqual(await rules(sim), rulesBefore);
    const { existsSync } = await import('node:fs');
    assert.ok(!existsSync(`${sim.rootDir}/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg`));
  });
});

test('token-required service: success in token mode; --metadata-token off is refused by the service', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch', { token: 'required' }), async (sim) => {
    const run = await sim.runEniInit(['--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((run.report as ReportShape).metadata?.tokenMode, 'token');
    const plain = await sim.runEniInit(['plan', '--json', '--metadata-token', 'off', '--deadline', '3']);
    assert.notEqual(plain.code, 0);
  });
});

test('service without tokens: plain GETs in auto mode', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch', { token: 'unsupported', all: true }), async (sim) => {
    const run = await sim.runEniInit(['--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((run.report as ReportShape).metadata?.tokenMode, 'plain');
  });
});

test('hostile values: a clear error for that ENI, nothing injected, nothing lost, eth0 still works', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    assert.equal((await sim.runEniInit([])).code, 0);
    const good = await ownRules(sim);
    const eth2 = sim.spec.enis.find((eni) => eni.ifname === 'eth2');
    const base = `network/interfaces/macs/${eth2?.mac}`;
    const hostile: Record<string, string>[] = [
      { [`${base}/private-ipv4s`]: '["10.0.1.40","10.0.1.41\\nrule flush"]' },
      { [`${base}/gateway`]: '10.0.1.253 table main' },
      { [`${base}/gateway`]: '10.0.1.253\nrule del pref 0' },
      { [`${base}/netmask`]: '255.0.255.0' },
      { [`${base}/network-interface-id`]: 'eni-1; reboot' },
      { [`${base}/private-ipv4s`]: `["${'9'.repeat(2 * 1024 * 1024)}"]` },
    ];
    for (const overrides of hostile) {
      await sim.updateMetadata((config) => {
        config.rawOverrides = overrides;
      });
      const run = await sim.runEniInit(['--json']);
      const report = run.report as ReportShape;
      const field = Object.keys(overrides)[0]?.split('/').at(-1);
      assert.equal(run.code, 3, `${field}: ${run.stdout.slice(0, 400)} ${run.stderr}`);
      assert.ok(report.problems.some((problem) => problem.mac === eth2?.mac), `${field}: ${JSON.stringify(report.problems)}`);
      assert.ok(report.problems.some((problem) => problem.message.includes(field ?? '?')), JSON.stringify(report.problems));
      assert.deepEqual(await ownRules(sim), good, `${field}: rules changed`);
      const all = await rules(sim);
      assert.ok(all.some((rule) => rule.priority === 0 && rule.table === 'local'), 'local rule intact');
      assert.ok(all.some((rule) => rule.priority === 32766 && rule.table === 'main'), 'main rule intact');
      assert.ok(await sim.ping('10.0.0.20'), 'eth0 answers');
    }
  });
});

test('a malformed MAC listing entry: that entry is reported, the others are configured, nothing removed', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const macs = sim.spec.enis.map((eni) => `${eni.mac}/`);
    await sim.updateMetadata((config) => {
      config.rawOverrides = { 'network/interfaces/macs/': [...macs, '00-16-3e-zz/', 'x\ny/'].join('\n') };
    });
    const run = await sim.runEniInit(['--json']);
    assert.equal(run.code, 3, run.stdout);
    const report = run.report as ReportShape;
    assert.equal(report.metadata?.complete, false);
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping), JSON.stringify(reach));
  });
});

test('SIGTERM while waiting for metadata: exit 8 at once, nothing changed', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
    const rulesBefore = await rules(sim);
    const started = Date.now();
    const binary = sim.spec.binary ?? new URL('../../dist/eni-init', import.meta.url).pathname;
    const run = await sim.exec(
      ['timeout', '--preserve-status', '-s', 'TERM', '1', binary, '--deadline', '20', '--metadata-url', 'http://100.100.100.201', '--root', sim.rootDir],
      { timeoutMs: 15000 },
    );
    const elapsed = Date.now() - started;
    assert.equal(run.code, 8, run.stdout + run.stderr);
    // "At once": far from the 20 s deadline (the margin is for process start on a loaded machine).
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
    assert.match(run.stderr, /SIGTERM received before any change: stopping/);
    assert.deepEqual(await rules(sim), rulesBefore);
  });
});
