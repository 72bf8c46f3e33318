// The VM's simulated VPC: a router namespace with one bridge per vSwitch, a tap per ENI, DHCP, fake IMDS, source check.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { sweepOrphans, teardownSync, track, untrack } from '../sim/cleanup.ts';
import { ipBatch, nsArgv, run, runOk } from '../sim/exec.ts';
import type { ImdsConfig } from '../sim/imds-config.ts';
import { pingArgv } from '../sim/probes.ts';
import { imdsEniOf, imdsConfigOf, netmaskOf } from '../sim/spec.ts';
import type { SimEni } from '../sim/spec.ts';
import { bridgeLines, clientLines, forwardingEntries, IMDS_IP, routerLines, sourceCheckScript } from '../sim/vpc.ts';
import type { Port } from '../sim/vpc.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const VPC_CIDR = '10.0.0.0/16';
const SYSCTLS = ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'];

export function tapOf(eni: SimEni): string {
  return `tap${eni.ifname.replace(/^eth/, '')}`;
}

/** The network side of one VM test. `enis` are all ENIs the test may use (boot ones first); taps exist for all. */
export class VpcNet {
  readonly prefix = `v${randomBytes(2).toString('hex')}`;
  readonly nsVpc = `${this.prefix}-vpc`;
  readonly nsClient = `${this.prefix}-cli`;
  readonly dir: string;
  readonly children = new Set<ChildProcess>();
  private readonly configPath: string;
  private readonly bridges = new Map<string, string>();
  private readonly ports: Port[] = [];
  private config: ImdsConfig;
  private destroyed = false;

  constructor(private readonly enis: readonly SimEni[], boot: number) {
    this.dir = join('/tmp', `eni-sim-vm-${this.prefix}`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.configPath = join(this.dir, 'imds.json');
    this.config = imdsConfigOf({ enis: enis.slice(0, boot).map((eni) => ({ ...eni, start: 'dhcp' as const })), vpcCidr: VPC_CIDR }, this.prefix);
    track({ prefix: this.prefix, namespaces: [this.nsVpc, this.nsClient], dirs: [this.dir], pids: () => this.livePids() });
  }

  private livePids(): number[] {
    return [...this.children].filter((child) => child.exitCode === null && child.signalCode === null).flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
  }

  async build(): Promise<void> {
    sweepOrphans();
    await runOk(['ip', '-batch', '-'], { input: `netns add ${this.nsVpc}\nnetns add ${this.nsClient}\n` });
    await runOk(nsArgv(this.nsVpc, ['sysctl', '-q', '-w', ...SYSCTLS]));
    const lines = routerLines(this.nsClient);
    for (const eni of this.enis) {
      let bridge = this.bridges.get(eni.vswitch);
      if (bridge === undefined) {
        bridge = `vsw${this.bridges.size}`;
        this.bridges.set(eni.vswitch, bridge);
        lines.push(...bridgeLines(bridge, eni));
      }
      lines.push(`tuntap add ${tapOf(eni)} mode tap`, `link set ${tapOf(eni)} master ${bridge}`, `link set ${tapOf(eni)} up`);
    }
    await ipBatch(this.nsVpc, lines);
    await ipBatch(this.nsClient, clientLines());
    for (const eni of this.enis.filter((candidate) => this.config.enis.some((entry) => entry.mac === candidate.mac))) this.addPort(eni);
    await this.apply();
    await Promise.all([this.startImds(), this.startDhcp()]);
  }

  private addPort(eni: SimEni): void {
    const bridge = this.bridges.get(eni.vswitch) ?? '';
    this.ports.push({ ifname: eni.ifname, mac: eni.mac.toLowerCase(), port: tapOf(eni), bridge });
  }

  /** Metadata file (re-read by the fake IMDS), permanent neighbours and the source check, from the current config. */
  private async apply(): Promise<void> {
    writeFileSync(`${this.configPath}.tmp`, `${JSON.stringify(this.config, null, 2)}\n`);
    renameSync(`${this.configPath}.tmp`, this.configPath);
    await ipBatch(this.nsVpc, [...forwardingEntries(this.config, this.ports).values()].map(([add]) => add));
    const drop = '    meta protocol ip counter drop comment "ipv4 source not of this ENI"';
    const script = sourceCheckScript(this.config, this.ports);
    if (!script.includes(drop)) throw new Error('sourceCheckScript changed: cannot insert the DHCP exception');
    // DHCP discover/request come from 0.0.0.0: the cloud answers those itself.
    await runOk(nsArgv(this.nsVpc, ['nft', '-f', '-']), { input: script.replaceAll(drop, `    ip saddr 0.0.0.0 udp dport 67 accept\n${drop}`) });
  }

  private spawnLogged(name: string, argv: string[]): ChildProcess {
    const log = openSync(join(this.dir, `${name}.log`), 'a');
    const full = nsArgv(this.nsVpc, argv);
    const child = spawn(full[0] as string, full.slice(1), { stdio: ['ignore', log, log] });
    closeSync(log);
    child.on('error', () => undefined);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  private async startImds(): Promise<void> {
    const bundle = join(REPO, 'dist', 'fake-imds.cjs');
    const command = existsSync(bundle) ? [process.execPath, bundle] : [process.execPath, '--import', 'tsx', join(REPO, 'test/sim/fake-imds.ts')];
    const ready = join(this.dir, 'imds.ready');
    const child = this.spawnLogged('imds', [...command, '--config', this.configPath, '--listen', `${IMDS_IP}:80`, '--ready-file', ready, '--parent-pid', String(process.pid), '--verbose']);
    for (let i = 0; i < 200 && !existsSync(ready); i++) {
      if (child.exitCode !== null) break;
      await sleep(100);
    }
    if (!existsSync(ready)) throw new Error(`fake IMDS did not start: ${this.logTail('imds')}`);
  }

  /** dnsmasq on every vSwitch bridge: fixed address per MAC; the default route only for the primary ENI. */
  private async startDhcp(): Promise<void> {
    const args = ['dnsmasq', '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--port=0', '--pid-file=', '--user=root', '--group=root'];
    args.push(`--dhcp-leasefile=${join(this.dir, 'dnsmasq.leases')}`, '--log-dhcp', '--dhcp-authoritative', '--bind-interfaces');
    for (const [vswitch, bridge] of this.bridges) {
      const network = vswitch.split('/')[0] ?? '';
      // 2 minutes (dnsmasq's minimum): clients renew every minute, so every scenario also lives through renewals.
      args.push(`--interface=${bridge}`, `--dhcp-range=set:${bridge},${network},static,${netmaskOf(vswitch)},2m`);
    }
    const primaryMac = this.config.primaryMac;
    for (const eni of this.enis) {
      const tag = eni.mac.toLowerCase() === primaryMac ? 'set:primary,' : '';
      args.push(`--dhcp-host=${eni.mac},${tag}${eni.privateIps[0] ?? ''}`);
    }
    args.push('--dhcp-option=tag:!primary,3');
    const child = this.spawnLogged('dnsmasq', args);
    await sleep(500);
    if (child.exitCode !== null) throw new Error(`dnsmasq exited ${child.exitCode}: ${this.logTail('dnsmasq')}`);
  }

  logTail(name: string, bytes = 3000): string {
    return this.logText(name).slice(-bytes) || '(no log)';
  }

  /** MACs whose DHCP (re)request dnsmasq acknowledged after log offset `since`. */
  dhcpAcked(macs: readonly string[], since: number): string[] {
    const log = this.logText('dnsmasq').slice(since);
    return macs.filter((mac) => new RegExp(`DHCPACK\\([^)]*\\) \\S+ ${mac.toLowerCase()}`).test(log));
  }

  logText(name: string): string {
    const path = join(this.dir, `${name}.log`);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  /** Lists `eni` in metadata (its tap already exists) and updates the cloud's forwarding and source check. */
  async attachToMetadata(eni: SimEni): Promise<void> {
    if (!this.bridges.has(eni.vswitch)) throw new Error(`${eni.ifname}: vSwitch ${eni.vswitch} has no bridge`);
    this.config.enis = [...this.config.enis.filter((entry) => entry.mac !== eni.mac.toLowerCase()), imdsEniOf(eni, VPC_CIDR)];
    this.addPort(eni);
    await this.apply();
  }

  /** Sets the private IPv4s of an ENI in metadata (the console's assign/unassign) and the cloud's source check. */
  async setPrivateIps(eni: SimEni, ips: readonly string[]): Promise<void> {
    const entry = this.config.enis.find((candidate) => candidate.mac === eni.mac.toLowerCase());
    if (entry === undefined) throw new Error(`${eni.ifname} is not in metadata`);
    entry.privateIpv4s = [...ips];
    await this.apply();
  }

  /** Drops `eni` from metadata, as the service does a few seconds after a detach; its tap stays for a later attach. */
  async detachFromMetadata(eni: SimEni): Promise<void> {
    this.config.enis = this.config.enis.filter((entry) => entry.mac !== eni.mac.toLowerCase());
    await this.apply();
  }

  /** Every private IPv4 of the ENIs currently in metadata. */
  addresses(): string[] {
    return this.config.enis.flatMap((eni) => eni.privateIpv4s);
  }

  /** One ping from the client namespace (another subnet: the reply is routed via the ENI's vSwitch gateway). */
  async ping(ip: string): Promise<boolean> {
    return (await run(nsArgv(this.nsClient, pingArgv(ip, 1)), { timeoutMs: 4000 }, this.children)).code === 0;
  }

  /** Pings every address until all answered once or `timeoutMs` passed; returns those that never answered. */
  async waitReachable(ips: readonly string[], timeoutMs: number): Promise<string[]> {
    const pending = new Set(ips);
    const until = Date.now() + timeoutMs;
    while (pending.size > 0) {
      const results = await Promise.all([...pending].map(async (ip) => [ip, await this.ping(ip)] as const));
      for (const [ip, ok] of results) if (ok) pending.delete(ip);
      if (pending.size === 0 || Date.now() > until) break;
      await sleep(1000);
    }
    return [...pending];
  }

  /** IPv4 packets dropped by the source/destination check, per ENI port chain. */
  async sourceCheckDrops(): Promise<string> {
    return (await run(nsArgv(this.nsVpc, ['nft', 'list', 'table', 'netdev', 'eni_sim_srccheck']))).stdout.split('\n').filter((line) => /chain|drop/.test(line)).join('\n');
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const child of this.children) child.kill('SIGTERM');
    const until = Date.now() + 5000;
    while (this.livePids().length > 0 && Date.now() < until) await sleep(100);
    teardownSync({ prefix: this.prefix, namespaces: [this.nsVpc, this.nsClient], dirs: [this.dir], pids: () => this.livePids() });
    untrack(this.prefix);
  }
}
