// NEEDS ROOT AND `ip netns` (fails without): spawns the real `ip` in a throwaway namespace ktest-<pid> (deleted afterwards).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIpRunner } from '../../../src/kernel/ip.ts';
import { silentLogger } from '../../../src/log.ts';
import { assertRoot } from '../root.ts';
import { REFUSED_LINES } from '../../unit/kernel/fixtures/batch-lines.ts';

const NS = `ktest-${process.pid}`;
const ipn = (...args: string[]) => execFileSync('ip', ['-n', NS, ...args], { stdio: 'pipe' });
const ip = createIpRunner({ netns: NS, log: silentLogger, timeoutMs: 20_000 });

before(() => {
  assertRoot('the ip runner test');
  execFileSync('ip', ['netns', 'add', NS]);
  ipn('link', 'set', 'lo', 'up');
  ipn('link', 'add', 'eth1', 'address', '02:00:00:00:01:01', 'type', 'veth', 'peer', 'name', 'peer1');
  ipn('link', 'set', 'peer1', 'up');
});

after(() => {
  execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
});

test('runBatch applies IPv4 and IPv6 lines; readLive reads them back', async () => {
  const v4 = await ip.runBatch(4, [
    'link set dev eth1 up',
    'address add 10.0.1.5/24 dev eth1',
    'address add 10.0.1.6/32 dev eth1',
    'route replace 10.0.1.0/24 dev eth1 table 1001 proto 203 scope link src 10.0.1.5',
    'route replace default via 10.0.1.253 dev eth1 table 1001 proto 203 onlink',
    'rule add pref 20000 table main suppress_prefixlength 0 protocol 203',
    'rule add pref 20001 from 10.0.1.6/32 table 1001 protocol 203',
  ]);
  assert.deepEqual(v4, { ok: true, failures: [], stderr: '' });
  const v6 = await ip.runBatch(6, [
    'address add 2001:db8:1::5/128 dev eth1 nodad',
    'route replace default via fe80::1 dev eth1 table 1001 proto 203',
    'rule add pref 20001 from 2001:db8:1::5/128 table 1001 protocol 203',
  ]);
  assert.equal(v6.ok, true, v6.stderr);

  const live = await ip.readLive();
  const eth1 = live.interfaces.find((iface) => iface.name === 'eth1');
  assert.equal(eth1?.mac, '02:00:00:00:01:01');
  assert.equal(eth1?.up, true);
  assert.deepEqual(
    eth1?.addresses.filter((a) => !a.address.startsWith('fe80')).map((a) => `${a.address}/${a.prefixLength}`).sort(),
    ['10.0.1.5/24', '10.0.1.6/32', '2001:db8:1::5/128'],
  );
  assert.deepEqual(live.routes.filter((r) => r.table === 1001), [
    { family: 4, table: 1001, dst: 'default', protocol: '203', gateway: '10.0.1.253', dev: 'eth1' },
    { family: 4, table: 1001, dst: '10.0.1.0/24', protocol: '203', dev: 'eth1', scope: 'link', prefsrc: '10.0.1.5' },
    { family: 6, table: 1001, dst: 'default', protocol: '203', gateway: 'fe80::1', dev: 'eth1' },
  ]);
  assert.deepEqual(live.rules.filter((r) => r.protocol === '203'), [
    { family: 4, priority: 20000, table: 'main', protocol: '203', suppressPrefixLength: 0 },
    { family: 4, priority: 20001, table: 1001, from: '10.0.1.6/32', protocol: '203' },
    { family: 6, priority: 20001, table: 1001, from: '2001:db8:1::5/128', protocol: '203' },
  ]);
  assert.ok(live.routes.some((r) => r.family === 6 && r.table === 254 && r.dst === '2001:db8:1::5/128'));

  // A read of one family (verification after a batch of that family): every link, only that family's objects.
  for (const family of [4, 6] as const) {
    const one = await ip.readLive([family]);
    const other = (item: { family: number }) => item.family !== family;
    assert.deepEqual(one.interfaces.map((iface) => iface.name), live.interfaces.map((iface) => iface.name));
    assert.ok(!one.interfaces.some((iface) => iface.addresses.some(other)) && !one.routes.some(other) && !one.rules.some(other));
    const mine = <T extends { family: number }>(items: T[]) => items.filter((item) => !other(item));
    assert.deepEqual(one.routes, mine(live.routes));
    assert.deepEqual(one.rules, mine(live.rules));
    assert.deepEqual(one.interfaces.map((iface) => iface.addresses), live.interfaces.map((iface) => mine(iface.addresses)));
  }
});

test('runBatch attributes a failing line and goes on (-force); an argument error stops ip', async () => {
  const result = await ip.runBatch(4, [
    'address add 10.0.2.1/32 dev eth1',
    'address add 10.0.2.1/32 dev eth1',
    'address add 10.0.2.2/32 dev nosuch',
    'address add 10.0.2.3/32 dev eth1',
    'address add bogus/32 dev eth1',
    'address add 10.0.2.4/32 dev eth1',
  ]);
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.failures.map((f) => [f.line, f.message]),
    [
      [2, 'Error: ipv4: Address already assigned.'],
      [3, 'Cannot find device "nosuch"'],
      [5, 'Error: inet prefix is expected rather than "bogus/32".'],
      [6, 'not run: ip stopped at line 5'],
    ],
  );
  assert.equal(result.failures[1]?.command, 'address add 10.0.2.2/32 dev nosuch');
  const addresses = (await ip.listInterfaces()).find((iface) => iface.name === 'eth1')?.addresses.map((a) => a.address) ?? [];
  assert.ok(addresses.includes('10.0.2.3') && !addresses.includes('10.0.2.4'));
});

test('runBatch refuses injected lines before spawning anything', async () => {
  for (const line of ['address add 10.0.3.1/32 dev eth1\nlink del eth1', 'address add 10.0.3.1/32 dev eth1\r', 'x\0', 'a # b', 'a \\', 'a "b"', '  ']) {
    await assert.rejects(ip.runBatch(4, ['address add 10.0.3.2/32 dev eth1', line]), /refusing ip batch line 2/);
  }
  const addresses = (await ip.listInterfaces()).find((iface) => iface.name === 'eth1')?.addresses.map((a) => a.address) ?? [];
  assert.ok(!addresses.includes('10.0.3.2'), 'nothing of the refused batch ran');
});

test('readLive, readLive of one family and listInterfaces use 2, 1 and 1 processes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipcount-'));
  try {
    const counter = join(dir, 'count');
    const wrapper = join(dir, 'ip');
    writeFileSync(wrapper, `#!/bin/sh\necho x >> '${counter}'\nexec ip "$@"\n`);
    chmodSync(wrapper, 0o755);
    const counted = createIpRunner({ ipPath: wrapper, netns: NS, log: silentLogger });
    await counted.readLive();
    assert.equal(readFileSync(counter, 'utf8').split('\n').filter(Boolean).length, 2);
    await counted.listInterfaces();
    assert.equal(readFileSync(counter, 'utf8').split('\n').filter(Boolean).length, 3);
    await counted.readLive([6]);
    assert.equal(readFileSync(counter, 'utf8').split('\n').filter(Boolean).length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an ip without -N (iproute2 < 5.3) is read by names instead', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipold-'));
  try {
    const old = join(dir, 'ip');
    writeFileSync(old, '#!/bin/sh\nfor a in "$@"; do [ "$a" = -N ] && { echo \'Option "-N" is unknown, try "ip -help".\' >&2; exit 255; }; done\nexec ip "$@"\n');
    chmodSync(old, 0o755);
    const runner = createIpRunner({ ipPath: old, netns: NS, log: silentLogger });
    assert.deepEqual(await runner.readLive(), await ip.readLive());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing ip binary and a timeout are reported, not hung on', async () => {
  await assert.rejects(createIpRunner({ ipPath: '/nonexistent/ip', log: silentLogger }).readLive(), /cannot run/);
  const dir = mkdtempSync(join(tmpdir(), 'ipslow-'));
  try {
    const slow = join(dir, 'ip');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 5\n');
    chmodSync(slow, 0o755);
    const runner = createIpRunner({ ipPath: slow, log: silentLogger, timeoutMs: 200 });
    await assert.rejects(runner.readLive(), /timed out/);
    const result = await runner.runBatch(4, ['link set dev eth1 up']);
    assert.equal(result.ok, false);
    assert.match(result.failures[0]?.message ?? '', /^unknown: ip stopped after line 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('2000 rules: one batch adds them all, and readLive reads every one back, each once', async (t) => {
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) lines.push(`rule add pref ${21000 + (i % 250)} from 10.${100 + Math.floor(i / 250)}.${i % 250}.1/32 table ${2000 + (i % 250)} protocol 203`);
  let started = performance.now();
  const result = await ip.runBatch(4, lines);
  const batchMs = performance.now() - started;
  assert.equal(result.ok, true, result.stderr);
  await ip.readLive(); // warm-up
  const times: number[] = [];
  let live;
  for (let i = 0; i < 5; i++) {
    started = performance.now();
    live = await ip.readLive();
    times.push(performance.now() - started);
  }
  const ours = (live?.rules ?? []).filter((rule) => rule.family === 4 && rule.priority >= 21000 && rule.priority < 21250);
  assert.equal(ours.length, 2000, 'every rule of the batch is read back');
  assert.equal(new Set(ours.map((rule) => `${rule.priority} ${rule.from}`)).size, 2000, 'and each one once');
  t.diagnostic(`2000-rule batch: ${batchMs.toFixed(0)} ms; readLive with ${live?.rules.length} rules: ${times.map((ms) => ms.toFixed(1)).join(', ')} ms`);
  // The times are a diagnostic only: a wall-clock limit belongs in the benchmark (bench/), not in a test a loaded CI host runs.
});

test('runBatch refuses a route or rule without our tag and any command outside its grammar', async () => {
  for (const line of REFUSED_LINES) {
    await assert.rejects(ip.runBatch(4, ['address add 10.0.3.2/32 dev eth1', line]), /refusing ip batch line 2/, line);
  }
  const addresses = (await ip.listInterfaces()).find((iface) => iface.name === 'eth1')?.addresses.map((a) => a.address) ?? [];
  assert.ok(!addresses.includes('10.0.3.2'), 'nothing of a refused batch ran');
});

test('a changing batch reaches ip as a complete, already unlinked regular file on stdin; nothing is left behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipfile-'));
  try {
    const seen = join(dir, 'seen');
    const batchDir = join(dir, 'run');
    execFileSync('mkdir', [batchDir]);
    const wrapper = join(dir, 'ip');
    // What ip's stdin is: the target of /proc/self/fd/0 (a deleted regular file) and its full content.
    writeFileSync(wrapper, `#!/bin/sh\nreadlink /proc/self/fd/0 > '${seen}'\nstat -L -c %F /proc/self/fd/0 >> '${seen}'\ncat >> '${seen}'\n`);
    chmodSync(wrapper, 0o755);
    const runner = createIpRunner({ ipPath: wrapper, netns: NS, log: silentLogger, batchDir });
    const lines = Array.from({ length: 5000 }, (_, i) => `rule add pref 20001 from 10.9.${Math.floor(i / 250)}.${i % 250}/32 table 1001 protocol 203`);
    const result = await runner.runBatch(4, lines);
    assert.equal(result.ok, true, result.stderr);
    const [target, type, ...content] = readFileSync(seen, 'utf8').split('\n');
    assert.match(target ?? '', new RegExp(`^${batchDir}/\\.ip-batch\\.${process.pid}\\.[0-9a-f]+ \\(deleted\\)$`));
    assert.equal(type, 'regular file');
    assert.deepEqual(content, [...lines, '']);
    assert.deepEqual(readdirSync(batchDir), [], 'no batch file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an ip batch left running by a killed run (its stdin an unlinked batch file of a dead pid) is killed before the first read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iporphan-'));
  const children: ReturnType<typeof spawn>[] = [];
  try {
    const orphanOf = (owner: number) => {
      const path = join(dir, `.ip-batch.${owner}.0123456789ab`);
      writeFileSync(path, 'rule add pref 20001 from 10.9.9.9/32 table 1001 protocol 203\n');
      const fd = openSync(path, 'r');
      const child = spawn('sleep', ['30'], { stdio: [fd, 'ignore', 'ignore'] });
      closeSync(fd);
      unlinkSync(path);
      children.push(child);
      return child;
    };
    const dead = orphanOf(999999999);
    const alive = orphanOf(1); // its writer (pid 1) is alive: not an orphan
    const exited = new Promise((resolve) => dead.on('exit', (_code, signal) => resolve(signal)));
    await createIpRunner({ netns: NS, log: silentLogger, batchDir: dir }).readLive();
    assert.equal(await exited, 'SIGKILL');
    assert.equal(alive.exitCode, null);
    assert.equal(alive.signalCode, null);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
