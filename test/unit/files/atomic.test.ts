// Tests of atomic writes and content-checked removal in a temporary directory.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeFileIfContent, writeFileAtomic } from '../../../src/files/atomic.ts';
import { ApplyError } from '../../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('created, then unchanged, then replaced; parents are created; no temp file is left', async () => {
  const path = join(dir, 'a/b/c.conf');
  assert.equal(await writeFileAtomic(path, 'one\n', { mode: 0o600 }), 'created');
  assert.equal(readFileSync(path, 'utf8'), 'one\n');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'a/b')).mode & 0o777, 0o755);
  const before = statSync(path).ino;
  assert.equal(await writeFileAtomic(path, 'one\n', { mode: 0o600 }), 'unchanged');
  assert.equal(statSync(path).ino, before, 'unchanged content is not rewritten');
  assert.equal(await writeFileAtomic(path, 'two\n'), 'replaced');
  assert.equal(readFileSync(path, 'utf8'), 'two\n');
  assert.equal(statSync(path).mode & 0o777, 0o600, 'mode kept when not given');
  assert.deepEqual(readdirSync(join(dir, 'a/b')), ['c.conf']);
});

test('durable writes fsync the file and its directory; durable: false (files under /run) renames without either', async () => {
  // Count FileHandle.sync calls: the prototype of the handles that fs/promises opens.
  const probe = await open(dir, 'r');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const original = proto.sync;
  let syncs = 0;
  proto.sync = function (this: unknown) {
    syncs++;
    return original.call(this);
  };
  try {
    const path = join(dir, 'run/eni-init/configured/eth1');
    assert.equal(await writeFileAtomic(path, 'first\n'), 'created');
    assert.equal(syncs, 2, 'file and directory fsynced');
    syncs = 0;
    const before = statSync(path).ino;
    assert.equal(await writeFileAtomic(path, 'second\n', { durable: false }), 'replaced');
    assert.equal(syncs, 0, 'no fsync');
    assert.equal(readFileSync(path, 'utf8'), 'second\n');
    assert.notEqual(statSync(path).ino, before, 'still a rename over the target, never an in-place write');
    assert.deepEqual(readdirSync(join(dir, 'run/eni-init/configured')), ['eth1'], 'no temp file left');
  } finally {
    proto.sync = original;
  }
});

test('file and directory modes are exact despite the umask', async () => {
  const previous = process.umask(0o077);
  try {
    const path = join(dir, 'umask/mode.conf');
    await writeFileAtomic(path, 'x', { mode: 0o644 });
    assert.equal(statSync(path).mode & 0o777, 0o644);
    assert.equal(statSync(join(dir, 'umask')).mode & 0o777, 0o755);
  } finally {
    process.umask(previous);
  }
});

test('a symlinked target or parent component is refused with the path named', async () => {
  const real = join(dir, 'real');
  mkdirSync(real);
  writeFileSync(join(real, 'target'), 'secret');
  symlinkSync(join(real, 'target'), join(dir, 'link.conf'));
  symlinkSync(real, join(dir, 'linkdir'));
  await assert.rejects(writeFileAtomic(join(dir, 'link.conf'), 'x'), (error: unknown) => error instanceof ApplyError && error.message.includes('link.conf') && /symbolic link/.test(error.message));
  await assert.rejects(writeFileAtomic(join(dir, 'linkdir/new.conf'), 'x'), (error: unknown) => error instanceof ApplyError && /linkdir is a symbolic link/.test(error.message));
  await assert.rejects(writeFileAtomic(join(dir, 'linkdir/sub/new.conf'), 'x'), ApplyError);
  assert.equal(readFileSync(join(real, 'target'), 'utf8'), 'secret');
  assert.deepEqual(readdirSync(real), ['target']);
  assert.ok(lstatSync(join(dir, 'link.conf')).isSymbolicLink());
});

test('a directory in place of the target is refused', async () => {
  mkdirSync(join(dir, 'isdir'));
  await assert.rejects(writeFileAtomic(join(dir, 'isdir'), 'x'), /not a regular file/);
});

test('removeFileIfContent removes only the exact content and never follows symlinks', async () => {
  const path = join(dir, 'rm.conf');
  assert.equal(await removeFileIfContent(path, 'x'), 'absent');
  assert.equal(await removeFileIfContent(join(dir, 'missing/dir/rm.conf'), 'x'), 'absent');
  writeFileSync(path, 'mine\n');
  assert.equal(await removeFileIfContent(path, 'mine'), 'different');
  assert.equal(readFileSync(path, 'utf8'), 'mine\n');
  assert.equal(await removeFileIfContent(path, 'mine\n'), 'removed');
  assert.throws(() => statSync(path));
  writeFileSync(join(dir, 'pointee'), 'mine\n');
  symlinkSync(join(dir, 'pointee'), join(dir, 'rmlink.conf'));
  assert.equal(await removeFileIfContent(join(dir, 'rmlink.conf'), 'mine\n'), 'different');
  assert.ok(lstatSync(join(dir, 'rmlink.conf')).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'pointee'), 'utf8'), 'mine\n');
});
