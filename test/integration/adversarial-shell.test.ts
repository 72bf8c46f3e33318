// Adversarial cases of the shell through the built executable (issue 9, cases 4, 6, 7 and the option values of 9):
// kill -9 during a large batch, SIGTERM early and mid-apply, read-only and full /run, wrong file types at the
// lock, report and config paths, a non-root apply, bad option values. One simulated instance of 10 ENIs x 249
// IPs for all cases (its batch is far past the 64 KiB pipe buffer). After every case: eth0 answers, the route to
// the metadata service leaves by eth0, and no route or rule without eni-init's tag appeared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createSimInstance } from '../sim/instance.ts';
import type { SimEni, SimInstance, SimSpec } from '../sim/instance.ts';
import { BINARY, cannotRun } from './helpers.ts';
import type { ReportShape } from './helpers.ts';

const ENIS = 10;
const IPS = 249;

function bigSpec(): SimSpec {
  const enis: SimEni[] = [];
  for (let k = 0; k < ENIS; k++) {
    const n = (k + 1).toString(16).padStart(2, '0');
    const ips = Array.from({ length: IPS }, (_, i) => `10.0.${k}.${i + 1}`);
    enis.push({ ifname: `eth${k}`, mac: `00:16:3e:ad:00:${n}`, eniId: `eni-bp1adv0000000000${n}`, privateIps: ips, vswitch: `10.0.${k}.0/24`, start: 'dhcp' });
  }
  return { enis, vpcCidr: '10.0.0.0/16', all: true };
}

interface KernelObject {
  key: string;
  protocol: string;
}

/** Every route (all tables, both families) and rule of the instance, with its protocol. */
async function kernelObjects(sim: SimInstance): Promise<KernelObject[]> {
  const objects: KernelObject[] = [];
  for (const family of ['-4', '-6']) {
    const routes = JSON.parse((await sim.exec(['ip', '-j', family, 'route', 'show', 'table', 'all'], { timeoutMs: 30_000 })).stdout) as Record<string, unknown>[];
    for (const route of routes) {
      const { protocol, expires: _expires, ...rest } = route;
      objects.push({ key: `route${family} ${JSON.stringify(rest)}`, protocol: String(protocol ?? 'boot') });
    }
    const rules = JSON.parse((await sim.exec(['ip', '-j', family, 'rule', 'show'], { timeoutMs: 30_000 })).stdout) as Record<string, unknown>[];
    for (const rule of rules) {
      const { protocol, ...rest } = rule;
      objects.push({ key: `rule${family} ${JSON.stringify(rest)}`, protocol: String(protocol ?? 'unspec') });
    }
  }
  return objects;
}

const TAGGED = new Set(['203', 'eni-init', 'kernel']);

/** After every case: eth0 answers, 100.100.100.200 is reached by eth0, nothing untagged appeared since the baseline. */
async function assertSafe(sim: SimInstance, baseline: Set<string>, label: string): Promise<void> {
  assert.ok(await sim.ping('10.0.0.1', { timeoutMs: 3000 }), `${label}: eth0's primary IP answers`);
  const get = await sim.exec(['ip', '-4', 'route', 'get', '100.100.100.200']);
  assert.match(get.stdout, / dev eth0 /, `${label}: the metadata service is reached by eth0: ${get.stdout}`);
  const foreign = (await kernelObjects(sim)).filter((object) => !baseline.has(object.key) && !TAGGED.has(object.protocol));
  assert.deepEqual(foreign, [], `${label}: no untagged route or rule appeared`);
}

async function rulesOf(sim: SimInstance): Promise<string[]> {
  return (await sim.exec(['ip', '-4', 'rule', 'show'], { timeoutMs: 30_000 })).stdout.split('\n').filter(Boolean);
}

/** `ip` processes inside the instance (an `ip -batch` a killed run left running). */
function ipProcesses(sim: SimInstance): number[] {
  const out = execFileSync('ip', ['netns', 'pids', sim.nsInst], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ip';
      } catch {
        return false;
      }
    });
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Background {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  /** Resolves when a stderr line matches. */
  line(pattern: RegExp, timeoutMs: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** The executable in the instance, in the background (ip netns exec execs it: the pid is eni-init's). */
function start(sim: SimInstance, args: string[], prefix: string[] = []): Background {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ENI_INIT_')));
  const root = args.includes('--root') ? [] : ['--root', sim.rootDir];
  const child = spawn('ip', ['netns', 'exec', sim.nsInst, ...prefix, BINARY, ...args, '--metadata-url', sim.imdsUrl, ...root], { stdio: ['ignore', 'pipe', 'pipe'], env });
  running.add(child);
  let err = '';
  let out = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const waiter of [...waiters]) if (waiter.pattern.test(err)) waiter.resolve();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    exit,
    line(pattern, timeoutMs) {
      if (pattern.test(err)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no stderr line ${pattern} within ${timeoutMs} ms:\n${err}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const reportPath = (sim: SimInstance) => join(sim.rootDir, 'run/eni-init/report.json');
const readReport = (sim: SimInstance) => JSON.parse(readFileSync(reportPath(sim), 'utf8')) as ReportShape & { startedAt: string };

async function applyConverges(sim: SimInstance, label: string): Promise<void> {
  const run = await sim.runEniInit(['--json'], { timeoutMs: 120_000 });
  assert.equal(run.code, 0, `${label}: ${run.stderr}`);
  assert.ok(['converged', 'no-change'].includes((run.report as ReportShape).outcome), label);
}

async function allAnswer(sim: SimInstance, label: string): Promise<void> {
  const reach = await sim.reachableAll();
  assert.equal(reach.length, sim.metadata().enis.reduce((sum, eni) => sum + eni.privateIpv4s.length, 0));
  const silent = reach.filter((entry) => !entry.ping);
  assert.deepEqual(silent.slice(0, 20), [], `${label}: ${silent.length} IPs do not answer`);
}

test('adversarial shell cases on one 10 x 249 instance', { timeout: 25 * 60_000 }, async (t) => {
  const reason = cannotRun();
  if (reason) {
    t.skip(reason);
    return;
  }
  const sim = await createSimInstance(bigSpec());
  try {
    const baseline = new Set((await kernelObjects(sim)).map((object) => object.key));
    await assertSafe(sim, baseline, 'baseline');

    await t.test('kill -9 during a large batch: no untagged object, the next apply converges, every IP answers', async (t2) => {
      // How long `ip` takes for the whole IPv4 batch here: the kills are spread over that time.
      const full = await sim.runEniInit(['--log-level', 'debug'], { timeoutMs: 120_000 });
      assert.equal(full.code, 0, full.stderr);
      const batchMs = Number(/ip args="-4 -force -batch -".* ms=(\d+)/.exec(full.stderr)?.[1]);
      assert.ok(batchMs > 0, full.stderr.slice(-2000));
      t2.diagnostic(`IPv4 batch of the full apply: ${batchMs} ms`);
      await allAnswer(sim, 'full apply');
      // Node hands a child's stdin to the kernel through a socket pair that takes about 200 KiB at once: with a
      // pipe-fed `ip`, the cut fell within the first milliseconds, at an offset set by the batch size. So the
      // first kills come early, and every round gives eth9 one IP fewer, to move that offset through a line.
      const delays = [3, 5, 7, 9, 12, 20, Math.round(0.3 * batchMs), Math.round(0.7 * batchMs)];
      for (const [round, delay] of delays.entries()) {
        const label = `round ${round + 1}: kill -9 ${delay} ms after "applying"`;
        await sim.setEniIps('eth9', Array.from({ length: IPS - 1 - round }, (_, i) => `10.0.9.${i + 1}`));
        const removed = await sim.runEniInit(['remove'], { timeoutMs: 120_000 });
        assert.equal(removed.code, 0, removed.stderr);
        const run = start(sim, ['apply']);
        await run.line(/applying \d+ changes/, 60_000);
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        run.child.kill('SIGKILL');
        const ended = await run.exit;
        assert.equal(ended.signal, 'SIGKILL', label);
        const orphans = ipProcesses(sim).length;
        // The next run at once: an ip the killed run left running is stopped before the state is read.
        const next = await sim.runEniInit(['--json'], { timeoutMs: 120_000 });
        assert.equal(next.code, 0, `${label}: next apply: ${next.stderr}`);
        assert.deepEqual(ipProcesses(sim), [], `${label}: no ip left running`);
        const reaped = /stopping an ip batch left running/.test(next.stderr);
        const own = (await rulesOf(sim)).filter((line) => / proto (203|eni-init)/.test(line)).length;
        t2.diagnostic(`${label}: ${orphans} ip process(es) outlived the run${reaped ? ', stopped by the next run' : ''}; ${own} of our rules after the next run`);
        await assertSafe(sim, baseline, label);
        assert.deepEqual(readdirSync(join(sim.rootDir, 'run/eni-init')).filter((name) => name.includes('ip-batch')), [], `${label}: no batch file left`);
        const again = await sim.runEniInit(['--json'], { timeoutMs: 120_000 });
        assert.equal((again.report as ReportShape).outcome, 'no-change', `${label}: the next run finds nothing to do`);
        await assertSafe(sim, baseline, `${label}, converged`);
      }
      await allAnswer(sim, 'after the kills');
    });

    await t.test('SIGTERM before any change (lock held by a live process): exit 8, the report file says so', async () => {
      // A live owner of the lock (this test process) keeps the run waiting before any change.
      const lock = join(sim.rootDir, 'run/eni-init/lock');
      const stat = readFileSync('/proc/self/stat', 'utf8');
      writeFileSync(lock, `${process.pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}\n`);
      try {
        writeFileSync(reportPath(sim), '{"outcome":"previous"}');
        const run = start(sim, ['apply']);
        await run.line(/waiting for another eni-init run/, 30_000);
        run.child.kill('SIGTERM');
        const ended = await run.exit;
        assert.equal(ended.code, 8, run.stderr());
        const report = readReport(sim);
        assert.equal(report.outcome, 'interrupted');
        assert.equal(report.exitCode, 8);
        assert.deepEqual(report.changes, []);
        // As soon as eni-init's own code runs (its first debug line comes after the handlers): exit 8, never death by signal 15.
        const early = start(sim, ['apply', '--log-level', 'debug']);
        await early.line(/starting/, 30_000);
        early.child.kill('SIGTERM');
        const done = await early.exit;
        assert.equal(done.code, 8, `SIGTERM at start: ${JSON.stringify(done)} ${early.stderr()}`);
        assert.equal(readFileSync(lock, 'utf8').split(' ')[0], String(process.pid), 'the live lock is untouched');
      } finally {
        rmSync(lock, { force: true });
      }
      await assertSafe(sim, baseline, 'SIGTERM early');
    });

    await t.test('SIGTERM mid-apply: never exit 8; the run finishes its step and the report lists what changed', async () => {
      const removed = await sim.runEniInit(['remove'], { timeoutMs: 120_000 });
      assert.equal(removed.code, 0, removed.stderr);
      const run = start(sim, ['apply']);
      await run.line(/applying \d+ changes/, 60_000);
      run.child.kill('SIGTERM');
      const ended = await run.exit;
      assert.notEqual(ended.code, 8, run.stderr());
      assert.equal(ended.signal, null);
      assert.match(run.stderr(), /SIGTERM received while applying/);
      const report = readReport(sim);
      assert.equal(report.exitCode, ended.code);
      assert.notEqual(report.outcome, 'interrupted');
      assert.ok(report.changes.length > 4000, `the report lists the changes made: ${report.changes.length}`);
      await assertSafe(sim, baseline, 'SIGTERM mid-apply');
      await applyConverges(sim, 'after SIGTERM mid-apply');
    });

    await t.test('read-only and full /run: exit 9 before any change, one line, no stack', async () => {
      const before = await kernelObjects(sim);
      const runDir = join(sim.rootDir, 'run');
      const saved = join(sim.rootDir, 'run.saved');
      execFileSync('mv', [runDir, saved]);
      mkdirSync(runDir);
      try {
        for (const options of ['ro,size=1m', 'size=4k,nr_inodes=3']) {
          execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'eni-adv', runDir]);
          try {
            if (options.startsWith('size=4k')) {
              mkdirSync(join(runDir, 'eni-init'));
              writeFileSync(join(runDir, 'filler'), '');
            }
            const run = await sim.runEniInit(['--deadline', '10'], { timeoutMs: 60_000 });
            assert.equal(run.code, 9, `${options}: ${run.stdout}${run.stderr}`);
            assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
            assert.match(run.stdout, /environment unfit/);
          } finally {
            execFileSync('umount', [runDir]);
          }
        }
      } finally {
        rmSync(runDir, { recursive: true, force: true });
        execFileSync('mv', [saved, runDir]);
      }
      assert.deepEqual(await kernelObjects(sim), before, 'nothing changed');
      await assertSafe(sim, baseline, 'read-only /run');
    });

    await t.test('lock path as a dangling symlink, a FIFO, a directory; report path a FIFO; config a directory: exit 9 at once', async () => {
      const before = await kernelObjects(sim);
      const lock = join(sim.rootDir, 'run/eni-init/lock');
      const report = reportPath(sim);
      const config = join(sim.rootDir, 'etc/eni-init/eni-init.conf');
      const cases: [string, () => void, () => void][] = [
        ['dangling symlink at the lock', () => symlinkSync(join(sim.rootDir, 'nowhere'), lock), () => rmSync(lock)],
        ['FIFO at the lock', () => execFileSync('mkfifo', [lock]), () => rmSync(lock)],
        ['directory at the lock', () => mkdirSync(lock), () => rmSync(lock, { recursive: true })],
        ['FIFO at the report path', () => { rmSync(report, { force: true }); execFileSync('mkfifo', [report]); }, () => rmSync(report)],
        ['directory at the config path', () => mkdirSync(config, { recursive: true }), () => rmSync(config, { recursive: true })],
      ];
      for (const [name, make, undo] of cases) {
        make();
        try {
          const started = Date.now();
          const run = await sim.runEniInit(['--deadline', '20'], { timeoutMs: 60_000 });
          assert.equal(run.code, 9, `${name}: ${run.stdout}${run.stderr}`);
          assert.ok(Date.now() - started < 10_000, `${name}: at once, not at the deadline`);
          assert.doesNotMatch(run.stderr, /\n\s+at /, `${name}: no stack trace`);
        } finally {
          undo();
        }
      }
      assert.deepEqual(await kernelObjects(sim), before, 'nothing changed');
      await assertSafe(sim, baseline, 'wrong file types');
    });

    await t.test('apply and remove as nobody: exit 10, one line, no stack trace, nothing changed', async (t2) => {
      if (!existsSync('/usr/bin/setpriv')) {
        t2.skip('setpriv (util-linux) missing');
        return;
      }
      const before = await kernelObjects(sim);
      // A root directory nobody can read (the sim's is 0700 under /tmp): what is checked is the capability.
      const root = mkdtempSync(join(tmpdir(), 'eni-adv-nobody-'));
      chmodSync(root, 0o755);
      try {
        for (const command of ['apply', 'remove']) {
          const run = start(sim, [command, '--root', root], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all']);
          const ended = await run.exit;
          assert.equal(ended.code, 10, `${command}: ${run.stdout()}${run.stderr()}`);
          assert.doesNotMatch(run.stderr(), /internal error|\n\s+at /, 'no stack trace');
          assert.match(run.stdout() + run.stderr(), /CAP_NET_ADMIN/);
        }
        assert.deepEqual(readdirSync(root), [], 'nothing written');
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
      assert.deepEqual(await kernelObjects(sim), before, 'nothing changed');
      await assertSafe(sim, baseline, 'non-root');
    });

    await t.test('bad option values: exit 2 naming the value, nothing changed', async () => {
      const before = await kernelObjects(sim);
      const cases: [string[], string][] = [
        [['--exclude', 'eth2   # comment'], 'eth2   # comment'],
        [['--exclude', 'eth2; eth1'], 'eth2; eth1'],
        [['--exclude', 'eth2\neth1'], 'eth2\\neth1'],
        [['--metadata-url', 'http://100.100.100.200:80\n80'], '\\n80'],
        [['--report-file', 'relative.json'], 'relative.json'],
        [['--config', '/etc/x\ny'], '\\ny'],
      ];
      for (const [args, shown] of cases) {
        const run = await sim.runEniInit(args);
        assert.equal(run.code, 2, `${JSON.stringify(args)}: ${run.stderr}`);
        assert.ok(run.stderr.includes(shown), `${JSON.stringify(args)}: ${run.stderr}`);
      }
      assert.deepEqual(await kernelObjects(sim), before, 'nothing changed');
      await assertSafe(sim, baseline, 'bad options');
    });

    await t.test('in the end: remove leaves exactly the baseline', async () => {
      const run = await sim.runEniInit(['remove'], { timeoutMs: 120_000 });
      assert.equal(run.code, 0, run.stderr);
      const left = (await kernelObjects(sim)).filter((object) => !baseline.has(object.key) && object.protocol !== 'kernel');
      assert.deepEqual(left, []);
      await assertSafe(sim, baseline, 'remove');
    });
  } finally {
    for (const child of running) child.kill('SIGKILL');
    await sim.destroy();
  }
});
