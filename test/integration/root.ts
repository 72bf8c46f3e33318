// Integration tests that need root (network namespaces, mount, chown) fail loudly without it: CI runs them as root.
import assert from 'node:assert/strict';

/** Throws unless the process is root: never a silent skip (a test that never runs proves nothing). */
export function assertRoot(what: string): void {
  assert.equal(process.getuid?.(), 0, `${what} needs root: run the integration tests as root (CI does)`);
}
