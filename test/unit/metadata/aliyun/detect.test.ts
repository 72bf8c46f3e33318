// Tests for "where am I": the DMI identity of an ECS instance, read under a fake sysfs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeSys } from './fake-sys.ts';
import { ECS_PRODUCT_NAME, ECS_SYS_VENDOR, detectEcs, judgeDmi } from '../../../../src/metadata/aliyun/detect.ts';

test('an ECS instance: sys_vendor "Alibaba Cloud" and product_name "Alibaba Cloud ECS" (either is enough)', async () => {
  for (const values of [{ sys_vendor: ECS_SYS_VENDOR, product_name: ECS_PRODUCT_NAME }, { sys_vendor: ECS_SYS_VENDOR, product_name: 'ebmg8i' }, { product_name: ECS_PRODUCT_NAME }]) {
    const root = fakeSys(values);
    try {
      assert.equal((await detectEcs(root)).verdict, 'yes', JSON.stringify(values));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test('another machine: "no", with both values in the evidence', async () => {
  const root = fakeSys({ sys_vendor: 'QEMU', product_name: 'Standard PC (i440FX + PIIX, 1996)' });
  try {
    const detection = await detectEcs(root);
    assert.equal(detection.verdict, 'no');
    assert.equal(detection.evidence, 'DMI sys_vendor="QEMU", product_name="Standard PC (i440FX + PIIX, 1996)"');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('no DMI at all (a container): unknown, never a reason to refuse', async () => {
  const root = mkdtempSync(join(tmpdir(), 'eni-sys-'));
  try {
    const detection = await detectEcs(root);
    assert.equal(detection.verdict, 'unknown');
    assert.match(detection.evidence, /sys_vendor=unreadable, product_name=unreadable/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('judgeDmi compares exactly (case and near-misses are not ECS) and quotes values safely', () => {
  assert.equal(judgeDmi('alibaba cloud', 'alibaba cloud ecs').verdict, 'no');
  assert.equal(judgeDmi('Alibaba', null).verdict, 'no');
  assert.equal(judgeDmi(null, 'Alibaba Cloud ECS').verdict, 'yes');
  assert.equal(judgeDmi('x\ny', null).evidence, 'DMI sys_vendor="x\\ny", product_name=unreadable');
});
