// The state file at a FIFO (made with mkfifo(1), so not a unit test): a read never waits for a writer, a write replaces it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readState, writeState } from '../../../src/files/state.ts';
import type { RecordedAddress } from '../../../src/model.ts';

const dir = mkdtempSync(join(tmpdir(), 'state-fifo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const A: RecordedAddress = { ifname: 'eth1', mac: '02:00:00:00:01:01', family: 4, address: '10.0.1.6', prefixLength: 32 };

// A blocking open would wait for a writer that never comes: the timeout turns that hang into a failure.
test('a FIFO at the path is never read, never blocks: a clear problem, empty state', { timeout: 30_000 }, async () => {
  const fifo = join(dir, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  const piped = await readState(fifo);
  assert.deepEqual(piped.state.addresses, []);
  assert.match(piped.problem ?? '', /a FIFO, not a regular file/);
});

test('writing replaces a FIFO at the path with the state file', async () => {
  const fifo = join(dir, 'write-fifo.json');
  execFileSync('mkfifo', [fifo]);
  await writeState(fifo, { version: 1, addresses: [A] });
  assert.deepEqual((await readState(fifo)).state.addresses, [A]);
});
