// The sim's namespaces and links, kept in step with the metadata: build, attach/detach, forwarding and source check sync.
import { renameSync, writeFileSync } from 'node:fs';
import { configProblems } from './imds-config.ts';
import type { ImdsConfig } from './imds-config.ts';
import { ipBatch, nsArgv, run, runOk } from './exec.ts';
import type { ChildSet } from './exec.ts';
import { guestLines } from './guest.ts';
import { imdsEniOf } from './spec.ts';
import type { SimEni, SimSpec } from './spec.ts';
import { bridgeLines, clientLines, forwardingEntries, isAddress, NFT_TABLE, portLines, portName, routerLines, sourceCheckScript } from './vpc.ts';
import type { Port } from './vpc.ts';

export interface Namespaces {
  inst: string;
  vpc: string;
  client: string;
}

const SYSCTLS = {
  vpc: ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv6.conf.default.accept_dad=0'],
  client: ['net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv6.conf.default.accept_dad=0'],
  inst: (rpFilter: number) => [`net.ipv4.conf.all.rp_filter=${rpFilter}`, `net.ipv4.conf.default.rp_filter=${rpFilter}`],
};

export class SimNetwork {
  private config: ImdsConfig | undefined;
  private readonly attached = new Map<string, { eni: SimEni; port: Port }>();
  private readonly bridges = new Map<string, string>();
  private installed = new Map<string, [string, string]>();

  constructor(
    private readonly spec: SimSpec,
    private readonly ns: Namespaces,
    readonly configPath: string,
    private readonly children: ChildSet,
  ) {}

  async build(config: ImdsConfig): Promise<void> {
    const { inst, vpc, client } = this.ns;
    await runOk(['ip', '-batch', '-'], { input: [inst, vpc, client].map((name) => `netns add ${name}`).join('\n') }, this.children);
    const sysctl = (name: string, settings: string[]) => runOk(nsArgv(name, ['sysctl', '-q', '-w', ...settings]), {}, this.children);
    await Promise.all([sysctl(vpc, SYSCTLS.vpc), sysctl(client, SYSCTLS.client), sysctl(inst, SYSCTLS.inst(this.spec.rpFilter ?? 0))]);
    const vpcLines = routerLines(client);
    const instLines = ['link set lo up'];
    this.spec.enis.forEach((eni, index) => {
      if (index > 0 && eni.start === 'absent') return;
      vpcLines.push(...this.plug(eni));
      instLines.push(...guestLines(eni, index === 0, eni.start));
    });
    await ipBatch(vpc, vpcLines, this.children);
    await Promise.all([ipBatch(inst, instLines, this.children), ipBatch(client, clientLines(), this.children)]);
    await this.apply(config);
  }

  /** VPC lines for a new ENI cable (and its vSwitch bridge when it is the first ENI there). */
  private plug(eni: SimEni): string[] {
    if (this.attached.has(eni.ifname)) throw new Error(`${eni.ifname} is already attached`);
    const lines: string[] = [];
    let bridge = this.bridges.get(eni.vswitch);
    if (bridge === undefined) {
      bridge = `vsw${this.bridges.size}`;
      this.bridges.set(eni.vswitch, bridge);
      lines.push(...bridgeLines(bridge, eni));
    }
    const port: Port = { ifname: eni.ifname, mac: eni.mac.toLowerCase(), port: portName(eni.ifname), bridge };
    this.attached.set(eni.ifname, { eni, port });
    lines.push(...portLines(eni, port, this.ns.inst));
    return lines;
  }

  metadata(): ImdsConfig {
    if (this.config === undefined) throw new Error('the sim is not built');
    return structuredClone(this.config);
  }

  macOf(ifname: string): string {
    const entry = this.attached.get(ifname);
    if (entry === undefined) throw new Error(`${ifname} is not attached`);
    return entry.port.mac;
  }

  async updateMetadata(mutator: (config: ImdsConfig) => void): Promise<void> {
    const next = this.metadata();
    mutator(next);
    await this.apply(next);
  }

  async attach(eni: SimEni, metadataLagMs: number): Promise<void> {
    const vpcLines = this.plug(eni);
    await ipBatch(this.ns.vpc, vpcLines, this.children);
    await ipBatch(this.ns.inst, guestLines(eni, false, eni.start === 'absent' ? 'down' : eni.start), this.children);
    const next = this.metadata();
    const entry = imdsEniOf(eni, next.enis[0]?.vpcCidr ?? this.spec.vpcCidr ?? '10.0.0.0/16');
    if (metadataLagMs > 0) entry.visibleAfter = Date.now() + metadataLagMs;
    next.enis = [...next.enis.filter((candidate) => candidate.mac !== entry.mac), entry];
    await this.apply(next);
  }

  async detach(ifname: string): Promise<void> {
    const mac = this.macOf(ifname);
    const port = this.attached.get(ifname)?.port.port ?? '';
    this.attached.delete(ifname);
    await ipBatch(this.ns.vpc, [`link del ${port}`], this.children);
    const next = this.metadata();
    next.enis = next.enis.filter((eni) => eni.mac !== mac);
    await this.apply(next);
  }

  /** Valid private IPv4s and IPv6 addresses of attached ENIs, in interface order, per current metadata. */
  attachedAddresses(): string[] {
    const config = this.metadata();
    return [...this.attached.values()]
      .sort((a, b) => a.eni.ifname.localeCompare(b.eni.ifname, 'en', { numeric: true }))
      .flatMap(({ port }) => {
        const eni = config.enis.find((candidate) => candidate.mac === port.mac);
        return eni === undefined ? [] : [...eni.privateIpv4s.filter((ip) => isAddress(ip, 4)), ...(eni.ipv6s ?? []).filter((ip) => isAddress(ip, 6))];
      })
      .filter((ip) => !ip.includes('/'));
  }

  /** Writes the metadata atomically, then brings the router's forwarding and the source check in line with it. */
  private async apply(next: ImdsConfig): Promise<void> {
    const problems = configProblems(next);
    if (problems.length > 0) throw new Error(`invalid metadata: ${problems.join('; ')}`);
    writeFileSync(`${this.configPath}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
    renameSync(`${this.configPath}.tmp`, this.configPath);
    this.config = next;
    const ports = [...this.attached.values()].map((entry) => entry.port);
    const desired = forwardingEntries(next, ports);
    const stale = [...this.installed].filter(([key, [add]]) => desired.get(key)?.[0] !== add).map(([, [, del]]) => del);
    const fresh = [...desired].filter(([key, [add]]) => this.installed.get(key)?.[0] !== add).map(([, [add]]) => add);
    if (stale.length > 0) await run(['ip', '-n', this.ns.vpc, '-force', '-batch', '-'], { input: `${stale.join('\n')}\n` }, this.children);
    await ipBatch(this.ns.vpc, fresh, this.children);
    this.installed = desired;
    await runOk(nsArgv(this.ns.vpc, ['nft', '-f', '-']), { input: sourceCheckScript(next, ports) }, this.children);
  }

  async sourceCheckDrops(): Promise<Record<string, { ipv4: number; ipv6: number }>> {
    const listed = await runOk(nsArgv(this.ns.vpc, ['nft', '-j', 'list', 'table', 'netdev', NFT_TABLE]), {}, this.children);
    const drops: Record<string, { ipv4: number; ipv6: number }> = {};
    const items = (JSON.parse(listed.stdout) as { nftables?: { rule?: { chain: string; comment?: string; expr: { counter?: { packets: number } }[] } }[] }).nftables ?? [];
    for (const { rule } of items) {
      const packets = rule?.expr.find((expr) => expr.counter !== undefined)?.counter?.packets;
      if (rule === undefined || packets === undefined) continue;
      const ifname = rule.chain.replace(/^port_/, '');
      const entry = (drops[ifname] ??= { ipv4: 0, ipv6: 0 });
      if (rule.comment?.startsWith('ipv6') === true) entry.ipv6 += packets;
      else entry.ipv4 += packets;
    }
    return drops;
  }
}
