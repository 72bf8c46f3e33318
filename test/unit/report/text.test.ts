// The human summary: headline, per-phase durations, ENI blocks, changes, files, problems, the status table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderText } from '../../../src/report/text.ts';
import type { Report } from '../../../src/report/report.ts';

function report(overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    tool: 'eni-init',
    version: '1.2.3',
    command: 'apply',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 310,
    durations: { metadata: 120, discovery: 3, plan: 1, apply: 150, persist: 20, verify: 16 },
    outcome: 'converged',
    exitCode: 0,
    dryRun: false,
    instance: { primaryMac: '00:16:3e:00:00:01', instanceId: 'i-abc' },
    metadata: { url: 'http://100.100.100.200', tokenMode: 'token', source: 'tree', requests: 17, complete: true },
    enis: [
      { mac: '00:16:3e:00:00:01', eniId: 'eni-0', interface: 'eth0', primary: true, status: 'managed', ipv4: ['10.0.0.20', '10.0.0.21'], ipv6: [], changes: 1, problems: [] },
      { mac: '00:16:3e:00:00:02', eniId: 'eni-1', interface: 'eth1', primary: false, status: 'managed', slot: 1, table: 1001, priority: 20001, ipv4: ['10.0.0.30'], ipv6: [], gateway: '10.0.0.253', subnet: '10.0.0.0/24', changes: 3, problems: [] },
      { mac: '00:16:3e:00:00:09', primary: false, status: 'bad-metadata', ipv4: [], ipv6: [], changes: 0, problems: ['gateway "x\\ny": not an IPv4 address'] },
    ],
    unmanagedInterfaces: [{ name: 'docker0', mac: '02:42:ac:11:00:01' }],
    files: [{ path: '/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg', action: 'created' }],
    changes: [{ action: 'add', kind: 'rule', command: 'ip -4 rule add pref 20001 from 10.0.0.30/32 table 1001 protocol 203', reason: '' }],
    deferred: [],
    problems: [],
    ...overrides,
  };
}

test('apply summary: headline, one block per ENI, changes, files, exit line', () => {
  const text = renderText(report());
  assert.match(text, /^eni-init 1\.2\.3 apply on i-abc: converged \(0\.31 s, metadata: token mode, 17 requests\)/);
  assert.match(text, /eth1  00:16:3e:00:00:02  eni-1  secondary  table 1001, rule priority 20001/);
  assert.match(text, /ipv4  10\.0\.0\.30  \(subnet 10\.0\.0\.0\/24, gateway 10\.0\.0\.253\)/);
  assert.match(text, /eth0 .* primary  main table \(no rules\)/);
  assert.match(text, /state bad metadata, left alone\n\s+problem gateway "x\\ny": not an IPv4 address/);
  assert.match(text, /Not in metadata, left alone: docker0 \(02:42:ac:11:00:01\)/);
  assert.match(text, /ip -4 rule add pref 20001 from 10\.0\.0\.30\/32 table 1001 protocol 203/);
  assert.match(text, /created +\/etc\/cloud\/cloud\.cfg\.d\/99-disable-network-config\.cfg/);
  assert.match(text, /exit 0 \(converged\)\n$/);
});

test('the durations of the phases that ran are on one line under the headline, in pipeline order', () => {
  const lines = renderText(report()).split('\n');
  assert.equal(lines[1], '  took: metadata 120 ms, discovery 3 ms, plan 1 ms, apply 150 ms, persist 20 ms, verify 16 ms');
  const plan = renderText(report({ command: 'plan', outcome: 'planned', durations: { persist: 2, metadata: 90 } })).split('\n');
  assert.equal(plan[1], '  took: metadata 90 ms, persist 2 ms');
  assert.ok(!renderText(report({ durations: {} })).includes('took:'), 'no line when no phase ran');
});

test('a read failure and a host that is not ECS have their own headlines', () => {
  assert.match(renderText(report({ command: 'plan', outcome: 'read-failed', exitCode: 11 })), /plan on i-abc: could not read the network state or a file eni-init needs \(/);
  assert.doesNotMatch(renderText(report({ command: 'status', outcome: 'read-failed', exitCode: 11 })), /FAILED to apply/);
  assert.match(renderText(report({ outcome: 'not-on-cloud', exitCode: 12 })), /not an Alibaba Cloud ECS instance/);
});

test('status renders an aligned table with one row per ENI', () => {
  const text = renderText(report({ command: 'status', outcome: 'drift', exitCode: 3 }));
  const lines = text.split('\n');
  const header = lines.findIndex((line) => line.trim().startsWith('IFACE'));
  assert.ok(header > 0);
  assert.match(lines[header + 2] ?? '', /^  eth1 +00:16:3e:00:00:02 +eni-1 +secondary +1001 +10\.0\.0\.30 +3 changes pending$/);
  assert.match(lines[header + 3] ?? '', /bad metadata, left alone$/);
});

test('status gives the reason of every pending change, held-back change and file, and no diff', () => {
  const text = renderText(
    report({
      command: 'status',
      outcome: 'drift',
      exitCode: 3,
      changes: [
        { action: 'add', kind: 'rule', command: 'ip -4 rule add pref 20001 from 10.0.0.30/32 table 1001 protocol 203', reason: 'private IP in metadata' },
        { action: 'add', kind: 'link-up', command: 'ip -4 link set dev eth1 up', reason: 'interface is down' },
      ],
      deferred: [{ action: 'delete', kind: 'address', command: 'ip -4 address del 10.0.0.31/32 dev eth1', reason: 'no longer in metadata' }],
      files: [
        { path: '/etc/netplan/90-eni-init-eth1.yaml', action: 'would-replace', reason: 'its content differs from what the metadata gives for the ENI on eth1', diff: '--- a\n+++ a\n@@ -1 +1 @@\n-x\n+y\n' },
        { path: '/etc/netplan/90-eni-init-eth9.yaml', action: 'would-remove', reason: 'no ENI in metadata is on eth9 any more' },
      ],
    }),
  );
  assert.match(text, /\n {2}ip -4 rule add pref 20001 from 10\.0\.0\.30\/32 table 1001 protocol 203 {3}# private IP in metadata\n/);
  assert.match(text, /\n {2}ip -4 link set dev eth1 up {3}# interface is down\n/);
  assert.match(text, /Held back .*\n {2}ip -4 address del 10\.0\.0\.31\/32 dev eth1 {3}# no longer in metadata\n/);
  assert.match(text, /would-replace +\/etc\/netplan\/90-eni-init-eth1\.yaml {2}\(its content differs from what the metadata gives for the ENI on eth1\)\n/);
  assert.match(text, /would-remove +\/etc\/netplan\/90-eni-init-eth9\.yaml {2}\(no ENI in metadata is on eth9 any more\)\n/);
  assert.doesNotMatch(text, /\+y/, 'status names the files, plan shows their diff');
});

test('plan shows the diff of each file it would write, indented under the file', () => {
  const diff = '--- /dev/null\n+++ /etc/x.yaml\n@@ -0,0 +1,2 @@\n+# Written by eni-init.\n+network:\n';
  const text = renderText(report({ command: 'plan', outcome: 'planned', files: [{ path: '/etc/x.yaml', action: 'would-create', reason: 'missing: the ENI on eth1 needs it', diff }] }));
  assert.match(text, /would-create +\/etc\/x\.yaml {2}\(missing: the ENI on eth1 needs it\)\n {6}--- \/dev\/null\n {6}\+\+\+ \/etc\/x\.yaml\n {6}@@ -0,0 \+1,2 @@\n {6}\+# Written by eni-init\.\n {6}\+network:\n\n/);
});
