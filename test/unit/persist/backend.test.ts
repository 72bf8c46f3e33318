// Places of a backend: a file is in one when its directory (or a matching subdirectory of it) and its name match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceOfPath, placeOf } from '../../../src/persist/backend.ts';
import type { FilePlace } from '../../../src/persist/backend.ts';

const places: FilePlace[] = [
  { dir: '/etc/x', name: /^90-ours-(.+)\.conf$/ },
  { dir: '/etc/x', subdirs: /\.d$/, name: /^50-ours\.conf$/ },
];

test('a file is in a place by its exact directory and name', () => {
  assert.equal(placeOf(places, '/etc/x/90-ours-eth1.conf'), places[0]);
  assert.equal(placeOf(places, '/etc/x/a.d/50-ours.conf'), places[1]);
  for (const path of ['/etc/x/sub/90-ours-eth1.conf', '/etc/90-ours-eth1.conf', '/etc/x/90-ours-.conf', '/etc/x/a/50-ours.conf', '/etc/x/a.d/b.d/50-ours.conf', '/etc/x/50-ours.conf']) {
    assert.equal(placeOf(places, path), undefined, path);
  }
});

test('the interface is the first capture group of the name, when the place has one', () => {
  assert.equal(interfaceOfPath(places, '/etc/x/90-ours-eth1.conf'), 'eth1');
  assert.equal(interfaceOfPath(places, '/etc/x/a.d/50-ours.conf'), undefined);
  assert.equal(interfaceOfPath(places, '/etc/y/90-ours-eth1.conf'), undefined);
});
