// Refresh and detach runs of the built executable against the simulated instance: outages change nothing,
// a no-change refresh writes only its report, a busy refresh ends quietly, a detach run cleans up after its ENI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { presetInstance } from '../sim/instance.ts';
import type { SimInstance } from '../sim/instance.ts';
import { ownRules, withInstance } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

type LifecycleReport = ReportShape & { trigger?: string };

/** Every regular file under `dir` with its mtime and size (a rewrite with the same bytes still changes the mtime). */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const stats = statSync(path);
      if (stats.isDirectory()) walk(path);
      else out.set(relative(dir, path), `${stats.mtimeMs}:${stats.size}`);
    }
  };
  walk(dir);
  return out;
}

const outage = (sim: SimInstance) => sim.updateMetadata((config) => {
  config.faults = [{ path: '.*', status: 500, count: 100_000 }];
});
const recovered = (sim: SimInstance) => sim.updateMetadata((config) => {
  config.faults = [];
});
const networkdFiles = (sim: SimInstance, ifname: string) => {
  const dir = join(sim.rootDir, 'etc/systemd/network');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.includes(ifname)) : [];
};

test('refresh: no change writes only refresh-report.json; an IP unassigned during an outage stays until the metadata is back', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const boot = await sim.runEniInit(['--trigger', 'boot', '--persist', 'networkd', '--json']);
    assert.equal(boot.code, 0, boot.stderr);
    assert.equal((boot.report as LifecycleReport).trigger, 'boot');

    // Nothing to do: only the refresh's own report is written (report.json stays the boot run's).
    await sleep(20); // mtimes of anything rewritten now differ
    const before = files(sim.rootDir);
    const quiet = await sim.runEniInit(['--trigger', 'refresh', '--persist', 'networkd', '--json']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal((quiet.report as LifecycleReport).outcome, 'no-change');
    const after = files(sim.rootDir);
    const changed = [...after].filter(([path, stamp]) => before.get(path) !== stamp).map(([path]) => path);
    assert.deepEqual(changed, ['run/eni-init/refresh-report.json']);
    assert.match(quiet.stderr, /apply done .*trigger=refresh/);
    assert.equal(JSON.parse(readFileSync(join(sim.rootDir, 'run/eni-init/report.json'), 'utf8')).trigger, 'boot');

    // An IP unassigned in the console while the metadata service is down: the refresh changes nothing and says so.
    const eth1 = sim.spec.enis.find((eni) => eni.ifname === 'eth1');
    const gone = eth1?.privateIps.at(-1) as string;
    const rulesBefore = await ownRules(sim);
    assert.ok(rulesBefore.some((rule) => rule.includes(gone)));
    await sim.setEniIps('eth1', (eth1?.privateIps ?? []).filter((ip) => ip !== gone));
    await outage(sim);
    const down = await sim.runEniInit(['--trigger', 'refresh', '--persist', 'networkd', '--json', '--deadline', '4']);
    assert.equal(down.code, 4, down.stderr);
    const downReport = down.report as LifecycleReport;
    assert.equal(downReport.outcome, 'metadata-unreachable');
    assert.equal(downReport.trigger, 'refresh');
    assert.deepEqual(downReport.changes, []);
    assert.deepEqual(await ownRules(sim), rulesBefore);
    assert.match(down.stderr, /apply ended with metadata-unreachable/);

    // Back: the next refresh removes it.
    await recovered(sim);
    const back = await sim.runEniInit(['--trigger', 'refresh', '--persist', 'networkd', '--json']);
    assert.equal(back.code, 0, back.stderr);
    assert.ok(!(await ownRules(sim)).some((rule) => rule.includes(gone)));
    const status = await sim.runEniInit(['status']);
    assert.match(status.stdout, /last refresh \(timer\): apply converged/);
    assert.match(status.stdout, /Last converged: \S+ \(trigger refresh, converged/);
  });
});

test('refresh: a lock held by another run ends it at once with exit 7, logged at info', async (t) => {
  await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
    assert.equal((await sim.runEniInit(['--trigger', 'boot'])).code, 0);
    // The lock of a live process (the sim's echo server) that is not an eni-init run: a run in progress.
    const pid = sim.pids.echo;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(join(sim.rootDir, 'run/eni-init/lock'), `${pid} ${start} 0123456789abcdef\n`);
    const started = Date.now();
    const busy = await sim.runEniInit(['--trigger', 'refresh', '--json']);
    assert.equal(busy.code, 7, busy.stderr);
    assert.ok(Date.now() - started < 10_000, 'the refresh waited for the lock');
    assert.equal((busy.report as LifecycleReport).outcome, 'busy');
    assert.doesNotMatch(busy.stderr, /^error:/m);
    assert.match(busy.stderr, /^info: apply skipped: another eni-init run holds the lock/m);
    // Any other run still waits and then fails loudly.
    const manual = await sim.runEniInit(['--deadline', '2']);
    assert.equal(manual.code, 7);
    assert.match(manual.stderr, /^error: apply ended with busy/m);
  });
});

test('detach: the run waits for the metadata to drop the ENI, then its rules, files and record go', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    const boot = await sim.runEniInit(['--trigger', 'boot', '--persist', 'networkd']);
    assert.equal(boot.code, 0, boot.stderr);
    const record = join(sim.rootDir, 'run/eni-init/configured/eth2');
    const eth2 = sim.spec.enis.find((eni) => eni.ifname === 'eth2');
    assert.match(readFileSync(record, 'utf8'), new RegExp(`^\\d+ ${eth2?.mac}\\n$`));
    assert.ok((await ownRules(sim)).some((rule) => rule.endsWith(' 1002')));
    assert.ok(networkdFiles(sim, 'eth2').length > 0);
    const eth1Rules = (await ownRules(sim)).filter((rule) => rule.endsWith(' 1001'));

    // The NIC goes first; the metadata service follows a few seconds later (as on a real detach).
    await sim.exec(['ip', 'link', 'del', 'eth2']);
    const running = sim.runEniInit(['--trigger', 'detach', '--only-interface', 'eth2', '--persist', 'networkd', '--json', '--deadline', '30']);
    await sleep(3000);
    await sim.updateMetadata((config) => {
      config.enis = config.enis.filter((eni) => eni.mac !== eth2?.mac);
    });
    const detach = await running;
    assert.equal(detach.code, 0, detach.stderr);
    assert.match(detach.stderr, /waiting for the metadata to drop the ENI of eth2/);
    assert.equal((detach.report as LifecycleReport).trigger, 'detach');
    const after = await ownRules(sim);
    assert.ok(!after.some((rule) => rule.endsWith(' 1002')), `eth2 rules left: ${after.join(', ')}`);
    assert.deepEqual(after.filter((rule) => rule.endsWith(' 1001')), eth1Rules);
    assert.deepEqual(networkdFiles(sim, 'eth2'), []);
    assert.ok(!existsSync(record), 'the record of eth2 is left');
    assert.equal(JSON.parse(readFileSync(join(sim.rootDir, 'run/eni-init/report-eth2.json'), 'utf8')).trigger, 'detach');

    // A NIC eni-init never configured: the detach run ends at once, reading nothing.
    const stats = await sim.imdsStats();
    const foreign = await sim.runEniInit(['--trigger', 'detach', '--only-interface', 'veth9']);
    assert.equal(foreign.code, 0, foreign.stderr);
    assert.match(foreign.stderr, /veth9 was not configured by eni-init in this boot: nothing to clean up/);
    assert.deepEqual(await sim.imdsStats(), stats);
  });
});

test('detach during a metadata outage leaves the rules and files; the next refresh removes them', async (t) => {
  await withInstance(t, presetInstance('three-enis-mixed'), async (sim) => {
    assert.equal((await sim.runEniInit(['--trigger', 'boot', '--persist', 'networkd'])).code, 0);
    const eth2 = sim.spec.enis.find((eni) => eni.ifname === 'eth2');
    await sim.exec(['ip', 'link', 'del', 'eth2']);
    await sim.updateMetadata((config) => {
      config.enis = config.enis.filter((eni) => eni.mac !== eth2?.mac);
    });
    await outage(sim);
    const detach = await sim.runEniInit(['--trigger', 'detach', '--only-interface', 'eth2', '--persist', 'networkd', '--json', '--deadline', '4']);
    assert.equal(detach.code, 4, detach.stderr);
    assert.ok((await ownRules(sim)).some((rule) => rule.endsWith(' 1002')), 'rules removed during an outage');
    assert.ok(networkdFiles(sim, 'eth2').length > 0, 'files removed during an outage');

    await recovered(sim);
    const refresh = await sim.runEniInit(['--trigger', 'refresh', '--persist', 'networkd', '--json']);
    assert.equal(refresh.code, 0, refresh.stderr);
    assert.ok(!(await ownRules(sim)).some((rule) => rule.endsWith(' 1002')));
    assert.deepEqual(networkdFiles(sim, 'eth2'), []);
  });
});
