// The netplan backend: generated in a scratch root, a refused generate rolled back, networkd never reloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activate } from '../../../../src/persist/activate.ts';
import { NO_FACTS } from '../../../../src/persist/facts.ts';
import type { ManagerFacts } from '../../../../src/persist/facts.ts';
import { desiredFiles } from '../../../../src/persist/sync.ts';
import { created, memoryIo, ok, recorder } from '../activation-fixtures.ts';
import { primary, secondary } from '../render/fixtures.ts';

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
