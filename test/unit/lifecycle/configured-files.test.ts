// The per-boot record's shell: reading and writing the entries under --root (a temp directory), never rewriting what is unchanged.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIGURED_DIR } from '../../../src/lifecycle/configured.ts';
import type { ReportedEni } from '../../../src/lifecycle/configured.ts';
import { readRecord, syncConfigured } from '../../../src/lifecycle/configured-files.ts';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

const MAC1 = '00:16:3e:5e:01:02';
const MAC2 = '00:16:3e:5e:01:03';
const managed = (ifname: string, mac: string): ReportedEni => ({ interface: ifname, mac, status: 'managed', problems: [] });

test('syncConfigured writes and removes under the root, and rewrites nothing when nothing changed', async () => {
  const root = mkdtempSync(join(tmpdir(), 'configured-'));
  roots.push(root);
  const at = (path: string) => join(root, path);
  const ifindexes = new Map<string, number>([['eth1', 3], ['eth2', 4]]);
  const ifindexOf = async (ifname: string) => ifindexes.get(ifname);
  assert.deepEqual(await syncConfigured(at, [managed('eth1', MAC1), managed('eth2', MAC2)], ifindexOf), {
    write: [{ ifname: 'eth1', content: `3 ${MAC1}\n` }, { ifname: 'eth2', content: `4 ${MAC2}\n` }],
    remove: [],
  });
  assert.equal(await readRecord(at, 'eth1'), `3 ${MAC1}\n`);
  assert.equal(await readRecord(at, '../eth1'), null);
  const mtime = statSync(at(`${CONFIGURED_DIR}/eth1`)).mtimeMs;
  // The same run again (a no-change refresh): nothing written.
  assert.deepEqual(await syncConfigured(at, [managed('eth1', MAC1), managed('eth2', MAC2)], ifindexOf), { write: [], remove: [] });
  assert.equal(statSync(at(`${CONFIGURED_DIR}/eth1`)).mtimeMs, mtime);
  // eth2 detached: its entry goes with the next run, whatever that run was about.
  ifindexes.delete('eth2');
  assert.deepEqual(await syncConfigured(at, [], ifindexOf), { write: [], remove: ['eth2'] });
  assert.deepEqual(readdirSync(at(CONFIGURED_DIR)), ['eth1']);
  assert.equal(readFileSync(at(`${CONFIGURED_DIR}/eth1`), 'utf8'), `3 ${MAC1}\n`);
});

test('syncConfigured without a record directory and nothing to record creates nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'configured-'));
  roots.push(root);
  mkdirSync(join(root, 'run'), { recursive: true });
  writeFileSync(join(root, 'run', 'x'), '');
  assert.deepEqual(await syncConfigured((path) => join(root, path), [], async () => undefined), { write: [], remove: [] });
  assert.deepEqual(readdirSync(join(root, 'run')), ['x']);
});
