// One QEMU guest (TCG) on the VpcNet's taps: overlay disk, cidata seed, QMP and guest-agent control, reboot, hotplug.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nsArgv, runOk } from '../sim/exec.ts';
import type { SimEni } from '../sim/spec.ts';
import type { Images, ImageName } from './images.ts';
import { Qga, Qmp } from './qmp.ts';
import type { GuestExecResult } from './qmp.ts';
import { tapOf } from './vpc-net.ts';
import type { VpcNet } from './vpc-net.ts';

const QEMU = 'qemu-system-x86_64';

export interface VmOptions {
  images: Images;
  image: ImageName;
  net: VpcNet;
  /** ENIs attached at boot, eth0 first. */
  enis: readonly SimEni[];
  /** The cidata seed image (see seed.ts). */
  seed: string;
}

/** Thrown when QEMU itself cannot run here (the only reason to skip). */
export class QemuUnavailable extends Error {}

/** Checks that QEMU starts at all (binary present, TCG usable), in a few seconds. */
export function qemuPreflight(): string | undefined {
  const result = spawnSync(QEMU, ['-machine', 'pc', '-accel', 'tcg', '-nodefaults', '-display', 'none', '-S', '-qmp', 'stdio'], {
    input: '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n',
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (result.error) return `${QEMU} cannot be started: ${result.error.message}`;
  if (result.status !== 0) return `${QEMU} exited ${result.status ?? result.signal}: ${(result.stderr || result.stdout).trim().slice(0, 500)}`;
  return undefined;
}

export class Vm {
  readonly qga: Qga;
  private qmp: Qmp | undefined;
  private child: ChildProcess | undefined;
  readonly consolePath: string;
  private readonly overlay: string;

  constructor(private readonly options: VmOptions) {
    this.consolePath = join(options.net.dir, 'console.log');
    this.overlay = join(options.net.dir, 'disk.qcow2');
    this.qga = new Qga(join(options.net.dir, 'qga.sock'));
  }

  async start(): Promise<void> {
    const { images, net } = this.options;
    await runOk(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', images.disk(this.options.image), '-F', 'raw', this.overlay]);
    const qmpPath = join(net.dir, 'qmp.sock');
    const argv = [
      QEMU, '-nodefaults', '-display', 'none', '-machine', 'pc', '-accel', 'tcg,thread=multi', '-m', '1024', '-smp', '2',
      '-kernel', images.kernel, '-initrd', images.initrd,
      '-append', 'root=/dev/vda rw console=ttyS0 quiet net.ifnames=0 biosdevname=0 systemd.show_status=auto',
      '-drive', `file=${this.overlay},if=virtio,format=qcow2,cache=unsafe`,
      '-drive', `file=${this.options.seed},if=virtio,format=raw,readonly=on`,
      '-chardev', `socket,id=qga0,path=${join(net.dir, 'qga.sock')},server=on,wait=off`,
      '-device', 'virtio-serial', '-device', 'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0',
      '-qmp', `unix:${qmpPath},server=on,wait=off`,
      '-serial', `file:${this.consolePath}`,
      '-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng-pci,rng=rng0',
      // The DMI identity of an ECS instance: eni-init refuses other machines when no metadata URL is given (exit 12).
      '-smbios', 'type=1,manufacturer=Alibaba Cloud,product=Alibaba Cloud ECS',
    ];
    for (const eni of this.options.enis) {
      const id = tapOf(eni);
      argv.push('-netdev', `tap,id=${id},ifname=${id},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=${id},mac=${eni.mac},id=nic-${id}`);
    }
    const full = nsArgv(net.nsVpc, argv);
    const child = spawn(full[0] as string, full.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', () => undefined);
    net.children.add(child);
    child.once('exit', () => net.children.delete(child));
    this.child = child;
    for (let i = 0; i < 100 && !existsSync(qmpPath) && child.exitCode === null; i++) await sleep(100);
    if (!existsSync(qmpPath)) throw new QemuUnavailable(`qemu did not start (exit ${child.exitCode ?? 'none'}): ${stderr.trim().slice(0, 800)}`);
    this.qmp = await Qmp.open(qmpPath);
  }

  private get control(): Qmp {
    if (this.qmp === undefined) throw new Error('the VM is not started');
    return this.qmp;
  }

  exec(script: string, timeoutMs = 60_000): Promise<GuestExecResult> {
    return this.qga.exec(script, timeoutMs);
  }

  /** Like exec, but a non-zero exit is an error with the output. */
  async sh(script: string, timeoutMs = 60_000): Promise<string> {
    const result = await this.exec(script, timeoutMs);
    if (result.code !== 0) throw new Error(`guest \`${script}\` exited ${result.code}: ${(result.stderr + result.stdout).trim().slice(-2000)}`);
    return result.stdout;
  }

  async bootId(): Promise<string> {
    return (await this.sh('cat /proc/sys/kernel/random/boot_id')).trim();
  }

  /** Waits for the guest agent, then for systemd to finish starting up (running or degraded). */
  async waitBooted(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    await this.qga.waitReady(timeoutMs);
    const left = Math.max(5000, until - Date.now());
    const state = await this.exec(`timeout ${Math.ceil(left / 1000)} systemctl is-system-running --wait`, left + 5000);
    if (!/^(running|degraded)/.test(state.stdout.trim())) throw new Error(`guest did not finish booting: ${state.stdout.trim() || state.stderr.trim()} (exit ${state.code})`);
  }

  /** A guest-initiated reboot; resolves once the new boot's agent answers with another boot id and boot finished. */
  async reboot(timeoutMs: number): Promise<void> {
    const before = await this.bootId();
    const until = Date.now() + timeoutMs;
    await this.qga.spawn('systemctl reboot');
    while (Date.now() < until) {
      await sleep(3000);
      try {
        await this.qga.waitReady(Math.min(10_000, until - Date.now()));
        if ((await this.bootId()) !== before) return this.waitBooted(Math.max(10_000, until - Date.now()));
      } catch {
        // the agent is down while the guest reboots
      }
    }
    throw new Error(`the guest did not come back from reboot within ${timeoutMs} ms`);
  }

  /** QMP hotplug of a virtio NIC on the ENI's pre-created tap. */
  async hotplug(eni: SimEni): Promise<void> {
    const id = tapOf(eni);
    await this.control.call('netdev_add', { type: 'tap', id, ifname: id, script: 'no', downscript: 'no' });
    await this.control.call('device_add', { driver: 'virtio-net-pci', netdev: id, mac: eni.mac, id: `nic-${id}` });
  }

  /** QMP hot-unplug (device_del) of a NIC added by hotplug(); waits for the guest to release it (DEVICE_DELETED), then drops its netdev. */
  async unplug(eni: SimEni, timeoutMs = 60_000): Promise<void> {
    const id = tapOf(eni);
    const device = `nic-${id}`;
    const deleted = () => this.control.events.some((event) => event['event'] === 'DEVICE_DELETED' && (event['data'] as Record<string, unknown> | undefined)?.['device'] === device);
    await this.control.call('device_del', { id: device });
    for (const until = Date.now() + timeoutMs; !deleted(); await sleep(500)) {
      if (Date.now() > until) throw new Error(`the guest did not release ${device} within ${timeoutMs} ms (no DEVICE_DELETED)`);
    }
    await this.control.call('netdev_del', { id });
  }

  consoleTail(lines = 60): string {
    if (!existsSync(this.consolePath)) return '(no console log)';
    return readFileSync(this.consolePath, 'utf8').replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(-lines).join('\n');
  }

  /** Asks QEMU to quit, then kills it by PID if it is still there. */
  async stop(): Promise<void> {
    const child = this.child;
    this.qga.close();
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await this.qmp?.call('quit', undefined, 3000);
    } catch {
      // fall through to the kill
    }
    this.qmp?.close();
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }
}
