// The no-spawn guard (no-spawn.ts) is loaded for every unit test: each way of starting a process throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as cp from 'node:child_process';
test('every child_process way of starting a program throws, named or through the module', () => {
  assert.throws(() => execFileSync('true'), /must not spawn/);
  assert.throws(() => spawn('true'), /must not spawn/);
  assert.throws(() => cp.exec('true'), /must not spawn/);
  assert.throws(() => cp.fork('x.js'), /must not spawn/);
  assert.throws(() => cp.spawnSync('true'), /must not spawn/);
  assert.throws(() => cp.execSync('true'), /must not spawn/);
  assert.throws(() => cp.execFile('true'), /must not spawn/);
});
