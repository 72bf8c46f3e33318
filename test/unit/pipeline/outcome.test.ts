// The outcome table: every outcome has one exit code, error outcomes agree with errors.ts, and the two ways a run ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OUTCOME_EXIT, exitCodeOf, fail, finish } from '../../../src/pipeline/outcome.ts';
import { EXIT, EniInitError, ReadError, UsageError, exitCodeFor } from '../../../src/errors.ts';
import type { ErrorCode } from '../../../src/errors.ts';
import { emptyReport } from '../../../src/report/report.ts';
import { silentLogger } from '../../../src/log.ts';

test('successful outcomes and their exit codes; plan with problems is partial', () => {
  assert.equal(exitCodeOf('converged', 0), EXIT.OK);
  assert.equal(exitCodeOf('no-change', 0), EXIT.OK);
  assert.equal(exitCodeOf('partial', 2), EXIT.PARTIAL);
  assert.equal(exitCodeOf('planned', 0), EXIT.OK);
  assert.equal(exitCodeOf('planned', 1), EXIT.PARTIAL);
  assert.equal(exitCodeOf('in-sync', 0), EXIT.OK);
  assert.equal(exitCodeOf('drift', 0), EXIT.PARTIAL);
  assert.equal(exitCodeOf('removed', 0), EXIT.OK);
  assert.equal(exitCodeOf('apply-failed', 3), EXIT.APPLY_FAILED);
});

test("an error outcome's exit code is its error's: the table and errors.ts never disagree", () => {
  const codes: Exclude<ErrorCode, 'usage'>[] = ['metadata-unreachable', 'bad-metadata', 'apply-failed', 'busy', 'interrupted', 'environment', 'permission', 'read-failed', 'not-on-cloud', 'internal'];
  for (const code of codes) assert.equal(OUTCOME_EXIT[code].exit, exitCodeFor(new EniInitError(code, 'x')), code);
  assert.equal(OUTCOME_EXIT['read-failed'].exit, 11);
  assert.equal(OUTCOME_EXIT['not-on-cloud'].exit, 12);
});

test('finish sets outcome, exit code and duration from the table', () => {
  const report = emptyReport('plan', 't', 0);
  report.problems.push({ code: 'missing-interface', message: 'x' });
  finish(report, 'planned', 42);
  assert.deepEqual([report.outcome, report.exitCode, report.durationMs], ['planned', EXIT.PARTIAL, 42]);
});

test('fail reports the typed error with its details; a usage error keeps exit 2; anything else is internal (1)', () => {
  const read = fail(emptyReport('status', 't', 0), new ReadError('cannot read the network state', { details: { command: 'ip -json' } }), 5, silentLogger);
  assert.deepEqual([read.outcome, read.exitCode, read.error], ['read-failed', 11, { code: 'read-failed', message: 'cannot read the network state', details: { command: 'ip -json' } }]);
  const usage = fail(emptyReport('apply', 't', 0), new UsageError('bad path'), 5, silentLogger);
  assert.deepEqual([usage.outcome, usage.exitCode], ['internal', EXIT.USAGE]);
  const bug = fail(emptyReport('apply', 't', 0), new TypeError('x is undefined'), 5, silentLogger);
  assert.deepEqual([bug.outcome, bug.exitCode, bug.error], ['internal', EXIT.INTERNAL, { code: 'internal', message: 'x is undefined' }]);
});
