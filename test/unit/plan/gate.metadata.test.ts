// The semantic checks the metadata validator leaves to the gate: values of the right form that disagree with the
// ENI's subnet, run from raw metadata through the validator and the gate, fail the ENI with the field and value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gate } from '../../../src/plan/gate.ts';
import { validateEni } from '../../../src/metadata/aliyun/validate.ts';
import type { RawEni } from '../../../src/metadata/aliyun/validate.ts';
import type { LiveInterface } from '../../../src/model.ts';

const MAC = '00:16:3e:12:e7:01';
const raw = (overrides: RawEni = {}): RawEni => ({
  'network-interface-id': 'eni-bp1b2c0jvnj0g17bxxxx',
  'primary-ip-address': '10.0.0.20',
  'private-ipv4s': '["10.0.0.20","10.0.0.21"]',
  netmask: '255.255.255.0',
  gateway: '10.0.0.253',
  'ipv4-prefixes': null,
  ipv6s: null,
  ...overrides,
});
const interfaces: LiveInterface[] = [{ name: 'eth0', index: 2, mac: MAC, up: true, addresses: [{ family: 4, address: '10.0.0.20', prefixLength: 24 }] }];

/** The gate's problems for one ENI built from raw values (it must pass the validator: only its form is judged there). */
function gated(overrides: RawEni) {
  const validated = validateEni(MAC, raw(overrides));
  assert.ok(validated.ok, JSON.stringify(!validated.ok && validated.failed));
  const result = gate({ enis: [validated.eni], failed: [], primaryMac: MAC, interfaces });
  return result.failed.find((entry) => entry.mac === MAC)?.problems ?? [];
}

test('typical raw metadata passes the validator and the gate', () => {
  assert.deepEqual(gated({}), []);
});

test('a private IP outside the subnet fails at the gate', () => {
  assert.ok(gated({ 'private-ipv4s': '["10.0.0.20","10.0.1.21"]' }).some((problem) => problem.field === 'private-ipv4s' && problem.value === '10.0.1.21' && /outside the subnet 10\.0\.0\.0\/24/.test(problem.message)));
});

test('a gateway outside the subnet, or equal to a private IP, fails at the gate', () => {
  assert.ok(gated({ gateway: '10.0.1.253' }).some((problem) => problem.field === 'gateway' && problem.value === '10.0.1.253' && /outside the subnet/.test(problem.message)));
  assert.ok(gated({ gateway: '10.0.0.21' }).some((problem) => problem.field === 'private-ipv4s' && problem.value === '10.0.0.21' && problem.message === 'is the gateway'));
});

test('delegated prefixes must lie inside the subnet and be longer than it: 0.0.0.0/0 would steer all traffic', () => {
  for (const prefix of ['0.0.0.0/0', '10.0.0.0/24', '10.0.0.0/16', '192.168.0.0/28']) {
    assert.ok(gated({ 'ipv4-prefixes': prefix }).some((problem) => problem.field === 'ipv4-prefixes' && problem.value === prefix), prefix);
  }
  assert.deepEqual(gated({ 'ipv4-prefixes': '10.0.0.32/28' }), []);
});

test('a netmask that disagrees with vswitch-cidr-block fails at the gate', () => {
  assert.ok(gated({ netmask: '255.255.0.0', 'vswitch-cidr-block': '10.0.0.0/24' }).some((problem) => problem.field === 'netmask' && /vswitch-cidr-block/.test(problem.message)));
});

test('an address or a delegated prefix listed by two ENIs fails both; the others are kept', () => {
  const base = validateEni(MAC, raw({ 'ipv4-prefixes': '10.0.0.32/28' }));
  assert.ok(base.ok);
  const a = { ...base.eni, mac: '00:16:3e:00:00:0a', privateIpv4s: ['10.0.0.20', '10.0.0.21'] };
  const b = { ...base.eni, mac: '00:16:3e:00:00:0b', primaryIp: '10.0.0.30', privateIpv4s: ['10.0.0.30', '10.0.0.20'], ipv4Prefixes: [] };
  const c = { ...base.eni, mac: '00:16:3e:00:00:0c', primaryIp: '10.0.0.40', privateIpv4s: ['10.0.0.40'], ipv4Prefixes: ['10.0.0.32/28'] };
  const d = { ...base.eni, mac: '00:16:3e:00:00:0d', primaryIp: '10.0.0.50', privateIpv4s: ['10.0.0.50'], ipv4Prefixes: ['10.0.0.64/28'] };
  const result = gate({ enis: [a, b, c, d], failed: [], primaryMac: a.mac, interfaces: [] });
  assert.deepEqual(result.enis.map((eni) => eni.mac), [d.mac]);
  const problems = (mac: string) => result.failed.find((entry) => entry.mac === mac)?.problems ?? [];
  assert.ok(problems(a.mac).some((problem) => problem.value === '10.0.0.20' && problem.message === 'also listed by the ENI with MAC 00:16:3e:00:00:0b'));
  assert.ok(problems(b.mac).some((problem) => problem.value === '10.0.0.20' && problem.message === 'also listed by the ENI with MAC 00:16:3e:00:00:0a'));
  assert.ok(problems(a.mac).some((problem) => problem.field === 'ipv4-prefixes' && problem.message === 'also listed by the ENI with MAC 00:16:3e:00:00:0c'));
  assert.ok(problems(c.mac).some((problem) => problem.field === 'ipv4-prefixes' && problem.message === 'also listed by the ENI with MAC 00:16:3e:00:00:0a'));
});
