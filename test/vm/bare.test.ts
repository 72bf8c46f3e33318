// VM boot test (c): the bare executable from cloud-init runcmd, plus its per-boot script for later boots (NM image);
// and the journal priorities of its log lines under a systemd unit.
import { test } from 'node:test';
import { LIMITS, assertAllAnswer, bootFigures, cloudInitDone, startVm, step } from './harness.ts';
import type { VmSetup } from './harness.ts';
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
  await step(t, setup, 'bare: journal priorities (error lines in -p err, debug lines not)', () => journalPriorities(setup));
  await step(t, setup, 'bare: after reboot (per-boot script in cloud-final)', async () => {
    await vm.reboot(LIMITS.rebootMs);
    await cloudInitDone(vm);
    await assertAllAnswer(setup);
    t.diagnostic(`bare reboot: ${await bootFigures(setup)}`);
  });
});

/**
 * eni-init under a transient unit (stderr is the journal stream, JOURNAL_STREAM set) fails reaching a metadata URL
 * nobody listens on: its error line must be in `journalctl -p err`, its debug and info lines only without the filter.
 */
async function journalPriorities(setup: VmSetup): Promise<void> {
  const { vm } = setup;
  const unit = 'eni-init-journal-check';
  await vm.sh(
    `systemd-run --unit=${unit} --wait --collect -p StandardError=journal /usr/local/bin/eni-init apply ` +
      '--metadata-url http://127.0.0.1:9 --deadline 3 --root /run/eni-init-journal-check --log-level debug; true',
  );
  await vm.sh('journalctl --sync');
  const errors = await vm.sh(`journalctl -b --no-pager -o cat -p err -u ${unit}`);
  const all = await vm.sh(`journalctl -b --no-pager -o cat -u ${unit}`);
  const warnings = await vm.sh(`journalctl -b --no-pager -o cat -p warning -u ${unit}`);
  if (!/^error: apply ended with metadata-unreachable/m.test(errors)) throw new Error(`journalctl -p err has no error line:\n${errors}\n(all lines:\n${all})`);
  if (/^(debug|info):/m.test(errors) || /^(debug|info):/m.test(warnings)) throw new Error(`debug/info lines under -p err or -p warning:\n${warnings}`);
  if (!/^debug: starting/m.test(all)) throw new Error(`the debug line is missing from the unfiltered journal:\n${all}`);
  if (/^<\d>/m.test(all)) throw new Error(`a priority prefix reached the journal text (not parsed by journald):\n${all}`);
}
