// Shared setup of the VM scenarios: artifacts, images, network, seed and VM per test; loud skip; diagnostics on failure.
import type { TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimEni } from '../sim/spec.ts';
import { ensureImages, lock } from './images.ts';
import type { ImageName, Images } from './images.ts';
import { makeSeed } from './seed.ts';
import { QemuUnavailable, Vm, qemuPreflight } from './vm.ts';
import { VpcNet } from './vpc-net.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version.replace('-', '~').replace('+', '.');
export const DEB = join(REPO, 'dist', `eni-init_${VERSION}_amd64.deb`);
export const EXE = join(REPO, 'dist', 'eni-init');
export const RPM = join(REPO, 'dist', `eni-init-${VERSION}-1.x86_64.rpm`);

function eni(n: number, ips: string[], vswitch: string): SimEni {
  const hex = (n + 1).toString(16).padStart(2, '0');
  return { ifname: `eth${n}`, mac: `00:16:3e:5e:01:${hex}`, eniId: `eni-bp1vm000000000000${hex}`, privateIps: ips, vswitch };
}

/** eth0..eth2 at boot, each in its own vSwitch; eth3 is hot-plugged later into eth0's vSwitch (Alibaba's usual layout). */
export const ENIS: readonly SimEni[] = [
  eni(0, ['10.0.0.10', '10.0.0.11'], '10.0.0.0/24'),
  eni(1, ['10.0.1.20', '10.0.1.21', '10.0.1.22'], '10.0.1.0/24'),
  eni(2, ['10.0.2.30', '10.0.2.31'], '10.0.2.0/24'),
  eni(3, ['10.0.0.40', '10.0.0.41'], '10.0.0.0/24'),
];
export const BOOT_ENIS = 3;
export const HOTPLUG_ENI = ENIS[3] as SimEni;

/**
 * Time limits. Under TCG a first boot (cloud-init installing the package included) has taken from 60 s to
 * 240 s on these 2-core machines, depending on their load; the limits leave room for a machine slower still,
 * and cost nothing when the guest is quick (every wait returns as soon as its condition holds).
 */
export const LIMITS = { bootMs: 600_000, rebootMs: 480_000, reachMs: 90_000, settleMs: 45_000, hotplugMs: 90_000 } as const;

let preflight: string | undefined | null = null;

/** dist/eni-init and the fake IMDS bundle (npm run build), and the .deb (npm run package), built when missing or stale. */
function ensureArtifacts(): void {
  const needBuild = !existsSync(EXE) || !existsSync(join(REPO, 'dist', 'fake-imds.cjs'));
  if (needBuild) runStep('npm run build', ['npm', 'run', 'build']);
  if (!existsSync(DEB) || statSync(DEB).mtimeMs < statSync(EXE).mtimeMs) runStep('node build/package.mjs deb', [process.execPath, join(REPO, 'build/package.mjs'), 'deb']);
  if (!existsSync(RPM) || statSync(RPM).mtimeMs < statSync(EXE).mtimeMs) runStep('node build/package.mjs rpm', [process.execPath, join(REPO, 'build/package.mjs'), 'rpm']);
}

function runStep(name: string, argv: string[]): void {
  const result = spawnSync(argv[0] as string, argv.slice(1), { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  if (result.status !== 0) throw new Error(`${name} failed (exit ${result.status ?? result.signal})`);
}

/** A stable, complete copy of a dist/ artifact (another build may be rewriting it in place right now). Bounded. */
async function snapshot(source: string, target: string): Promise<void> {
  const until = Date.now() + 300_000;
  const stamp = () => (existsSync(source) ? `${statSync(source).size}:${statSync(source).mtimeMs}` : 'missing');
  for (;;) {
    const before = stamp();
    await sleep(2000);
    if (before !== 'missing' && before === stamp()) {
      copyFileSync(source, target);
      const complete = !source.endsWith('.deb') || /^data\.tar/m.test(spawnSync('ar', ['t', target], { encoding: 'utf8' }).stdout ?? '');
      if (complete && stamp() === before) return;
    }
    if (Date.now() > until) throw new Error(`${source} did not settle into a complete file within 5 minutes`);
  }
}

export function skipLoudly(t: TestContext, reason: string): void {
  process.stderr.write(`\nVM boot test SKIPPED: ${reason}\n\n`);
  t.skip(`VM boot test SKIPPED: ${reason}`);
}

export interface VmSetup {
  vm: Vm;
  net: VpcNet;
  images: Images;
}

/** Everything one scenario needs, torn down by t.after; undefined when skipped (QEMU cannot run). */
/** The artifacts a seed can carry; copied first, so a concurrent rebuild of dist/ cannot change them under the test. */
export type Artifact = 'deb' | 'rpm' | 'exe';

export async function startVm(
  t: TestContext,
  options: { image: ImageName; artifacts: readonly Artifact[]; userData: (copies: Record<Artifact, string>) => string },
): Promise<VmSetup | undefined> {
  if (process.getuid?.() !== 0) throw new Error('the VM boot test needs root (network namespaces, taps)');
  if (preflight === null) preflight = qemuPreflight();
  if (preflight !== undefined) return void skipLoudly(t, preflight);
  // Should test files run in parallel (node --test-concurrency): one of them builds what is missing, the others wait.
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  const unlock = await lock(join(REPO, 'dist', '.vm-artifacts.lock'), 15 * 60_000);
  try {
    ensureArtifacts();
  } finally {
    unlock();
  }
  const images = await ensureImages((line) => t.diagnostic(line));
  if (images.builtInS > 0) t.diagnostic(`image build: ${images.builtInS} s`);
  const net = new VpcNet(ENIS, BOOT_ENIS);
  let vm: Vm | undefined;
  t.after(async () => {
    await vm?.stop().catch(() => undefined);
    await net.destroy();
  });
  await net.build();
  const copies = { deb: join(net.dir, basename(DEB)), rpm: join(net.dir, basename(RPM)), exe: join(net.dir, basename(EXE)) };
  const sources = { deb: DEB, rpm: RPM, exe: EXE };
  for (const artifact of options.artifacts) await snapshot(sources[artifact], copies[artifact]);
  const files = options.artifacts.map((artifact) => copies[artifact]);
  const seed = await makeSeed(net.dir, options.userData(copies), files, `i-${net.prefix}`);
  vm = new Vm({ images, image: options.image, net, enis: ENIS.slice(0, BOOT_ENIS), seed });
  try {
    await vm.start();
  } catch (error) {
    if (error instanceof QemuUnavailable) return void skipLoudly(t, error.message);
    throw error;
  }
  return { vm, net, images };
}

/** What the guest and the cloud looked like, for a failure message. Bounded; never throws. */
export async function diagnostics(setup: VmSetup): Promise<string> {
  const { vm, net } = setup;
  const parts: string[] = [];
  const guest = [
    'eni-init status --json 2>&1 || /usr/local/bin/eni-init status --json 2>&1',
    'cat /run/eni-init/report.json',
    'journalctl -b --no-pager -o short-monotonic | grep -E "eni-init|rc-local" | grep -v qemu-ga | cut -c1-600 | tail -n 80',
    'ip -br addr; ip rule; ip route show table all | grep -v "^local\\|^broadcast\\|^multicast\\|fe80\\|ff00"',
    'systemctl --failed --no-pager; cloud-init status --long; cloud-init schema --system 2>&1 | tail -n 15',
    'tail -n 30 /var/log/cloud-init-output.log',
  ];
  for (const script of guest) {
    const result = await vm.exec(script, 15_000).catch((error: unknown) => ({ code: -1, stdout: '', stderr: String(error) }));
    parts.push(`--- guest: ${script} (exit ${result.code})\n${(result.stdout + result.stderr).trim().slice(-12_000)}`);
  }
  parts.push(`--- source check drops\n${await net.sourceCheckDrops().catch(String)}`);
  parts.push(`--- fake IMDS log (tail)\n${net.logTail('imds', 1500)}`);
  parts.push(`--- dnsmasq log (tail)\n${net.logTail('dnsmasq', 1500)}`);
  parts.push(`--- serial console (tail)\n${vm.consoleTail(80)}`);
  return parts.join('\n');
}

/** Waits (bounded) for cloud-init to finish all its stages; anything but "status: done" is an error. */
export async function cloudInitDone(vm: Vm): Promise<void> {
  const seconds = LIMITS.bootMs / 1000;
  const status = await vm.exec(`timeout ${seconds} cloud-init status --wait --long`, LIMITS.bootMs + 10_000);
  if (!/status: done/.test(status.stdout)) throw new Error(`cloud-init did not finish cleanly (exit ${status.code}): ${status.stdout.trim()}`);
}

/** How long this boot took, and its slowest units (systemd-analyze), for the test log. Bounded; never throws. */
export async function bootFigures(setup: VmSetup): Promise<string> {
  const script = 'systemd-analyze time | head -n 1; systemd-analyze blame --no-pager | head -n 6 | tr -s " " | paste -sd ";"';
  const result = await setup.vm.exec(script, 30_000).catch((error: unknown) => ({ code: -1, stdout: String(error), stderr: '' }));
  return result.stdout.trim().replace(/\n/g, ' | ');
}

/** Runs one check; on failure the error carries the diagnostics (and they go to stderr right away). */
export async function check(setup: VmSetup, name: string, work: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await work();
    process.stderr.write(`vm: ${name}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    const details = await diagnostics(setup);
    process.stderr.write(`vm: ${name}: FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${String(error)}\n${details}\n`);
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** One check as a subtest, so later checks still run (and report) after a failure; true when it passed. */
export async function step(t: TestContext, setup: VmSetup, name: string, work: () => Promise<void>): Promise<boolean> {
  let passed = false;
  await t.test(name, async () => {
    await check(setup, name, work);
    passed = true;
  });
  return passed;
}

/** Asserts every address answers a ping from the client (through its own NIC, or the source check drops it). */
export async function assertAllAnswer(setup: VmSetup, timeoutMs: number = LIMITS.reachMs): Promise<void> {
  const ips = setup.net.addresses();
  const silent = await setup.net.waitReachable(ips, timeoutMs);
  if (silent.length > 0) throw new Error(`no answer within ${timeoutMs} ms from ${silent.join(', ')} (of ${ips.join(', ')})`);
}
