// The versioned report: an empty report says internal until finished; one ENI entry per ENI with its change count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PHASES, REPORT_SCHEMA_VERSION, emptyReport, eniReport, eniReports } from '../../../src/report/report.ts';
import type { DesiredEni, DesiredState } from '../../../src/plan/desired.ts';
import type { Operation } from '../../../src/model.ts';
import { eni as eniMetadata } from '../fixtures.ts';

const managed: DesiredEni = {
  mac: '00:16:3e:00:00:02',
  eniId: 'eni-1',
  ifname: 'eth1',
  primary: false,
  status: 'managed',
  slot: 1,
  table: 1001,
  priority: 20001,
  metadata: eniMetadata('00:16:3e:00:00:02', 'eni-1', ['10.0.0.30'], '10.0.0.0/24', '10.0.0.253'),
  problems: [],
  objects: [],
};
const bad: DesiredEni = { mac: '00:16:3e:00:00:09', primary: false, status: 'bad-metadata', problems: [{ field: 'gateway', value: 'x\ny', message: 'not an IPv4 address' }], objects: [], slot: 3 };

test('an empty report: schema, dry run for plan and status, outcome internal (exit 1) until the run finishes it', () => {
  const report = emptyReport('status', '1.0.0', Date.UTC(2026, 0, 1));
  assert.deepEqual([report.schemaVersion, report.startedAt, report.dryRun, report.outcome, report.exitCode], [REPORT_SCHEMA_VERSION, '2026-01-01T00:00:00.000Z', true, 'internal', 1]);
  assert.deepEqual(report.durations, {});
  assert.equal(emptyReport('apply', '1.0.0', 0).dryRun, false);
  assert.deepEqual(PHASES, ['metadata', 'discovery', 'plan', 'apply', 'persist', 'verify']);
});

test('an ENI entry: table and priority only when it is managed; problems with their value quoted', () => {
  assert.deepEqual(eniReport(managed, 2), {
    mac: '00:16:3e:00:00:02',
    primary: false,
    status: 'managed',
    ipv4: ['10.0.0.30'],
    ipv6: [],
    changes: 2,
    problems: [],
    eniId: 'eni-1',
    interface: 'eth1',
    gateway: '10.0.0.253',
    subnet: '10.0.0.0/24',
    slot: 1,
    table: 1001,
    priority: 20001,
  });
  const entry = eniReport(bad, 0);
  assert.equal(entry.table, undefined);
  assert.deepEqual(entry.problems, ['gateway "x\\ny": not an IPv4 address']);
});

test('changes are counted per ENI by MAC; operations without a MAC count for none', () => {
  const desired: DesiredState = { enis: [managed, bad], global: [], protectedTables: new Set(), protectedInterfaces: new Set(), unmanagedInterfaces: [] };
  const op = (mac?: string): Operation => ({ action: 'add', object: { kind: 'link-up', ifname: 'eth1' }, reason: '', ...(mac === undefined ? {} : { mac }) });
  assert.deepEqual(eniReports(desired, [op(managed.mac), op(managed.mac), op()]).map((entry) => entry.changes), [2, 0]);
});
