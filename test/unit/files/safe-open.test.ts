// No-follow, non-blocking opens with a type check, and parent walks that refuse symlinks.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsafeParentError, checkDirectories, openRegularNoFollow, readBounded } from '../../../src/files/safe-open.ts';

const dir = mkdtempSync(join(tmpdir(), 'safeopen-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a regular file opens; symlinks and directories are reported without following (FIFOs: test/integration/files/safe-open.test.ts)', async () => {
  writeFileSync(join(dir, 'file'), 'hello world');
  symlinkSync(join(dir, 'file'), join(dir, 'link'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
  mkdirSync(join(dir, 'sub'));
  const file = await openRegularNoFollow(join(dir, 'file'));
  assert.equal(file.kind, 'file');
  if (file.kind === 'file') {
    assert.equal((await readBounded(file.handle, 5)).toString(), 'hello');
    await file.handle.close();
  }
  assert.equal((await openRegularNoFollow(join(dir, 'link'))).kind, 'symlink');
  assert.equal((await openRegularNoFollow(join(dir, 'dangling'))).kind, 'symlink');
  assert.equal((await openRegularNoFollow(join(dir, 'sub'))).kind, 'special');
  assert.equal((await openRegularNoFollow(join(dir, 'absent'))).kind, 'absent');
});

test('checkDirectories creates missing directories and refuses symlinked or non-directory parents', async () => {
  assert.equal(await checkDirectories(join(dir, 'a/b/c'), true), true);
  assert.equal(await checkDirectories(join(dir, 'x/y'), false), false);
  mkdirSync(join(dir, 'real'));
  symlinkSync(join(dir, 'real'), join(dir, 'linked'));
  await assert.rejects(checkDirectories(join(dir, 'linked/run'), true), (error: unknown) => error instanceof UnsafeParentError && error.why === 'symlink');
  writeFileSync(join(dir, 'plain'), '');
  await assert.rejects(checkDirectories(join(dir, 'plain/run'), true), (error: unknown) => error instanceof UnsafeParentError && error.why === 'not-directory');
});
