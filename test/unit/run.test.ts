// The pipeline's decisions (exit codes, what is held back, what is written) over in-memory adapters, with a fake kernel
// that applies the batches: apply converges, the next run has nothing to do, remove leaves nothing. Real adapters: test/integration/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/run.ts';
import type { Family } from '../../src/model.ts';
import { BusyError, MetadataUnreachableError, BadMetadataError, EXIT, EnvironmentError, PermissionError, ReadError } from '../../src/errors.ts';
import { CLOUD_INIT_FILE, CLOUD_INIT_CONTENT } from '../../src/files/cloudinit.ts';
import { MAC1, liveState, metadata } from './fixtures.ts';
import { opts, world } from './run-world.ts';

test('metadata unreachable: exit 4, nothing run, no file written', async () => {
  const w = world(async () => {
    throw new MetadataUnreachableError('connect ECONNREFUSED 100.100.100.200:80');
  });
  const report = await run(opts('apply'), w.deps);
  assert.equal(report.exitCode, EXIT.METADATA_UNREACHABLE);
  assert.equal(report.outcome, 'metadata-unreachable');
  assert.match(report.error?.message ?? '', /ECONNREFUSED/);
  assert.deepEqual(w.batches, []);
  assert.equal(w.files.size, 0);
});

test('unusable metadata: exit 5, nothing changed', async () => {
  const w = world(async () => {
    throw new BadMetadataError('network/interfaces/macs/: no valid MAC');
  });
  const report = await run(opts('apply'), w.deps);
  assert.equal(report.exitCode, EXIT.BAD_METADATA);
  assert.deepEqual(w.batches, []);
});

test('busy lock: exit 7 (even when the metadata read beside it fails), the kernel neither read nor changed', async () => {
  for (const read of [async () => metadata(), async () => Promise.reject(new MetadataUnreachableError('down'))]) {
    const w = world(read);
    w.deps.lock = async () => {
      throw new BusyError('held by pid 42');
    };
    const report = await run(opts('apply'), w.deps);
    assert.equal(report.exitCode, EXIT.BUSY);
    assert.deepEqual(w.kernel.reads, [], 'the kernel is read only under the lock');
    assert.deepEqual(w.batches, []);
  }
});

test('apply: metadata read while the lock is awaited; the kernel read only once the lock is held', async () => {
  const events: string[] = [];
  let grant: () => void = () => {};
  const w = world(async () => {
    events.push('metadata');
    return metadata();
  });
  const readLive = w.deps.kernel.readLive;
  w.deps.kernel.readLive = async (families?: readonly Family[]) => {
    events.push('kernel');
    return readLive(families);
  };
  w.deps.lock = async () => {
    events.push('lock wait');
    await new Promise<void>((resolve) => (grant = resolve));
    events.push('lock held');
    return { release: async () => {} };
  };
  const running = run(opts('apply'), w.deps);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, ['lock wait', 'metadata'], 'metadata read before the lock is held, the kernel not yet');
  grant();
  const report = await running;
  assert.equal(report.exitCode, EXIT.OK);
  assert.deepEqual(events.slice(0, 4), ['lock wait', 'metadata', 'lock held', 'kernel']);
});

test('verify reads again only the family the batches changed; a link set up touches IPv6 too', async () => {
  const up = liveState();
  up.interfaces = up.interfaces.map((entry) => ({ ...entry, up: true }));
  const w = world(async () => metadata(), up);
  assert.equal((await run(opts('apply'), w.deps)).exitCode, EXIT.OK);
  assert.ok(w.batches.flat().every((line) => !line.startsWith('link set')));
  assert.deepEqual(w.kernel.reads, [[4, 6], [4]], 'discovery reads both families, verify IPv4 only (IPv4-only batches)');
  const down = world(async () => metadata());
  assert.equal((await run(opts('apply'), down.deps)).exitCode, EXIT.OK);
  assert.ok(down.batches.flat().some((line) => line.startsWith('link set')));
  assert.deepEqual(down.kernel.reads, [[4, 6], [4, 6]], 'the kernel adds IPv6 link-local state to a link set up');
});

test('an interface that appears while the metadata is read is found at once: the early kernel read is read again', async () => {
  const full = liveState();
  const w = world(async () => {
    // eth1 shows up after the kernel read beside the metadata, before the metadata arrives.
    await new Promise((resolve) => setImmediate(resolve));
    w.kernel.state = structuredClone(full);
    return metadata();
  }, liveState({ interfaces: full.interfaces.filter((iface) => iface.name !== 'eth1') }));
  let slept = 0;
  w.deps.sleep = async () => {
    slept += 1;
  };
  const report = await run(opts('apply'), w.deps);
  assert.equal(report.exitCode, EXIT.OK);
  assert.equal(slept, 0, 'no poll interval waited');
  assert.deepEqual(w.kernel.reads.slice(0, 2), [[4, 6], [4, 6]], 'read beside the metadata, then again');
  assert.ok(w.batches[0]?.some((line) => line.includes('dev eth1')));
});

test('apply converges (cloud-init file, one batch per family, per-ENI report), the next run changes nothing, remove leaves nothing', async () => {
  const before = liveState();
  const w = world(async () => metadata(), before);
  const report = await run(opts('apply'), w.deps);
  assert.equal(w.files.get(CLOUD_INIT_FILE), CLOUD_INIT_CONTENT);
  assert.equal(w.batches.length, 1, 'IPv4 only: one batch');
  assert.ok(w.batches[0]?.includes('rule add pref 20001 from 10.0.0.30/32 table 1001 protocol 203'));
  assert.equal(report.enis.find((eni) => eni.mac === MAC1)?.table, 1001);
  assert.deepEqual(report.problems, []);
  assert.equal(report.outcome, 'converged');
  assert.equal(report.exitCode, EXIT.OK);
  assert.ok(report.changes.length > 0 && report.changes.every((change) => change.command.startsWith('ip -4 ') && change.failed === undefined));
  assert.ok(w.recorded.some((entry) => entry.address === '10.0.0.31'), 'the added secondary IP is recorded');
  assert.ok(w.kernel.state.interfaces.find((iface) => iface.name === 'eth2')?.up, 'the down ENI was brought up');

  const again = await run(opts('apply'), w.deps);
  assert.equal(again.outcome, 'no-change');
  assert.equal(again.exitCode, EXIT.OK);
  assert.deepEqual(again.changes, []);
  assert.equal(w.batches.length, 1, 'no second batch');
  for (const command of ['plan', 'status'] as const) {
    const dry = await run(opts(command), w.deps);
    assert.deepEqual([dry.outcome, dry.exitCode, dry.changes], [command === 'plan' ? 'planned' : 'in-sync', EXIT.OK, []], command);
  }

  const removed = await run(opts('remove'), w.deps);
  assert.equal(removed.outcome, 'removed');
  assert.equal(removed.exitCode, EXIT.OK);
  assert.equal(w.files.has(CLOUD_INIT_FILE), false);
  assert.deepEqual(w.recorded, []);
  const after = w.kernel.state;
  assert.deepEqual(after.rules, before.rules, 'no rule of ours left');
  assert.deepEqual(after.routes, before.routes, 'no route of ours left');
  assert.deepEqual(
    after.interfaces.map((iface) => [iface.name, iface.addresses]),
    before.interfaces.map((iface) => [iface.name, iface.addresses]),
    'no address of ours left',
  );
});

test('a kernel that accepts the batch but does not change is caught by verification (exit 6), never reported as converged', async () => {
  const w = world(async () => metadata());
  w.deps.kernel.runBatch = async (_family, lines) => {
    w.batches.push(lines);
    return { ok: true, failures: [] };
  };
  const report = await run(opts('apply'), w.deps);
  assert.equal(w.batches.length, 1);
  assert.equal(report.outcome, 'apply-failed');
  assert.equal(report.exitCode, EXIT.APPLY_FAILED);
  assert.ok(report.problems.some((problem) => problem.code === 'verify' && problem.message.startsWith('after applying, still needed: ip -4 ')));
});

test('a line the kernel refuses is reported on its change entry, and the run fails (exit 6)', async () => {
  const w = world(async () => metadata());
  w.kernel.refuse = (line) => (line.startsWith('route ') && line.includes('table 1001') ? 'RTNETLINK answers: Network is unreachable' : undefined);
  const report = await run(opts('apply'), w.deps);
  assert.equal(report.exitCode, EXIT.APPLY_FAILED);
  const failed = report.changes.filter((change) => change.failed !== undefined);
  assert.ok(failed.length > 0 && failed.every((change) => change.command.startsWith('ip -4 route ') && change.failed === 'RTNETLINK answers: Network is unreachable'), JSON.stringify(failed));
  assert.ok(report.problems.some((problem) => problem.code === 'verify' && problem.message.includes('table 1001')), 'what failed is still needed');
});

test('plan and status change nothing', async () => {
  for (const command of ['plan', 'status'] as const) {
    const w = world(async () => metadata());
    const report = await run(opts(command), w.deps);
    assert.deepEqual(w.batches, []);
    assert.equal(w.files.size, 0);
    assert.equal(w.stateWrites, 0);
    assert.ok(report.changes.length > 0);
    assert.equal(report.dryRun, true);
  }
});

test('a bad ENI makes the run partial (exit 3) and is reported with field and value', async () => {
  const meta = metadata({ complete: false, failed: [{ mac: '00:16:3e:00:00:09', problems: [{ field: 'gateway', value: '10.0.0.1\nrule del all', message: 'not an IPv4 address' }] }] });
  const w = world(async () => meta);
  const report = await run(opts('plan'), w.deps);
  assert.equal(report.exitCode, EXIT.PARTIAL);
  assert.ok(report.problems.some((problem) => problem.field === 'gateway' && problem.message.includes('"10.0.0.1\\nrule del all"')));
});

test('remove deletes only our own file content', async () => {
  const w = world(async () => metadata());
  w.files.set(CLOUD_INIT_FILE, 'network: {config: disabled}\n');
  const report = await run(opts('remove'), w.deps);
  assert.equal(report.exitCode, EXIT.OK);
  assert.equal(w.files.get(CLOUD_INIT_FILE), 'network: {config: disabled}\n');
  assert.deepEqual(report.files, [{ path: CLOUD_INIT_FILE, action: 'kept', note: 'not written by eni-init' }]);
});

test('a failing persistence step is reported (exit 6) after the kernel batch and the state write, never instead of them', async () => {
  const w = world(async () => metadata());
  w.deps.persist.listOwnFiles = async () => {
    throw new Error('EIO reading /etc/netplan');
  };
  const report = await run(opts('apply', { persist: 'netplan' }), w.deps);
  assert.equal(w.batches.length, 1);
  assert.ok(w.stateWrites > 0);
  assert.equal(report.exitCode, EXIT.APPLY_FAILED);
  assert.ok(report.problems.some((problem) => problem.code === 'persist-write' && problem.message.includes('EIO')));
});

test('plan with a forced backend lists the files it would write, writes none', async () => {
  const w = world(async () => metadata());
  const report = await run(opts('plan', { persist: 'networkmanager' }), w.deps);
  assert.ok(report.files.some((file) => file.path === '/etc/NetworkManager/system-connections/eni-init-eth1.nmconnection' && file.action === 'would-create'));
  assert.equal(w.files.size, 0);
});

test('incomplete metadata with removals held back is a problem (exit 3), never a silent success', async () => {
  const live = liveState();
  live.rules.push({ family: 4, priority: 20007, table: 1007, protocol: '203', from: '10.0.7.9/32' });
  for (const command of ['apply', 'plan'] as const) {
    const w = world(async () => metadata({ complete: false }), live);
    const report = await run(opts(command), w.deps);
    assert.ok(report.deferred.some((entry) => entry.command.includes('10.0.7.9')), JSON.stringify(report.deferred));
    assert.ok(report.problems.some((problem) => problem.code === 'removals-held-back'), command);
    assert.ok(w.batches.every((batch) => batch.every((line) => !line.includes('10.0.7.9'))), 'nothing removed');
    assert.notEqual(report.exitCode, EXIT.OK);
  }
  const complete = await run(opts('plan'), world(async () => metadata(), live).deps);
  assert.ok(!complete.problems.some((problem) => problem.code === 'removals-held-back'));
});

test('a preflight refusal (no CAP_NET_ADMIN, report path a FIFO) ends the run before the lock and the metadata', async () => {
  for (const [error, code, outcome] of [
    [new PermissionError('apply needs root or CAP_NET_ADMIN'), EXIT.PERMISSION, 'permission'],
    [new EnvironmentError('the report file is not a regular file'), EXIT.ENVIRONMENT, 'environment'],
  ] as const) {
    let touched = false;
    const w = world(async () => {
      touched = true;
      return metadata();
    });
    w.deps.preflight = async () => {
      throw error;
    };
    w.deps.lock = async () => {
      touched = true;
      return { release: async () => {} };
    };
    const report = await run(opts('apply'), w.deps);
    assert.equal(report.exitCode, code);
    assert.equal(report.outcome, outcome);
    assert.equal(touched, false);
    assert.deepEqual(w.batches, []);
  }
});

test('a corrupt state file is reported once and rewritten, even when nothing else changes', async () => {
  const { eni, MAC0 } = await import('./fixtures.ts');
  const meta = () => metadata({ enis: [eni(MAC0, 'eni-0', ['10.0.0.20'], '10.0.0.0/24', '10.0.0.253')] });
  const w = world(async () => meta());
  let stored: { addresses: never[]; problem?: string } = { addresses: [], problem: 'state file /run/eni-init/state.json is not valid JSON; ignored and rewritten' };
  w.deps.state = {
    read: async () => stored,
    write: async () => {
      w.stateWrites += 1;
      stored = { addresses: [] };
    },
  };
  const first = await run(opts('apply', { skipCloudInit: true }), w.deps);
  assert.deepEqual(w.batches, []);
  assert.equal(w.stateWrites, 1, 'rewritten');
  assert.equal(first.problems.filter((problem) => problem.code === 'state-file').length, 1);
  const second = await run(opts('apply', { skipCloudInit: true }), w.deps);
  assert.equal(w.stateWrites, 1, 'not rewritten again');
  assert.deepEqual(second.problems, []);
  assert.equal(second.exitCode, EXIT.OK);
});

test("an untrusted state entry (eth0's DHCP address as a /32) is reported once, never deleted, and dropped from the state", async () => {
  const { eni, MAC0 } = await import('./fixtures.ts');
  const meta = () => metadata({ enis: [eni(MAC0, 'eni-0', ['10.0.0.20'], '10.0.0.0/24', '10.0.0.253')] });
  const live = liveState();
  const eth0 = live.interfaces.find((entry) => entry.name === 'eth0');
  if (eth0) eth0.addresses = [{ family: 4, address: '10.0.0.20', prefixLength: 32 }];
  const w = world(async () => meta(), live);
  const written: unknown[] = [];
  w.deps.state = {
    read: async () => ({ addresses: [{ ifname: 'eth0', mac: MAC0, family: 4, address: '10.0.0.20', prefixLength: 32 }] }),
    write: async (addresses) => {
      written.push(addresses);
    },
  };
  for (const command of ['apply', 'remove'] as const) {
    const report = await run(opts(command, { skipCloudInit: true }), w.deps);
    assert.ok(!w.batches.flat().some((line) => line.includes('10.0.0.20')), `${command}: ${JSON.stringify(w.batches)}`);
    assert.ok(report.problems.some((problem) => problem.code === 'state-file' && problem.message.includes('10.0.0.20/32')), command);
  }
  assert.deepEqual(written, [[], []], 'the entry is dropped from the state file');
});

test('a failure to read the kernel state is a read failure (exit 11), never "apply failed"', async () => {
  for (const command of ['plan', 'status', 'apply'] as const) {
    const w = world(async () => metadata());
    w.deps.kernel.readLive = async () => {
      throw new ReadError('cannot read the network state: ip exited with code 1: Cannot open netlink socket');
    };
    const report = await run(opts(command), w.deps);
    assert.deepEqual([report.outcome, report.exitCode, report.error?.code], ['read-failed', EXIT.READ_FAILED, 'read-failed'], command);
    assert.deepEqual(w.batches, []);
  }
});

test('--only-interface: an unknown interface has its own code; a MAC the metadata does not list is not-in-metadata', async () => {
  const unknown = await run(opts('apply', { onlyInterface: 'eth9', deadlineSeconds: 0.01 }), world(async () => metadata()).deps);
  assert.deepEqual(
    unknown.problems.map((problem) => [problem.code, problem.message]),
    [['no-such-interface', '--only-interface eth9: no local interface has this name or MAC']],
  );
  const live = liveState();
  live.interfaces.push({ name: 'eth7', index: 9, mac: '00:16:3e:00:00:77', up: true, addresses: [] });
  const unlisted = await run(opts('apply', { onlyInterface: 'eth7', deadlineSeconds: 0.01 }), world(async () => metadata(), live).deps);
  assert.deepEqual(unlisted.problems.map((problem) => [problem.code, problem.mac]), [['not-in-metadata', '00:16:3e:00:00:77']]);
  assert.equal(unlisted.exitCode, EXIT.PARTIAL);
});

test('the report has the duration of each phase that ran, in integer milliseconds', async () => {
  let clock = 1_000;
  const w = world(async () => {
    clock += 7;
    return metadata();
  });
  w.deps.now = () => clock;
  const applied = await run(opts('apply'), w.deps);
  assert.deepEqual(Object.keys(applied.durations), ['metadata', 'discovery', 'plan', 'apply', 'persist', 'verify']);
  assert.equal(applied.durations.metadata, 7);
  assert.ok(Object.values(applied.durations).every((ms) => Number.isInteger(ms)));
  const planned = await run(opts('plan'), w.deps);
  assert.deepEqual(Object.keys(planned.durations), ['metadata', 'discovery', 'plan', 'persist'], 'plan applies and verifies nothing');
  const busy = world(async () => metadata());
  busy.deps.lock = async () => {
    throw new BusyError('held by pid 42');
  };
  const busyReport = await run(opts('apply'), busy.deps);
  assert.deepEqual(Object.keys(busyReport.durations).filter((phase) => phase !== 'metadata'), [], 'only the metadata read, beside the lock, ran');
});
