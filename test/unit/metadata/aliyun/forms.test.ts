// Tests for the value forms of the metadata service: trimming, lists in every known form, listings, `all` values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { listingEntries, parseList, parseSingle, rawFromAll, trimValue } from '../../../../src/metadata/aliyun/forms.ts';

test('trimValue strips spaces, tabs, CR and LF around a value, nothing inside', () => {
  assert.equal(trimValue(' \t10.0.0.1\r\n\n'), '10.0.0.1');
  assert.equal(trimValue('a b'), 'a b');
  assert.equal(trimValue('\u00a010.0.0.1'), '\u00a010.0.0.1', 'only the four characters other clients strip');
});

test('lists: every known form, and what is not one', () => {
  const ab = ['a', 'b'];
  for (const form of ['["a","b"]', '["a", "b"]', '[\n  "a",\n  "b"\n]', '[a,b]', '[ a , b ]', 'a\nb', 'a\r\nb\r\n', 'a,b', ' a, b ', ['a', 'b'], [' a\r\n', 'b']]) {
    assert.deepEqual(parseList(form), ab, JSON.stringify(form));
  }
  assert.deepEqual(parseList('a'), ['a']);
  assert.deepEqual(parseList(''), []);
  assert.deepEqual(parseList(' [ ] '), []);
  for (const bad of ['["a",b]', '[a', 'a]', '["a" "b"]', '[a,,b]', 'a,,b', 'a b', '["a\\nb"]', '[["a"]]', ['a b'], ['a', ''], ['a,b']]) {
    assert.equal(parseList(bad), null, JSON.stringify(bad));
  }
});

test('a list never yields an entry with whitespace, a comma, a bracket or a quote (property)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      const items = parseList(text);
      return items === null || items.every((item) => item !== '' && !/[\s,[\]"]/.test(item));
    }),
  );
});

test('single values, listings and `all` values', () => {
  assert.equal(parseSingle(' x\r\n'), 'x');
  assert.equal(parseSingle(['x']), 'x');
  assert.equal(parseSingle(['x', 'y']), null);
  assert.deepEqual(listingEntries(' 00:16:3e:00:00:01/\r\n\r\n00:16:3E:00:00:02\n'), ['00:16:3e:00:00:01', '00:16:3E:00:00:02']);
  assert.equal(rawFromAll(7), undefined);
  assert.equal(rawFromAll({}), undefined);
  assert.equal(rawFromAll(null), undefined);
  assert.deepEqual(rawFromAll(['a']), ['a']);
  assert.equal(rawFromAll([1]), undefined);
  assert.equal(rawFromAll('["a"]'), '["a"]');
});
