// The listing of eni-init's files: every backend's places, marked files only, drop-ins last, the interface of each.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileInterface, listOwnFiles, writtenByUs } from '../../../src/persist/own-files.ts';
import { WRITTEN_BY } from '../../../src/persist/types.ts';

const root = mkdtempSync(join(tmpdir(), 'own-files-'));
after(() => rmSync(root, { recursive: true, force: true }));
const at = (path: string) => join(root, path);
function put(path: string, content: string): void {
  mkdirSync(dirname(at(path)), { recursive: true });
  writeFileSync(at(path), content);
}
const mark = `${WRITTEN_BY}\n[x]\n`;

test('marked files of every backend are listed, backend by backend, drop-ins in .network.d last; nothing else', async () => {
  const ours = [
    '/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection',
    '/etc/netplan/90-eni-init-eth1.yaml',
    '/etc/systemd/network/05-eni-init-eth2.network',
    '/etc/systemd/networkd.conf.d/50-eni-init.conf',
    '/etc/sysconfig/network-scripts/route-eth3',
    '/etc/sysconfig/network-scripts/rule6-eth3',
    '/etc/systemd/network/10-eth0.network.d/50-eni-init.conf',
  ];
  for (const path of [...ours].reverse()) put(path, mark);
  put('/etc/sysconfig/network-scripts/ifcfg-eth0', 'DEVICE=eth0\n'); // the admin's: no mark
  put('/etc/NetworkManager/system-connections/cloud-init-eth1.nmconnection', mark); // marked, but not a name of ours
  put('/etc/systemd/network/10-eth0.network.d/60-admin.conf', mark);
  put('/etc/netplan/90-eni-init-eth9.yaml', `# ${WRITTEN_BY}\n`); // the marker, not as the first line
  mkdirSync(at('/etc/systemd/network/90-x.network.d/50-eni-init.conf'), { recursive: true }); // a directory: unreadable as a file
  symlinkSync('/nonexistent', at('/etc/netplan/90-eni-init-eth8.yaml')); // dangling
  const found = await listOwnFiles(at);
  assert.deepEqual(found.map((own) => own.path), ours);
  assert.ok(found.every((own) => own.content === mark));
});

test('a missing root lists nothing', async () => {
  assert.deepEqual(await listOwnFiles((path) => join(root, 'absent', path)), []);
});

test('the interface of a file of ours comes from its name; none for drop-ins and the global file', () => {
  assert.equal(fileInterface('/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection'), 'eth1');
  assert.equal(fileInterface('/etc/netplan/90-eni-init-ens5.yaml'), 'ens5');
  assert.equal(fileInterface('/etc/systemd/network/05-eni-init-eth2.network'), 'eth2');
  assert.equal(fileInterface('/etc/sysconfig/network-scripts/route6-eth3'), 'eth3');
  assert.equal(fileInterface('/etc/sysconfig/network-scripts/ifcfg-eth3'), 'eth3');
  assert.equal(fileInterface('/etc/systemd/networkd.conf.d/50-eni-init.conf'), undefined);
  assert.equal(fileInterface('/etc/systemd/network/10-eth0.network.d/50-eni-init.conf'), undefined);
  assert.equal(fileInterface('/etc/elsewhere/eni-init-eth1.nmconnection'), undefined);
});

test('the marker is exactly the first line', () => {
  assert.equal(writtenByUs(`${WRITTEN_BY}\n`), true);
  assert.equal(writtenByUs(WRITTEN_BY), true);
  assert.equal(writtenByUs(`\n${WRITTEN_BY}\n`), false);
  assert.equal(writtenByUs(`${WRITTEN_BY} \n`), false);
  assert.equal(writtenByUs(`x=1\n${WRITTEN_BY}\n`), false);
  assert.equal(writtenByUs(` ${WRITTEN_BY}\n`), false);
  assert.equal(writtenByUs(`${WRITTEN_BY} extra\n`), false);
  assert.equal(writtenByUs(''), false);
});
