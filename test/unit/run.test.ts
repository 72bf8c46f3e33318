// The pipeline's decisions (exit codes, what is held back, what is written) over in-memory adapters.
// The real adapters are exercised end to end by test/integration/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/run.ts';
import type { Deps } from '../../src/run.ts';
import { BusyError, MetadataUnreachableError, BadMetadataError, EXIT, EnvironmentError, PermissionError } from '../../src/errors.ts';
import { DEFAULTS } from '../../src/cli/spec.ts';
import type { Command, Options } from '../../src/cli/spec.ts';
import { silentLogger } from '../../src/log.ts';
import { CLOUD_INIT_FILE, CLOUD_INIT_CONTENT } from '../../src/files/cloudinit.ts';
import type { LiveState, MetadataResult } from '../../src/model.ts';
import { MAC1, liveState, metadata } from './fixtures.ts';
import { NO_FACTS } from '../../src/persist/facts.ts';
import { writtenByUs } from '../../src/persist/own-files.ts';

interface World {
  deps: Deps;
  batches: string[][];
  files: Map<string, string>;
  stateWrites: number;
}

function world(read: () => Promise<MetadataResult>, live: LiveState = liveState()): World {
  const batches: string[][] = [];
  const files = new Map<string, string>();
  const store = (path: string, content: string) => {
    const before = files.get(path);
    files.set(path, content);
    return before === undefined ? 'created' : before === content ? 'unchanged' : 'replaced';
  };
  const w: World = {
    batches,
    files,
    stateWrites: 0,
    deps: {
      version: 'test',
      log: silentLogger,
      now: () => Date.now(),
      sleep: async () => {},
      readMetadata: read,
      kernel: {
        readLive: async () => live,
        listInterfaces: async () => live.interfaces,
        runBatch: async (_family, lines) => {
          batches.push(lines);
          return { ok: true, failures: [], stderr: '' };
        },
      },
      files: {
        read: async (path) => files.get(path) ?? null,
        writeAtomic: async (path, content) => store(path, content),
        removeIfContent: async (path, content) => {
          if (!files.has(path)) return 'absent';
          if (files.get(path) !== content) return 'different';
          files.delete(path);
          return 'removed';
        },
      },
      state: {
        read: async () => ({ addresses: [] }),
        write: async () => {
          w.stateWrites += 1;
        },
      },
      persist: {
        io: {
          read: async (path) => files.get(path) ?? null,
          write: async (path, content) => store(path, content),
          remove: async (path) => (files.delete(path) ? 'removed' : 'absent'),
        },
        probe: async () => NO_FACTS,
        listOwnFiles: async () => [...files].filter(([, content]) => writtenByUs(content)).map(([path, content]) => ({ path, content })),
      },
      lock: async () => ({ release: async () => {} }),
      stopRequested: () => false,
      critical: (step) => step(),
    },
  };
  return w;
}

const opts = (command: Command, extra: Partial<Options> = {}): Options => ({ ...DEFAULTS, command, deadlineSeconds: 2, ...extra });

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

test('busy lock: exit 7 before reading anything', async () => {
  let read = false;
  const w = world(async () => {
    read = true;
    return metadata();
  });
  w.deps.lock = async () => {
    throw new BusyError('held by pid 42');
  };
  const report = await run(opts('apply'), w.deps);
  assert.equal(report.exitCode, EXIT.BUSY);
  assert.equal(read, false);
});

test('apply writes the cloud-init file, runs one batch per family and reports per ENI', async () => {
  const w = world(async () => metadata());
  const report = await run(opts('apply'), w.deps);
  assert.equal(w.files.get(CLOUD_INIT_FILE), CLOUD_INIT_CONTENT);
  assert.equal(w.batches.length, 1, 'IPv4 only: one batch');
  assert.ok(w.batches[0]?.includes('rule add pref 20001 from 10.0.0.30/32 table 1001 protocol 203'));
  assert.equal(report.enis.find((eni) => eni.mac === MAC1)?.table, 1001);
  // The fake kernel never changes, so verification must fail loudly rather than claim success.
  assert.equal(report.exitCode, EXIT.APPLY_FAILED);
  assert.ok(report.problems.some((problem) => problem.code === 'verify'));
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
