// Syncing files: writes what differs, removes a stale file of ours through its backend, never a file that is not ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_FACTS } from '../../../src/persist/facts.ts';
import { desiredFiles, syncFiles } from '../../../src/persist/sync.ts';
import type { SyncInput } from '../../../src/persist/sync.ts';
import type { DesiredFile, FileIo, OwnFile } from '../../../src/persist/types.ts';
import { WRITTEN_BY } from '../../../src/persist/types.ts';
import { primary, secondary } from './render/fixtures.ts';

const ours = (path: string, body = 'old'): OwnFile => ({ path, content: `${WRITTEN_BY}\n${body}\n` });

/** A disk in memory that records every write and removal. */
function disk(initial: Record<string, string>) {
  const files = new Map(Object.entries(initial));
  const log: string[] = [];
  const io: FileIo = {
    read: async (path) => files.get(path) ?? null,
    write: async (path, content) => {
      const before = files.get(path);
      files.set(path, content);
      log.push(`write ${path}`);
      return before === undefined ? 'created' : before === content ? 'unchanged' : 'replaced';
    },
    remove: async (path, content) => {
      if (files.get(path) === undefined) return 'absent';
      if (files.get(path) !== content) return 'different';
      files.delete(path);
      log.push(`remove ${path}`);
      return 'removed';
    },
  };
  return { files, log, io };
}

const input = (over: Partial<SyncInput>): SyncInput => ({ files: [], present: [], removeStale: true, protectedInterfaces: new Set(), dryRun: false, ...over });

const KEYFILE_ETH9 = '/etc/NetworkManager/system-connections/eni-init-eth9.nmconnection';
const NETPLAN_ETH9 = '/etc/netplan/90-eni-init-eth9.yaml';
const ROUTE_ETH9 = '/etc/sysconfig/network-scripts/route-eth9';
const GLOBAL = '/etc/systemd/networkd.conf.d/50-eni-init.conf';

test('a stale file of each backend is removed, as a change of that backend naming its interface', async () => {
  const stale = [ours(KEYFILE_ETH9), ours(NETPLAN_ETH9), ours(ROUTE_ETH9), ours(GLOBAL)];
  const { files, io } = disk(Object.fromEntries(stale.map((own) => [own.path, own.content])));
  const { entries, changes, problems } = await syncFiles(input({ present: stale }), io);
  assert.deepEqual(problems, []);
  assert.equal(files.size, 0);
  assert.deepEqual(entries.map((entry) => entry.action), ['removed', 'removed', 'removed', 'removed']);
  assert.deepEqual(
    changes.map((change) => [change.backend, change.ifname]),
    [['networkmanager', 'eth9'], ['netplan', 'eth9'], ['ifcfg', 'eth9'], ['networkd', undefined]],
  );
});

test('never a file that is not ours: a foreign file at our path is kept and reported, a changed one is not removed', async () => {
  const [file] = desiredFiles('networkmanager', [secondary], NO_FACTS).files as [DesiredFile];
  const admin = "[connection]\nid=admin's\n";
  const { files, log, io } = disk({ [file.path]: admin, [KEYFILE_ETH9]: `${WRITTEN_BY}\nedited since\n` });
  const { entries, problems } = await syncFiles(input({ files: [file], present: [ours(KEYFILE_ETH9)] }), io);
  assert.equal(files.get(file.path), admin, "the admin's file at our path is untouched");
  assert.equal(files.get(KEYFILE_ETH9), `${WRITTEN_BY}\nedited since\n`, 'a file that changed since it was listed stays');
  assert.deepEqual(log, []);
  assert.deepEqual(entries, [
    { path: file.path, action: 'kept', note: 'not written by eni-init' },
    { path: KEYFILE_ETH9, action: 'kept', note: 'changed since it was read' },
  ]);
  assert.deepEqual(problems.map((problem) => problem.code), ['persist-foreign']);
});

test("the admin's ifcfg-<if> is kept silently: our route- and rule- files go beside it", async () => {
  const files = desiredFiles('ifcfg', [secondary], NO_FACTS).files;
  const ifcfg = files.find((file) => file.path.endsWith('/ifcfg-eth1'));
  assert.ok(ifcfg);
  const { files: onDisk, io } = disk({ [ifcfg.path]: 'DEVICE=eth1\nBOOTPROTO=dhcp\n' });
  const { entries, problems, changes } = await syncFiles(input({ files }), io);
  assert.equal(onDisk.get(ifcfg.path), 'DEVICE=eth1\nBOOTPROTO=dhcp\n');
  assert.equal(entries[0]?.action, 'kept');
  assert.deepEqual(problems, []);
  assert.deepEqual(changes.map((change) => change.path).sort(), files.filter((file) => file !== ifcfg).map((file) => file.path).sort());
});

test('stale files stay when removal is off, when their interface is protected, and a file of no interface while any is', async () => {
  const stale = [ours(KEYFILE_ETH9), ours(GLOBAL)];
  const initial = Object.fromEntries(stale.map((own) => [own.path, own.content]));
  for (const over of [{ removeStale: false }, { protectedInterfaces: new Set(['eth9']) }]) {
    const { files, io } = disk(initial);
    const { entries } = await syncFiles(input({ present: stale, ...over }), io);
    assert.equal(files.size, 2, JSON.stringify(over));
    assert.deepEqual(entries.map((entry) => entry.action), ['kept', 'kept']);
  }
  const { files, io } = disk(initial);
  await syncFiles(input({ present: stale, protectedInterfaces: new Set(['eth3']) }), io);
  assert.deepEqual([...files.keys()], [GLOBAL], "eth9's file goes; the global file stays while eth3 is left alone");
});

test('dry run: says what it would do and why, with the contents now and after; touches nothing; wanted-later paths are never stale', async () => {
  const [file] = desiredFiles('netplan', [secondary], NO_FACTS).files as [DesiredFile];
  const later = '/etc/systemd/network/10-eth0.network.d/50-eni-init.conf';
  const { log, io } = disk({ [KEYFILE_ETH9]: ours(KEYFILE_ETH9).content, [later]: ours(later).content });
  const { entries, changes, previews } = await syncFiles(input({ files: [file], present: [ours(KEYFILE_ETH9), ours(later)], alsoWanted: [later], dryRun: true }), io);
  assert.deepEqual(log, []);
  assert.deepEqual(changes, []);
  assert.deepEqual(entries, [
    { path: file.path, action: 'would-create', reason: 'missing: the ENI on eth1 needs it' },
    { path: KEYFILE_ETH9, action: 'would-remove', reason: 'no ENI in metadata is on eth9 any more' },
  ]);
  assert.deepEqual(previews, [
    { path: file.path, before: null, after: file.content },
    { path: KEYFILE_ETH9, before: ours(KEYFILE_ETH9).content, after: null },
  ]);
});

test('the reasons: a changed file differs from the metadata; a stale file of an ENI still in metadata is persisted otherwise now', async () => {
  const [file] = desiredFiles('netplan', [secondary], NO_FACTS).files as [DesiredFile];
  const { io } = disk({ [file.path]: ours(file.path).content, [KEYFILE_ETH9]: ours(KEYFILE_ETH9).content, [GLOBAL]: ours(GLOBAL).content });
  const present = [ours(file.path), ours(KEYFILE_ETH9), ours(GLOBAL)];
  const dry = await syncFiles(input({ files: [file], present, inMetadata: new Set(['eth1', 'eth9']), dryRun: true }), io);
  assert.deepEqual(dry.entries.map((entry) => [entry.action, entry.reason]), [
    ['would-replace', 'its content differs from what the metadata gives for the ENI on eth1'],
    ['would-remove', 'eth9 is now persisted otherwise (another backend or other files)'],
    ['would-remove', 'no longer needed by any ENI in metadata'],
  ]);
  const done = await syncFiles(input({ files: [file], present, inMetadata: new Set(['eth1', 'eth9']) }), io);
  assert.deepEqual(done.entries.map((entry) => [entry.action, entry.reason]), dry.entries.map((entry) => [entry.action.replace('would-', '').replace(/e?$/, 'ed'), entry.reason]), 'apply says the same why');
  assert.deepEqual(done.previews, [], 'no previews outside a dry run');
});

test('desiredFiles: the primary under networkd gets only its drop-in, after activation; rules bring the global file', () => {
  const link = { adminState: 'configured', networkFile: '/etc/systemd/network/10-eth0.network' };
  const facts = { ...NO_FACTS, probed: true, complete: true, networkd: { running: true, links: { eth0: link, eth1: link } } };
  const { owners, files, problems } = desiredFiles('auto', [primary, secondary], facts);
  assert.deepEqual(problems, []);
  assert.deepEqual(owners.map((owner) => owner.backend), ['networkd', 'networkd']);
  assert.deepEqual(
    files.map((file) => [file.path, file.ifname, file.afterActivation === true]),
    [
      ['/etc/systemd/network/10-eth0.network.d/50-eni-init.conf', 'eth0', true],
      ['/etc/systemd/network/05-eni-init-eth1.network', 'eth1', false],
      [GLOBAL, undefined, false],
    ],
  );
});
