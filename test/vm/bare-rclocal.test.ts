// VM boot tests (c) and (d): the bare executable from cloud-init runcmd (plus its per-boot script), and from /etc/rc.local (NM image).
import { test } from 'node:test';
import { LIMITS, assertAllAnswer, bootFigures, cloudInitDone, startVm, step } from './harness.ts';
import { waitUnitDone } from './scenarios.ts';
import { bareUserData, rcLocalUserData } from './seed.ts';

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

test('rc.local mode: secondary IPs silent before eni-init ran, every private IP answers after a boot with /etc/rc.local', { timeout: 30 * 60_000 }, async (t) => {
  const setup = await startVm(t, { image: 'nm', artifacts: ['exe'], userData: (copies) => rcLocalUserData(copies.exe) });
  if (setup === undefined) return;
  const { vm, net } = setup;
  if (!(await step(t, setup, 'rc.local: first boot writes /etc/rc.local; without eni-init a secondary ENI does not answer (control)', async () => {
    await vm.waitBooted(LIMITS.bootMs);
    await cloudInitDone(vm);
    await vm.sh('test -x /etc/rc.local && test -x /usr/local/bin/eni-init && ! ip rule | grep -q "lookup 100[0-9]"');
    // eth1's primary IP came by DHCP; its replies leave by eth0 (main default route) and the source check drops them.
    const silent = await net.waitReachable(['10.0.0.10', '10.0.1.20'], 10_000);
    if (silent.join() !== '10.0.1.20') throw new Error(`control: expected only 10.0.1.20 to be silent before eni-init, got [${silent.join(', ')}]`);
  }))) return;
  await step(t, setup, 'rc.local: after reboot, rc-local.service ran eni-init', async () => {
    await vm.reboot(LIMITS.rebootMs);
    await waitUnitDone(setup, 'rc-local.service');
    await vm.sh('systemctl is-active --quiet rc-local.service');
    await assertAllAnswer(setup);
    await vm.sh('journalctl -b -t eni-init --no-pager | grep -q "eni-init: exit code 0"');
    t.diagnostic(`rc.local reboot: ${await bootFigures(setup)}`);
  });
});
