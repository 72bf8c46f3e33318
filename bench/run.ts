// `npm run bench`: boot-time cost of eni-init at real scale, against the seeds' procedure (bench/seeds-way.sh) and
// against the floor, on simulated instances (network namespaces + the fake metadata service with a fixed latency).
// Writes <out>/results.json and <out>/results.svg, prints the table on stdout and progress on stderr.
// Usage: node --import tsx bench/run.ts [--shapes 2x6,8x10,...] [--runs 5] [--latency-ms 2] [--out DIR] [--binary PATH]
//        [--quiet-wait-s S]  (before each timed run, wait up to S seconds for the machine to be quiet; 0 = never)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSimInstance } from '../test/sim/instance.ts';
import type { SimInstance } from '../test/sim/instance.ts';
import { addedCounts, describeDiff, diffStates, resetToBoot, snapshot, waitForSettledIpv6 } from './kernel-state.ts';
import type { KernelState } from './kernel-state.ts';
import { readBackFromDisk } from './page-cache.ts';
import { Runner } from './runner-client.ts';
import type { ExecAnswer } from './runner-client.ts';
import { DEFAULT_SHAPES, parseShapes, shapeName, specOf } from './shapes.ts';
import type { Shape } from './shapes.ts';
import { PHASES, classifyRequests, countProcesses, median, ratio, sample } from './stats.ts';
import type { Phase, ProcessCount, RequestBreakdown, Sample } from './stats.ts';
import { evaluateTargets, renderMarkdown, updateReadme } from './report.ts';
import { renderSvg } from './plot.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(BENCH_DIR, '..');
const SEEDS = join(BENCH_DIR, 'seeds-way.sh');
const IMDS = 'http://100.100.100.200';
/** What a boot-time service gets from systemd: PATH and nothing else (no NODE_* variables of a developer shell). */
const BOOT_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
/** Connections of the floor's metadata client: the fastest pool size on this machine (8, 16, 64, unbounded tried). */
const FLOOR_SOCKETS = 64;
/** Interval of the private/file-backed RSS sampling of /proc/PID/status (bench/runner.mjs). */
const MEM_SAMPLE_MS = 2;
/** The per-ENI items of the floor when eni-init read none from the tree (a complete `all`). */
const FLOOR_ITEMS = ['network-interface-id', 'primary-ip-address', 'private-ipv4s', 'netmask', 'gateway', 'ipv4-prefixes', 'ipv6s'];

export interface ModeResult {
  wallMs: Sample;
  /** User+system CPU time (GNU time; 10 ms resolution): less disturbed than wall time by other jobs on the machine. */
  cpuMs?: Sample;
  /** Peak RSS (GNU time's exact ru_maxrss). */
  maxRssMb: Sample;
  /** Highest sampled RssAnon+RssShmem and RssFile (every MEM_SAMPLE_MS ms); absent for the seeds' way. */
  privateMb?: Sample;
  fileMb?: Sample;
  /** Medians of the report's per-phase durations (report.durations), when the executable writes them. */
  durations?: Partial<Record<Phase, number>>;
  /** Metadata requests of one run (the same in every run; the first timed run's breakdown). */
  requests: number;
  requestBreakdown: RequestBreakdown;
  /** From the untimed strace run. */
  processes: number;
  execs: number;
  byProgram: Record<string, number>;
  outcome?: string;
}

export interface FloorResult {
  /** Start of a hello-world SEA built the same way as eni-init (bench/hello-sea.mjs). */
  startupMs: Sample;
  startupRssMb: Sample;
  startupPrivateMb: Sample;
  /** `eni-init --version`, for comparison with the hello-world start (not part of the floor). */
  versionMs: Sample;
  versionRssMb: Sample;
  versionPrivateMb: Sample;
  metadataMs: Sample;
  metadataRequests: number;
  batchMs: Sample;
  batchLines: number;
  /** One `ip -json` read of the whole IPv4 state: what a no-change run cannot avoid besides start and metadata. */
  readMs: Sample;
  /** startup + metadata + batch (medians). */
  totalMs: number;
  /** startup + metadata + read (medians). */
  noChangeTotalMs: number;
}

export interface ShapeResult {
  shape: string;
  enis: number;
  ipsPerEni: number;
  privateIps: number;
  /** Objects added to the boot state by a converging run. */
  added: { addresses: number; routes: number; rules: number };
  eniInit: { first: ModeResult; second: ModeResult };
  seeds: ModeResult;
  floor: FloorResult;
  ratios: { seedsOverEniInit: number; eniInitOverFloor: number; noChangeOverFloor: number };
  endState: { same: boolean; diff: string };
  /** Timed measurements started although the machine was not quiet (another job kept it over 10% busy for 10 s). */
  noisyMeasurements: number;
  /** eni-init apply with the metadata service's `all` absent, partial (the default above, as Alibaba's samples), complete. */
  allModes?: Record<'none' | 'partial' | 'complete', { wallMs: Sample; requests: number }>;
}

export interface Results {
  schemaVersion: 1;
  command: string;
  date: string;
  machine: { cpu: string; cores: number; kernel: string; node: string; iproute2: string };
  /** commit: the repository's HEAD, `+dirty` when src/ has uncommitted changes (the binary may be older: build first). */
  binary: { path: string; version: string; commit: string };
  latencyMs: number;
  runs: number;
  method: Record<string, string>;
  shapes: ShapeResult[];
  targets: ReturnType<typeof evaluateTargets>;
}

interface Options {
  hello: string;
  shapes: Shape[];
  runs: number;
  latencyMs: number;
  out: string;
  binary: string;
  quietWaitS: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      shapes: { type: 'string' },
      runs: { type: 'string' },
      'latency-ms': { type: 'string' },
      out: { type: 'string' },
      binary: { type: 'string' },
      'quiet-wait-s': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write('usage: node --import tsx bench/run.ts [--shapes 2x6,8x10,15x50,32x50,72x30] [--runs 5] [--latency-ms 2] [--out bench] [--binary dist/eni-init] [--quiet-wait-s 10]\n');
    process.exit(0);
  }
  const runs = Number(values.runs ?? 5);
  const latencyMs = Number(values['latency-ms'] ?? 2);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs: expected 1..50');
  if (!Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 1000) throw new Error('--latency-ms: expected 0..1000');
  const quietWaitS = Number(values['quiet-wait-s'] ?? 10);
  if (!Number.isFinite(quietWaitS) || quietWaitS < 0 || quietWaitS > 600) throw new Error('--quiet-wait-s: expected 0..600');
  return {
    hello: '',
    shapes: values.shapes === undefined ? DEFAULT_SHAPES : parseShapes(values.shapes),
    runs,
    latencyMs,
    out: resolve(values.out ?? BENCH_DIR),
    binary: resolve(values.binary ?? join(REPO, 'dist', 'eni-init')),
    quietWaitS,
  };
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function preflight(options: Options): void {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('run as root (network namespaces)');
  if (!existsSync(options.binary)) problems.push(`${options.binary} is missing: run \`npm run build\` first`);
  for (const tool of ['/usr/bin/time', 'strace', 'curl', 'bash', 'ip']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      problems.push(`${tool} is missing (apt-get install time strace curl)`);
    }
  }
  if (problems.length > 0) throw new Error(`bench cannot run: ${problems.join('; ')}`);
  const built = statSync(options.binary).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => (entry.isDirectory() ? newer(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs > built));
  if (existsSync(join(REPO, 'src')) && newer(join(REPO, 'src'))) progress(`WARNING: ${options.binary} is older than files in src/: run \`npm run build\` first`);
}

/** Everything this process started and must remove even when it fails or is interrupted. */
const owned = { runners: new Set<Runner>(), workDir: '' };
function cleanupSync(): void {
  for (const runner of owned.runners) runner.stopSync();
  if (owned.workDir !== '') rmSync(owned.workDir, { recursive: true, force: true });
}

function mustSucceed(what: string, answer: ExecAnswer): ExecAnswer {
  if (answer.code !== 0) throw new Error(`${what} exited with ${answer.code}${answer.signal ? ` (${answer.signal})` : ''}: ${(answer.stderr || answer.stdout).slice(-1500)}`);
  return answer;
}

/** Busy fraction of all CPUs over `windowMs`, from /proc/stat (user+nice+system+irq+softirq+steal over the total). */
async function busyFraction(windowMs: number): Promise<number> {
  const read = () => {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { idle, total: fields.reduce((sum, value) => sum + value, 0) };
  };
  const before = read();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = read();
  const total = after.total - before.total;
  return total <= 0 ? 0 : 1 - (after.idle - before.idle) / total;
}

/**
 * Waits (at most `waitS` seconds; 0 = not at all) until the machine is quiet (under 10% busy over 300 ms) before a timed run, so that another
 * job on this 2-core machine does not end up in the figures. Returns false when it never became quiet.
 */
async function quietGate(waitS: number): Promise<boolean> {
  if (waitS <= 0) return true;
  for (let attempt = 0; attempt < Math.ceil(waitS / 0.3); attempt++) {
    if ((await busyFraction(300)) < 0.1) return true;
  }
  return false;
}

function clearRoot(root: string): void {
  for (const entry of readdirSync(root)) rmSync(join(root, entry), { recursive: true, force: true });
}

interface Report {
  durations?: Partial<Record<Phase, number>>;
  outcome: string;
  exitCode: number;
  changes: { command: string }[];
}

function readReport(root: string): Report {
  return JSON.parse(readFileSync(join(root, 'run', 'eni-init', 'report.json'), 'utf8')) as Report;
}

const MB = (kb: number | null | undefined) => (kb === null || kb === undefined ? NaN : kb / 1024);

/** Per-phase medians of the reports that carry durations; undefined when none does. */
function phaseMedians(reports: readonly Report[]): Partial<Record<Phase, number>> | undefined {
  const withDurations = reports.filter((report) => report.durations !== undefined);
  if (withDurations.length === 0) return undefined;
  const result: Partial<Record<Phase, number>> = {};
  for (const phase of PHASES) {
    const values = withDurations.map((report) => report.durations?.[phase]).filter((value): value is number => typeof value === 'number');
    if (values.length > 0) result[phase] = median(values);
  }
  return result;
}

async function measureShape(shape: Shape, options: Options, workDir: string): Promise<ShapeResult> {
  const name = shapeName(shape);
  const started = Date.now();
  let sim: SimInstance | undefined;
  let runner: Runner | undefined;
  try {
    sim = await createSimInstance(specOf(shape, options.latencyMs));
    const ns = sim.nsInst;
    const root = sim.rootDir;
    const instance = sim;
    await waitForSettledIpv6(ns);
    const boot = await snapshot(ns);
    runner = new Runner(ns);
    owned.runners.add(runner);
    const exec = runner.exec.bind(runner);
    progress(`${name}: instance ${sim.prefix} ready (${shape.enis} ENIs, ${shape.enis * shape.ips} private IPs) in ${Date.now() - started} ms`);

    const reset = async () => {
      await resetToBoot(ns, boot);
      clearRoot(root);
      await instance.resetImdsStats();
    };
    const expectState = async (what: string, expected: KernelState) => {
      const diff = diffStates(expected, await snapshot(ns));
      if (diff.missing.length > 0 || diff.extra.length > 0) throw new Error(`${name}: ${what}: kernel state differs from eni-init's:\n${describeDiff(diff)}`);
    };
    const eniArgv = [options.binary, 'apply', '--metadata-url', IMDS, '--root', root];
    const seedsArgv = ['bash', SEEDS, IMDS];
    const stracePath = join(workDir, `${name}.strace`);
    const counted = async (argv: string[]): Promise<ProcessCount> => {
      const answer = await exec({ argv, env: BOOT_ENV, straceFile: stracePath, timeoutMs: 600_000 });
      mustSucceed(`${argv.join(' ')} (under strace)`, answer);
      const count = countProcesses(readFileSync(stracePath, 'utf8'));
      rmSync(stracePath, { force: true });
      return count;
    };

    // Untimed pass under strace: processes spawned, the end states, the final commands; it also warms every cache.
    await reset();
    const countFirst = await counted(eniArgv);
    // The floor reads the per-ENI items this eni-init reads (so both do the same round trips); FLOOR_ITEMS only when it read none.
    const readItems = classifyRequests((await instance.imdsStats()).byPath).items;
    const floorItems = readItems.length > 0 ? readItems : FLOOR_ITEMS;
    const firstReport = readReport(root);
    if (firstReport.outcome !== 'converged') throw new Error(`${name}: eni-init apply: outcome ${firstReport.outcome}, expected converged`);
    const eniEnd = await snapshot(ns);
    const batchLines = firstReport.changes.map((change) => {
      if (!change.command.startsWith('ip -4 ')) throw new Error(`${name}: unexpected change ${change.command} (the bench shapes are IPv4 only)`);
      return change.command.slice('ip -4 '.length);
    });
    const countSecond = await counted(eniArgv);
    const secondOutcome = readReport(root).outcome;
    if (secondOutcome !== 'no-change') throw new Error(`${name}: eni-init apply again: outcome ${secondOutcome}, expected no-change`);
    await reset();
    const countSeeds = await counted(seedsArgv);
    const seedsEnd = await snapshot(ns);
    const endDiff = diffStates(eniEnd, seedsEnd);
    const endState = { same: endDiff.missing.length === 0 && endDiff.extra.length === 0, diff: describeDiff(endDiff) };
    if (!endState.same) progress(`${name}: WARNING: the seeds' way ends in another kernel state than eni-init:\n${endState.diff}`);
    // Warm the runner's own HTTP client (JIT), so the floor's round trips are not charged a cold start.
    for (let warm = 0; warm < 3; warm++) await runner.metadata(IMDS, floorItems, FLOOR_SOCKETS);

    const wall = { first: [] as number[], second: [] as number[], seeds: [] as number[], startup: [] as number[], metadata: [] as number[], batch: [] as number[], read: [] as number[] };
    const rss = { first: [] as number[], second: [] as number[], seeds: [] as number[], startup: [] as number[], version: [] as number[] };
    const privateMb = { first: [] as number[], second: [] as number[], startup: [] as number[], version: [] as number[] };
    const fileMb = { first: [] as number[], second: [] as number[] };
    const cpuMs = { first: [] as number[], second: [] as number[] };
    const versionWall: number[] = [];
    const reports = { first: [] as Report[], second: [] as Report[] };
    let requests: { first?: RequestBreakdown; second?: RequestBreakdown; seeds?: RequestBreakdown } = {}; // of run 1
    let metadataRequests = 0;
    const rssFile = join(workDir, `${name}.rss`);
    let noisy = 0;
    const gate = async () => {
      if (await quietGate(options.quietWaitS)) return;
      noisy++;
      progress(`${name}: the machine stayed busy (another job?); measuring anyway`);
    };
    const readLiveInput = 'link show\naddress show\nroute show table all\nrule show\n';

    for (let run = 1; run <= options.runs; run++) {
      // eni-init on a freshly reset instance, then again without any change in between.
      await reset();
      await gate();
      const first = mustSucceed('eni-init apply', await exec({ argv: eniArgv, env: BOOT_ENV, rssFile, memSampleMs: MEM_SAMPLE_MS, timeoutMs: 120_000 }));
      const firstStats = classifyRequests((await instance.imdsStats()).byPath);
      const report = readReport(root);
      if (report.outcome !== 'converged') throw new Error(`${name}: eni-init apply run ${run}: outcome ${report.outcome}`);
      await expectState(`eni-init run ${run}`, eniEnd);
      await instance.resetImdsStats();
      await gate();
      const second = mustSucceed('eni-init apply (again)', await exec({ argv: eniArgv, env: BOOT_ENV, rssFile, memSampleMs: MEM_SAMPLE_MS, timeoutMs: 120_000 }));
      const secondStats = classifyRequests((await instance.imdsStats()).byPath);
      const secondReport = readReport(root);
      if (secondReport.outcome !== 'no-change') throw new Error(`${name}: second eni-init apply run ${run}: outcome ${secondReport.outcome}, expected no-change`);
      // The floor of a no-change run: reading the (converged) state once.
      const read = mustSucceed('ip -json read', await exec({ argv: ['ip', '-json', '-N', '-4', '-batch', '-'], env: BOOT_ENV, input: readLiveInput }));

      // The seeds' way on a freshly reset instance.
      await reset();
      await gate();
      const seeds = mustSucceed('seeds-way.sh', await exec({ argv: seedsArgv, env: BOOT_ENV, rssFile, timeoutMs: 600_000 }));
      const seedsStats = classifyRequests((await instance.imdsStats()).byPath);
      await expectState(`seeds' way run ${run}`, seedsEnd);

      // The floor: one ip -batch of the final commands on a freshly reset instance, the executable's start, the round trips.
      await reset();
      await gate();
      const batch = mustSucceed('ip -batch of the final commands', await exec({ argv: ['ip', '-4', '-force', '-batch', '-'], env: BOOT_ENV, input: `${batchLines.join('\n')}\n` }));
      await expectState(`floor batch run ${run}`, eniEnd);
      await gate();
      const startup = mustSucceed('hello-world SEA', await exec({ argv: [options.hello], env: BOOT_ENV, rssFile, memSampleMs: MEM_SAMPLE_MS }));
      await gate();
      const version = mustSucceed('eni-init --version', await exec({ argv: [options.binary, '--version'], env: BOOT_ENV, rssFile, memSampleMs: MEM_SAMPLE_MS }));
      await instance.resetImdsStats();
      await gate();
      const metadata = await runner.metadata(IMDS, floorItems, FLOOR_SOCKETS);
      metadataRequests = metadata.requests;

      wall.first.push(first.wallMs);
      wall.second.push(second.wallMs);
      wall.seeds.push(seeds.wallMs);
      wall.startup.push(startup.wallMs);
      wall.metadata.push(metadata.wallMs);
      wall.batch.push(batch.wallMs);
      wall.read.push(read.wallMs);
      rss.first.push(MB(first.maxRssKb));
      rss.second.push(MB(second.maxRssKb));
      rss.seeds.push(MB(seeds.maxRssKb));
      rss.startup.push(MB(startup.maxRssKb));
      rss.version.push(MB(version.maxRssKb));
      versionWall.push(version.wallMs);
      privateMb.first.push(MB(first.privateKb));
      privateMb.second.push(MB(second.privateKb));
      privateMb.startup.push(MB(startup.privateKb));
      privateMb.version.push(MB(version.privateKb));
      fileMb.first.push(MB(first.fileKb));
      cpuMs.first.push(first.cpuMs ?? NaN);
      cpuMs.second.push(second.cpuMs ?? NaN);
      fileMb.second.push(MB(second.fileKb));
      reports.first.push(report);
      reports.second.push(secondReport);
      if (run === 1) requests = { first: firstStats, second: secondStats, seeds: seedsStats };
      progress(
        `${name} run ${run}/${options.runs}: eni-init ${first.wallMs.toFixed(0)} ms (no-change ${second.wallMs.toFixed(0)} ms), ` +
          `seeds' way ${seeds.wallMs.toFixed(0)} ms, floor ${startup.wallMs.toFixed(0)}+${metadata.wallMs.toFixed(0)}+${batch.wallMs.toFixed(0)} ms`,
      );
    }
    // The same converging run against each shape of `meta-data/all` (the timed runs above use the default, partial).
    const allWalls: Record<'none' | 'partial' | 'complete', number[]> = { none: [], partial: [...wall.first], complete: [] };
    const allRequests: Record<'none' | 'partial' | 'complete', number> = { none: NaN, partial: requests.first?.total ?? NaN, complete: NaN };
    for (const all of ['none', 'complete'] as const) {
      await instance.updateMetadata((config) => {
        config.all = all;
      });
      for (let run = 1; run <= options.runs; run++) {
        await reset();
        await gate();
        const answer = mustSucceed(`eni-init apply (all ${all})`, await exec({ argv: eniArgv, env: BOOT_ENV, rssFile, timeoutMs: 120_000 }));
        if (readReport(root).outcome !== 'converged') throw new Error(`${name}: eni-init apply with all ${all}: outcome ${readReport(root).outcome}`);
        allWalls[all].push(answer.wallMs);
        if (run === 1) allRequests[all] = classifyRequests((await instance.imdsStats()).byPath).total;
      }
    }
    await instance.updateMetadata((config) => {
      config.all = 'partial';
    });
    const allModes = {
      none: { wallMs: sample(allWalls.none), requests: allRequests.none },
      partial: { wallMs: sample(allWalls.partial), requests: allRequests.partial },
      complete: { wallMs: sample(allWalls.complete), requests: allRequests.complete },
    };
    rmSync(rssFile, { force: true });
    const added = addedCounts(boot, eniEnd);

    const mode = (
      walls: number[],
      rsses: number[],
      breakdown: RequestBreakdown | undefined,
      count: ProcessCount,
      outcome?: string,
      memory?: { privateMb: number[]; fileMb: number[]; cpuMs: number[]; reports: Report[] },
    ): ModeResult => {
      const durations = memory === undefined ? undefined : phaseMedians(memory.reports);
      return {
      wallMs: sample(walls),
      maxRssMb: sample(rsses),
      ...(memory === undefined ? {} : { cpuMs: sample(memory.cpuMs, 0), privateMb: sample(memory.privateMb), fileMb: sample(memory.fileMb) }),
      ...(durations === undefined ? {} : { durations }),
      requests: breakdown?.total ?? NaN,
      requestBreakdown: breakdown ?? classifyRequests({}),
      processes: count.processes,
      execs: count.execs,
      byProgram: count.byProgram,
      ...(outcome === undefined ? {} : { outcome }),
      };
    };
    const floor: FloorResult = {
      startupMs: sample(wall.startup),
      startupRssMb: sample(rss.startup),
      startupPrivateMb: sample(privateMb.startup),
      versionMs: sample(versionWall),
      versionRssMb: sample(rss.version),
      versionPrivateMb: sample(privateMb.version),
      metadataMs: sample(wall.metadata),
      metadataRequests,
      batchMs: sample(wall.batch),
      batchLines: batchLines.length,
      readMs: sample(wall.read),
      totalMs: Number((median(wall.startup) + median(wall.metadata) + median(wall.batch)).toFixed(1)),
      noChangeTotalMs: Number((median(wall.startup) + median(wall.metadata) + median(wall.read)).toFixed(1)),
    };
    const result: ShapeResult = {
      shape: name,
      enis: shape.enis,
      ipsPerEni: shape.ips,
      privateIps: shape.enis * shape.ips,
      added,
      eniInit: {
        first: mode(wall.first, rss.first, requests.first, countFirst, 'converged', { privateMb: privateMb.first, fileMb: fileMb.first, cpuMs: cpuMs.first, reports: reports.first }),
        second: mode(wall.second, rss.second, requests.second, countSecond, 'no-change', { privateMb: privateMb.second, fileMb: fileMb.second, cpuMs: cpuMs.second, reports: reports.second }),
      },
      seeds: mode(wall.seeds, rss.seeds, requests.seeds, countSeeds),
      floor,
      ratios: {
        seedsOverEniInit: ratio(median(wall.seeds), median(wall.first), 1),
        eniInitOverFloor: ratio(median(wall.first), floor.totalMs),
        noChangeOverFloor: ratio(median(wall.second), floor.noChangeTotalMs),
      },
      endState,
      noisyMeasurements: noisy,
      allModes,
    };
    progress(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } finally {
    if (runner) {
      await runner.stop().catch(() => undefined);
      owned.runners.delete(runner);
    }
    await sim?.destroy();
  }
}

function gitState(): string {
  try {
    const commit = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', REPO, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return `${commit}${dirty ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

function toolVersion(argv: string[]): string {
  try {
    return execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  preflight(options);
  mkdirSync(options.out, { recursive: true });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(130));
  process.on('exit', cleanupSync);
  // On disk, not in a tmpfs /tmp: the executables' page cache is put into one known state (bench/page-cache.ts).
  owned.workDir = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'eni-bench-'));
  progress('building the hello-world SEA of the floor (bench/hello-sea.mjs; reused while Node is the same)');
  const helloBuilt = execFileSync(process.execPath, [join(BENCH_DIR, 'hello-sea.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 300_000 }).trim();
  // Private copies: a concurrent `npm run build` cannot swap the executable in the middle of the measurements.
  const binary = join(owned.workDir, 'eni-init');
  const hello = join(owned.workDir, 'hello');
  copyFileSync(options.binary, binary);
  copyFileSync(helloBuilt, hello);
  execFileSync('chmod', ['0755', binary, hello]);
  const pageCache = { binary: readBackFromDisk(binary), hello: readBackFromDisk(hello) };
  progress(`page cache: both executables written back, dropped and read once (eni-init ${(Number(pageCache.binary.residentAfter) / 1048576).toFixed(0)} MiB resident)`);
  const version = toolVersion([binary, '--version']);
  const measured = { ...options, binary, hello };
  const began = Date.now();
  progress(`${version}, shapes ${options.shapes.map(shapeName).join(' ')}, ${options.runs} run(s) each, metadata latency ${options.latencyMs} ms`);
  const shapes: ShapeResult[] = [];
  try {
    for (const shape of options.shapes) shapes.push(await measureShape(shape, measured, owned.workDir));
  } finally {
    cleanupSync();
  }
  const args = process.argv.slice(2).join(' ');
  const command = process.env['npm_lifecycle_event'] === 'bench' ? `npm run bench${args === '' ? '' : ` -- ${args}`}` : `node --import tsx bench/run.ts ${args}`.trim();
  const results: Results = {
    schemaVersion: 1,
    command,
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, kernel: release(), node: process.version, iproute2: toolVersion(['ip', '-V']) },
    binary: { path: options.binary, version, commit: gitState() },
    latencyMs: options.latencyMs,
    runs: options.runs,
    method: {
      wall: 'spawn() to exit, timed by bench/runner.mjs inside the instance namespace (no `ip netns exec` in the timed path); includes the start of /usr/bin/time',
      rss: 'GNU time %M (ru_maxrss of the command and the children it waited for): the exact total peak',
      memory: `private = highest RssAnon+RssShmem, file-backed = highest RssFile of /proc/PID/status, sampled every ${MEM_SAMPLE_MS} ms by bench/runner.mjs (a peak shorter than that can be missed; the two maxima may come from different instants)`,
      pageCache: 'both executables copied to a disk-backed directory, synced, dropped from the page cache (dd iflag=nocache count=0) and read once before the first run: the state of an executable read from disk at boot',
      phases: 'report.durations of the --json report (metadata, discovery, plan, apply, persist, verify; integer ms), medians over the timed runs, when the executable writes them',
      processes: 'an extra untimed run under `strace -f`: fork/vfork/clone without CLONE_THREAD, by the command and its descendants',
      requests: "the fake metadata service's per-path counts, reset before each run",
      reset: 'rules of protocol 203 and tables 1000..1255 flushed, addresses added since boot deleted, --root emptied; the kernel state is then compared with the boot snapshot and must be equal',
      environment: `commands run with only ${JSON.stringify(BOOT_ENV)}, as a systemd unit does`,
      floor: "start of a hello-world SEA built as eni-init is (bench/hello-sea.mjs) + token, then primary MAC and ENI listing in parallel, then every ENI's items in parallel, from a warm process + one `ip -4 -force -batch` of eni-init's final commands",
    },
    shapes,
    targets: evaluateTargets(shapes),
  };
  writeFileSync(join(options.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(options.out, 'results.svg'), await renderSvg(results));
  const markdown = renderMarkdown(results);
  process.stdout.write(`${markdown}\n`);
  if (resolve(options.out) === resolve(BENCH_DIR)) updateReadme(join(BENCH_DIR, 'README.md'), markdown);
  progress(`wrote ${join(options.out, 'results.json')} and results.svg in ${((Date.now() - began) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
