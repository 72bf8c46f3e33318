// Adversarial cases of issue 9 against the built executable on one simulated instance: hostile metadata values,
// a state file that lies, foreign routes and rules in our tables. After each case eth0 answers, the route to
// the metadata service leaves by eth0, no untagged rule or route appeared, and a clean run converges again.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { presetInstance } from '../sim/instance.ts';
import type { SimInstance, SimSpec } from '../sim/instance.ts';
import { addressesOf, withInstance } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

function spec(): SimSpec {
  const base = presetInstance('three-enis-mixed');
  const v6 = { vswitchCidr: '2408:4005:325:a204::/64', gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7' };
  const [eth0, eth1] = base.enis;
  if (!eth0 || !eth1) throw new Error('preset changed');
  eth0.ipv6 = { ...v6, addresses: ['2408:4005:325:a204::20'] };
  eth1.ipv6 = { ...v6, addresses: ['2408:4005:325:a204::30'] };
  return base;
}

const OURS = new Set(['203', 'eni-init']);

interface JsonObject {
  [key: string]: unknown;
}

async function json(sim: SimInstance, argv: string[]): Promise<JsonObject[]> {
  const result = await sim.exec(['ip', '-j', ...argv]);
  assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout === '' ? '[]' : result.stdout) as JsonObject[];
}

/** Every rule and route that does not carry our tag (kernel-made routes of the local table and prefixes aside). */
async function untagged(sim: SimInstance): Promise<string[]> {
  const objects: string[] = [];
  for (const family of ['-4', '-6']) {
    for (const rule of await json(sim, [family, 'rule', 'show'])) if (!OURS.has(String(rule.protocol))) objects.push(`${family} rule ${JSON.stringify(rule)}`);
    for (const route of await json(sim, [family, 'route', 'show', 'table', 'all'])) {
      if (OURS.has(String(route.protocol)) || route.table === 'local' || route.protocol === 'kernel' || route.type === 'multicast') continue;
      objects.push(`${family} route ${JSON.stringify({ ...route, expires: undefined })}`);
    }
  }
  return objects.sort();
}

/** Every address on every interface of the instance, as `ifname address/len`. */
async function allAddresses(sim: SimInstance): Promise<string[]> {
  const links = await json(sim, ['address', 'show']);
  return links.flatMap((link) => ((link.addr_info as { local: string; prefixlen: number }[] | undefined) ?? []).map((entry) => `${String(link.ifname)} ${entry.local}/${entry.prefixlen}`));
}

async function setOverrides(sim: SimInstance, overrides: Record<string, string>): Promise<void> {
  await sim.updateMetadata((config) => {
    config.rawOverrides = overrides;
    config.faults = [];
  });
}

async function apply(sim: SimInstance, args: string[] = []) {
  const run = await sim.runEniInit(['--json', ...args], { timeoutMs: 40_000 });
  return { code: run.code, report: run.report as ReportShape, text: `${run.stdout.slice(0, 2000)}\n${run.stderr.slice(0, 2000)}` };
}

/** The guarantees after every case: eth0 answers, the metadata service is reached through eth0, nothing untagged appeared. */
async function assertHealthy(sim: SimInstance, baseline: string[], label: string): Promise<void> {
  assert.ok(await sim.ping('10.0.0.20', { timeoutMs: 3000 }), `${label}: eth0 answers`);
  const [route] = await json(sim, ['route', 'get', '100.100.100.200']);
  assert.equal(route?.dev, 'eth0', `${label}: route to the metadata service: ${JSON.stringify(route)}`);
  assert.equal(route?.prefsrc, '10.0.0.20', `${label}: with eth0's address as source`);
  assert.deepEqual(await untagged(sim), baseline, `${label}: untagged objects changed`);
}

/** Back to clean metadata: a run converges with exit 0 and every private IP answers. */
async function restore(sim: SimInstance, baseline: string[], label: string): Promise<void> {
  await setOverrides(sim, {});
  const run = await apply(sim);
  assert.equal(run.code, 0, `${label}: clean run after the case: ${run.text}`);
  await assertHealthy(sim, baseline, label);
}

/** A hostile-metadata case: exit 3, a problem naming the ENI and the value, the value installed nowhere. */
async function rejected(sim: SimInstance, baseline: string[], label: string, mac: string, overrides: Record<string, string>, value: string): Promise<void> {
  await setOverrides(sim, overrides);
  const before = await allAddresses(sim);
  const run = await apply(sim);
  assert.equal(run.code, 3, `${label}: ${run.text}`);
  assert.ok(
    run.report.problems.some((problem) => problem.mac === mac && (problem.value === value || problem.message.includes(value))),
    `${label}: ${JSON.stringify(run.report.problems)}`,
  );
  assert.ok(!run.report.changes.some((change) => change.command.split(/[ /]/).includes(value)), `${label}: ${JSON.stringify(run.report.changes)}`);
  const after = await allAddresses(sim);
  assert.ok(!after.some((entry) => entry.split(' ')[1]?.split('/')[0] === value && !before.includes(entry)), `${label}: ${value} installed: ${after.join(', ')}`);
  for (const family of ['-4', '-6']) {
    const leaked = (await json(sim, [family, 'rule', 'show'])).filter((rule) => rule.src === value);
    assert.deepEqual(leaked, [], `${label}: a rule from ${value}`);
  }
  await assertHealthy(sim, baseline, label);
  await restore(sim, baseline, label);
}

async function adversarial(t: TestContext, sim: SimInstance): Promise<void> {
  const first = await apply(sim);
  assert.equal(first.code, 0, first.text);
  const baseline = await untagged(sim);
  await assertHealthy(sim, baseline, 'first run');
  const [eth0, eth1, eth2] = sim.spec.enis;
  if (!eth0 || !eth1 || !eth2) throw new Error('spec changed');
  const at = (mac: string, item: string) => `network/interfaces/macs/${mac}/${item}`;
  const eniValues = (mac: string, primary: string, ips: string[], netmask: string, gateway: string) => ({
    [at(mac, 'primary-ip-address')]: primary,
    [at(mac, 'private-ipv4s')]: JSON.stringify(ips),
    [at(mac, 'netmask')]: netmask,
    [at(mac, 'gateway')]: gateway,
  });

  await t.test('case 1: an all-zero ENI is rejected whole, no `from 0.0.0.0` rule', async () => {
    await rejected(sim, baseline, 'all-zero', eth2.mac, eniValues(eth2.mac, '0.0.0.0', ['0.0.0.0', '0.0.0.1'], '255.0.0.0', '0.0.0.253'), '0.0.0.0');
  });

  await t.test('case 2: the metadata service address is never added as a private IP', async () => {
    await rejected(sim, baseline, 'metadata address', eth2.mac, eniValues(eth2.mac, '100.100.100.10', ['100.100.100.10', '100.100.100.200'], '255.255.255.0', '100.100.100.253'), '100.100.100.200');
  });

  await t.test("case 3: eth1 listing eth0's primary IP while eth0's metadata fails: never added to eth1", async () => {
    const claim = { [at(eth1.mac, 'private-ipv4s')]: JSON.stringify([...eth1.privateIps, '10.0.0.20']) };
    await rejected(sim, baseline, 'eth0 netmask invalid', eth1.mac, { ...claim, [at(eth0.mac, 'netmask')]: '255.0.255.0' }, '10.0.0.20');
    // eth0's secondary IP, added by eni-init (recorded), is not "movable" to eth1 while eth0's metadata fails.
    const secondary = eth0.privateIps[1] as string;
    const claimSecondary = { [at(eth1.mac, 'private-ipv4s')]: JSON.stringify([...eth1.privateIps, secondary]), [at(eth0.mac, 'netmask')]: '255.0.255.0' };
    await rejected(sim, baseline, "eth0's secondary IP", eth1.mac, claimSecondary, secondary);
    // eth0's private-ipv4s failing (5xx until the deadline) instead of its netmask.
    await sim.updateMetadata((config) => {
      config.rawOverrides = claim;
      config.faults = [{ path: `${eth0.mac}/private-ipv4s`, status: 500 }];
    });
    const run = await apply(sim, ['--deadline', '4']);
    assert.equal(run.code, 3, run.text);
    assert.ok(run.report.problems.some((problem) => problem.mac === eth1.mac && problem.message.includes('eth0')), JSON.stringify(run.report.problems));
    assert.ok(!(await addressesOf(sim, 'eth1')).some((entry) => entry.startsWith('10.0.0.20/')));
    await assertHealthy(sim, baseline, 'eth0 private-ipv4s failing');
    await restore(sim, baseline, 'eth0 private-ipv4s failing');
  });

  await t.test("case 3, the residue of an earlier version (eth0's IP on eth1 with a rule): remove cleans it, eth0 keeps its IP", async () => {
    const path = `${sim.rootDir}/run/eni-init/state.json`;
    const state = JSON.parse(readFileSync(path, 'utf8')) as { version: number; addresses: unknown[] };
    await sim.exec(['ip', 'address', 'add', '10.0.0.20/32', 'dev', 'eth1']);
    await sim.exec(['ip', 'rule', 'add', 'pref', '20001', 'from', '10.0.0.20', 'lookup', '1001', 'protocol', '203']);
    writeFileSync(path, JSON.stringify({ ...state, addresses: [...state.addresses, { ifname: 'eth1', mac: eth1.mac, family: 4, address: '10.0.0.20', prefixLength: 32 }] }));
    // That residue takes eth0's traffic (the metadata client's included) out of eth1: only `remove` can run.
    const run = await apply(sim, ['remove']);
    assert.equal(run.code, 0, run.text);
    assert.ok(!(await addressesOf(sim, 'eth1')).includes('10.0.0.20/32'), 'the copy on eth1 is removed');
    assert.ok((await addressesOf(sim, 'eth0')).includes('10.0.0.20/24'), 'eth0 keeps its address');
    assert.doesNotMatch((await sim.exec(['ip', 'rule', 'show'])).stdout, /from 10\.0\.0\.20 /);
    await assertHealthy(sim, baseline, 'case 3 residue');
    await restore(sim, baseline, 'case 3 residue');
  });

  await t.test('case 5: the state file is a hint: DHCP and admin addresses listed in it are never deleted', async () => {
    const path = `${sim.rootDir}/run/eni-init/state.json`;
    const state = JSON.parse(readFileSync(path, 'utf8')) as { version: number; addresses: unknown[] };
    await sim.exec(['ip', 'address', 'add', '192.0.2.5/24', 'dev', 'eth1']);
    const adminBaseline = await untagged(sim);
    const hostile = [
      { ifname: 'eth0', mac: eth0.mac, family: 4, address: '10.0.0.20', prefixLength: 24 },
      { ifname: 'eth0', mac: eth0.mac, family: 4, address: '10.0.0.20', prefixLength: 32 },
      { ifname: 'eth1', mac: eth1.mac, family: 4, address: '192.0.2.5', prefixLength: 24 },
      { ifname: 'eth1', mac: eth1.mac, family: 4, address: '192.0.2.5', prefixLength: 32 },
    ];
    for (const command of ['apply', 'remove']) {
      writeFileSync(path, JSON.stringify({ ...state, addresses: [...state.addresses, ...hostile] }));
      const run = await apply(sim, command === 'remove' ? ['remove'] : []);
      assert.ok(run.code === 3 || (command === 'remove' && run.code === 0), `${command}: ${run.text}`);
      assert.ok(run.report.problems.some((problem) => problem.code === 'state-file'), `${command}: ${JSON.stringify(run.report.problems)}`);
      assert.ok(!run.report.changes.some((change) => /10\.0\.0\.20|192\.0\.2\.5/.test(change.command)), `${command}: ${JSON.stringify(run.report.changes)}`);
      assert.ok((await addressesOf(sim, 'eth0')).includes('10.0.0.20/24'), `${command}: eth0 keeps its DHCP address`);
      assert.ok((await addressesOf(sim, 'eth1')).includes('192.0.2.5/24'), `${command}: the admin's address stays`);
      await assertHealthy(sim, adminBaseline, `state file, ${command}`);
      if (command === 'apply') {
        const again = await apply(sim);
        assert.equal(again.code, 0, `reported once, then rewritten: ${again.text}`);
        assert.deepEqual(again.report.problems, []);
      }
    }
    await sim.exec(['ip', 'address', 'del', '192.0.2.5/24', 'dev', 'eth1']);
    await restore(sim, baseline, 'state file');
  });

  await t.test('case 5: a FIFO or a symlink at the state path never blocks, is never followed, and is replaced', async () => {
    const path = `${sim.rootDir}/run/eni-init/state.json`;
    rmSync(path, { force: true });
    execFileSync('mkfifo', [path]);
    const started = Date.now();
    const fifo = await apply(sim);
    assert.ok(Date.now() - started < 20_000, 'no hang on the FIFO');
    assert.equal(fifo.code, 3, fifo.text);
    assert.ok(fifo.report.problems.some((problem) => problem.code === 'state-file' && problem.message.includes('FIFO')), JSON.stringify(fifo.report.problems));
    assert.ok(lstatSync(path).isFile(), 'rewritten as a regular file');
    const secret = `${sim.rootDir}/etc/not-the-state`;
    mkdirSync(`${sim.rootDir}/etc`, { recursive: true });
    writeFileSync(secret, JSON.stringify({ version: 1, addresses: [{ ifname: 'eth0', mac: eth0.mac, family: 4, address: '10.0.0.20', prefixLength: 32 }] }));
    rmSync(path);
    symlinkSync(secret, path);
    const linked = await apply(sim);
    assert.equal(linked.code, 3, linked.text);
    assert.ok(linked.report.problems.some((problem) => problem.code === 'state-file' && problem.message.includes('symbolic link')), JSON.stringify(linked.report.problems));
    assert.ok(lstatSync(path).isFile() && existsSync(secret), 'the link is replaced, its target left alone');
    assert.match(readFileSync(secret, 'utf8'), /10\.0\.0\.20/);
    await assertHealthy(sim, baseline, 'state path types');
    await restore(sim, baseline, 'state path types');
  });

  await t.test('case 8: a route of another tool prepended beside ours is never replaced; remove still succeeds', async () => {
    await sim.exec(['ip', 'route', 'prepend', 'default', 'via', '10.0.0.99', 'dev', 'eth1', 'table', '1001', 'proto', 'static', 'onlink']);
    const withForeign = await untagged(sim);
    await setOverrides(sim, { [at(eth1.mac, 'gateway')]: '10.0.0.1' });
    const run = await apply(sim);
    assert.equal(run.code, 3, run.text);
    assert.ok(run.report.problems.some((problem) => problem.code === 'conflict' && problem.message.includes('table 1001')), JSON.stringify(run.report.problems));
    const table = (await sim.exec(['ip', 'route', 'show', 'table', '1001'])).stdout;
    assert.match(table, /default via 10\.0\.0\.99 dev eth1 proto static onlink/);
    assert.match(table, /default via 10\.0\.0\.253 dev eth1 proto (?:203|eni-init) onlink/);
    await assertHealthy(sim, withForeign, 'prepended route');
    const removed = await apply(sim, ['remove']);
    assert.equal(removed.code, 0, removed.text);
    const left = (await sim.exec(['ip', 'route', 'show', 'table', '1001'])).stdout.trim();
    assert.equal(left, 'default via 10.0.0.99 dev eth1 proto static onlink');
    await sim.exec(['ip', 'route', 'del', 'default', 'via', '10.0.0.99', 'dev', 'eth1', 'table', '1001', 'proto', 'static']);
    await restore(sim, baseline, 'prepended route');
  });

  await t.test('case 8: a foreign IPv6 next hop merged into our default route survives apply; remove takes only ours', async () => {
    const appended = await sim.exec(['ip', '-6', 'route', 'append', 'default', 'via', '2408:4005:325:a204::99', 'dev', 'eth1', 'table', '1001', 'proto', 'static']);
    assert.equal(appended.code, 0, appended.stderr);
    const merged = (await sim.exec(['ip', '-6', 'route', 'show', 'table', '1001', 'default'])).stdout;
    assert.match(merged, /nexthop via 2408:4005:325:a204::99/, 'the kernel merged the routes');
    const withForeign = await untagged(sim);
    const run = await apply(sim);
    assert.equal(run.code, 3, run.text);
    assert.ok(run.report.problems.some((problem) => problem.code === 'conflict' && problem.message.includes('merged')), JSON.stringify(run.report.problems));
    assert.match((await sim.exec(['ip', '-6', 'route', 'show', 'table', '1001', 'default'])).stdout, /2408:4005:325:a204::99/);
    assert.match((await sim.exec(['ip', '-6', 'route', 'show', 'table', '1001', 'default'])).stdout, /2408:4005:325:a204:ffff:ffff:ffff:fff7/);
    await assertHealthy(sim, withForeign, 'merged next hop');
    const removed = await apply(sim, ['remove']);
    assert.equal(removed.code, 0, removed.text);
    const left = (await sim.exec(['ip', '-6', 'route', 'show', 'table', '1001', 'default'])).stdout.trim();
    assert.match(left, /^default via 2408:4005:325:a204::99 dev eth1 proto static/);
    assert.doesNotMatch(left, /fff7/);
    await sim.exec(['ip', '-6', 'route', 'del', 'default', 'via', '2408:4005:325:a204::99', 'dev', 'eth1', 'table', '1001']);
    await restore(sim, baseline, 'merged next hop');
  });

  await t.test('case 8: a proto-203 rule in our priority range pointing at a table outside our range is never deleted', async () => {
    await sim.exec(['ip', 'rule', 'add', 'pref', '20005', 'from', '192.0.2.9', 'lookup', '5000', 'protocol', '203']);
    for (const args of [[], ['remove'], []]) {
      const run = await apply(sim, args);
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.text}`);
      assert.match((await sim.exec(['ip', 'rule', 'show', 'pref', '20005'])).stdout, /from 192\.0\.2\.9 lookup 5000/);
    }
    await sim.exec(['ip', 'rule', 'del', 'pref', '20005', 'from', '192.0.2.9', 'lookup', '5000']);
    await restore(sim, baseline, 'foreign proto-203 rule');
  });

  await t.test('case 9: addresses accepted before (169.254/16, 255.255.255.255, network, broadcast, eth0 gateway) are rejected', async () => {
    await rejected(sim, baseline, '169.254/16', eth2.mac, eniValues(eth2.mac, '169.254.1.10', ['169.254.1.10', '169.254.1.11'], '255.255.255.0', '169.254.1.253'), '169.254.1.10');
    await rejected(sim, baseline, '255.255.255.255', eth2.mac, eniValues(eth2.mac, '255.255.255.10', ['255.255.255.10', '255.255.255.255'], '255.255.255.0', '255.255.255.253'), '255.255.255.255');
    await rejected(sim, baseline, 'network address', eth2.mac, { [at(eth2.mac, 'private-ipv4s')]: '["10.0.1.40","10.0.1.0"]' }, '10.0.1.0');
    await rejected(sim, baseline, 'broadcast address', eth2.mac, { [at(eth2.mac, 'private-ipv4s')]: '["10.0.1.40","10.0.1.255"]' }, '10.0.1.255');
    await rejected(sim, baseline, "eth0's gateway", eth2.mac, eniValues(eth2.mac, '10.0.1.40', ['10.0.1.40', '10.0.0.253'], '255.255.0.0', '10.0.1.253'), '10.0.0.253');
    await rejected(sim, baseline, 'fe80::', eth1.mac, { [at(eth1.mac, 'ipv6s')]: '["fe80::"]', [at(eth1.mac, 'vswitch-ipv6-cidr-block')]: 'fe80::/64', [at(eth1.mac, 'ipv6-gateway')]: 'fe80::fff7' }, 'fe80::');
  });

  await t.test('case 9: values rejected before but left installed (127/8, 224/4, ::, ::1, ff02::) are never installed', async () => {
    await rejected(sim, baseline, '127/8', eth2.mac, eniValues(eth2.mac, '127.0.1.10', ['127.0.1.10', '127.0.1.11'], '255.255.255.0', '127.0.1.253'), '127.0.1.10');
    await rejected(sim, baseline, '224/4', eth2.mac, eniValues(eth2.mac, '224.0.1.10', ['224.0.1.10'], '255.255.255.0', '224.0.1.253'), '224.0.1.10');
    for (const [value, block] of [
      ['::', '::/64'],
      ['::1', '::/64'],
      ['ff02::', 'ff02::/64'],
    ] as const) {
      await rejected(sim, baseline, value, eth1.mac, { [at(eth1.mac, 'ipv6s')]: JSON.stringify([value]), [at(eth1.mac, 'vswitch-ipv6-cidr-block')]: block, [at(eth1.mac, 'ipv6-gateway')]: `${block.split('/')[0]}fff7` }, value);
    }
  });

  await t.test('case 9: a netmask that disagrees with vswitch-cidr-block is rejected', async () => {
    await rejected(sim, baseline, 'netmask vs block', eth2.mac, { [at(eth2.mac, 'netmask')]: '255.255.0.0' }, 'vswitch-cidr-block');
  });
}

test('adversarial core: hostile metadata, a lying state file, foreign routes and rules cannot cut the host off', async (t) => {
  await withInstance(t, spec(), (sim) => adversarial(t, sim));
});
