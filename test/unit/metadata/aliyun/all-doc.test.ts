// The `meta-data/all` document -> primary MAC, instance values and per-ENI items; never throws, never taken as complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocument } from '../../../../src/metadata/aliyun/all-doc.ts';

const MAC0 = '00:16:3e:0f:00:01';
const MAC1 = '00:16:3e:12:16:02';

test('instance values, the primary MAC and each ENI with the items of a usable type', () => {
  const doc = parseAllDocument(
    JSON.stringify({
      'instance-id': 'i-bp13abc',
      'Region-Id': 'cn-hangzhou',
      count: 3,
      mac: MAC0,
      network: { interfaces: { macs: { [MAC0]: { gateway: '10.0.0.253', 'Private-IPv4s': ['10.0.0.20'], netmask: 24, extra: { a: 1 } } } } },
    }),
  );
  assert.deepEqual(doc, {
    values: { 'instance-id': 'i-bp13abc', 'region-id': 'cn-hangzhou', mac: MAC0 },
    primaryMac: MAC0,
    bad: [],
    enis: [{ mac: MAC0, spelling: MAC0, items: { gateway: '10.0.0.253', 'private-ipv4s': ['10.0.0.20'] } }],
  });
});

test('keys in any letter case; the MAC key keeps its spelling for item paths, canonical for identity, once', () => {
  const upper = MAC1.toUpperCase();
  const doc = parseAllDocument(JSON.stringify({ MAC: MAC0, Network: { INTERFACES: { Macs: { [`${upper}/`]: {}, [MAC1]: { gateway: 'x' }, [MAC0]: 'eni' } } } }));
  assert.equal(doc?.primaryMac, MAC0);
  assert.deepEqual(doc?.enis, [
    { mac: MAC1, spelling: upper, items: {} },
    { mac: MAC0, spelling: MAC0, items: {} },
  ], 'a second key of the same MAC is dropped; a non-object entry holds nothing');
});

test('a key that is not a MAC fails only itself, shown printable', () => {
  const doc = parseAllDocument(JSON.stringify({ network: { interfaces: { macs: { 'zz:zz': {}, 'a\nb': {}, [MAC0]: {} } } } }));
  assert.deepEqual(doc?.bad.map((entry) => [entry.mac, entry.problems[0]?.field, entry.problems[0]?.message]), [
    ['zz:zz', 'macs', 'meta-data/all: key is not a MAC address'],
    ['a\\nb', 'macs', 'meta-data/all: key is not a MAC address'],
  ]);
  assert.deepEqual(doc?.enis?.map((eni) => eni.mac), [MAC0]);
});

test('no JSON object is null; an object without macs has no enis (the tree gives them)', () => {
  for (const text of ['{"mac": 1', '[1,2]', '"text"', 'null', '']) assert.equal(parseAllDocument(text), null, JSON.stringify(text));
  assert.deepEqual(parseAllDocument('{}'), { values: {}, bad: [] });
  const doc = parseAllDocument(JSON.stringify({ mac: 7, network: { interfaces: { macs: [] } } }));
  assert.equal(doc?.primaryMac, undefined);
  assert.equal(doc?.enis, undefined);
});
