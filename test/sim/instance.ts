// A simulated ECS instance in network namespaces (instance, VPC router with fake IMDS and source check, internet client).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweepOrphans, teardownSync, track, untrack } from './cleanup.ts';
import { nsArgv, run, runOk } from './exec.ts';
import type { ChildSet, ExecOptions, ExecResult } from './exec.ts';
import { imdsConfigOf } from './spec.ts';
import type { SimSpec } from './spec.ts';
import { SimNetwork } from './network.ts';
import { startHelpers } from './processes.ts';
import type { Helper } from './processes.ts';
import { ECHO_PORT, httpArgv, httpBody, pingArgv, tcpCheckArgv } from './probes.ts';
import { IMDS_IP } from './vpc.ts';
import type { ImdsConfig } from './imds-config.ts';
import type { ImdsStats } from './imds-server.ts';
import type { SimEni } from './spec.ts';

export { presetInstance } from './presets.ts';
export type { PresetName } from './presets.ts';
export type { EniStart, SimEni, SimSpec } from './spec.ts';
export type { ImdsConfig, ImdsEni, ImdsFault, TokenMode } from './imds-config.ts';
export type { ImdsStats } from './imds-server.ts';
export type { ExecOptions, ExecResult } from './exec.ts';

export interface Reachability {
  ip: string;
  ping: boolean;
  tcp: boolean;
}

export interface EniInitResult extends ExecResult {
  /** stdout parsed as JSON when `--json` was given and it parses. */
  report?: unknown;
}

export interface SimInstance {
  readonly spec: SimSpec;
  readonly prefix: string;
  readonly nsInst: string;
  readonly nsVpc: string;
  readonly nsClient: string;
  readonly imdsUrl: string;
  /** A fresh temp dir, passed as `--root`. */
  readonly rootDir: string;
  /** PIDs of the long-lived processes the sim started (fake IMDS in the VPC, echo server in the instance). */
  readonly pids: { imds: number; echo: number };
  /** A command inside the instance (no shell). */
  exec(argv: string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  execIn(ns: string, argv: string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** `<binary> ...args --metadata-url http://100.100.100.200 --root <rootDir>` inside the instance (defaults only when absent from args). */
  runEniInit(args: string[], opts?: { timeoutMs?: number }): Promise<EniInitResult>;
  /** One ping from the client, 1 s timeout by default. */
  ping(ip: string, opts?: { timeoutMs?: number }): Promise<boolean>;
  /** A TCP round trip from the client to the instance's echo server (port 7), within about 2 s. */
  tcpCheck(ip: string, port?: number): Promise<boolean>;
  /** ping and TCP from the client to every private IP (and IPv6 address) of every attached ENI, per current metadata. */
  reachableAll(): Promise<Reachability[]>;
  /** A copy of the current metadata config. */
  metadata(): ImdsConfig;
  /** Rewrites the metadata atomically (the service re-reads it) and re-renders the cloud's forwarding and source check. */
  updateMetadata(mutator: (config: ImdsConfig) => void): Promise<void>;
  /** Sets one attached ENI's private IPv4s in metadata (and so in the source check); the first stays primary if kept. */
  setEniIps(ifname: string, ips: string[]): Promise<void>;
  /** Removes the ENI from metadata and deletes its interface. */
  detachEni(ifname: string): Promise<void>;
  /** Hot-plugs an ENI (`start: 'absent'` is treated as `down`); `metadataLagMs` delays its appearance in metadata. */
  attachEni(eni: SimEni, opts?: { metadataLagMs?: number }): Promise<void>;
  imdsStats(): Promise<ImdsStats>;
  resetImdsStats(): Promise<void>;
  /** Packets dropped so far by the source/destination check, per instance interface. */
  sourceCheckDrops(): Promise<Record<string, { ipv4: number; ipv6: number }>>;
  /** Kills what it started (by PID), deletes its namespaces and temp dirs. Idempotent. */
  destroy(): Promise<void>;
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function pickPrefix(requested: string | undefined): string {
  const free = (prefix: string) => ['inst', 'vpc', 'cli'].every((kind) => !existsSync(`/run/netns/${prefix}-${kind}`));
  if (requested !== undefined) {
    if (!/^[a-z0-9]{1,6}$/.test(requested)) throw new Error(`SimSpec.prefix must match [a-z0-9]{1,6}: ${JSON.stringify(requested)}`);
    if (!free(requested)) throw new Error(`namespaces ${requested}-* already exist`);
    return requested;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const prefix = `e${randomBytes(2).toString('hex')}`;
    if (free(prefix)) return prefix;
  }
  throw new Error('no free namespace prefix after 50 attempts');
}

class Sim implements SimInstance {
  readonly prefix: string;
  readonly nsInst: string;
  readonly nsVpc: string;
  readonly nsClient: string;
  readonly imdsUrl = `http://${IMDS_IP}`;
  readonly rootDir: string;
  readonly pids = { imds: 0, echo: 0 };
  private readonly workDir: string;
  private readonly children: ChildSet = new Set();
  private readonly network: SimNetwork;
  private helpers: Helper[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private destroying: Promise<void> | undefined;

  constructor(readonly spec: SimSpec) {
    this.prefix = pickPrefix(spec.prefix);
    this.nsInst = `${this.prefix}-inst`;
    this.nsVpc = `${this.prefix}-vpc`;
    this.nsClient = `${this.prefix}-cli`;
    this.workDir = mkdtempSync(join(tmpdir(), `eni-sim-${this.prefix}-`));
    this.rootDir = mkdtempSync(join(tmpdir(), `eni-sim-${this.prefix}-root-`));
    this.network = new SimNetwork(spec, { inst: this.nsInst, vpc: this.nsVpc, client: this.nsClient }, join(this.workDir, 'imds.json'), this.children);
    track(this.owned());
  }

  private owned() {
    return {
      prefix: this.prefix,
      namespaces: [this.nsInst, this.nsVpc, this.nsClient],
      dirs: [this.workDir, this.rootDir],
      // Only processes still running: a PID of one that exited may already belong to someone else.
      pids: () =>
        [...this.helpers.map((helper) => helper.child), ...this.children]
          .filter((child) => child.exitCode === null && child.signalCode === null)
          .map((child) => child.pid)
          .filter((pid): pid is number => pid !== undefined),
    };
  }

  async build(): Promise<void> {
    await this.network.build(imdsConfigOf(this.spec, this.prefix));
    this.helpers = await startHelpers({ repo: REPO, workDir: this.workDir, nsVpc: this.nsVpc, nsInst: this.nsInst, configPath: this.network.configPath });
    this.pids.imds = this.helpers[0]?.child.pid ?? 0;
    this.pids.echo = this.helpers[1]?.child.pid ?? 0;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.execIn(this.nsInst, argv, opts);
  }

  execIn(ns: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return run(nsArgv(ns, argv), opts, this.children);
  }

  async runEniInit(args: string[], opts: { timeoutMs?: number } = {}): Promise<EniInitResult> {
    const has = (flag: string) => args.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
    const argv = [this.spec.binary ?? join(REPO, 'dist', 'eni-init'), ...args];
    if (!has('--metadata-url')) argv.push('--metadata-url', this.imdsUrl);
    if (!has('--root')) argv.push('--root', this.rootDir);
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ENI_INIT_')));
    const result: EniInitResult = await this.exec(argv, { timeoutMs: opts.timeoutMs ?? 60_000, env });
    if (args.includes('--json')) {
      try {
        result.report = JSON.parse(result.stdout) as unknown;
      } catch {
        // not JSON: leave report unset; the caller sees stdout
      }
    }
    return result;
  }

  async ping(ip: string, opts: { timeoutMs?: number } = {}): Promise<boolean> {
    const seconds = Math.max(1, Math.ceil((opts.timeoutMs ?? 1000) / 1000));
    return (await this.execIn(this.nsClient, pingArgv(ip, seconds), { timeoutMs: seconds * 1000 + 2000 })).code === 0;
  }

  async tcpCheck(ip: string, port = ECHO_PORT): Promise<boolean> {
    return (await this.execIn(this.nsClient, tcpCheckArgv(ip, port, 2), { timeoutMs: 4000 })).code === 0;
  }

  async reachableAll(): Promise<Reachability[]> {
    // At most 32 addresses (64 probe processes) at a time: a 72-ENI instance has ~2,000 addresses.
    const ips = this.network.attachedAddresses();
    const results: Reachability[] = [];
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < ips.length; index = next++) {
        const ip = ips[index] as string;
        results[index] = { ip, ...(await this.reach(ip)) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, ips.length) }, worker));
    return results;
  }

  private async reach(ip: string): Promise<{ ping: boolean; tcp: boolean }> {
    const [ping, tcp] = await Promise.all([this.ping(ip), this.tcpCheck(ip)]);
    return { ping, tcp };
  }

  metadata(): ImdsConfig {
    return this.network.metadata();
  }

  updateMetadata(mutator: (config: ImdsConfig) => void): Promise<void> {
    return this.serial(() => this.network.updateMetadata(mutator));
  }

  setEniIps(ifname: string, ips: string[]): Promise<void> {
    const mac = this.network.macOf(ifname);
    return this.updateMetadata((config) => {
      const eni = config.enis.find((candidate) => candidate.mac === mac);
      if (eni === undefined) throw new Error(`${ifname} is not in metadata`);
      eni.privateIpv4s = [...ips];
      if (!ips.includes(eni.primaryIp) && ips[0] !== undefined) eni.primaryIp = ips[0];
    });
  }

  detachEni(ifname: string): Promise<void> {
    return this.serial(() => this.network.detach(ifname));
  }

  attachEni(eni: SimEni, opts: { metadataLagMs?: number } = {}): Promise<void> {
    return this.serial(() => this.network.attach(eni, opts.metadataLagMs ?? 0));
  }

  async imdsStats(): Promise<ImdsStats> {
    const result = await runOk(nsArgv(this.nsVpc, httpArgv('GET', IMDS_IP, '/__sim/stats')), { timeoutMs: 8000 });
    return JSON.parse(httpBody(result.stdout)) as ImdsStats;
  }

  async resetImdsStats(): Promise<void> {
    httpBody((await runOk(nsArgv(this.nsVpc, httpArgv('POST', IMDS_IP, '/__sim/reset-stats')), { timeoutMs: 8000 })).stdout);
  }

  sourceCheckDrops(): Promise<Record<string, { ipv4: number; ipv6: number }>> {
    return this.network.sourceCheckDrops();
  }

  destroy(): Promise<void> {
    this.destroying ??= this.teardown();
    return this.destroying;
  }

  private async teardown(): Promise<void> {
    await this.queue;
    const exits = this.helpers.map((helper) => helper.stop());
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(exits);
    const del = await run(['ip', '-force', '-batch', '-'], { input: [this.nsInst, this.nsVpc, this.nsClient].map((ns) => `netns del ${ns}`).join('\n') });
    // Whatever is left (a process that would not die, a namespace that would not go): the synchronous path.
    teardownSync(this.owned());
    untrack(this.prefix);
    const left = [this.nsInst, this.nsVpc, this.nsClient].filter((ns) => existsSync(`/run/netns/${ns}`));
    if (left.length > 0) throw new Error(`destroy: namespaces left: ${left.join(', ')} (${del.stderr.trim()})`);
  }
}

/** Builds a simulated instance; on any failure everything built so far is removed before the error is thrown. */
export async function createSimInstance(spec: SimSpec): Promise<SimInstance> {
  if (process.getuid?.() !== 0) throw new Error('createSimInstance needs root (network namespaces)');
  sweepOrphans();
  const sim = new Sim(structuredClone(spec));
  try {
    await sim.build();
  } catch (error) {
    await sim.destroy().catch(() => undefined);
    throw error;
  }
  return sim;
}
