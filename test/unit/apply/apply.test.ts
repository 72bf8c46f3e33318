// The apply step: added addresses recorded before the batch runs, one batch per family, failures on their change entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addedAddresses, applyOperations } from '../../../src/apply/apply.ts';
import type { ApplyDeps } from '../../../src/apply/apply.ts';
import type { Family, Operation, RecordedAddress } from '../../../src/model.ts';
import { silentLogger } from '../../../src/log.ts';

const MAC = '00:16:3e:00:00:02';
const ops: Operation[] = [
  { action: 'add', object: { kind: 'address', family: 4, ifname: 'eth1', address: '10.0.0.31', prefixLength: 32 }, mac: MAC, reason: 'in metadata' },
  { action: 'add', object: { kind: 'address', family: 6, ifname: 'eth1', address: '2408::5', prefixLength: 128 }, mac: MAC, reason: 'in metadata' },
  { action: 'delete', object: { kind: 'address', family: 4, ifname: 'eth1', address: '10.0.0.32', prefixLength: 32 }, mac: MAC, reason: 'gone' },
  { action: 'add', object: { kind: 'rule', family: 4, priority: 20001, from: '10.0.0.31/32', table: 1001 }, mac: MAC, reason: 'in metadata' },
];
const old: RecordedAddress = { ifname: 'eth1', mac: MAC, family: 4, address: '10.0.0.32', prefixLength: 32 };

function deps(failAt?: { family: Family; line: number }) {
  const events: string[] = [];
  const d: ApplyDeps = {
    log: silentLogger,
    state: {
      write: async (addresses) => {
        events.push(`state ${addresses.map((entry) => entry.address).join(',')}`);
      },
    },
    kernel: {
      runBatch: async (family, lines) => {
        events.push(`ip -${family} ${lines.length}`);
        const failures = failAt?.family === family ? [{ line: failAt.line, command: lines[failAt.line - 1] ?? '', message: 'RTNETLINK answers: File exists' }] : [];
        return { ok: failures.length === 0, failures };
      },
    },
  };
  return { d, events };
}

test('the addresses an operation list adds, with their ENI; deletions and rules are not', () => {
  assert.deepEqual(addedAddresses(ops), [
    { ifname: 'eth1', mac: MAC, family: 4, address: '10.0.0.31', prefixLength: 32 },
    { ifname: 'eth1', mac: MAC, family: 6, address: '2408::5', prefixLength: 128 },
  ]);
});

test('added addresses are recorded before any batch runs; IPv4 runs before IPv6', async () => {
  const { d, events } = deps();
  const applied = await applyOperations(ops, [old], d);
  assert.deepEqual(events, ['state 10.0.0.32,10.0.0.31,2408::5', 'ip -4 3', 'ip -6 1']);
  assert.equal(applied.ok, true);
  assert.deepEqual(applied.recorded.map((entry) => entry.address), ['10.0.0.32', '10.0.0.31', '2408::5']);
  assert.deepEqual(applied.changes.map((change) => change.command), [
    'ip -4 address add 10.0.0.31/32 dev eth1',
    'ip -4 address del 10.0.0.32/32 dev eth1',
    'ip -4 rule add pref 20001 from 10.0.0.31/32 table 1001 protocol 203',
    'ip -6 address add 2408::5/128 dev eth1 nodad',
  ]);
});

test('a failed line marks its own change entry and the result; the other family still runs', async () => {
  const { d, events } = deps({ family: 4, line: 2 });
  const applied = await applyOperations(ops, [], d);
  assert.equal(applied.ok, false);
  assert.deepEqual(applied.changes.map((change) => change.failed), [undefined, 'RTNETLINK answers: File exists', undefined, undefined]);
  assert.ok(events.includes('ip -6 1'));
});

test('nothing to add: no state write; nothing at all: no batch', async () => {
  const { d, events } = deps();
  const applied = await applyOperations([], [old], d);
  assert.deepEqual(events, []);
  assert.deepEqual(applied, { ok: true, recorded: [old], changes: [] });
});
