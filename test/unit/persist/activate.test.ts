// Activation over a recording command runner: which manager commands run, in what order, and what is reported (NetworkManager and
// netplan: backends/<name>.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activate } from '../../../src/persist/activate.ts';
import { NO_FACTS } from '../../../src/persist/facts.ts';
import type { ManagerFacts } from '../../../src/persist/facts.ts';
import { desiredFiles } from '../../../src/persist/sync.ts';
import { created, memoryIo, ok, recorder } from './activation-fixtures.ts';
import { primary, secondary } from './render/fixtures.ts';

test('networkd: reload, never restart; a file the link does not use is reconfigured once, then reported', async () => {
  const link = { adminState: 'configured', networkFile: '/etc/systemd/network/80-ecs.network' };
  const facts: ManagerFacts = { ...NO_FACTS, probed: true, complete: true, networkd: { running: true, links: { eth1: link } } };
  const { owners, files } = desiredFiles('auto', [secondary], facts);
  assert.deepEqual(files.map((file) => file.path), ['/etc/systemd/network/05-eni-init-eth1.network', '/etc/systemd/networkd.conf.d/50-eni-init.conf']);
  const { ran, run } = recorder();
  const { problems } = await activate(
    { changes: files.map((file) => created(file)), owners, files, facts, timeLeft: () => 25_000 },
    { run, io: memoryIo(new Map()), probe: async () => facts },
  );
  assert.deepEqual(ran, ['networkctl reload', 'networkctl reconfigure eth1']);
  assert.ok(ran.every((command) => !command.includes('restart')));
  assert.equal(problems[0]?.code, 'persist-shadowed');
});

test('only the global networkd file changed: nothing to reload (networkd reads it when it starts)', async () => {
  const facts: ManagerFacts = { ...NO_FACTS, probed: true, networkd: { running: true, links: {} } };
  const { files } = desiredFiles('auto', [secondary], facts);
  const global = files.filter((file) => file.path.startsWith('/etc/systemd/networkd.conf.d/'));
  assert.equal(global.length, 1);
  const { ran, run } = recorder();
  await activate({ changes: global.map((file) => created(file)), owners: [], files, facts, timeLeft: () => 25_000 }, { run, io: memoryIo(new Map()), probe: async () => facts });
  assert.deepEqual(ran, []);
});

test('past the deadline no manager command starts; each one is reported', async () => {
  const nm: ManagerFacts = { ...NO_FACTS, probed: true, complete: true, networkManager: { running: true, devices: { eth1: { state: 'disconnected' } } } };
  const { owners, files } = desiredFiles('auto', [secondary], nm);
  const { ran, run } = recorder();
  const result = await activate({ changes: files.map((file) => created(file)), owners, files, facts: nm, timeLeft: () => 0 }, { run, io: memoryIo(new Map()), probe: async () => nm });
  assert.deepEqual(ran, []);
  assert.equal(result.ran, false);
  assert.ok(result.problems.length >= 2 && result.problems.every((problem) => problem.code === 'persist-activate' && /deadline/.test(problem.message)));
});

test('the primary under networkd gets only a keep-config drop-in, written after the reload', async () => {
  const link = { adminState: 'configured', networkFile: '/etc/systemd/network/80-dhcp.network' };
  const facts: ManagerFacts = { ...NO_FACTS, probed: true, complete: true, networkd: { running: true, links: { eth0: link, eth1: link } } };
  const { files } = desiredFiles('auto', [primary, secondary], facts);
  const dropIn = files.find((file) => file.ifname === 'eth0');
  assert.equal(dropIn?.path, '/etc/systemd/network/80-dhcp.network.d/50-eni-init.conf');
  assert.equal(dropIn?.afterActivation, true);
  assert.match(dropIn?.content ?? '', /KeepConfiguration=static/);
  assert.doesNotMatch(dropIn?.content ?? '', /Address=/);
});

test('networkd: a change to the primary\'s keep-config drop-in alone never reloads networkd (the reload would re-configure the primary)', async () => {
  const facts: ManagerFacts = { ...NO_FACTS, probed: true, networkd: { running: true, links: {} } };
  const dropIn = { backend: 'networkd' as const, ifname: 'eth0', path: '/etc/systemd/network/10-netplan-eth0.network.d/50-eni-init.conf', content: '# Written by eni-init\n[Network]\nKeepConfiguration=static\n', mode: 0o644 };
  const { ran, run } = recorder();
  await activate({ changes: [{ ...created(dropIn), action: 'removed' }], owners: [], files: [], facts, timeLeft: () => 25_000 }, { run, io: memoryIo(new Map()), probe: async () => facts });
  assert.deepEqual(ran, []);
});
