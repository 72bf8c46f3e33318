// Tests of the run lock: serialisation, stale takeover (dead pid, reused pid), deadline, release ownership.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, processStartTime } from '../../../src/files/lock.ts';
import { BusyError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';

const dir = mkdtempSync(join(tmpdir(), 'lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const soon = (ms: number) => Date.now() + ms;

test('the lock file names this process and its start time; release removes it', async () => {
  const path = join(dir, 'run/a.lock');
  const lock = await acquireLock(path, { deadline: soon(1000), log: silentLogger });
  const [pid, start] = readFileSync(path, 'utf8').split(' ');
  assert.equal(pid, String(process.pid));
  assert.equal(start, await processStartTime('self'));
  await lock.release();
  assert.equal(existsSync(path), false);
  assert.deepEqual(readdirSync(join(dir, 'run')), [], 'no temp or marker file left');
});

test('two acquirers in the same process serialise', async () => {
  const path = join(dir, 'b.lock');
  const events: string[] = [];
  const worker = async (name: string) => {
    const lock = await acquireLock(path, { deadline: soon(5000), pollMs: 10, log: silentLogger });
    events.push(`${name}+`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push(`${name}-`);
    await lock.release();
  };
  await Promise.all([worker('a'), worker('b'), worker('c')]);
  for (let i = 0; i < events.length; i += 2) assert.equal(events[i]?.[0], events[i + 1]?.[0], events.join(' '));
});

test('a stale lock of a pid that does not exist is taken over', async () => {
  const path = join(dir, 'c.lock');
  writeFileSync(path, '999999999 12345\n');
  const lock = await acquireLock(path, { deadline: soon(1000), log: silentLogger });
  assert.match(readFileSync(path, 'utf8'), new RegExp(`^${process.pid} `));
  await lock.release();
});

test('a lock of a reused pid (other start time) and an unparseable lock are taken over', async () => {
  const path = join(dir, 'd.lock');
  writeFileSync(path, `${process.pid} 1\n`);
  await (await acquireLock(path, { deadline: soon(1000), log: silentLogger })).release();
  writeFileSync(path, 'garbage');
  const lock = await acquireLock(path, { deadline: soon(1000), log: silentLogger });
  await lock.release();
});

test('a live owner makes it wait until the deadline, then BusyError names the pid', async () => {
  const path = join(dir, 'e.lock');
  writeFileSync(path, `1 ${await processStartTime(1)}\n`);
  const started = Date.now();
  await assert.rejects(acquireLock(path, { deadline: soon(300), pollMs: 50, log: silentLogger }), (error: unknown) => error instanceof BusyError && /pid 1\b/.test(error.message));
  const waited = Date.now() - started;
  assert.ok(waited >= 290 && waited < 1000, `waited ${waited} ms`);
  assert.match(readFileSync(path, 'utf8'), /^1 /, 'the live lock is untouched');
});

test('release leaves a lock that is no longer ours', async () => {
  const path = join(dir, 'f.lock');
  const lock = await acquireLock(path, { deadline: soon(1000), log: silentLogger });
  writeFileSync(path, '999999999 1 other\n');
  await lock.release();
  assert.equal(readFileSync(path, 'utf8'), '999999999 1 other\n');
});

test('many concurrent takers of one stale lock: exactly one holds it at a time', async () => {
  const path = join(dir, 'g.lock');
  writeFileSync(path, '999999999 12345\n');
  let holders = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      const lock = await acquireLock(path, { deadline: soon(5000), pollMs: 5, log: silentLogger });
      most = Math.max(most, ++holders);
      await new Promise((resolve) => setTimeout(resolve, 5));
      holders--;
      await lock.release();
    }),
  );
  assert.equal(most, 1);
});
