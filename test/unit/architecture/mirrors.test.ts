// The mirror check of test/architecture/mirrors.ts: src/ passes it, and it does catch a module without a mirrored test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TYPE_ONLY, mirrors, missingMirrors, unmirrored } from '../../architecture/mirrors.ts';

test('every module of src/ has a mirrored test, or is listed as type-only', () => {
  assert.deepEqual(missingMirrors(), []);
});

test('a mirror is the same path with .test.ts, or with one middle word before it', () => {
  assert.equal(mirrors('plan/gate.ts', 'plan/gate.test.ts'), true);
  assert.equal(mirrors('plan/gate.ts', 'plan/gate.property.test.ts'), true);
  assert.equal(mirrors('plan/gate.ts', 'plan/gate-other.test.ts'), false, 'another name is not a mirror');
  assert.equal(mirrors('plan/gate.ts', 'gate.test.ts'), false, 'another folder is not a mirror');
  assert.equal(mirrors('plan/gate.ts', 'plan/gate.a.b.test.ts'), false);
  assert.equal(mirrors('main.ts', 'main-run.test.ts'), false);
});

test('a module with no mirror is reported unless it is type-only', () => {
  const modules = ['a.ts', 'b/c.ts', 'types.ts', 'd.ts'];
  const tests = ['a.test.ts', 'b/c.unit.test.ts', 'c.test.ts'];
  assert.deepEqual(unmirrored(modules, tests, ['types.ts']), ['d.ts']);
  assert.deepEqual(unmirrored(modules, tests, []), ['types.ts', 'd.ts']);
  assert.ok(TYPE_ONLY.includes('model.ts'));
});
