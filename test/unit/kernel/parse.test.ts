// Golden and edge-case tests of the iproute2 output parsers against real captured `ip -json` output (fixtures/capture.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { attributeBatchErrors, canonicalCidr, mergeAddresses, parseLinksAndAddresses, parseRoutes, parseRules, splitJsonValues } from '../../../src/kernel/parse.ts';
import type { LiveState } from '../../../src/model.ts';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const json = (name: string): unknown => JSON.parse(fixture(name));

function namedState(): LiveState {
  return {
    interfaces: parseLinksAndAddresses(json('address.json')),
    routes: [...parseRoutes(json('route4.json'), 4), ...parseRoutes(json('route6.json'), 6)],
    rules: [...parseRules(json('rule4.json'), 4), ...parseRules(json('rule6.json'), 6)],
  };
}

test('golden: named output of ip -json (UPDATE_GOLDEN=1 rewrites fixtures/expected.json)', () => {
  const actual = namedState();
  const path = new URL('fixtures/expected.json', import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, JSON.stringify(actual, null, 2) + '\n');
  assert.deepEqual(actual, JSON.parse(readFileSync(path, 'utf8')));
});

test('golden: the numeric (-N) two-batch output readLive uses parses to the same state', () => {
  const [links, addresses4, routes4, rules4, ...rest4] = splitJsonValues(fixture('batch4.out'));
  const [addresses6, routes6, rules6, ...rest6] = splitJsonValues(fixture('batch6.out'));
  assert.equal(rest4.length + rest6.length, 0);
  const live: LiveState = {
    interfaces: mergeAddresses(parseLinksAndAddresses(links), parseLinksAndAddresses(addresses4), parseLinksAndAddresses(addresses6)),
    routes: [...parseRoutes(routes4, 4), ...parseRoutes(routes6, 6)],
    rules: [...parseRules(rules4, 4), ...parseRules(rules6, 6)],
  };
  assert.deepEqual(live, namedState());
});

test('interfaces: MAC only for Ethernet, UP flag, link-local IPv6 kept', () => {
  const interfaces = parseLinksAndAddresses(json('address.json'));
  const byName = new Map(interfaces.map((iface) => [iface.name, iface]));
  assert.equal(byName.get('lo')?.mac, '');
  assert.equal(byName.get('eth1')?.mac, '02:00:00:00:01:01');
  assert.equal(byName.get('peer2')?.up, false);
  assert.ok(byName.get('eth1')?.addresses.some((a) => a.address === 'fe80::ff:fe00:101' && a.prefixLength === 64));
  assert.deepEqual(
    parseLinksAndAddresses([{ ifindex: 7, ifname: 'eth7', link_type: 'ether', address: '02:AB:00:00:00:07', flags: ['UP'], addr_info: [{ family: 'inet6', local: '2001:DB8:0:0:0:0:0:7', prefixlen: 128 }] }]),
    [{ name: 'eth7', index: 7, mac: '02:ab:00:00:00:07', up: true, addresses: [{ family: 6, address: '2001:db8::7', prefixLength: 128 }] }],
  );
});

test('addresses: a leased (dynamic) address is marked, a permanent one is not', () => {
  const [link] = parseLinksAndAddresses([
    {
      ifindex: 2,
      ifname: 'eth0',
      link_type: 'ether',
      address: '00:16:3e:00:00:01',
      flags: ['UP'],
      addr_info: [
        { family: 'inet', local: '10.0.0.20', prefixlen: 24, dynamic: true },
        { family: 'inet', local: '10.0.0.21', prefixlen: 32 },
      ],
    },
  ]);
  assert.deepEqual(link?.addresses, [
    { family: 4, address: '10.0.0.20', prefixLength: 24, dynamic: true },
    { family: 4, address: '10.0.0.21', prefixLength: 32 },
  ]);
});

test('routes: table names and numbers, host routes get a length, boot when protocol is missing, non-unicast skipped', () => {
  const routes4 = parseRoutes(json('route4.json'), 4);
  assert.ok(routes4.some((r) => r.table === 1001 && r.dst === '10.9.9.9/32'));
  assert.ok(routes4.some((r) => r.table === 1001 && r.dst === 'default' && r.gateway === '10.0.1.253' && r.protocol === '203'));
  assert.ok(routes4.some((r) => r.table === 254 && r.dst === 'default' && r.protocol === 'boot'));
  assert.ok(!routes4.some((r) => r.dst === '10.30.0.0/16'), 'unreachable skipped');
  assert.ok(!routes4.some((r) => r.table === 255), 'local/broadcast skipped');
  assert.deepEqual(routes4.find((r) => r.dst === '10.40.0.0/16'), {
    family: 4,
    table: 1002,
    dst: '10.40.0.0/16',
    protocol: 'boot',
    nexthops: [
      { gateway: '10.0.1.253', dev: 'eth1' },
      { gateway: '10.0.2.253', dev: 'eth2' },
    ],
  }, 'multipath: no gateway/dev of its own, its next hops kept');
  const routes6 = parseRoutes(json('route6.json'), 6);
  assert.ok(routes6.some((r) => r.table === 1001 && r.dst === '2001:db8:9::9/128'));
  assert.ok(!routes6.some((r) => r.dst === '2001:db8:77::/48'), 'source-specific skipped');
  assert.deepEqual(parseRoutes([{ dst: '10.0.0.0/8', table: 'local', type: 'unicast' }, { dst: '10.0.0.0/8', table: 'rt_custom' }], 4), [
    { family: 4, table: 255, dst: '10.0.0.0/8', protocol: 'boot' },
  ]);
});

test('rules: from canonical CIDR, tables, suppress_prefixlen, unmodelled selectors and actions skipped', () => {
  const rules4 = parseRules(json('rule4.json'), 4);
  assert.deepEqual(rules4.find((r) => r.priority === 20000), { family: 4, priority: 20000, table: 'main', protocol: '203', suppressPrefixLength: 0 });
  assert.ok(rules4.some((r) => r.from === '10.0.1.5/32' && r.table === 1001));
  assert.ok(rules4.some((r) => r.from === '10.0.8.0/24'));
  assert.ok(!rules4.some((r) => r.priority === 100 || r.priority === 150 || r.priority === 40000), 'fwmark, iif, blackhole skipped');
  assert.deepEqual(parseRules([{ priority: 5, src: 'all', table: 'eth1_table' }], 4), [{ family: 4, priority: 5, table: 'eth1_table' }]);
  assert.deepEqual(parseRules([{ priority: 5, src: '10.0.0.1', table: '10' }], 6), [], 'family mismatch skipped');
});

test('never throws on shapes it does not understand', () => {
  const junk: unknown[] = [null, 1, 'x', {}, [null], [[]], [{ ifindex: '1', ifname: 3 }], [{ ifindex: 1, ifname: 'a', flags: 'UP', addr_info: {} }]];
  const weird = [undefined, null, -1, 1.5, 2 ** 40, 'all', '', '1e3', 'default', '999.1.1.1/8', '::1/200', { x: 1 }, ['UP'], true];
  for (const value of junk) {
    assert.deepEqual(parseRoutes(value, 4), []);
    assert.deepEqual(parseRules(value, 6), []);
    parseLinksAndAddresses(value);
  }
  const samples = [...(json('address.json') as object[]), ...(json('route4.json') as object[]), ...(json('rule6.json') as object[])];
  for (const sample of samples) {
    for (const key of Object.keys(sample)) {
      for (const value of weird) {
        const mutated = [{ ...sample, [key]: value }];
        parseLinksAndAddresses(mutated);
        parseRoutes(mutated, 4);
        parseRules(mutated, 6);
      }
    }
  }
});

test('canonicalCidr keeps host bits, adds host lengths, rejects junk', () => {
  assert.equal(canonicalCidr('10.0.0.5', 4), '10.0.0.5/32');
  assert.equal(canonicalCidr('10.0.0.5/24', 4), '10.0.0.5/24');
  assert.equal(canonicalCidr('2001:DB8::0:1', 6), '2001:db8::1/128');
  assert.equal(canonicalCidr('10.0.0.5/33', 4), undefined);
  assert.equal(canonicalCidr('10.0.0.5/', 4), undefined);
  assert.equal(canonicalCidr('fe80::1%eth0', 6), undefined);
});

test('splitJsonValues: back-to-back arrays, brackets inside strings, truncation and junk rejected', () => {
  assert.deepEqual(splitJsonValues('[]\n[{"a":"]["}]\n[1,[2]]'), [[], [{ a: '][' }], [1, [2]]]);
  assert.deepEqual(splitJsonValues('[{"a":"\\"]"}][]'), [[{ a: '"]' }], []]);
  assert.deepEqual(splitJsonValues(' \n'), []);
  assert.throws(() => splitJsonValues('[{"a":1}'), SyntaxError);
  assert.throws(() => splitJsonValues('[] junk'), SyntaxError);
  assert.throws(() => splitJsonValues('[1,]'), SyntaxError);
});

// Real stderr of `ip -4 -force -batch -` (iproute2 6.1) for these lines.
const LINES = [
  'address add 10.0.0.5/24 dev v0',
  'address add 10.0.0.5/24 dev v0',
  'address add 10.0.0.6/32 dev nosuch',
  'route replace default via 10.0.0.1 dev v0 table 1001 proto 203 onlink',
  'route add 10.8.0.0/16 via 10.7.0.1 dev v0 table 1001',
  'link set dev v1 up',
  'address add bogus/24 dev v0',
  'route add 10.10.0.0/16 dev v0 table 1001',
];
const STDERR = [
  'Error: ipv4: Address already assigned.',
  'Command failed -:2',
  'Cannot find device "nosuch"',
  'Command failed -:3',
  'Error: Nexthop has invalid gateway.',
  'Command failed -:5',
  'Error: inet prefix is expected rather than "bogus/24".',
  '',
].join('\n');

test('attributeBatchErrors: failed lines, then an argument error that stops ip', () => {
  assert.deepEqual(attributeBatchErrors(STDERR, LINES, { code: 255 }), [
    { line: 2, command: LINES[1], message: 'Error: ipv4: Address already assigned.' },
    { line: 3, command: LINES[2], message: 'Cannot find device "nosuch"' },
    { line: 5, command: LINES[4], message: 'Error: Nexthop has invalid gateway.' },
    { line: 7, command: LINES[6], message: 'Error: inet prefix is expected rather than "bogus/24".' },
    { line: 8, command: LINES[7], message: 'not run: ip stopped at line 7' },
  ]);
});

test('attributeBatchErrors: success, warnings, and an unknown stop', () => {
  assert.deepEqual(attributeBatchErrors('', LINES, { code: 0 }), []);
  assert.deepEqual(attributeBatchErrors('Warning: something\n', LINES, { code: 0 }), []);
  const killed = attributeBatchErrors('Error: x\nCommand failed -:6\n', LINES, { code: null, incomplete: 'ip timed out after 5 ms' });
  assert.deepEqual(killed.map((f) => f.line), [6, 7, 8]);
  assert.equal(killed[1]?.message, 'unknown: ip stopped after line 6 (ip timed out after 5 ms)');
  assert.deepEqual(attributeBatchErrors('', LINES, { code: 1 }).length, LINES.length, 'a failure exit without messages leaves every line unknown');
});
