// Environment checks before any change: config file types (the report path and a full run directory: test/integration/preflight.test.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigSync } from '../../src/preflight.ts';
import { EnvironmentError } from '../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the config file: absent is null, a regular file is read, a directory is an EnvironmentError (a FIFO: test/integration/preflight.test.ts)', () => {
  assert.equal(readConfigSync(join(dir, 'absent.conf')), null);
  writeFileSync(join(dir, 'ok.conf'), 'deadline = 5\n');
  assert.equal(readConfigSync(join(dir, 'ok.conf')), 'deadline = 5\n');
  mkdirSync(join(dir, 'dir.conf'));
  assert.throws(() => readConfigSync(join(dir, 'dir.conf')), EnvironmentError);
});
