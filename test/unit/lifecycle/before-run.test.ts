// What is decided before a run reads anything: refresh off, replayed coldplug add, detach of a NIC that is not ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beforeRun } from '../../../src/lifecycle/before-run.ts';
import { UsageError } from '../../../src/errors.ts';

const base = { onlyInterface: '', refreshInterval: '', record: null, ifindex: undefined };
const RECORD = '3 00:16:3e:5e:01:02\n';

test('ordinary runs run', () => {
  for (const trigger of ['boot', 'manual', 'refresh'] as const) assert.deepEqual(beforeRun({ ...base, trigger }), { kind: 'run' }, trigger);
});

test('a refresh with refresh-interval = off is skipped; other runs are not', () => {
  assert.equal(beforeRun({ ...base, trigger: 'refresh', refreshInterval: 'off' }).kind, 'skip');
  assert.equal(beforeRun({ ...base, trigger: 'boot', refreshInterval: 'off' }).kind, 'run');
});

test('hotplug: a replayed add of a NIC this boot configured is skipped; a new device under that name runs', () => {
  const skipped = beforeRun({ ...base, trigger: 'hotplug', onlyInterface: 'eth1', record: RECORD, ifindex: 3 });
  assert.equal(skipped.kind, 'skip');
  assert.match(skipped.kind === 'skip' ? skipped.message : '', /eth1 \(ifindex 3\).*replayed/);
  assert.deepEqual(beforeRun({ ...base, trigger: 'hotplug', onlyInterface: 'eth1', record: RECORD, ifindex: 8 }), { kind: 'run' });
  assert.deepEqual(beforeRun({ ...base, trigger: 'hotplug', onlyInterface: 'eth1', record: null, ifindex: 3 }), { kind: 'run' });
  // A manual --only-interface run is never skipped: the admin asked for it.
  assert.deepEqual(beforeRun({ ...base, trigger: 'manual', onlyInterface: 'eth1', record: RECORD, ifindex: 3 }), { kind: 'run' });
});

test('detach: the ENI to wait for comes from the record; without a record nothing of ours is there to clean up', () => {
  assert.deepEqual(beforeRun({ ...base, trigger: 'detach', onlyInterface: 'eth3', record: RECORD }), { kind: 'detach', mac: '00:16:3e:5e:01:02' });
  const skipped = beforeRun({ ...base, trigger: 'detach', onlyInterface: 'docker0', record: null });
  assert.equal(skipped.kind, 'skip');
  assert.match(skipped.kind === 'skip' ? skipped.message : '', /docker0 was not configured by eni-init/);
  assert.throws(() => beforeRun({ ...base, trigger: 'detach' }), UsageError);
});
