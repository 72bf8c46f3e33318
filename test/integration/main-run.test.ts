// The run path of the executable (main-run.ts), on commands that change nothing: `metadata` prints its capture with
// the exit code of the read, and SIGTERM during the read ends it with exit 8. Needs no root and no namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { EXIT } from '../../src/errors.ts';
import { BINARY } from './helpers.ts';

const skip = existsSync(BINARY) ? false : 'dist/eni-init is missing: run `npm run build` first';

/** Runs the executable; `onStart` may signal it. Resolves with its exit code (a signal's name if it died of one) and output. */
function eniInit(args: string[], onStart?: (pid: number) => void) {
  return new Promise<{ code: number | string | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(BINARY, args, { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? signal, stdout, stderr }));
    if (child.pid !== undefined) onStart?.(child.pid);
  });
}

/** A TCP server that accepts and never answers: a metadata service that hangs. */
async function silentServer() {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let accepted = (): void => {};
  const firstRequest = new Promise<void>((resolve) => (accepted = resolve));
  server.on('connection', () => accepted());
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    firstRequest,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

test('metadata from a service that refuses connections: the capture with the error, exit 4', { skip }, async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const result = await eniInit(['metadata', '--metadata-url', url, '--deadline', '1', '--log-level', 'error']);
  assert.equal(result.code, EXIT.METADATA_UNREACHABLE, result.stderr);
  const capture = JSON.parse(result.stdout) as { format: string; url: string; responses: object; result: { error: string } };
  assert.equal(capture.format, 'eni-init-metadata-capture');
  assert.equal(capture.url, url);
  assert.deepEqual(capture.responses, {});
  assert.match(capture.result.error, /not reachable before the deadline/);
});

test('SIGTERM while metadata hangs: exit 8, nothing printed on stdout', { skip }, async () => {
  const server = await silentServer();
  try {
    let signalledAt = 0;
    const result = await eniInit(['metadata', '--metadata-url', server.url, '--deadline', '120', '--log-level', 'error'], (pid) => {
      void server.firstRequest.then(() => {
        signalledAt = Date.now();
        process.kill(pid, 'SIGTERM');
      });
    });
    assert.equal(result.code, EXIT.INTERRUPTED, result.stderr);
    assert.equal(result.stdout, '');
    // It ends at the signal, not at the deadline: the hanging request does not keep it alive (a wide bound for a loaded host).
    assert.ok(Date.now() - signalledAt < 60_000, `exited ${Date.now() - signalledAt} ms after SIGTERM; the deadline was 120 s`);
  } finally {
    await server.close();
  }
});
