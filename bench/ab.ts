// Interleaved A/B of eni-init executables on one simulated instance: for each round, each executable converges a
// freshly reset instance, then runs again with nothing to change, and prints `--version`; medians at the end.
// For deciding a change (a V8 flag, a client variant) on figures taken in the same minutes, not against an old table.
// Usage (root): node --import tsx bench/ab.ts --shape 72x30 --rounds 7 NAME=PATH NAME=PATH...
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSimInstance } from '../test/sim/instance.ts';
import { resetToBoot, snapshot, waitForSettledIpv6 } from './kernel-state.ts';
import { readBackFromDisk } from './page-cache.ts';
import { Runner } from './runner-client.ts';
import { parseShapes, specOf } from './shapes.ts';
import { median } from './stats.ts';

const BOOT_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
const { values, positionals } = parseArgs({ options: { shape: { type: 'string' }, rounds: { type: 'string' } }, allowPositionals: true });
const [shape] = parseShapes(values.shape ?? '72x30');
const rounds = Number(values.rounds ?? 7);
if (shape === undefined || positionals.length === 0) throw new Error('usage: bench/ab.ts --shape 72x30 --rounds 7 NAME=PATH...');
const work = mkdtempSync('/var/tmp/eni-ab-');
const binaries = positionals.map((arg) => {
  const [name = '', path = ''] = arg.split('=');
  const copy = join(work, name);
  copyFileSync(path, copy);
  readBackFromDisk(copy);
  return { name, path: copy };
});
const sim = await createSimInstance(specOf(shape, 2));
const runner = new Runner(sim.nsInst);
type Row = Record<string, number[]>;
const rows = new Map<string, Row>(binaries.map((b) => [b.name, {}]));
const push = (name: string, key: string, value: number | null | undefined) => {
  const row = rows.get(name) as Row;
  (row[key] ??= []).push(value ?? NaN);
};
try {
  await waitForSettledIpv6(sim.nsInst);
  const boot = await snapshot(sim.nsInst);
  const rss = join(work, 'rss');
  for (let round = 0; round < rounds; round++) {
    for (const { name, path } of round % 2 === 0 ? binaries : [...binaries].reverse()) {
      const argv = [path, 'apply', '--metadata-url', 'http://100.100.100.200', '--root', sim.rootDir];
      await resetToBoot(sim.nsInst, boot);
      for (const entry of ['etc', 'run', 'var']) rmSync(join(sim.rootDir, entry), { recursive: true, force: true });
      const first = await runner.exec({ argv, env: BOOT_ENV, rssFile: rss, memSampleMs: 2 });
      const second = await runner.exec({ argv, env: BOOT_ENV, rssFile: rss, memSampleMs: 2 });
      const version = await runner.exec({ argv: [path, '--version'], env: BOOT_ENV, rssFile: rss, memSampleMs: 2 });
      if (first.code !== 0 || second.code !== 0) throw new Error(`${name}: exit ${first.code}/${second.code}: ${first.stderr.slice(-500)}`);
      push(name, 'apply ms', first.wallMs);
      push(name, 'apply CPU ms', first.cpuMs);
      push(name, 'no-change ms', second.wallMs);
      push(name, 'no-change CPU ms', second.cpuMs);
      push(name, 'apply peak MB', (first.maxRssKb ?? NaN) / 1024);
      push(name, 'apply private MB', (first.privateKb ?? NaN) / 1024);
      push(name, 'apply file MB', (first.fileKb ?? NaN) / 1024);
      push(name, '--version ms', version.wallMs);
      push(name, '--version CPU ms', version.cpuMs);
      push(name, '--version peak MB', (version.maxRssKb ?? NaN) / 1024);
      push(name, '--version private MB', (version.privateKb ?? NaN) / 1024);
    }
    process.stderr.write(`ab: round ${round + 1}/${rounds}\n`);
  }
} finally {
  await runner.stop();
  await sim.destroy();
  rmSync(work, { recursive: true, force: true });
}
const keys = Object.keys(rows.values().next().value ?? {});
process.stdout.write(`| ${shape.enis}x${shape.ips}, median of ${rounds} | ${keys.join(' | ')} |\n|---|${keys.map(() => '---:').join('|')}|\n`);
for (const [name, row] of rows) process.stdout.write(`| ${name} | ${keys.map((key) => median(row[key] ?? []).toFixed(1)).join(' | ')} |\n`);
