// VM boot test (c): the bare executable from cloud-init runcmd, plus its per-boot script for later boots (NM image).
import { test } from 'node:test';
import { LIMITS, assertAllAnswer, bootFigures, cloudInitDone, startVm, step } from './harness.ts';
import { bareUserData } from './seed.ts';

test('bare executable from cloud-init runcmd: every private IP answers after first boot, and (per-boot script) after a reboot', { timeout: 30 * 60_000 }, async (t) => {
  const setup = await startVm(t, { image: 'nm', artifacts: ['exe'], userData: (copies) => bareUserData(copies.exe) });
  if (setup === undefined) return;
  const { vm } = setup;
  if (!(await step(t, setup, 'bare: first boot (runcmd)', async () => {
    await vm.waitBooted(LIMITS.bootMs);
    await cloudInitDone(vm);
    await vm.sh('test -x /usr/local/bin/eni-init && ! dpkg-query -W eni-init >/dev/null 2>&1');
    await assertAllAnswer(setup);
    t.diagnostic(`bare first boot: ${await bootFigures(setup)}`);
  }))) return;
  await step(t, setup, 'bare: after reboot (per-boot script in cloud-final)', async () => {
    await vm.reboot(LIMITS.rebootMs);
    await cloudInitDone(vm);
    await assertAllAnswer(setup);
    t.diagnostic(`bare reboot: ${await bootFigures(setup)}`);
  });
});
