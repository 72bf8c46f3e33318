// The import check of test/architecture/imports.ts: src/ passes it, and it does catch cycles, upward and unlayered imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SRC, check, cycles, importGraph, layerOf } from '../../architecture/imports.ts';

const LAYERS = [['model.ts'], ['plan/'], ['run.ts', 'plan/special.ts']];

test('src/ has no import cycle and no upward import, and every module is in a layer', () => {
  const graph = importGraph(SRC);
  assert.ok(graph.has('run.ts') && graph.has('main.ts'), 'the graph was read');
  assert.ok(graph.get('main-run.ts')?.includes('run.ts') && graph.get('main.ts')?.includes('main-run.ts'), 'relative imports (dynamic ones too) resolved to src/ paths');
  assert.deepEqual(check(graph), []);
});

test('the longest prefix decides the layer; a module of no layer is undefined', () => {
  assert.equal(layerOf('plan/diff.ts', LAYERS), 1);
  assert.equal(layerOf('plan/special.ts', LAYERS), 2);
  assert.equal(layerOf('model.ts', LAYERS), 0);
  assert.equal(layerOf('other/x.ts', LAYERS), undefined);
});

test('a cycle is reported once, with every module in it; a self-import is a cycle', () => {
  const graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts', 'model.ts']],
    ['model.ts', []],
    ['self.ts', ['self.ts']],
  ]);
  assert.deepEqual(cycles(graph), [['a.ts', 'b.ts', 'c.ts'], ['self.ts']]);
});

test('an import from a later layer is upward; same layer and lower are fine', () => {
  const graph = new Map([
    ['model.ts', ['plan/numbering.ts']],
    ['plan/diff.ts', ['model.ts', 'plan/numbering.ts']],
    ['plan/numbering.ts', []],
    ['run.ts', ['plan/diff.ts', 'model.ts']],
    ['stray.ts', []],
  ]);
  const findings = check(graph, LAYERS);
  assert.deepEqual(
    findings.map((finding) => finding.kind),
    ['upward', 'unlayered'],
  );
  assert.match(findings[0]?.message ?? '', /model\.ts \(layer 0\) imports plan\/numbering\.ts \(layer 1\)/);
});
