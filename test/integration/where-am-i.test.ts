// "Where am I" through the built executable: on a host whose DMI is not an ECS instance's, and with no metadata
// URL given, every command that reads metadata ends within a second with exit 12 and sends no request; an explicit
// URL (environment here) skips the check. ENI_INIT_TEST_SYS_ROOT (test-only) points eni-init at a fake /sys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { nsArgv, run } from '../sim/exec.ts';
import type { ExecOptions } from '../sim/exec.ts';
import { presetInstance } from '../sim/instance.ts';
import { BINARY, withInstance } from './helpers.ts';
import { fakeSys } from '../unit/metadata/aliyun/fake-sys.ts';

test('not an ECS instance: exit 12 within a second, no metadata request; an explicit URL or ECS DMI goes on', async (t) => {
  const qemu = fakeSys({ sys_vendor: 'QEMU', product_name: 'Standard PC (i440FX + PIIX, 1996)' });
  const ecs = fakeSys({ sys_vendor: 'Alibaba Cloud', product_name: 'Alibaba Cloud ECS' });
  t.after(() => {
    for (const dir of [qemu, ecs]) rmSync(dir, { recursive: true, force: true });
  });
  // The sim's metadata service listens on the default address, 100.100.100.200: a request would be counted.
  await withInstance(t, presetInstance('two-enis-same-vswitch'), async (sim) => {
    const exec = (argv: string[], options: ExecOptions) => run(nsArgv(sim.nsInst, argv), options);
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ENI_INIT_')));
    const started = Date.now();
    await exec([BINARY, '--version'], { env: clean });
    const startup = Date.now() - started;
    await sim.resetImdsStats();
    for (const command of ['apply', 'plan', 'status', 'metadata']) {
      const begin = Date.now();
      const run = await exec([BINARY, command, '--root', sim.rootDir], { env: { ...clean, ENI_INIT_TEST_SYS_ROOT: qemu }, timeoutMs: 20_000 });
      const elapsed = Date.now() - begin;
      assert.equal(run.code, 12, `${command}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /this does not look like an Alibaba Cloud ECS instance \(DMI sys_vendor="QEMU", product_name="Standard PC \(i440FX \+ PIIX, 1996\)"\); pass --metadata-url to use a metadata service anyway/);
      // Process start (measured with --version) is the machine's; the check itself must answer within a second.
      assert.ok(elapsed - startup < 1000, `${command} took ${elapsed} ms (startup ${startup} ms)`);
    }
    assert.equal((await sim.imdsStats()).requests, 0, 'no request reached the metadata service');

    const explicit = await exec([BINARY, 'plan', '--root', sim.rootDir], { env: { ...clean, ENI_INIT_TEST_SYS_ROOT: qemu, ENI_INIT_METADATA_URL: sim.imdsUrl }, timeoutMs: 60_000 });
    assert.equal(explicit.code, 0, explicit.stdout + explicit.stderr);
    const onEcs = await exec([BINARY, 'plan', '--root', sim.rootDir], { env: { ...clean, ENI_INIT_TEST_SYS_ROOT: ecs }, timeoutMs: 60_000 });
    assert.equal(onEcs.code, 0, onEcs.stdout + onEcs.stderr);
    assert.ok((await sim.imdsStats()).requests > 0);
  });
});
