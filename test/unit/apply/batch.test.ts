// Operations -> exact `ip -batch` lines per family, and the change entries that carry the full command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeEntry, commandFor, renderBatches } from '../../../src/apply/batch.ts';
import type { Operation } from '../../../src/model.ts';
import { checkLines } from '../../../src/kernel/ip.ts';

const ops: Operation[] = [
  { action: 'add', object: { kind: 'link-up', ifname: 'eth2' }, reason: '' },
  { action: 'add', object: { kind: 'address', family: 4, ifname: 'eth1', address: '10.0.0.31', prefixLength: 32 }, reason: '' },
  { action: 'add', object: { kind: 'address', family: 6, ifname: 'eth1', address: '2408::5', prefixLength: 128 }, reason: '' },
  { action: 'add', object: { kind: 'route', family: 4, table: 1001, dst: '10.0.0.0/24', ifname: 'eth1', scope: 'link', prefsrc: '10.0.0.30' }, reason: '' },
  { action: 'replace', object: { kind: 'route', family: 4, table: 1001, dst: 'default', ifname: 'eth1', gateway: '10.0.0.253' }, reason: '' },
  { action: 'add', object: { kind: 'rule', family: 4, priority: 20001, from: '10.0.0.31/32', table: 1001 }, reason: '' },
  { action: 'add', object: { kind: 'rule', family: 4, priority: 19999, table: 'main', suppressPrefixLength: 0 }, reason: '' },
  { action: 'delete', object: { kind: 'rule', family: 6, priority: 20001, from: '2408::9/128', table: 1001 }, reason: '' },
  { action: 'delete', object: { kind: 'address', family: 4, ifname: 'eth1', address: '10.0.0.32', prefixLength: 32 }, reason: '' },
];

test('each operation renders to one exact ip command, tagged with protocol 203', () => {
  assert.deepEqual(ops.map(commandFor), [
    'link set dev eth2 up',
    'address add 10.0.0.31/32 dev eth1',
    'address add 2408::5/128 dev eth1 nodad',
    'route add 10.0.0.0/24 dev eth1 table 1001 proto 203 scope link src 10.0.0.30',
    'route replace default via 10.0.0.253 dev eth1 table 1001 proto 203 onlink',
    'rule add pref 20001 from 10.0.0.31/32 table 1001 protocol 203',
    'rule add pref 19999 table main suppress_prefixlength 0 protocol 203',
    'rule del pref 20001 from 2408::9/128 table 1001 protocol 203',
    'address del 10.0.0.32/32 dev eth1',
  ]);
});

test('operations split into one batch per family, order kept', () => {
  const batches = renderBatches(ops);
  assert.deepEqual(
    batches[4].map((entry) => entry.operation),
    ops.filter((operation) => operation.object.kind === 'link-up' || operation.object.family === 4),
  );
  assert.deepEqual(batches[6].map((entry) => entry.line), ['address add 2408::5/128 dev eth1 nodad', 'rule del pref 20001 from 2408::9/128 table 1001 protocol 203']);
});

test('every rendered line is in the grammar runBatch accepts, and every route and rule line carries the tag', () => {
  const all = ops.flatMap((operation) => (['add', 'replace', 'delete'] as const).map((action) => ({ ...operation, action })));
  const lines = all.map(commandFor);
  assert.doesNotThrow(() => checkLines(lines));
  for (const line of lines) {
    if (line.startsWith('route ')) assert.match(line, / proto 203( |$)/, line);
    if (line.startsWith('rule ')) assert.match(line, / protocol 203( |$)/, line);
  }
  // What a cut line looks like is refused: e.g. the `from all lookup main` rule of a batch cut after "pref 2000".
  for (const cut of ['rule add pref 2000', 'rule add pref 20001 from 10.0.0.31/32 table 1001', 'route replace default via 10.0.0.253 dev eth1 table 1001']) {
    assert.throws(() => checkLines([cut]), /refusing ip batch line 1/);
  }
});

test('a change entry carries the family and the exact command, its ENI and its failure', () => {
  const [linkUp, , address6] = ops;
  assert.deepEqual(changeEntry({ ...(linkUp as Operation), mac: '00:16:3e:00:00:03', reason: 'down' }), {
    action: 'add',
    kind: 'link-up',
    command: 'ip -4 link set dev eth2 up',
    reason: 'down',
    mac: '00:16:3e:00:00:03',
  });
  assert.deepEqual(changeEntry(address6 as Operation, 'RTNETLINK answers: File exists'), {
    action: 'add',
    kind: 'address',
    command: 'ip -6 address add 2408::5/128 dev eth1 nodad',
    reason: '',
    failed: 'RTNETLINK answers: File exists',
  });
});
