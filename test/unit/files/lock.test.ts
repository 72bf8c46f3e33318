// Tests of the run lock: serialisation, stale takeover (dead pid, reused pid), deadline, release ownership.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, processStartTime } from '../../../src/files/lock.ts';
import { BusyError, EnvironmentError } from '../../../src/errors.ts';
import { createLogger, silentLogger } from '../../../src/log.ts';

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

test('a dangling symlink or a directory at the lock path (a FIFO: test/integration/files/lock.test.ts): EnvironmentError at once, no spin, no hang, nothing touched', async () => {
  const cases: [string, (path: string) => void][] = [
    ['dangling symlink', (path) => symlinkSync(join(dir, 'nowhere'), path)],
    ['symlink to a file', (path) => { writeFileSync(`${path}.target`, 'secret-content 42\n'); symlinkSync(`${path}.target`, path); }],
    ['directory', (path) => mkdirSync(path)],
  ];
  for (const [name, make] of cases) {
    const path = join(dir, `h-${name.replace(/ /g, '-')}.lock`);
    make(path);
    const lines: string[] = [];
    const log = createLogger('debug', (line) => lines.push(line));
    const started = Date.now();
    const cpu = process.cpuUsage();
    await assert.rejects(acquireLock(path, { deadline: soon(3000), pollMs: 10, log }), (error: unknown) => error instanceof EnvironmentError, name);
    assert.ok(Date.now() - started < 500, `${name}: refused at once, not at the deadline`);
    assert.ok(process.cpuUsage(cpu).user < 400_000, `${name}: no spinning`);
    assert.ok(lstatSync(path), `${name}: still there`);
    assert.ok(!lines.join('').includes('secret-content'), 'no file content logged');
  }
  assert.equal(readFileSync(join(dir, 'h-symlink-to-a-file.lock.target'), 'utf8'), 'secret-content 42\n');
});

test('a symlinked run directory is refused: a takeover never reaches a lock file behind it', async () => {
  const real = join(dir, 'elsewhere');
  mkdirSync(real);
  writeFileSync(join(real, 'lock'), '999999999 12345\n');
  symlinkSync(real, join(dir, 'linkdir'));
  await assert.rejects(acquireLock(join(dir, 'linkdir/lock'), { deadline: soon(1000), log: silentLogger }), (error: unknown) => error instanceof EnvironmentError && /symbolic link/.test(error.message));
  assert.equal(readFileSync(join(real, 'lock'), 'utf8'), '999999999 12345\n', 'the file behind the symlink is untouched');
});

test('a stale lock logs no content when taken over', async () => {
  const path = join(dir, 'i.lock');
  writeFileSync(path, 'garbage-secret');
  const lines: string[] = [];
  const lock = await acquireLock(path, { deadline: soon(1000), log: createLogger('debug', (line) => lines.push(line)) });
  await lock.release();
  assert.ok(lines.some((line) => line.includes('stale lock')));
  assert.ok(!lines.join('').includes('garbage-secret'));
});
