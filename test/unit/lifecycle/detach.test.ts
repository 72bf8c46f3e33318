// The detach run: the MAC of the gone interface, and waiting (bounded) for the metadata to drop it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detachedMac, readUntilDropped } from '../../../src/lifecycle/detach.ts';
import { MetadataUnreachableError } from '../../../src/errors.ts';
import type { MetadataResult } from '../../../src/model.ts';
import { MAC0, MAC1, MAC2, metadata } from '../fixtures.ts';

test('the MAC comes from this boot\'s record; no record, no MAC', () => {
  assert.equal(detachedMac(`4 ${MAC2}\n`), MAC2);
  assert.equal(detachedMac(null), undefined);
  assert.equal(detachedMac('garbage'), undefined);
});

/** A clock that only moves when the waiter sleeps, and a metadata service answering from a script. */
function scripted(answers: (() => MetadataResult)[]) {
  let now = 0;
  const sleeps: number[] = [];
  let reads = 0;
  return {
    sleeps,
    reads: () => reads,
    deps: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      read: async () => {
        const answer = answers[Math.min(reads, answers.length - 1)] as () => MetadataResult;
        reads += 1;
        return answer();
      },
    },
  };
}

const listed = () => metadata({ requests: 4 });
const dropped = () => metadata({ requests: 3, enis: metadata().enis.filter((eni) => eni.mac !== MAC2) });
const incomplete = () => metadata({ requests: 2, complete: false, enis: metadata().enis.filter((eni) => eni.mac !== MAC2) });

test('returns the first complete read that no longer lists the MAC, with every read\'s requests counted', async () => {
  const world = scripted([listed, listed, dropped]);
  const result = await readUntilDropped({ mac: MAC2, ...world.deps, until: 60_000, pollMs: 2000 });
  assert.equal(result.complete, true);
  assert.ok(!result.enis.some((eni) => eni.mac === MAC2));
  assert.equal(result.requests, 4 + 4 + 3);
  assert.deepEqual(world.sleeps, [2000, 2000]);
});

test('an incomplete read that does not list the MAC is no proof: it keeps waiting', async () => {
  const world = scripted([incomplete, incomplete, dropped]);
  const result = await readUntilDropped({ mac: MAC2, ...world.deps, until: 60_000, pollMs: 1000 });
  assert.equal(result.complete, true);
  assert.equal(world.reads(), 3);
});

test('at the deadline it returns the last read as it is: the run then removes nothing of that ENI', async () => {
  const world = scripted([listed]);
  const result = await readUntilDropped({ mac: MAC2, ...world.deps, until: 7000, pollMs: 2000 });
  assert.ok(result.enis.some((eni) => eni.mac === MAC2));
  assert.equal(world.reads(), 4); // at 0, 2000, 4000, 6000; the next poll would pass 7000
  const again = scripted([incomplete]);
  assert.equal((await readUntilDropped({ mac: MAC2, ...again.deps, until: 0, pollMs: 2000 })).complete, false);
});

test('a MAC the metadata lists as failed is still listed', async () => {
  const failedOnly = () => metadata({ complete: false, enis: metadata().enis.filter((eni) => eni.mac !== MAC1), failed: [{ mac: MAC1, problems: [] }] });
  const world = scripted([failedOnly]);
  const result = await readUntilDropped({ mac: MAC1, ...world.deps, until: 3000, pollMs: 2000 });
  assert.equal(world.reads(), 2);
  assert.equal(result.complete, false);
  assert.ok(result.enis.some((eni) => eni.mac === MAC0));
});

test('an outage ends the wait with its error (the run then reports it and changes nothing)', async () => {
  let reads = 0;
  await assert.rejects(
    readUntilDropped({
      mac: MAC2,
      read: async () => {
        reads += 1;
        if (reads > 1) throw new MetadataUnreachableError('connect timeout');
        return listed();
      },
      now: () => 0,
      sleep: async () => {},
      until: 60_000,
    }),
    MetadataUnreachableError,
  );
  assert.equal(reads, 2);
});
