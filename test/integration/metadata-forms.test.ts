// The metadata service as the real one may serve it, through the built executable on 2- and 3-ENI instances:
// every `all` mode x value style x token mode, IPv6 apart from IPv4, token answers, and capture/replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presetInstance } from '../sim/instance.ts';
import type { SimInstance, SimSpec } from '../sim/instance.ts';
import { ALL_MODES, VALUE_STYLES } from '../sim/imds-config.ts';
import type { AllMode, ImdsConfig, TokenMode, ValueStyle } from '../sim/imds-config.ts';
import { addressesOf, ownRules, rules, withInstance } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

type Report = ReportShape & {
  metadata?: ReportShape['metadata'] & { source: string; sources?: Record<string, string>; requestsBy?: { token: number; all: number; tree: number } };
  error?: { message: string };
};

const TOKENS: { token: TokenMode; tokenStatus?: number; mode: 'token' | 'plain' }[] = [
  { token: 'optional', mode: 'token' },
  { token: 'required', mode: 'token' },
  { token: 'unsupported', mode: 'plain' },
  { token: 'unsupported', tokenStatus: 405, mode: 'plain' },
];

function dualStackTwo(): SimSpec {
  const spec = presetInstance('two-enis-same-vswitch');
  const eth1 = spec.enis[1];
  if (!eth1) throw new Error('preset changed');
  eth1.ipv6 = { addresses: ['2408:4005:325:a204::30', '2408:4005:325:a204::31'], vswitchCidr: '2408:4005:325:a204::/64', gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7' };
  eth1.ipv4Prefixes = ['10.0.0.48/28'];
  return spec;
}

async function setService(sim: SimInstance, all: AllMode, style: ValueStyle, token: (typeof TOKENS)[number]): Promise<void> {
  await sim.updateMetadata((config: ImdsConfig) => {
    config.all = all;
    config.style = style;
    config.token = token.token;
    if (token.tokenStatus === undefined) delete config.tokenStatus;
    else config.tokenStatus = token.tokenStatus;
  });
}

/** Every case reads the metadata to the very same desired state: the converged instance needs no change. */
async function matrix(sim: SimInstance, what: string): Promise<void> {
  const first = await sim.runEniInit(['--json']);
  assert.equal(first.code, 0, `${what}: first apply ${first.stdout.slice(0, 600)} ${first.stderr}`);
  const converged = await ownRules(sim);
  const macs = sim.spec.enis.map((eni) => eni.mac);
  for (const all of ALL_MODES) {
    for (const style of VALUE_STYLES) {
      for (const token of TOKENS) {
        const name = `${what}: all ${all}, style ${style}, token ${token.token}${token.tokenStatus ? ` (PUT ${token.tokenStatus})` : ''}`;
        await setService(sim, all, style, token);
        const run = await sim.runEniInit(['plan', '--json']);
        const report = run.report as Report;
        assert.equal(run.code, 0, `${name}: ${run.stdout.slice(0, 800)} ${run.stderr.slice(-800)}`);
        assert.deepEqual(report.changes, [], `${name}: the same desired state`);
        assert.equal(report.metadata?.complete, true, name);
        assert.equal(report.metadata?.tokenMode, token.mode, name);
        const expected = all === 'none' ? 'tree' : 'both';
        assert.deepEqual(Object.keys(report.metadata?.sources ?? {}).sort(), [...macs].sort(), name);
        for (const mac of macs) assert.equal(report.metadata?.sources?.[mac], expected, `${name}: source of ${mac}`);
        assert.equal(report.metadata?.requestsBy?.all, 1, `${name}: all asked once`);
      }
    }
  }
  assert.deepEqual(await ownRules(sim), converged);
}

test('3 ENIs: every all mode x value style x token mode gives the same complete metadata', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), (sim) => matrix(sim, '3 ENIs'));
});

test('2 ENIs, dual stack with prefixes: every all mode x value style x token mode, and a fresh apply per all mode', async (t) => {
  await withInstance(t, dualStackTwo(), async (sim) => {
    await matrix(sim, '2 ENIs');
    // From scratch in each mode (one style each): configured and answering, through the source/destination check.
    const styles: ValueStyle[] = ['crlf', 'spaced', 'upper-mac', 'newline'];
    for (const [index, all] of ALL_MODES.entries()) {
      assert.equal((await sim.runEniInit(['remove'])).code, 0);
      await setService(sim, all, styles[index] ?? 'plain', TOKENS[index % TOKENS.length] ?? { token: 'optional', mode: 'token' });
      const run = await sim.runEniInit(['--json']);
      assert.equal(run.code, 0, `${all}: ${run.stdout.slice(0, 600)} ${run.stderr}`);
      const reach = await sim.reachableAll();
      assert.ok(reach.every((entry) => entry.ping), `${all}: ${JSON.stringify(reach)}`);
    }
  });
});

test('a partial all (the default) costs fewer requests than reading the tree', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const requests: Record<string, number> = {};
    for (const all of ['none', 'partial'] as const) {
      await setService(sim, all, 'plain', { token: 'optional', mode: 'token' });
      const run = await sim.runEniInit(['plan', '--json']);
      assert.equal(run.code, 0, run.stdout);
      requests[all] = (run.report as Report).metadata?.requests ?? NaN;
    }
    assert.ok((requests['partial'] ?? NaN) < (requests['none'] ?? NaN), JSON.stringify(requests));
  });
});

test('IPv6 apart from IPv4: failed IPv6 items leave the IPv4 side configured and every IPv6 object in place (exit 3)', async (t) => {
  await withInstance(t, dualStackTwo(), async (sim) => {
    assert.equal((await sim.runEniInit([])).code, 0);
    const v6Before = (await rules(sim, 6)).filter((rule) => rule.protocol === '203' || rule.protocol === 'eni-init');
    const eth1Before = await addressesOf(sim, 'eth1');
    assert.ok(v6Before.length > 0 && eth1Before.some((address) => address.startsWith('2408:')));
    const mac1 = sim.spec.enis[1]?.mac ?? '';
    for (const fault of [{ path: `${mac1}/ipv6-gateway$`, status: 500 }, { path: `${mac1}/vswitch-ipv6-cidr-block$`, body: 'not-a-cidr' }]) {
      await sim.updateMetadata((config) => {
        config.faults = [fault];
        config.all = 'partial';
        const eth1 = config.enis.find((eni) => eni.mac === mac1);
        if (eth1 && !eth1.privateIpv4s.includes('10.0.0.33')) eth1.privateIpv4s.push('10.0.0.33');
      });
      const run = await sim.runEniInit(['--json', '--deadline', '6']);
      const report = run.report as Report;
      const field = fault.path.split('/')[1]?.replace('$', '') ?? '?';
      assert.equal(run.code, 3, `${field}: ${run.stdout.slice(0, 800)}`);
      assert.ok(report.problems.some((problem) => problem.mac === mac1 && problem.field === field), JSON.stringify(report.problems));
      assert.equal(report.metadata?.complete, false);
      assert.ok((await addressesOf(sim, 'eth1')).includes('10.0.0.33/32'), 'the IPv4 side is configured');
      assert.ok(await sim.ping('10.0.0.33'), 'the new IPv4 address answers');
      assert.deepEqual((await rules(sim, 6)).filter((rule) => rule.protocol === '203' || rule.protocol === 'eni-init'), v6Before, 'IPv6 rules kept');
      for (const address of eth1Before.filter((entry) => entry.startsWith('2408:'))) assert.ok((await addressesOf(sim, 'eth1')).includes(address), `${address} kept`);
      assert.ok(!report.changes.some((change) => change.command.startsWith('ip -6') && change.command.includes(' del')), JSON.stringify(report.changes));
    }
  });
});

test('token answers told apart: 403 = access disabled, 400 = TTL refused, both exit 5 with nothing changed', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
    const before = await rules(sim);
    for (const [status, message] of [[403, /metadata access is disabled for this instance or refused by policy/], [400, /refused the token TTL/]] as const) {
      await sim.updateMetadata((config) => {
        config.faults = [{ path: 'api/token', status }];
      });
      const run = await sim.runEniInit(['--json']);
      assert.equal(run.code, 5, run.stdout);
      assert.match((run.report as Report).error?.message ?? '', message);
      assert.deepEqual(await rules(sim), before);
    }
  });
});

test('eni-init metadata prints every path read with its exact body; the capture replays to the same result', async (t) => {
  const spec = dualStackTwo();
  let capture: { responses: Record<string, string>; statuses: Record<string, number>; result: { complete: boolean; enis: { mac: string; source: string }[] } } | undefined;
  await withInstance(t, spec, async (sim) => {
    await sim.updateMetadata((config) => {
      config.style = 'crlf';
    });
    const run = await sim.runEniInit(['metadata']);
    assert.equal(run.code, 0, run.stderr);
    capture = JSON.parse(run.stdout);
    assert.ok(capture?.responses['/latest/meta-data/all']?.startsWith('{'), 'all included, verbatim');
    assert.ok(Object.values(capture?.responses ?? {}).some((body) => body.endsWith('\r\n')), 'exact bodies (CRLF kept)');
    assert.ok(!Object.keys(capture?.responses ?? {}).some((path) => /user-data|ram|keys|token/.test(path)), 'nothing secret read');
    assert.equal(capture?.result.complete, true);
    assert.deepEqual(capture?.result.enis.map((eni) => eni.source), ['both', 'both']);
  });
  if (capture === undefined) return;
  // Replayed verbatim by the fake service (the sim's `capture` option): the same configuration.
  await withInstance(t, { ...dualStackTwo(), capture }, async (sim) => {
    const run = await sim.runEniInit(['--json']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping), JSON.stringify(reach));
  });
});
