// The ip runner's pure gate: only tagged lines of the grammar eni-init runs reach `ip -batch` (running it: test/integration/kernel/ip.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLines } from '../../../src/kernel/ip.ts';
import { EniInitError } from '../../../src/errors.ts';
import { ACCEPTED_LINES as accepted, REFUSED_LINES as refused } from './fixtures/batch-lines.ts';

test('the commands eni-init runs, tagged, pass', () => {
  assert.doesNotThrow(() => checkLines(accepted));
  assert.doesNotThrow(() => checkLines([]));
});

test('untagged routes and rules, other commands, stray spaces and characters ip -batch interprets are refused, naming the line', () => {
  for (const line of refused) {
    assert.throws(
      () => checkLines([accepted[0] as string, line]),
      (error: unknown) => error instanceof EniInitError && error.code === 'internal' && /refusing ip batch line 2/.test(error.message),
      JSON.stringify(line),
    );
  }
});
