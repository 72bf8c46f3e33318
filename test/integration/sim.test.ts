// Proves the simulator itself: the fake IMDS's formats, token mode, faults and stats; the cloud's source check; cleanup.
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSimInstance, presetInstance } from '../sim/instance.ts';
import type { ImdsConfig, SimInstance } from '../sim/instance.ts';
import { imdsConfigOf } from '../sim/spec.ts';
import { httpArgv } from '../sim/probes.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MAC0 = '00:16:3e:5e:00:01';
const MAC1 = '00:16:3e:5e:00:02';
const META = '/latest/meta-data';

function baseConfig(overrides: Partial<ImdsConfig> = {}): ImdsConfig {
  const spec = presetInstance('two-enis-same-vswitch');
  const eth1 = spec.enis[1];
  if (eth1) eth1.ipv6 = { addresses: ['2408:4005:325:a204::30', '2408:4005:325:a204::31'], vswitchCidr: '2408:4005:325:a204::/64', gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7', prefixes: ['2408:4005:325:a204:1a00::/80'] };
  if (eth1) eth1.ipv4Prefixes = ['10.0.0.128/28'];
  return { ...imdsConfigOf(spec, 'test'), all: false, ...overrides };
}

/** The fake IMDS CLI on 127.0.0.1 (random port), with a config file the test rewrites. */
class FakeImds {
  readonly dir = mkdtempSync(join(tmpdir(), 'eni-sim-test-'));
  readonly configPath = join(this.dir, 'config.json');
  private child: ChildProcess | undefined;
  base = '';

  async start(config: ImdsConfig): Promise<void> {
    this.write(config);
    const ready = join(this.dir, 'ready');
    this.child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/sim/fake-imds.ts'), '--config', this.configPath, '--listen', '127.0.0.1:0', '--ready-file', ready], { cwd: REPO, stdio: 'ignore' });
    for (let i = 0; i < 500 && !existsSync(ready); i++) await sleep(20);
    assert.ok(existsSync(ready), 'fake IMDS did not start within 10 s');
    this.base = `http://${readFileSync(ready, 'utf8').trim()}`;
  }

  write(config: ImdsConfig): void {
    writeFileSync(`${this.configPath}.tmp`, JSON.stringify(config));
    spawnSync('mv', [`${this.configPath}.tmp`, this.configPath]);
  }

  async get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string }> {
    const response = await fetch(`${this.base}${path}`, { method, headers, signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.text() };
  }

  async token(ttl = '60'): Promise<string> {
    const { status, body } = await this.get('/latest/api/token', { 'X-aliyun-ecs-metadata-token-ttl-seconds': ttl }, 'PUT');
    assert.equal(status, 200);
    return body;
  }

  stop(): void {
    if (this.child?.exitCode === null) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('fake IMDS', () => {
  const imds = new FakeImds();
  before(() => imds.start(baseConfig()));
  after(() => imds.stop());

  test('instance items, listings and per-ENI items in the formats of imds.md', async () => {
    assert.deepEqual(await imds.get(`${META}/mac`), { status: 200, body: MAC0 });
    assert.match((await imds.get(`${META}/instance-id`)).body, /^i-[0-9a-f]{20}$/);
    assert.equal((await imds.get(`${META}/region-id`)).body, 'cn-hangzhou');
    assert.equal((await imds.get(`${META}/zone-id`)).body, 'cn-hangzhou-i');
    assert.equal((await imds.get(`${META}/`)).body, 'instance-id\nmac\nnetwork/\nregion-id\nzone-id');
    assert.equal((await imds.get(`${META}/network/interfaces/macs/`)).body, `${MAC0}/\n${MAC1}/`);
    const item = (mac: string, name: string) => imds.get(`${META}/network/interfaces/macs/${mac}/${name}`);
    assert.equal((await item(MAC1, 'network-interface-id')).body, 'eni-bp1sim0000000000002');
    assert.equal((await item(MAC1, 'primary-ip-address')).body, '10.0.0.30');
    assert.equal((await item(MAC1, 'private-ipv4s')).body, '["10.0.0.30","10.0.0.31","10.0.0.32"]');
    assert.equal((await item(MAC1, 'netmask')).body, '255.255.255.0');
    assert.equal((await item(MAC1, 'gateway')).body, '10.0.0.253');
    assert.equal((await item(MAC1, 'vswitch-cidr-block')).body, '10.0.0.0/24');
    assert.equal((await item(MAC1, 'vpc-cidr-block')).body, '10.0.0.0/16');
    assert.match((await item(MAC1, 'vpc-id')).body, /^vpc-[0-9a-f]{21}$/);
    assert.match((await item(MAC1, 'vswitch-id')).body, /^vsw-[0-9a-f]{21}$/);
    assert.equal((await item(MAC1, 'ipv4-prefixes')).body, '10.0.0.128/28');
    assert.equal((await item(MAC1, 'ipv6s')).body, '[2408:4005:325:a204::30,2408:4005:325:a204::31]');
    assert.equal((await item(MAC1, 'ipv6-gateway')).body, '2408:4005:325:a204:ffff:ffff:ffff:fff7');
    assert.equal((await item(MAC1, 'vswitch-ipv6-cidr-block')).body, '2408:4005:325:a204::/64');
    assert.equal((await item(MAC1, 'ipv6-prefixes')).body, '2408:4005:325:a204:1a00::/80');
    for (const optional of ['ipv4-prefixes', 'ipv6s', 'ipv6-gateway', 'vswitch-ipv6-cidr-block', 'ipv6-prefixes']) {
      assert.equal((await item(MAC0, optional)).status, 404, `${optional} of an ENI without it`);
    }
    assert.equal((await item('00:16:3e:ff:ff:ff', 'gateway')).status, 404);
    assert.equal((await imds.get(`${META}/no-such-item`)).status, 404);
    assert.equal((await imds.get(`${META}/all`)).status, 404, 'all is off by default');
  });

  test('all: one JSON document mirroring the tree; absent keys for absent items', async () => {
    imds.write(baseConfig({ all: true }));
    const { status, body } = await imds.get(`${META}/all`);
    assert.equal(status, 200);
    const doc = JSON.parse(body) as { mac: string; network: { interfaces: { macs: Record<string, Record<string, unknown>> } } };
    assert.equal(doc.mac, MAC0);
    const eth0 = doc.network.interfaces.macs[MAC0];
    const eth1 = doc.network.interfaces.macs[MAC1];
    assert.deepEqual(eth1?.['private-ipv4s'], ['10.0.0.30', '10.0.0.31', '10.0.0.32']);
    assert.deepEqual(eth1?.['ipv6s'], ['2408:4005:325:a204::30', '2408:4005:325:a204::31']);
    assert.equal(eth1?.['gateway'], '10.0.0.253');
    assert.ok(eth0 !== undefined && !('ipv6s' in eth0) && !('ipv4-prefixes' in eth0));
    assert.match((await imds.get(`${META}/`)).body, /^all\n/);
  });

  test('all modes (partial as in Alibaba\'s samples, raw text), value styles, and a capture served verbatim', async () => {
    const macsOf = async () => (JSON.parse((await imds.get(`${META}/all`)).body) as { network: { interfaces: { macs: Record<string, Record<string, unknown>> } } }).network.interfaces.macs;
    imds.write(baseConfig({ all: 'partial' }));
    assert.deepEqual(Object.keys((await macsOf())[MAC1] ?? {}).sort(), ['gateway', 'netmask', 'network-interface-id', 'vpc-cidr-block']);
    imds.write(baseConfig({ all: 'partial', allItems: ['private-ipv4s'] }));
    assert.deepEqual((await macsOf())[MAC1], { 'private-ipv4s': ['10.0.0.30', '10.0.0.31', '10.0.0.32'] });
    imds.write(baseConfig({ all: 'raw' }));
    assert.equal((await macsOf())[MAC1]?.['private-ipv4s'], '["10.0.0.30","10.0.0.31","10.0.0.32"]');
    imds.write(baseConfig({ all: 'complete', style: 'crlf' }));
    assert.equal((await macsOf())[MAC1]?.['private-ipv4s'], '10.0.0.30\r\n10.0.0.31\r\n10.0.0.32');
    assert.equal((await imds.get(`${META}/network/interfaces/macs/`)).body, `${MAC0}/\r\n${MAC1}/\r\n`);
    assert.equal((await imds.get(`${META}/mac`)).body, `${MAC0}\r\n`);
    imds.write(baseConfig({ style: 'spaced' }));
    assert.equal((await imds.get(`${META}/network/interfaces/macs/${MAC1}/private-ipv4s`)).body, '["10.0.0.30", "10.0.0.31", "10.0.0.32"]');
    assert.equal((await imds.get(`${META}/network/interfaces/macs/${MAC1}/ipv6s`)).body, '["2408:4005:325:a204::30", "2408:4005:325:a204::31"]');
    imds.write(baseConfig({ style: 'newline' }));
    assert.equal((await imds.get(`${META}/network/interfaces/macs/${MAC1}/gateway`)).body, '10.0.0.253\n');
    imds.write(baseConfig({ style: 'upper-mac', all: true }));
    assert.equal((await imds.get(`${META}/network/interfaces/macs/`)).body, `${MAC0.toUpperCase()}/\n${MAC1.toUpperCase()}/`);
    assert.equal((await imds.get(`${META}/network/interfaces/macs/${MAC1.toUpperCase()}/gateway`)).body, '10.0.0.253');
    assert.equal((await imds.get(`${META}/network/interfaces/macs/${MAC1}/gateway`)).status, 404, 'only the listed spelling');
    assert.ok(MAC1.toUpperCase() in (await macsOf()));
    imds.write(baseConfig({ capture: { responses: { [`${META}/mac`]: ' raw\r\n' }, statuses: { [`${META}/all`]: 500 } } }));
    assert.deepEqual(await imds.get(`${META}/mac`), { status: 200, body: ' raw\r\n' });
    assert.equal((await imds.get(`${META}/all`)).status, 500);
    assert.equal((await imds.get(`${META}/network/interfaces/macs/`)).status, 404);
    imds.write(baseConfig({ token: 'unsupported', tokenStatus: 405 }));
    assert.equal((await imds.get('/latest/api/token', { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' }, 'PUT')).status, 405);
  });

  test('token mode optional: tokens work, plain GETs too; every error status of imds.md', async () => {
    imds.write(baseConfig({ token: 'optional' }));
    const token = await imds.token();
    assert.match(token, /^[A-Za-z0-9_-]{16,}$/);
    assert.equal((await imds.get(`${META}/mac`, { 'X-aliyun-ecs-metadata-token': token })).status, 200);
    assert.equal((await imds.get(`${META}/mac`)).status, 200);
    assert.equal((await imds.get(`${META}/mac`, { 'X-aliyun-ecs-metadata-token': 'forged' })).status, 401);
    const put = (headers: Record<string, string>) => imds.get('/latest/api/token', headers, 'PUT');
    assert.equal((await put({ 'X-aliyun-ecs-metadata-token-ttl-seconds': '0' })).status, 400);
    assert.equal((await put({ 'X-aliyun-ecs-metadata-token-ttl-seconds': '21601' })).status, 400);
    assert.equal((await put({})).status, 400);
    assert.equal((await put({ 'X-aliyun-ecs-metadata-token-ttl-seconds': '21600' })).status, 200);
    assert.equal((await put({ 'X-aliyun-ecs-metadata-token-ttl-seconds': '60', 'X-Forwarded-For': '10.0.0.9' })).status, 403);
    assert.equal((await imds.get('/latest/api/token')).status, 405);
  });

  test('token mode required: 403 without a token, 401 once it expired', async () => {
    imds.write(baseConfig({ token: 'required' }));
    assert.equal((await imds.get(`${META}/mac`)).status, 403);
    const token = await imds.token('1');
    assert.deepEqual(await imds.get(`${META}/mac`, { 'X-aliyun-ecs-metadata-token': token }), { status: 200, body: MAC0 });
    await sleep(1100);
    assert.equal((await imds.get(`${META}/mac`, { 'X-aliyun-ecs-metadata-token': token })).status, 401);
  });

  test('token mode unsupported: the token path is 404, plain GETs work', async () => {
    imds.write(baseConfig({ token: 'unsupported' }));
    assert.equal((await imds.get('/latest/api/token', { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' }, 'PUT')).status, 404);
    assert.equal((await imds.get(`${META}/mac`)).status, 200);
  });

  test('faults: status for the first N matches, delays, body overrides, connection resets; raw overrides', async () => {
    imds.write(baseConfig({ faults: [{ path: 'netmask$', status: 500, count: 2 }, { path: 'gateway$', delayMs: 300, count: 1 }, { path: 'zone-id', body: 'garbage' }, { path: 'region-id', reset: true, count: 1 }] }));
    const netmask = `${META}/network/interfaces/macs/${MAC0}/netmask`;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await imds.get(netmask)).status);
    assert.deepEqual(statuses, [500, 500, 200]);
    const started = Date.now();
    assert.equal((await imds.get(`${META}/network/interfaces/macs/${MAC0}/gateway`)).body, '10.0.0.253');
    assert.ok(Date.now() - started >= 280, 'first gateway read delayed');
    assert.deepEqual(await imds.get(`${META}/zone-id`), { status: 200, body: 'garbage' });
    await assert.rejects(imds.get(`${META}/region-id`), 'connection reset');
    assert.equal((await imds.get(`${META}/region-id`)).status, 200);
    imds.write(baseConfig({ rawOverrides: { 'network/interfaces/macs/': `${MAC0}/\r\nbogus/\r\n` } }));
    assert.equal((await imds.get(`${META}/network/interfaces/macs/`)).body, `${MAC0}/\r\nbogus/\r\n`);
  });

  test('stats count every request by path; reset-stats clears them', async () => {
    imds.write(baseConfig());
    assert.equal((await imds.get('/__sim/reset-stats', {}, 'POST')).status, 200);
    await imds.get(`${META}/mac`);
    await imds.get(`${META}/mac`);
    await imds.get(`${META}/nothing`);
    const stats = JSON.parse((await imds.get('/__sim/stats')).body) as { requests: number; byPath: Record<string, number> };
    assert.deepEqual(stats, { requests: 3, byPath: { [`${META}/mac`]: 2, [`${META}/nothing`]: 1 } });
  });
});

function cannotRunNetns(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  const probe = spawnSync('ip', ['netns', 'list'], { timeout: 5000 });
  if (probe.status !== 0) return `\`ip netns\` unavailable: ${probe.error?.message ?? probe.stderr.toString().trim()}`;
  if (spawnSync('nft', ['--version'], { timeout: 5000 }).status !== 0) return 'nft (nftables) unavailable';
  return null;
}

async function withSim(t: TestContext, body: (sim: SimInstance) => Promise<void>, preset = presetInstance('three-enis-mixed')): Promise<void> {
  const reason = cannotRunNetns();
  if (reason !== null) return void t.skip(reason);
  const sim = await createSimInstance(preset);
  try {
    await body(sim);
  } finally {
    await sim.destroy();
  }
}

describe('simulated instance', () => {
  test('the source check drops replies that leave by the wrong ENI; manual policy routing fixes them', async (t) => {
    await withSim(t, async (sim) => {
      assert.ok(await sim.ping('10.0.0.20'), 'eth0 primary answers');
      assert.ok(await sim.tcpCheck('10.0.0.20'), 'eth0 primary answers TCP');
      assert.equal(await sim.ping('10.0.0.30'), false, 'eth1 (DHCP, primary IP only) does not answer');
      assert.equal(await sim.tcpCheck('10.0.0.30'), false);
      const drops = await sim.sourceCheckDrops();
      assert.ok((drops['eth0']?.ipv4 ?? 0) > 0, `eth1's replies were dropped at eth0: ${JSON.stringify(drops)}`);

      for (const argv of [
        ['ip', 'addr', 'add', '10.0.0.31/32', 'dev', 'eth1'],
        ['ip', 'rule', 'add', 'from', '10.0.0.30', 'lookup', '1001'],
        ['ip', 'rule', 'add', 'from', '10.0.0.31', 'lookup', '1001'],
        ['ip', 'route', 'add', 'default', 'via', '10.0.0.253', 'dev', 'eth1', 'table', '1001'],
      ]) {
        assert.equal((await sim.exec(argv)).code, 0, argv.join(' '));
      }
      const reach = await sim.reachableAll();
      const byIp = new Map(reach.map((entry) => [entry.ip, entry.ping && entry.tcp]));
      assert.equal(byIp.get('10.0.0.30'), true, JSON.stringify(reach));
      assert.equal(byIp.get('10.0.0.31'), true, JSON.stringify(reach));
      assert.equal(byIp.get('10.0.0.32'), false, 'not configured yet');
      assert.equal(byIp.get('10.0.1.40'), false, 'eth2 is down');

      // A reply from an IP the ENI does not own (still configured on eth1, gone from metadata) is dropped.
      await sim.setEniIps('eth1', ['10.0.0.30']);
      assert.equal(await sim.ping('10.0.0.31'), false);
      assert.ok(((await sim.sourceCheckDrops())['eth1']?.ipv4 ?? 0) > 0, 'dropped at eth1');
      assert.ok(await sim.ping('10.0.0.30'));
    });
  });

  test('metadata from inside the instance, live updates, stats only from the router, detach and attach', async (t) => {
    await withSim(t, async (sim) => {
      const get = async (path: string) => (await sim.exec(httpArgv('GET', '100.100.100.200', path))).stdout;
      assert.match(await get(`${META}/network/interfaces/macs/`), /\r\n\r\n00:16:3e:5e:00:01\/\n00:16:3e:5e:00:02\/\n00:16:3e:5e:00:03\/$/);
      assert.match(await get('/__sim/stats'), /^HTTP\/1\.1 404/, 'stats are not served to the instance');
      await sim.updateMetadata((config) => {
        const eth1 = config.enis.find((eni) => eni.mac === MAC1);
        if (eth1) eth1.privateIpv4s.push('10.0.0.33');
      });
      assert.match(await get(`${META}/network/interfaces/macs/${MAC1}/private-ipv4s`), /"10\.0\.0\.33"\]$/);
      const stats = await sim.imdsStats();
      assert.equal(stats.requests, 2, JSON.stringify(stats));
      await sim.resetImdsStats();
      assert.equal((await sim.imdsStats()).requests, 0);

      await sim.detachEni('eth2');
      assert.equal((await sim.exec(['ip', 'link', 'show', 'eth2'])).code, 1);
      assert.doesNotMatch(await get(`${META}/network/interfaces/macs/`), /00:16:3e:5e:00:03/);
      const eth2 = sim.spec.enis[2];
      assert.ok(eth2);
      await sim.attachEni(eth2, { metadataLagMs: 800 });
      assert.equal((await sim.exec(['ip', 'link', 'show', 'eth2'])).code, 0);
      assert.doesNotMatch(await get(`${META}/network/interfaces/macs/`), /00:16:3e:5e:00:03/, 'metadata lags the hot-plug');
      await sleep(900);
      assert.match(await get(`${META}/network/interfaces/macs/`), /00:16:3e:5e:00:03\/$/);
      for (const argv of [['ip', 'link', 'set', 'eth2', 'up'], ['ip', 'addr', 'add', '10.0.1.40/24', 'dev', 'eth2'], ['ip', 'rule', 'add', 'from', '10.0.1.40', 'lookup', '1002'], ['ip', 'route', 'add', 'default', 'via', '10.0.1.253', 'dev', 'eth2', 'table', '1002']]) {
        assert.equal((await sim.exec(argv)).code, 0, argv.join(' '));
      }
      assert.ok(await sim.ping('10.0.1.40'), 'the re-attached ENI works once routed');
    });
  });

  test('destroy leaves no namespace, no process, no temp dir; twice is fine', async (t) => {
    const reason = cannotRunNetns();
    if (reason !== null) return void t.skip(reason);
    const sim = await createSimInstance(presetInstance('two-enis-same-vswitch'));
    const namespaces = [sim.nsInst, sim.nsVpc, sim.nsClient];
    const pids = [sim.pids.imds, sim.pids.echo];
    assert.ok(pids.every((pid) => pid > 0 && existsSync(`/proc/${pid}`)));
    await sim.destroy();
    await sim.destroy();
    const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    for (const ns of namespaces) assert.ok(!listed.split('\n').some((line) => line.split(' ')[0] === ns), `${ns} left`);
    for (const pid of pids) assert.ok(!existsSync(`/proc/${pid}`), `process ${pid} left`);
    assert.ok(!existsSync(sim.rootDir));
    assert.ok(!existsSync(`/run/eni-sim/${sim.prefix}.json`));
  });
});
