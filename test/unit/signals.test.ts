// SIGTERM/SIGINT once signals.ts is loaded: recorded (the first one wins), passed to the listener, never fatal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signals } from '../../src/signals.ts';
import type { StopSignal } from '../../src/signals.ts';

test('a signal is recorded, the first one kept, each passed to the listener; the process lives on', () => {
  assert.equal(signals.received, undefined);
  assert.ok(process.listenerCount('SIGTERM') >= 1 && process.listenerCount('SIGINT') >= 1, 'handlers installed on import');
  // Delivered for real, to this process: without the handler, SIGINT would end it.
  process.kill(process.pid, 'SIGINT');
  return new Promise<void>((resolve) => setTimeout(resolve, 50)).then(() => {
    assert.equal(signals.received, 'SIGINT');
    const heard: StopSignal[] = [];
    signals.listener = (signal) => heard.push(signal);
    process.emit('SIGTERM');
    assert.equal(signals.received, 'SIGINT', 'the first signal stays the one received');
    process.emit('SIGINT');
    assert.deepEqual(heard, ['SIGTERM', 'SIGINT']);
    signals.listener = undefined;
  });
});
