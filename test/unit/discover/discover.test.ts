// Discovery: waits within the deadline until interfaces and metadata agree; a hot-plug selection that matches nothing is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discover } from '../../../src/discover/discover.ts';
import type { DiscoverDeps } from '../../../src/discover/discover.ts';
import type { LiveInterface, MetadataResult } from '../../../src/model.ts';
import { silentLogger } from '../../../src/log.ts';
import { MAC0, MAC1, MAC2, eni, iface, liveState, metadata } from '../fixtures.ts';

const MAC3 = '00:16:3e:00:00:04';

/** A world whose clock moves only by sleeping; `appear` adds interfaces (and `listed` ENIs) at a time. */
function world(options: { appearAt?: number; appear?: LiveInterface[]; listedAt?: number; meta?: MetadataResult } = {}) {
  let clock = 0;
  const counts = { list: 0, metadata: 0, live: 0 };
  const base = liveState();
  const interfaces = () => [...base.interfaces, ...(options.appearAt !== undefined && clock >= options.appearAt ? (options.appear ?? []) : [])];
  const d: DiscoverDeps = {
    log: silentLogger,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    stopRequested: () => false,
    readMetadata: async () => {
      counts.metadata += 1;
      const listed = options.listedAt !== undefined && clock >= options.listedAt;
      const meta = options.meta ?? metadata();
      return listed ? { ...meta, enis: [...meta.enis, eni(MAC3, 'eni-3', ['10.0.0.50'], '10.0.0.0/24', '10.0.0.253')] } : meta;
    },
    kernel: {
      readLive: async () => {
        counts.live += 1;
        return { ...base, interfaces: interfaces() };
      },
      listInterfaces: async () => {
        counts.list += 1;
        return interfaces();
      },
    },
  };
  return { d, counts, clock: () => clock };
}

const all = { onlyInterface: '', exclude: [] };

test('every ENI has its interface: one read of the live state, no waiting', async () => {
  const w = world();
  const found = await discover(metadata(), all, w.d, 30_000);
  assert.deepEqual([w.counts.live, w.counts.list, w.clock()], [1, 0, 0]);
  assert.deepEqual(found.live.interfaces.map((entry) => entry.mac), ['', MAC0, MAC1, MAC2]);
  assert.equal(found.problem, undefined);
});

test('an ENI listed before its interface appears is waited for, then the live state is read again', async () => {
  const meta = metadata({ enis: [...metadata().enis, eni(MAC3, 'eni-3', ['10.0.0.50'], '10.0.0.0/24', '10.0.0.253')] });
  const w = world({ appearAt: 1000, appear: [iface('eth3', 5, MAC3)] });
  const found = await discover(meta, all, w.d, 30_000);
  assert.ok(found.live.interfaces.some((entry) => entry.mac === MAC3));
  assert.equal(w.clock(), 1000);
  assert.equal(w.counts.live, 2);
});

test('an excluded ENI is not waited for; a missing one only until the reserve of the deadline', async () => {
  const meta = metadata({ enis: [...metadata().enis, eni(MAC3, 'eni-3', ['10.0.0.50'], '10.0.0.0/24', '10.0.0.253')] });
  const excluded = world();
  await discover(meta, { onlyInterface: '', exclude: [MAC3] }, excluded.d, 30_000);
  assert.equal(excluded.clock(), 0);
  const missing = world();
  await discover(meta, all, missing.d, 8000);
  assert.ok(missing.clock() <= 6000 && missing.clock() >= 5500, `waited ${missing.clock()} ms of 8000 (a quarter kept)`);
});

test('hot-plug: an interface whose ENI the metadata lists only later is waited for, re-reading the metadata', async () => {
  const w = world({ appearAt: 0, appear: [iface('eth3', 5, MAC3)], listedAt: 2000 });
  const found = await discover(await w.d.readMetadata(0), { onlyInterface: 'eth3', exclude: [] }, w.d, 30_000);
  assert.equal(found.problem, undefined);
  assert.ok(found.metadata.enis.some((entry) => entry.mac === MAC3));
  assert.equal(w.clock(), 2000);
});

test('hot-plug: no such interface, or a MAC the metadata never lists, is a named problem', async () => {
  const none = await discover(metadata(), { onlyInterface: 'eth9', exclude: [] }, world().d, 2000);
  assert.deepEqual(none.problem, { code: 'no-such-interface', message: '--only-interface eth9: no local interface has this name or MAC' });
  const w = world({ appearAt: 0, appear: [iface('eth3', 5, MAC3)] });
  const unlisted = await discover(metadata(), { onlyInterface: 'eth3', exclude: [] }, w.d, 2000);
  assert.deepEqual(unlisted.problem, { code: 'not-in-metadata', message: `--only-interface eth3: metadata does not list MAC ${MAC3}`, mac: MAC3 });
});
