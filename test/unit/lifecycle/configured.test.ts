// The per-boot record of configured NICs (pure): format, the coldplug decision, what a run writes and removes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIGURED_DIR, isRecordableName, isReplayedAdd, parseEntry, recordChanges, renderEntry } from '../../../src/lifecycle/configured.ts';
import type { ReportedEni } from '../../../src/lifecycle/configured.ts';
import { REPLAY_CASES } from './replay-cases.ts';

const MAC1 = '00:16:3e:5e:01:02';
const MAC2 = '00:16:3e:5e:01:03';
const managed = (ifname: string, mac: string): ReportedEni => ({ interface: ifname, mac, status: 'managed', problems: [] });

test('an entry renders and parses back; anything else is no entry', () => {
  assert.equal(renderEntry({ ifindex: 3, mac: MAC1 }), `3 ${MAC1}\n`);
  assert.deepEqual(parseEntry(renderEntry({ ifindex: 12345, mac: MAC1 })), { ifindex: 12345, mac: MAC1 });
  for (const bad of [null, '', '\n', `0 ${MAC1}\n`, `3 ${MAC1}\n\n`, `3  ${MAC1}\n`, `-3 ${MAC1}\n`]) assert.equal(parseEntry(bad), undefined, JSON.stringify(bad));
});

test('coldplug: an add is a replay only for the recorded interface with the same ifindex', () => {
  for (const item of REPLAY_CASES) assert.equal(isReplayedAdd(item.record, item.ifindex), item.replay, item.name);
});

test('record names are interface names, never paths', () => {
  for (const name of ['eth0', 'ens5', 'enp0s3f1', 'eth1.100', 'a@b']) assert.ok(isRecordableName(name), name);
  for (const name of ['', '.', '..', 'a/b', '../x', '-x', 'x'.repeat(16), 'eth0\n', 'e th']) assert.ok(!isRecordableName(name), JSON.stringify(name));
});

test('a run records its managed ENIs without problems, on interfaces that exist, and only what differs', () => {
  const changes = recordChanges({
    enis: [
      managed('eth1', MAC1),
      managed('eth2', MAC2),
      { interface: 'eth3', mac: '00:16:3e:5e:01:04', status: 'managed', problems: ['privateIpv4s: bad'] },
      { interface: 'eth4', mac: '00:16:3e:5e:01:05', status: 'not-selected', problems: [] },
      { mac: '00:16:3e:5e:01:06', status: 'missing-interface', problems: [] },
      managed('eth5', '00:16:3e:5e:01:07'),
    ],
    ifindexOf: new Map<string, number | undefined>([['eth1', 3], ['eth2', 4], ['eth3', 5], ['eth4', 6], ['eth5', undefined]]),
    existing: new Map([['eth1', `3 ${MAC1}\n`]]),
  });
  assert.deepEqual(changes, { write: [{ ifname: 'eth2', content: `4 ${MAC2}\n` }], remove: [] });
});

test('entries of gone interfaces, of a new device under the same name, and foreign files are removed; others kept', () => {
  const changes = recordChanges({
    enis: [],
    ifindexOf: new Map<string, number | undefined>([['eth1', 3], ['eth2', undefined], ['eth3', 9], ['eth4', 6]]),
    existing: new Map([['eth1', `3 ${MAC1}\n`], ['eth2', `4 ${MAC2}\n`], ['eth3', `5 ${MAC2}\n`], ['eth4', 'garbage']]),
  });
  assert.deepEqual(changes, { write: [], remove: ['eth2', 'eth3', 'eth4'] });
});
