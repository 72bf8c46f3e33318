// The ip runner's pure gate: only tagged lines of the grammar eni-init runs reach `ip -batch` (running it: test/integration/kernel/ip.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLines } from '../../../src/kernel/ip.ts';
import { EniInitError } from '../../../src/errors.ts';

const accepted = [
  'address add 10.0.3.2/32 dev eth1',
  'address del 2001:db8::5/128 dev eth1',
  'link set dev eth1 up',
  'route replace default via 10.0.3.253 dev eth1 onlink table 1001 proto 203',
  'route del 10.0.3.0/24 dev eth1 table 1001 proto 203',
  'rule add priority 20001 from 10.0.3.2/32 table 1001 protocol 203',
  // remove: a manager's exact copy of what our removed files held, deleted with its own protocol (src/plan/copies.ts)
  'rule del priority 20001 from 10.0.3.2/32 table 1001 protocol static',
  'route del default via 10.0.3.253 dev eth1 table 1001 proto static',
];

test('the commands eni-init runs, tagged, pass', () => {
  assert.doesNotThrow(() => checkLines(accepted));
  assert.doesNotThrow(() => checkLines([]));
});

test('untagged routes and rules, other commands, stray spaces and characters ip -batch interprets are refused, naming the line', () => {
  const refused = [
    'rule add pref 2000 table main',
    'rule add pref 2000 from all lookup main protocol 20',
    'route add default dev eth1 table 1',
    'route replace 10.0.3.0/24 dev eth1 table 1001 protocol 203',
    'link del eth1',
    'link set dev eth1 down',
    'address flush dev eth1',
    'rule add pref 2000  table main protocol 203',
    'rule add priority 20001 from 10.0.3.2/32 table 1001 protocol static',
    'route add default via 10.0.3.253 dev eth1 table 1001 proto static',
    'rule del priority 20001 from 10.0.3.2/32 table 1001',
    'route del default via 10.0.3.253 dev eth1 table 1001',
    'rule del priority 20001 table 1001 protocol',
    ' address add 10.0.3.3/32 dev eth1',
    'address add 10.0.3.1/32 dev eth1\nlink del eth1',
    'address add 10.0.3.1/32 dev eth1\r',
    'x\0',
    'a # b',
    'a \\',
    'a "b"',
    '  ',
    '',
  ];
  for (const line of refused) {
    assert.throws(
      () => checkLines([accepted[0] as string, line]),
      (error: unknown) => error instanceof EniInitError && error.code === 'internal' && /refusing ip batch line 2/.test(error.message),
      JSON.stringify(line),
    );
  }
});
