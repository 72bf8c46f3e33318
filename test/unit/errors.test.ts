// The one mapping from errors to exit codes, and the classification of file-system failures before any change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, EnvironmentError, InterruptedError, NotOnCloudError, PermissionError, ReadError, UsageError, exitCodeFor, fileSystemError } from '../../src/errors.ts';

const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

test('every typed error has its own documented code; anything else is a bug (1)', () => {
  assert.equal(exitCodeFor(new UsageError('x')), EXIT.USAGE);
  assert.equal(exitCodeFor(new InterruptedError()), 8);
  assert.equal(exitCodeFor(new EnvironmentError('x')), 9);
  assert.equal(exitCodeFor(new PermissionError('x')), 10);
  assert.equal(exitCodeFor(new ReadError('x')), 11);
  assert.equal(new ReadError('x').code, 'read-failed');
  assert.equal(exitCodeFor(new NotOnCloudError('x')), 12);
  assert.equal(new NotOnCloudError('x').code, 'not-on-cloud');
  assert.equal(exitCodeFor(new TypeError('x')), EXIT.INTERNAL);
  assert.equal(new Set(Object.values(EXIT)).size, Object.values(EXIT).length, 'no two meanings share a code');
});

test('file-system failures: permission, environment, or left as they are', () => {
  for (const code of ['EACCES', 'EPERM']) assert.ok(fileSystemError('/run/x', 'cannot write', errno(code)) instanceof PermissionError, code);
  for (const code of ['EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'ELOOP']) {
    const error = fileSystemError('/run/x', 'cannot write', errno(code));
    assert.ok(error instanceof EnvironmentError, code);
    assert.equal((error as EnvironmentError).message, `cannot write /run/x: ${code}`);
  }
  const other = errno('EBADF');
  assert.equal(fileSystemError('/run/x', 'cannot write', other), other);
});
