// The runner's pure parts: the timeout a deadline leaves, and the few words that say why a run was not a clean exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveTimeout, failureOf, runProgram } from '../../../src/exec/run-program.ts';
import type { ProgramResult } from '../../../src/exec/run-program.ts';

const result = (over: Partial<ProgramResult>): ProgramResult => ({
  command: ['ip', '-batch', '-'],
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  timedOut: false,
  timeoutMs: 1000,
  outputTruncated: false,
  ...over,
});

test('the timeout is the shorter of its own and what the deadline leaves, never under 1 ms', () => {
  assert.equal(effectiveTimeout({ timeoutMs: 30_000 }), 30_000);
  assert.equal(effectiveTimeout({ timeoutMs: 30_000, timeLeft: () => 2500 }), 2500);
  assert.equal(effectiveTimeout({ timeoutMs: 2000, timeLeft: () => 9000 }), 2000);
  assert.equal(effectiveTimeout({ timeoutMs: 30_000, timeLeft: () => -50 }), 1);
});

test('failureOf: start errors, timeouts, caps and signals before exit codes; empty for a clean exit', () => {
  assert.equal(failureOf(result({})), '');
  assert.equal(failureOf(result({ exitCode: 2 })), 'exit code 2');
  assert.equal(failureOf(result({ exitCode: null, startError: Object.assign(new Error('spawn ip ENOENT'), { code: 'ENOENT' }) })), 'ip is not installed');
  assert.equal(failureOf(result({ exitCode: null, startError: Object.assign(new Error('spawn ip EACCES'), { code: 'EACCES' }) })), 'spawn ip EACCES');
  assert.equal(failureOf(result({ exitCode: null, signal: 'SIGKILL', timedOut: true })), 'timed out after 1000 ms');
  assert.equal(failureOf(result({ exitCode: null, signal: 'SIGKILL', outputTruncated: true })), 'too much output');
  assert.equal(failureOf(result({ exitCode: null, signal: 'SIGTERM' })), 'killed by SIGTERM');
});

test('an empty command is a start error, not a spawn', async () => {
  const empty = await runProgram([], { timeoutMs: 1000 });
  assert.equal(empty.startError?.message, 'empty command');
  assert.equal(empty.exitCode, null);
});
