// Smoke run of the benchmark (bench/run.ts) at 2x6 with one run, so the script cannot rot: the results file must
// have sane figures and eni-init and the seeds' way must leave the same kernel state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cannotRun } from './helpers.ts';
import type { ModeResult, Results } from '../../bench/run.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function assertMode(name: string, mode: ModeResult): void {
  assert.ok(Number.isFinite(mode.wallMs.median) && mode.wallMs.median > 0, `${name}: wall time ${mode.wallMs.median}`);
  assert.ok(Number.isFinite(mode.maxRssMb.median) && mode.maxRssMb.median > 1, `${name}: peak RSS ${mode.maxRssMb.median}`);
  assert.ok(mode.requests > 0, `${name}: metadata requests ${mode.requests}`);
  assert.ok(mode.processes > 0, `${name}: processes ${mode.processes}`);
}

test('bench/run.ts at 2x6, one run: sane figures, same end state for eni-init and the seeds\' way', { timeout: 240_000 }, (t) => {
  const reason = cannotRun();
  if (reason) {
    t.skip(reason);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'eni-bench-test-'));
  try {
    const ran = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--shapes', '2x6', '--runs', '1', '--out', out, '--quiet-wait-s', '0'], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 220_000,
      killSignal: 'SIGTERM',
    });
    assert.equal(ran.status, 0, `bench exited with ${ran.status ?? ran.signal}:\n${ran.stderr.slice(-3000)}`);
    assert.match(ran.stdout, /\| 2x6 \|/, 'the table has the 2x6 row');

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    assert.equal(results.shapes.length, 1);
    const [shape] = results.shapes;
    assert.ok(shape);
    assert.equal(shape.shape, '2x6');
    assert.equal(shape.privateIps, 12);

    assertMode('eni-init', shape.eniInit.first);
    assertMode('eni-init (no-change run)', shape.eniInit.second);
    assertMode("seeds' way", shape.seeds);
    assert.equal(shape.eniInit.first.outcome, 'converged');
    assert.equal(shape.eniInit.second.outcome, 'no-change');
    // 10 secondary IPs (5 on eth0, 5 on eth1) with their 10 local routes, eth1's 2 routes in table 1001 and its 6 rules.
    assert.deepEqual(shape.added, { addresses: 10, routes: 12, rules: 6 });

    for (const [name, value] of Object.entries(shape.ratios)) assert.ok(Number.isFinite(value) && value > 0, `ratio ${name} = ${value}`);
    for (const [name, value] of Object.entries({ start: shape.floor.startupMs.median, metadata: shape.floor.metadataMs.median, batch: shape.floor.batchMs.median, total: shape.floor.totalMs })) {
      assert.ok(Number.isFinite(value) && value > 0, `floor ${name} = ${value}`);
    }
    assert.equal(shape.floor.batchLines, 18, 'the floor applies exactly eni-init\'s final commands');
    // Memory split: private (RssAnon+RssShmem) and file-backed (RssFile) sampled; the floor's start is the hello-world SEA.
    for (const [name, mode] of Object.entries(shape.eniInit)) {
      assert.ok((mode.privateMb?.median ?? 0) > 1 && (mode.fileMb?.median ?? 0) > 1, `${name}: private ${mode.privateMb?.median} / file ${mode.fileMb?.median} MB`);
      assert.ok((mode.privateMb?.median ?? 0) + (mode.fileMb?.median ?? 0) <= mode.maxRssMb.median * 1.05 + 1, `${name}: the sampled parts exceed the peak`);
    }
    assert.ok(shape.floor.versionMs.median > 0 && shape.floor.startupPrivateMb.median > 0, JSON.stringify(shape.floor));
    assert.ok(shape.floor.startupRssMb.median < shape.floor.versionRssMb.median + 1, 'hello-world SEA is no bigger than eni-init --version');
    // The `all` column: a partial document (the default) costs fewer requests than the tree alone.
    const modes = shape.allModes;
    assert.ok(modes !== undefined, 'allModes measured');
    for (const [name, mode] of Object.entries(modes)) assert.ok(mode.wallMs.median > 0 && mode.requests > 0, `all ${name}: ${JSON.stringify(mode)}`);
    assert.ok(modes.partial.requests < modes.none.requests, JSON.stringify(modes));
    assert.match(ran.stdout, /\| 2x6 \| [^|]+ requests\) \|/, 'the all-modes table has the 2x6 row');

    // The comparison is only fair when both produce the same kernel state (addresses, routes, rules).
    assert.equal(shape.endState.same, true, `kernel end states differ:\n${shape.endState.diff}`);

    assert.ok(results.targets.length > 0);
    const svg = readFileSync(join(out, 'results.svg'), 'utf8');
    assert.match(svg, /^<svg[\s>]/);
    assert.match(svg, /2x6/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  assert.ok(!existsSync(out));
});
