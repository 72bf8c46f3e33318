// One report per run kind: where --only-interface runs write theirs, and what `status` lists.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FULL_RUN_REPORT, lastRuns, lastRunsText, reportPathFor } from '../../../src/report/last-runs.ts';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

test('a full run keeps the default report; an --only-interface run gets its own, inside the directory', () => {
  assert.equal(reportPathFor(FULL_RUN_REPORT, ''), '/run/eni-init/report.json');
  assert.equal(reportPathFor(FULL_RUN_REPORT, 'eth3'), '/run/eni-init/report-eth3.json');
  assert.equal(reportPathFor(FULL_RUN_REPORT, '00:16:3e:5e:01:04'), '/run/eni-init/report-00_16_3e_5e_01_04.json');
  for (const hostile of ['../../etc/passwd', 'a/b', '..', 'x'.repeat(300), 'eth0\nx']) {
    const path = reportPathFor(FULL_RUN_REPORT, hostile);
    assert.match(path, /^\/run\/eni-init\/report-[A-Za-z0-9_-]{1,64}\.json$/, hostile);
  }
  // An explicit --report-file is the caller's choice, also with --only-interface; "" still disables it.
  assert.equal(reportPathFor('/var/tmp/r.json', 'eth3'), '/var/tmp/r.json');
  assert.equal(reportPathFor('', 'eth3'), '');
});

test('status names the last full run and the last run of each interface', async () => {
  const root = mkdtempSync(join(tmpdir(), 'last-runs-'));
  roots.push(root);
  const at = (path: string) => join(root, path);
  assert.deepEqual(await lastRuns(at), []);
  assert.match(lastRunsText([]), /none recorded/);
  mkdirSync(at('/run/eni-init'), { recursive: true });
  const report = (outcome: string, exitCode: number) => JSON.stringify({ command: 'apply', startedAt: '2026-12-02T10:00:00.000Z', outcome, exitCode });
  writeFileSync(at('/run/eni-init/report-eth3.json'), report('converged', 0));
  writeFileSync(at('/run/eni-init/report.json'), report('no-change', 0));
  writeFileSync(at('/run/eni-init/report-eth1.json'), '{ half');
  writeFileSync(at('/run/eni-init/state.json'), '{}');
  const runs = await lastRuns(at);
  assert.deepEqual(runs.map((run) => [run.kind, run.selector ?? '', run.outcome ?? 'unreadable']), [
    ['full', '', 'no-change'],
    ['interface', 'eth1', 'unreadable'],
    ['interface', 'eth3', 'converged'],
  ]);
  const text = lastRunsText(runs);
  assert.match(text, /last full run \(boot unit\): apply no-change, exit 0, started 2026-12-02T10:00:00.000Z \(\/run\/eni-init\/report.json\)/);
  assert.match(text, /last run for eth3 \(hot-plug\): apply converged, exit 0/);
  assert.match(text, /last run for eth1 \(hot-plug\): unreadable/);
});
