// Tests for the provider choice: an explicit metadata URL skips detection; DMI "not this cloud" refuses before any request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, NotOnCloudError, exitCodeFor } from '../../../src/errors.ts';
import { PROVIDERS, detectProvider } from '../../../src/metadata/providers.ts';
import type { Detection, MetadataProvider } from '../../../src/metadata/provider.ts';
import { fakeSys } from './aliyun/fake-sys.ts';

/** A provider whose detect answers `verdict` and whose read must never be called by the choice. */
function fake(verdict: Detection['verdict'], calls: string[]): MetadataProvider {
  return {
    name: `fake-${verdict}`,
    instanceKind: 'a fake instance',
    detect: async (sysRoot) => {
      calls.push(`detect ${sysRoot}`);
      return { verdict, evidence: `DMI says ${verdict}` };
    },
    read: async () => {
      throw new Error('read must not be called');
    },
  };
}

test('the Alibaba Cloud provider is the one provider and the default', () => {
  assert.deepEqual(PROVIDERS.map((provider) => provider.name), ['aliyun']);
});

test('an explicit metadata URL skips detection entirely', async () => {
  const calls: string[] = [];
  const choice = await detectProvider({ metadataUrlExplicit: true }, '/nonexistent', [fake('no', calls)]);
  assert.equal(choice.provider.name, 'fake-no');
  assert.equal(choice.detection, undefined);
  assert.deepEqual(calls, []);
});

test('"no" from every provider is NotOnCloudError (exit 12) naming the evidence and --metadata-url', async () => {
  const calls: string[] = [];
  await assert.rejects(detectProvider({}, '/fake', [fake('no', calls)]), (error: unknown) => {
    assert.ok(error instanceof NotOnCloudError);
    assert.equal(error.code, 'not-on-cloud');
    assert.equal(exitCodeFor(error), EXIT.NOT_ON_CLOUD);
    assert.equal(EXIT.NOT_ON_CLOUD, 12);
    assert.equal(error.message, 'this does not look like a fake instance (DMI says no); pass --metadata-url to use a metadata service anyway');
    return true;
  });
  assert.deepEqual(calls, ['detect /fake']);
});

test('"yes" wins, and "unknown" (no DMI) goes on with the provider', async () => {
  const calls: string[] = [];
  assert.equal((await detectProvider({}, '/', [fake('no', calls), fake('yes', calls)])).provider.name, 'fake-yes');
  const unknown = await detectProvider({ metadataUrlExplicit: false }, '/', [fake('unknown', calls)]);
  assert.equal(unknown.provider.name, 'fake-unknown');
  assert.equal(unknown.detection?.verdict, 'unknown');
});

test('the real Aliyun detection under a fake sysfs: QEMU is refused, ECS and no DMI are not', async () => {
  const qemu = fakeSys({ sys_vendor: 'QEMU', product_name: 'Standard PC (i440FX + PIIX, 1996)' });
  const ecs = fakeSys({ sys_vendor: 'Alibaba Cloud', product_name: 'Alibaba Cloud ECS' });
  const empty = mkdtempSync(join(tmpdir(), 'eni-sys-'));
  try {
    await assert.rejects(detectProvider({}, qemu), /this does not look like an Alibaba Cloud ECS instance \(DMI sys_vendor="QEMU", product_name="Standard PC \(i440FX \+ PIIX, 1996\)"\); pass --metadata-url/);
    assert.equal((await detectProvider({}, ecs)).detection?.verdict, 'yes');
    assert.equal((await detectProvider({}, empty)).detection?.verdict, 'unknown');
  } finally {
    for (const dir of [qemu, ecs, empty]) rmSync(dir, { recursive: true, force: true });
  }
});
