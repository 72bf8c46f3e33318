// NEEDS ROOT AND `ip netns` (fails without): feeds the ifcfg route-/rule- lines to the real `ip` as ifup-routes does, in a throwaway namespace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { renderIfcfg } from '../../../../src/persist/render/ifcfg.ts';
import { dualStackMainFirst as dualStack } from '../../../unit/persist/render/fixtures.ts';
import { assertRoot } from '../../root.ts';

const NS = `ifcfgtest-${process.pid}`;
const ipn = (...args: string[]): string => execFileSync('ip', ['-n', NS, ...args], { stdio: 'pipe' }).toString();

before(() => {
  assertRoot('feeding ifcfg lines to ip in a namespace');
  execFileSync('ip', ['netns', 'add', NS]);
  ipn('link', 'add', 'eth2', 'type', 'veth', 'peer', 'name', 'peer2');
  ipn('link', 'set', 'peer2', 'up');
  ipn('link', 'set', 'eth2', 'up');
  // As ifup-eth leaves it before ifup-routes runs: the addresses are on the interface.
  for (const entry of dualStack.addresses) {
    const nodad = entry.family === 6 ? ['nodad'] : [];
    ipn(`-${entry.family}`, 'addr', 'add', `${entry.address}/${entry.prefixLength}`, 'dev', 'eth2', ...nodad);
  }
});

after(() => {
  execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
});

test('every route-/route6-/rule-/rule6- line is accepted by `ip -4|-6 route|rule add <line>`', () => {
  for (const file of renderIfcfg(dualStack)) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const match = /^(route|rule)(6?)-/.exec(name);
    if (!match) continue;
    const family = match[2] === '6' ? '-6' : '-4';
    const lines = file.content.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    for (const line of lines) ipn(family, match[1] as string, 'add', ...line.split(' '));
  }
  const v4 = ipn('-4', 'route', 'show', 'table', '1002');
  assert.match(v4, /^default via 10\.0\.1\.253 dev eth2 onlink/m);
  assert.match(v4, /^10\.0\.1\.0\/24 dev eth2 scope link src 10\.0\.1\.40/m);
  assert.match(ipn('-6', 'route', 'show', 'table', '1002'), /^default via 2408:4005:325:a204:ffff:ffff:ffff:fff7 dev eth2/m);
  assert.match(ipn('-4', 'rule', 'show'), /^20002:\s+from 10\.0\.1\.64\/28 lookup 1002/m);
  assert.match(ipn('-6', 'rule', 'show'), /^20002:\s+from 2408:4005:325:a204:1a00::\/80 lookup 1002/m);
  // --main-routes-first, carried by this interface's rule-/rule6- files.
  assert.match(ipn('-4', 'rule', 'show'), /^19999:\s+from all lookup main suppress_prefixlength 0/m);
  assert.match(ipn('-6', 'rule', 'show'), /^19999:\s+from all lookup main suppress_prefixlength 0/m);
});
