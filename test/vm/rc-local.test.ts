// VM boot test (d): the bare executable from /etc/rc.local, with a control boot before it ran (NM image).
import { test } from 'node:test';
import { LIMITS, assertAllAnswer, bootFigures, cloudInitDone, startVm, step } from './harness.ts';
import { waitUnitDone } from './scenarios.ts';
import { rcLocalUserData } from './seed.ts';

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
