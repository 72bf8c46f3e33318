// SPAWNS the real `netplan generate --root-dir <tmp>` (package netplan.io, installed by build/setup.sh) on the netplan output, main-routes-first variants included.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNetplan } from '../../../../src/persist/render/netplan.ts';
import type { RenderedFile } from '../../../../src/persist/types.ts';
import { dualStack, dualStackMainFirst, primary, secondary } from '../../../unit/persist/render/fixtures.ts';

/** What cloud-init writes for an instance it configures: every NIC matched by MAC, renamed, DHCP. */
const CLOUD_INIT = `network:
  version: 2
  ethernets:
    eth0:
      match:
        macaddress: "00:16:3e:00:00:01"
      set-name: eth0
      dhcp4: true
    eth1:
      match:
        macaddress: "00:16:3e:00:00:02"
      set-name: eth1
      dhcp4: true
`;

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** Writes the files under a fresh root, runs netplan generate there, returns a reader of generated files. */
function generate(files: Record<string, string>, rendered: readonly RenderedFile[]): (path: string) => string {
  const root = mkdtempSync(join(tmpdir(), 'netplan-'));
  roots.push(root);
  mkdirSync(join(root, 'etc/netplan'), { recursive: true });
  for (const [path, content] of Object.entries(files)) writeFileSync(join(root, path), content, { mode: 0o600 });
  for (const file of rendered) writeFileSync(join(root, file.path), file.content, { mode: file.mode });
  try {
    execFileSync('netplan', ['generate', '--root-dir', root], { stdio: 'pipe', timeout: 60_000 });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: Buffer };
    if (code === 'ENOENT') assert.fail('netplan not found: build/setup.sh installs the Debian package netplan.io');
    assert.fail(`netplan generate failed: ${stderr?.toString() ?? String(error)}`);
  }
  return (path) => readFileSync(join(root, path), 'utf8');
}

/** The sections of a generated .network file, as text blocks. */
const sections = (text: string): string[] => text.split(/\n(?=\[)/).map((block) => block.trim());

test('merged into cloud-init\'s definitions: our addresses, routes and rules are added, DHCP stays', () => {
  const rendered = [...renderNetplan(secondary, { netplanId: 'eth1' }), ...renderNetplan(primary, { netplanId: 'eth0' })];
  const read = generate({ 'etc/netplan/50-cloud-init.yaml': CLOUD_INIT }, rendered);

  const eth1 = read('run/systemd/network/10-netplan-eth1.network');
  assert.match(eth1, /^DHCP=ipv4$/m, 'the admin\'s DHCP is kept');
  assert.match(eth1, /^PermanentMACAddress=00:16:3e:00:00:02$/m);
  for (const ip of ['10.0.0.30', '10.0.0.31', '10.0.0.32']) assert.match(eth1, new RegExp(`^Address=${ip}/32$`, 'm'));
  const blocks = sections(eth1);
  assert.ok(blocks.includes('[Route]\nDestination=10.0.0.0/24\nPreferredSource=10.0.0.30\nScope=link\nTable=1001'), eth1);
  assert.ok(blocks.includes('[Route]\nDestination=0.0.0.0/0\nGateway=10.0.0.253\nGatewayOnLink=true\nTable=1001'), eth1);
  for (const ip of ['10.0.0.30', '10.0.0.31', '10.0.0.32']) {
    assert.ok(blocks.includes(`[RoutingPolicyRule]\nFrom=${ip}/32\nTable=1001\nPriority=20001`), eth1);
  }

  // The primary's definition is never extended (its networkd file would change and its DHCP client restart).
  assert.deepEqual(renderNetplan(primary, { netplanId: 'eth0' }), []);
  const eth0 = read('run/systemd/network/10-netplan-eth0.network');
  assert.match(eth0, /^DHCP=ipv4$/m, 'the primary keeps its DHCP');
  assert.doesNotMatch(eth0, /Address=10\.0\.0\.21/);
});

test('a definition of our own (no netplanId): matched by MAC, renamed, no DHCP; IPv6 routes and rules accepted', () => {
  const onlyEth0 = CLOUD_INIT.slice(0, CLOUD_INIT.indexOf('    eth1:'));
  const read = generate({ 'etc/netplan/50-cloud-init.yaml': onlyEth0 }, [...renderNetplan(secondary, {}), ...renderNetplan(dualStack, {})]);

  const eth1 = read('run/systemd/network/10-netplan-eth1.network');
  assert.doesNotMatch(eth1, /^DHCP=/m);
  assert.match(eth1, /^PermanentMACAddress=00:16:3e:00:00:02$/m);
  assert.match(eth1, /^Name=eth1$/m);
  assert.match(eth1, /^IPv6AcceptRA=no$/m);
  assert.ok(sections(eth1).includes('[RoutingPolicyRule]\nFrom=10.0.0.32/32\nTable=1001\nPriority=20001'), eth1);
  assert.match(read('run/systemd/network/10-netplan-eth1.link'), /^Name=eth1$/m);

  const eth2 = read('run/systemd/network/10-netplan-eth2.network');
  const blocks = sections(eth2);
  assert.match(eth2, /^Address=2408:4005:325:a204::1\/128$/m);
  assert.ok(blocks.includes('[Route]\nDestination=::/0\nGateway=2408:4005:325:a204:ffff:ffff:ffff:fff7\nTable=1002'), eth2);
  assert.ok(blocks.includes('[RoutingPolicyRule]\nFrom=2408:4005:325:a204:1a00::/80\nTable=1002\nPriority=20002'), eth2);
  assert.ok(blocks.includes('[RoutingPolicyRule]\nFrom=10.0.1.64/28\nTable=1002\nPriority=20002'), eth2);
});

test('--main-routes-first on a netplan interface: netplan cannot express it, so the file is the one without it and still generates', () => {
  assert.deepEqual(renderNetplan(dualStackMainFirst, {}), renderNetplan(dualStack, {}));
  const read = generate({}, renderNetplan(dualStackMainFirst, {}));
  assert.doesNotMatch(read('run/systemd/network/10-netplan-eth2.network'), /SuppressPrefixLength/);
});
