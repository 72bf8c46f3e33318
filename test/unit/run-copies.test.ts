// One copy of every rule and route (issue 13 item 4), through whole runs: a networkd whose reload adds its own copies of
// what our files hold, the redundant copy of ours deleted after the persist step, `remove` taking the manager's leftovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/run.ts';
import type { LiveRule, LiveState } from '../../src/model.ts';
import type { ManagerFacts } from '../../src/persist/facts.ts';
import { forgottenObjects } from '../../src/persist/held.ts';
import { writtenByUs } from '../../src/persist/own-files.ts';
import { metadata } from './fixtures.ts';
import { opts, world } from './run-world.ts';
import type { World } from './run-world.ts';

const NETWORK = (ifname: string) => `/etc/systemd/network/05-eni-init-${ifname}.network`;

/** networkd runs and applies our .network files to eth1 and eth2 (the admin's to eth0). */
const facts: ManagerFacts = {
  probed: true,
  complete: true,
  networkManager: { running: false, devices: {} },
  networkd: {
    running: true,
    links: {
      eth0: { adminState: 'configured', networkFile: '/etc/systemd/network/10-eth0.network' },
      eth1: { adminState: 'configured', networkFile: NETWORK('eth1') },
      eth2: { adminState: 'configured', networkFile: NETWORK('eth2') },
    },
  },
  netplan: false,
  ifcfg: [],
};

/** A world whose `networkctl reload` makes networkd add, `proto static`, every rule and route of our .network files. */
function networkdWorld(): World {
  const w = world(async () => metadata());
  w.deps.persist.probe = async () => facts;
  w.deps.persist.run = async (argv) => {
    if (argv.join(' ') === 'networkctl reload') {
      const ours = [...w.files].filter(([path, content]) => path.endsWith('.network') && writtenByUs(content)).map(([path, content]) => ({ path, content }));
      for (const object of forgottenObjects(ours)) {
        if (object.kind === 'rule') {
          const rule: LiveRule = { family: object.family, priority: object.priority, table: object.table, protocol: 'static' };
          if (object.from !== undefined) rule.from = object.from;
          if (object.suppressPrefixLength !== undefined) rule.suppressPrefixLength = object.suppressPrefixLength;
          w.kernel.state.rules.push(rule);
        } else if (object.kind === 'route') {
          const { kind: _kind, ifname, ...route } = object;
          w.kernel.state.routes.push({ ...route, dev: ifname, protocol: 'static' });
        }
      }
    }
    return { ok: true, code: 0, stdout: '', stderr: '' };
  };
  return w;
}

/** Rules and routes in our ranges, grouped by everything but the protocol: more than one copy is a duplicate. */
function duplicates(live: LiveState): string[] {
  const count = new Map<string, number>();
  for (const rule of live.rules.filter((entry) => entry.priority >= 19999 && entry.priority <= 20255)) {
    const key = `rule ${rule.family} ${rule.priority} ${rule.from ?? 'all'} ${rule.table} ${rule.suppressPrefixLength ?? ''}`;
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  for (const route of live.routes.filter((entry) => entry.table >= 1000 && entry.table <= 1255)) {
    const key = `route ${route.family} ${route.table} ${route.dst} ${route.dev ?? ''} ${route.gateway ?? ''}`;
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  return [...count].filter(([, n]) => n > 1).map(([key]) => key);
}

const ownRules = (live: LiveState) => live.rules.filter((rule) => rule.protocol === '203');

test('apply with networkd persisting: the manager copies stay, ours are deleted exactly, one copy of each', async () => {
  const w = networkdWorld();
  const report = await run(opts('apply', { persist: 'networkd', mainRoutesFirst: true }), w.deps);
  assert.equal(report.outcome, 'converged', JSON.stringify(report.problems));
  assert.deepEqual(duplicates(w.kernel.state), []);
  const rules = w.kernel.state.rules.filter((rule) => rule.priority >= 19999 && rule.priority <= 20255);
  assert.ok(rules.length >= 4, 'the ENI rules and the main-routes-first rule are there');
  assert.ok(rules.every((rule) => rule.protocol === 'static'), 'the copies left are the manager\'s');
  const deletes = report.changes.filter((change) => change.action === 'delete');
  assert.ok(deletes.length > 0 && deletes.every((change) => / proto(col)? 203/.test(change.command)), 'only our own copies were deleted');
  // The next run: the manager's copies satisfy the desired state, nothing is added again, nothing drifts.
  const again = await run(opts('apply', { persist: 'networkd', mainRoutesFirst: true }), w.deps);
  assert.equal(again.outcome, 'no-change');
  const status = await run(opts('status', { persist: 'networkd', mainRoutesFirst: true }), w.deps);
  assert.equal(status.outcome, 'in-sync', JSON.stringify(status.changes));
});

test('--persist=none: an identical rule of another protocol never makes eni-init drop its own', async () => {
  const w = world(async () => metadata());
  w.kernel.state.rules.push({ family: 4, priority: 20001, from: '10.0.0.30/32', table: 1001, protocol: 'static' });
  const report = await run(opts('apply', { persist: 'none' }), w.deps);
  assert.equal(report.outcome, 'converged');
  assert.ok(report.changes.every((change) => change.action !== 'delete'));
  assert.equal(w.kernel.state.rules.filter((rule) => rule.priority === 20001 && rule.from === '10.0.0.30/32').length, 1, 'the other copy satisfies it: no add');
  assert.ok(ownRules(w.kernel.state).length > 0, 'the rules it had no copy of are ours');
});

test('remove: the files go, and the copies networkd left in our ranges go too; an admin rule elsewhere stays', async () => {
  const w = networkdWorld();
  await run(opts('apply', { persist: 'networkd', mainRoutesFirst: true }), w.deps);
  const admin: LiveRule = { family: 4, priority: 100, from: '10.0.0.30/32', table: 1001, protocol: 'static' };
  const adminInRange: LiveRule = { family: 4, priority: 20001, from: '10.9.9.9/32', table: 1001, protocol: 'static' };
  w.kernel.state.rules.push(admin, adminInRange);
  const report = await run(opts('remove'), w.deps);
  assert.equal(report.outcome, 'removed', JSON.stringify(report.problems));
  assert.equal([...w.files.keys()].filter((path) => path.includes('eni-init')).length, 0);
  const left = w.kernel.state.rules.filter((rule) => rule.priority >= 19999 && rule.priority <= 20255);
  assert.deepEqual(left, [adminInRange], 'only the rule no file of ours held is left in our range');
  assert.ok(w.kernel.state.rules.some((rule) => rule.priority === 100), 'the admin rule outside our range stays');
  assert.deepEqual(w.kernel.state.routes.filter((route) => route.table >= 1000 && route.table <= 1255), []);
});
