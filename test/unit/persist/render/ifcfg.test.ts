// The network-scripts renderer: golden ifcfg-, route- and rule- files; for the primary only its routes and rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IFCFG_DIR, renderIfcfg } from '../../../../src/persist/render/ifcfg.ts';
import { primary, secondary } from './fixtures.ts';
import { goldenTests } from './golden.ts';

goldenTests('ifcfg');

test('a secondary gets its ifcfg, route and rule files; the primary only route and rule files, and nothing without them', () => {
  assert.deepEqual(renderIfcfg(secondary).map((file) => file.path.slice(IFCFG_DIR.length + 1)), ['ifcfg-eth1', 'route-eth1', 'rule-eth1']);
  assert.deepEqual(renderIfcfg(primary).map((file) => file.path), [`${IFCFG_DIR}/route-eth0`, `${IFCFG_DIR}/rule-eth0`]);
  assert.deepEqual(renderIfcfg({ ...primary, routes: [], rules: [] }), [], 'without --primary-rules: nothing');
});
