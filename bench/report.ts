// Pure: the issue's targets checked against the figures, the Markdown table, and the README section update.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PHASES } from './stats.ts';
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
      add('no-change run within 1.3x its floor', shape, shape.ratios.noChangeOverFloor, 1.3, shape.ratios.noChangeOverFloor <= 1.3);
      const peak = Math.max(first.maxRssMb.max, second.maxRssMb.max);
      add('total peak RSS under 64 MB, executable read from disk (highest of all runs, MB)', shape, Number(peak.toFixed(1)), 64, peak < 64);
      const privatePeak = Math.max(first.privateMb?.max ?? NaN, second.privateMb?.max ?? NaN);
      add('private peak under 32 MB (highest sampled RssAnon+RssShmem, MB)', shape, Number(privatePeak.toFixed(1)), 32, privatePeak < 32);
    }
    if (BIG(shape)) add("at least 10x faster than the seeds' way (seeds / eni-init)", shape, shape.ratios.seedsOverEniInit, 10, shape.ratios.seedsOverEniInit >= 10);
    const floorLimit = shape.shape === '8x10' ? 1.2 : 1.5;
    add(`within ${floorLimit}x of the floor (eni-init / floor)`, shape, shape.ratios.eniInitOverFloor, floorLimit, shape.ratios.eniInitOverFloor <= floorLimit);
    if (shape === shapes[0]) {
      const { floor } = shape;
      const wall = Number((floor.versionMs.median / floor.startupMs.median).toFixed(2));
      const rss = Number((floor.versionRssMb.median / floor.startupRssMb.median).toFixed(2));
      add('`--version` within 1.2x of a hello-world SEA: wall time', shape, wall, 1.2, wall <= 1.2);
      add('`--version` within 1.2x of a hello-world SEA: peak RSS', shape, rss, 1.2, rss <= 1.2);
    }
    const breakdown = first.requestBreakdown;
    // Each request at most once: the token, the listing, `meta-data/all` when the service has one, and every item
    // the document lacks, once per ENI (with a complete `all`: the token and the document alone).
    const readAll = breakdown.other['all'] !== undefined;
    const usedAll = breakdown.perEni === 0 && readAll;
    const limit = usedAll ? 2 : 2 + (readAll ? 1 : 0) + shape.enis * breakdown.items.length;
    const what = usedAll ? '2 (meta-data/all)' : `token + listing${readAll ? ' + all' : ''} + ENIs x ${breakdown.items.length} items read`;
    add(`metadata requests <= ${what}`, shape, first.requests, limit, first.requests <= limit);
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
    '| shape (ENIs x IPs) | eni-init | no-change run | seeds\' way | floor | seeds / eni-init | eni-init / floor | CPU ms (1st / no-change) | peak RSS MB (1st / no-change) | private / file-backed MB (1st) | metadata requests (eni-init / seeds) | processes (eni-init / no-change / seeds) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const shape of results.shapes) {
    const { first, second } = shape.eniInit;
    lines.push(
      `| ${shape.shape} | ${ms(first.wallMs.median)} | ${ms(second.wallMs.median)} | ${ms(shape.seeds.wallMs.median)} | ${ms(shape.floor.totalMs)} | ` +
        `${x(shape.ratios.seedsOverEniInit)} | ${x(shape.ratios.eniInitOverFloor)} | ${first.cpuMs?.median ?? 'n/a'} / ${second.cpuMs?.median ?? 'n/a'} | ${mb(first.maxRssMb.median)} / ${mb(second.maxRssMb.median)} | ` +
        `${mb(first.privateMb?.median ?? NaN)} / ${mb(first.fileMb?.median ?? NaN)} | ` +
        `${first.requests} / ${shape.seeds.requests} | ${first.processes} / ${second.processes} / ${shape.seeds.processes} |`,
    );
  }
  lines.push(
    '',
    'Floor = start of a hello-world SEA built as eni-init is + the metadata round trips no client avoids (token; primary MAC and ENI listing in parallel; every ENI\'s items in parallel) + one `ip -batch` of eni-init\'s final commands. ' +
      'No-change floor = start + round trips + one `ip -json` read of the state.',
    '',
    '| shape | start (hello-world SEA: ms, peak / private MB) | `eni-init --version` (ms, peak / private MB) | metadata round trips (requests) | ip -batch (lines) | floor | state read | no-change floor | no-change / its floor | eni-init requests by kind |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const shape of results.shapes) {
    const { floor } = shape;
    const breakdown = shape.eniInit.first.requestBreakdown;
    lines.push(
      `| ${shape.shape} | ${ms(floor.startupMs.median)}, ${mb(floor.startupRssMb.median)} / ${mb(floor.startupPrivateMb.median)} | ` +
        `${ms(floor.versionMs.median)}, ${mb(floor.versionRssMb.median)} / ${mb(floor.versionPrivateMb.median)} | ${ms(floor.metadataMs.median)} (${floor.metadataRequests}) | ${ms(floor.batchMs.median)} (${floor.batchLines}) | ${ms(floor.totalMs)} | ` +
        `${ms(floor.readMs.median)} | ${ms(floor.noChangeTotalMs)} | ${x(shape.ratios.noChangeOverFloor)} | ` +
        `token ${breakdown.token}, listing ${breakdown.listing}, ${breakdown.perEni} per-ENI (${breakdown.items.length} items)${otherRequests(shape)} |`,
    );
  }
  if (results.shapes.some((shape) => shape.eniInit.first.durations !== undefined)) {
    lines.push(
      '',
      "eni-init's phases (the report's `durations`, medians, ms; converging run / no-change run), beside the floor's metadata round trips:",
      '',
      `| shape | ${PHASES.join(' | ')} | floor's round trips |`,
      `|---|${PHASES.map(() => '---:').join('|')}|---:|`,
    );
    for (const shape of results.shapes) {
      const { first, second } = shape.eniInit;
      const cell = (phase: (typeof PHASES)[number]) => `${first.durations?.[phase] ?? '-'} / ${second.durations?.[phase] ?? '-'}`;
      lines.push(`| ${shape.shape} | ${PHASES.map(cell).join(' | ')} | ${ms(shape.floor.metadataMs.median)} |`);
    }
  } else {
    lines.push('', 'Phase breakdown: absent (this executable\'s report has no `durations`).');
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
