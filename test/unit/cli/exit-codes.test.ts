// Every exit code of EXIT (src/errors.ts) has exactly one description in the user-facing table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../../../src/errors.ts';
import { EXIT_MEANINGS, exitDocs } from '../../../src/cli/exit-codes.ts';

test('every key of EXIT has exactly one description, and nothing else has one', () => {
  assert.deepEqual(Object.keys(EXIT_MEANINGS).sort(), Object.keys(EXIT).sort());
  for (const [name, meaning] of Object.entries(EXIT_MEANINGS)) assert.ok(meaning.trim().length > 10, `${name} has no real description`);
  const codes = exitDocs().map((doc) => doc.code);
  assert.deepEqual(codes, [...new Set(Object.values(EXIT))].sort((a, b) => a - b), 'one entry per code, in order');
});

test('the codes agreed for this wave: 11 READ_FAILED and 12 NOT_ON_CLOUD', () => {
  const byName = new Map(exitDocs().map((doc) => [doc.name, doc]));
  assert.equal(byName.get('READ_FAILED')?.code, 11);
  assert.equal(byName.get('NOT_ON_CLOUD')?.code, 12);
});
