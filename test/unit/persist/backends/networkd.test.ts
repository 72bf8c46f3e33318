// The networkd backend: which of its files need a reload (a secondary's .network) and which never do (the two drop-ins).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGlobalNetworkdConf, isNetworkdDropIn, networkd } from '../../../../src/persist/backends/networkd.ts';
import { NO_FACTS } from '../../../../src/persist/facts.ts';
import type { FileChange } from '../../../../src/persist/types.ts';

const change = (path: string): FileChange => ({ backend: 'networkd', path, action: 'created', content: '', previous: null, mode: 0o644 });

test('the global file and the primary drop-in are told apart from a .network file', () => {
  assert.equal(isGlobalNetworkdConf('/etc/systemd/networkd.conf.d/50-eni-init.conf'), true);
  assert.equal(isGlobalNetworkdConf('/etc/systemd/network/05-eni-init-eth1.network'), false);
  assert.equal(isNetworkdDropIn('/etc/systemd/network/10-netplan-eth0.network.d/50-eni-init.conf'), true);
  assert.equal(isNetworkdDropIn('/etc/systemd/networkd.conf.d/50-eni-init.conf'), false);
  assert.equal(isNetworkdDropIn('/etc/systemd/network/05-eni-init-eth1.network'), false);
});

test('activation reloads networkd for a .network file only, and only when networkd runs', async () => {
  const cases: [string[], boolean, string[]][] = [
    [['/etc/systemd/network/05-eni-init-eth1.network'], true, ['networkctl reload']],
    [['/etc/systemd/network/05-eni-init-eth1.network'], false, []],
    [['/etc/systemd/networkd.conf.d/50-eni-init.conf', '/etc/systemd/network/10-eth0.network.d/50-eni-init.conf'], true, []],
  ];
  for (const [paths, running, expected] of cases) {
    const ran: string[] = [];
    const facts = { ...NO_FACTS, probed: true, networkd: { running, links: {} } };
    const steps = { run: async (argv: string[]) => (ran.push(argv.join(' ')), true) } as never;
    await networkd.activate({ changes: paths.map(change), input: { changes: [], owners: [], files: [], facts, timeLeft: () => 10_000 }, deps: {} as never, steps });
    assert.deepEqual(ran, expected, `${paths.join(', ')} running=${running}`);
  }
});
