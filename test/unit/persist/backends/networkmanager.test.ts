// The NetworkManager backend: profiles loaded and brought up on their own interface, refused ones rolled back, released devices reconnected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activate } from '../../../../src/persist/activate.ts';
import { NO_FACTS } from '../../../../src/persist/facts.ts';
import type { ManagerFacts } from '../../../../src/persist/facts.ts';
import { keyfileUuid } from '../../../../src/persist/backends/networkmanager.ts';
import { desiredFiles } from '../../../../src/persist/sync.ts';
import type { FileChange } from '../../../../src/persist/types.ts';
import { created, memoryIo, ok, recorder } from '../activation-fixtures.ts';
import { secondary } from '../render/fixtures.ts';

test('NetworkManager: the profile is loaded and brought up on its own interface; then it must be the active one', async () => {
  const nm = (uuid?: string): ManagerFacts => ({ ...NO_FACTS, probed: true, networkManager: { running: true, devices: { eth1: { state: 'connected', ...(uuid ? { connectionUuid: uuid } : {}) } } } });
  const { owners, files } = desiredFiles('auto', [secondary], nm('cloud-init-uuid'));
  const uuid = keyfileUuid(files[0]?.content ?? '');
  assert.ok(uuid);
  const { ran, run } = recorder();
  let probes = 0;
  const { problems } = await activate(
    { changes: files.map((file) => created(file)), owners, files, facts: nm('cloud-init-uuid'), timeLeft: () => 25_000 },
    { run, io: memoryIo(new Map()), probe: async () => (probes++, nm(uuid)) },
  );
  assert.deepEqual(ran, [
    'nmcli connection load /etc/NetworkManager/system-connections/eni-init-eth1.nmconnection',
    `nmcli --wait 19 connection up uuid ${uuid} ifname eth1`,
  ]);
  assert.deepEqual(problems, []);
  assert.equal(probes, 1);

  // Still another profile active afterwards: shadowed, reported.
  const { problems: shadowed } = await activate(
    { changes: [], owners, files, facts: nm('cloud-init-uuid'), timeLeft: () => 25_000 },
    { run: recorder().run, io: memoryIo(new Map()), probe: async () => nm('cloud-init-uuid') },
  );
  assert.equal(shadowed[0]?.code, 'persist-shadowed');
});

test('NetworkManager, remove: a released device gets an in-memory default wired connection, and must end up connected on it', async () => {
  const { files } = desiredFiles('auto', [secondary], { ...NO_FACTS, probed: true, networkManager: { running: true, devices: { eth1: { state: 'connected' } } } });
  const keyfile = files.find((file) => file.backend === 'networkmanager');
  assert.ok(keyfile);
  const ours = keyfileUuid(keyfile.content);
  const nm = (state: string, connectionUuid?: string): ManagerFacts => ({
    ...NO_FACTS,
    probed: true,
    networkManager: { running: true, devices: { eth1: { state, ...(connectionUuid ? { connectionUuid } : {}) }, eth0: { state: 'connected', connectionUuid: 'c0' } } },
  });
  const removed: FileChange = { ...created(keyfile), action: 'removed' };
  for (const [final, problemCount] of [[nm('connected', 'default-uuid'), 0], [nm('disconnected'), 1]] as const) {
    const { ran, run } = recorder();
    // Still on our deleted profile at the first look (deactivation is asynchronous), then the final state.
    const looks = [nm('connected', ours), nm('disconnected')];
    const { problems } = await activate(
      { changes: [removed], owners: [], files: [], facts: nm('connected', ours), timeLeft: () => 25_000 },
      { run, io: memoryIo(new Map()), probe: async () => looks.shift() ?? final, sleep: async () => undefined },
    );
    assert.deepEqual(ran, [
      'nmcli connection load /etc/NetworkManager/system-connections/eni-init-eth1.nmconnection',
      'nmcli connection add save no type ethernet ifname eth1 con-name Wired connection eth1 connection.autoconnect-priority -999 ipv4.method auto',
      'nmcli --wait 0 connection up id Wired connection eth1 ifname eth1',
    ]);
    assert.equal(problems.length, problemCount, JSON.stringify(problems));
    if (problemCount > 0) assert.match(problems[0]?.message ?? '', /eth1: NetworkManager did not connect it again/);
  }
  // Another profile took the device by itself (the admin's, say): nothing is added.
  const { ran, run } = recorder();
  await activate({ changes: [removed], owners: [], files: [], facts: nm('connected', ours), timeLeft: () => 25_000 }, { run, io: memoryIo(new Map()), probe: async () => nm('connected', 'admin-uuid'), sleep: async () => undefined });
  assert.deepEqual(ran, ['nmcli connection load /etc/NetworkManager/system-connections/eni-init-eth1.nmconnection']);
});

test('NetworkManager: a profile it refuses to load is rolled back and never brought up (the device stays as it was)', async () => {
  const nm: ManagerFacts = { ...NO_FACTS, probed: true, networkManager: { running: true, devices: { eth1: { state: 'connected', connectionUuid: 'cloud-init-uuid' } } } };
  const { owners, files } = desiredFiles('auto', [secondary], nm);
  const keyfile = files.find((file) => file.backend === 'networkmanager');
  assert.ok(keyfile);
  const disk = new Map([[keyfile.path, keyfile.content]]);
  const { ran, run } = recorder((argv) => argv[1] === 'connection' && argv[2] === 'load' && disk.has(keyfile.path));
  const { problems } = await activate({ changes: [created(keyfile)], owners, files, facts: nm, timeLeft: () => 25_000 }, { run, io: memoryIo(disk), probe: async () => nm });
  assert.equal(disk.has(keyfile.path), false, 'the refused profile is still on disk');
  assert.ok(!ran.some((command) => command.includes('connection up')), ran.join('\n'));
  assert.deepEqual(ran, [`nmcli connection load ${keyfile.path}`, `nmcli connection load ${keyfile.path}`]);
  assert.ok(problems.some((problem) => problem.message.includes('rolled back')));
});

test('NetworkManager: a changed profile the device already runs is reapplied in place; refused, it is brought up; another profile running, it is brought up', async () => {
  const nm = (uuid: string): ManagerFacts => ({ ...NO_FACTS, probed: true, networkManager: { running: true, devices: { eth1: { state: 'connected', connectionUuid: uuid } } } });
  const { owners, files } = desiredFiles('auto', [secondary], nm('cloud-init-uuid'));
  const keyfile = files.find((file) => file.backend === 'networkmanager');
  const ours = keyfileUuid(keyfile?.content ?? '');
  assert.ok(keyfile && ours);
  const replaced = created(keyfile, 'the profile with one IP less');
  const load = `nmcli connection load ${keyfile.path}`;
  const up = `nmcli --wait 19 connection up uuid ${ours} ifname eth1`;
  const reapply = 'nmcli --wait 19 device reapply eth1';
  const cases: { running: string; refuses: boolean; commands: string[] }[] = [
    { running: ours, refuses: false, commands: [load, reapply] },
    { running: ours, refuses: true, commands: [load, reapply, up] },
    { running: 'cloud-init-uuid', refuses: false, commands: [load, up] },
  ];
  for (const { running, refuses, commands } of cases) {
    const { ran, run } = recorder((argv) => refuses && argv.includes('reapply'));
    const { problems } = await activate(
      { changes: [replaced], owners, files, facts: nm(running), timeLeft: () => 25_000 },
      { run, io: memoryIo(new Map([[keyfile.path, keyfile.content]])), probe: async () => nm(ours) },
    );
    assert.deepEqual(ran, commands, `running ${running}, reapply refused: ${refuses}`);
    // A refused reapply is no problem of the run: the `up` after it decides.
    assert.deepEqual(problems, [], `running ${running}, reapply refused: ${refuses}`);
  }
  // The fallback fails too: that failure is reported, the refused reapply is not.
  const { run } = recorder((argv) => argv.includes('reapply') || argv.includes('up'));
  const { problems } = await activate({ changes: [replaced], owners, files, facts: nm(ours), timeLeft: () => 25_000 }, { run, io: memoryIo(new Map()), probe: async () => nm(ours) });
  assert.deepEqual(problems.map((problem) => problem.message.split(':')[0]), [up]);
});
