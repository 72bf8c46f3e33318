// The registry of backends against their renderers: every file a backend renders is one the listing finds and names as its own.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ACTIVATION_ORDER, BACKEND_MODULES, backendModule, backendOfPath } from '../../../../src/persist/backends/index.ts';
import { fileInterface, listOwnFiles } from '../../../../src/persist/own-files.ts';
import { renderNetworkdGlobal } from '../../../../src/persist/render/networkd.ts';
import { BACKENDS } from '../../../../src/persist/types.ts';
import type { Backend } from '../../../../src/model.ts';
import type { InterfacePersist, RenderContext, RenderedFile } from '../../../../src/persist/types.ts';
import { cases } from '../render/fixtures.ts';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** Every file every backend renders for the golden cases (with and without the manager's context), and the global file. */
function everything(): { backend: Backend; iface?: InterfacePersist; file: RenderedFile }[] {
  const all: { backend: Backend; iface?: InterfacePersist; file: RenderedFile }[] = [];
  for (const backend of BACKEND_MODULES) {
    for (const { iface, ctx } of cases) {
      const contexts: RenderContext[] = [{}, backend.name === 'networkmanager' ? {} : ctx[backend.name]];
      for (const context of contexts) for (const file of backend.render(iface, context)) all.push({ backend: backend.name, iface, file });
    }
  }
  all.push({ backend: 'networkd', file: renderNetworkdGlobal() });
  return all;
}

test('the registry holds each backend once, in listing order and in activation order', () => {
  assert.deepEqual(BACKEND_MODULES.map((backend) => backend.name), [...BACKENDS]);
  assert.deepEqual([...ACTIVATION_ORDER.map((backend) => backend.name)].sort(), [...BACKENDS].sort());
  for (const name of BACKENDS) assert.equal(backendModule(name).name, name);
});

test('every rendered file is owned by the backend that rendered it, and names its interface (drift between render and listing)', () => {
  const all = everything();
  // Every backend renders something, the primary's networkd drop-in included: the check covers each place.
  assert.deepEqual([...new Set(all.map((entry) => entry.backend))].sort(), [...BACKENDS].sort());
  assert.ok(all.some((entry) => entry.file.path.includes('.network.d/')), 'the primary keep-config drop-in is among them');
  for (const { backend, iface, file } of all) {
    assert.equal(backendOfPath(file.path)?.name, backend, `${file.path} is not recognised as ${backend}'s`);
    const dropIn = file.path.includes('.network.d/') || iface === undefined;
    assert.equal(fileInterface(file.path), dropIn ? undefined : iface?.ifname, file.path);
  }
});

test('the listing finds every rendered file under a root, and only those marked as ours', async () => {
  const root = mkdtempSync(join(tmpdir(), 'backends-'));
  roots.push(root);
  const rendered = everything().map((entry) => entry.file);
  for (const file of rendered) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.content);
  }
  // The admin's files beside ours: same directories, names a backend would match, no marker.
  const foreign = ['/etc/sysconfig/network-scripts/ifcfg-eth0', '/etc/netplan/90-eni-init-eth7.yaml', '/etc/netplan/50-cloud-init.yaml'];
  for (const path of foreign) writeFileSync(join(root, path), 'network: {}\n');
  const found = await listOwnFiles((path) => join(root, path));
  assert.deepEqual(found.map((own) => own.path).sort(), [...new Set(rendered.map((file) => file.path))].sort());
});

test('paths outside every place belong to no backend', () => {
  for (const path of ['/etc/NetworkManager/system-connections/cloud-init-eth1.nmconnection', '/etc/netplan/50-cloud-init.yaml', '/etc/systemd/network/10-eth0.network', '/etc/systemd/network/05-eni-init-eth1.network.d/60-admin.conf', '/etc/passwd', '/run/systemd/network/05-eni-init-eth1.network']) {
    assert.equal(backendOfPath(path), undefined, path);
  }
});
