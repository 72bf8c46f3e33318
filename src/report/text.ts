// Pure: report -> the summary a person reads on stdout (apply, plan, remove) or the status table.
import { PHASES } from './report.ts';
import type { EniReport, Report } from './report.ts';
import type { ChangeEntry, FileEntry } from '../model.ts';

const HEADLINE: Record<Report['outcome'], string> = {
  converged: 'converged',
  'no-change': 'nothing to change, already converged',
  partial: 'partially converged (see problems)',
  planned: 'plan only, nothing changed',
  'in-sync': 'live state matches metadata',
  drift: 'live state differs from metadata',
  removed: 'removed what eni-init created',
  'metadata-unreachable': 'metadata service unreachable, nothing changed',
  'bad-metadata': 'metadata unusable, nothing changed',
  'apply-failed': 'FAILED to apply',
  busy: 'another eni-init run holds the lock, nothing changed',
  interrupted: 'interrupted before changing anything',
  environment: 'environment unfit (read-only or full file system, or a path of the wrong type), nothing changed',
  permission: 'not permitted (needs root or CAP_NET_ADMIN), nothing changed',
  'read-failed': 'could not read the network state or a file eni-init needs',
  'not-on-cloud': 'not an Alibaba Cloud ECS instance (DMI) and no --metadata-url given, nothing read or changed',
  internal: 'internal error',
};

const STATUS_TEXT: Record<EniReport['status'], string> = {
  managed: '',
  excluded: 'excluded by configuration, left alone',
  'not-selected': 'not selected (--only-interface), left alone',
  'missing-interface': 'no local interface with this MAC (yet)',
  'ambiguous-interface': 'several interfaces carry this MAC, none chosen',
  'unsafe-interface-name': 'interface name cannot be passed to ip safely, left alone',
  'bad-metadata': 'bad metadata, left alone',
  'no-slot': 'no free table slot',
};

function eniRole(eni: EniReport): string {
  if (eni.table !== undefined) return `table ${eni.table}, rule priority ${eni.priority}`;
  return eni.primary ? 'main table (no rules)' : '';
}

function eniBlock(eni: EniReport, verb: string): string[] {
  const head = [eni.interface ?? '-', eni.mac, eni.eniId ?? '-', eni.primary ? 'primary' : 'secondary'].join('  ');
  const lines = [`  ${head}${eniRole(eni) ? `  ${eniRole(eni)}` : ''}`];
  if (eni.ipv4.length > 0) lines.push(`      ipv4  ${eni.ipv4.join(' ')}${eni.subnet ? `  (subnet ${eni.subnet}, gateway ${eni.gateway})` : ''}`);
  if (eni.ipv6.length > 0) lines.push(`      ipv6  ${eni.ipv6.join(' ')}`);
  if (eni.status !== 'managed') lines.push(`      state ${STATUS_TEXT[eni.status]}`);
  else lines.push(`      ${verb.padEnd(5)} ${eni.changes === 0 ? 'nothing' : `${eni.changes} change${eni.changes === 1 ? '' : 's'}`}`);
  for (const problem of eni.problems) lines.push(`      problem ${problem}`);
  return lines;
}

function statusCell(eni: EniReport): string {
  if (eni.status !== 'managed') return STATUS_TEXT[eni.status];
  return eni.changes === 0 ? 'in sync' : `${eni.changes} change${eni.changes === 1 ? '' : 's'} pending`;
}

/** `status`: one row per ENI, metadata against live state. */
function statusTable(report: Report): string[] {
  const rows = [['IFACE', 'MAC', 'ENI', 'ROLE', 'TABLE', 'PRIVATE IPS', 'STATE']];
  for (const eni of report.enis) {
    rows.push([
      eni.interface ?? '-',
      eni.mac,
      eni.eniId ?? '-',
      eni.primary ? 'primary' : 'secondary',
      eni.table === undefined ? (eni.primary ? 'main' : '-') : String(eni.table),
      [...eni.ipv4, ...eni.ipv6].join(',') || '-',
      statusCell(eni),
    ]);
  }
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => '  ' + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '));
}

/** One `ip` command with why it is (or was) run, as a shell comment: the line stays copyable. */
function changeLine(change: ChangeEntry): string {
  const why = change.reason === '' ? '' : `   # ${change.reason}`;
  return `  ${change.command}${why}${change.failed ? `   FAILED: ${change.failed}` : ''}`;
}

/** One file with what happens to it and why; under `plan`, the diff of what would be written, indented. */
function fileLines(file: FileEntry, withDiff: boolean): string[] {
  const notes = [file.reason, file.note].filter((text) => text !== undefined && text !== '');
  const lines = [`  ${file.action.padEnd(13)} ${file.path}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`];
  if (withDiff && file.diff) lines.push(...file.diff.replace(/\n$/, '').split('\n').map((line) => `      ${line}`));
  return lines;
}

export function renderText(report: Report): string {
  const seconds = (report.durationMs / 1000).toFixed(2);
  const by = report.metadata?.requestsBy;
  const split = by ? ` (all ${by.all}, tree ${by.tree}, token ${by.token})` : '';
  const meta = report.metadata ? `, metadata: ${report.metadata.tokenMode} mode, ${report.metadata.requests} requests${split}` : '';
  const instance = report.instance?.instanceId ? ` on ${report.instance.instanceId}` : '';
  const lines = [`eni-init ${report.version} ${report.command}${instance}: ${HEADLINE[report.outcome]} (${seconds} s${meta})`];
  const phases = PHASES.filter((phase) => report.durations[phase] !== undefined).map((phase) => `${phase} ${report.durations[phase]} ms`);
  if (phases.length > 0) lines.push(`  took: ${phases.join(', ')}`);
  const verb = report.command === 'plan' || report.command === 'status' ? 'todo' : 'done';
  if (report.command === 'status' && report.enis.length > 0) lines.push('', ...statusTable(report));
  else if (report.enis.length > 0) lines.push('', 'ENIs:');
  if (report.command !== 'status') for (const eni of report.enis) lines.push(...eniBlock(eni, verb));
  if (report.unmanagedInterfaces.length > 0) {
    lines.push('', `Not in metadata, left alone: ${report.unmanagedInterfaces.map((iface) => `${iface.name} (${iface.mac})`).join(', ')}`);
  }
  if (report.changes.length > 0) {
    lines.push('', report.command === 'plan' || report.command === 'status' ? 'Would run:' : 'Changes:');
    for (const change of report.changes) lines.push(changeLine(change));
  }
  if (report.deferred.length > 0) {
    lines.push('', 'Held back (metadata incomplete or ENI protected):');
    for (const change of report.deferred) lines.push(changeLine(change));
  }
  if (report.files.length > 0) {
    lines.push('', 'Files:');
    for (const file of report.files) lines.push(...fileLines(file, report.command === 'plan'));
  }
  if (report.problems.length > 0) {
    lines.push('', 'Problems:');
    for (const problem of report.problems) lines.push(`  [${problem.code}] ${problem.message}`);
  }
  if (report.error) lines.push('', `Error: ${report.error.message}`);
  lines.push('', `exit ${report.exitCode} (${report.outcome})`);
  return lines.join('\n') + '\n';
}
