// Probing the managers over a scripted command runner: what runs, what the answers mean, and when the facts are incomplete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandResult } from '../../../src/persist/command.ts';
import { probeManagers } from '../../../src/persist/probe.ts';
import type { LiveInterface } from '../../../src/model.ts';

/** An interface index no host has: networkd's link state file for it is never there. */
const eth1: LiveInterface = { name: 'eth1', index: 999_999, mac: '00:16:3e:00:00:02', up: true, addresses: [] };

function scripted(answers: Record<string, CommandResult>) {
  const ran: string[] = [];
  const timeouts: number[] = [];
  return {
    ran,
    timeouts,
    run: async (argv: readonly string[], timeoutMs: number): Promise<CommandResult> => {
      ran.push(argv.join(' '));
      timeouts.push(timeoutMs);
      return answers[argv.join(' ')] ?? { ok: false, code: null, stdout: '', stderr: '', failure: `${argv[0]} is not installed` };
    },
  };
}
const out = (stdout: string): CommandResult => ({ ok: true, code: 0, stdout, stderr: '' });

test('NetworkManager running: its devices with their active profile files; networkd inactive', async () => {
  const { run, ran, timeouts } = scripted({
    'nmcli -t -f RUNNING general': out('running\n'),
    'nmcli -t -f DEVICE,STATE,CON-UUID device status': out('eth1:connected:u1\neth0:connected (externally):\n'),
    'nmcli -t -f UUID,FILENAME connection show': out('u1:/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection\n'),
    'systemctl is-active systemd-networkd.service': { ok: false, code: 3, stdout: 'inactive\n', stderr: '' },
  });
  const facts = await probeManagers(run, [eth1], 1234);
  assert.equal(facts.probed, true);
  assert.equal(facts.complete, true);
  assert.deepEqual(facts.networkManager, {
    running: true,
    devices: {
      eth1: { state: 'connected', connectionUuid: 'u1', connectionFile: '/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection' },
      eth0: { state: 'connected (externally)' },
    },
  });
  assert.deepEqual(facts.networkd, { running: false, links: {} });
  assert.equal(ran.length, 4);
  assert.ok(timeouts.every((ms) => ms === 1234), 'every command gets the given timeout');
});

test('nothing installed: nothing runs, and the facts are complete (an absent manager is an answer)', async () => {
  const facts = await probeManagers(scripted({}).run, [eth1], 1000);
  assert.equal(facts.complete, true);
  assert.equal(facts.networkManager.running, false);
  assert.equal(facts.networkd.running, false);
});

test('a probe that timed out proves nothing: the facts are incomplete', async () => {
  const timedOut: CommandResult = { ok: false, code: null, stdout: '', stderr: '', failure: 'timed out after 5 s' };
  for (const answers of [{ 'nmcli -t -f RUNNING general': timedOut }, { 'systemctl is-active systemd-networkd.service': timedOut }]) {
    const facts = await probeManagers(scripted(answers).run, [eth1], 1000);
    assert.equal(facts.complete, false, Object.keys(answers)[0]);
  }
  // NetworkManager runs but its device list did not come: incomplete too.
  const facts = await probeManagers(scripted({ 'nmcli -t -f RUNNING general': out('running\n'), 'nmcli -t -f DEVICE,STATE,CON-UUID device status': timedOut }).run, [eth1], 1000);
  assert.equal(facts.networkManager.running, true);
  assert.equal(facts.complete, false);
});

test('networkd active: running, and a link it has no state file for is not among its links', async () => {
  const facts = await probeManagers(scripted({ 'systemctl is-active systemd-networkd.service': out('active\n') }).run, [eth1], 1000);
  assert.deepEqual(facts.networkd, { running: true, links: {} });
  assert.equal(facts.complete, true);
});
