// Tests of the --root path mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootedPath } from '../../../src/files/rooted.ts';
import { UsageError } from '../../../src/errors.ts';

test('the real root leaves paths as they are (normalized)', () => {
  assert.equal(rootedPath('/', '/etc/x'), '/etc/x');
  assert.equal(rootedPath('', '/etc//y/./x/'), '/etc/y/x');
});

test('a root directory prefixes paths', () => {
  assert.equal(rootedPath('/mnt/img', '/etc/x'), '/mnt/img/etc/x');
  assert.equal(rootedPath('/mnt/img/', '/etc/a/../x'), '/mnt/img/etc/x');
  assert.equal(rootedPath('/mnt/img', '/'), '/mnt/img');
});

test('paths leaving the root, relative paths and NUL bytes are refused', () => {
  for (const [root, path] of [
    ['/mnt/img', '/../etc/x'],
    ['/mnt/img', '/etc/../../x'],
    ['/', '/../etc/x'],
    ['/mnt/img', 'etc/x'],
    ['/mnt/img', '/etc/x\0'],
  ] as const) {
    assert.throws(() => rootedPath(root, path), UsageError, `${root} ${path}`);
  }
});
