// The persistence step over in-memory files and probed facts: which files stay, go or get written, and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DesiredEni, DesiredState } from '../../../src/plan/desired.ts';
import { NO_FACTS } from '../../../src/persist/facts.ts';
import type { ManagerFacts } from '../../../src/persist/facts.ts';
import { persistStep, unpersistStep } from '../../../src/persist/step.ts';
import type { PersistDeps, PersistInput } from '../../../src/persist/step.ts';
import type { FileIo } from '../../../src/persist/types.ts';
import { WRITTEN_BY } from '../../../src/persist/types.ts';

const NM_ETH1 = '/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection';
const NM_ETH9 = '/etc/NetworkManager/system-connections/eni-init-eth9.nmconnection';

/** eth1 with one secondary private IP in table 1001 (what the planner gives a managed secondary ENI). */
function eth1(): DesiredEni {
  return {
    mac: '00:16:3e:00:00:02',
    eniId: 'eni-1',
    ifname: 'eth1',
    primary: false,
    status: 'managed',
    slot: 1,
    table: 1001,
    priority: 20001,
    problems: [],
    objects: [
      { kind: 'address', family: 4, ifname: 'eth1', address: '10.0.1.21', prefixLength: 32 },
      { kind: 'route', family: 4, table: 1001, dst: '10.0.1.0/24', ifname: 'eth1', scope: 'link', prefsrc: '10.0.1.20' },
      { kind: 'route', family: 4, table: 1001, dst: 'default', ifname: 'eth1', gateway: '10.0.1.253' },
      { kind: 'rule', family: 4, priority: 20001, from: '10.0.1.20/32', table: 1001 },
      { kind: 'rule', family: 4, priority: 20001, from: '10.0.1.21/32', table: 1001 },
    ],
  };
}

const desired = (): DesiredState => ({ enis: [eth1()], global: [], protectedTables: new Set(), protectedInterfaces: new Set(), unmanagedInterfaces: [] });

const nmRunning: ManagerFacts = {
  ...NO_FACTS,
  probed: true,
  complete: true,
  networkManager: { running: true, devices: { eth1: { state: 'connected', connectionUuid: 'u1' } } },
};
/** Probed, every probe answered: NetworkManager and networkd are simply not running (stopped, crashed, failed at boot). */
const nothingRunning: ManagerFacts = { ...NO_FACTS, probed: true, complete: true };

function memoryIo(files: Map<string, string>): FileIo {
  return {
    read: async (path) => files.get(path) ?? null,
    write: async (path, content) => {
      const before = files.get(path);
      files.set(path, content);
      return before === undefined ? 'created' : before === content ? 'unchanged' : 'replaced';
    },
    remove: async (path, content) => {
      if (!files.has(path)) return 'absent';
      if (files.get(path) !== content) return 'different';
      files.delete(path);
      return 'removed';
    },
  };
}

function deps(files: Map<string, string>, facts: ManagerFacts): PersistDeps {
  return {
    io: memoryIo(files),
    probe: async () => facts,
    listOwnFiles: async () => [...files].filter(([, content]) => content.startsWith(WRITTEN_BY)).map(([path, content]) => ({ path, content })),
  };
}

const input = (extra: Partial<PersistInput> = {}): PersistInput => ({
  choice: 'auto',
  desired: desired(),
  removeStale: true,
  protectedInterfaces: new Set(),
  dryRun: false,
  timeLeft: () => 10_000,
  ...extra,
});

test('auto with NetworkManager managing eth1: its profile is written once, then left unchanged', async () => {
  const files = new Map<string, string>();
  const first = await persistStep(input(), deps(files, nmRunning));
  assert.deepEqual(first.problems, []);
  assert.equal(first.owners[0]?.backend, 'networkmanager');
  assert.deepEqual(first.files.map((file) => [file.path, file.action]), [[NM_ETH1, 'created']]);
  assert.match(files.get(NM_ETH1) ?? '', /routing-rule2=priority 20001 from 10\.0\.1\.21\/32 table 1001/);
  const second = await persistStep(input(), deps(files, nmRunning));
  assert.deepEqual(second.files.map((file) => [file.path, file.action]), [[NM_ETH1, 'unchanged']]);
  assert.equal(second.changed, false);
});

test('auto with the manager down: the interface keeps its files for when the manager comes back', async () => {
  const files = new Map<string, string>();
  await persistStep(input(), deps(files, nmRunning));
  const profile = files.get(NM_ETH1);
  files.set(NM_ETH9, `${WRITTEN_BY}\n[connection]\nid=eni-init-eth9\n`);

  const down = await persistStep(input(), deps(files, nothingRunning));
  assert.equal(down.owners[0]?.backend, 'none');
  assert.match(down.owners[0]?.why ?? '', /no running network manager/);
  assert.equal(files.get(NM_ETH1), profile, 'eth1 still has an ENI: its profile stays, byte for byte');
  assert.deepEqual(down.files.find((file) => file.path === NM_ETH1)?.action, 'kept');
  // eth9 has no ENI any more (complete metadata): its profile goes, whoever runs.
  assert.equal(files.has(NM_ETH9), false);
  assert.deepEqual(down.problems, []);
});

test('a probe that timed out keeps files, --persist=none touches none, a named backend replaces another one', async () => {
  const files = new Map<string, string>();
  await persistStep(input(), deps(files, nmRunning));
  // A probe that timed out proves nothing either.
  await persistStep(input(), deps(files, { ...nothingRunning, complete: false }));
  assert.ok(files.has(NM_ETH1));
  await persistStep(input({ choice: 'none' }), deps(files, nothingRunning));
  assert.ok(files.has(NM_ETH1), '--persist=none is a no-op step: it never reads or removes files');
  const named = await persistStep(input({ choice: 'networkd' }), deps(files, nothingRunning));
  assert.equal(files.has(NM_ETH1), false, 'a named backend replaces the files of another one');
  assert.ok(named.files.some((file) => file.path === '/etc/systemd/network/05-eni-init-eth1.network' && file.action === 'created'));
});

/** eth0 (primary) and eth1, both matched by one DHCP .network file of a running networkd. */
function primaryAndEth1OnNetworkd(): { state: DesiredState; networkd: ManagerFacts } {
  const primary: DesiredEni = { mac: '00:16:3e:00:00:01', ifname: 'eth0', primary: true, status: 'managed', slot: 0, problems: [], objects: [] };
  const state: DesiredState = { ...desired(), enis: [primary, eth1()] };
  const link = (file: string) => ({ adminState: 'configured', networkFile: file });
  const networkd: ManagerFacts = {
    ...NO_FACTS,
    probed: true,
    complete: true,
    networkd: { running: true, links: { eth0: link('/etc/systemd/network/50-dhcp.network'), eth1: link('/etc/systemd/network/50-dhcp.network') } },
  };
  return { state, networkd };
}

test('networkd: the primary gets its keep-config drop-in after the reload; every file is reported once', async () => {
  const { state, networkd } = primaryAndEth1OnNetworkd();
  const files = new Map<string, string>();
  const ran: string[] = [];
  const withRun = { ...deps(files, networkd), run: async (argv: readonly string[]) => (ran.push(argv.join(' ')), { ok: true, code: 0, stdout: '', stderr: '' }) };
  const first = await persistStep(input({ desired: state }), withRun);
  const paths = first.files.map((file) => file.path);
  assert.deepEqual(paths, [
    '/etc/systemd/network/05-eni-init-eth1.network',
    '/etc/systemd/networkd.conf.d/50-eni-init.conf',
    '/etc/systemd/network/50-dhcp.network.d/50-eni-init.conf',
  ]);
  assert.equal(ran[0], 'networkctl reload');
  const again = await persistStep(input({ desired: state }), withRun);
  assert.deepEqual(again.files.map((file) => [file.path, file.action]), paths.map((path) => [path, 'unchanged']));
});

test('remove on networkd: the secondaries\' files go and networkd reloads; the primary\'s drop-in goes only after that reload', async () => {
  const { state, networkd } = primaryAndEth1OnNetworkd();
  const files = new Map<string, string>();
  const noRun = deps(files, networkd);
  await persistStep(input({ desired: state }), noRun);
  const dropIn = '/etc/systemd/network/50-dhcp.network.d/50-eni-init.conf';
  assert.ok(files.has(dropIn));
  // At the reload the drop-in is still there (networkd sees eth0's config unchanged); it is removed afterwards.
  const seen: string[] = [];
  const removal = await unpersistStep(() => 25_000, {
    ...noRun,
    run: async (argv: readonly string[]) => (seen.push(`${argv.join(' ')} (drop-in ${files.has(dropIn) ? 'present' : 'gone'})`), { ok: true, code: 0, stdout: '', stderr: '' }),
  });
  assert.deepEqual(seen, ['networkctl reload (drop-in present)']);
  assert.equal(files.size, 0);
  assert.equal(removal.files.at(-1)?.path, dropIn);
  assert.deepEqual(removal.problems, []);
});

test('remove on NetworkManager: the removed profile\'s change names its interface, so the device is connected again', async () => {
  const files = new Map<string, string>();
  await persistStep(input(), deps(files, nmRunning));
  assert.ok(files.has(NM_ETH1));
  const ran: string[] = [];
  // No other profile takes eth1 once ours is gone (NetworkManager made no default wired connection for it).
  const released: ManagerFacts = { ...nmRunning, networkManager: { running: true, devices: { eth1: { state: 'disconnected' } } } };
  await unpersistStep(() => 3000, {
    ...deps(files, released),
    run: async (argv: readonly string[]) => (ran.push(argv.join(' ')), { ok: true, code: 0, stdout: '', stderr: '' }),
  });
  assert.ok(ran.some((command) => command.startsWith('nmcli connection add save no type ethernet ifname eth1 ')), ran.join('\n'));
});
