// What our files hold: the objects read back from every backend's rendered files equal what each backend renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forgottenObjects, heldObjects, persistedKeys } from '../../../src/persist/held.ts';
import { render } from '../../../src/persist/backends/index.ts';
import { BACKENDS } from '../../../src/persist/types.ts';
import { objectKey } from '../../../src/plan/diff.ts';
import type { Ownership } from '../../../src/persist/owner.ts';
import { cases, dualStackMainFirst } from './render/fixtures.ts';

/** Each object as JSON with its keys sorted (field order is not meaning), the list sorted. */
const sorted = (objects: readonly object[]) => objects.map((object) => JSON.stringify(Object.fromEntries(Object.entries(object).sort()))).sort();

for (const backend of BACKENDS) {
  for (const { name, iface, ctx } of cases) {
    test(`${backend} ${name}: the rules and routes read back from its files are exactly the ones it holds`, () => {
      const files = render(backend, iface, backend === 'networkmanager' ? {} : ctx[backend]).filter((file) => !file.path.includes('.network.d/'));
      assert.deepEqual(sorted(forgottenObjects(files)), sorted(heldObjects(backend, iface)));
    });
  }
}

test('netplan cannot express --main-routes-first; the three others carry it', () => {
  const mainRule = (backend: (typeof BACKENDS)[number]) => heldObjects(backend, dualStackMainFirst).filter((object) => object.kind === 'rule' && object.table === 'main');
  assert.deepEqual(mainRule('netplan'), []);
  for (const backend of ['networkmanager', 'networkd', 'ifcfg'] as const) assert.equal(mainRule(backend).length, 2);
});

const owner = (backend: Ownership['backend'], live: boolean): Ownership => ({ ifname: 'eth2', backend, context: {}, live, why: 'test' });

test('persisted keys: only a manager that applied the files here, never unprobed, never a failed interface', () => {
  const keys = persistedKeys([owner('networkd', true)], [dualStackMainFirst], new Set(), true);
  assert.ok(keys.has(objectKey({ kind: 'rule', family: 4, priority: 19999, table: 'main', suppressPrefixLength: 0 })));
  assert.ok(keys.has(objectKey({ kind: 'rule', family: 6, priority: 20002, from: '2408:4005:325:a204::1/128', table: 1002 })));
  assert.equal(persistedKeys([owner('networkd', true)], [dualStackMainFirst], new Set(), false).size, 0, 'under --root');
  assert.equal(persistedKeys([owner('networkd', false)], [dualStackMainFirst], new Set(), true).size, 0, 'not running');
  assert.equal(persistedKeys([owner('none', false)], [dualStackMainFirst], new Set(), true).size, 0, '--persist=none');
  assert.equal(persistedKeys([owner('networkd', true)], [dualStackMainFirst], new Set(['eth2']), true).size, 0, 'its files failed');
  assert.ok(persistedKeys([owner('ifcfg', false)], [dualStackMainFirst], new Set(), true).size > 0, 'initscripts applies them at boot');
});
