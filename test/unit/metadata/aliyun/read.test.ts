// Tests for the Aliyun provider against a real local metadata server: tree and `all` sources, per-ENI failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadMetadataError, MetadataUnreachableError } from '../../../../src/errors.ts';
import { silentLogger } from '../../../../src/log.ts';
import { readAliyunMetadata } from '../../../../src/metadata/aliyun/read.ts';
import { createMetadataHttp } from '../../../../src/metadata/http.ts';
import type { MetadataResult } from '../../../../src/model.ts';
import { DEADLINE_SLACK_MS, closedPortUrl, startFakeImds } from '../fake-imds.ts';
import type { FakeImds, FakeImdsOptions } from '../fake-imds.ts';

const META = '/latest/meta-data';
const MACS = `${META}/network/interfaces/macs/`;
const MAC0 = '00:16:3e:0f:00:01';
const MAC1 = '00:16:3e:12:16:02';

type Items = Record<string, string>;

const ENI0: Items = {
  'network-interface-id': 'eni-bp1aaa',
  'primary-ip-address': '10.0.0.20',
  'private-ipv4s': '["10.0.0.20"]',
  netmask: '255.255.255.0',
  gateway: '10.0.0.253',
  'vpc-id': 'vpc-x',
};
const ENI1: Items = {
  'network-interface-id': 'eni-bp1bbb',
  'primary-ip-address': '10.0.1.7',
  'private-ipv4s': '["10.0.1.7", "10.0.1.8"]',
  netmask: '255.255.255.0',
  gateway: '10.0.1.253',
  'ipv4-prefixes': '10.0.1.32/28',
  ipv6s: '[2408:4005:325:a204:1875:217f:184a:e4e]',
  'ipv6-gateway': '2408:4005:325:a204:ffff:ffff:ffff:fff7',
  'vswitch-ipv6-cidr-block': '2408:4005:325:a204::/64',
  'ipv6-prefixes': '2408:4005:325:a204:1a00::/80',
};

function tree(enis: Record<string, Items>, listing = Object.keys(enis).map((mac) => `${mac}/`).join('\n')): Record<string, string> {
  const result: Record<string, string> = {
    [`${META}/mac`]: MAC0,
    [`${META}/instance-id`]: 'i-bp13abc',
    [`${META}/region-id`]: 'cn-hangzhou',
    [MACS]: listing,
  };
  for (const [mac, items] of Object.entries(enis)) {
    for (const [item, value] of Object.entries(items)) result[`${MACS}${mac}/${item}`] = value;
  }
  return result;
}

async function read(
  server: FakeImdsOptions,
  check: (result: MetadataResult, imds: FakeImds) => void,
  deadlineMs = 2000,
): Promise<void> {
  const imds = await startFakeImds(server);
  const http = createMetadataHttp({ baseUrl: imds.url, deadline: Date.now() + deadlineMs, tokenMode: 'auto', log: silentLogger, random: () => 0 });
  try {
    check(await readAliyunMetadata(http, silentLogger), imds);
  } finally {
    await http.close();
    await imds.close();
  }
}

async function readFails(server: FakeImdsOptions, expected: (error: unknown) => boolean): Promise<void> {
  const imds = await startFakeImds(server);
  const http = createMetadataHttp({ baseUrl: imds.url, deadline: Date.now() + 1000, tokenMode: 'auto', log: silentLogger });
  try {
    await assert.rejects(readAliyunMetadata(http, silentLogger), expected);
  } finally {
    await http.close();
    await imds.close();
  }
}

const EXPECTED_ENIS = [
  {
    mac: MAC0,
    eniId: 'eni-bp1aaa',
    primaryIp: '10.0.0.20',
    privateIpv4s: ['10.0.0.20'],
    prefixLength: 24,
    gateway: '10.0.0.253',
    subnet: '10.0.0.0/24',
    ipv4Prefixes: [],
    ipv6s: [],
    ipv6Prefixes: [],
  },
  {
    mac: MAC1,
    eniId: 'eni-bp1bbb',
    primaryIp: '10.0.1.7',
    privateIpv4s: ['10.0.1.7', '10.0.1.8'],
    prefixLength: 24,
    gateway: '10.0.1.253',
    subnet: '10.0.1.0/24',
    ipv4Prefixes: ['10.0.1.32/28'],
    ipv6s: ['2408:4005:325:a204:1875:217f:184a:e4e'],
    ipv6Prefixes: ['2408:4005:325:a204:1a00::/80'],
    ipv6Gateway: '2408:4005:325:a204:ffff:ffff:ffff:fff7',
    ipv6Subnet: '2408:4005:325:a204::/64',
  },
];

test('tree: reads every ENI, only the items it uses, with the token', async () => {
  await read({ tree: tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), token: 'required' }, (result, imds) => {
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.deepEqual(result.instance, { primaryMac: MAC0, instanceId: 'i-bp13abc' }, 'region and zone are not read item by item');
    assert.deepEqual(result.failed, []);
    assert.equal(result.complete, true);
    assert.equal(result.source, 'tree');
    assert.equal(result.tokenMode, 'token');
    // token + all (404) + mac + listing + instance-id + 11 items per ENI, all in one wave (IPv6 items included).
    assert.equal(result.requests, 1 + 1 + 1 + 1 + 1 + 11 * 2);
    assert.equal(imds.requests.length, result.requests);
    assert.deepEqual(result.requestsBy, { token: 1, all: 1, tree: 25 });
    assert.deepEqual(result.sources, { [MAC0]: 'tree', [MAC1]: 'tree' });
    const paths = imds.requests.map((r) => r.path);
    assert.ok(!paths.some((p) => p.endsWith('/vpc-id')), 'unused items are not read');
    assert.ok(imds.requests.slice(1).every((r) => r.headers['x-aliyun-ecs-metadata-token'] === 'tok-1-AbC'));
  });
});

test('all: the document, then the listing and what it lacks in one wave', async () => {
  const macs = { [MAC0]: { ...ENI0, 'private-ipv4s': ['10.0.0.20'] }, [MAC1.toUpperCase()]: ENI1 };
  const all = JSON.stringify({ mac: MAC0, 'instance-id': 'i-bp13abc', 'zone-id': 'cn-hangzhou-i', network: { interfaces: { macs } } });
  await read({ tree: { ...tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), [`${META}/all`]: all }, token: 'unsupported' }, (result, imds) => {
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.deepEqual(result.instance, { primaryMac: MAC0, instanceId: 'i-bp13abc', zoneId: 'cn-hangzhou-i' });
    assert.equal(result.complete, true);
    assert.equal(result.source, 'all');
    assert.equal(result.tokenMode, 'plain');
    // token + all + listing + (MAC0: 6 optional items not in all) + (MAC1: vswitch-cidr-block), by the spelling of all's keys.
    assert.equal(result.requests, 1 + 1 + 1 + 6 + 1);
    assert.equal(imds.requests.length, result.requests);
    assert.ok(imds.requests.some((r) => r.path === `${MACS}${MAC1.toUpperCase()}/vswitch-cidr-block`));
    assert.deepEqual(result.sources, { [MAC0]: 'both', [MAC1]: 'both' });
  });
});

const PARTIAL_ALL = JSON.stringify({
  mac: MAC0,
  'instance-id': 'i-bp13abc',
  network: {
    interfaces: {
      macs: {
        [MAC0]: { gateway: '10.0.0.253', netmask: '255.255.255.0', 'network-interface-id': 'eni-bp1aaa' },
        [MAC1]: { 'vpc-cidr-block': '10.0.0.0/16', netmask: '255.255.255.0' },
      },
    },
  },
});

test('all as in Alibaba\'s samples (a few items per ENI): the rest from the tree, one wave, fewer requests than the tree', async () => {
  let treeOnly = 0;
  await read({ tree: tree({ [MAC0]: ENI0, [MAC1]: ENI1 }) }, (result) => {
    treeOnly = result.requests;
  });
  await read({ tree: { ...tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), [`${META}/all`]: PARTIAL_ALL } }, (result, imds) => {
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.equal(result.complete, true);
    assert.equal(result.source, 'all');
    assert.deepEqual(result.sources, { [MAC0]: 'both', [MAC1]: 'both' });
    assert.ok(result.requests < treeOnly, `${result.requests} requests, the tree alone ${treeOnly}`);
    // token, all, then one wave: the listing and 8 + 10 missing items; no item asked for twice.
    assert.equal(result.requests, 1 + 1 + 1 + 8 + 10);
    const paths = imds.requests.map((r) => r.path);
    assert.equal(new Set(paths).size, paths.length);
    assert.ok(!paths.includes(`${MACS}${MAC0}/gateway`), 'what all holds is not read again');
    assert.deepEqual(result.requestsBy, { token: 1, all: 1, tree: 19 });
  });
});

test('all: raw endpoint text, JSON arrays, CRLF-joined strings, upper-case keys and spaces are all taken', async () => {
  const macs = {
    [MAC0.toUpperCase()]: { ...ENI0, 'private-ipv4s': ' ["10.0.0.20"]\n', gateway: '10.0.0.253\r\n' },
    [`${MAC1}/`]: { ...ENI1, 'private-ipv4s': '10.0.1.7\r\n10.0.1.8', ipv6s: ['2408:4005:325:a204:1875:217f:184a:e4e'], 'ipv4-prefixes': ['10.0.1.32/28'] },
  };
  const all = JSON.stringify({ MAC: `${MAC0.toUpperCase()}\n`, network: { interfaces: { macs } } });
  await read({ tree: { ...tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), [`${META}/all`]: all } }, (result) => {
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.equal(result.complete, true);
  });
});

test('all: a value that does not validate is read again from the tree, once', async () => {
  const macs = { [MAC0]: { ...ENI0, gateway: '10.0.0.253 table main' }, [MAC1]: ENI1 };
  const all = JSON.stringify({ mac: MAC0, network: { interfaces: { macs } } });
  await read({ tree: { ...tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), [`${META}/all`]: all } }, (result, imds) => {
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.equal(result.complete, true);
    assert.equal(imds.requests.filter((r) => r.path === `${MACS}${MAC0}/gateway`).length, 1);
  });
  // The tree says the same: a precise error for that ENI only.
  await read({ tree: { ...tree({ [MAC0]: ENI0, [MAC1]: { ...ENI1, gateway: 'x' } }), [`${META}/all`]: all.replace(MAC0, MAC0).replace('"gateway":"10.0.1.253"', '"gateway":"x"') } }, (result) => {
    assert.deepEqual(result.enis.map((e) => e.mac), [MAC0]);
    assert.deepEqual(result.failed.map((f) => [f.mac, f.eniId, f.problems.map((p) => [p.field, p.value])]), [[MAC1, 'eni-bp1bbb', [['gateway', 'x']]]]);
    assert.equal(result.complete, false);
  });
});

test('all: an ENI it leaves out but the listing names is read whole from the tree', async () => {
  const all = JSON.stringify({ mac: MAC0, network: { interfaces: { macs: { [MAC0]: ENI0 } } } });
  await read({ tree: { ...tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), [`${META}/all`]: all } }, (result) => {
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.deepEqual(result.sources, { [MAC0]: 'both', [MAC1]: 'tree' });
    assert.equal(result.complete, true);
  });
});

test('all without mac or interfaces, an empty object, JSON of another type: the tree gives the rest', async () => {
  for (const all of [JSON.stringify({ 'instance-id': 'i-bp13abc' }), '{}', '[1,2]', '"text"', JSON.stringify({ mac: 7, network: { interfaces: { macs: [] } } })]) {
    await read({ tree: { ...tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), [`${META}/all`]: all } }, (result) => {
      assert.deepEqual(result.enis, EXPECTED_ENIS, all);
      assert.equal(result.complete, true, all);
      assert.equal(result.instance.primaryMac, MAC0);
    });
  }
});

test('an upper-case listing: item paths use the spelling the service listed', async () => {
  const upper = Object.fromEntries(Object.entries(tree({ [MAC0]: ENI0, [MAC1]: ENI1 })).map(([path, body]) => [path.replace(MAC0, MAC0.toUpperCase()).replace(MAC1, MAC1.toUpperCase()), body]));
  upper[MACS] = `${MAC0.toUpperCase()}/\n${MAC1.toUpperCase()}/\n`;
  await read({ tree: upper }, (result) => {
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.equal(result.complete, true);
  });
});

test('IPv6 items that cannot be read: the IPv4 side is kept, the IPv6 side reported, nothing counts as complete', async () => {
  const hook: FakeImdsOptions['hook'] = (request) => (request.path === `${MACS}${MAC1}/ipv6-gateway` ? { status: 500 } : undefined);
  await read(
    { tree: tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), hook },
    (result) => {
      assert.deepEqual(result.failed, []);
      assert.equal(result.complete, false);
      const eni1 = result.enis.find((e) => e.mac === MAC1);
      assert.deepEqual(eni1?.privateIpv4s, ['10.0.1.7', '10.0.1.8']);
      assert.deepEqual([eni1?.ipv6s, eni1?.ipv6Gateway], [[], undefined]);
      assert.deepEqual(eni1?.ipv6Problems?.map((p) => p.field), ['ipv6-gateway']);
      assert.match(eni1?.ipv6Problems?.[0]?.message ?? '', /HTTP 500/);
    },
    600,
  );
});

test('all: a document not shaped like the tree falls back to the tree', async () => {
  await read({ tree: { ...tree({ [MAC0]: ENI0 }), [`${META}/all`]: '{"mac": 1' } }, (result) => {
    assert.equal(result.source, 'tree');
    assert.equal(result.complete, true);
    assert.equal(result.enis.length, 1);
  });
});

test('all: a bad key fails only itself; a non-object entry or a value of another type is read from the tree', async () => {
  const macs = { [MAC0]: { ...ENI0, netmask: 24 }, [MAC1]: 'eni', 'zz:zz': {} };
  const all = JSON.stringify({ mac: MAC0, network: { interfaces: { macs } } });
  await read({ tree: { ...tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), [`${META}/all`]: all } }, (result) => {
    assert.equal(result.source, 'all');
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.equal(result.complete, false);
    assert.deepEqual(result.failed.map((f) => [f.mac, f.problems.map((p) => p.field)]), [['zz:zz', ['macs']]]);
  });
});

test('listing: CRLF, no trailing slash or newline, duplicates; a bad line fails only itself', async () => {
  const listing = ` ${MAC0}/\r\n${MAC1}\t\r\n${MAC0.toUpperCase()}/\r\nrule del all/\r\n\r\n`;
  await read({ tree: tree({ [MAC0]: ENI0, [MAC1]: ENI1 }, listing) }, (result) => {
    assert.deepEqual(result.enis.map((e) => e.mac), [MAC0, MAC1]);
    assert.equal(result.complete, false);
    assert.deepEqual(result.failed, [
      { mac: 'rule del all', problems: [{ mac: 'rule del all', field: 'macs', value: 'rule del all', message: 'listing entry is not a MAC address' }] },
    ]);
  });
});

test('a hostile or missing value fails only its ENI', async () => {
  const hostile = { ...ENI1, 'primary-ip-address': '10.0.1.7\nrule del all' };
  await read({ tree: tree({ [MAC0]: ENI0, [MAC1]: hostile }) }, (result) => {
    assert.deepEqual(result.enis.map((e) => e.mac), [MAC0]);
    assert.equal(result.complete, false);
    assert.equal(result.failed[0]?.mac, MAC1);
    assert.equal(result.failed[0]?.eniId, 'eni-bp1bbb');
    assert.deepEqual(result.failed[0]?.problems.map((p) => [p.field, p.value]), [['primary-ip-address', '10.0.1.7\\nrule del all']]);
  });
  const { gateway: _gateway, ...missing } = ENI1;
  await read({ tree: tree({ [MAC0]: ENI0, [MAC1]: missing }) }, (result) => {
    assert.deepEqual(result.enis.map((e) => e.mac), [MAC0]);
    assert.equal(result.failed[0]?.eniId, 'eni-bp1bbb');
    assert.deepEqual(result.failed[0]?.problems.map((p) => p.field), ['gateway']);
    assert.match(result.failed[0]?.problems[0]?.message ?? '', /404/);
  });
});

test('retries and an expired token on the way still give a complete result', async () => {
  const throttled = new Set<string>();
  let imds: FakeImds | undefined;
  const hook: FakeImdsOptions['hook'] = (request, index) => {
    if (index === 1 || index === 2) return { status: 503 };
    if (index === 6) imds?.expireTokens();
    if (request.path.endsWith('/netmask') && !throttled.has(request.path)) {
      throttled.add(request.path);
      return { status: 429 };
    }
    return undefined;
  };
  imds = await startFakeImds({ tree: tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), token: 'required', hook });
  const http = createMetadataHttp({ baseUrl: imds.url, deadline: Date.now() + 2000, tokenMode: 'auto', log: silentLogger, random: () => 0 });
  try {
    const result = await readAliyunMetadata(http, silentLogger);
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.equal(result.complete, true);
    assert.equal(imds.requests.filter((r) => r.method === 'PUT').length, 2);
    assert.equal(imds.requests.filter((r) => r.path.endsWith('/netmask')).length, 4);
  } finally {
    await http.close();
    await imds.close();
  }
});

test('an item that never answers fails its ENI at the deadline, the others are kept', async () => {
  const hook: FakeImdsOptions['hook'] = (request) => (request.path === `${MACS}${MAC1}/netmask` ? { status: 500 } : undefined);
  const started = Date.now();
  await read(
    { tree: tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), hook },
    (result) => {
      assert.deepEqual(result.enis.map((e) => e.mac), [MAC0]);
      assert.equal(result.complete, false);
      assert.equal(result.failed[0]?.mac, MAC1);
      assert.equal(result.failed[0]?.problems[0]?.field, 'netmask');
      assert.match(result.failed[0]?.problems[0]?.message ?? '', /HTTP 500/);
      assert.ok(Date.now() - started < 400 + DEADLINE_SLACK_MS);
    },
    400,
  );
});

test('no valid MAC in the listing, or an invalid primary MAC, is bad metadata', async () => {
  await readFails({ tree: tree({}, 'garbage/\nmore\n') }, (e) => e instanceof BadMetadataError && /lists no valid MAC/.test(e.message) && e.message.includes('"garbage/\\nmore\\n"'));
  await readFails(
    { tree: { ...tree({ [MAC0]: ENI0 }), [`${META}/mac`]: '00:16:3e:0f:00:01 ; reboot' } },
    (e) => e instanceof BadMetadataError && e.message.includes('/latest/meta-data/mac') && e.message.includes('"00:16:3e:0f:00:01 ; reboot"'),
  );
  await readFails({ tree: { [`${META}/mac`]: MAC0 } }, (e) => e instanceof BadMetadataError && e.message.includes(MACS));
});

test('an unreachable service is MetadataUnreachableError within the deadline', async () => {
  const started = Date.now();
  const http = createMetadataHttp({ baseUrl: await closedPortUrl(), deadline: started + 300, tokenMode: 'auto', log: silentLogger });
  try {
    await assert.rejects(readAliyunMetadata(http, silentLogger), MetadataUnreachableError);
    assert.ok(Date.now() - started < 300 + DEADLINE_SLACK_MS);
  } finally {
    await http.close();
  }
});

test('all listing thousands of MACs is garbage: the listing decides, nothing is read for them', async () => {
  const macs = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`00:16:3e:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, { netmask: '255.255.255.0' }]));
  const all = JSON.stringify({ mac: MAC0, network: { interfaces: { macs } } });
  await read({ tree: { ...tree({ [MAC0]: ENI0, [MAC1]: ENI1 }), [`${META}/all`]: all } }, (result, imds) => {
    assert.deepEqual(result.enis, EXPECTED_ENIS);
    assert.equal(result.complete, true);
    assert.equal(result.source, 'tree');
    assert.ok(imds.requests.length < 40, `${imds.requests.length} requests`);
  });
});

test('round trips: a partial all is the token, the document, then one wave; the tree alone takes one more', async () => {
  const waves = async (files: Record<string, string>): Promise<number> => {
    // Every answer is held 300 ms; a request belongs to the wave of how many answers had been given when it arrived.
    let answered = 0;
    const seen = new Set<number>();
    const imds = await startFakeImds({
      tree: files,
      hook: () => {
        seen.add(answered);
        setTimeout(() => answered++, 300);
        return { delayMs: 300 };
      },
    });
    const http = createMetadataHttp({ baseUrl: imds.url, deadline: Date.now() + 8000, tokenMode: 'auto', log: silentLogger, maxConcurrency: 64 });
    try {
      assert.equal((await readAliyunMetadata(http, silentLogger)).complete, true);
    } finally {
      await http.close();
      await imds.close();
    }
    return seen.size;
  };
  const full = tree({ [MAC0]: ENI0, [MAC1]: ENI1 });
  assert.equal(await waves({ ...full, [`${META}/all`]: PARTIAL_ALL }), 3);
  assert.equal(await waves(full), 4, 'token, all (404), mac + listing + instance id, the items');
});
