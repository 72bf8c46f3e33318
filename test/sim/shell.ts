// A shell (or one command) inside a simulated instance, eni-init on its PATH and preset to the sim: the playground and `demo --keep`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nsArgv } from './exec.ts';
import type { SimInstance } from './instance.ts';

const DEFAULT_BINARY = fileURLToPath(new URL('../../dist/eni-init', import.meta.url));
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** One line per ENI: `eth1  00:16:3e:..  10.0.0.30 +2  2408:...::30 +1  10.0.0.0/24  down`. */
export function eniLines(sim: SimInstance): string[] {
  return sim.spec.enis.map((eni, index) => {
    const more = (list: readonly string[]) => (list.length > 1 ? ` +${list.length - 1}` : '');
    const v6 = eni.ipv6 === undefined ? '' : `  ${eni.ipv6.addresses[0] ?? ''}${more(eni.ipv6.addresses)}`;
    const state = index === 0 ? 'primary' : eni.start === 'down' ? 'at boot: down, no address' : 'at boot: up, primary IP only (DHCP)';
    return `   ${eni.ifname}  ${eni.mac}  ${eni.privateIps[0] ?? ''}${more(eni.privateIps)}${v6}  vSwitch ${eni.vswitch}  ${state}`;
  });
}

/** What the shell's user needs: what is there, how to run eni-init, how to reach the metadata, how to leave. */
export function banner(sim: SimInstance, what: string): string {
  return [
    `A simulated ECS instance (${what}), namespaces ${sim.nsInst} (this shell), ${sim.nsVpc} (router, metadata), ${sim.nsClient} (internet client):`,
    ...eniLines(sim),
    '',
    'eni-init is on PATH, preset by ENI_INIT_METADATA_URL and ENI_INIT_ROOT (files go under the sim root, not /etc):',
    '   eni-init plan        what it would change        eni-init apply      do it',
    '   eni-init status      what is in place, drift     eni-init remove     undo it',
    '   ip -br addr; ip rule; ip route show table 1001',
    `The metadata service: curl ${sim.imdsUrl}/latest/meta-data/network/interfaces/macs/   (eni-init metadata: all of it)`,
    `Sim root: ${sim.rootDir}`,
    'Leave with `exit` or Ctrl-D: the instance is removed.',
    '',
  ].join('\n');
}

/** The environment inside: ENI_INIT_* of the caller dropped (they would override the sim's), the sim's preset. */
function shellEnv(sim: SimInstance, binDir: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ENI_INIT_')));
  return {
    ...env,
    PATH: `${binDir}:${process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
    ENI_INIT_METADATA_URL: sim.imdsUrl,
    ENI_INIT_ROOT: sim.rootDir,
    ENI_SIM_PREFIX: sim.prefix,
    PS1: `[sim ${sim.prefix}] \\w\\$ `,
  };
}

/**
 * Runs `command` (or an interactive shell when it is empty) inside the instance and returns its exit code.
 * The shell's PID is killed on SIGINT/SIGTERM/SIGHUP before the sim's own teardown (cleanup.ts) removes the rest.
 */
export async function shellIn(sim: SimInstance, command: readonly string[], options: { binary?: string; what?: string } = {}): Promise<number> {
  const binary = options.binary ?? sim.spec.binary ?? DEFAULT_BINARY;
  if (!existsSync(binary)) throw new Error(`${binary} does not exist: build it first (npm run build)`);
  const dir = mkdtempSync(join(tmpdir(), `eni-sim-${sim.prefix}-shell-`));
  const binDir = join(dir, 'bin');
  try {
    mkdirSync(binDir);
    symlinkSync(binary, join(binDir, 'eni-init'));
    let argv = [...command];
    if (argv.length === 0) {
      // bash reads ~/.bashrc, which usually sets PS1: ours comes after it.
      const rcFile = join(dir, 'bashrc');
      writeFileSync(rcFile, `[ -f ~/.bashrc ] && . ~/.bashrc\nPS1='[sim ${sim.prefix}] \\w\\$ '\n`);
      argv = existsSync('/bin/bash') ? ['/bin/bash', '--rcfile', rcFile, '-i'] : ['/bin/sh', '-i'];
      process.stdout.write(banner(sim, options.what ?? 'playground'));
    }
    const [ip, ...args] = nsArgv(sim.nsInst, argv);
    const child = spawn(ip as string, args, { stdio: 'inherit', env: shellEnv(sim, binDir) });
    // Registered before cleanup.ts's handlers (which exit at once): kill the shell by its PID first.
    const kill = () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    for (const signal of SIGNALS) process.prependListener(signal, kill);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + 9)));
      });
    } finally {
      for (const signal of SIGNALS) process.removeListener(signal, kill);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
