// End to end under --root (an image being prepared): forced backends write, keep, replace and remove exactly their files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { presetInstance } from '../sim/instance.ts';
import { ownRules, routesOf, rules, withInstance } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

interface PersistReport extends ReportShape {
  files: { path: string; action: string; note?: string }[];
  enis: (ReportShape['enis'][number] & { persist?: { backend: string; why: string } })[];
}

const NETWORKD_ETH1 = '/etc/systemd/network/05-eni-init-eth1.network';
const NETWORKD_CONF = '/etc/systemd/networkd.conf.d/50-eni-init.conf';
const NM_ETH1 = '/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection';

const actionOf = (report: PersistReport, path: string) => report.files.find((file) => file.path === path)?.action;

test('--persist=networkd: files written once, unchanged on the second run, removed by remove; a foreign file is never touched', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const at = (path: string) => join(sim.rootDir, path);
    const first = await sim.runEniInit(['--persist', 'networkd', '--json']);
    const report = first.report as PersistReport;
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(actionOf(report, NETWORKD_ETH1), 'created');
    assert.equal(actionOf(report, NETWORKD_CONF), 'created');
    assert.equal(report.enis.find((eni) => eni.interface === 'eth1')?.persist?.backend, 'networkd');
    const eth1 = readFileSync(at(NETWORKD_ETH1), 'utf8');
    assert.match(eth1, /^# Written by eni-init/);
    assert.match(eth1, /\[RoutingPolicyRule\][^[]*Table=1001/);
    assert.match(readFileSync(at(NETWORKD_CONF), 'utf8'), /ManageForeignRoutingPolicyRules=no/);
    // The primary keeps its DHCP file: no full .network file of ours for eth0.
    assert.equal(existsSync(at('/etc/systemd/network/05-eni-init-eth0.network')), false);
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping && entry.tcp), JSON.stringify(reach));

    const mtime = statSync(at(NETWORKD_ETH1)).mtimeMs;
    const second = await sim.runEniInit(['--persist', 'networkd', '--json']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal((second.report as PersistReport).outcome, 'no-change');
    assert.equal(actionOf(second.report as PersistReport, NETWORKD_ETH1), 'unchanged');
    assert.equal(statSync(at(NETWORKD_ETH1)).mtimeMs, mtime);

    // The admin's own file at one of our paths: kept byte for byte, reported, exit 3.
    const foreign = '# mine\n[Match]\nName=eth2\n';
    writeFileSync(at('/etc/systemd/network/05-eni-init-eth2.network'), foreign);
    const third = await sim.runEniInit(['--persist', 'networkd', '--json']);
    assert.equal(third.code, 3, third.stdout);
    assert.ok((third.report as PersistReport).problems.some((problem) => problem.code === 'persist-foreign'));
    assert.equal(readFileSync(at('/etc/systemd/network/05-eni-init-eth2.network'), 'utf8'), foreign);

    const removed = await sim.runEniInit(['remove', '--json']);
    assert.equal(removed.code, 0, removed.stdout);
    assert.equal(actionOf(removed.report as PersistReport, NETWORKD_ETH1), 'removed');
    assert.equal(existsSync(at(NETWORKD_ETH1)), false);
    assert.equal(existsSync(at(NETWORKD_CONF)), false);
    assert.equal(readFileSync(at('/etc/systemd/network/05-eni-init-eth2.network'), 'utf8'), foreign);
  });
});

test('switching backends replaces our files only with complete metadata; the old ones stay while an ENI is unreadable', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const at = (path: string) => join(sim.rootDir, path);
    assert.equal((await sim.runEniInit(['--persist', 'networkd'])).code, 0);
    const eth2Mac = sim.metadata().enis.find((eni) => eni.privateIpv4s.some((ip) => ip.startsWith('10.0.1.')))?.mac ?? '';
    assert.ok(eth2Mac, 'eth2 is in the metadata');
    await sim.updateMetadata((config) => config.faults.push({ path: `${eth2Mac}/gateway`, body: 'no-gateway-here' }));
    const partial = await sim.runEniInit(['--persist', 'networkmanager', '--json']);
    assert.equal(partial.code, 3, partial.stdout);
    assert.ok(existsSync(at(NETWORKD_ETH1)), 'the networkd file must stay while metadata is incomplete');
    assert.equal(statSync(at(NM_ETH1)).mode & 0o777, 0o600);

    await sim.updateMetadata((config) => {
      config.faults = [];
    });
    const complete = await sim.runEniInit(['--persist', 'networkmanager', '--json']);
    assert.equal(complete.code, 0, complete.stdout);
    assert.equal(actionOf(complete.report as PersistReport, NETWORKD_ETH1), 'removed');
    assert.equal(existsSync(at(NETWORKD_CONF)), false);
    assert.match(readFileSync(at(NM_ETH1), 'utf8'), /routing-rule1=priority 20001 from 10\.0\.0\.\d+\/32 table 1001/);
  });
});

test('an unwritable config directory: exit 6 with the path named, the kernel state applied anyway, nothing else lost', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
    const at = (path: string) => join(sim.rootDir, path);
    mkdirSync(at('/etc/netplan'), { recursive: true });
    writeFileSync(at('/etc/netplan/50-cloud-init.yaml'), 'network: {version: 2}\n');
    // A file where the directory should be: writing below it must fail for root too.
    mkdirSync(at('/etc/NetworkManager'), { recursive: true });
    writeFileSync(at('/etc/NetworkManager/system-connections'), 'not a directory');
    const run = await sim.runEniInit(['--persist', 'networkmanager', '--json']);
    const report = run.report as PersistReport;
    assert.equal(run.code, 6, run.stdout);
    assert.ok(report.problems.some((problem) => problem.code === 'persist-write' && problem.message.includes('system-connections')), JSON.stringify(report.problems));
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping && entry.tcp), JSON.stringify(reach));
    assert.equal(readFileSync(at('/etc/netplan/50-cloud-init.yaml'), 'utf8'), 'network: {version: 2}\n');
  });
});

test('plan lists the files it would write and writes none; --persist=none writes none', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
    const at = (path: string) => join(sim.rootDir, path);
    const plan = await sim.runEniInit(['plan', '--persist', 'ifcfg']);
    assert.equal(plan.code, 0, plan.stdout);
    assert.match(plan.stdout, /would-create +\/etc\/sysconfig\/network-scripts\/rule-eth1/);
    assert.equal(existsSync(at('/etc/sysconfig')), false);
    const none = await sim.runEniInit(['--persist', 'none', '--json']);
    assert.equal(none.code, 0);
    assert.deepEqual((none.report as PersistReport).files.map((file) => file.path), ['/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg']);
  });
});

test('an interface renamed between runs (eth1 -> eth5): its table, rules and files follow the new name; nothing else changes', async (t) => {
  await withInstance(t, presetInstance('demo'), async (sim) => {
    const at = (path: string) => join(sim.rootDir, path);
    const first = await sim.runEniInit(['--persist', 'networkd', '--json']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const eth2File = readFileSync(at('/etc/systemd/network/05-eni-init-eth2.network'), 'utf8');
    const eth2Rules = (await ownRules(sim)).filter((rule) => rule.endsWith(' 1002'));
    // What udev or an admin's .link file may do: a new name for the same NIC (same MAC, same metadata).
    for (const argv of [['ip', 'link', 'set', 'dev', 'eth1', 'down'], ['ip', 'link', 'set', 'dev', 'eth1', 'name', 'eth5'], ['ip', 'link', 'set', 'dev', 'eth5', 'up']]) {
      const result = await sim.exec(argv);
      assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
    }
    const second = await sim.runEniInit(['--persist', 'networkd', '--json']);
    const report = second.report as PersistReport;
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(report.enis.find((eni) => eni.interface === 'eth5')?.persist?.backend, 'networkd');
    assert.equal(actionOf(report, '/etc/systemd/network/05-eni-init-eth5.network'), 'created');
    assert.equal(actionOf(report, NETWORKD_ETH1), 'removed');
    assert.match(readFileSync(at('/etc/systemd/network/05-eni-init-eth5.network'), 'utf8'), /^Name=eth5$[\s\S]*^Table=1005$/m);
    const rulesNow = await ownRules(sim);
    assert.deepEqual(rulesNow.filter((rule) => rule.endsWith(' 1001')), [], 'no rule left for the old name\'s table');
    assert.deepEqual(rulesNow.filter((rule) => rule.endsWith(' 1005')), ['20005 10.0.0.30 1005', '20005 10.0.0.31 1005', '20005 10.0.0.32 1005']);
    assert.deepEqual(await routesOf(sim, 1001), []);
    assert.deepEqual(rulesNow.filter((rule) => rule.endsWith(' 1002')), eth2Rules, 'eth2 is untouched');
    assert.equal(readFileSync(at('/etc/systemd/network/05-eni-init-eth2.network'), 'utf8'), eth2File);
    const reach = await sim.reachableAll();
    assert.ok(reach.every((entry) => entry.ping && entry.tcp), JSON.stringify(reach));
  });
});

test('--main-routes-first is persisted once, in the lowest secondary\'s file, for every backend that can; turned off, it goes from file and kernel', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const at = (path: string) => join(sim.rootDir, path);
    const carrying = (dir: string, pattern: RegExp) =>
      readdirSync(at(dir)).filter((name) => name.includes('eni-init') && pattern.test(readFileSync(at(`${dir}/${name}`), 'utf8')));
    const on = await sim.runEniInit(['--persist', 'networkd', '--main-routes-first', '--json']);
    assert.equal(on.code, 0, on.stdout + on.stderr);
    assert.deepEqual(carrying('/etc/systemd/network', /SuppressPrefixLength=0/), ['05-eni-init-eth1.network']);
    assert.match(readFileSync(at(NETWORKD_ETH1), 'utf8'), /\[RoutingPolicyRule\]\nFamily=ipv4\nTable=main\nPriority=19999\nSuppressPrefixLength=0/);
    assert.ok((await rules(sim)).some((rule) => rule.priority === 19999 && rule.table === 'main'), 'applied at runtime too');

    const nm = await sim.runEniInit(['--persist', 'networkmanager', '--main-routes-first', '--json']);
    assert.equal(nm.code, 0, nm.stdout + nm.stderr);
    assert.deepEqual(carrying('/etc/NetworkManager/system-connections', /suppress_prefixlength 0 table 254/), ['eni-init-eth1.nmconnection']);

    const off = await sim.runEniInit(['--persist', 'networkmanager', '--json']);
    assert.equal(off.code, 0, off.stdout + off.stderr);
    assert.deepEqual(carrying('/etc/NetworkManager/system-connections', /suppress_prefixlength/), []);
    assert.equal((await rules(sim)).some((rule) => rule.priority === 19999), false, 'our runtime rule is removed too');
  });
});
