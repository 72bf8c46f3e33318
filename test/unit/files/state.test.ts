// Tests of the state file: round trip, stable output, tolerant reads of missing, corrupt and partly invalid files.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readState, writeState } from '../../../src/files/state.ts';
import type { RecordedAddress } from '../../../src/model.ts';

const dir = mkdtempSync(join(tmpdir(), 'state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const A: RecordedAddress = { ifname: 'eth1', mac: '02:00:00:00:01:01', family: 4, address: '10.0.1.6', prefixLength: 32 };
const B: RecordedAddress = { ifname: 'eth1', mac: '', family: 6, address: '2001:db8:1::5', prefixLength: 128 };

test('a missing file is an empty state without a problem', async () => {
  assert.deepEqual(await readState(join(dir, 'missing/state.json')), { state: { version: 1, addresses: [] } });
});

test('write then read round-trips; the JSON has a stable key order and a trailing newline', async () => {
  const path = join(dir, 'run/state.json');
  const shuffled = { prefixLength: 128, address: '2001:db8:1::5', family: 6, mac: '', ifname: 'eth1' } as RecordedAddress;
  await writeState(path, { version: 1, addresses: [A, shuffled] });
  assert.deepEqual(await readState(path), { state: { version: 1, addresses: [A, B] } });
  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('}\n'));
  assert.equal(text, JSON.stringify({ version: 1, addresses: [A, B] }, null, 2) + '\n');
});

test('corrupt or unknown-version files give an empty state and a problem, and are kept', async () => {
  const path = join(dir, 'bad.json');
  for (const content of ['{not json', '[]', '{"version":2,"addresses":[]}', '{"version":1}']) {
    writeFileSync(path, content);
    const { state, problem } = await readState(path);
    assert.deepEqual(state, { version: 1, addresses: [] });
    assert.match(problem ?? '', /bad\.json/);
    assert.equal(readFileSync(path, 'utf8'), content, 'never deleted or rewritten');
  }
  const { problem } = await readState(dir);
  assert.match(problem ?? '', /cannot be read/);
});

test('invalid entries are dropped with a problem, valid ones kept', async () => {
  const path = join(dir, 'partial.json');
  const invalid = [
    { ...A, mac: '02:00:00:00:01:0G' },
    { ...A, mac: '02:00:00:00:01:01\nX' },
    { ...A, ifname: 'eth1\nlink del eth0' },
    { ...A, ifname: 'averyveryverylongname' },
    { ...A, address: '10.0.1.256' },
    { ...A, family: 6 },
    { ...A, prefixLength: 33 },
    { ...B, address: 'fe80::1%eth1' },
    null,
  ];
  writeFileSync(path, JSON.stringify({ version: 1, addresses: [A, ...invalid, B] }));
  const { state, problem } = await readState(path);
  assert.deepEqual(state.addresses, [A, B]);
  assert.match(problem ?? '', /dropped 9 invalid entries \(#1: bad mac/);
});

test('writeState refuses invalid entries before writing', async () => {
  const path = join(dir, 'refused.json');
  await assert.rejects(writeState(path, { version: 1, addresses: [{ ...A, address: '10.0.0.1\nx' }] }), /refusing to record/);
  assert.equal(existsSync(path), false);
});

test('a symlink or directory at the path is never followed: a clear problem, empty state (FIFOs: test/integration/files/state.test.ts)', async () => {
  const { symlinkSync } = await import('node:fs');
  const target = join(dir, 'elsewhere.json');
  writeFileSync(target, JSON.stringify({ version: 1, addresses: [A] }));
  const link = join(dir, 'link.json');
  symlinkSync(target, link);
  const linked = await readState(link);
  assert.deepEqual(linked.state.addresses, [], 'the file behind the link is not read');
  assert.match(linked.problem ?? '', /symbolic link/);
  assert.match((await readState(dir)).problem ?? '', /a directory, not a regular file/);
});

test('an entry that is not a /32 or /128 (an admin /24, a DHCP address) is dropped with a problem', async () => {
  const path = join(dir, 'prefix.json');
  writeFileSync(path, JSON.stringify({ version: 1, addresses: [A, { ...A, address: '10.0.1.7', prefixLength: 24 }, { ...B, prefixLength: 64 }] }));
  const { state, problem } = await readState(path);
  assert.deepEqual(state.addresses, [A]);
  assert.match(problem ?? '', /dropped 2 invalid entries/);
  assert.match(problem ?? '', /only \/32/);
});

test('writing replaces a symlink at the path, never the file it points at (FIFOs: test/integration/files/state.test.ts)', async () => {
  const { lstatSync, symlinkSync } = await import('node:fs');
  const target = join(dir, 'target.txt');
  writeFileSync(target, 'keep me');
  const link = join(dir, 'write-link.json');
  symlinkSync(target, link);
  await writeState(link, { version: 1, addresses: [A] });
  assert.ok(lstatSync(link).isFile());
  assert.equal(readFileSync(target, 'utf8'), 'keep me');
});
