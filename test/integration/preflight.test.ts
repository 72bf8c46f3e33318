// NEEDS ROOT (fails without): preflight refuses a report path that is a FIFO, a directory or a symlink, a full run directory (tmpfs), a FIFO as config file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflight, readConfigSync } from '../../src/preflight.ts';
import { DEFAULTS } from '../../src/cli/spec.ts';
import { EnvironmentError } from '../../src/errors.ts';
import { assertRoot } from './root.ts';

const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
before(() => assertRoot('preflight (CAP_NET_ADMIN, mount)'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the report path: a FIFO, a directory, a symlink or a symlinked parent is refused before anything is done', async () => {
  const root = join(dir, 'root');
  mkdirSync(join(root, 'run/eni-init'), { recursive: true });
  const options = { ...DEFAULTS, command: 'apply' as const, root };
  await preflight(options, '/run/eni-init');
  const report = join(root, 'run/eni-init/report.json');
  const cases: [string, () => void][] = [
    ['fifo', () => execFileSync('mkfifo', [report])],
    ['directory', () => mkdirSync(report)],
    ['symlink', () => symlinkSync('/etc/passwd', report)],
  ];
  for (const [name, make] of cases) {
    make();
    await assert.rejects(preflight(options, '/run/eni-init'), EnvironmentError, name);
    rmSync(report, { recursive: true });
  }
  symlinkSync(join(root, 'run'), join(root, 'var'));
  await assert.rejects(preflight({ ...options, reportFile: '/var/eni-init/report.json' }, '/run/eni-init'), (error: unknown) => error instanceof EnvironmentError && /symbolic link/.test(error.message));
  assert.equal(await preflight({ ...options, command: 'plan', reportFile: '/var/eni-init/report.json' }, '/run/eni-init'), undefined, 'plan writes no report');
});

test('a run directory with under 1 MiB free is an EnvironmentError', async () => {
  const root = join(dir, 'small');
  mkdirSync(join(root, 'run'), { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'eni-preflight', join(root, 'run')]);
  try {
    await assert.rejects(preflight({ ...DEFAULTS, command: 'apply', root }, '/run/eni-init'), (error: unknown) => error instanceof EnvironmentError && /is full/.test(error.message));
  } finally {
    execFileSync('umount', [join(root, 'run')]);
  }
});

test('a FIFO as the config file is an EnvironmentError at once, never a wait for a writer', () => {
  const fifo = join(dir, 'fifo.conf');
  execFileSync('mkfifo', [fifo]);
  assert.throws(() => readConfigSync(fifo), (error: unknown) => error instanceof EnvironmentError && /not a regular file/.test(error.message));
});
