// Tests for the one interface-name rule: kernel-valid, safe in an `ip -batch` line and a file, not an option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isSafeInterfaceName } from '../../../src/net/interface-name.ts';

test('names the kernel gives ENIs, and other plain names, are safe', () => {
  for (const good of ['eth0', 'eth1', 'ens5', 'enp0s5', 'enP2s0f1', 'a', 'x'.repeat(15), 'veth-1_a.b', '..a', 'eth0.100', 'br@0', 'a+b', 'e-']) {
    assert.equal(isSafeInterfaceName(good), true, good);
  }
});

test('everything else is refused: too long, . and .., an option, whitespace, separators, quotes, non-ASCII', () => {
  for (const bad of ['', '.', '..', 'x'.repeat(16), '-eth0', '--all', 'eth/0', 'eth 0', 'eth0\n', 'eth0\t', 'eth:0', 'éth0', 'eth0\0', '\x7f', 'eth#0', "eth'0", 'eth"0', 'eth0;x', 'eth\\0', 'eth$0']) {
    assert.equal(isSafeInterfaceName(bad), false, JSON.stringify(bad));
  }
});

test('a safe name is kernel-valid (dev_valid_name) and one plain word of an `ip -batch` line', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 20, unit: 'binary-ascii' }), (name) => {
      if (!isSafeInterfaceName(name)) return;
      assert.ok(name.length >= 1 && name.length <= 15 && name !== '.' && name !== '..', name);
      assert.doesNotMatch(name, /[\s/:'"#\\]|^-/, name);
    }),
  );
  const word = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,14}$/);
  fc.assert(fc.property(word, (name) => assert.equal(isSafeInterfaceName(name), true, name)));
});
