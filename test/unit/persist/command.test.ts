// The persistence step's view of the runner's result: what counts as a failure, and the one line that says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProgramResult } from '../../../src/exec/run-program.ts';
import { describeFailure, toCommandResult } from '../../../src/persist/command.ts';

const result = (over: Partial<ProgramResult>): ProgramResult => ({
  command: ['nmcli', 'connection', 'load', '/x'],
  exitCode: 0,
  signal: null,
  stdout: 'out',
  stderr: '',
  timedOut: false,
  timeoutMs: 20_000,
  outputTruncated: false,
  ...over,
});

test('exit 0 is ok; another exit code is not, without a failure of its own', () => {
  assert.deepEqual(toCommandResult(result({})), { ok: true, code: 0, stdout: 'out', stderr: '' });
  assert.deepEqual(toCommandResult(result({ exitCode: 10, stderr: 'Error: x\n' })), { ok: false, code: 10, stdout: 'out', stderr: 'Error: x\n' });
});

test('not installed, timed out, too much output: failures, whatever the exit code', () => {
  const enoent = Object.assign(new Error('spawn nmcli ENOENT'), { code: 'ENOENT' });
  assert.equal(toCommandResult(result({ exitCode: null, startError: enoent })).failure, 'nmcli is not installed');
  assert.equal(toCommandResult(result({ exitCode: null, signal: 'SIGKILL', timedOut: true })).failure, 'timed out after 20 s');
  assert.equal(toCommandResult(result({ exitCode: null, signal: 'SIGKILL', outputTruncated: true })).failure, 'too much output');
  assert.equal(toCommandResult(result({ exitCode: 0, outputTruncated: true })).ok, true, 'stderr cut short: the exit code still decides');
  for (const over of [{ startError: enoent }, { timedOut: true, signal: 'SIGKILL' as const }]) assert.equal(toCommandResult(result({ exitCode: null, ...over })).ok, false);
});

test("describeFailure: the failure, else stderr's last line, else the exit code", () => {
  const argv = ['networkctl', 'reload'];
  assert.equal(describeFailure(argv, { ok: false, code: null, stdout: '', stderr: 'x', failure: 'timed out after 5 s' }), 'networkctl reload: timed out after 5 s');
  assert.equal(describeFailure(argv, { ok: false, code: 1, stdout: '', stderr: 'first\nFailed to reload: denied\n' }), 'networkctl reload: Failed to reload: denied');
  assert.equal(describeFailure(argv, { ok: false, code: 4, stdout: '', stderr: '  \n' }), 'networkctl reload: exit code 4');
});
