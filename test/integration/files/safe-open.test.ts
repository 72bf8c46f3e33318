// No-follow, non-blocking opens at a FIFO (made with mkfifo(1), so not a unit test): reported as special, never waited on.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegularNoFollow } from '../../../src/files/safe-open.ts';

const dir = mkdtempSync(join(tmpdir(), 'safeopen-fifo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a FIFO without a writer is reported as special, without blocking', { timeout: 30_000 }, async () => {
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  assert.equal((await openRegularNoFollow(join(dir, 'fifo'))).kind, 'special');
});
