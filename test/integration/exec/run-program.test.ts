// SPAWNS tiny programs (sh, cat, sleep) through the one runner: exit codes, both streams, stdin, caps, timeouts, missing programs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram } from '../../../src/exec/run-program.ts';

const sh = (script: string) => ['sh', '-c', script];

test('exit code, stdout and stderr, and LC_ALL=C in the environment', async () => {
  const ran = await runProgram(sh('echo out; echo err >&2; echo "$LC_ALL"; exit 3'), { timeoutMs: 10_000 });
  assert.equal(ran.exitCode, 3);
  assert.equal(ran.signal, null);
  assert.equal(ran.stdout, 'out\nC\n');
  assert.equal(ran.stderr, 'err\n');
  assert.deepEqual([ran.timedOut, ran.outputTruncated, ran.startError], [false, false, undefined]);
  assert.deepEqual(ran.command, sh('echo out; echo err >&2; echo "$LC_ALL"; exit 3'));
});

test('stdin: text through a pipe, or an open descriptor read where it stands; none by default', async () => {
  assert.equal((await runProgram(['cat'], { timeoutMs: 10_000, input: 'a\nb\n' })).stdout, 'a\nb\n');
  const dir = mkdtempSync(join(tmpdir(), 'runner-'));
  try {
    writeFileSync(join(dir, 'batch'), 'from a file\n');
    const fd = openSync(join(dir, 'batch'), 'r');
    try {
      assert.equal((await runProgram(['cat'], { timeoutMs: 10_000, input: fd })).stdout, 'from a file\n');
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal((await runProgram(['cat'], { timeoutMs: 10_000 })).stdout, '', 'no stdin: cat sees end of file at once');
});

test('a timeout kills it; the deadline shortens the timeout', async () => {
  let started = Date.now();
  const slow = await runProgram(['sleep', '30'], { timeoutMs: 200 });
  assert.ok(Date.now() - started < 5000);
  assert.deepEqual([slow.timedOut, slow.signal, slow.exitCode, slow.timeoutMs], [true, 'SIGKILL', null, 200]);
  started = Date.now();
  const bounded = await runProgram(['sleep', '30'], { timeoutMs: 30_000, timeLeft: () => 200 });
  assert.ok(Date.now() - started < 5000);
  assert.deepEqual([bounded.timedOut, bounded.timeoutMs], [true, 200]);
});

test('stdout over its cap kills the program; stderr over its cap is cut and the program goes on', async () => {
  const flood = await runProgram(['yes', 'stdout'], { timeoutMs: 10_000, maxStdout: 64 << 10 });
  assert.deepEqual([flood.outputTruncated, flood.signal, flood.timedOut], [true, 'SIGKILL', false]);
  assert.ok(flood.stdout.length <= 64 << 10);
  const noisy = await runProgram(sh('head -c 200000 /dev/zero | tr "\\0" x >&2; echo done'), { timeoutMs: 10_000, maxStderr: 1000 });
  assert.deepEqual([noisy.outputTruncated, noisy.exitCode, noisy.stdout], [true, 0, 'done\n']);
  assert.equal(noisy.stderr.length, 1000);
});

test('a process it left behind holding the pipes does not hold the run past its timeout', async () => {
  const started = Date.now();
  const ran = await runProgram(sh('sleep 3 & echo started'), { timeoutMs: 500 });
  assert.ok(Date.now() - started < 2500, `returned after ${Date.now() - started} ms`);
  assert.equal(ran.stdout, 'started\n');
  assert.equal(ran.timedOut, true);
});

test('a missing program is a start error in the result, never a throw', async () => {
  const missing = await runProgram(['/nonexistent/eni-init-no-such-program'], { timeoutMs: 10_000 });
  assert.equal(missing.startError?.code, 'ENOENT');
  assert.equal(missing.exitCode, null);
});

test('the program stays in our process group (not detached): a signal to the group reaches it', async () => {
  // /proc/<pid>/stat: field 5 is the process group (proc(5)); `sh` and `node` have no space in their names.
  const ran = await runProgram(sh('cut -d" " -f5 /proc/$$/stat'), { timeoutMs: 10_000 });
  assert.equal(ran.stdout.trim(), readFileSync('/proc/self/stat', 'utf8').split(' ')[4]);
});
