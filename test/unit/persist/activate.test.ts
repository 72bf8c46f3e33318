// Activation over a recording command runner: which manager commands run, in what order, and what is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activate } from '../../../src/persist/activate.ts';
import type { CommandResult } from '../../../src/persist/command.ts';
import { NO_FACTS } from '../../../src/persist/facts.ts';
import type { ManagerFacts } from '../../../src/persist/facts.ts';
import { keyfileUuid } from '../../../src/persist/backends/networkmanager.ts';
import { desiredFiles } from '../../../src/persist/sync.ts';
import type { FileChange, FileIo } from '../../../src/persist/types.ts';
import { primary, secondary } from './render/fixtures.ts';

const ok: CommandResult = { ok: true, code: 0, stdout: '', stderr: '' };

function recorder(fail: (argv: readonly string[]) => boolean = () => false) {
  const ran: string[] = [];
  return {
    ran,
    run: async (argv: readonly string[]) => {
      ran.push(argv.join(' '));
      return fail(argv) ? { ok: false, code: 1, stdout: '', stderr: 'Error: invalid YAML\n' } : ok;
    },
  };
}

function memoryIo(files: Map<string, string>): FileIo {
  return {
    read: async (path) => files.get(path) ?? null,
    write: async (path, content) => {
      files.set(path, content);
      return 'replaced';
    },
    remove: async (path) => (files.delete(path) ? 'removed' : 'absent'),
  };
}

const created = (file: { backend: FileChange['backend']; path: string; content: string; mode: number; ifname?: string }, previous: string | null = null): FileChange => ({
  backend: file.backend,
  ...(file.ifname === undefined ? {} : { ifname: file.ifname }),
  path: file.path,
  action: previous === null ? 'created' : 'replaced',
  content: file.content,
  previous,
  mode: file.mode,
});

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

test('netplan: a file netplan generate refuses is rolled back; nothing live is reloaded', async () => {
  const facts: ManagerFacts = { ...NO_FACTS, probed: true, netplan: true, networkd: { running: true, links: {} } };
  const { owners, files } = desiredFiles('netplan', [secondary], facts);
  const disk = new Map<string, string>();
  const file = files.find((entry) => entry.backend === 'netplan');
  assert.ok(file);
  disk.set(file.path, file.content);
  const { ran, run } = recorder();
  let generated = 0;
  const netplan = async () => (generated++, { ok: false, networkd: [], networkManager: [], other: [], message: 'netplan generate: Error: invalid YAML' });
  const { problems } = await activate(
    { changes: [created(file, '# Written by eni-init. previous\n')], owners, files, facts, timeLeft: () => 25_000 },
    { run, io: memoryIo(disk), probe: async () => facts, netplan },
  );
  assert.equal(disk.get(file.path), '# Written by eni-init. previous\n');
  assert.equal(generated, 1, 'generated once, in the scratch root; the rollback needs no second generate (nothing live was installed)');
  assert.ok(!ran.includes('networkctl reload'), `reloaded after a refused generate: ${ran.join(', ')}`);
  assert.ok(problems.some((problem) => problem.code === 'persist-activate' && problem.message.includes('rolled back')));
  assert.ok(problems.some((problem) => problem.message.includes('invalid YAML')));
});

test('netplan: systemd-networkd is never reloaded (a reload re-configures a primary whose generated file daemon-reload rewrote)', async () => {
  const facts: ManagerFacts = { ...NO_FACTS, probed: true, netplan: true, networkd: { running: true, links: {} } };
  const { files } = desiredFiles('netplan', [secondary], facts);
  const file = files.find((entry) => entry.backend === 'netplan');
  assert.ok(file);
  for (const networkd of [[], ['/run/systemd/network/10-netplan-eth1.network']]) {
    const { ran, run } = recorder();
    let generated = 0;
    const netplan = async () => (generated++, { ok: true, networkd, networkManager: [], other: [] });
    const result = await activate(
      { changes: [created(file)], owners: [], files, facts, timeLeft: () => 25_000 },
      { run, io: memoryIo(new Map([[file.path, file.content]])), probe: async () => facts, netplan },
    );
    // The generate ran (the files it installed were the networkd ones), and still no command at all followed it.
    assert.equal(generated, 1, 'netplan generate ran once');
    assert.equal(result.ran, true);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(ran, [], `networkd files installed: ${networkd.join(', ') || 'none'}`);
  }
});

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

test('networkd: a change to the primary\'s keep-config drop-in alone never reloads networkd (the reload would re-configure the primary)', async () => {
  const facts: ManagerFacts = { ...NO_FACTS, probed: true, networkd: { running: true, links: {} } };
  const dropIn = { backend: 'networkd' as const, ifname: 'eth0', path: '/etc/systemd/network/10-netplan-eth0.network.d/50-eni-init.conf', content: '# Written by eni-init\n[Network]\nKeepConfiguration=static\n', mode: 0o644 };
  const { ran, run } = recorder();
  await activate({ changes: [{ ...created(dropIn), action: 'removed' }], owners: [], files: [], facts, timeLeft: () => 25_000 }, { run, io: memoryIo(new Map()), probe: async () => facts });
  assert.deepEqual(ran, []);
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
