// One ENI while it is read: which items it still lacks, where each came from, read failures, and its validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../../src/log.ts';
import { ENI_ITEMS, missingItems, readItems, sourceOf, suspectFromAll, validate } from '../../../../src/metadata/aliyun/eni-read.ts';
import type { EniRead } from '../../../../src/metadata/aliyun/eni-read.ts';
import { MetadataRequestError } from '../../../../src/metadata/http.ts';
import type { MetadataHttp } from '../../../../src/metadata/http.ts';

const MAC = '00:16:3e:0f:00:01';
const VALUES = { 'network-interface-id': 'eni-bp1aaa', 'primary-ip-address': '10.0.0.20', 'private-ipv4s': '["10.0.0.20"]', netmask: '255.255.255.0', gateway: '10.0.0.253' };

function eniRead(values: EniRead['values'] = {}, from: 'all' | 'tree' = 'all'): EniRead {
  return { mac: MAC, spelling: MAC.toUpperCase(), values: { ...values }, from: new Map(Object.keys(values).map((item) => [item, from])), problems: [] };
}

/** A client that answers from `bodies` (null = 404), throws MetadataRequestError for `failing`, and records the paths asked. */
function client(bodies: Record<string, string | null>, failing: string[] = []) {
  const asked: { path: string; optional: boolean }[] = [];
  const http = {
    get: async (path: string, options?: { optional?: boolean }) => {
      asked.push({ path, optional: options?.optional === true });
      const item = path.split('/').pop() as string;
      if (failing.includes(item)) throw new MetadataRequestError(`${path}: HTTP 500`, path, 500);
      return bodies[item] ?? null;
    },
  } as unknown as MetadataHttp;
  return { http, asked };
}

test('missing items: all of them for an ENI only the tree knows; none of the IPv6 side once all says ipv6s is empty', () => {
  assert.deepEqual(missingItems(eniRead()), ENI_ITEMS);
  assert.deepEqual(missingItems(eniRead({ ...VALUES, ipv6s: [] })), ['ipv4-prefixes', 'vswitch-cidr-block']);
  assert.deepEqual(missingItems(eniRead({ ...VALUES, ipv6s: '[]' })), ['ipv4-prefixes', 'vswitch-cidr-block']);
  const fromTree = eniRead({ ...VALUES, ipv6s: [] }, 'tree');
  assert.deepEqual(missingItems(fromTree), ['ipv4-prefixes', 'vswitch-cidr-block', 'ipv6-gateway', 'vswitch-ipv6-cidr-block', 'ipv6-prefixes'], 'the shortcut is for what all says only');
  assert.ok(missingItems(eniRead({ ...VALUES, ipv6s: ['2408::1'] })).includes('ipv6-gateway'));
});

test('readItems: paths in the listed spelling, required items not optional, a failure a problem of the ENI only', async () => {
  const eni = eniRead();
  eni.problems.push({ mac: MAC, field: 'gateway', message: 'could not read: earlier' });
  const { http, asked } = client({ ...VALUES }, ['netmask']);
  await readItems(http, eni, ['gateway', 'netmask', 'ipv4-prefixes']);
  assert.deepEqual(asked.sort((a, b) => a.path.localeCompare(b.path)), [
    { path: `/latest/meta-data/network/interfaces/macs/${MAC.toUpperCase()}/gateway`, optional: false },
    { path: `/latest/meta-data/network/interfaces/macs/${MAC.toUpperCase()}/ipv4-prefixes`, optional: true },
    { path: `/latest/meta-data/network/interfaces/macs/${MAC.toUpperCase()}/netmask`, optional: false },
  ]);
  assert.deepEqual(eni.values, { gateway: '10.0.0.253', 'ipv4-prefixes': null });
  assert.equal(eni.from.get('gateway'), 'tree');
  assert.deepEqual(eni.problems.map((problem) => [problem.field, problem.message]), [['netmask', 'could not read: /latest/meta-data/network/interfaces/macs/00:16:3E:0F:00:01/netmask: HTTP 500']], 'a read that succeeds clears its old problem');
  const hard = { get: async () => { throw new Error('deadline'); } } as unknown as MetadataHttp;
  await assert.rejects(readItems(hard, eniRead(), ['gateway']), /deadline/, 'anything but a request error stops the read');
});

test('sourceOf: all, tree, or both', () => {
  assert.equal(sourceOf(eniRead(VALUES, 'all')), 'all');
  assert.equal(sourceOf(eniRead(VALUES, 'tree')), 'tree');
  assert.equal(sourceOf(eniRead()), 'tree');
  const both = eniRead(VALUES, 'all');
  both.from.set('gateway', 'tree');
  assert.equal(sourceOf(both), 'both');
});

test('validate: a clean ENI, a failed IPv4 item, an unreadable IPv6 item that leaves the IPv4 side, an unreadable informative one', () => {
  const ok = validate(eniRead({ ...VALUES, ipv6s: null }), silentLogger);
  assert.ok('ok' in ok);
  assert.deepEqual([ok.ok.eniId, ok.ok.privateIpv4s, ok.ok.gateway, ok.ok.prefixLength], ['eni-bp1aaa', ['10.0.0.20'], '10.0.0.253', 24]);

  const unreadV4 = eniRead({ ...VALUES, gateway: null });
  unreadV4.problems.push({ mac: MAC, field: 'gateway', message: 'could not read: HTTP 500' });
  const failed = validate(unreadV4, silentLogger);
  assert.ok('failed' in failed);
  assert.equal(failed.failed.eniId, 'eni-bp1aaa');
  assert.deepEqual(failed.failed.problems.map((problem) => [problem.field, problem.message]), [['gateway', 'could not read: HTTP 500']], 'the read failure, not "missing" as well');

  const unreadV6 = eniRead({ ...VALUES, ipv6s: ['2408:4005:325:a204::5'], 'vswitch-ipv6-cidr-block': '2408:4005:325:a204::/64', 'ipv6-prefixes': null });
  unreadV6.problems.push({ mac: MAC, field: 'ipv6-gateway', message: 'could not read: HTTP 500' });
  const v4kept = validate(unreadV6, silentLogger);
  assert.ok('ok' in v4kept);
  assert.deepEqual(v4kept.ok.privateIpv4s, ['10.0.0.20']);
  assert.deepEqual(v4kept.ok.ipv6Problems?.map((problem) => [problem.field, problem.message]), [['ipv6-gateway', 'could not read: HTTP 500']]);

  const informative = eniRead({ ...VALUES, ipv6s: null });
  informative.problems.push({ mac: MAC, field: 'vswitch-cidr-block', message: 'could not read: HTTP 500' });
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (message: string) => warnings.push(message) };
  assert.ok('ok' in validate(informative, log));
  assert.equal(warnings.length, 1);
});

test('suspectFromAll: only the fields that came from all and did not validate', () => {
  const eni = eniRead({ ...VALUES, gateway: '10.0.0.253 table main', netmask: 'x' });
  eni.from.set('netmask', 'tree');
  assert.deepEqual(suspectFromAll(eni), ['gateway']);
  assert.deepEqual(suspectFromAll(eniRead({ ...VALUES, ipv6s: null })), []);
});
