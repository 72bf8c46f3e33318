// The results as an SVG chart: Vega-Lite spec -> Vega view rendered headless in Node (no browser, no native module).
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { Results } from './run.ts';

const SERIES = ["seeds' way", 'eni-init', 'eni-init, no-change run', 'floor'] as const;
const COLORS = ['#9e9e9e', '#1f77b4', '#6baed6', '#2ca02c'];

export function chartSpec(results: Results): TopLevelSpec {
  const values = results.shapes.flatMap((shape) => [
    { shape: shape.shape, series: SERIES[0], ms: shape.seeds.wallMs.median },
    { shape: shape.shape, series: SERIES[1], ms: shape.eniInit.first.wallMs.median },
    { shape: shape.shape, series: SERIES[2], ms: shape.eniInit.second.wallMs.median },
    { shape: shape.shape, series: SERIES[3], ms: shape.floor.totalMs },
  ]).map((row) => ({ ...row, label: row.ms >= 10_000 ? `${(row.ms / 1000).toFixed(1)} s` : `${Math.round(row.ms)}` }));
  const order = results.shapes.map((shape) => shape.shape);
  // A log scale has no zero: bars are not stacked and the domain is explicit, whole decades around the data.
  const positive = values.map((row) => row.ms).filter((ms) => Number.isFinite(ms) && ms > 0);
  const low = 10 ** Math.floor(Math.log10(Math.min(...positive, 10)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...positive, 100) * 1.5));
  const series: string[] = [...SERIES];
  const xTitle = 'ENIs x private IPs per ENI';
  const yTitle = 'wall time, ms (log scale, median)';
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'eni-init boot-time cost: converging a fresh instance',
      subtitle: [
        `${results.machine.cores} cores, metadata latency ${results.latencyMs} ms per request, median of ${results.runs} run(s) on freshly reset instances`,
        'floor = start of a hello-world SEA + unavoidable metadata round trips + one ip -batch of the final commands',
      ],
    },
    width: 640,
    height: 320,
    background: 'white',
    data: { values },
    layer: [
      {
        mark: { type: 'bar', clip: true },
        encoding: {
          x: { field: 'shape', type: 'nominal', sort: order, title: xTitle, axis: { labelAngle: 0 } },
          xOffset: { field: 'series', type: 'nominal', sort: series },
          y: { field: 'ms', type: 'quantitative', stack: null, scale: { type: 'log', domain: [low, high] }, title: yTitle },
          color: { field: 'series', type: 'nominal', sort: series, scale: { domain: series, range: COLORS }, legend: { title: null, orient: 'top', labelLimit: 0 } },
        },
      },
      {
        mark: { type: 'text', dy: -6, fontSize: 9 },
        encoding: {
          x: { field: 'shape', type: 'nominal', sort: order, title: xTitle },
          xOffset: { field: 'series', type: 'nominal', sort: series },
          y: { field: 'ms', type: 'quantitative', stack: null, scale: { type: 'log', domain: [low, high] }, title: yTitle },
          text: { field: 'label' },
        },
      },
    ],
  };
  return spec;
}

export async function renderSvg(results: Results): Promise<string> {
  const { spec } = compile(chartSpec(results));
  const view = new View(parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
