// NEEDS ROOT (fails without): the run lock on a read-only or full run directory (tmpfs mounts), a lock owned by another user, a FIFO at its path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../../src/files/lock.ts';
import { EnvironmentError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import { assertRoot } from '../root.ts';

const dir = mkdtempSync(join(tmpdir(), 'lock-'));
before(() => assertRoot('mounting tmpfs and chown'));
after(() => rmSync(dir, { recursive: true, force: true }));
const soon = (ms: number) => Date.now() + ms;

test('a read-only or full run directory is an EnvironmentError', async () => {
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]);
  try {
    await assert.rejects(acquireLock(join(ro, 'lock'), { deadline: soon(1000), log: silentLogger }), (error: unknown) => error instanceof EnvironmentError && /EROFS/.test(error.message));
    await assert.rejects(acquireLock(join(ro, 'sub/lock'), { deadline: soon(1000), log: silentLogger }), (error: unknown) => error instanceof EnvironmentError);
  } finally {
    execFileSync('umount', [ro]);
  }
  const full = join(dir, 'full');
  mkdirSync(full);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k,nr_inodes=2', 'tmpfs', full]);
  try {
    writeFileSync(join(full, 'filler'), '');
    await assert.rejects(acquireLock(join(full, 'lock'), { deadline: soon(1000), log: silentLogger }), (error: unknown) => error instanceof EnvironmentError && /ENOSPC/.test(error.message));
  } finally {
    execFileSync('umount', [full]);
  }
});

test('a stale lock owned by another user is left alone', async () => {
  const path = join(dir, 'j.lock');
  writeFileSync(path, '999999999 12345\n');
  chownSync(path, 65534, 65534);
  await assert.rejects(acquireLock(path, { deadline: soon(1000), log: silentLogger }), (error: unknown) => error instanceof EnvironmentError && /belongs to uid 65534/.test(error.message));
  assert.equal(readFileSync(path, 'utf8'), '999999999 12345\n');
});

// Waiting for the deadline would end in a BusyError, not an EnvironmentError; the timeout turns a hang into a failure.
test('a FIFO at the lock path: EnvironmentError, no hang, the FIFO left in place', { timeout: 30_000 }, async () => {
  const path = join(dir, 'fifo.lock');
  execFileSync('mkfifo', [path]);
  await assert.rejects(acquireLock(path, { deadline: soon(60_000), pollMs: 10, log: silentLogger }), (error: unknown) => error instanceof EnvironmentError);
  assert.ok(lstatSync(path).isFIFO(), 'still there');
});
