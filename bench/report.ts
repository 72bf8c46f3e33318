// Pure: the issue's targets checked against the figures, the Markdown table, and the README section update.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Results, ShapeResult } from './run.ts';

export interface TargetCheck {
  target: string;
  shape: string;
  value: number;
  limit: number;
  met: boolean;
}

const BIG = (shape: ShapeResult) => shape.privateIps >= 80;

export function evaluateTargets(shapes: readonly ShapeResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (target: string, shape: ShapeResult, value: number, limit: number, met: boolean) => checks.push({ target, shape: shape.shape, value, limit, met });
  for (const shape of shapes) {
    const { first, second } = shape.eniInit;
    if (shape.shape === '72x30') {
      add('converges in under 1 s (median wall time, ms)', shape, first.wallMs.median, 1000, first.wallMs.median < 1000);
      add('no-change run under 0.5 s (median wall time, ms)', shape, second.wallMs.median, 500, second.wallMs.median < 500);
      const peak = Math.max(first.maxRssMb.max, second.maxRssMb.max);
      add('peak RSS under 80 MB (highest of all runs, MB)', shape, Number(peak.toFixed(1)), 80, peak < 80);
    }
    if (BIG(shape)) add("at least 10x faster than the seeds' way (seeds / eni-init)", shape, shape.ratios.seedsOverEniInit, 10, shape.ratios.seedsOverEniInit >= 10);
    add('within 2x of the floor (eni-init / floor)', shape, shape.ratios.eniInitOverFloor, 2, shape.ratios.eniInitOverFloor <= 2);
    const breakdown = first.requestBreakdown;
    const usedAll = breakdown.perEni === 0 && breakdown.other['all'] !== undefined;
    const limit = usedAll ? 2 : 2 + shape.enis * breakdown.items.length;
    add(`metadata requests <= ${usedAll ? '2 (meta-data/all)' : `2 + ENIs x ${breakdown.items.length} items read`}`, shape, first.requests, limit, first.requests <= limit);
    const modes = shape.allModes;
    if (modes !== undefined) {
      add('a partial meta-data/all never costs more requests than the tree alone', shape, modes.partial.requests, modes.none.requests, modes.partial.requests <= modes.none.requests);
    }
  }
  return checks;
}

const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const x = (value: number) => (Number.isFinite(value) ? `${value}x` : 'n/a');
const mb = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');

function otherRequests(shape: ShapeResult): string {
  const other = Object.entries(shape.eniInit.first.requestBreakdown.other);
  return other.length === 0 ? '' : ` (+ ${other.map(([path, count]) => `${path}${count > 1 ? ` x${count}` : ''}`).join(', ')})`;
}

export function renderMarkdown(results: Results): string {
  const lines: string[] = [];
  lines.push(
    `Measured ${results.date.slice(0, 10)} on ${results.machine.cores} cores (${results.machine.cpu}), Linux ${results.machine.kernel}, ${results.machine.iproute2}; ` +
      `${results.binary.version} (commit ${results.binary.commit}); metadata latency ${results.latencyMs} ms per request; median of ${results.runs} run(s), each on a freshly reset instance.`,
    `Command: \`${results.command}\`.`,
    '',
    '| shape (ENIs x IPs) | eni-init | no-change run | seeds\' way | floor | seeds / eni-init | eni-init / floor | peak RSS MB (1st / no-change) | metadata requests (eni-init / seeds) | processes (eni-init / no-change / seeds) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const shape of results.shapes) {
    const { first, second } = shape.eniInit;
    lines.push(
      `| ${shape.shape} | ${ms(first.wallMs.median)} | ${ms(second.wallMs.median)} | ${ms(shape.seeds.wallMs.median)} | ${ms(shape.floor.totalMs)} | ` +
        `${x(shape.ratios.seedsOverEniInit)} | ${x(shape.ratios.eniInitOverFloor)} | ${mb(first.maxRssMb.median)} / ${mb(second.maxRssMb.median)} | ` +
        `${first.requests} / ${shape.seeds.requests} | ${first.processes} / ${second.processes} / ${shape.seeds.processes} |`,
    );
  }
  lines.push(
    '',
    'Floor = start of the executable (`eni-init --version`) + the metadata round trips no client avoids (token; primary MAC and ENI listing in parallel; every ENI\'s items in parallel) + one `ip -batch` of eni-init\'s final commands. ' +
      'No-change floor = start + round trips + one `ip -json` read of the state.',
    '',
    '| shape | start | metadata round trips (requests) | ip -batch (lines) | floor | state read | no-change floor | no-change / its floor | eni-init requests by kind |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const shape of results.shapes) {
    const { floor } = shape;
    const breakdown = shape.eniInit.first.requestBreakdown;
    lines.push(
      `| ${shape.shape} | ${ms(floor.startupMs.median)} | ${ms(floor.metadataMs.median)} (${floor.metadataRequests}) | ${ms(floor.batchMs.median)} (${floor.batchLines}) | ${ms(floor.totalMs)} | ` +
        `${ms(floor.readMs.median)} | ${ms(floor.noChangeTotalMs)} | ${x(shape.ratios.noChangeOverFloor)} | ` +
        `token ${breakdown.token}, listing ${breakdown.listing}, ${breakdown.perEni} per-ENI (${breakdown.items.length} items)${otherRequests(shape)} |`,
    );
  }
  if (results.shapes.some((shape) => shape.allModes !== undefined)) {
    lines.push(
      '',
      'eni-init apply by the shape of `meta-data/all` (a partial one, as in Alibaba\'s samples, is the default above: the document, then the listing and every missing item in one wave):',
      '',
      '| shape | no `all` (tree only) | partial `all` | complete `all` |',
      '|---|---:|---:|---:|',
    );
    for (const shape of results.shapes) {
      const modes = shape.allModes;
      if (modes === undefined) continue;
      const cell = (mode: { wallMs: { median: number }; requests: number }) => `${ms(mode.wallMs.median)} (${mode.requests} requests)`;
      lines.push(`| ${shape.shape} | ${cell(modes.none)} | ${cell(modes.partial)} | ${cell(modes.complete)} |`);
    }
  }
  const noisy = results.shapes.reduce((sum, shape) => sum + shape.noisyMeasurements, 0);
  if (noisy > 0) lines.push('', `Note: ${noisy} timed measurement(s) started while another job kept this machine busy (see noisyMeasurements in results.json); rerun on a quiet machine.`);
  const sameState = results.shapes.every((shape) => shape.endState.same);
  lines.push('', `Kernel end state of eni-init and of the seeds' way: ${sameState ? 'identical at every shape (addresses, routes of all tables, rules)' : 'DIFFERENT (see results.json)'}.`, '', '| target | shape | value | limit | met |', '|---|---|---:|---:|---|');
  for (const check of results.targets) lines.push(`| ${check.target} | ${check.shape} | ${check.value} | ${check.limit} | ${check.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated section of bench/README.md (between the markers) with the latest table. */
export function updateReadme(path: string, markdown: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return;
  writeFileSync(path, `${text.slice(0, start + START.length)}\n${markdown}\n${text.slice(end)}`);
}
