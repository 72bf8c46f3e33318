// VM steps for the life of an instance (issue 13): one eni-init run per boot, refresh timer, detach cleanup.
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BOOT_ENIS, ENIS, HOTPLUG_ENI, assertAllAnswer, step } from './harness.ts';
import type { VmSetup } from './harness.ts';
import type { ImageName } from './images.ts';
import { OWN_FILES, waitUnitDone } from './scenarios.ts';

/**
 * What counts as a run of eni-init: its summary line, written once at the end of every run that got past option
 * parsing ("info: apply done ..." or "error: apply ended with ..."; src/main.ts), which names the run's trigger.
 * A unit skipped by ExecCondition= and a run that ends before reading anything (replayed add, detach of a foreign
 * NIC) write none. Journal lines of the units' SyslogIdentifier=eni-init in this boot.
 */
async function runsInThisBoot(setup: VmSetup): Promise<string[]> {
  const journal = await setup.vm.sh('journalctl -b --no-pager -o cat -t eni-init');
  return journal.split('\n').filter((line) => /^(info|error): apply (done|ended with)/.test(line));
}

/** After a reboot: the boot run is the only run; the coldplug "add" of each NIC it configured was skipped. */
export async function oneRunPerBootStep(t: TestContext, setup: VmSetup, image: ImageName): Promise<void> {
  await step(t, setup, `${image}: one eni-init run per boot; udev's coldplug replays are skipped`, async () => {
    const { vm } = setup;
    // The replays queue behind the boot run (After=eni-init.service): wait (bounded) until each was decided.
    const skipped = (journal: string, ifname: string) => new RegExp(`^${ifname} \\(ifindex \\d+\\) was configured by an earlier run of this boot: replayed "add" skipped$`, 'm').test(journal);
    const secondaries = ENIS.slice(1, BOOT_ENIS).map((eni) => eni.ifname);
    for (const until = Date.now() + 90_000; ; await sleep(2000)) {
      const journal = await vm.sh('journalctl -b --no-pager -o cat -t eni-init');
      const missing = secondaries.filter((ifname) => !skipped(journal, ifname));
      if (missing.length === 0) break;
      if (Date.now() > until) {
        const units = await vm.exec(`systemctl status --no-pager ${missing.map((ifname) => `eni-init@${ifname}.service`).join(' ')}`, 15_000);
        throw new Error(`no skipped coldplug replay for ${missing.join(', ')}:\n${units.stdout}`);
      }
    }
    for (const eni of ENIS.slice(0, BOOT_ENIS)) await waitUnitDone(setup, `eni-init@${eni.ifname}.service`);
    // Refreshes (trigger=refresh, from 5 minutes after boot on: a slow emulated boot may reach one) are not boot runs.
    const runs = (await runsInThisBoot(setup)).filter((line) => !/ trigger=refresh\b/.test(line));
    if (runs.length !== 1 || !/ trigger=boot\b/.test(runs[0] ?? '')) throw new Error(`expected exactly one run (trigger=boot) in this boot, got ${runs.length}:\n${runs.join('\n')}`);
    t.diagnostic(`${image}: runs in this boot: ${runs.join(' | ')}`);
  });
}

/** The hot-plugged NIC (a real "add") ran once, with trigger hotplug. */
export async function assertHotplugRan(setup: VmSetup): Promise<void> {
  const runs = (await runsInThisBoot(setup)).filter((line) => / trigger=hotplug\b/.test(line));
  if (runs.length !== 1) throw new Error(`expected one hotplug run (${HOTPLUG_ENI.ifname}), got ${runs.length}:\n${runs.join('\n')}`);
}

/** Period of the test's refresh (refresh-interval in eni-init.conf): shorter than the packaged 5 minutes. */
const PERIOD_S = 30;
/** What the generator makes the random delay of that period (a tenth), and the refresh unit's TimeoutStartSec=. */
const DELAY_S = 3;
const RUN_S = 45;

/** A secondary IP assigned in the metadata answers, and one unassigned is taken away, by the refresh timer. */
export async function refreshStep(t: TestContext, setup: VmSetup, image: ImageName): Promise<void> {
  await step(t, setup, `${image}: refresh timer (period ${PERIOD_S} s): an IP assigned answers, one unassigned goes`, async () => {
    const { vm, net } = setup;
    await vm.sh(`echo 'refresh-interval = ${PERIOD_S}' >> /etc/eni-init/eni-init.conf && systemctl daemon-reload && systemctl restart eni-init-refresh.timer`);
    const dropIn = await vm.sh('systemctl cat eni-init-refresh.timer');
    if (!dropIn.includes(`OnUnitInactiveSec=${PERIOD_S}s`)) throw new Error(`the generator did not shorten the timer:\n${dropIn}`);
    const eth1 = ENIS[1];
    if (eth1 === undefined) throw new Error('no eth1');
    const added = '10.0.1.23';
    const removed = eth1.privateIps.at(-1) as string;
    const limitMs = (PERIOD_S + DELAY_S + RUN_S) * 1000;

    // The addresses that stay must never go while a refresh changes eth1's profile (sampled in the guest throughout).
    const kept = eth1.privateIps.filter((ip) => ip !== removed);
    const sampling = image === 'nm' ? await startAddressSampler(setup, eth1.ifname) : undefined;
    const assignedAt = Date.now();
    await net.setPrivateIps(eth1, [...eth1.privateIps, added]);
    await assertAllAnswer(setup, limitMs);
    t.diagnostic(`${image}: ${added} assigned in metadata answered after ${((Date.now() - assignedAt) / 1000).toFixed(1)} s`);

    // The run that added it may still be persisting (NetworkManager re-activates eth1 with the new profile, and
    // its addresses are briefly gone then): the removal counts only once a later refresh has finished.
    await waitUnitDone(setup, 'eni-init-refresh.service', limitMs);
    const lastRefresh = async () => (await vm.sh('cat /run/eni-init/refresh-report.json 2>/dev/null || true')).trim();
    const before = await lastRefresh();
    const unassignedAt = Date.now();
    await net.setPrivateIps(eth1, [...eth1.privateIps.filter((ip) => ip !== removed), added]);
    const stillThere = async () => {
      const shown = await vm.sh(`ip -4 -o address show dev ${eth1.ifname}; ip -4 rule show`);
      return shown.includes(` ${removed}/`) || new RegExp(`from ${removed.replaceAll('.', '\\.')}\\b`).test(shown);
    };
    for (;;) {
      const report = await lastRefresh();
      const active = (await vm.exec('systemctl show -p ActiveState --value eni-init-refresh.service')).stdout.trim();
      if (report !== '' && report !== before && active !== 'activating' && !(await stillThere())) break;
      if (Date.now() - unassignedAt > limitMs) throw new Error(`${removed} still configured, or no refresh finished, ${limitMs / 1000} s after it was unassigned:\n${await vm.sh('ip -4 -o address; ip -4 rule')}`);
      await sleep(2000);
    }
    t.diagnostic(`${image}: ${removed} unassigned in metadata was removed after ${((Date.now() - unassignedAt) / 1000).toFixed(1)} s`);
    if (sampling !== undefined) t.diagnostic(`${image}: ${await sampling.check(kept)}`);
    const report = JSON.parse(await lastRefresh()) as { trigger?: string };
    if (report.trigger !== 'refresh') throw new Error(`refresh-report.json has trigger ${String(report.trigger)}`);
    const status = await vm.sh('eni-init status', 90_000).catch((error: unknown) => String(error));
    if (!/Last converged: \S+ \(trigger refresh/.test(status)) throw new Error(`eni-init status does not name the last converged refresh:\n${status}`);
  });
}

/**
 * Samples `ip -4 -o address show dev IF` in the guest every 0.2 s (at most 300 s, a transient unit so that the
 * guest agent's exec does not wait for it) until `check`, which stops it and fails unless every sample holds every
 * kept address and NetworkManager's journal shows no activation of IF meanwhile (a blip between two samples). For NetworkManager: a changed profile of a device that runs it is reapplied, never re-activated
 * (re-activation drops every address of the NIC for a moment; src/persist/backends/networkmanager.ts). Only the nm
 * scenario samples: networkd applies a changed .network with `networkctl reload`, not checked here.
 */
async function startAddressSampler(setup: VmSetup, ifname: string): Promise<{ check(kept: readonly string[]): Promise<string> }> {
  const { vm } = setup;
  const file = '/run/eni-init-test-samples';
  const unit = 'eni-init-test-sampler';
  await vm.sh(`cat > /run/eni-init-test-sampler.sh <<'SAMPLER'
end=$(( $(date +%s) + 300 ))
while [ "$(date +%s)" -lt "$end" ]; do ip -4 -o address show dev ${ifname}; echo --; sleep 0.2; done > ${file}
SAMPLER
rm -f ${file}; systemd-run --quiet --collect --unit=${unit} /bin/sh /run/eni-init-test-sampler.sh`);
  const since = (await vm.sh('date +%s')).trim();
  for (const until = Date.now() + 10_000; !(await vm.sh(`cat ${file} 2>/dev/null || true`)).includes('--'); await sleep(200)) {
    if (Date.now() > until) throw new Error(`the address sampler wrote nothing in 10 s:\n${await vm.sh(`systemctl status --no-pager ${unit} || true`)}`);
  }
  return {
    async check(kept) {
      await vm.sh(`systemctl stop ${unit} 2>/dev/null || true`);
      const samples = (await vm.sh(`cat ${file}`)).split(/^--$/m).slice(0, -1);
      if (samples.length < 10) throw new Error(`only ${samples.length} address samples of ${ifname}`);
      const gaps = samples.flatMap((sample, index) => {
        const missing = kept.filter((ip) => !sample.includes(` ${ip}/`));
        return missing.length === 0 ? [] : [`sample ${index + 1}: ${missing.join(', ')} missing:${sample.trimEnd()}`];
      });
      if (gaps.length > 0) throw new Error(`addresses of ${ifname} that stay went away while a refresh changed its profile (${gaps.length} of ${samples.length} samples):\n${gaps.slice(0, 5).join('\n')}`);
      // A blip shorter than a sample's period could slip between two: NetworkManager's own word too.
      const journal = await vm.sh(`journalctl -b --no-pager -o cat -u NetworkManager --since @${since} | grep -F 'device (${ifname}):' || true`);
      const activations = journal.split('\n').filter((line) => line.includes('Activation: starting connection'));
      if (activations.length > 0) throw new Error(`NetworkManager re-activated ${ifname} while a refresh changed its profile:\n${activations.join('\n')}`);
      const reapplies = journal.split('\n').filter((line) => /reapply/i.test(line)).length;
      return `${kept.join(', ')} on ${ifname} in all ${samples.length} samples taken while refreshes changed its profile; NetworkManager journal for ${ifname}: no activation, ${reapplies} line(s) naming reapply`;
    },
  };
}

/**
 * The hot-plugged NIC is detached (QMP device_del); the metadata drops it a few seconds later. The detach run
 * (eni-init-detach@IF, from udev's "remove") leaves no rule, file or record of it. The timer is stopped first,
 * so the cleanup is the detach run's, not a refresh's; it stays stopped (the remove step that follows must not
 * race a refresh that configures everything again).
 */
export async function detachStep(t: TestContext, setup: VmSetup, image: ImageName): Promise<void> {
  await step(t, setup, `${image}: NIC detached (QMP device_del): no rule, file or record of it left once the metadata drops it`, async () => {
    const { vm, net } = setup;
    const ifname = HOTPLUG_ENI.ifname;
    await vm.sh('systemctl stop eni-init-refresh.timer eni-init-refresh.service');
    const leftovers = async () => {
      const rules = await vm.sh(`ip -4 rule show | grep -E 'from (${HOTPLUG_ENI.privateIps.map((ip) => ip.replaceAll('.', '\\.')).join('|')})\\b' || true`);
      const files = await vm.sh(`${OWN_FILES} | grep -F '${ifname}' || true`);
      const record = await vm.sh(`ls /run/eni-init/configured/${ifname} 2>/dev/null || true`);
      return `${rules}${files}${record}`.trim();
    };
    if ((await leftovers()) === '') throw new Error(`nothing of ${ifname} to clean up before the detach: the hotplug step did not configure it`);
    const detached = Date.now();
    await vm.unplug(HOTPLUG_ENI);
    await sleep(3000);
    await net.detachFromMetadata(HOTPLUG_ENI);
    for (let left = await leftovers(); left !== ''; left = await leftovers()) {
      if (Date.now() - detached > 120_000) throw new Error(`left 120 s after the detach:\n${left}`);
      await sleep(2000);
    }
    await waitUnitDone(setup, `eni-init-detach@${ifname}.service`);
    // Not `systemctl show`: nothing references the finished instance, so systemd unloads it (its ExecMain* reset to
    // zero; seen on the nm image); its journal and its report stay.
    const detachLog = await vm.sh(`journalctl -b --no-pager -o cat -u eni-init-detach@${ifname}.service`);
    if (!/^info: apply done outcome=converged .*trigger=detach\b/m.test(detachLog)) throw new Error(`eni-init-detach@${ifname} did not converge:\n${detachLog}`);
    const report = JSON.parse(await vm.sh(`cat /run/eni-init/report-${ifname}.json`)) as { trigger?: string; outcome?: string };
    if (report.trigger !== 'detach' || report.outcome !== 'converged') throw new Error(`report-${ifname}.json: trigger ${String(report.trigger)}, outcome ${String(report.outcome)}`);
    t.diagnostic(`${image}: ${ifname} cleaned up ${((Date.now() - detached) / 1000).toFixed(1)} s after device_del`);
    await assertAllAnswer(setup);
  });
}
