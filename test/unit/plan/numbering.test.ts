import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignSlots, ownsPriority, ownsTable, tableFor } from '../../../src/plan/numbering.ts';

test('eth1 gets slot 1 and table 1001, the primary slot 0', () => {
  const slots = assignSlots([
    { mac: 'a', ifname: 'eth0', primary: true },
    { mac: 'b', ifname: 'eth1', primary: false },
    { mac: 'c', ifname: 'eth2', primary: false },
  ]);
  assert.deepEqual([...slots], [['a', 0], ['b', 1], ['c', 2]]);
  assert.equal(tableFor(slots.get('b') as number, { tableBase: 1000, priorityBase: 20000 }), 1001);
});

test('slots do not move when another ENI is detached', () => {
  const slots = assignSlots([
    { mac: 'a', ifname: 'eth0', primary: true },
    { mac: 'c', ifname: 'eth2', primary: false },
  ]);
  assert.equal(slots.get('c'), 2);
});

test('collisions and names without numbers get the lowest free slot, deterministically', () => {
  const input = [
    { mac: 'p', ifname: 'ens3', primary: true },
    { mac: 'x', ifname: 'ens5', primary: false },
    { mac: 'y', ifname: 'enp1s5', primary: false },
    { mac: 'z', ifname: 'wan', primary: false },
    { mac: 'w', ifname: 'eth0', primary: false },
  ];
  const slots = assignSlots(input);
  assert.equal(slots.get('p'), 0);
  assert.equal(slots.get('y'), 5, 'on a tie the name that sorts first keeps its number');
  assert.deepEqual(new Set(slots.values()).size, 5, 'no two ENIs share a slot');
  assert.deepEqual([...assignSlots([...input].reverse())].sort(), [...slots].sort(), 'order of input does not matter');
});

test('ownership ranges', () => {
  const numbering = { tableBase: 1000, priorityBase: 20000 };
  assert.ok(ownsTable(1001, numbering));
  assert.ok(!ownsTable(254, numbering));
  assert.ok(!ownsTable('main', numbering));
  assert.ok(ownsPriority(19999, numbering));
  assert.ok(ownsPriority(20255, numbering));
  assert.ok(!ownsPriority(20256, numbering));
  assert.ok(!ownsPriority(32766, numbering));
});
