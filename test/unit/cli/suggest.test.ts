// The "did you mean" helper: edit distance and the choice of the closest known word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, didYouMean, editDistance } from '../../../src/cli/suggest.ts';

test('edit distance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('deadline', 'deadline'), 0);
  assert.equal(editDistance('dedline', 'deadline'), 1);
  assert.equal(editDistance('jsno', 'json'), 1, 'a swap of neighbours is one edit');
});

test('closest: a unique prefix, else the nearest within a third of the length', () => {
  const flags = ['persist', 'primary-rules', 'priority-base', 'deadline', 'json'];
  assert.equal(closest('pers', flags), 'persist');
  assert.equal(closest('pri', flags), undefined, 'two flags start with pri and none is near');
  assert.equal(closest('priority_base', flags), 'priority-base');
  assert.equal(closest('jsno', flags), 'json');
  assert.equal(closest('xyz', flags), undefined);
  assert.equal(closest('', flags), undefined);
  assert.equal(didYouMean('dedline', flags, '--'), '; did you mean --deadline?');
  assert.equal(didYouMean('zzzzzz', flags), '');
});
