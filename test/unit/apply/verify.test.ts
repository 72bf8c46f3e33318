// The verify step: the state file keeps what exists, a change is verified by a second diff, nothing changed means no re-read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepPresent, readTouched, verify, verifyProblems } from '../../../src/apply/verify.ts';
import type { VerifyDeps } from '../../../src/apply/verify.ts';
import type { Family, LiveState, Operation, RecordedAddress } from '../../../src/model.ts';
import { NOTHING } from '../../../src/pipeline/plan.ts';
import { iface, liveState } from '../fixtures.ts';

const numbering = { tableBase: 1000, priorityBase: 20000 };
const at = (address: string, ifname = 'eth1'): RecordedAddress => ({ ifname, mac: '00:16:3e:00:00:02', family: 4, address, prefixLength: 32 });

function deps(live: LiveState) {
  const writes: RecordedAddress[][] = [];
  let reads = 0;
  const d: VerifyDeps = {
    kernel: {
      readLive: async () => {
        reads += 1;
        return live;
      },
    },
    state: {
      write: async (addresses) => {
        writes.push(addresses);
      },
    },
  };
  return { d, writes, reads: () => reads };
}

test('keepPresent keeps the recorded addresses that exist with their prefix, each once', () => {
  const live = liveState({ interfaces: [iface('eth1', 3, '00:16:3e:00:00:02', ['10.0.0.30/24', '10.0.0.31/32'])] });
  assert.deepEqual(keepPresent([at('10.0.0.31'), at('10.0.0.31'), at('10.0.0.30'), at('10.0.0.31', 'eth2')], live), [at('10.0.0.31')]);
});

test('after a change: the live state is read again, the state file written, and what is still ours is still needed', async () => {
  const live = liveState({ interfaces: [iface('eth1', 3, '00:16:3e:00:00:02', ['10.0.0.30/24', '10.0.0.31/32'])] });
  live.rules.push({ family: 4, priority: 20001, from: '10.0.0.31/32', table: 1001, protocol: '203' });
  const { d, writes, reads } = deps(live);
  const verified = await verify({ desired: NOTHING, recorded: [at('10.0.0.31'), at('10.0.0.99')], numbering, allowRemovals: true, stored: { addresses: [] } }, d);
  assert.equal(reads(), 1);
  assert.deepEqual(writes, [[at('10.0.0.31')]]);
  assert.deepEqual(verified.remaining.map((operation) => `${operation.action} ${operation.object.kind}`).sort(), ['delete address', 'delete rule']);
  assert.deepEqual(
    verifyProblems(verified.remaining, 'remove').map((problem) => problem.message).sort(),
    ['still present after remove: ip -4 address del 10.0.0.31/32 dev eth1', 'still present after remove: ip -4 rule del pref 20001 from 10.0.0.31/32 table 1001 protocol 203'],
  );
});

test('nothing changed: no re-read, nothing verified; the state file is written only when stale or corrupt', async () => {
  const live = liveState({ interfaces: [iface('eth1', 3, '00:16:3e:00:00:02', ['10.0.0.31/32'])] });
  const base = { desired: NOTHING, recorded: [at('10.0.0.31')], numbering, allowRemovals: true, unchanged: live };
  const fresh = deps(live);
  assert.deepEqual((await verify({ ...base, stored: { addresses: [at('10.0.0.31')] } }, fresh.d)).remaining, []);
  assert.deepEqual([fresh.reads(), fresh.writes.length], [0, 0]);
  const stale = deps(live);
  await verify({ ...base, stored: { addresses: [at('10.0.0.31'), at('10.0.0.40')] } }, stale.d);
  assert.deepEqual(stale.writes, [[at('10.0.0.31')]]);
  const corrupt = deps(live);
  await verify({ ...base, stored: { addresses: [at('10.0.0.31')], problem: 'not valid JSON' } }, corrupt.d);
  assert.equal(corrupt.writes.length, 1);
});

test('an apply verify problem names the command still needed and its ENI', () => {
  const operation: Operation = { action: 'add', object: { kind: 'link-up', ifname: 'eth2' }, mac: '00:16:3e:00:00:03', reason: 'down' };
  assert.deepEqual(verifyProblems([operation], 'apply'), [{ code: 'verify', message: 'after applying, still needed: ip -4 link set dev eth2 up', mac: '00:16:3e:00:00:03' }]);
});

test('readTouched: only the touched family is read; the other comes from the state the plan was made from, IPv4 first', async () => {
  const v6 = { family: 6 as const, address: '2001:db8::5', prefixLength: 128 };
  const before: LiveState = {
    interfaces: [{ name: 'eth1', index: 3, mac: '00:16:3e:00:00:02', up: true, addresses: [{ family: 4, address: '10.0.0.30', prefixLength: 24 }, v6] }],
    routes: [{ family: 6, table: 1001, dst: 'default', gateway: 'fe80::1', dev: 'eth1', protocol: '203' }],
    rules: [{ family: 6, priority: 20001, from: '2001:db8::5/128', table: 1001 }],
  };
  const asked: (readonly Family[] | undefined)[] = [];
  const fresh: LiveState = {
    interfaces: [{ name: 'eth1', index: 3, mac: '00:16:3e:00:00:02', up: true, addresses: [{ family: 4, address: '10.0.0.31', prefixLength: 32 }] }],
    routes: [{ family: 4, table: 1001, dst: 'default', gateway: '10.0.0.253', dev: 'eth1', protocol: '203' }],
    rules: [],
  };
  const d = {
    kernel: {
      readLive: async (families?: readonly Family[]) => {
        asked.push(families);
        return fresh;
      },
    },
    state: { write: async () => {} },
  };
  const merged = await readTouched({ families: [4], before }, d);
  assert.deepEqual(asked, [[4]]);
  assert.deepEqual(merged.interfaces[0]?.addresses, [{ family: 4, address: '10.0.0.31', prefixLength: 32 }, v6], 'fresh IPv4, IPv6 from before');
  assert.deepEqual(merged.routes.map((route) => route.family), [4, 6]);
  assert.deepEqual(merged.rules, before.rules);
  await readTouched({ families: [4, 6], before }, d);
  await readTouched(undefined, d);
  assert.deepEqual(asked.slice(1), [undefined, undefined], 'both families touched, or a persist change: a full read');
});
