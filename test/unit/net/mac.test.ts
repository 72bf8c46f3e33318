// Tests for the one MAC canonicalizer: any letter case in, lowercase out; every other spelling refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalMac } from '../../../src/net/mac.ts';

test('canonicalMac lowercases six colon-separated pairs', () => {
  assert.equal(canonicalMac('00:16:3e:12:e7:01'), '00:16:3e:12:e7:01');
  assert.equal(canonicalMac('00:16:3E:12:E7:0A'), '00:16:3e:12:e7:0a');
});

test('canonicalMac refuses every other form', () => {
  for (const bad of [
    '',
    '00-16-3e-12-e7-01',
    '00:16:3e:12:e7',
    '00:16:3e:12:e7:01:02',
    '00:16:3e:12:e7:01/',
    '00:16:3e:12:e7:01\n',
    ' 00:16:3e:12:e7:01',
    '00:16:3e:12:e7:1',
    '0016.3e12.e701',
    '00163e12e701',
    '00:16:3e:12:e7:0g',
    '../../../etc',
  ]) {
    assert.equal(canonicalMac(bad), null, JSON.stringify(bad));
  }
});

test('canonicalMac: any six bytes in any case give one lowercase form, a fixed point', () => {
  const mac = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }).map((bytes) => bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':'));
  fc.assert(
    fc.property(mac, fc.boolean(), (text, upper) => {
      const canonical = canonicalMac(upper ? text.toUpperCase() : text);
      assert.equal(canonical, text);
      assert.equal(canonicalMac(text), text);
    }),
  );
  fc.assert(fc.property(fc.string(), (text) => assert.ok(canonicalMac(text) === null || /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/.test(canonicalMac(text) as string))));
});
