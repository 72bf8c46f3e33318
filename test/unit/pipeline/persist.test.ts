// The glue around the persistence step: its input from the options, failures as problems, its result in the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { persist, persistFailed, persistInput, recordPersist, unpersist, withDiff } from '../../../src/pipeline/persist.ts';
import type { PersistDeps } from '../../../src/persist/step.ts';
import { NO_FACTS } from '../../../src/persist/facts.ts';
import type { DesiredEni, DesiredState } from '../../../src/plan/desired.ts';
import { emptyReport } from '../../../src/report/report.ts';

const eni = (ifname: string, status: DesiredEni['status']): DesiredEni => ({ mac: `m-${ifname}`, ifname, primary: false, status, problems: [], objects: [] });
const desired = (enis: DesiredEni[]): DesiredState => ({ enis, global: [], protectedTables: new Set(), protectedInterfaces: new Set(['eth7']), unmanagedInterfaces: [] });
const timeLeft = () => 1000;

test('stale files go only with complete metadata, every ENI configured or excluded, and no --only-interface', () => {
  const all = desired([eni('eth1', 'managed'), eni('eth2', 'excluded')]);
  assert.equal(persistInput({ persist: 'auto', onlyInterface: '' }, all, true, false, timeLeft).removeStale, true);
  assert.equal(persistInput({ persist: 'auto', onlyInterface: '' }, all, false, false, timeLeft).removeStale, false);
  assert.equal(persistInput({ persist: 'auto', onlyInterface: 'eth1' }, all, true, false, timeLeft).removeStale, false);
  const late = desired([eni('eth1', 'managed'), eni('eth3', 'missing-interface')]);
  const input = persistInput({ persist: 'netplan', onlyInterface: '' }, late, true, true, timeLeft);
  assert.equal(input.removeStale, false);
  assert.deepEqual([...input.protectedInterfaces].sort(), ['eth3', 'eth7'], 'ENIs left alone keep their files');
  assert.deepEqual([input.choice, input.dryRun], ['netplan', true]);
});

test('a throwing persistence step becomes a persist-write problem, which fails the run', async () => {
  const broken: PersistDeps = {
    io: { read: async () => null, write: async () => 'created', remove: async () => 'absent' },
    probe: async () => NO_FACTS,
    listOwnFiles: async () => {
      throw new Error('EIO reading /etc/netplan');
    },
  };
  for (const result of [await persist(persistInput({ persist: 'netplan', onlyInterface: '' }, desired([]), true, false, timeLeft), { persist: broken }), await unpersist(timeLeft, { persist: broken })]) {
    assert.deepEqual(result.problems, [{ code: 'persist-write', message: 'persistent config: EIO reading /etc/netplan' }]);
    assert.equal(persistFailed(result), true);
  }
  assert.equal(persistFailed({ owners: [], files: [], changed: false, previews: [], problems: [{ code: 'persist-foreign', message: 'x' }] }), false);
});

test("the result goes into the report: files, problems, and each ENI's backend", () => {
  const report = emptyReport('apply', 't', 0);
  report.enis.push({ mac: 'm', interface: 'eth1', primary: false, status: 'managed', ipv4: [], ipv6: [], changes: 0, problems: [] });
  recordPersist(
    {
      owners: [{ ifname: 'eth1', backend: 'networkmanager', context: {}, live: true, why: 'NetworkManager manages eth1' }],
      files: [{ path: '/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection', action: 'created' }],
      problems: [{ code: 'persist-shadowed', message: 'x' }],
      changed: true,
      previews: [],
    },
    report,
  );
  assert.deepEqual(report.enis[0]?.persist, { backend: 'networkmanager', why: 'NetworkManager manages eth1' });
  assert.equal(report.files.length, 1);
  assert.equal(report.problems[0]?.code, 'persist-shadowed');
});

test('a dry run\'s file entries carry the diff of what they would write; other entries none', () => {
  const report = emptyReport('plan', 't', 0);
  const path = '/etc/netplan/90-eni-init-eth1.yaml';
  recordPersist(
    {
      owners: [],
      files: [
        { path, action: 'would-replace', reason: 'its content differs' },
        { path: '/etc/netplan/90-eni-init-eth2.yaml', action: 'unchanged' },
      ],
      problems: [],
      changed: false,
      previews: [{ path, before: 'a\nb\n', after: 'a\nc\n' }],
    },
    report,
  );
  assert.equal(report.files[0]?.diff, `--- ${path}\n+++ ${path}\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n`);
  assert.equal(report.files[1]?.diff, undefined);
  assert.deepEqual(withDiff({ path, action: 'kept' }, [{ path, before: 'a\n', after: null }]), { path, action: 'kept' }, 'only a would- action gets one');
});
