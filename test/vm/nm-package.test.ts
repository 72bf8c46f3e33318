// VM boot test (a): Debian 12 with NetworkManager, the .deb installed by cloud-init; boot, reboot, NM restart, DHCP renewal, hotplug.
import { test } from 'node:test';
import { packageScenario } from './scenarios.ts';

test('NetworkManager image, package mode: every private IP answers after boot, reboot, NM restart, DHCP renewal and NIC hotplug', { timeout: 40 * 60_000 }, (t) =>
  packageScenario(t, 'nm'));
