// The capture document's form: what captureProblems accepts and what it names when a field is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPTURE_FORMAT, captureProblems } from '../../../src/metadata/capture-format.ts';

const good = { format: CAPTURE_FORMAT, version: 1, source: 'hand-written from the Alibaba Cloud docs', responses: { 'meta-data/mac': '00:16:3e:00:00:01' }, statuses: { 'meta-data/x': 404 } };

test('a well-formed capture has no problems; statuses may be left out', () => {
  assert.deepEqual(captureProblems(good), []);
  const { statuses: _statuses, ...noStatuses } = good;
  assert.deepEqual(captureProblems(noStatuses), []);
});

test('each wrong field is named', () => {
  for (const doc of [null, [], 'text', 3]) assert.deepEqual(captureProblems(doc), ['a capture is a JSON object'], JSON.stringify(doc));
  assert.deepEqual(captureProblems({ ...good, format: 'other' }), [`format: expected "${CAPTURE_FORMAT}"`]);
  assert.deepEqual(captureProblems({ ...good, source: '' }), ['source: a line naming where it came from']);
  assert.deepEqual(captureProblems({ ...good, responses: { a: 1 } }), ['responses: expected an object of path -> body']);
  assert.deepEqual(captureProblems({ ...good, responses: undefined }), ['responses: expected an object of path -> body']);
  assert.deepEqual(captureProblems({ ...good, statuses: { a: 'x' } }), ['statuses: expected an object of path -> status']);
  assert.deepEqual(captureProblems({ ...good, statuses: { a: 4.5 } }), ['statuses: expected an object of path -> status']);
  assert.equal(captureProblems({}).length, 3);
});
